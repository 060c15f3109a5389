//! The user endpoints: read one user, and replace its account-information section.

use super::identity::authorize;
use super::{error, find_user, find_user_mut, SCOPE_USER_READ, SCOPE_USER_READ_WRITE};
use crate::SandboxState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

type UserPath = Path<(String, String, String)>;

pub(super) async fn get_user(
    State(state): State<Arc<SandboxState>>,
    headers: HeaderMap,
    Path((c, t, u)): UserPath,
) -> Response {
    if let Err(response) = authorize(&state, &headers, &[SCOPE_USER_READ, SCOPE_USER_READ_WRITE]) {
        return response;
    }
    let inner = state.avepoint.inner.lock().unwrap();
    match find_user(&inner.customers, &c, &t, &u) {
        Ok(user) => {
            (StatusCode::OK, [("request-id", uuid::Uuid::new_v4().to_string())], Json(user.clone())).into_response()
        }
        Err(response) => response,
    }
}

pub(super) async fn put_account_information(
    State(state): State<Arc<SandboxState>>,
    headers: HeaderMap,
    Path((c, t, u)): UserPath,
    body: Bytes,
) -> Response {
    let body = match section_put_body(&state, &headers, (&c, &t, &u), &body) {
        Ok(body) => body,
        Err(response) => return response,
    };
    let held = state.avepoint.user(&c, &t, &u).expect("checked above");
    let checked = (|| {
        Ok::<_, String>((
            email(&body, "mail", 256)?,
            listed(&body, "usageLocation", 128, usage_locations(), &held.usage_location)?,
            listed(&body, "preferredLanguage", usize::MAX, languages(), &held.preferred_language)?,
            boolean(&body, "enforceStart")?,
            date_time(&body, "enforceStartDateTime")?,
            boolean(&body, "enforceEnd")?,
            date_time(&body, "enforceEndDateTime")?,
        ))
    })();
    let (mail, usage_location, preferred_language, enforce_start, start, enforce_end, end) = match checked {
        Ok(values) => values,
        Err(message) => return error(StatusCode::BAD_REQUEST, message),
    };
    let mut inner = state.avepoint.inner.lock().unwrap();
    let user = find_user_mut(&mut inner.customers, &c, &t, &u).expect("checked above");
    user.mail = mail;
    user.usage_location = usage_location;
    user.preferred_language = preferred_language;
    user.enforce_start = enforce_start;
    user.enforce_start_date_time = start;
    user.enforce_end = enforce_end;
    user.enforce_end_date_time = end;
    (StatusCode::NO_CONTENT, [("request-id", uuid::Uuid::new_v4().to_string())]).into_response()
}

pub(super) async fn put_office_information(
    State(state): State<Arc<SandboxState>>,
    headers: HeaderMap,
    Path((c, t, u)): UserPath,
    body: Bytes,
) -> Response {
    let body = match section_put_body(&state, &headers, (&c, &t, &u), &body) {
        Ok(body) => body,
        Err(response) => return response,
    };
    let checked = (|| {
        Ok::<_, String>((
            required_string(&body, "postalCode", 40)?,
            required_string(&body, "countryRegion", 255)?,
            required_string(&body, "state", 128)?,
            required_string(&body, "address", 1024)?,
            // Required since the vendor's June 2026 docs.
            required_string(&body, "city", 128)?,
        ))
    })();
    let (postal_code, country_region, region, address, city) = match checked {
        Ok(values) => values,
        Err(message) => return error(StatusCode::BAD_REQUEST, message),
    };
    let mut inner = state.avepoint.inner.lock().unwrap();
    let user = find_user_mut(&mut inner.customers, &c, &t, &u).expect("checked above");
    user.postal_code = postal_code;
    user.country_region = country_region;
    user.state = region;
    user.address = address;
    user.city = Some(city);
    (StatusCode::NO_CONTENT, [("request-id", uuid::Uuid::new_v4().to_string())]).into_response()
}

