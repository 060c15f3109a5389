//! `POST /api/Provider/Login` with the API login and password, and the cached bearer token.
//!
//! MSP360's token lasts two weeks; the vendor's own PowerShell module logs in on every call, but a
//! desktop app keeps the token and logs in again after about 13 days or on a 401.

use super::VENDOR;
use crate::error::{Error, ErrorCode, Result};
use crate::http;
use crate::secret::Secret;
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;
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

pub(super) struct TokenCache {
    login: Login,
    token: http::TokenCache,
}

/// The login answer; only `access_token` is documented (by the official sample).
#[derive(Deserialize)]
struct LoginResponse {
    access_token: String,
    expires_in: Option<u64>,
}

/// A day early for the two-week token (a fourteenth of its lifetime), so it never dies
/// mid-request.
fn a_fourteenth(lifetime: Duration) -> Duration {
    lifetime / 14
}

impl TokenCache {
    pub fn new(login: Login) -> Self {
        TokenCache { login, token: http::TokenCache::new(a_fourteenth) }
    }

    /// The cached token unless it is close to expiring or `fresh` is asked for.
    pub async fn access_token(
        &self,
        client: &reqwest::Client,
        retry: &http::RetryPolicy,
        fresh: bool,
    ) -> Result<Arc<Secret>> {
        self.token.get(http::TokenCache::ONLY, fresh, || self.log_in(client, retry)).await
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
