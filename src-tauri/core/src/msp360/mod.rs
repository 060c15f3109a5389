//! MSP360 Managed Backup (MBS) API: sign-in, the user read, the user and company lists, and
//! the user update (`user.rs`). See vendors.md §4 and seed 004.

mod auth;
pub mod user;
pub mod vendor;

use crate::error::{Error, ErrorCode, Result};
use crate::http;
use crate::secret::Secret;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;
use url::Url;

pub const VENDOR: &str = "MSP360";
/// The only host MSP360 documents; there are no regional hosts.
pub const DEFAULT_BASE_URL: &str = "https://api.mspbackups.com";
/// The seed's (and the vendor's PowerShell module's) spelling of the license-mode key.
pub const LICENSE_KEY: &str = "LicenseManagmentMode";
/// The spelling the vendor's newer documentation uses.
pub const LICENSE_KEY_NEWER: &str = "LicenseManagementMode";

const USER_PATH_TEMPLATE: &str = "/api/Users/{id}";

/// The non-secret half of an MSP360 connection; the API password is a [`Secret`] beside it.
#[derive(Debug, Clone)]
pub struct Msp360Settings {
    /// The API host, e.g. `https://api.mspbackups.com` (may carry a path prefix).
    pub base_url: Url,
    /// The API login created in the MBS console (Settings > General > API credentials).
    pub user_name: String,
}

impl Msp360Settings {
    pub fn new(base_url: &str, user_name: &str) -> Result<Self> {
        let user_name = user_name.trim();
        if user_name.is_empty() {
            let message = "API login is required. Create one in the MBS console under Settings > General.";
            return Err(Error::new(ErrorCode::InvalidConnection, message).with_field("userName", message.into()));
        }
        Ok(Msp360Settings {
            base_url: http::check_base_url("baseUrl", "API address", base_url)?,
            user_name: user_name.to_string(),
        })
    }

    /// Settings for the vendor's public API host.
    pub fn with_default_url(user_name: &str) -> Result<Self> {
        Self::new(DEFAULT_BASE_URL, user_name)
    }
}

/// Which backup user an operation is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "Msp360UserTarget")]
pub struct UserTarget {
    pub user_id: String,
}

impl UserTarget {
    /// The user's URL path; the id is checked so it stays one path segment.
    fn path(&self) -> Result<String> {
        Ok(format!("/api/Users/{}", http::path_segment("userId", "User ID", &self.user_id)?))
    }
}

/// The license mode exactly as the vendor's GET wrote it: under which key (or keys) and in
/// which form (a number such as `0`, or a name such as `"Manual"`).
#[derive(Debug, Clone, PartialEq)]
pub struct LicenseField {
    pub keys: Vec<&'static str>,
    pub value: Value,
}

impl LicenseField {
    /// As a plan keeps it beside the user's values (see [`LicenseField::from_json`]).
    pub fn to_json(&self) -> Value {
        serde_json::json!({ "keys": self.keys, "value": self.value })
    }

    pub fn from_json(json: &Value) -> Option<LicenseField> {
        let keys = json.get("keys")?.as_array()?;
        let keys = keys
            .iter()
            .filter_map(Value::as_str)
            .map(|key| if key == LICENSE_KEY { LICENSE_KEY } else { LICENSE_KEY_NEWER })
            .collect();
        Some(LicenseField { keys, value: json.get("value")?.clone() })
    }
}

/// What `GET /api/Users/{id}` returns: the vendor's JSON (the operation reads its fields from it
/// through their definitions, see `user.rs`) and the license mode as the GET wrote it.
#[derive(Debug, Clone, PartialEq)]
pub struct UserRecord {
    pub json: Value,
    /// `None` when the vendor sent no license mode at all.
    pub license: Option<LicenseField>,
}

/// What a user must carry. `Enabled` is required: without it an update could not send it back,
/// and an omitted `Enabled` may disable the user.
#[derive(Deserialize)]
struct RequiredMembers {
    #[serde(rename = "ID")]
    id: String,
    #[serde(rename = "Enabled")]
    _enabled: bool,
}