/// What every section PUT checks first, in the vendor's order: the token and its permission, that
/// the user exists, then that the body is a JSON object.
fn section_put_body(
    state: &SandboxState,
    headers: &HeaderMap,
    (c, t, u): (&str, &str, &str),
    body: &[u8],
) -> Result<Map<String, Value>, Response> {
    authorize(state, headers, &[SCOPE_USER_READ_WRITE])?;
    find_user(&state.avepoint.inner.lock().unwrap().customers, c, t, u)?;
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(body)) => Ok(body),
        _ => Err(error(StatusCode::BAD_REQUEST, "The request body must be a JSON object.")),
    }
}

fn required_string(body: &Map<String, Value>, key: &str, max: usize) -> Result<String, String> {
    match body.get(key) {
        Some(Value::String(text)) if !text.trim().is_empty() => {
            if text.encode_utf16().count() > max {
                Err(format!("The field {key} must be a string with a maximum length of {max}."))
            } else {
                Ok(text.clone())
            }
        }
        Some(Value::String(_)) | None | Some(Value::Null) => Err(format!("The {key} field is required.")),
        Some(_) => Err(format!("The field {key} must be a string.")),
    }
}

/// .NET's `[EmailAddress]`: one `@`, not first or last. The vendor is no stricter than that.
fn email(body: &Map<String, Value>, key: &str, max: usize) -> Result<String, String> {
    let text = required_string(body, key, max)?;
    let at = text.matches('@').count() == 1 && !text.starts_with('@') && !text.ends_with('@');
    if at {
        Ok(text)
    } else {
        Err(format!("The {key} field is not a valid e-mail address."))
    }
}

/// One of the documented values, or the value the user already holds: the vendor's own list is
/// the authority and may hold codes its docs don't list (Microsoft's `XK` for Kosovo, say).
fn listed(
    body: &Map<String, Value>,
    key: &str,
    max: usize,
    allowed: &HashMap<String, String>,
    held: &str,
) -> Result<String, String> {
    let text = required_string(body, key, max)?;
    if allowed.contains_key(&text) || text == held {
        Ok(text)
    } else {
        Err(format!("The value '{text}' is not valid for {key}."))
    }
}

fn boolean(body: &Map<String, Value>, key: &str) -> Result<bool, String> {
    match body.get(key) {
        Some(Value::Bool(value)) => Ok(*value),
        None | Some(Value::Null) => Err(format!("The {key} field is required.")),
        Some(_) => Err(format!("The JSON value could not be converted to System.Boolean. Path: $.{key}")),
    }
}

/// An ISO 8601 date and time, as .NET's `System.DateTime` reads one: with an offset or `Z`, or
/// without (then unspecified, as the vendor may itself return it).
fn date_time(body: &Map<String, Value>, key: &str) -> Result<String, String> {
    use time::format_description::well_known::{Iso8601, Rfc3339};
    let text = required_string(body, key, usize::MAX)?;
    let with_offset = time::OffsetDateTime::parse(&text, &Rfc3339).is_ok();
    if with_offset || time::PrimitiveDateTime::parse(&text, &Iso8601::DEFAULT).is_ok() {
        Ok(text)
    } else {
        Err(format!("The JSON value could not be converted to System.DateTime. Path: $.{key}"))
    }
}

// The same list files as the client: not a second copy, but checked on their own against ISO
// 3166-1 and BCP 47 data kept by others (`tests/value_lists.rs`), so a wrong entry can't
// confirm itself.
fn usage_locations() -> &'static HashMap<String, String> {
    static LIST: OnceLock<HashMap<String, String>> = OnceLock::new();
    LIST.get_or_init(|| serde_json::from_str(include_str!("../../../data/avepoint-usage-locations.json")).unwrap())
}

fn languages() -> &'static HashMap<String, String> {
    static LIST: OnceLock<HashMap<String, String>> = OnceLock::new();
    LIST.get_or_init(|| serde_json::from_str(include_str!("../../../data/avepoint-languages.json")).unwrap())
}
