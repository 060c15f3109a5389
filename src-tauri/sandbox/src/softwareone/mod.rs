//! SoftwareOne Marketplace Platform API (`/softwareone`), as `../shared/vendors.md` §3 and the
//! seed's OpenAPI `AccountUser` schema document it: static API tokens sent as bearer tokens,
//! accounts and their users (paged lists with RQL filters), the account-user read and the
//! delta PUT, and RFC 7807 ProblemDetails with a `traceId` on every error.

mod accounts;
mod rql;
mod seed;
mod users;

use crate::SandboxState;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::sync::{Arc, Mutex};

pub use seed::sample_user;

/// The Practice connection's SoftwareOne API token: sees every sample account. Not a real
/// credential: it only opens this sandbox.
pub const PRACTICE_TOKEN: &str = "idt:TKN-5318-4770:practice-token-for-the-local-sandbox";
/// A token without access to [`RESTRICTED_ACCOUNT`] (for permission tests). It only opens this
/// sandbox.
pub const LIMITED_TOKEN: &str = "idt:TKN-7741-2093:limited-token-for-the-local-sandbox";
/// The account [`LIMITED_TOKEN`] may not see: 403 for its users, left out of the accounts list.
pub const RESTRICTED_ACCOUNT: &str = seed::FABRIKAM;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Phone {
    pub prefix: Option<String>,
    pub number: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NumberFormat {
    pub decimal_separator: String,
    pub group_separator: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    pub culture_code: String,
    pub language_code: String,
    pub time_zone: Option<String>,
    pub date_format: Option<String>,
    pub time_format: Option<String>,
    pub number_format: Option<NumberFormat>,
}

/// A user's membership of an account, with the fields the `AccountUser` schema holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    /// Active, Invited, Disabled, ...
    pub status: String,
    pub phone: Option<Phone>,
    pub settings: Option<Settings>,
    pub revision: i32,
    pub created_at: String,
    pub updated_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: String,
    pub name: String,
    /// Client, Vendor or Operations.
    pub account_type: String,
    pub status: String,
    pub users: Vec<User>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TokenStatus {
    Active,
    Disabled,
}

struct ApiToken {
    value: &'static str,
    status: TokenStatus,
    denied_accounts: Vec<String>,
}

struct Inner {
    accounts: Vec<Account>,
    tokens: Vec<ApiToken>,
    trace_ids: Vec<String>,
}

/// How many errors' `traceId`s [`State::trace_ids`] keeps.
pub const TRACE_IDS_KEPT: usize = 1_000;

/// SoftwareOne's data and API tokens. Tests may read and adjust it directly.
pub struct State {
    inner: Mutex<Inner>,
}

impl Default for State {
    fn default() -> Self {
        State {
            inner: Mutex::new(Inner {
                accounts: seed::accounts(),
                tokens: vec![
                    ApiToken { value: PRACTICE_TOKEN, status: TokenStatus::Active, denied_accounts: Vec::new() },
                    ApiToken {
                        value: LIMITED_TOKEN,
                        status: TokenStatus::Active,
                        denied_accounts: vec![RESTRICTED_ACCOUNT.to_string()],
                    },
                ],
                trace_ids: Vec::new(),
            }),
        }
    }
}

impl State {
    /// Adds an account (with its users) after the seeded ones.
    pub fn add_account(&self, account: Account) {
        self.inner.lock().unwrap().accounts.push(account);
    }

    /// The account user as the sandbox holds it now.
    pub fn user(&self, account_id: &str, user_id: &str) -> Option<User> {
        let inner = self.inner.lock().unwrap();
        inner.accounts.iter().find(|a| a.id == account_id)?.users.iter().find(|u| u.id == user_id).cloned()
    }

    pub fn accounts(&self) -> Vec<Account> {
        self.inner.lock().unwrap().accounts.clone()
    }

    /// Replaces a stored user (matched by id) in an account; false if there is none.
    pub fn replace_user(&self, account_id: &str, user: User) -> bool {
        let mut inner = self.inner.lock().unwrap();
        let Some(account) = inner.accounts.iter_mut().find(|a| a.id == account_id) else { return false };
        match account.users.iter_mut().find(|u| u.id == user.id) {
            Some(stored) => {
                *stored = user;
                true
            }
            None => false,
        }
    }

    /// Disables a token, as a portal admin can; requests with it get 401 from now on.
    pub fn disable_token(&self, token: &str) {
        for stored in self.inner.lock().unwrap().tokens.iter_mut().filter(|t| t.value == token) {
            stored.status = TokenStatus::Disabled;
        }
    }

    /// The `traceId` of the latest [`TRACE_IDS_KEPT`] errors answered, oldest first.
    pub fn trace_ids(&self) -> Vec<String> {
        self.inner.lock().unwrap().trace_ids.clone()
    }
}

pub(crate) fn routes() -> Router<Arc<SandboxState>> {
    let accounts = "/public/v1/accounts/accounts";
    Router::new()
        .route(accounts, get(accounts::list))
        .route(&format!("{accounts}/{{account_id}}"), get(accounts::get_one))
        .route(&format!("{accounts}/{{account_id}}/users"), get(users::list))
        .route(&format!("{accounts}/{{account_id}}/users/{{user_id}}"), get(users::get_one).put(users::put))
}

/// Field errors as ProblemDetails carries them: `{"Phone.Number": ["..."]}`.
pub(crate) type FieldErrors = Map<String, Value>;

pub(crate) fn add_error(errors: &mut FieldErrors, key: &str, message: impl Into<String>) {
    let entry = errors.entry(key.to_string()).or_insert_with(|| Value::Array(Vec::new()));
    if let Value::Array(messages) = entry {
        messages.push(Value::String(message.into()));
    }
}

/// An RFC 7807 ProblemDetails answer as the vendor's ASP.NET services give it, with a fresh
/// W3C `traceId` that is also kept in the state for tests.
pub(crate) fn problem(
    state: &State,
    status: StatusCode,
    detail: Option<String>,
    errors: Option<FieldErrors>,
) -> Response {
    let (section, title) = match status.as_u16() {
        400 if errors.is_some() => ("15.5.1", "One or more validation errors occurred."),
        400 => ("15.5.1", "Bad Request"),
        401 => ("15.5.2", "Unauthorized"),
        403 => ("15.5.4", "Forbidden"),
        404 => ("15.5.5", "Not Found"),
        409 => ("15.5.10", "Conflict"),
        415 => ("15.5.16", "Unsupported Media Type"),
        _ => ("15.6.1", "An error occurred while processing your request."),
    };
    let trace_id =
        format!("00-{}-{}-00", uuid::Uuid::new_v4().simple(), &uuid::Uuid::new_v4().simple().to_string()[..16]);
    {
        // The latest ones are enough for a test to match an error to its trace; keeping every one
        // would grow the app's Practice sandbox with each error for as long as it runs.
        let trace_ids = &mut state.inner.lock().unwrap().trace_ids;
        if trace_ids.len() >= TRACE_IDS_KEPT {
            trace_ids.remove(0);
        }
        trace_ids.push(trace_id.clone());
    }
    let mut body = json!({
        "type": format!("https://tools.ietf.org/html/rfc9110#section-{section}"),
        "title": title,
        "status": status.as_u16(),
        "traceId": trace_id,
    });
    if let Some(detail) = detail {
        body["detail"] = Value::String(detail);
    }
    if let Some(errors) = errors {
        body["errors"] = Value::Object(errors);
    }
    let mut response =
        (status, [("content-type", "application/problem+json; charset=utf-8")], body.to_string()).into_response();
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert("www-authenticate", "Bearer error=\"invalid_token\"".parse().unwrap());
    }
    response
}

