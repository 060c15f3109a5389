//! Microsoft Partner Center with its Entra ID sign-in, as `../shared/vendors.md` §2 documents them:
//! Entra's authorize and token endpoints for a public client with PKCE (`/entra/{tenant}/oauth2/v2.0/...`)
//! and the Partner Center API (`/partner-center/v1/...`) with its error format and seek paging.
//!
//! Sign-in approves a simulated partner user at once (no sign-in page): the authorize endpoint
//! redirects straight back to the app's loopback address with a code. Tests can make the next
//! sign-in be declined, or happen without multi-factor authentication.

mod api;
mod entra;
mod seed;

use crate::SandboxState;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub use seed::{read_only_customer, sample_user, SAMPLE_CUSTOMER_DOMAINS};

/// The practice app registration: a public client (no secret). Not a credential: it only opens
/// this sandbox.
pub const PRACTICE_CLIENT_ID: &str = "5f1c0a3e-7d2b-4c89-9e41-0b5a8c3d2e17";
/// The practice partner's own tenant (sign-in also accepts `organizations` and `common`).
pub const PRACTICE_TENANT_ID: &str = "3f5c2a1b-8d4e-4f6a-9b7c-1e2d3c4b5a69";
/// The Practice connection's standing sign-in: a refresh token this sandbox always accepts (as if
/// the partner user had signed in with MFA once), so Practice needs no browser. The tokens it is
/// exchanged for rotate as usual. Not a credential: it only opens this sandbox.
pub const PRACTICE_REFRESH_TOKEN: &str = "sbx-pc-refresh.practice-sign-in-for-the-local-sandbox";
/// The simulated partner user every sign-in approves.
pub const PRACTICE_PARTNER_USER: &str = "helpdesk@switchboardpractice.onmicrosoft.com";
/// The delegated permission Partner Center needs.
pub const USER_IMPERSONATION: &str = "https://api.partnercenter.microsoft.com/user_impersonation";

/// What the simulated partner user does at the next sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextSignIn {
    /// Signs in with multi-factor authentication and consents.
    Approve,
    /// Signs in with a password only: tokens lack `amr=mfa`, which Partner Center refuses.
    ApproveWithoutMfa,
    /// Cancels or declines: the app gets `error=access_denied`.
    Decline,
}

/// The partner's GDAP role for a customer: what its staff may do there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GdapRole {
    /// Read and update users.
    UserAdministrator,
    /// Read only: updates get 403.
    DirectoryReader,
}

/// A customer user as the sandbox holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: String,
    pub user_principal_name: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub display_name: String,
    pub usage_location: Option<String>,
    /// `active` or `inactive`.
    pub state: String,
    /// The last password set through the API. Never returned by any endpoint.
    pub password: Option<String>,
    pub force_change_password: bool,
}

#[derive(Debug, Clone)]
pub struct Customer {
    pub id: String,
    pub company_name: String,
    /// The customer's verified domains; the first is its default.
    pub domains: Vec<String>,
    pub role: GdapRole,
    pub users: Vec<User>,
}

struct AuthorizationCode {
    client_id: String,
    redirect_uri: String,
    challenge: String,
    scope: String,
    issued_at: Instant,
    redeemed: bool,
    mfa: bool,
}

struct RefreshGrant {
    client_id: String,
    scope: String,
    expires_at: Instant,
    mfa: bool,
}

struct AccessGrant {
    expires_at: Instant,
    /// `amr` contains `mfa`.
    mfa: bool,
}

struct Inner {
    customers: Vec<Customer>,
    codes: HashMap<String, AuthorizationCode>,
    refresh_tokens: HashMap<String, RefreshGrant>,
    access_tokens: HashMap<String, AccessGrant>,
    /// PATCH answers by `MS-RequestId`: a repeated request gets the first answer, not a second change.
    patch_replies: Replies,
    access_token_lifetime: Duration,
    refresh_token_lifetime: Duration,
    next_sign_in: NextSignIn,
}

/// The answers to the latest [`Replies::KEPT`] PATCHes by their `MS-RequestId`. A client reuses
/// an id only to retry a call that timed out, seconds later (vendors.md §2), so the latest answers
/// are enough; keeping every one would grow the app's Practice sandbox by about 1 KB a change.
#[derive(Default)]
struct Replies {
    answers: HashMap<String, (StatusCode, serde_json::Value)>,
    order: std::collections::VecDeque<String>,
}

impl Replies {
    const KEPT: usize = 1_000;

    fn get(&self, request_id: &str) -> Option<&(StatusCode, serde_json::Value)> {
        self.answers.get(request_id)
    }

    fn insert(&mut self, request_id: String, answer: (StatusCode, serde_json::Value)) {
        if self.answers.insert(request_id.clone(), answer).is_none() {
            self.order.push_back(request_id);
        }
        while self.order.len() > Self::KEPT {
            if let Some(oldest) = self.order.pop_front() {
                self.answers.remove(&oldest);
            }
        }
    }
}

/// Partner Center's data and Entra ID's sign-in state. Tests may read and adjust it directly.
pub struct PartnerCenterState {
    inner: Mutex<Inner>,
}

impl Default for PartnerCenterState {
    fn default() -> Self {
        PartnerCenterState {
            inner: Mutex::new(Inner {
                customers: seed::customers(),
                codes: HashMap::new(),
                refresh_tokens: HashMap::new(),
                access_tokens: HashMap::new(),
                patch_replies: Replies::default(),
                // Entra's defaults: about an hour, and 90 days for refresh tokens.
                access_token_lifetime: Duration::from_secs(3600),
                refresh_token_lifetime: Duration::from_secs(90 * 24 * 3600),
                next_sign_in: NextSignIn::Approve,
            }),
        }
    }
}

