//! Entra ID's v2.0 endpoints for a public client: `authorize` (authorization code with PKCE,
//! approved at once for the simulated partner user) and `token` (`authorization_code` and
//! `refresh_token` grants, with rotating refresh tokens).

use super::{
    AccessGrant, AuthorizationCode, NextSignIn, RefreshGrant, PRACTICE_CLIENT_ID, PRACTICE_REFRESH_TOKEN,
    PRACTICE_TENANT_ID, USER_IMPERSONATION,
};
use crate::SandboxState;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rsa::sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// An authorization code lives ten minutes, as Entra's do.
const CODE_LIFETIME: Duration = Duration::from_secs(600);
/// What may be asked for alongside Partner Center's permission.
const OPTIONAL_SCOPES: &[&str] = &["offline_access", "openid", "profile", "email"];

fn known_tenant(tenant: &str) -> bool {
    tenant.eq_ignore_ascii_case(PRACTICE_TENANT_ID) || matches!(tenant, "organizations" | "common")
}

/// Entra shows its own error page (no redirect) when it can't trust the redirect URI or client.
fn error_page(status: StatusCode, code: &str, message: &str) -> Response {
    let body = format!(
        "<!doctype html><html><head><title>Sign in to your account</title></head><body>\
         <h1>Sorry, but we're having trouble signing you in.</h1><p>{code}: {message}</p></body></html>"
    );
    (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
}

/// A loopback redirect URI for a native app (RFC 8252 §7.3): plain http, a loopback host, a port.
fn loopback_redirect(text: &str) -> Option<url::Url> {
    let url = url::Url::parse(text).ok()?;
    let loopback = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    (url.scheme() == "http" && loopback && url.port().is_some() && url.fragment().is_none()).then_some(url)
}

fn scopes(text: &str) -> Vec<&str> {
    text.split_whitespace().collect()
}

fn acceptable_scope(text: &str) -> bool {
    let scopes = scopes(text);
    scopes.contains(&USER_IMPERSONATION)
        && scopes.iter().all(|s| *s == USER_IMPERSONATION || OPTIONAL_SCOPES.contains(s))
}

fn random_token(prefix: &str) -> String {
    format!("{prefix}{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple())
}

/// `GET /entra/{tenant}/oauth2/v2.0/authorize`
pub(super) async fn authorize(
    State(state): State<Arc<SandboxState>>,
    Path(tenant): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let param = |name: &str| query.get(name).map(String::as_str).unwrap_or_default();
    if !known_tenant(&tenant) {
        return error_page(
            StatusCode::BAD_REQUEST,
            "AADSTS90002",
            &format!("Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID."),
        );
    }
    if param("client_id") != PRACTICE_CLIENT_ID {
        return error_page(
            StatusCode::BAD_REQUEST,
            "AADSTS700016",
            &format!("Application with identifier '{}' was not found in the directory.", param("client_id")),
        );
    }
    let Some(mut redirect) = loopback_redirect(param("redirect_uri")) else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "AADSTS50011",
            "The redirect URI specified in the request does not match the redirect URIs configured for the application. A native app must use http://127.0.0.1:{port}/ or http://localhost:{port}/.",
        );
    };
    // From here on, problems go back to the app on its redirect URI, as Entra does.
    let refusal = if param("response_type") != "code" {
        Some(("unsupported_response_type", "AADSTS700054: response_type must be 'code' for this app."))
    } else if !matches!(param("response_mode"), "" | "query") {
        Some(("invalid_request", "AADSTS900144: response_mode must be 'query' for a loopback redirect URI."))
    } else if param("code_challenge").is_empty() {
        Some((
            "invalid_request",
            "AADSTS9002325: Proof Key for Code Exchange is required for cross-origin authorization code redemption.",
        ))
    } else if param("code_challenge_method") != "S256" {
        Some(("invalid_request", "AADSTS501491: code_challenge_method must be S256."))
    } else if !acceptable_scope(param("scope")) {
        Some(("invalid_scope", "AADSTS70011: The provided value for the input parameter 'scope' is not valid. It must include https://api.partnercenter.microsoft.com/user_impersonation."))
    } else {
        None
    };
    let mut inner = state.partner_center.inner.lock().unwrap();
    let next = std::mem::replace(&mut inner.next_sign_in, NextSignIn::Approve);
    {
        let mut pairs = redirect.query_pairs_mut();
        match (refusal, next) {
            (Some((error, description)), _) => {
                pairs.append_pair("error", error).append_pair("error_description", description);
            }
            (None, NextSignIn::Decline) => {
                pairs
                    .append_pair("error", "access_denied")
                    .append_pair("error_description", "AADSTS65004: User declined to consent to access the app.");
            }
            (None, next) => {
                let code = random_token("sbx-code.");
                inner.codes.insert(
                    code.clone(),
                    AuthorizationCode {
                        client_id: param("client_id").to_string(),
                        redirect_uri: param("redirect_uri").to_string(),
                        challenge: param("code_challenge").to_string(),
                        scope: param("scope").to_string(),
                        issued_at: Instant::now(),
                        redeemed: false,
                        mfa: next == NextSignIn::Approve,
                    },
                );
                pairs.append_pair("code", &code);
            }
        }
        if !param("state").is_empty() {
            pairs.append_pair("state", param("state"));
        }
    }
    (StatusCode::FOUND, [(header::LOCATION, redirect.to_string())]).into_response()
}