impl UserRecord {
    /// The user as the GET returned it, or why it can't be read (no `ID` or `Enabled`).
    pub fn from_json(json: Value) -> Result<(String, UserRecord)> {
        let required: RequiredMembers = serde_json::from_value(json.clone())
            .map_err(|e| http::malformed(VENDOR, format!("The user can't be read: {e}.")))?;
        let mut keys = Vec::new();
        let mut value = None;
        for key in [LICENSE_KEY, LICENSE_KEY_NEWER] {
            if let Some(found) = json.get(key).filter(|found| !found.is_null()) {
                keys.push(key);
                value.get_or_insert_with(|| found.clone());
            }
        }
        Ok((required.id, UserRecord { license: value.map(|value| LicenseField { keys, value }), json }))
    }
}

/// One backup user as `GET /api/Users` lists it, for pickers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "Msp360UserSummary")]
pub struct UserSummary {
    pub id: String,
    pub login_name: String,
    pub first_name: String,
    pub last_name: String,
    pub company: String,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawUserSummary {
    #[serde(rename = "ID")]
    id: String,
    email: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    company: Option<String>,
    enabled: Option<bool>,
}

/// One company as `GET /api/Companies` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "Msp360Company")]
pub struct Company {
    pub id: String,
    pub name: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawCompany {
    #[serde(rename = "ID")]
    id: String,
    name: Option<String>,
}

/// How MSP360's API answers: ASP.NET-style error bodies ([`vendor_text`]); a 401 logs in again.
static API: http::VendorApi =
    http::VendorApi { name: VENDOR, refresh_on_401: true, request_id_header: None, error: failure };

/// A signed-in MSP360 client for one connection. Cheap to share; the token is cached inside.
pub struct Msp360Client {
    api: http::Api,
    settings: Msp360Settings,
    tokens: auth::TokenCache,
}

impl Msp360Client {
    pub fn new(settings: Msp360Settings, password: Secret) -> Self {
        let tokens = auth::TokenCache::new(auth::Login {
            login_url: http::join(&settings.base_url, auth::LOGIN_PATH),
            user_name: settings.user_name.clone(),
            password,
        });
        Msp360Client { api: http::Api::new(&API, settings.base_url.clone()), settings, tokens }
    }

    /// Uses `policy` for retries instead of the default (tests use short waits).
    pub fn with_retry_policy(mut self, policy: http::RetryPolicy) -> Self {
        self.api.retry = policy;
        self
    }

    pub fn settings(&self) -> &Msp360Settings {
        &self.settings
    }

    /// Logs in (or reuses the cached token while it is fresh).
    pub async fn sign_in(&self) -> Result<()> {
        self.token(false).await.map(|_| ())
    }

    async fn token(&self, fresh: bool) -> Result<std::sync::Arc<Secret>> {
        self.tokens.access_token(&self.api.client, &self.api.retry, fresh).await
    }

    /// `GET /api/Users/{id}`: the user's current values.
    pub async fn read_user(&self, target: &UserTarget) -> Result<UserRecord> {
        let path = target.path()?;
        let json: Value = self.get_json(&path, USER_PATH_TEMPLATE, http::MAX_RESPONSE).await?;
        let (id, record) = UserRecord::from_json(json)?;
        if !id.eq_ignore_ascii_case(&target.user_id) {
            // Never let a reply about someone else feed an update of this user.
            return Err(http::malformed(VENDOR, format!("Asked for user {}, got user {id}.", target.user_id)));
        }
        Ok(record)
    }

    /// `PUT /api/Users` with the whole user, exactly as planned. MSP360 answers 200 with no body
    /// on success and may answer 200 with an error message on failure, so a non-empty body is a
    /// refusal. A vendor that echoes the request must not put the new password into an error:
    /// any error has it replaced (as the login does with the API password).
    pub(crate) async fn put_user(&self, request: &crate::plan::PlannedRequest, user_id: &str) -> Result<()> {
        let password = request.secret.as_ref().map(|member| &member.value).filter(|p| !p.expose().is_empty());
        let redact = |error: Error| match password {
            Some(password) => redact_error(error, password),
            None => error,
        };
        let body = request.body_to_send();
        let request = http::ApiRequest::new(request.method.as_reqwest(), &request.path, "/api/Users").json(Some(&body));
        let response = self.send(&request).await.map_err(redact)?;
        let status = response.status();
        let text = http::read_text(response, http::MAX_RESPONSE, VENDOR, &self.api.host()).await.map_err(redact)?;
        if is_success_body(&text, user_id) {
            return Ok(());
        }
        let mut error = http::status_error(VENDOR, reqwest::StatusCode::BAD_REQUEST, Some(vendor_text(&text)));
        error.vendor_message =
            error.vendor_message.map(|words| words.replacen("HTTP 400", &format!("HTTP {}", status.as_u16()), 1));
        Err(redact(error))
    }

