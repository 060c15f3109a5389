//! AvePoint Elements for Partners ("Elements API"): sign-in, the user read, and one module per
//! updatable section of a user.

pub mod account_information;
mod auth;
pub use auth::Credential;
pub mod certificate;
pub mod connection_test;
pub mod lists;
pub mod office_information;

use crate::error::{Error, ErrorCode, Result};
use crate::http;
use crate::plan::{self, Call, Planned, PlannedRequest, Sent, Snapshot, WriteMethod};
use crate::secret::Secret;
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use url::Url;

pub const VENDOR: &str = "AvePoint";
/// Needed to read one user or list users.
pub const SCOPE_USER_READ: &str = "elements.um.user.read.all";
/// Needed for every user update (`PUT .../users/{userId}/...`).
pub const SCOPE_USER_READ_WRITE: &str = "elements.um.user.readwrite.all";
/// Needed to list customers and their tenants.
pub const SCOPE_CUSTOMERS_READ: &str = "elements.customers.read.all";

const USER_PATH_TEMPLATE: &str = "/partner/external/v3/um/customers/{customerId}/tenants/{tenantId}/users/{userId}";

/// AvePoint's clouds, each with its own identity and API host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Environment {
    Commercial,
    UsGovernment,
    Aos2,
    FedRamp,
}

/// An environment as the connection form offers it.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EnvironmentInfo {
    pub value: Environment,
    pub label: String,
    pub api_url: String,
    pub identity_url: String,
}

impl Environment {
    pub const ALL: [Environment; 4] =
        [Environment::Commercial, Environment::UsGovernment, Environment::Aos2, Environment::FedRamp];

    pub fn label(self) -> &'static str {
        match self {
            Environment::Commercial => "Commercial",
            Environment::UsGovernment => "U.S. Government",
            Environment::Aos2 => "AOS2",
            Environment::FedRamp => "FedRAMP (Project Hosts)",
        }
    }

    pub fn all_info() -> Vec<EnvironmentInfo> {
        Self::ALL
            .iter()
            .map(|&value| EnvironmentInfo {
                value,
                label: value.label().to_string(),
                api_url: value.api_url().to_string(),
                identity_url: value.identity_url().to_string(),
            })
            .collect()
    }

    pub fn api_url(self) -> &'static str {
        match self {
            Environment::Commercial => "https://graph.avepointonlineservices.com",
            Environment::UsGovernment => "https://graph-gov.avepointonlineservices.com",
            Environment::Aos2 => "https://graph-aos2.avepointonlineservices.com",
            Environment::FedRamp => "https://graphusgovapi.online15.net",
        }
    }

    pub fn identity_url(self) -> &'static str {
        match self {
            Environment::Commercial => "https://identity.avepointonlineservices.com",
            Environment::UsGovernment => "https://identity-gov.avepointonlineservices.com",
            Environment::Aos2 => "https://identity-aos2.avepointonlineservices.com",
            Environment::FedRamp => "https://identity.online15.net",
        }
    }
}

/// The non-secret half of an AvePoint connection.
#[derive(Debug, Clone)]
pub struct AvePointSettings {
    /// The API host, e.g. `https://graph.avepointonlineservices.com` (may carry a path prefix).
    pub api_url: Url,
    /// The identity host; `/connect/token` is appended.
    pub identity_url: Url,
    pub client_id: String,
}

impl AvePointSettings {
    /// A saved profile's settings: addresses checked with [`http::UrlPolicy::PROFILE`].
    pub fn new(api_url: &str, identity_url: &str, client_id: &str) -> Result<Self> {
        Self::with_policy(api_url, identity_url, client_id, http::UrlPolicy::PROFILE)
    }

    /// The built-in Practice connection's settings: plain http to the local sandbox is allowed
    /// in release builds too ([`http::UrlPolicy::PRACTICE`]).
    pub fn for_practice(api_url: &str, identity_url: &str, client_id: &str) -> Result<Self> {
        Self::with_policy(api_url, identity_url, client_id, http::UrlPolicy::PRACTICE)
    }

