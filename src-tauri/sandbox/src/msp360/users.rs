//! Users and companies: the lists, one user, and `PUT /api/Users`, which replaces the user with
//! what it is sent (an omitted member is cleared) and answers 200 with no body.

use super::auth::authorize;
use super::{invalid, message, LICENSE_KEY, LICENSE_KEY_NEWER, LICENSE_MODES};
use crate::SandboxState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};
use std::sync::Arc;

pub(super) async fn list_users(State(state): State<Arc<SandboxState>>, headers: HeaderMap) -> Response {
    if let Err(response) = authorize(&state, &headers) {
        return response;
    }
    let users: Vec<Value> = state.msp360.users().iter().map(super::User::to_json).collect();
    Json(users).into_response()
}

pub(super) async fn get_user(
    State(state): State<Arc<SandboxState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Err(response) = authorize(&state, &headers) {
        return response;
    }
    match state.msp360.user(&id) {
        Some(user) => Json(user.to_json()).into_response(),
        None => message(StatusCode::NOT_FOUND, "User not found"),
    }
}

pub(super) async fn list_companies(State(state): State<Arc<SandboxState>>, headers: HeaderMap) -> Response {
    if let Err(response) = authorize(&state, &headers) {
        return response;
    }
    let companies: Vec<Value> = state.msp360.companies().iter().map(company_json).collect();
    Json(companies).into_response()
}

pub(super) async fn get_company(
    State(state): State<Arc<SandboxState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Err(response) = authorize(&state, &headers) {
        return response;
    }
    match state.msp360.companies().iter().find(|c| c.id.eq_ignore_ascii_case(&id)) {
        Some(company) => Json(company_json(company)).into_response(),
        None => message(StatusCode::NOT_FOUND, "Company not found"),
    }
}

fn company_json(company: &super::Company) -> Value {
    json!({
        "ID": company.id,
        "Name": company.name,
        "StorageLimit": company.storage_limit,
        "LicenseSettings": company.license_settings,
    })
}

/// The PUT body after model binding: what the vendor's `UsersEditModels` would hold.
struct EditModel {
    id: String,
    email: String,
    first_name: String,
    last_name: String,
    notification_emails: Vec<String>,
    company: String,
    enabled: bool,
    /// Per key spelling: the mode it carried.
    license: Vec<(&'static str, u8)>,
    password: Option<String>,
}

pub(super) async fn put_user(State(state): State<Arc<SandboxState>>, headers: HeaderMap, body: Bytes) -> Response {
    let caller = match authorize(&state, &headers) {
        Ok(caller) => caller,
        Err(response) => return response,
    };
    if !caller.can_edit_users {
        return message(StatusCode::FORBIDDEN, "This administrator is not allowed to create or edit users.");
    }
    let body = match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Object(body)) => body,
        _ => return message(StatusCode::BAD_REQUEST, "The request body must be a JSON object."),
    };
    let held_mode = body.get("ID").and_then(Value::as_str).and_then(|id| state.msp360.user(id)).map(|u| u.license_mode);
    let model = match bind(&body, held_mode) {
        Ok(model) => model,
        Err(response) => return response,
    };
    let mut inner = state.msp360.inner.lock().unwrap();
    // Business-rule refusals come back as a 200 whose body carries the message.
    let Some(index) = inner.users.iter().position(|u| u.id.eq_ignore_ascii_case(&model.id)) else {
        return (StatusCode::OK, Json(json!({ "Message": "User not found" }))).into_response();
    };
    let taken = !model.email.is_empty()
        && inner.users.iter().enumerate().any(|(i, u)| i != index && u.email.eq_ignore_ascii_case(&model.email));
    if taken {
        return (StatusCode::OK, Json(json!({ "Message": "Email already exist" }))).into_response();
    }
    let id = inner.users[index].id.to_ascii_lowercase();
    inner.license_keys_received.insert(id, model.license.iter().map(|(key, _)| key.to_string()).collect());
    let user = &mut inner.users[index];
    // The model binds only the key spelling this user's API generation knows; an omitted (or
    // differently spelled) mode binds as the enum's default, 0 = Manual.
    user.license_mode = model.license.iter().find(|(key, _)| *key == user.license_key).map_or(0, |(_, mode)| *mode);
    user.email = model.email;
    user.first_name = model.first_name;
    user.last_name = model.last_name;
    user.notification_emails = model.notification_emails;
    user.company = model.company;
    user.enabled = model.enabled;
    if let Some(password) = model.password {
        user.password = password;
    }
    StatusCode::OK.into_response()
}

