//! SoftwareOne Marketplace Platform API: a static API token, the account-user read and update,
//! and the accounts and account-users lists with RQL filters (`../shared/vendors.md` §3).

pub mod account_user;
pub mod rql;
pub mod vendor;

use crate::error::{Error, ErrorCode, FieldError, Result};
use crate::http;
use crate::secret::Secret;
use rql::Rql;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::Arc;
use ts_rs::TS;
use url::Url;

pub const VENDOR: &str = "SoftwareOne";
/// Production; every API path starts with `/public/v1/`.
pub const DEFAULT_API_URL: &str = "https://api.platform.softwareone.com";
/// The vendor caps `limit` at 100.
pub const MAX_PAGE_SIZE: u32 = 100;

const ACCOUNTS_PATH: &str = "/public/v1/accounts/accounts";
const USERS_PATH_TEMPLATE: &str = "/public/v1/accounts/accounts/{accountId}/users";
const USER_PATH_TEMPLATE: &str = "/public/v1/accounts/accounts/{accountId}/users/{userId}";

/// The non-secret half of a SoftwareOne connection.
#[derive(Debug, Clone)]
pub struct SoftwareOneSettings {
    /// The API host, e.g. `https://api.platform.softwareone.com` (may carry a path prefix).
    pub api_url: Url,
}

impl SoftwareOneSettings {
    pub fn new(api_url: &str) -> Result<Self> {
        Ok(SoftwareOneSettings { api_url: http::check_base_url("apiUrl", "API address", api_url)? })
    }

    pub fn production() -> Self {
        Self::new(DEFAULT_API_URL).expect("the production address is a valid https URL")
    }
}

/// Which account user an operation is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AccountUserTarget {
    /// Like `ACC-1234-5678`.
    pub account_id: String,
    /// Like `USR-0000-0001`.
    pub user_id: String,
}

impl AccountUserTarget {
    /// The account user's URL path; both ids are checked so each stays one path segment.
    fn path(&self) -> Result<String> {
        let segments = http::path_segments(&[
            ("accountId", "Account ID", &self.account_id),
            ("userId", "User ID", &self.user_id),
        ])?;
        Ok(format!("{ACCOUNTS_PATH}/{}/users/{}", segments[0], segments[1]))
    }
}

/// One account in the accounts list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AccountSummary {
    pub id: String,
    #[serde(default)]
    pub name: String,
    /// Client, Vendor or Operations.
    #[serde(default, rename = "type")]
    pub account_type: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
}

/// One user in an account's user list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AccountUserSummary {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
}

/// One page of accounts, with where it sits in the whole list.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AccountList {
    pub accounts: Vec<AccountSummary>,
    pub offset: u32,
    pub limit: u32,
    /// How many accounts match in all pages.
    pub total: u64,
}

/// One page of an account's users, with where it sits in the whole list.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AccountUserList {
    pub users: Vec<AccountUserSummary>,
    pub offset: u32,
    pub limit: u32,
    /// How many users match in all pages.
    pub total: u64,
}

/// The vendor's list envelope: `{"$meta": {"pagination": {...}}, "data": [...]}`.
#[derive(Deserialize)]
struct Envelope<T> {
    #[serde(rename = "$meta")]
    meta: EnvelopeMeta,
    data: Vec<T>,
}

#[derive(Deserialize)]
struct EnvelopeMeta {
    pagination: Pagination,
}

#[derive(Deserialize)]
struct Pagination {
    offset: u32,
    limit: u32,
    total: u64,
}

/// How SoftwareOne's API answers: RFC 7807 ProblemDetails errors with a `traceId`. Its API
/// token never expires and cannot be refreshed, so a 401 is final.
static API: http::VendorApi = http::VendorApi {
    name: VENDOR,
    refresh_on_401: false,
    request_id_header: None,
    error: |status, body| problem_error(status, body.unwrap_or_default()),
};

/// A SoftwareOne client for one connection: the API token goes on every request as a bearer
/// token.
pub struct SoftwareOneClient {
    api: http::Api,
    settings: SoftwareOneSettings,
    token: Arc<Secret>,
}

