//! `POST /api/Provider/Login` with the API login and password, and the cached bearer token.
//!
//! MSP360's token lasts two weeks; the vendor's own PowerShell module logs in on every call, but a
//! desktop app keeps the token and logs in again after about 13 days or on a 401.

use super::VENDOR;
use crate::error::{Error, ErrorCode, Result};
use crate::http;
use crate::secret::Secret;
use serde::Deserialize;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;
use url::Url;

pub(super) const LOGIN_PATH: &str = "/api/Provider/Login";
/// "The token expires every two weeks after generation" (vendors.md §4.1).
const DEFAULT_LIFETIME: Duration = Duration::from_secs(14 * 24 * 60 * 60);
/// The login password's documented length, in UTF-16 units as .NET counts them.
const PASSWORD_LENGTH: std::ops::RangeInclusive<usize> = 3..=100;

pub(super) struct Login {
    pub login_url: Url,
    pub user_name: String,
    pub password: Secret,
}

struct CachedToken {
    value: Secret,
    refresh_after: Instant,
}

pub(super) struct TokenCache {
    login: Login,
    /// The lock also makes concurrent callers share one login.
    token: Mutex<Option<CachedToken>>,
}

/// The login answer; only `access_token` is documented (by the official sample).
#[derive(Deserialize)]
struct LoginResponse {
    access_token: String,
    expires_in: Option<u64>,
}

impl TokenCache {
    pub fn new(login: Login) -> Self {
        TokenCache { login, token: Mutex::new(None) }
    }

    /// The cached token unless it is close to expiring or `fresh` is asked for.
    pub async fn access_token(
        &self,
        client: &reqwest::Client,
        retry: &http::RetryPolicy,
        fresh: bool,
    ) -> Result<Secret> {
        let mut token = self.token.lock().await;
        if !fresh {
            if let Some(cached) = token.as_ref().filter(|cached| Instant::now() < cached.refresh_after) {
                return Ok(cached.value.duplicate());
            }
        }
        let (value, lifetime) = self.log_in(client, retry).await?;
        // A day early for the two-week token (13 of 14 parts), so it never dies mid-request.
        let refresh_after = Instant::now() + lifetime.mul_f64(13.0 / 14.0);
        *token = Some(CachedToken { value: value.duplicate(), refresh_after });
        Ok(value)
    }

    async fn log_in(&self, client: &reqwest::Client, retry: &http::RetryPolicy) -> Result<(Secret, Duration)> {
        let login = &self.login;
        let length = login.password.expose().encode_utf16().count();
        if !PASSWORD_LENGTH.contains(&length) {
            let message = format!(
                "The API password must be 3 to 100 characters long (the saved one has {length}). Check it in the connection settings."
            );
            return Err(Error::new(ErrorCode::InvalidConnection, message.clone()).with_field("password", message));
        }
        let host = login.login_url.host_str().unwrap_or_default().to_string();
        let method = reqwest::Method::POST;
        let label =
            http::RequestLabel { vendor: VENDOR, method: &method, host: &host, template: LOGIN_PATH, correlation: &[] };
        let body = serde_json::json!({ "UserName": login.user_name, "Password": login.password.expose() });
        let response = http::send_with_retries(retry, &label, || {
            client.post(login.login_url.clone()).header("Accept", "application/json").json(&body)
        })
        .await?;
        let status = response.status();
        let bytes = http::read_body(response, http::MAX_RESPONSE, VENDOR, &host).await?;
        if status.is_success() {
            let token: LoginResponse = serde_json::from_slice(&bytes).map_err(|_| {
                Error::new(
                    ErrorCode::MalformedResponse,
                    format!("{VENDOR}'s login sent a reply Switchboard can't read."),
                )
            })?;
            if token.access_token.is_empty() {
                return Err(Error::new(ErrorCode::MalformedResponse, format!("{VENDOR}'s login sent an empty token.")));
            }
            let lifetime = token.expires_in.map(Duration::from_secs).unwrap_or(DEFAULT_LIFETIME);
            return Ok((Secret::new(token.access_token), lifetime));
        }
        // A vendor that echoes the request must not put the password into an error.
        let words = super::vendor_text(&String::from_utf8_lossy(&bytes)).replace(login.password.expose(), "<redacted>");
        let error = match status.as_u16() {
            400 | 401 | 403 => Error::new(
                ErrorCode::SignInRejected,
                "MSP360 rejected the saved sign-in: the API login or password is wrong, or the API credentials were changed in the MBS console (Settings > General). Update them in the connection settings.",
            )
            .with_vendor_message(format!("HTTP {}: {words}", status.as_u16()).trim().to_string()),
            _ => http::status_error(VENDOR, status, Some(words)),
        };
        Err(error)
    }
}