    fn with_policy(api_url: &str, identity_url: &str, client_id: &str, policy: http::UrlPolicy) -> Result<Self> {
        let client_id = client_id.trim();
        if client_id.is_empty() {
            return Err(Error::new(ErrorCode::InvalidConnection, "Client ID is required.")
                .with_field("clientId", "Client ID is required.".into()));
        }
        Ok(AvePointSettings {
            api_url: http::check_url("apiUrl", "API address", api_url, policy)?,
            identity_url: http::check_url("identityUrl", "Sign-in address", identity_url, policy)?,
            client_id: client_id.to_string(),
        })
    }

    pub fn for_environment(environment: Environment, client_id: &str) -> Result<Self> {
        Self::new(environment.api_url(), environment.identity_url(), client_id)
    }
}

/// Which user an operation is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct UserTarget {
    pub customer_id: String,
    pub tenant_id: String,
    pub user_id: String,
}

impl UserTarget {
    /// The user's URL path; every id is checked so it stays one path segment.
    fn path(&self) -> Result<String> {
        let segments = http::path_segments(&[
            ("customerId", "Customer ID", &self.customer_id),
            ("tenantId", "Tenant ID", &self.tenant_id),
            ("userId", "User ID", &self.user_id),
        ])?;
        Ok(format!("/partner/external/v3/um/customers/{}/tenants/{}/users/{}", segments[0], segments[1], segments[2]))
    }
}

/// The ids that find a user, for every AvePoint user operation.
pub const USER_TARGET_IDS: &[crate::operations::TargetId] = &[
    crate::operations::TargetId { key: "customerId", flag: "customer", label: "Customer ID", noun: "customer" },
    crate::operations::TargetId { key: "tenantId", flag: "tenant", label: "Tenant ID", noun: "tenant" },
    crate::operations::TargetId { key: "userId", flag: "user", label: "User ID", noun: "user" },
];

/// What AvePoint's GET user returns, as far as Switchboard uses it. Fields may be `null`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserRecord {
    pub id: Option<String>,
    pub display_name: Option<String>,
    pub mail: Option<String>,
    pub usage_location: Option<String>,
    pub preferred_language: Option<String>,
    pub enforce_start: Option<bool>,
    pub enforce_start_date_time: Option<String>,
    pub enforce_end: Option<bool>,
    pub enforce_end_date_time: Option<String>,
    pub postal_code: Option<String>,
    pub country_region: Option<String>,
    pub state: Option<String>,
    pub address: Option<String>,
    /// In the GET since the vendor's June 2026 reference; an older API omits it (read as "").
    pub city: Option<String>,
}

/// A signed-in AvePoint client for one connection. Cheap to share; tokens are cached inside.
pub struct AvePointClient {
    http: reqwest::Client,
    retry: http::RetryPolicy,
    settings: AvePointSettings,
    tokens: auth::TokenCache,
}

impl AvePointClient {
    pub fn new(settings: AvePointSettings, client_secret: Secret) -> Self {
        Self::with_credential(settings, Credential::ClientSecret(client_secret))
    }

    pub fn with_credential(settings: AvePointSettings, credential: Credential) -> Self {
        let http = http::build_client();
        let tokens = auth::TokenCache::new(auth::ClientCredentials {
            token_url: http::join(&settings.identity_url, "/connect/token"),
            client_id: settings.client_id.clone(),
            credential,
        });
        AvePointClient { http, retry: http::RetryPolicy::default(), settings, tokens }
    }

    pub fn settings(&self) -> &AvePointSettings {
        &self.settings
    }

    /// Fetches a token for `scope` (from the cache if it is still fresh).
    pub async fn sign_in(&self, scope: &str) -> Result<()> {
        self.tokens.access_token(&self.http, &self.retry, scope, false).await.map(|_| ())
    }

    /// `GET .../users/{userId}`: the user's current values.
    pub async fn read_user(&self, target: &UserTarget, scope: &str) -> Result<UserRecord> {
        let path = target.path()?;
        let response = self.send(reqwest::Method::GET, &path, USER_PATH_TEMPLATE, None, scope).await?;
        self.read_json(response, http::MAX_RESPONSE).await
    }