impl SoftwareOneClient {
    pub fn new(settings: SoftwareOneSettings, api_token: Secret) -> Self {
        SoftwareOneClient { api: http::Api::new(&API, settings.api_url.clone()), settings, token: Arc::new(api_token) }
    }

    /// Uses `policy` for retries instead of the default (tests use short waits).
    pub fn with_retry_policy(mut self, policy: http::RetryPolicy) -> Self {
        self.api.retry = policy;
        self
    }

    pub fn settings(&self) -> &SoftwareOneSettings {
        &self.settings
    }

    /// `GET .../accounts/{accountId}/users/{userId}`: the account user as the vendor holds it, as
    /// the JSON it sent (an update echoes members from it exactly; the operation reads its fields
    /// through their definitions, see `account_user.rs`).
    pub async fn read_user(&self, target: &AccountUserTarget) -> Result<Value> {
        let path = target.path()?;
        let response = self.send(http::ApiRequest::get(&path, USER_PATH_TEMPLATE)).await?;
        self.api.read_json(response, http::MAX_RESPONSE).await
    }

    /// `PUT .../accounts/{accountId}/users/{userId}` with a delta body, exactly as planned;
    /// returns the account user the vendor now holds.
    pub(crate) async fn put_user(&self, request: &crate::plan::PlannedRequest) -> Result<Value> {
        let body = request.body_to_send();
        let request =
            http::ApiRequest::new(request.method.as_reqwest(), &request.path, USER_PATH_TEMPLATE).json(Some(&body));
        let response = self.send(request).await?;
        self.api.read_json(response, http::MAX_RESPONSE).await
    }

    /// `GET /public/v1/accounts/accounts`: one page of the accounts this token can see.
    pub async fn list_accounts(&self, filter: Option<&Rql>, limit: u32, offset: u32) -> Result<AccountList> {
        let path = format!("{ACCOUNTS_PATH}?{}", page_query(filter, limit, offset)?);
        let response = self.send(http::ApiRequest::get(&path, ACCOUNTS_PATH)).await?;
        let page: Envelope<AccountSummary> = self.api.read_json(response, http::MAX_LIST_RESPONSE).await?;
        let Pagination { offset, limit, total } = page.meta.pagination;
        Ok(AccountList { accounts: page.data, offset, limit, total })
    }

    /// `GET /public/v1/accounts/accounts/{accountId}/users`: one page of an account's users.
    pub async fn list_users(
        &self,
        account_id: &str,
        filter: Option<&Rql>,
        limit: u32,
        offset: u32,
    ) -> Result<AccountUserList> {
        let account = http::path_segment("accountId", "Account ID", account_id)?;
        let path = format!("{ACCOUNTS_PATH}/{account}/users?{}", page_query(filter, limit, offset)?);
        let response = self.send(http::ApiRequest::get(&path, USERS_PATH_TEMPLATE)).await?;
        let page: Envelope<AccountUserSummary> = self.api.read_json(response, http::MAX_LIST_RESPONSE).await?;
        let Pagination { offset, limit, total } = page.meta.pagination;
        Ok(AccountUserList { users: page.data, offset, limit, total })
    }

    /// [`http::Api::send`] with the API token.
    async fn send(&self, request: http::ApiRequest<'_>) -> Result<reqwest::Response> {
        self.api.send(&request, |_| std::future::ready(Ok(self.token.clone()))).await
    }
}

/// `{rql}&limit=N&offset=N`, the filter first as the vendor's docs write it.
fn page_query(filter: Option<&Rql>, limit: u32, offset: u32) -> Result<String> {
    if limit > MAX_PAGE_SIZE {
        let message = format!("Page size can be at most {MAX_PAGE_SIZE} (SoftwareOne's limit); it was {limit}.");
        return Err(Error::invalid_fields(vec![FieldError { field: "limit".into(), message }]));
    }
    let mut parts = Vec::new();
    if let Some(filter) = filter {
        let rql = filter.to_query()?;
        if !rql.is_empty() {
            parts.push(rql);
        }
    }
    parts.push(format!("limit={limit}"));
    parts.push(format!("offset={offset}"));
    Ok(parts.join("&"))
}