    /// GETs and parses an answer of at most `limit` bytes ([`http::Api::read_json`]).
    async fn get_json<T: serde::de::DeserializeOwned>(&self, path: &str, template: &str, limit: usize) -> Result<T> {
        let response = self.send(&http::ApiRequest::get(path, template)).await?;
        self.api.read_json(response, limit).await
    }

    /// [`http::Api::send`] with the cached token (logging in again once on a 401).
    async fn send(&self, request: &http::ApiRequest<'_>) -> Result<reqwest::Response> {
        self.api.send(request, |fresh| self.token(fresh)).await
    }
}

/// A failed answer in MSP360's words; a 401 here came even right after logging in again.
fn failure(status: reqwest::StatusCode, body: Option<&str>) -> Error {
    let mut error = http::status_error(VENDOR, status, body.map(vendor_text));
    match status {
        reqwest::StatusCode::UNAUTHORIZED => {
            error.message = format!(
                "{VENDOR} did not accept the sign-in, even right after logging in again. Check the connection's API login and password."
            );
        }
        reqwest::StatusCode::FORBIDDEN => {
            error.message = format!(
                "{VENDOR} says these API credentials are not allowed to do that. Check the administrator's permissions in the MBS console."
            );
        }
        _ => {}
    }
    error
}

/// `GET /api/Users`: every backup user (the vendor documents no paging).
pub async fn list_users(client: &Msp360Client) -> Result<Vec<UserSummary>> {
    let raw: Vec<RawUserSummary> = client.get_json("/api/Users", "/api/Users", http::MAX_LIST_RESPONSE).await?;
    Ok(raw
        .into_iter()
        .map(|user| UserSummary {
            id: user.id,
            login_name: user.email.unwrap_or_default(),
            first_name: user.first_name.unwrap_or_default(),
            last_name: user.last_name.unwrap_or_default(),
            company: user.company.unwrap_or_default(),
            enabled: user.enabled,
        })
        .collect())
}

/// `GET /api/Companies`: every company, for a company picker.
pub async fn list_companies(client: &Msp360Client) -> Result<Vec<Company>> {
    let raw: Vec<RawCompany> = client.get_json("/api/Companies", "/api/Companies", http::MAX_LIST_RESPONSE).await?;
    Ok(raw.into_iter().map(|company| Company { id: company.id, name: company.name.unwrap_or_default() }).collect())
}

/// A 200 from `PUT /api/Users` is a success only when it says nothing (or nothing but `null`,
/// `true`, `{}` or the user's own id); anything else is the vendor's error message.
fn is_success_body(body: &str, user_id: &str) -> bool {
    let text = body.trim();
    if text.is_empty() {
        return true;
    }
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Null) | Ok(Value::Bool(true)) => true,
        Ok(Value::String(echo)) => echo.trim().is_empty() || echo.trim().eq_ignore_ascii_case(user_id),
        Ok(Value::Object(map)) => map.is_empty(),
        _ => false,
    }
}

/// MSP360's error bodies are undocumented. Its API is ASP.NET Web API, which answers
/// `{"Message": "...", "ModelState": {"model.X": ["..."]}}`; some paths answer `{"message": ...}`,
/// OAuth-style `{"error_description": ...}`, a JSON string or plain text. The most specific
/// words win.
/// `error` with every appearance of `secret` (as sent, and as escaped inside a JSON string)
/// replaced by `<redacted>`, in every text the UI or a log could show.
fn redact_error(mut error: Error, secret: &Secret) -> Error {
    let raw = secret.expose();
    let escaped = serde_json::to_string(raw).map(|quoted| quoted[1..quoted.len() - 1].to_string()).unwrap_or_default();
    let redact = |text: &mut String| {
        for form in [raw, escaped.as_str()] {
            if !form.is_empty() && text.contains(form) {
                *text = text.replace(form, "<redacted>");
            }
        }
    };
    redact(&mut error.message);
    if let Some(words) = error.vendor_message.as_mut() {
        redact(words);
    }
    for field_error in &mut error.field_errors {
        redact(&mut field_error.message);
    }
    error
}