/// Entra's OAuth error: `{error, error_description, error_codes, timestamp, trace_id, correlation_id}`.
fn oauth_error(status: StatusCode, error: &str, code: u32, description: &str) -> Response {
    let trace_id = uuid::Uuid::new_v4().to_string();
    let correlation_id = uuid::Uuid::new_v4().to_string();
    let timestamp =
        time::OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
    let body = serde_json::json!({
        "error": error,
        "error_description": format!("AADSTS{code}: {description}\r\nTrace ID: {trace_id}\r\nCorrelation ID: {correlation_id}\r\nTimestamp: {timestamp}"),
        "error_codes": [code],
        "timestamp": timestamp,
        "trace_id": trace_id,
        "correlation_id": correlation_id,
    });
    (status, Json(body)).into_response()
}

fn pkce_matches(verifier: &str, challenge: &str) -> bool {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) == challenge
}

/// RFC 7636 §4.1: 43 to 128 unreserved characters.
fn well_formed_verifier(verifier: &str) -> bool {
    (43..=128).contains(&verifier.len())
        && verifier.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~'))
}

/// `POST /entra/{tenant}/oauth2/v2.0/token`
pub(super) async fn token(
    State(state): State<Arc<SandboxState>>,
    Path(tenant): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or_default();
    if !known_tenant(&tenant) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            90002,
            &format!("Tenant '{tenant}' not found."),
        );
    }
    if field("client_id") != PRACTICE_CLIENT_ID {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            700016,
            &format!("Application with identifier '{}' was not found in the directory.", field("client_id")),
        );
    }
    if form.contains_key("client_secret") || form.contains_key("client_assertion") {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            700025,
            "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.",
        );
    }
    let requested_scope = field("scope");
    if !requested_scope.is_empty() && !acceptable_scope(requested_scope) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            70011,
            "The provided value for the input parameter 'scope' is not valid.",
        );
    }
    let mut inner = state.partner_center.inner.lock().unwrap();
    let (scope, mfa) = match field("grant_type") {
        "authorization_code" => {
            let Some(code) = inner.codes.get_mut(field("code")) else {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    70000,
                    "The provided authorization code is invalid.",
                );
            };
            // A code is good for one attempt, whatever its outcome (RFC 6749 §4.1.2).
            if std::mem::replace(&mut code.redeemed, true) {
                return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", 54005, "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.");
            }
            if code.issued_at.elapsed() > CODE_LIFETIME {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    70008,
                    "The provided authorization code or refresh token has expired due to inactivity.",
                );
            }
            if code.client_id != field("client_id") {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    70000,
                    "The authorization code was issued to another application.",
                );
            }
            if code.redirect_uri != field("redirect_uri") {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    50011,
                    "The redirect URI does not match the one used in the authorization request.",
                );
            }
            let verifier = field("code_verifier");
            if verifier.is_empty() {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    900144,
                    "The request body must contain the following parameter: 'code_verifier'.",
                );
            }
            if !well_formed_verifier(verifier) || !pkce_matches(verifier, &code.challenge) {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    501481,
                    "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
                );
            }
            (code.scope.clone(), code.mfa)
        }
        // Practice's standing sign-in is never used up (see `PRACTICE_REFRESH_TOKEN`).
        "refresh_token" if field("refresh_token") == PRACTICE_REFRESH_TOKEN => {
            (format!("{USER_IMPERSONATION} offline_access"), true)
        }
        "refresh_token" => {
            let presented = field("refresh_token");
            let Some(grant) = inner.refresh_tokens.get(presented) else {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    9002313,
                    "Invalid request. The refresh token is malformed, revoked or was already replaced by a newer one.",
                );
            };
            if Instant::now() >= grant.expires_at {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    700082,
                    "The refresh token has expired due to inactivity.",
                );
            }
            if grant.client_id != field("client_id") {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    70000,
                    "The refresh token was issued to another application.",
                );
            }
            let kept = (grant.scope.clone(), grant.mfa);
            // Rotation: the presented refresh token is replaced by the new one.
            inner.refresh_tokens.remove(presented);
            kept
        }
        other => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                70003,
                &format!("The app requested an unsupported grant type '{other}'."),
            )
        }
    };
    let access_token = random_token("sbx-pc-access.");
    let lifetime = inner.access_token_lifetime;
    inner.access_tokens.insert(access_token.clone(), AccessGrant { expires_at: Instant::now() + lifetime, mfa });
    let mut body = serde_json::json!({
        "token_type": "Bearer",
        "scope": USER_IMPERSONATION,
        "expires_in": lifetime.as_secs(),
        "ext_expires_in": lifetime.as_secs(),
        "access_token": access_token,
    });
    if scopes(&scope).contains(&"offline_access") {
        let refresh_token = random_token("sbx-pc-refresh.");
        let expires_at = Instant::now() + inner.refresh_token_lifetime;
        inner.refresh_tokens.insert(
            refresh_token.clone(),
            RefreshGrant { client_id: field("client_id").to_string(), scope: scope.clone(), expires_at, mfa },
        );
        body["refresh_token"] = refresh_token.into();
    }
    (StatusCode::OK, [(header::CACHE_CONTROL, "no-store")], Json(body)).into_response()
}

