//! Entra ID's token endpoint for a public client: the code-for-token exchange after sign-in, the
//! refresh-token grant, and the access-token cache that uses it silently.

use super::{SCOPE, VENDOR};
use crate::error::{Error, ErrorCode, Result};
use crate::http;
use crate::secret::Secret;
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;
use url::Url;

const SIGN_IN: &str = "Microsoft sign-in";

/// What a sign-in or a refresh yields. The refresh token is the long-lived credential: the caller
/// stores it (the OS keychain), never the access token.
#[derive(Debug)]
pub struct Tokens {
    pub access_token: Secret,
    pub refresh_token: Secret,
    /// How long the access token lives, as Entra ID said.
    pub expires_in: Duration,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    refresh_token: Option<String>,
    /// A number in v2.0; some proxies and v1.0 send a string.
    expires_in: Option<serde_json::Value>,
}

/// Entra ID's OAuth error body.
#[derive(Deserialize, Default)]
struct EntraError {
    error: Option<String>,
    error_description: Option<String>,
    trace_id: Option<String>,
    correlation_id: Option<String>,
}

/// Which grant failed, to say plainly what to do next.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Grant {
    AuthorizationCode,
    RefreshToken,
}

/// POSTs one grant to the token endpoint. `kept_refresh_token` is used when Entra ID does not
/// send a new refresh token.
pub(super) async fn request_tokens(
    client: &reqwest::Client,
    retry: &http::RetryPolicy,
    token_url: &Url,
    grant: Grant,
    form: &[(&str, &str)],
    kept_refresh_token: Option<&Secret>,
) -> Result<Tokens> {
    let host = token_url.host_str().unwrap_or_default().to_string();
    let method = reqwest::Method::POST;
    let label = http::RequestLabel {
        vendor: SIGN_IN,
        method: &method,
        host: &host,
        template: "/{tenant}/oauth2/v2.0/token",
        correlation: &[],
    };
    let response = http::send_with_retries(retry, &label, || client.post(token_url.clone()).form(form)).await?;
    let status = response.status();
    let body = http::read_body(response, http::MAX_RESPONSE, SIGN_IN, &host).await?;
    if status.is_success() {
        let unreadable =
            || Error::new(ErrorCode::MalformedResponse, format!("{SIGN_IN} sent a reply Switchboard can't read."));
        let token: TokenResponse = serde_json::from_slice(&body).map_err(|_| unreadable())?;
        if token.access_token.is_empty() {
            return Err(unreadable().with_vendor_message("The token response has an empty access_token."));
        }
        let refresh_token = match (token.refresh_token.filter(|t| !t.is_empty()), kept_refresh_token) {
            (Some(new), _) => Secret::new(new),
            (None, Some(kept)) => kept.duplicate(),
            (None, None) => {
                return Err(unreadable().with_vendor_message(
                    "The token response has no refresh_token although offline_access was requested.",
                ))
            }
        };
        let seconds = match token.expires_in {
            Some(serde_json::Value::Number(n)) => n.as_u64(),
            Some(serde_json::Value::String(s)) => s.parse().ok(),
            _ => None,
        };
        return Ok(Tokens {
            access_token: Secret::new(token.access_token),
            refresh_token,
            expires_in: Duration::from_secs(seconds.unwrap_or(3600)),
        });
    }
    Err(token_error(status, &body, grant))
}

fn token_error(status: reqwest::StatusCode, body: &[u8], grant: Grant) -> Error {
    let oauth = serde_json::from_slice::<EntraError>(body).unwrap_or_default();
    let name = oauth.error.clone().unwrap_or_default();
    // Entra's description carries its own trace lines after the first; the first says it all.
    let description = oauth.error_description.as_deref().and_then(|d| d.lines().next()).unwrap_or_default();
    let vendor_message = format!("HTTP {}: {name} {description}", status.as_u16()).trim().to_string();
    let sign_in_again = match grant {
        Grant::AuthorizationCode => {
            "Microsoft did not accept the sign-in (the code expired or was already used). Start the sign-in again."
        }
        Grant::RefreshToken => {
            "Your saved Microsoft sign-in has expired or was revoked. Sign in to Partner Center again."
        }
    };
    let mut error = match (status.as_u16(), name.as_str()) {
        (_, "invalid_grant") | (_, "interaction_required") | (_, "consent_required") | (_, "login_required") => {
            Error::new(ErrorCode::SignInRejected, sign_in_again)
        }
        (_, "invalid_client") | (_, "unauthorized_client") => Error::new(
            ErrorCode::SignInRejected,
            "Microsoft doesn't accept this connection's client ID: the app registration is missing, in another tenant, or not allowed as a public client with a loopback redirect. Check the client ID.",
        ),
        (_, "invalid_scope") => Error::new(
            ErrorCode::Forbidden,
            format!("The app registration lacks the Partner Center permission ({SCOPE}). Add the Microsoft Partner Center API permission user_impersonation, then sign in again."),
        ),
        (400 | 401, _) => Error::new(ErrorCode::SignInRejected, sign_in_again),
        (code, _) => http::status_error(SIGN_IN, status, Some(format!("sign-in failed ({code})"))),
    };
    let reference = [("trace id", &oauth.trace_id), ("correlation id", &oauth.correlation_id)]
        .iter()
        .filter_map(|(name, value)| value.as_ref().map(|value| format!("{name} {value}")))
        .collect::<Vec<_>>()
        .join(", ");
    if !reference.is_empty() {
        error.reference = Some(reference);
    }
    error.with_vendor_message(vendor_message)
}

