//! Client-credentials sign-in at AvePoint's identity service, with a token cache per scope set.

use super::VENDOR;
use crate::error::{Error, ErrorCode, Result};
use crate::http;
use crate::secret::Secret;
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;
use url::Url;

/// How the app proves who it is: a client secret, or a certificate that signs an assertion.
pub enum Credential {
    ClientSecret(Secret),
    Certificate(std::sync::Arc<super::certificate::ClientCertificate>),
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credential::ClientSecret(_) => f.write_str("ClientSecret(<redacted>)"),
            Credential::Certificate(certificate) => write!(f, "{certificate:?}"),
        }
    }
}

pub(super) struct ClientCredentials {
    pub token_url: Url,
    pub client_id: String,
    pub credential: Credential,
}

pub(super) struct TokenCache {
    credentials: ClientCredentials,
    /// Keyed by the requested scope.
    tokens: http::TokenCache,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    expires_in: Option<u64>,
}

#[derive(Deserialize)]
struct TokenError {
    error: Option<String>,
    error_description: Option<String>,
}

impl TokenCache {
    pub fn new(credentials: ClientCredentials) -> Self {
        TokenCache { credentials, tokens: http::TokenCache::new(http::oauth_margin) }
    }

    /// A token for `scope`, from the cache unless it is close to expiring or `fresh` is asked for.
    pub async fn access_token(
        &self,
        client: &reqwest::Client,
        retry: &http::RetryPolicy,
        scope: &str,
        fresh: bool,
    ) -> Result<Arc<Secret>> {
        self.tokens.get(scope, fresh, || self.request_token(client, retry, scope)).await
    }

    async fn request_token(
        &self,
        client: &reqwest::Client,
        retry: &http::RetryPolicy,
        scope: &str,
    ) -> Result<(Secret, Duration)> {
        let credentials = &self.credentials;
        let host = credentials.token_url.host_str().unwrap_or_default().to_string();
        let proof = match &credentials.credential {
            Credential::ClientSecret(secret) => ("client_secret", secret.duplicate()),
            Credential::Certificate(certificate) => (
                "client_assertion",
                certificate.client_assertion(&credentials.client_id, credentials.token_url.as_str())?,
            ),
        };
        let mut form = vec![
            ("grant_type", "client_credentials"),
            ("client_id", credentials.client_id.as_str()),
            (proof.0, proof.1.expose()),
            ("scope", scope),
        ];
        if matches!(credentials.credential, Credential::Certificate(_)) {
            form.push(("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"));
        }
        let method = reqwest::Method::POST;
        let label = http::RequestLabel {
            vendor: VENDOR,
            method: &method,
            host: &host,
            template: "/connect/token",
            correlation: &[],
        };
        let response =
            http::send_with_retries(retry, &label, || client.post(credentials.token_url.clone()).form(&form)).await?;
        let status = response.status();
        let body = http::read_body(response, http::MAX_RESPONSE, VENDOR, &host).await?;
        if status.is_success() {
            let token: TokenResponse = serde_json::from_slice(&body).map_err(|_| {
                Error::new(
                    ErrorCode::MalformedResponse,
                    format!("{VENDOR}'s sign-in service sent a reply Switchboard can't read."),
                )
            })?;
            if token.access_token.is_empty() {
                return Err(Error::new(
                    ErrorCode::MalformedResponse,
                    format!("{VENDOR}'s sign-in service sent an empty token."),
                ));
            }
            return Ok((Secret::new(token.access_token), Duration::from_secs(token.expires_in.unwrap_or(3600))));
        }
        let oauth = serde_json::from_slice::<TokenError>(&body).ok();
        let error_name = oauth.as_ref().and_then(|e| e.error.clone()).unwrap_or_default();
        let description = oauth.and_then(|e| e.error_description).unwrap_or_default();
        let vendor_message = format!("HTTP {}: {} {}", status.as_u16(), error_name, description).trim().to_string();
        let error = match (status.as_u16(), error_name.as_str()) {
            (_, "invalid_scope") | (_, "unauthorized_client") => Error::new(
                ErrorCode::Forbidden,
                format!(
                    "The AvePoint app registration is not granted the permission {scope}. Add it under Elements > Settings > API app registration."
                ),
            ),
            (400 | 401, _) => Error::new(
                ErrorCode::SignInRejected,
                match credentials.credential {
                    Credential::ClientSecret(_) => "AvePoint rejected the saved sign-in: the client ID or client secret is wrong, expired or revoked. Update it in the connection settings.",
                    Credential::Certificate(_) => "AvePoint rejected the saved sign-in: the client ID is wrong, or this certificate is not (or no longer) registered for the app. Check the app registration in Elements.",
                },
            ),
            (code, _) => http::status_error(VENDOR, status, Some(format!("sign-in failed ({code})"))),
        };
        Err(error.with_vendor_message(vendor_message))
    }
}
