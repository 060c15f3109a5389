//! Microsoft Partner Center REST: App+User sign-in at Entra ID (authorization code with PKCE in
//! the system browser, then the refresh-token grant), the customer and user lists, and one module
//! per operation on a customer's user. `../shared/vendors.md` §2 is the reference.

mod auth;
pub mod customer_user;
mod lists;
mod sign_in;
pub mod vendor;

pub use auth::Tokens;
pub use lists::{CustomerSummary, Page, UserSummary};
pub use sign_in::{begin_sign_in, PendingSignIn};

use crate::error::{Error, ErrorCode, Result};
use crate::http;
use crate::secret::Secret;
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use url::Url;

pub const VENDOR: &str = "Microsoft Partner Center";
/// The delegated permission Partner Center's App+User calls need, plus a refresh token.
pub const SCOPE: &str = "https://api.partnercenter.microsoft.com/user_impersonation offline_access";
/// Signs in any work account; a partner tenant id narrows sign-in to that tenant.
pub const ORGANIZATIONS: &str = "organizations";
/// Partner Center's only contract version; its headers page lists the header as required.
const CONTRACT_VERSION: &str = "v1";
/// Named in `MS-PartnerCenter-Application` so Microsoft support can tell our calls apart.
const APPLICATION_NAME: &str = "Switchboard";

const USER_PATH_TEMPLATE: &str = "/v1/customers/{customer-tenant-id}/users/{user-id}";

/// Microsoft's clouds, each with its own Entra ID authority and Partner Center host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Cloud {
    Commercial,
    UsGovernment,
    /// Partner Center operated by 21Vianet (China).
    China,
}

impl Cloud {
    pub const ALL: [Cloud; 3] = [Cloud::Commercial, Cloud::UsGovernment, Cloud::China];

    pub const fn label(self) -> &'static str {
        match self {
            Cloud::Commercial => "Commercial",
            Cloud::UsGovernment => "Microsoft Cloud for US Government",
            Cloud::China => "Operated by 21Vianet (China)",
        }
    }

    /// The US Government cloud uses the commercial Partner Center host (vendors.md §2.2).
    pub const fn api_url(self) -> &'static str {
        match self {
            Cloud::Commercial | Cloud::UsGovernment => "https://api.partnercenter.microsoft.com",
            Cloud::China => "https://partner.partnercenterapi.microsoftonline.cn",
        }
    }

    pub const fn authority_url(self) -> &'static str {
        match self {
            Cloud::Commercial => "https://login.microsoftonline.com",
            Cloud::UsGovernment => "https://login.microsoftonline.us",
            Cloud::China => "https://login.chinacloudapi.cn",
        }
    }
}

/// The non-secret half of a Partner Center connection.
#[derive(Debug, Clone)]
pub struct PartnerCenterSettings {
    /// The API host, e.g. `https://api.partnercenter.microsoft.com` (may carry a path prefix).
    pub api_url: Url,
    /// The Entra ID authority host; `/{tenant}/oauth2/v2.0/...` is appended.
    pub authority_url: Url,
    /// The partner's tenant id, or `organizations`.
    pub tenant: String,
    /// The app registration's client id (a public client: there is no secret).
    pub client_id: String,
}

impl PartnerCenterSettings {
    pub fn new(api_url: &str, authority_url: &str, tenant: &str, client_id: &str) -> Result<Self> {
        let invalid = |field: &str, message: String| {
            Error::new(ErrorCode::InvalidConnection, message.clone()).with_field(field, message)
        };
        let client_id = client_id.trim();
        if client_id.is_empty() {
            return Err(invalid("clientId", "Client ID is required.".into()));
        }
        let tenant = match tenant.trim() {
            "" => ORGANIZATIONS,
            tenant => tenant,
        };
        // The tenant becomes a path segment of the sign-in address.
        http::path_segment("tenant", "Partner tenant ID", tenant).map_err(|_| {
            invalid(
                "tenant",
                "Partner tenant ID must be your partner tenant's ID, like 3f5c2a1b-8d4e-4f6a-9b7c-1e2d3c4b5a69, or \"organizations\"."
                    .into(),
            )
        })?;
        Ok(PartnerCenterSettings {
            api_url: http::check_base_url("apiUrl", "API address", api_url)?,
            authority_url: http::check_base_url("authorityUrl", "Sign-in address", authority_url)?,
            tenant: tenant.to_string(),
            client_id: client_id.to_string(),
        })
    }