    /// A POST that reads a list page (AvePoint's list endpoints are `POST .../batch`).
    pub(crate) async fn post_json<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        template: &str,
        body: serde_json::Value,
        scope: &str,
    ) -> Result<T> {
        let response = self.send(reqwest::Method::POST, path, template, Some(body), scope).await?;
        self.read_json(response, http::MAX_LIST_RESPONSE).await
    }

    /// Parses an answer of at most `limit` bytes ([`http::read_body`]).
    async fn read_json<T: serde::de::DeserializeOwned>(&self, response: reqwest::Response, limit: usize) -> Result<T> {
        let body = http::read_body(response, limit, VENDOR, &self.host()).await?;
        serde_json::from_slice(&body).map_err(|_| {
            Error::new(ErrorCode::MalformedResponse, format!("{VENDOR} sent a reply Switchboard can't read."))
                .with_vendor_message(format!(
                    "Expected JSON of the documented shape; got {} bytes that are not.",
                    body.len()
                ))
        })
    }

    /// `PUT .../users/{userId}/{section}` exactly as planned; returns AvePoint's `request-id`.
    pub(crate) async fn put_section(&self, request: &PlannedRequest, section: &str) -> Result<Option<String>> {
        let template = format!("{USER_PATH_TEMPLATE}/{section}");
        let method = request.method.as_reqwest();
        let body = request.body_to_send();
        let response = self.send(method, &request.path, &template, Some(body), SCOPE_USER_READ_WRITE).await?;
        Ok(request_id(&response))
    }

    /// Sends with a cached token, retrying transient failures (see [`http::send_with_retries`]);
    /// on a 401 fetches a fresh token once and tries again.
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        template: &str,
        body: Option<serde_json::Value>,
        scope: &str,
    ) -> Result<reqwest::Response> {
        let url = http::join(&self.settings.api_url, path);
        let host = self.host();
        let label = http::RequestLabel { vendor: VENDOR, method: &method, host: &host, template, correlation: &[] };
        let mut fresh_token = false;
        loop {
            let token = self.tokens.access_token(&self.http, &self.retry, scope, fresh_token).await?;
            let response = http::send_with_retries(&self.retry, &label, || {
                let request = self
                    .http
                    .request(method.clone(), url.clone())
                    .bearer_auth(token.expose())
                    .header("Accept", "application/json");
                match &body {
                    Some(body) => request.json(body),
                    None => request,
                }
            })
            .await?;
            let status = response.status();
            if status == reqwest::StatusCode::UNAUTHORIZED && !fresh_token {
                fresh_token = true;
                continue;
            }
            if status.is_success() {
                return Ok(response);
            }
            let reference = request_id(&response);
            let wait = http::retry_after(response.headers());
            let text = http::read_error_text(response).await;
            let mut error = http::status_error(VENDOR, status, text.as_deref().map(vendor_text));
            if let (reqwest::StatusCode::TOO_MANY_REQUESTS, Some(wait)) = (status, wait) {
                error.message = http::still_busy_message(VENDOR, wait);
            }
            error.reference = reference;
            return Err(error);
        }
    }

    /// Uses `policy` for retries instead of the default (tests use short waits).
    pub fn with_retry_policy(mut self, policy: http::RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    fn host(&self) -> String {
        self.settings.api_url.host_str().unwrap_or_default().to_string()
    }
}

/// An AvePoint user section (account information, office information): read from the user,
/// merged with the edits, and PUT back whole. Both sections are this one operation with their
/// own fields, section path, mapping and merge.
pub struct SectionOperation<V, C> {
    pub about: crate::operations::About,
    /// The path segment after the user (`account-information`).
    pub section: &'static str,
    /// The section's values from the user as read.
    pub from_user: fn(UserRecord) -> V,
    pub merge: fn(&V, &C) -> V,
}