/// Turns a failed response into an error: the vendor's RFC 7807 ProblemDetails give the words
/// (title and detail), per-field `errors` and the `traceId` kept for support.
pub(crate) fn problem_error(status: reqwest::StatusCode, body: &str) -> Error {
    let problem = serde_json::from_str::<Value>(body).ok().filter(Value::is_object);
    let text = |key: &str| {
        problem
            .as_ref()
            .and_then(|p| p.get(key))
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
    };
    // The vendor's own client also reads `message` when `title` is missing.
    let title = text("title").or_else(|| text("message"));
    let detail = text("detail");
    let mut field_errors = Vec::new();
    let mut body_errors = Vec::new();
    if let Some(Value::Object(errors)) = problem.as_ref().and_then(|p| p.get("errors")) {
        for (key, messages) in errors {
            let message = match messages {
                Value::Array(items) => items.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(" "),
                Value::String(text) => text.clone(),
                _ => continue,
            };
            let field = json_path(key);
            if field.is_empty() {
                body_errors.push(message);
            } else {
                field_errors.push(FieldError { field, message });
            }
        }
    }
    let vendor_words = match (&title, &detail) {
        (Some(title), Some(detail)) if !detail.starts_with(title.as_str()) => Some(format!("{title}: {detail}")),
        (_, Some(detail)) => Some(detail.clone()),
        (Some(title), None) => Some(title.clone()),
        (None, None) if problem.is_none() && !body.trim().is_empty() => Some(body.to_string()),
        (None, None) => None,
    }
    .map(|words| match body_errors.is_empty() {
        true => words,
        false => format!("{words} {}", body_errors.join(" ")),
    });
    let mut error = http::status_error(VENDOR, status, vendor_words.clone());
    match status.as_u16() {
        401 => {
            error.message = format!(
                "{VENDOR} rejected the API token: it is wrong, disabled or deleted. Create a new token in the Marketplace portal (Settings > API tokens) and update it in the connection."
            );
        }
        403 => {
            error.message = format!(
                "{VENDOR} says this API token is not allowed to do that for this account. Check the token's account and modules in the Marketplace portal (Settings > API tokens)."
            );
        }
        409 => {
            // A clash with what the vendor already holds (e.g. an email address in use): the
            // edit is refused, not the request malformed.
            error.code = ErrorCode::VendorRejected;
            error.message = match &vendor_words {
                Some(words) => format!("{VENDOR} refused the change: {words}"),
                None => format!("{VENDOR} refused the change because it clashes with data it already holds."),
            };
        }
        415 => {
            error.code = ErrorCode::Internal;
            error.message = format!(
                "Switchboard sent the change in a format {VENDOR} does not accept (HTTP 415). This is a bug in Switchboard; please report it."
            );
        }
        _ => {}
    }
    if let [only] = field_errors.as_slice() {
        error.field = Some(only.field.clone());
    }
    error.field_errors = field_errors;
    error.reference = text("traceId");
    error
}