    pub fn for_cloud(cloud: Cloud, tenant: &str, client_id: &str) -> Result<Self> {
        Self::new(cloud.api_url(), cloud.authority_url(), tenant, client_id)
    }

    fn entra_endpoint(&self, name: &str) -> Url {
        // `new` checked the tenant; settings built by hand get every special character encoded,
        // dots included, so the tenant stays one segment whatever it holds.
        let tenant = http::path_segment("tenant", "Partner tenant ID", &self.tenant).unwrap_or_else(|_| {
            percent_encoding::utf8_percent_encode(&self.tenant, percent_encoding::NON_ALPHANUMERIC).to_string()
        });
        http::join(&self.authority_url, &format!("/{tenant}/oauth2/v2.0/{name}"))
    }

    pub fn authorize_url(&self) -> Url {
        self.entra_endpoint("authorize")
    }

    pub fn token_url(&self) -> Url {
        self.entra_endpoint("token")
    }
}

/// Which user an operation is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "PartnerCenterUserTarget")]
pub struct UserTarget {
    /// The customer's tenant id (Partner Center's customer id).
    pub customer_id: String,
    pub user_id: String,
}

impl UserTarget {
    /// The user's URL path; every id is checked so it stays one path segment.
    fn path(&self) -> Result<String> {
        let segments = http::path_segments(&[
            ("customerId", "Customer ID", &self.customer_id),
            ("userId", "User ID", &self.user_id),
        ])?;
        Ok(format!("/v1/customers/{}/users/{}", segments[0], segments[1]))
    }
}

/// The two ids every Partner Center request carries, for logs and support.
#[derive(Debug, Clone)]
pub(crate) struct RequestIds {
    /// One per logical request, the same on its retries: Partner Center's idempotency key.
    pub request_id: String,
    /// Shared by the requests of one operation (read, then update), like Microsoft's SDK does.
    pub correlation_id: String,
}

impl RequestIds {
    pub fn new(correlation_id: &str) -> Self {
        RequestIds { request_id: uuid::Uuid::new_v4().to_string(), correlation_id: correlation_id.to_string() }
    }

    fn reference(&self) -> String {
        format!("MS-RequestId {}, MS-CorrelationId {}", self.request_id, self.correlation_id)
    }
}

pub(crate) fn new_correlation_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// How Partner Center's API answers: `{code, description}` errors; the request ids we send
/// are the reference (see [`with_reference`]).
static API: http::VendorApi =
    http::VendorApi { name: VENDOR, refresh_on_401: true, request_id_header: None, error: failure };

/// A signed-in Partner Center client for one connection. Cheap to share; tokens are cached inside.
pub struct PartnerCenterClient {
    api: http::Api,
    settings: PartnerCenterSettings,
    tokens: auth::TokenCache,
}

impl PartnerCenterClient {
    /// A client that gets access tokens from a stored refresh token.
    pub fn new(settings: PartnerCenterSettings, refresh_token: Secret) -> Self {
        let tokens = auth::TokenCache::new(settings.token_url(), settings.client_id.clone(), refresh_token, None);
        PartnerCenterClient { api: http::Api::new(&API, settings.api_url.clone()), settings, tokens }
    }

    /// A client right after [`PendingSignIn::finish`]: the first access token is used as it is.
    pub fn from_sign_in(settings: PartnerCenterSettings, tokens: Tokens) -> Self {
        let auth::Tokens { access_token, refresh_token, expires_in } = tokens;
        let cache = auth::TokenCache::new(
            settings.token_url(),
            settings.client_id.clone(),
            refresh_token,
            Some((access_token, expires_in)),
        );
        PartnerCenterClient { api: http::Api::new(&API, settings.api_url.clone()), settings, tokens: cache }
    }

