//! AvePoint Elements for Partners: the identity service (`/avepoint/identity`) and the API
//! (`/avepoint/graph`), as `../shared/vendors.md` §1 documents them.

mod customers;
mod identity;
mod seed;
mod users;

use crate::SandboxState;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::Router;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub use seed::sample_user;

pub const SCOPE_USER_READ: &str = "elements.um.user.read.all";
pub const SCOPE_USER_READ_WRITE: &str = "elements.um.user.readwrite.all";
pub const SCOPE_CUSTOMERS_READ: &str = "elements.customers.read.all";

/// A user as AvePoint's GET returns it (the fields Switchboard's operations touch, and a few more).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    pub display_name: String,
    pub login_name: String,
    pub mail: String,
    pub usage_location: String,
    pub preferred_language: String,
    pub enforce_start: bool,
    pub enforce_start_date_time: String,
    pub enforce_end: bool,
    pub enforce_end_date_time: String,
    pub postal_code: String,
    pub country_region: String,
    pub state: String,
    pub address: String,
    /// Stored from office-information PUTs and returned by the GET, as the vendor's current
    /// reference has it (June 2026, sample `"city": "New York"`); `null` while never set.
    pub city: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Tenant {
    pub id: String,
    pub name: String,
    pub users: Vec<User>,
}

#[derive(Debug, Clone)]
pub struct Customer {
    pub id: String,
    pub organization: String,
    pub tenants: Vec<Tenant>,
}

struct Token {
    scopes: Vec<String>,
    expires_at: Instant,
}

struct Inner {
    customers: Vec<Customer>,
    tokens: HashMap<String, Token>,
    /// Client-assertion ids already used: a replayed assertion is refused.
    used_assertions: std::collections::HashSet<String>,
    token_lifetime: Duration,
}

/// AvePoint's data and sign-in state. Tests may read and adjust it directly.
pub struct AvePointState {
    inner: Mutex<Inner>,
}

impl Default for AvePointState {
    fn default() -> Self {
        AvePointState {
            inner: Mutex::new(Inner {
                customers: seed::customers(),
                tokens: HashMap::new(),
                used_assertions: Default::default(),
                token_lifetime: Duration::from_secs(3600),
            }),
        }
    }
}

impl AvePointState {
    /// The user as the sandbox holds it now.
    pub fn user(&self, customer_id: &str, tenant_id: &str, user_id: &str) -> Option<User> {
        let inner = self.inner.lock().unwrap();
        find_user(&inner.customers, customer_id, tenant_id, user_id).ok().cloned()
    }

    pub fn customers(&self) -> Vec<Customer> {
        self.inner.lock().unwrap().customers.clone()
    }

    /// Changes a stored user in place (e.g. to hold a value the vendor has but the docs don't
    /// list); false if there is no such user.
    pub fn edit_user(&self, customer_id: &str, tenant_id: &str, user_id: &str, edit: impl FnOnce(&mut User)) -> bool {
        let mut inner = self.inner.lock().unwrap();
        match find_user_mut(&mut inner.customers, customer_id, tenant_id, user_id) {
            Some(user) => {
                edit(user);
                true
            }
            None => false,
        }
    }

    /// Adds `count` generated users to a tenant (for paging tests and the picker benchmark);
    /// returns how many users the tenant then has, or `None` if there is no such tenant.
    pub fn add_generated_users(&self, customer_id: &str, tenant_id: &str, count: usize) -> Option<usize> {
        let mut inner = self.inner.lock().unwrap();
        let tenant =
            inner.customers.iter_mut().find(|c| c.id == customer_id)?.tenants.iter_mut().find(|t| t.id == tenant_id)?;
        let domain = tenant.name.clone();
        let start = tenant.users.len();
        tenant.users.extend((start..start + count).map(|n| seed::generated_user(n, &domain)));
        Some(tenant.users.len())
    }

    /// Adds a customer (for tests that need particular names, such as very long ones).
    pub fn add_customer(&self, customer: Customer) {
        self.inner.lock().unwrap().customers.push(customer);
    }

    /// The lifetime of tokens issued from now on (the vendor's is one hour).
    pub fn set_token_lifetime(&self, lifetime: Duration) {
        self.inner.lock().unwrap().token_lifetime = lifetime;
    }

    /// Makes every issued token expired, as if an hour had passed.
    pub fn expire_tokens(&self) {
        let now = Instant::now();
        for token in self.inner.lock().unwrap().tokens.values_mut() {
            token.expires_at = now;
        }
    }
}

pub(crate) fn routes() -> Router<Arc<SandboxState>> {
    let user = "/graph/partner/external/v3/um/customers/{customer_id}/tenants/{tenant_id}/users/{user_id}";
    Router::new()
        .route("/identity/connect/token", post(identity::token))
        .route("/graph/partner/external/v3/general/customers/batch", post(customers::batch))
        .route(user, get(users::get_user))
        .route(
            "/graph/partner/external/v3/um/customers/{customer_id}/tenants/{tenant_id}/users/batch",
            post(customers::users_batch),
        )
        .route(&format!("{user}/account-information"), put(users::put_account_information))
        .route(&format!("{user}/office-information"), put(users::put_office_information))
}

/// AvePoint's services answer errors as `{"message": "..."}` (shape undocumented; see vendors.md §1.6).
pub(crate) fn error(status: StatusCode, message: impl Into<String>) -> Response {
    let body = serde_json::json!({ "statusCode": status.as_u16(), "message": message.into() });
    (status, [("request-id", uuid::Uuid::new_v4().to_string())], axum::Json(body)).into_response()
}

/// Resolves the ids in order, with the vendor's 404 for the first unknown one.
fn find_user<'a>(
    customers: &'a [Customer],
    customer_id: &str,
    tenant_id: &str,
    user_id: &str,
) -> Result<&'a User, Response> {
    let customer = customers
        .iter()
        .find(|c| c.id.eq_ignore_ascii_case(customer_id))
        .ok_or_else(|| error(StatusCode::NOT_FOUND, format!("Customer '{customer_id}' was not found.")))?;
    let tenant = customer.tenants.iter().find(|t| t.id.eq_ignore_ascii_case(tenant_id)).ok_or_else(|| {
        error(StatusCode::NOT_FOUND, format!("Tenant '{tenant_id}' was not found for this customer."))
    })?;
    tenant
        .users
        .iter()
        .find(|u| u.id.eq_ignore_ascii_case(user_id))
        .ok_or_else(|| error(StatusCode::NOT_FOUND, format!("User '{user_id}' was not found in this tenant.")))
}

fn find_user_mut<'a>(
    customers: &'a mut [Customer],
    customer_id: &str,
    tenant_id: &str,
    user_id: &str,
) -> Option<&'a mut User> {
    customers
        .iter_mut()
        .find(|c| c.id.eq_ignore_ascii_case(customer_id))?
        .tenants
        .iter_mut()
        .find(|t| t.id.eq_ignore_ascii_case(tenant_id))?
        .users
        .iter_mut()
        .find(|u| u.id.eq_ignore_ascii_case(user_id))
}