impl PartnerCenterState {
    /// Adds a customer (with its users) after the seeded ones.
    pub fn add_customer(&self, customer: Customer) {
        self.inner.lock().unwrap().customers.push(customer);
    }

    /// The user as the sandbox holds it now.
    pub fn user(&self, customer_id: &str, user_id: &str) -> Option<User> {
        let inner = self.inner.lock().unwrap();
        find_customer(&inner.customers, customer_id)?.users.iter().find(|u| u.id.eq_ignore_ascii_case(user_id)).cloned()
    }

    pub fn customers(&self) -> Vec<Customer> {
        self.inner.lock().unwrap().customers.clone()
    }

    /// Changes a stored user in place (e.g. to hold a value the docs don't list); false if
    /// there is no such user.
    pub fn edit_user(&self, customer_id: &str, user_id: &str, edit: impl FnOnce(&mut User)) -> bool {
        let mut inner = self.inner.lock().unwrap();
        let user = inner
            .customers
            .iter_mut()
            .find(|c| c.id.eq_ignore_ascii_case(customer_id))
            .and_then(|c| c.users.iter_mut().find(|u| u.id.eq_ignore_ascii_case(user_id)));
        match user {
            Some(user) => {
                edit(user);
                true
            }
            None => false,
        }
    }

    /// The lifetime of access tokens issued from now on.
    pub fn set_access_token_lifetime(&self, lifetime: Duration) {
        self.inner.lock().unwrap().access_token_lifetime = lifetime;
    }

    /// The lifetime of refresh tokens issued from now on.
    pub fn set_refresh_token_lifetime(&self, lifetime: Duration) {
        self.inner.lock().unwrap().refresh_token_lifetime = lifetime;
    }

    /// Makes every issued access token expired, as if an hour had passed.
    pub fn expire_access_tokens(&self) {
        let now = Instant::now();
        for token in self.inner.lock().unwrap().access_tokens.values_mut() {
            token.expires_at = now;
        }
    }

    /// Revokes every refresh token, as an administrator's "revoke sessions" would.
    pub fn revoke_refresh_tokens(&self) {
        self.inner.lock().unwrap().refresh_tokens.clear();
    }

    /// Whether this refresh token would still be accepted.
    pub fn refresh_token_is_valid(&self, token: &str) -> bool {
        self.inner.lock().unwrap().refresh_tokens.get(token).is_some_and(|grant| Instant::now() < grant.expires_at)
    }

    /// What the simulated partner user does at the next sign-in (then back to approving).
    pub fn set_next_sign_in(&self, next: NextSignIn) {
        self.inner.lock().unwrap().next_sign_in = next;
    }
}

/// Both halves, each under its own prefix: `/entra/...` and `/partner-center/...`.
pub(crate) fn routes() -> Router<Arc<SandboxState>> {
    let user = "/partner-center/v1/customers/{customer_id}/users/{user_id}";
    Router::new()
        .route("/entra/{tenant}/oauth2/v2.0/authorize", get(entra::authorize))
        .route("/entra/{tenant}/oauth2/v2.0/token", axum::routing::post(entra::token))
        .route("/partner-center/v1/customers", get(api::list_customers))
        .route("/partner-center/v1/customers/{customer_id}/users", get(api::list_users))
        .route(user, get(api::get_user).patch(api::patch_user))
}

fn find_customer<'a>(customers: &'a [Customer], customer_id: &str) -> Option<&'a Customer> {
    customers.iter().find(|c| c.id.eq_ignore_ascii_case(customer_id))
}

/// The ids Partner Center echoes on every answer: the caller's, or new ones.
#[derive(Clone)]
struct CallIds {
    request_id: String,
    correlation_id: String,
}

impl CallIds {
    fn from(headers: &HeaderMap) -> Self {
        let get = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .filter(|v| !v.is_empty())
                .map(str::to_string)
                .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
        };
        CallIds { request_id: get("ms-requestid"), correlation_id: get("ms-correlationid") }
    }

    fn stamp(&self, mut response: Response) -> Response {
        for (name, value) in [("ms-requestid", &self.request_id), ("ms-correlationid", &self.correlation_id)] {
            if let Ok(value) = HeaderValue::from_str(value) {
                response.headers_mut().insert(name, value);
            }
        }
        response
    }
}

/// Partner Center's error body: `{code, description, data, source}`.
fn error_body(code: &str, description: impl Into<String>) -> serde_json::Value {
    serde_json::json!({ "code": code, "description": description.into(), "data": [], "source": "PartnerFD" })
}

fn error(status: StatusCode, code: &str, description: impl Into<String>) -> Response {
    (status, axum::Json(error_body(code, description))).into_response()
}

#[cfg(test)]
mod replies_tests {
    use super::*;

    #[test]
    fn only_the_latest_answers_are_kept() {
        let mut replies = Replies::default();
        for n in 0..Replies::KEPT + 10 {
            replies.insert(format!("id-{n}"), (StatusCode::OK, serde_json::json!({ "n": n })));
        }
        assert_eq!(replies.answers.len(), Replies::KEPT);
        assert_eq!(replies.order.len(), Replies::KEPT);
        assert!(replies.get("id-9").is_none(), "the oldest are forgotten");
        assert_eq!(replies.get("id-10").unwrap().1["n"], 10);
        let last = format!("id-{}", Replies::KEPT + 9);
        assert_eq!(replies.get(&last).unwrap().1["n"], Replies::KEPT + 9);
        // The same id again replaces its answer without a second place in the order.
        replies.insert(last.clone(), (StatusCode::OK, serde_json::json!({ "n": 0 })));
        assert_eq!(replies.order.len(), Replies::KEPT);
    }
}