    /// Uses `policy` for retries instead of the default (tests use short waits).
    pub fn with_retry_policy(mut self, policy: http::RetryPolicy) -> Self {
        self.api.retry = policy;
        self
    }

    /// Called with the new refresh token whenever Entra ID replaces it, so the caller can store
    /// it (the keychain) in place of the old one.
    pub fn on_refresh_token_rotated(self, listener: impl Fn(&Secret) + Send + Sync + 'static) -> Self {
        self.tokens.set_rotation_listener(Box::new(listener));
        self
    }

    /// The refresh token to keep: the one given, or the latest Entra ID issued in its place.
    pub async fn current_refresh_token(&self) -> Secret {
        self.tokens.refresh_token().await
    }

    pub fn settings(&self) -> &PartnerCenterSettings {
        &self.settings
    }

    /// Gets an access token (from the cache if it is still fresh).
    pub async fn sign_in(&self) -> Result<()> {
        self.token(false).await.map(|_| ())
    }

    async fn token(&self, fresh: bool) -> Result<std::sync::Arc<Secret>> {
        self.tokens.access_token(&self.api.client, &self.api.retry, fresh).await
    }

    /// `GET /v1/customers/{customer-tenant-id}/users/{user-id}`: the CustomerUser as Partner
    /// Center returns it (its fields are read through their definitions, see `customer_user.rs`).
    pub async fn read_user(&self, target: &UserTarget) -> Result<serde_json::Value> {
        self.read_user_in(target, &new_correlation_id()).await
    }

    pub(crate) async fn read_user_in(&self, target: &UserTarget, correlation_id: &str) -> Result<serde_json::Value> {
        let path = target.path()?;
        let ids = RequestIds::new(correlation_id);
        let response = self.send(http::ApiRequest::get(&path, USER_PATH_TEMPLATE), &ids).await?;
        self.read_json(response, &ids, http::MAX_RESPONSE).await
    }

    /// `PATCH /v1/customers/{customer-tenant-id}/users/{user-id}` exactly as planned: returns the
    /// user as Partner Center now holds it, and the request id that changed it.
    pub(crate) async fn patch_user(
        &self,
        request: &crate::plan::PlannedRequest,
        correlation_id: &str,
    ) -> Result<(serde_json::Value, String)> {
        let ids = RequestIds::new(correlation_id);
        let body = request.body_to_send();
        let request =
            http::ApiRequest::new(request.method.as_reqwest(), &request.path, USER_PATH_TEMPLATE).json(Some(&body));
        let response = self.send(request, &ids).await?;
        let user = self.read_json(response, &ids, http::MAX_RESPONSE).await?;
        Ok((user, ids.request_id))
    }

    /// Sends with Partner Center's headers, retrying transient failures with the SAME
    /// `MS-RequestId` (so Partner Center can recognise a repeat); every error of the request itself
    /// names both ids.
    async fn send(&self, mut request: http::ApiRequest<'_>, ids: &RequestIds) -> Result<reqwest::Response> {
        request.correlation =
            vec![("MS-RequestId", ids.request_id.clone()), ("MS-CorrelationId", ids.correlation_id.clone())];
        request.headers.extend([
            ("MS-Contract-Version", reqwest::header::HeaderValue::from_static(CONTRACT_VERSION)),
            ("MS-PartnerCenter-Application", reqwest::header::HeaderValue::from_static(APPLICATION_NAME)),
        ]);
        self.api.send(&request, |fresh| self.token(fresh)).await.map_err(|error| with_reference(error, ids))
    }

    /// Parses an answer of at most `limit` bytes ([`http::Api::read_json`]); errors carry the ids.
    pub(crate) async fn read_json<T: serde::de::DeserializeOwned>(
        &self,
        response: reqwest::Response,
        ids: &RequestIds,
        limit: usize,
    ) -> Result<T> {
        self.api.read_json(response, limit).await.map_err(|error| with_reference(error, ids))
    }
}

/// `error` naming the request's ids, unless it names its own (Entra's trace id on a failed sign-in).
fn with_reference(mut error: Error, ids: &RequestIds) -> Error {
    error.reference.get_or_insert_with(|| ids.reference());
    error
}