/// Checks the bearer token; on success returns the accounts this token may not see.
pub(crate) fn authorize(state: &State, headers: &HeaderMap) -> Result<Vec<String>, Response> {
    let header = headers.get("authorization").and_then(|value| value.to_str().ok()).unwrap_or_default();
    let token = match header.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() => token.trim(),
        _ => {
            return Err(problem(
                state,
                StatusCode::UNAUTHORIZED,
                Some("The request has no API token. Send it as 'Authorization: Bearer <token>'.".into()),
                None,
            ))
        }
    };
    let found = {
        let inner = state.inner.lock().unwrap();
        inner.tokens.iter().find(|t| t.value == token).map(|t| (t.status, t.denied_accounts.clone()))
    };
    match found {
        Some((TokenStatus::Active, denied)) => Ok(denied),
        Some((TokenStatus::Disabled, _)) => {
            Err(problem(state, StatusCode::UNAUTHORIZED, Some("The API token is disabled.".into()), None))
        }
        None => Err(problem(state, StatusCode::UNAUTHORIZED, Some("The API token is not valid.".into()), None)),
    }
}

/// Authorizes a request about one account: 401 for a bad token, 403 if the token may not see
/// the account, 404 if there is no such account.
pub(crate) fn authorize_account(state: &State, headers: &HeaderMap, account_id: &str) -> Result<Account, Response> {
    let denied = authorize(state, headers)?;
    if denied.iter().any(|id| id == account_id) {
        return Err(problem(
            state,
            StatusCode::FORBIDDEN,
            Some(format!("The API token has no access to account '{account_id}'.")),
            None,
        ));
    }
    let account = state.inner.lock().unwrap().accounts.iter().find(|a| a.id == account_id).cloned();
    account.ok_or_else(|| {
        problem(state, StatusCode::NOT_FOUND, Some(format!("Account '{account_id}' was not found.")), None)
    })
}