/// Checks a bearer token for the API: known, unexpired, and from a sign-in with MFA.
pub(super) fn check_access_token(state: &SandboxState, headers: &axum::http::HeaderMap) -> Result<(), &'static str> {
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .ok_or("Authentication failed: the request has no bearer token.")?;
    let inner = state.partner_center.inner.lock().unwrap();
    let grant = inner
        .access_tokens
        .get(presented)
        .filter(|grant| Instant::now() < grant.expires_at)
        .ok_or("Authentication failed: the access token is invalid or expired.")?;
    if !grant.mfa {
        return Err(
            "Multi-factor authentication is required for App+User access to Partner Center. Sign in again with MFA.",
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_http_redirects_with_a_port_are_accepted() {
        for ok in ["http://127.0.0.1:5000/", "http://localhost:1/", "http://[::1]:8080/cb"] {
            assert!(loopback_redirect(ok).is_some(), "{ok}");
        }
        for bad in [
            "https://127.0.0.1:5000/",
            "http://example.com:80/",
            "http://127.0.0.1/",
            "http://127.0.0.2.example:1/",
            "nonsense",
        ] {
            assert!(loopback_redirect(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn pkce_follows_rfc_7636() {
        assert!(pkce_matches(
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        ));
        assert!(!well_formed_verifier("short"));
        assert!(!well_formed_verifier(&format!("{}+", "a".repeat(50))));
    }

    #[test]
    fn the_scope_must_ask_for_partner_center() {
        assert!(acceptable_scope("https://api.partnercenter.microsoft.com/user_impersonation offline_access"));
        assert!(!acceptable_scope("offline_access"));
        assert!(!acceptable_scope(
            "https://api.partnercenter.microsoft.com/user_impersonation https://graph.microsoft.com/.default"
        ));
    }
}
