//! The one send loop every vendor client uses: a bearer token, retries ([`send_with_retries`]),
//! one fresh token after a 401 where the vendor can issue one, and a failed answer turned into an
//! [`Error`] by the vendor's own mapping ([`VendorApi`]).

use super::{
    build_client, join, read_body, read_error_text, retry_after, send_with_retries, still_busy_message, RequestLabel,
    RetryPolicy,
};
use crate::error::{Error, ErrorCode, Result};
use crate::secret::Secret;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::future::Future;
use std::sync::Arc;
use url::Url;

/// How one vendor's API differs in the send loop; one `static` per vendor.
#[derive(Debug)]
pub struct VendorApi {
    /// The vendor's name in messages and log lines.
    pub name: &'static str,
    /// Whether a 401 is worth one more try with a fresh token (not for an API token that
    /// cannot be refreshed).
    pub refresh_on_401: bool,
    /// The answer's header that carries the vendor's id for the request, kept as an error's
    /// `reference` unless the mapping found one in the body.
    pub request_id_header: Option<&'static str>,
    /// A failed answer (its status and the start of its body) as an error in the vendor's words.
    /// The loop then names `Retry-After`'s wait in a 429's message and adds the reference.
    pub error: fn(reqwest::StatusCode, Option<&str>) -> Error,
}

/// One request for [`Api::send`].
pub struct ApiRequest<'a> {
    pub method: reqwest::Method,
    /// The already-encoded path with an optional `?query`, joined to the API address.
    pub path: &'a str,
    /// The path with its ids as placeholders, e.g. `/users/{userId}`, for the log.
    pub template: &'a str,
    pub body: Option<&'a Value>,
    /// Sent on every attempt and named in the log line (e.g. Partner Center's `MS-RequestId`).
    pub correlation: Vec<(&'static str, String)>,
    /// Sent on every attempt, not logged.
    pub headers: Vec<(&'static str, reqwest::header::HeaderValue)>,
}

impl<'a> ApiRequest<'a> {
    pub fn new(method: reqwest::Method, path: &'a str, template: &'a str) -> Self {
        ApiRequest { method, path, template, body: None, correlation: Vec::new(), headers: Vec::new() }
    }

    pub fn get(path: &'a str, template: &'a str) -> Self {
        Self::new(reqwest::Method::GET, path, template)
    }

    /// Sends `body` as JSON.
    pub fn json(self, body: Option<&'a Value>) -> Self {
        ApiRequest { body, ..self }
    }
}

/// One vendor's API at one address: the HTTP client, the retry policy and the vendor's ways.
pub struct Api {
    pub vendor: &'static VendorApi,
    pub client: reqwest::Client,
    pub retry: RetryPolicy,
    pub base_url: Url,
}

impl Api {
    pub fn new(vendor: &'static VendorApi, base_url: Url) -> Self {
        Api { vendor, client: build_client(), retry: RetryPolicy::default(), base_url }
    }

    /// The API host, for messages.
    pub fn host(&self) -> String {
        self.base_url.host_str().unwrap_or_default().to_string()
    }

    /// Sends `request` with the bearer token `token(fresh)` gives, retrying transient failures
    /// (see [`send_with_retries`]); on a 401 asks for a fresh token once and tries again, where
    /// the vendor allows it. A successful answer comes back unread; a failed one as the
    /// vendor's error.
    pub async fn send<F, Fut>(&self, request: &ApiRequest<'_>, token: F) -> Result<reqwest::Response>
    where
        F: Fn(bool) -> Fut,
        Fut: Future<Output = Result<Arc<Secret>>>,
    {
        let url = join(&self.base_url, request.path);
        let host = self.host();
        let correlation: Vec<(&str, String)> =
            request.correlation.iter().map(|(name, value)| (*name, value.clone())).collect();
        let label = RequestLabel {
            vendor: self.vendor.name,
            method: &request.method,
            host: &host,
            template: request.template,
            correlation: &correlation,
        };
        let mut fresh_token = false;
        loop {
            let token = token(fresh_token).await?;
            let response = send_with_retries(&self.retry, &label, || {
                let mut builder = self
                    .client
                    .request(request.method.clone(), url.clone())
                    .bearer_auth(token.expose())
                    .header(reqwest::header::ACCEPT, "application/json");
                for (name, value) in &request.correlation {
                    builder = builder.header(*name, value);
                }
                for (name, value) in &request.headers {
                    builder = builder.header(*name, value.clone());
                }
                match request.body {
                    Some(body) => builder.json(body),
                    None => builder,
                }
            })
            .await?;
            let status = response.status();
            if status == reqwest::StatusCode::UNAUTHORIZED && self.vendor.refresh_on_401 && !fresh_token {
                fresh_token = true;
                continue;
            }
            if status.is_success() {
                return Ok(response);
            }
            return Err(self.failure(response).await);
        }
    }

    /// A failed answer as the vendor's error, with `Retry-After` and the request id.
    async fn failure(&self, response: reqwest::Response) -> Error {
        let status = response.status();
        let reference = self
            .vendor
            .request_id_header
            .and_then(|name| response.headers().get(name))
            .and_then(|value| value.to_str().ok())
            .map(str::to_string);
        let wait = retry_after(response.headers());
        let text = read_error_text(response).await;
        let mut error = (self.vendor.error)(status, text.as_deref());
        if let (reqwest::StatusCode::TOO_MANY_REQUESTS, Some(wait)) = (status, wait) {
            error.message = still_busy_message(self.vendor.name, wait);
        }
        if error.reference.is_none() {
            error.reference = reference;
        }
        error
    }

    /// Parses an answer of at most `limit` bytes ([`read_body`]).
    pub async fn read_json<T: DeserializeOwned>(&self, response: reqwest::Response, limit: usize) -> Result<T> {
        let body = read_body(response, limit, self.vendor.name, &self.host()).await?;
        serde_json::from_slice(&body).map_err(|_| {
            malformed(
                self.vendor.name,
                format!("Expected JSON of the documented shape; got {} bytes that are not.", body.len()),
            )
        })
    }
}

/// A reply that is not of the shape the vendor documents; `detail` goes to the vendor message.
pub fn malformed(vendor: &str, detail: impl Into<String>) -> Error {
    Error::new(ErrorCode::MalformedResponse, format!("{vendor} sent a reply Switchboard can't read."))
        .with_vendor_message(detail.into())
}