impl<V, C> SectionOperation<V, C>
where
    V: Serialize + serde::de::DeserializeOwned,
    C: Serialize + serde::de::DeserializeOwned,
{
    /// The section's current values.
    pub async fn read(&self, client: &AvePointClient, target: &UserTarget) -> Result<V> {
        // The write scope also covers reads, so one token serves the read and the update.
        Ok((self.from_user)(client.read_user(target, SCOPE_USER_READ_WRITE).await?))
    }

    pub async fn snapshot(&self, client: &AvePointClient, target: &UserTarget) -> Result<Snapshot> {
        Ok(Snapshot::of_values(crate::fields::to_json(&self.read(client, target).await?)))
    }

    /// Every rule the edits alone break.
    pub fn check_changes(&self, changes: &C) -> Result<()> {
        let changes = crate::fields::to_json(changes);
        crate::operations::refuse(crate::fields::check_present(self.about.fields, &changes))
    }

    /// The whole section with the edits over it, checked, and its PUT (none if nothing differs).
    pub fn plan(&self, target: &UserTarget, current: &Snapshot, changes: &C) -> Result<Planned> {
        plan_section(target, self.section, self.about.fields, current, changes, self.merge)
    }

    /// Reads the user, applies `changes`, checks what changed and sends the whole section.
    /// Invalid edits are refused before any request; if nothing differs, nothing is sent.
    pub async fn update(
        &self,
        client: &AvePointClient,
        target: &UserTarget,
        changes: &C,
    ) -> Result<crate::fields::UpdateReceipt<V>> {
        self.check_changes(changes)?;
        let read = self.snapshot(client, target);
        crate::operations::typed_update(
            read,
            |current| self.plan(target, current, changes),
            async |request| Ok(Sent { after: None, request_id: client.put_section(request, self.section).await? }),
        )
        .await
    }
}

impl<V, C> crate::operations::Operation for SectionOperation<V, C>
where
    V: Serialize + serde::de::DeserializeOwned + Sync,
    C: Serialize + serde::de::DeserializeOwned + Sync,
{
    fn about(&self) -> &crate::operations::About {
        &self.about
    }

    fn read<'a>(
        &'a self,
        client: &'a crate::operations::VendorClient,
        target: &'a serde_json::Value,
        _: &'a Call,
    ) -> crate::operations::BoxFuture<'a, Result<Snapshot>> {
        Box::pin(async move {
            let client = client.avepoint(self.about.id)?;
            self.snapshot(client, &crate::operations::typed("target", target)?).await
        })
    }

    fn check_edits(&self, edits: &serde_json::Value) -> Result<()> {
        self.check_changes(&crate::operations::typed("change", edits)?)
    }

    fn plan(&self, target: &serde_json::Value, current: &Snapshot, edits: &serde_json::Value) -> Result<Planned> {
        use crate::operations::typed;
        self.plan(&typed("target", target)?, current, &typed("change", edits)?)
    }

    fn send<'a>(
        &'a self,
        client: &'a crate::operations::VendorClient,
        _: &'a serde_json::Value,
        request: &'a PlannedRequest,
        _: &'a Call,
    ) -> crate::operations::BoxFuture<'a, Result<Sent>> {
        Box::pin(async move {
            let request_id = client.avepoint(self.about.id)?.put_section(request, self.section).await?;
            Ok(Sent { after: None, request_id })
        })
    }
}

/// The plan every section operation shares: refuse edits that break a rule of `fields`, merge
/// (`merge`), check what changed (values the vendor returned go back as they are, see
/// [`crate::fields::check_merged`]), and PUT the whole section unless nothing differs.
pub(crate) fn plan_section<V, C>(
    target: &UserTarget,
    section: &str,
    fields: &[crate::fields::FieldDef],
    current: &Snapshot,
    changes: &C,
    merge: impl FnOnce(&V, &C) -> V,
) -> Result<Planned>
where
    V: Serialize + serde::de::DeserializeOwned,
    C: Serialize,
{
    use crate::fields::{check_merged, check_present, to_json};
    crate::operations::refuse(check_present(fields, &to_json(changes)))?;
    let path = format!("{}/{section}", target.path()?);
    let before: V = crate::operations::typed("current values", &current.values)?;
    let after = to_json(&merge(&before, changes));
    crate::operations::refuse(check_merged(fields, &current.values, &after))?;
    let changes = plan::changes_between(fields, &current.values, &after, false);
    let request = (!changes.is_empty()).then(|| PlannedRequest {
        method: WriteMethod::Put,
        path,
        body: after.clone(),
        secret: None,
    });
    Ok(Planned { after, changes, request })
}

fn request_id(response: &reqwest::Response) -> Option<String> {
    response.headers().get("request-id").and_then(|value| value.to_str().ok()).map(str::to_string)
}

/// AvePoint's error body is undocumented; its services answer `{"message": "..."}`.
pub(crate) fn vendor_text(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|json| json.get("message").and_then(|m| m.as_str()).map(str::to_string))
        .unwrap_or_else(|| body.to_string())
}