fn account_ref(account: &Account) -> Value {
    json!({
        "id": account.id,
        "name": account.name,
        "icon": null,
        "revision": 1,
        "type": account.account_type,
        "status": account.status,
    })
}

pub(crate) fn account_json(account: &Account) -> Value {
    let mut json = account_ref(account);
    json["audit"] = json!({ "created": { "at": "2024-01-15T09:00:00.000Z" } });
    json
}

/// The `AccountUser` as the vendor's GET and PUT return it.
pub(crate) fn account_user_json(account: &Account, user: &User) -> Value {
    let name = format!("{} {}", user.first_name, user.last_name);
    json!({
        "id": user.id,
        "name": name,
        "icon": null,
        "revision": user.revision,
        "user": { "id": user.id, "name": name, "icon": null, "revision": user.revision },
        "email": user.email,
        "status": user.status,
        "phone": user.phone,
        "firstName": user.first_name,
        "lastName": user.last_name,
        "settings": user.settings,
        "groups": [{
            "id": format!("UGR-{}", &account.id[4..]),
            "name": "Default",
            "revision": 1,
            "description": null,
            "logo": null,
            "isDefault": true,
        }],
        "buyers": null,
        "modules": [],
        "account": account_ref(account),
        "audit": {
            "created": { "at": user.created_at, "by": { "id": "USR-0000-0000", "name": "Marketplace" } },
            "updated": user.updated_at.as_ref().map(|at| json!({ "at": at, "by": { "id": "TKN-5318-4770", "name": "API token" } })),
        },
    })
}

/// The list envelope: `{"$meta": {"pagination": {...}}, "data": [...]}`.
pub(crate) fn list_envelope(data: Vec<Value>, offset: usize, limit: usize, total: usize) -> Response {
    let body = json!({
        "$meta": { "pagination": { "offset": offset, "limit": limit, "total": total } },
        "data": data,
    });
    (StatusCode::OK, axum::Json(body)).into_response()
}
