//! AvePoint Elements for Partners ("Elements API"): sign-in, the user read, and one module per
//! updatable section of a user.

pub mod account_information;
mod auth;
pub use auth::Credential;
pub mod certificate;
pub mod lists;
pub mod office_information;
pub mod vendor;

use crate::error::{Error, ErrorCode, Result};
use crate::fields::FieldDef;
use crate::http;
use crate::plan::{self, Planned, PlannedRequest, Sent, Snapshot, WriteMethod};
use crate::secret::Secret;
use serde::{Deserialize, Serialize};
use serde_json::Value;
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

impl Environment {
    pub const ALL: [Environment; 4] =
        [Environment::Commercial, Environment::UsGovernment, Environment::Aos2, Environment::FedRamp];

    pub const fn label(self) -> &'static str {
        match self {
            Environment::Commercial => "Commercial",
            Environment::UsGovernment => "U.S. Government",
            Environment::Aos2 => "AOS2",
            Environment::FedRamp => "FedRAMP (Project Hosts)",
        }
    }

    pub const fn api_url(self) -> &'static str {
        match self {
            Environment::Commercial => "https://graph.avepointonlineservices.com",
            Environment::UsGovernment => "https://graph-gov.avepointonlineservices.com",
            Environment::Aos2 => "https://graph-aos2.avepointonlineservices.com",
            Environment::FedRamp => "https://graphusgovapi.online15.net",
        }
    }

    pub const fn identity_url(self) -> &'static str {
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

/// How AvePoint's API answers: `{"message": ...}` errors and a `request-id` on every answer.
static API: http::VendorApi = http::VendorApi {
    name: VENDOR,
    refresh_on_401: true,
    request_id_header: Some(REQUEST_ID_HEADER),
    error: |status, body| http::status_error(VENDOR, status, body.map(vendor_text)),
};

const REQUEST_ID_HEADER: &str = "request-id";

/// A signed-in AvePoint client for one connection. Cheap to share; tokens are cached inside.
pub struct AvePointClient {
    api: http::Api,
    settings: AvePointSettings,
    tokens: auth::TokenCache,
}

impl AvePointClient {
    pub fn new(settings: AvePointSettings, client_secret: Secret) -> Self {
        Self::with_credential(settings, Credential::ClientSecret(client_secret))
    }

    pub fn with_credential(settings: AvePointSettings, credential: Credential) -> Self {
        let tokens = auth::TokenCache::new(auth::ClientCredentials {
            token_url: http::join(&settings.identity_url, "/connect/token"),
            client_id: settings.client_id.clone(),
            credential,
        });
        AvePointClient { api: http::Api::new(&API, settings.api_url.clone()), settings, tokens }
    }

    pub fn settings(&self) -> &AvePointSettings {
        &self.settings
    }

    /// Fetches a token for `scope` (from the cache if it is still fresh).
    pub async fn sign_in(&self, scope: &str) -> Result<()> {
        self.token(scope, false).await.map(|_| ())
    }

    async fn token(&self, scope: &str, fresh: bool) -> Result<std::sync::Arc<Secret>> {
        self.tokens.access_token(&self.api.client, &self.api.retry, scope, fresh).await
    }

    /// `GET .../users/{userId}`: the user as AvePoint returns it. Its `city` is in the GET since
    /// the vendor's June 2026 reference; an older API omits it (read as "").
    pub async fn read_user(&self, target: &UserTarget, scope: &str) -> Result<serde_json::Value> {
        let path = target.path()?;
        let response = self.send(&http::ApiRequest::get(&path, USER_PATH_TEMPLATE), scope).await?;
        self.api.read_json(response, http::MAX_RESPONSE).await
    }