/// Model binding and validation, independent of Switchboard's own rules. `held_mode` is the
/// license mode of the user the body names, if there is one.
fn bind(body: &Map<String, Value>, held_mode: Option<u8>) -> Result<EditModel, Response> {
    let id = match body.get("ID") {
        Some(Value::String(id)) if !id.trim().is_empty() => id.clone(),
        _ => return Err(invalid("ID", "ID is required")),
    };
    let enabled = match body.get("Enabled") {
        Some(Value::Bool(enabled)) => *enabled,
        None | Some(Value::Null) => return Err(invalid("Enabled", "Enabled is required")),
        Some(other) => return Err(invalid("Enabled", conversion_error(other, "System.Boolean", "Enabled"))),
    };
    let notification_emails = match body.get("NotificationEmails") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(entries)) => {
            let mut emails = Vec::new();
            for entry in entries {
                match entry.as_str() {
                    Some(address) if looks_like_an_address(address) => emails.push(address.to_string()),
                    _ => {
                        return Err(invalid(
                            "NotificationEmails",
                            format!("The NotificationEmails field contains an invalid email address: {entry}."),
                        ))
                    }
                }
            }
            emails
        }
        Some(other) => {
            return Err(invalid("NotificationEmails", conversion_error(other, "System.String[]", "NotificationEmails")))
        }
    };
    let mut license = Vec::new();
    for key in [LICENSE_KEY, LICENSE_KEY_NEWER] {
        match body.get(key) {
            None | Some(Value::Null) => {}
            Some(value) => match license_mode(value, held_mode) {
                Some(mode) => license.push((key, mode)),
                None => return Err(invalid(key, conversion_error(value, "MBSAPImvc.Engine.Models.UserModeType", key))),
            },
        }
    }
    let password = match body.get("Password") {
        None | Some(Value::Null) => None,
        Some(Value::String(password)) if (3..=100).contains(&password.encode_utf16().count()) => Some(password.clone()),
        Some(Value::String(_)) => {
            return Err(invalid(
                "Password",
                "The field Password must be a string with a minimum length of 3 and a maximum length of 100.",
            ))
        }
        Some(other) => return Err(invalid("Password", conversion_error(other, "System.String", "Password"))),
    };
    Ok(EditModel {
        id,
        email: text(body, "Email")?,
        first_name: text(body, "FirstName")?,
        last_name: text(body, "LastName")?,
        notification_emails,
        company: text(body, "Company")?,
        enabled,
        license,
        password,
    })
}

/// An optional string member; omitted or `null` binds as empty (and so clears the field).
fn text(body: &Map<String, Value>, key: &str) -> Result<String, Response> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(text)) => Ok(text.clone()),
        Some(other) => Err(invalid(key, conversion_error(other, "System.String", key))),
    }
}

/// JSON.NET reads an enum from its number or its name. The number the user already holds is
/// accepted back even without a name: the vendor's enum may be newer than its docs' three.
fn license_mode(value: &Value, held: Option<u8>) -> Option<u8> {
    match value {
        Value::Number(number) => number
            .as_u64()
            .filter(|n| (*n as usize) < LICENSE_MODES.len() || held.is_some_and(|held| u64::from(held) == *n))
            .map(|n| n as u8),
        Value::String(name) => LICENSE_MODES.iter().position(|mode| mode.eq_ignore_ascii_case(name)).map(|i| i as u8),
        _ => None,
    }
}

/// An address the way the vendor's `[EmailAddress]` sees it: one `@` with text on both sides,
/// a dotted domain, no spaces.
fn looks_like_an_address(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else { return false };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !text.chars().any(char::is_whitespace)
}

fn conversion_error(value: &Value, type_name: &str, path: &str) -> String {
    format!("Error converting value {value} to type '{type_name}'. Path '{path}'.")
}
