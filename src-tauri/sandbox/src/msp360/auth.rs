//! `POST /api/Provider/Login` {UserName, Password} → `access_token`, and the bearer check every
//! other route makes.

use super::{invalid, message, Token, PRACTICE_PASSWORD, PRACTICE_USER_NAME, READ_ONLY_PASSWORD, READ_ONLY_USER_NAME};
use crate::SandboxState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Instant;

/// The API logins this sandbox knows: name, password and whether it may edit users.
const ACCOUNTS: &[(&str, &str, bool)] =
    &[(PRACTICE_USER_NAME, PRACTICE_PASSWORD, true), (READ_ONLY_USER_NAME, READ_ONLY_PASSWORD, false)];

pub(super) async fn login(State(state): State<Arc<SandboxState>>, body: Bytes) -> Response {
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(&body) else {
        return invalid("UserName", "The request body must be a JSON object with UserName and Password.");
    };
    let text = |key: &str| body.get(key).and_then(Value::as_str).filter(|text| !text.is_empty());
    let Some(user_name) = text("UserName") else {
        return invalid("UserName", "The UserName field is required.");
    };
    let Some(password) = text("Password") else {
        return invalid("Password", "The Password field is required.");
    };
    // .NET's [StringLength(100, MinimumLength = 3)], counted in UTF-16 units.
    if !(3..=100).contains(&password.encode_utf16().count()) {
        return invalid(
            "Password",
            "The field Password must be a string with a minimum length of 3 and a maximum length of 100.",
        );
    }
    let Some(&(_, _, can_edit_users)) =
        ACCOUNTS.iter().find(|(name, secret, _)| name.eq_ignore_ascii_case(user_name) && *secret == password)
    else {
        return message(StatusCode::FORBIDDEN, "Incorrect login or password.");
    };
    let access_token = format!("mbs.{}", uuid::Uuid::new_v4().simple());
    let mut inner = state.msp360.inner.lock().unwrap();
    let lifetime = inner.token_lifetime;
    inner.tokens.insert(access_token.clone(), Token { expires_at: Instant::now() + lifetime, can_edit_users });
    let now = time::OffsetDateTime::now_utc();
    let http_date =
        |at: time::OffsetDateTime| at.format(&time::format_description::well_known::Rfc2822).unwrap_or_default();
    Json(json!({
        "access_token": access_token,
        "token_type": "bearer",
        "expires_in": lifetime.as_secs(),
        "userName": user_name,
        ".issued": http_date(now),
        ".expires": http_date(now + lifetime),
    }))
    .into_response()
}

/// What a valid token may do.
pub(super) struct Caller {
    pub can_edit_users: bool,
}

/// Checks the bearer token: 401 with ASP.NET's message when missing, unknown or expired.
pub(super) fn authorize(state: &SandboxState, headers: &HeaderMap) -> Result<Caller, Response> {
    let unauthorized = || {
        let mut response = message(StatusCode::UNAUTHORIZED, "Authorization has been denied for this request.");
        response.headers_mut().insert("www-authenticate", HeaderValue::from_static("Bearer"));
        response
    };
    let presented = headers
        .get("authorization")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim().to_string())
        .ok_or_else(unauthorized)?;
    let inner = state.msp360.inner.lock().unwrap();
    let token = inner.tokens.get(&presented).filter(|t| Instant::now() < t.expires_at).ok_or_else(unauthorized)?;
    Ok(Caller { can_edit_users: token.can_edit_users })
}