/// The vendor's error key as a JSON path in lower camel case, like the FIELDS keys:
/// `Phone.Number` and `$.phone.number` both become `phone.number`; `$` (the whole body) becomes "".
fn json_path(key: &str) -> String {
    let key = key.trim();
    let key = key.strip_prefix("$.").or_else(|| key.strip_prefix('$')).unwrap_or(key);
    key.split('.')
        .filter(|segment| !segment.is_empty())
        .map(|segment| {
            let mut chars = segment.chars();
            match chars.next() {
                Some(first) => first.to_lowercase().chain(chars).collect::<String>(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_address_is_production() {
        assert_eq!(SoftwareOneSettings::production().api_url.as_str(), "https://api.platform.softwareone.com/");
    }

    #[test]
    fn plain_http_is_refused_for_vendor_hosts() {
        let error = SoftwareOneSettings::new("http://api.platform.softwareone.com").unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidConnection);
        assert_eq!(error.field.as_deref(), Some("apiUrl"));
    }

    #[test]
    fn target_ids_stay_one_path_segment() {
        let target = AccountUserTarget { account_id: "ACC-1234-5678".into(), user_id: "USR-0000-0001".into() };
        assert_eq!(target.path().unwrap(), "/public/v1/accounts/accounts/ACC-1234-5678/users/USR-0000-0001");
        let bad = AccountUserTarget { account_id: "../x".into(), user_id: "a?b".into() };
        let error = bad.path().unwrap_err();
        let fields: Vec<&str> = error.field_errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["accountId", "userId"]);
    }

    #[test]
    fn vendor_error_keys_become_lower_camel_json_paths() {
        assert_eq!(json_path("Phone.Number"), "phone.number");
        assert_eq!(json_path("$.settings.cultureCode"), "settings.cultureCode");
        assert_eq!(json_path("Settings.NumberFormat.DecimalSeparator"), "settings.numberFormat.decimalSeparator");
        assert_eq!(json_path("email"), "email");
        assert_eq!(json_path("$"), "");
    }

    #[test]
    fn problem_details_map_to_field_errors_and_keep_the_trace_id() {
        let body = r#"{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"One or more validation errors occurred.","status":400,"traceId":"00-abc-def-00","errors":{"Phone.Number":["The field Number must be a string with a maximum length of 15."]}}"#;
        let error = problem_error(reqwest::StatusCode::BAD_REQUEST, body);
        assert_eq!(error.code, ErrorCode::VendorRejected);
        assert_eq!(error.message, "SoftwareOne refused the change: One or more validation errors occurred.");
        assert_eq!(error.field.as_deref(), Some("phone.number"));
        assert_eq!(error.field_errors[0].message, "The field Number must be a string with a maximum length of 15.");
        assert_eq!(error.reference.as_deref(), Some("00-abc-def-00"));
    }

    #[test]
    fn title_and_detail_both_reach_the_vendor_message() {
        let body = r#"{"title":"Forbidden","status":403,"detail":"Token has no access to ACC-1.","traceId":"t"}"#;
        let error = problem_error(reqwest::StatusCode::FORBIDDEN, body);
        assert_eq!(error.code, ErrorCode::Forbidden);
        assert_eq!(error.vendor_message.as_deref(), Some("HTTP 403: Forbidden: Token has no access to ACC-1."));
    }

    #[test]
    fn an_unauthorized_token_is_a_plain_sign_in_error() {
        let error = problem_error(reqwest::StatusCode::UNAUTHORIZED, "");
        assert_eq!(error.code, ErrorCode::SignInRejected);
        assert!(error.message.contains("wrong, disabled or deleted"), "{}", error.message);
        assert_eq!(error.reference, None);
    }

    #[test]
    fn a_conflict_is_a_refused_change() {
        let body = r#"{"title":"Conflict","status":409,"detail":"Email is already in use.","errors":{"email":["Email is already in use."]}}"#;
        let error = problem_error(reqwest::StatusCode::CONFLICT, body);
        assert_eq!(error.code, ErrorCode::VendorRejected);
        assert_eq!(error.field.as_deref(), Some("email"));
        assert!(error.message.contains("Email is already in use."), "{}", error.message);
    }

    #[test]
    fn a_body_that_is_not_problem_details_is_kept_as_the_vendors_words() {
        let error = problem_error(reqwest::StatusCode::BAD_GATEWAY, "<html>bad gateway</html>");
        assert_eq!(error.code, ErrorCode::VendorUnavailable);
        assert_eq!(error.vendor_message.as_deref(), Some("HTTP 502: <html>bad gateway</html>"));
        assert!(error.field_errors.is_empty());
    }

    #[test]
    fn page_size_above_the_vendor_limit_is_refused() {
        assert_eq!(page_query(None, 100, 0).unwrap(), "limit=100&offset=0");
        let error = page_query(None, 101, 0).unwrap_err();
        assert_eq!(error.field.as_deref(), Some("limit"));
        assert_eq!(error.code, ErrorCode::InvalidInput);
    }

    #[test]
    fn the_filter_goes_before_the_paging() {
        let filter = Rql::contains("name", "smith");
        assert_eq!(page_query(Some(&filter), 50, 0).unwrap(), "ilike(name,\"*smith*\")&limit=50&offset=0");
    }
}
