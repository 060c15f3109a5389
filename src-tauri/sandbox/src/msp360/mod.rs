//! MSP360 Managed Backup (MBS) API under `/msp360`, as `../shared/vendors.md` §4 and seed 004
//! document it: `POST /api/Provider/Login`, `GET /api/Users`, `GET /api/Users/{id}`,
//! `PUT /api/Users` and `GET /api/Companies`.
//!
//! The real API is ASP.NET Web API: errors are `{"Message": ...}`, invalid bodies add a
//! `ModelState`, and some refusals come back as a 200 whose body carries the message.

mod auth;
mod seed;
mod users;

use crate::SandboxState;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub use seed::{sample_user_id, NAMED_MODE_USER_ID, NEWER_SPELLING_USER_ID};

/// The Practice connection's API login. Not a secret: it only opens this sandbox.
pub const PRACTICE_USER_NAME: &str = "practice-msp";
/// The Practice connection's API password. Not a real credential: it only opens this sandbox.
pub const PRACTICE_PASSWORD: &str = "practice-password-for-the-local-sandbox";
/// An API login that may read but not edit users (for permission tests). Sandbox only.
pub const READ_ONLY_USER_NAME: &str = "practice-msp-readonly";
/// The read-only login's password. Not a real credential: it only opens this sandbox.
pub const READ_ONLY_PASSWORD: &str = "read-only-password-for-the-local-sandbox";

/// The seed's spelling of the license-mode key (and the vendor's PowerShell module's).
pub const LICENSE_KEY: &str = "LicenseManagmentMode";
/// The newer documentation's spelling.
pub const LICENSE_KEY_NEWER: &str = "LicenseManagementMode";
/// `UserModeType` by number.
pub const LICENSE_MODES: [&str; 3] = ["Manual", "Automatic", "CompanySettings"];

/// A backup user as the sandbox holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: String,
    /// The login name; not necessarily an email address.
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub notification_emails: Vec<String>,
    pub company: String,
    pub enabled: bool,
    /// 0 Manual, 1 Automatic, 2 CompanySettings (another number is held and returned as is).
    pub license_mode: u8,
    /// The key spelling this user's GET uses, and the one its PUT binds (the other is ignored,
    /// as JSON.NET ignores unknown members).
    pub license_key: &'static str,
    /// Whether the GET writes the mode as a name (`"Manual"`) instead of a number.
    pub license_as_name: bool,
    pub space_used: u64,
    /// Write-only: never returned by a GET.
    pub password: String,
}

impl User {
    /// The user as `GET /api/Users/{id}` returns it (never with the password).
    fn to_json(&self) -> Value {
        // Like JSON.NET's enum names: a mode without a name is written as its number.
        let mode = match LICENSE_MODES.get(self.license_mode as usize) {
            Some(name) if self.license_as_name => json!(name),
            _ => json!(self.license_mode),
        };
        let mut user = json!({
            "ID": self.id,
            "Email": self.email,
            "FirstName": self.first_name,
            "LastName": self.last_name,
            "NotificationEmails": self.notification_emails,
            "Company": self.company,
            "Enabled": self.enabled,
            "DestinationList": [{
                "ID": format!("{}-dest", &self.id[..8]),
                "CurrentVolume": self.space_used,
                "PackageID": 1,
                "AccountID": "a6f3c2e1-0b4d-4c5e-9f8a-7b6c5d4e3f2a",
                "AccountDisplayName": "Practice storage",
                "Destination": "practice-backups",
                "DestinationDisplayName": "Practice backups"
            }],
            "SpaceUsed": self.space_used,
        });
        user[self.license_key] = mode;
        user
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Company {
    pub id: String,
    pub name: String,
    /// Bytes; -1 for no limit.
    pub storage_limit: i64,
    /// 0 custom per-user settings, 1 global license pool, 2 company license pool.
    pub license_settings: u8,
}

struct Token {
    expires_at: Instant,
    can_edit_users: bool,
}

struct Inner {
    users: Vec<User>,
    companies: Vec<Company>,
    tokens: HashMap<String, Token>,
    token_lifetime: Duration,
    /// User id → the license-mode keys its last PUT carried.
    license_keys_received: HashMap<String, Vec<String>>,
}

/// MSP360's data and sign-in state. Tests may read and adjust it directly.
pub struct State {
    inner: Mutex<Inner>,
}

impl Default for State {
    fn default() -> Self {
        State {
            inner: Mutex::new(Inner {
                users: seed::users(),
                companies: seed::companies(),
                tokens: HashMap::new(),
                // "The token expires every two weeks after generation."
                token_lifetime: Duration::from_secs(14 * 24 * 60 * 60),
                license_keys_received: HashMap::new(),
            }),
        }
    }
}

impl State {
    /// Adds a backup user after the seeded ones.
    pub fn add_user(&self, user: User) {
        self.inner.lock().unwrap().users.push(user);
    }

    /// The user as the sandbox holds it now (password included, for tests).
    pub fn user(&self, id: &str) -> Option<User> {
        self.inner.lock().unwrap().users.iter().find(|u| u.id.eq_ignore_ascii_case(id)).cloned()
    }

    pub fn users(&self) -> Vec<User> {
        self.inner.lock().unwrap().users.clone()
    }

    pub fn companies(&self) -> Vec<Company> {
        self.inner.lock().unwrap().companies.clone()
    }

    /// Changes a stored user in place (e.g. to give it another key spelling); false if unknown.
    pub fn edit_user(&self, id: &str, edit: impl FnOnce(&mut User)) -> bool {
        let mut inner = self.inner.lock().unwrap();
        match inner.users.iter_mut().find(|u| u.id.eq_ignore_ascii_case(id)) {
            Some(user) => {
                edit(user);
                true
            }
            None => false,
        }
    }

    /// The license-mode key spellings the last `PUT /api/Users` for this user carried.
    pub fn license_keys_received(&self, id: &str) -> Vec<String> {
        let inner = self.inner.lock().unwrap();
        inner.license_keys_received.get(&id.to_ascii_lowercase()).cloned().unwrap_or_default()
    }

    /// The lifetime of tokens issued from now on (the vendor's is two weeks).
    pub fn set_token_lifetime(&self, lifetime: Duration) {
        self.inner.lock().unwrap().token_lifetime = lifetime;
    }

    /// Makes every issued token expired, as if two weeks had passed.
    pub fn expire_tokens(&self) {
        let now = Instant::now();
        for token in self.inner.lock().unwrap().tokens.values_mut() {
            token.expires_at = now;
        }
    }
}

pub(crate) fn routes() -> Router<Arc<SandboxState>> {
    Router::new()
        .route("/api/Provider/Login", post(auth::login))
        .route("/api/Users", get(users::list_users).put(users::put_user))
        .route("/api/Users/{id}", get(users::get_user))
        .route("/api/Companies", get(users::list_companies))
        .route("/api/Companies/{id}", get(users::get_company))
}

/// ASP.NET Web API's error body: `{"Message": "..."}`.
pub(crate) fn message(status: StatusCode, text: impl Into<String>) -> Response {
    (status, Json(json!({ "Message": text.into() }))).into_response()
}

/// ASP.NET Web API's model-validation failure: 400 with the offending member named.
pub(crate) fn invalid(member: &str, text: impl Into<String>) -> Response {
    let body = json!({
        "Message": "The request is invalid.",
        "ModelState": { format!("model.{member}"): [text.into()] },
    });
    (StatusCode::BAD_REQUEST, Json(body)).into_response()
}