pub(crate) fn vendor_text(body: &str) -> String {
    let json = match serde_json::from_str::<Value>(body.trim()) {
        Ok(json) => json,
        Err(_) => return body.trim().to_string(),
    };
    match json {
        Value::String(text) => text,
        Value::Object(map) => {
            let details: Vec<&str> = map
                .get("ModelState")
                .and_then(Value::as_object)
                .map(|state| {
                    state.values().flat_map(|v| v.as_array().into_iter().flatten()).filter_map(Value::as_str).collect()
                })
                .unwrap_or_default();
            if !details.is_empty() {
                return details.join(" ");
            }
            ["Message", "message", "error_description", "error"]
                .iter()
                .find_map(|key| map.get(*key).and_then(Value::as_str))
                .map(str::to_string)
                .unwrap_or_else(|| body.trim().to_string())
        }
        _ => body.trim().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_need_a_login_and_an_https_address() {
        assert_eq!(
            Msp360Settings::with_default_url("api-user").unwrap().base_url.as_str(),
            "https://api.mspbackups.com/"
        );
        let error = Msp360Settings::with_default_url("  ").unwrap_err();
        assert_eq!(error.field.as_deref(), Some("userName"));
        let error = Msp360Settings::new("http://api.mspbackups.com", "api-user").unwrap_err();
        assert_eq!(error.field.as_deref(), Some("baseUrl"));
        assert!(Msp360Settings::new("http://127.0.0.1:9/msp360", "api-user").is_ok());
    }

    #[test]
    fn a_200_body_is_a_success_only_when_it_says_nothing() {
        for ok in ["", "  ", "null", "true", "{}", "\"\"", "\"9D6DE082-741C-44FE-B067-1A36EB03FA40\""] {
            assert!(is_success_body(ok, "9d6de082-741c-44fe-b067-1a36eb03fa40"), "{ok}");
        }
        for failure in ["{\"Message\":\"User not found\"}", "\"Email already exist\"", "Error", "false", "[1]"] {
            assert!(!is_success_body(failure, "9d6de082-741c-44fe-b067-1a36eb03fa40"), "{failure}");
        }
    }

    #[test]
    fn vendor_text_reads_every_known_error_shape() {
        assert_eq!(vendor_text(r#"{"Message":"User not found"}"#), "User not found");
        assert_eq!(vendor_text(r#"{"message":"Too many requests."}"#), "Too many requests.");
        assert_eq!(
            vendor_text(
                r#"{"Message":"The request is invalid.","ModelState":{"model.Enabled":["Enabled is required"]}}"#
            ),
            "Enabled is required"
        );
        assert_eq!(vendor_text(r#"{"error":"invalid_grant","error_description":"Bad login."}"#), "Bad login.");
        assert_eq!(vendor_text("\"Email already exist\""), "Email already exist");
        assert_eq!(vendor_text(" Something broke \n"), "Something broke");
        assert_eq!(vendor_text(r#"{"Other":1}"#), r#"{"Other":1}"#);
    }

    #[test]
    fn the_record_keeps_the_license_key_spelling_and_form() {
        let (_, record) = UserRecord::from_json(serde_json::json!({
            "ID": "u", "Email": "testuser2", "Enabled": true, "LicenseManagmentMode": 0
        }))
        .unwrap();
        assert_eq!(record.license, Some(LicenseField { keys: vec![LICENSE_KEY], value: serde_json::json!(0) }));
        let (_, record) = UserRecord::from_json(serde_json::json!({
            "ID": "u", "Enabled": false, "LicenseManagementMode": "Automatic", "NotificationEmails": null
        }))
        .unwrap();
        assert_eq!(record.license.unwrap().keys, vec![LICENSE_KEY_NEWER]);
        let (_, neither) = UserRecord::from_json(serde_json::json!({"ID": "u", "Enabled": true})).unwrap();
        assert_eq!(neither.license, None);
    }

    #[test]
    fn a_user_without_enabled_is_unreadable() {
        assert!(UserRecord::from_json(serde_json::json!({"ID": "u", "Email": "x"})).is_err());
    }
}
