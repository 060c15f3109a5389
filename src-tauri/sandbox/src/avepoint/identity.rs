//! `POST /connect/token`: IdentityServer's client-credentials grant with a client secret.

use super::{Token, SCOPE_CUSTOMERS_READ, SCOPE_USER_READ, SCOPE_USER_READ_WRITE};
use crate::{
    SandboxState, CERTIFICATE_CLIENT_ID, PRACTICE_CLIENT_ID, PRACTICE_CLIENT_SECRET, READ_ONLY_CLIENT_ID,
    READ_ONLY_CLIENT_SECRET,
};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::pkcs8::DecodePublicKey;
use rsa::signature::Verifier;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const ALL_SCOPES: &[&str] = &[SCOPE_USER_READ, SCOPE_USER_READ_WRITE, SCOPE_CUSTOMERS_READ];

/// How a registered app proves itself.
enum Proof {
    Secret(&'static str),
    /// The public key of the certificate uploaded for the app (SPKI PEM).
    Certificate(&'static str),
}

/// The registered apps: id, credential and the permissions granted to each.
fn registered_client(client_id: &str) -> Option<(Proof, &'static [&'static str])> {
    match client_id {
        PRACTICE_CLIENT_ID => Some((Proof::Secret(PRACTICE_CLIENT_SECRET), ALL_SCOPES)),
        READ_ONLY_CLIENT_ID => Some((Proof::Secret(READ_ONLY_CLIENT_SECRET), &[SCOPE_USER_READ, SCOPE_CUSTOMERS_READ])),
        CERTIFICATE_CLIENT_ID => {
            Some((Proof::Certificate(include_str!("../../data/practice-client.pub.pem")), ALL_SCOPES))
        }
        _ => None,
    }
}

/// Checks an RS256 client assertion as IdentityServer does: signature, iss = sub = client id,
/// aud = this token endpoint, not expired, at most ten minutes long, and never seen before.
fn verify_assertion(
    state: &SandboxState,
    public_key: &str,
    client_id: &str,
    audience: &str,
    jwt: &str,
) -> Result<(), &'static str> {
    let parts: Vec<&str> = jwt.split('.').collect();
    let [header, claims, signature] = parts.as_slice() else { return Err("The client assertion is not a JWT.") };
    let decode = |part: &str| -> Result<serde_json::Value, &'static str> {
        let bytes = URL_SAFE_NO_PAD.decode(part).map_err(|_| "The client assertion is not base64url.")?;
        serde_json::from_slice(&bytes).map_err(|_| "The client assertion is not JSON.")
    };
    let (header, claims) = (decode(header)?, decode(claims)?);
    if header["alg"] != "RS256" {
        return Err("The client assertion must be signed with RS256.");
    }
    let public_key =
        rsa::RsaPublicKey::from_public_key_pem(public_key).map_err(|_| "The registered certificate is unreadable.")?;
    let key = VerifyingKey::<rsa::sha2::Sha256>::new(public_key);
    let signature_bytes =
        URL_SAFE_NO_PAD.decode(signature).map_err(|_| "The client assertion signature is not base64url.")?;
    let signature =
        Signature::try_from(signature_bytes.as_slice()).map_err(|_| "The client assertion signature is malformed.")?;
    key.verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &signature)
        .map_err(|_| "The client assertion signature does not match the registered certificate.")?;
    if claims["iss"] != client_id || claims["sub"] != client_id {
        return Err("The client assertion's iss and sub must be the client id.");
    }
    if claims["aud"] != audience {
        return Err("The client assertion's aud must be the token endpoint.");
    }
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let (exp, iat) = (claims["exp"].as_i64().unwrap_or(0), claims["iat"].as_i64().unwrap_or(now));
    if exp <= now || exp - iat > 600 {
        return Err("The client assertion is expired or lives longer than ten minutes.");
    }
    let jti = claims["jti"].as_str().ok_or("The client assertion has no jti.")?;
    if !state.avepoint.inner.lock().unwrap().used_assertions.insert(jti.to_string()) {
        return Err("The client assertion was already used.");
    }
    Ok(())
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (status, Json(serde_json::json!({ "error": error, "error_description": description }))).into_response()
}

pub(super) async fn token(
    State(state): State<Arc<SandboxState>>,
    headers: axum::http::HeaderMap,
    uri: axum::http::Uri,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or_default();
    if field("grant_type") != "client_credentials" {
        return oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type", "Only client_credentials is supported.");
    }
    let Some((proof, granted)) = registered_client(field("client_id")) else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_client", "Unknown client.");
    };
    match proof {
        Proof::Secret(secret) if field("client_secret") != secret => {
            return oauth_error(StatusCode::BAD_REQUEST, "invalid_client", "Invalid client secret.");
        }
        Proof::Secret(_) => {}
        Proof::Certificate(public_key) => {
            if field("client_assertion_type") != JWT_BEARER {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_client",
                    "This client signs in with a certificate.",
                );
            }
            let host = headers.get("host").and_then(|h| h.to_str().ok()).unwrap_or_default();
            // The route is nested, so `uri` lacks the vendor prefix; the client saw the full path.
            // Routes are nested under the vendor prefix, which `uri` no longer carries.
            let audience = format!("http://{host}/avepoint{}", uri.path());
            if let Err(reason) =
                verify_assertion(&state, public_key, field("client_id"), &audience, field("client_assertion"))
            {
                return oauth_error(StatusCode::BAD_REQUEST, "invalid_client", reason);
            }
        }
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
