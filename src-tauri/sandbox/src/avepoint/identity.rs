//! `POST /connect/token`: IdentityServer's client-credentials grant with a client secret.

use super::{Token, SCOPE_CUSTOMERS_READ, SCOPE_USER_READ, SCOPE_USER_READ_WRITE};
use crate::{SandboxState, PRACTICE_CLIENT_ID, PRACTICE_CLIENT_SECRET, READ_ONLY_CLIENT_ID, READ_ONLY_CLIENT_SECRET};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

/// The registered apps: id, secret and the permissions granted to each.
fn registered_client(client_id: &str) -> Option<(&'static str, &'static [&'static str])> {
    match client_id {
        PRACTICE_CLIENT_ID => {
            Some((PRACTICE_CLIENT_SECRET, &[SCOPE_USER_READ, SCOPE_USER_READ_WRITE, SCOPE_CUSTOMERS_READ]))
        }
        READ_ONLY_CLIENT_ID => Some((READ_ONLY_CLIENT_SECRET, &[SCOPE_USER_READ, SCOPE_CUSTOMERS_READ])),
        _ => None,
    }
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (status, Json(serde_json::json!({ "error": error, "error_description": description }))).into_response()
}

pub(super) async fn token(
    State(state): State<Arc<SandboxState>>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or_default();
    if field("grant_type") != "client_credentials" {
        return oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type", "Only client_credentials is supported.");
    }
    let Some((secret, granted)) = registered_client(field("client_id")) else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_client", "Unknown client.");
    };
    if field("client_secret") != secret {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_client", "Invalid client secret.");
    }
    let requested: Vec<String> = field("scope").split_whitespace().map(str::to_string).collect();
    if requested.iter().any(|scope| !granted.contains(&scope.as_str())) {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_scope", "The client is not allowed the requested scope.");
    }
    let scopes = if requested.is_empty() { granted.iter().map(|s| s.to_string()).collect() } else { requested };
    let access_token = format!("sbx.{}", uuid::Uuid::new_v4().simple());
    let mut inner = state.avepoint.inner.lock().unwrap();
    let lifetime = inner.token_lifetime;
    let scope = scopes.join(" ");
    inner.tokens.insert(access_token.clone(), Token { scopes, expires_at: Instant::now() + lifetime });
    Json(serde_json::json!({
        "access_token": access_token,
        "expires_in": lifetime.as_secs(),
        "token_type": "Bearer",
        "scope": scope,
    }))
    .into_response()
}

/// Checks the bearer token: 401 when missing, unknown or expired; 403 without one of `any_of`.
pub(super) fn authorize(
    state: &SandboxState,
    headers: &axum::http::HeaderMap,
    any_of: &[&str],
) -> Result<(), Response> {
    let unauthorized = || {
        let mut response = super::error(StatusCode::UNAUTHORIZED, "The access token is missing, invalid or expired.");
        response
            .headers_mut()
            .insert("www-authenticate", axum::http::HeaderValue::from_static("Bearer error=\"invalid_token\""));
        response
    };
    let presented = headers
        .get("authorization")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .ok_or_else(unauthorized)?;
    let inner = state.avepoint.inner.lock().unwrap();
    let token = inner.tokens.get(presented).filter(|t| Instant::now() < t.expires_at).ok_or_else(unauthorized)?;
    if !token.scopes.iter().any(|scope| any_of.contains(&scope.as_str())) {
        return Err(super::error(
            StatusCode::FORBIDDEN,
            format!("The app registration lacks the permission {}.", any_of.last().unwrap_or(&"")),
        ));
    }
    Ok(())
}