type RotationListener = Box<dyn Fn(&Secret) + Send + Sync>;

/// One access token at a time, refreshed silently from the refresh token before it expires.
pub(super) struct TokenCache {
    token_url: Url,
    client_id: String,
    access: http::TokenCache,
    /// Taken only while the access token's lock is held, so concurrent callers share one refresh.
    refresh_token: Mutex<Secret>,
    on_rotated: std::sync::Mutex<Option<RotationListener>>,
}

impl TokenCache {
    pub fn new(
        token_url: Url,
        client_id: String,
        refresh_token: Secret,
        access_token: Option<(Secret, Duration)>,
    ) -> Self {
        let access = match access_token {
            Some((token, lifetime)) => {
                http::TokenCache::holding(http::oauth_margin, http::TokenCache::ONLY, token, lifetime)
            }
            None => http::TokenCache::new(http::oauth_margin),
        };
        TokenCache {
            token_url,
            client_id,
            access,
            refresh_token: Mutex::new(refresh_token),
            on_rotated: std::sync::Mutex::new(None),
        }
    }

    pub fn set_rotation_listener(&self, listener: RotationListener) {
        *self.on_rotated.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(listener);
    }

    pub async fn refresh_token(&self) -> Secret {
        self.refresh_token.lock().await.duplicate()
    }

    /// An access token, from the cache unless it is close to expiring or `fresh` is asked for.
    pub async fn access_token(
        &self,
        client: &reqwest::Client,
        retry: &http::RetryPolicy,
        fresh: bool,
    ) -> Result<Arc<Secret>> {
        self.access.get(http::TokenCache::ONLY, fresh, || self.refresh(client, retry)).await
    }

    /// The refresh-token grant; a new refresh token replaces the kept one and the listener is told.
    async fn refresh(&self, client: &reqwest::Client, retry: &http::RetryPolicy) -> Result<(Secret, Duration)> {
        let mut refresh_token = self.refresh_token.lock().await;
        let form = [
            ("grant_type", "refresh_token"),
            ("client_id", self.client_id.as_str()),
            ("refresh_token", refresh_token.expose()),
            ("scope", SCOPE),
        ];
        let tokens =
            request_tokens(client, retry, &self.token_url, Grant::RefreshToken, &form, Some(&refresh_token)).await?;
        let Tokens { access_token, refresh_token: issued, expires_in } = tokens;
        if issued != *refresh_token {
            if let Some(listener) = self.on_rotated.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).as_ref() {
                listener(&issued);
            }
            *refresh_token = issued;
            log::info!("{VENDOR}: Entra ID issued a new refresh token; the caller was told to store it");
        }
        Ok((access_token, expires_in))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invalid_grant_on_refresh_says_to_sign_in_again_and_keeps_the_trace_id() {
        let body = br#"{"error":"invalid_grant","error_description":"AADSTS70008: The refresh token has expired due to inactivity.\r\nTrace ID: x","error_codes":[70008],"trace_id":"t-1","correlation_id":"c-1"}"#;
        let error = token_error(reqwest::StatusCode::BAD_REQUEST, body, Grant::RefreshToken);
        assert_eq!(error.code, ErrorCode::SignInRejected);
        assert!(error.message.contains("Sign in to Partner Center again"), "{}", error.message);
        assert_eq!(error.reference.as_deref(), Some("trace id t-1, correlation id c-1"));
        assert_eq!(
            error.vendor_message.as_deref(),
            Some("HTTP 400: invalid_grant AADSTS70008: The refresh token has expired due to inactivity.")
        );
    }

    #[test]
    fn a_missing_permission_is_forbidden_and_named() {
        let error =
            token_error(reqwest::StatusCode::BAD_REQUEST, br#"{"error":"invalid_scope"}"#, Grant::AuthorizationCode);
        assert_eq!(error.code, ErrorCode::Forbidden);
        assert!(error.message.contains("user_impersonation"));
    }
}