    /// A POST that reads a list page (AvePoint's list endpoints are `POST .../batch`).
    pub(crate) async fn post_json<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        template: &str,
        body: serde_json::Value,
        scope: &str,
    ) -> Result<T> {
        let request = http::ApiRequest::new(reqwest::Method::POST, path, template).json(Some(&body));
        let response = self.send(&request, scope).await?;
        self.api.read_json(response, http::MAX_LIST_RESPONSE).await
    }

    /// `PUT .../users/{userId}/{section}` exactly as planned; returns AvePoint's `request-id`.
    pub(crate) async fn put_section(&self, request: &PlannedRequest, section: &str) -> Result<Option<String>> {
        let template = format!("{USER_PATH_TEMPLATE}/{section}");
        let body = request.body_to_send();
        let request = http::ApiRequest::new(request.method.as_reqwest(), &request.path, &template).json(Some(&body));
        let response = self.send(&request, SCOPE_USER_READ_WRITE).await?;
        Ok(request_id(&response))
    }

    /// [`http::Api::send`] with a token for `scope`.
    async fn send(&self, request: &http::ApiRequest<'_>, scope: &str) -> Result<reqwest::Response> {
        self.api.send(request, |fresh| self.token(scope, fresh)).await
    }

    /// Uses `policy` for retries instead of the default (tests use short waits).
    pub fn with_retry_policy(mut self, policy: http::RetryPolicy) -> Self {
        self.api.retry = policy;
        self
    }
}

// An AvePoint user section (account information, office information) is a
// `VendorOperation` of the four functions below with its own fields and section path: its
// fields read from the user, the edits merged over them, and the whole section PUT back.

/// A section's values: its `fields` from the user as read. The write scope also covers reads,
/// so one token serves the read and the update.
pub(crate) async fn read_section(
    client: &AvePointClient,
    target: &UserTarget,
    fields: &'static [FieldDef],
) -> Result<Snapshot> {
    let user = client.read_user(target, SCOPE_USER_READ_WRITE).await?;
    Ok(Snapshot::of_values(crate::record::values(fields, VENDOR, &user)?))
}

/// The edits as given, with every rule they alone break refused.
pub(crate) fn checked_edits(fields: &[FieldDef], edits: &Value) -> Result<Value> {
    let edits = crate::record::edits(fields, edits)?;
    crate::operations::refuse(crate::fields::check_present(fields, &edits))?;
    Ok(edits)
}

/// The whole section with the edits over it, checked, and its PUT (none if nothing differs):
/// edits that break a rule are refused, and of the merged section what changed is checked
/// (values the vendor returned go back as they are, see [`crate::fields::check_merged`]).
pub(crate) fn plan_section(
    section: &str,
    fields: &[FieldDef],
    target: &UserTarget,
    current: &Snapshot,
    edits: &Value,
) -> Result<Planned> {
    let edits = checked_edits(fields, edits)?;
    let path = format!("{}/{section}", target.path()?);
    let after = crate::record::merge(fields, &current.values, &crate::record::trimmed(fields, &edits));
    crate::operations::refuse(crate::fields::check_merged(fields, &current.values, &after))?;
    let changes = plan::changes_between(fields, &current.values, &after, false);
    let request = (!changes.is_empty()).then(|| PlannedRequest {
        method: WriteMethod::Put,
        path,
        body: after.clone(),
        secret: None,
    });
    Ok(Planned { after, changes, request })
}

/// `PUT .../users/{userId}/{section}` exactly as planned; AvePoint answers with its request id.
pub(crate) async fn send_section(client: &AvePointClient, request: &PlannedRequest, section: &str) -> Result<Sent> {
    Ok(Sent { after: None, request_id: client.put_section(request, section).await? })
}

fn request_id(response: &reqwest::Response) -> Option<String> {
    response.headers().get(REQUEST_ID_HEADER).and_then(|value| value.to_str().ok()).map(str::to_string)
}

/// AvePoint's error body is undocumented; its services answer `{"message": "..."}`.
pub(crate) fn vendor_text(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|json| json.get("message").and_then(|m| m.as_str()).map(str::to_string))
        .unwrap_or_else(|| body.to_string())
}