/// Partner Center's error body: `{code, description, data, source}`.
#[derive(Deserialize)]
struct VendorError {
    code: Option<serde_json::Value>,
    description: Option<String>,
}

/// The vendor's own words: `description` (with its `code`), or the raw body if it isn't that shape.
pub(crate) fn vendor_text(body: &str) -> String {
    match serde_json::from_str::<VendorError>(body) {
        Ok(VendorError { description: Some(description), code }) => match code {
            Some(serde_json::Value::String(code)) if !code.is_empty() => format!("{description} (code {code})"),
            Some(serde_json::Value::Number(code)) => format!("{description} (code {code})"),
            _ => description,
        },
        _ => body.to_string(),
    }
}

/// The vendor's `description` alone, for messages shown to staff.
fn vendor_description(body: &str) -> Option<String> {
    serde_json::from_str::<VendorError>(body).ok().and_then(|error| error.description).filter(|d| !d.trim().is_empty())
}

fn failure(status: reqwest::StatusCode, body: Option<&str>) -> Error {
    let mut error = http::status_error(VENDOR, status, body.map(vendor_text).filter(|text| !text.trim().is_empty()));
    match status.as_u16() {
        400 | 422 => {
            if let Some(description) = body.and_then(vendor_description) {
                error.message = format!("{VENDOR} refused the change: {description}");
            }
        }
        401 => {
            error.message = format!(
                "{VENDOR} did not accept your sign-in. Sign in again with your partner account (multi-factor authentication is required)."
            );
        }
        403 => {
            error.message = format!(
                "{VENDOR} says your partner account may not do that for this customer. It needs the User Administrator role for this customer (GDAP)."
            );
        }
        _ => {}
    }
    error
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cloud_has_https_addresses_that_pass_the_url_policy() {
        for cloud in Cloud::ALL {
            let settings = PartnerCenterSettings::for_cloud(cloud, ORGANIZATIONS, "client").unwrap();
            assert_eq!(settings.api_url.scheme(), "https");
            assert!(settings.token_url().as_str().ends_with("/organizations/oauth2/v2.0/token"), "{cloud:?}");
        }
        assert_eq!(Cloud::UsGovernment.api_url(), Cloud::Commercial.api_url());
        assert_eq!(
            PartnerCenterSettings::for_cloud(Cloud::China, "t", "c").unwrap().authorize_url().as_str(),
            "https://login.chinacloudapi.cn/t/oauth2/v2.0/authorize"
        );
    }

    #[test]
    fn settings_refuse_a_missing_client_id_and_a_tenant_that_could_change_the_path() {
        let error = PartnerCenterSettings::for_cloud(Cloud::Commercial, "organizations", " ").unwrap_err();
        assert_eq!(error.field.as_deref(), Some("clientId"));
        let error = PartnerCenterSettings::for_cloud(Cloud::Commercial, "../common", "c").unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidConnection);
        assert_eq!(error.field.as_deref(), Some("tenant"));
        let blank = PartnerCenterSettings::for_cloud(Cloud::Commercial, "", "c").unwrap();
        assert_eq!(blank.tenant, ORGANIZATIONS);
        let by_hand = PartnerCenterSettings { tenant: "../common".into(), ..blank };
        assert_eq!(by_hand.token_url().path(), "/%2E%2E%2Fcommon/oauth2/v2.0/token");
    }

    #[test]
    fn vendor_text_prefers_the_description() {
        assert_eq!(
            vendor_text(r#"{"code":"600008","description":"The user was not found.","data":[],"source":"PartnerFD"}"#),
            "The user was not found. (code 600008)"
        );
        assert_eq!(vendor_text("<html>bad gateway</html>"), "<html>bad gateway</html>");
    }

    #[test]
    fn targets_become_one_segment_each() {
        let target = UserTarget { customer_id: "c-1".into(), user_id: "u@1".into() };
        assert_eq!(target.path().unwrap(), "/v1/customers/c-1/users/u%401");
        let error = UserTarget { customer_id: "a/b".into(), user_id: "..".into() }.path().unwrap_err();
        assert_eq!(error.field_errors.len(), 2);
    }
}
