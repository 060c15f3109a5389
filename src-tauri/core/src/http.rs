//! The one place for HTTP behaviour shared by every vendor: the client, URL policy, path
//! parameters, and turning transport failures and status codes into [`Error`]s. The send loop
//! every vendor client uses is [`Api`] (`http/api.rs`); the token cache is [`TokenCache`]
//! (`http/tokens.rs`).

mod api;
mod pace;
mod tokens;

pub use api::{malformed, Api, ApiRequest, VendorApi};
pub use pace::{paced, Pace, PaceStats};
pub use tokens::{oauth_margin, TokenCache};

use crate::error::{Error, ErrorCode, FieldError, Result};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Serialize;
use std::time::Duration;
use ts_rs::TS;
use url::Url;

pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Vendor error bodies are short; anything longer is cut before it reaches a message.
const MAX_VENDOR_MESSAGE: usize = 500;

const MIB: usize = 1024 * 1024;
/// The most read from a vendor for one answer: a record, a token, an update's reply. Real ones
/// are a few KiB.
pub const MAX_RESPONSE: usize = 4 * MIB;
/// The most read for one page of a list (customers, users). MSP360 sends every user and company
/// in one answer, so this leaves room for a large partner.
pub const MAX_LIST_RESPONSE: usize = 32 * MIB;
/// An error answer: only the first [`MAX_VENDOR_MESSAGE`] characters are ever shown, so the
/// rest is not even read.
const MAX_ERROR_RESPONSE: usize = 64 * 1024;

/// Makes ring rustls's cryptography for the whole process, once, before the first client:
/// reqwest is built without a provider of its own (see the workspace's Cargo.toml). A provider
/// already installed (by a test or a library) is left in place.
pub fn use_ring_for_tls() {
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

pub fn build_client() -> reqwest::Client {
    use_ring_for_tls();
    reqwest::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(REQUEST_TIMEOUT)
        .user_agent(concat!("Switchboard/", env!("CARGO_PKG_VERSION")))
        // Vendor hosts never redirect API calls; following one could leak a bearer token.
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("the HTTP client configuration is static and valid")
}

/// Where a vendor address may use plain `http://`. `https://` goes to any host; plain http only
/// ever to a loopback IP literal (127.0.0.0/8, `[::1]`), never a name such as `localhost`, which
/// a hosts file or resolver may send elsewhere, and only for the built-in Practice connection or
/// in a development build. A saved or imported profile in a release build is https-only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UrlPolicy {
    /// The built-in Practice connection (the local sandbox).
    pub practice: bool,
    /// A development build (`cfg!(debug_assertions)`): tests and `cargo run` use the sandbox.
    pub debug_build: bool,
}

impl UrlPolicy {
    /// A saved or imported profile in this build.
    pub const PROFILE: UrlPolicy = UrlPolicy { practice: false, debug_build: cfg!(debug_assertions) };
    /// The built-in Practice connection in this build.
    pub const PRACTICE: UrlPolicy = UrlPolicy { practice: true, debug_build: cfg!(debug_assertions) };

    fn allows_plain_http(self) -> bool {
        self.practice || self.debug_build
    }
}

/// [`check_url`] for a saved profile's address in this build ([`UrlPolicy::PROFILE`]).
pub fn check_base_url(field: &str, label: &str, text: &str) -> Result<Url> {
    check_url(field, label, text, UrlPolicy::PROFILE)
}

/// Checks a vendor address against `policy`; the error names the field and what is allowed.
pub fn check_url(field: &str, label: &str, text: &str, policy: UrlPolicy) -> Result<Url> {
    let invalid =
        |message: String| Error::new(ErrorCode::InvalidConnection, message.clone()).with_field(field, message);
    let url = Url::parse(text.trim()).map_err(|_| {
        invalid(format!("{label} must be a full web address starting with https://, like https://example.com."))
    })?;
    match url.scheme() {
        "https" if url.host_str().is_some_and(|host| !host.is_empty()) => {}
        "http" if !policy.allows_plain_http() => {
            return Err(invalid(format!(
                "{label} must use https://. Plain http:// is only for the built-in Practice connection."
            )))
        }
        "http" if is_loopback_ip(&url) => {}
        "http" => {
            return Err(invalid(format!(
                "{label} must use https://. Plain http:// is only allowed to this computer by IP address \
                 (http://127.0.0.1:PORT or http://[::1]:PORT), not by a name such as localhost."
            )))
        }
        _ => return Err(invalid(format!("{label} must start with https://."))),
    }
    if !url.username().is_empty() || url.password().is_some() || url.query().is_some() || url.fragment().is_some() {
        return Err(invalid(format!("{label} must not contain a user name, password, query or fragment.")));
    }
    Ok(url)
}

/// 127.0.0.0/8 or `[::1]`, written as an address (the URL parser has already normalised forms
/// such as `127.1`); a name never counts, whatever it resolves to.
fn is_loopback_ip(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        _ => false,
    }
}

/// Joins a base URL (which may carry a path prefix) and an already-encoded path with an
/// optional `?query`.
pub fn join(base: &Url, path_and_query: &str) -> Url {
    let (path, query) = match path_and_query.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (path_and_query, None),
    };
    let mut url = base.clone();
    let joined = format!("{}/{}", base.path().trim_end_matches('/'), path.trim_start_matches('/'));
    url.set_path(&joined);
    url.set_query(query);
    url
}

/// Characters left as they are in a path segment: RFC 3986 unreserved.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Turns an id into one path segment that can never change the path: separators, `?`, `#`,
/// whitespace and dot segments are refused with a message naming the field; everything else is
/// percent-encoded.
pub fn path_segment(field: &str, label: &str, id: &str) -> Result<String> {
    let refuse = |message: String| Err(Error::invalid_fields(vec![FieldError { field: field.into(), message }]));
    if id.trim().is_empty() {
        return refuse(format!("{label} is required."));
    }
    if id == "." || id == ".." || id.contains("..") {
        return refuse(format!("{label} can't contain \"..\"."));
    }
    if let Some(bad) =
        id.chars().find(|c| matches!(c, '/' | '\\' | '?' | '#' | '%') || c.is_whitespace() || c.is_control())
    {
        let shown = if bad.is_whitespace() { "spaces".to_string() } else { format!("\"{bad}\"") };
        return refuse(format!(
            "{label} can't contain {shown}. Paste the ID exactly as the vendor shows it, like 966f35cc-61f4-4070-819c-25cdbcf82a07."
        ));
    }
    Ok(utf8_percent_encode(id, SEGMENT).to_string())
}

/// Checks several ids at once (see [`path_segment`]), so every bad one is reported together.
/// Each entry is `(field, label, id)`; the encoded segments come back in the same order.
pub fn path_segments(ids: &[(&str, &str, &str)]) -> Result<Vec<String>> {
    let mut segments = Vec::new();
    let mut errors = Vec::new();
    for (field, label, id) in ids {
        match path_segment(field, label, id) {
            Ok(segment) => segments.push(segment),
            Err(error) => errors.extend(error.field_errors),
        }
    }
    if errors.is_empty() {
        Ok(segments)
    } else {
        Err(Error::invalid_fields(errors))
    }
}

/// Reads a vendor's answer, at most `limit` bytes: a declared `Content-Length` over the limit is
/// refused before anything is read, and an answer without one is read in chunks and given up as
/// soon as it passes the limit. Either way the error is [`ErrorCode::ResponseTooLarge`] naming
/// the vendor, and no more than `limit` bytes are ever held.
pub async fn read_body(mut response: reqwest::Response, limit: usize, vendor: &str, host: &str) -> Result<Vec<u8>> {
    let too_large = || {
        Error::new(
            ErrorCode::ResponseTooLarge,
            format!(
                "{vendor} sent an answer larger than Switchboard reads ({} MiB), so it was not read. Try again; if it keeps happening, {vendor} may be having trouble.",
                limit.div_ceil(MIB)
            ),
        )
    };
    if let Some(declared) = response.content_length() {
        if declared > limit as u64 {
            return Err(too_large().with_vendor_message(format!("Content-Length: {declared} bytes")));
        }
    }
    let expected = response.content_length().map_or(0, |length| length as usize);
    let mut body = Vec::with_capacity(expected);
    while let Some(chunk) = response.chunk().await.map_err(|error| transport_error(&error, vendor, host))? {
        if body.len() + chunk.len() > limit {
            return Err(too_large().with_vendor_message(format!("More than {limit} bytes without a Content-Length")));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// [`read_body`] as text (invalid UTF-8 replaced).
pub async fn read_text(response: reqwest::Response, limit: usize, vendor: &str, host: &str) -> Result<String> {
    let body = read_body(response, limit, vendor, host).await?;
    Ok(String::from_utf8(body).unwrap_or_else(|error| String::from_utf8_lossy(error.as_bytes()).into_owned()))
}

/// The start of an error answer, for the vendor's own words: at most 64 KiB is read and the rest
/// left unread, so a huge error page costs nothing. `None` when nothing could be read.
pub async fn read_error_text(mut response: reqwest::Response) -> Option<String> {
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                let room = MAX_ERROR_RESPONSE - body.len();
                body.extend_from_slice(&chunk[..chunk.len().min(room)]);
                if body.len() >= MAX_ERROR_RESPONSE {
                    break;
                }
            }
            Ok(None) => break,
            Err(_) if body.is_empty() => return None,
            Err(_) => break,
        }
    }
    Some(String::from_utf8_lossy(&body).into_owned())
}

/// Sends a request once, turning transport failures into plain-language errors that name the host.
pub async fn send(request: reqwest::RequestBuilder, vendor: &str, host: &str) -> Result<reqwest::Response> {
    request.send().await.map_err(|error| transport_error(&error, vendor, host))
}

/// How often and how long to retry a request that failed for a reason that may pass.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    pub base_delay: Duration,
    /// No single wait is longer than this, whatever `Retry-After` asks.
    pub max_delay: Duration,
    /// No retry starts after this much time has passed since the first attempt.
    pub max_total: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(8),
            max_total: Duration::from_secs(30),
        }
    }
}

/// Statuses that mean "try again later": timeouts, throttling and server trouble. A 4xx that
/// means bad input is never retried.
pub fn is_retryable_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500 | 502 | 503 | 504)
}

/// `Retry-After` as seconds or an HTTP date.
pub fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = time::OffsetDateTime::parse(value, &time::format_description::well_known::Rfc2822).ok()?;
    let wait = when - time::OffsetDateTime::now_utc();
    Some(Duration::from_secs_f64(wait.as_seconds_f64().max(0.0)))
}

/// Exponential backoff with jitter (half fixed, half random) so that many clients that failed
/// together don't retry together.
pub fn backoff(policy: &RetryPolicy, attempt: u32) -> Duration {
    let exponential = policy.base_delay.saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
    let cap = exponential.min(policy.max_delay);
    // Jitter needs unpredictability, not statistical quality: a v4 UUID's random bits will do.
    let random = (uuid::Uuid::new_v4().as_u128() % 1_000) as f64 / 1_000.0;
    cap / 2 + cap.mul_f64(random / 2.0)
}

/// What a request log line says about a request; never a token, password or body.
pub struct RequestLabel<'a> {
    pub vendor: &'a str,
    pub method: &'a reqwest::Method,
    pub host: &'a str,
    /// The path with its ids as placeholders, e.g. `/users/{userId}`.
    pub template: &'a str,
    /// Correlation ids to log, e.g. `("request-id", ...)`.
    pub correlation: &'a [(&'a str, String)],
}

/// Sends a request built by `make`, retrying connection failures and retryable statuses with
/// jittered backoff (honouring `Retry-After`) within `policy`. The last response is returned
/// whatever its status; callers turn failures into errors.
/// Why a request is about to be tried again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RetryReason {
    /// 429: the vendor asked us to slow down.
    Busy,
    /// 408 or 5xx: the vendor had a problem.
    Unavailable,
    /// No answer: connection failed, dropped or timed out.
    Unreachable,
}

/// Told to whoever is watching (the desk) before each wait, so a slow save can say
/// "AvePoint is busy; trying again in 2 s" instead of just spinning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RetryNotice {
    pub vendor: String,
    pub reason: RetryReason,
    pub wait_ms: u32,
    pub next_attempt: u32,
    pub max_attempts: u32,
}

type RetryObserver = std::sync::Arc<dyn Fn(RetryNotice) + Send + Sync>;

tokio::task_local! {
    static RETRY_OBSERVER: RetryObserver;
}

/// Runs `work` with `observer` told about every retry wait inside it (task-local, so concurrent
/// calls each hear only their own).
pub async fn observe_retries<T>(observer: RetryObserver, work: impl std::future::Future<Output = T>) -> T {
    RETRY_OBSERVER.scope(observer, work).await
}

fn notify_retry(notice: RetryNotice) {
    let _ = RETRY_OBSERVER.try_with(|observer| observer(notice));
}

pub async fn send_with_retries(
    policy: &RetryPolicy,
    label: &RequestLabel<'_>,
    make: impl Fn() -> reqwest::RequestBuilder,
) -> Result<reqwest::Response> {
    let first_started = std::time::Instant::now();
    let correlation: String = label.correlation.iter().map(|(name, value)| format!(" {name}={value}")).collect();
    let mut attempt = 1;
    let pace = pace::current();
    loop {
        if let Some(pace) = &pace {
            pace.wait_turn().await;
        }
        let started = std::time::Instant::now();
        let outcome = make().send().await;
        if let (Some(pace), Ok(response)) = (&pace, &outcome) {
            if response.status().as_u16() == 429 {
                pace.throttled(retry_after(response.headers()));
            } else {
                pace.answered();
            }
        }
        let elapsed_ms = started.elapsed().as_millis();
        let wait = match &outcome {
            Ok(response) => {
                let status = response.status().as_u16();
                let vendor_reference = response
                    .headers()
                    .get("request-id")
                    .and_then(|v| v.to_str().ok())
                    .map(|v| format!(" vendor-request-id={v}"))
                    .unwrap_or_default();
                log::info!(
                    "{} {} {}{} -> {status} in {elapsed_ms} ms attempt {attempt}{correlation}{vendor_reference}",
                    label.vendor,
                    label.method,
                    label.host,
                    label.template
                );
                is_retryable_status(status)
                    .then(|| retry_after(response.headers()).unwrap_or_else(|| backoff(policy, attempt)))
            }
            Err(error) => {
                log::warn!(
                    "{} {} {}{} -> failed after {elapsed_ms} ms attempt {attempt}{correlation}: {}",
                    label.vendor,
                    label.method,
                    label.host,
                    label.template,
                    error_kind(error)
                );
                is_retryable_transport(error).then(|| backoff(policy, attempt))
            }
        };
        let Some(wait) = wait else {
            return outcome.map_err(|error| transport_error(&error, label.vendor, label.host));
        };
        let out_of_budget = attempt >= policy.max_attempts
            || wait > policy.max_delay
            || first_started.elapsed() + wait > policy.max_total;
        if out_of_budget {
            return outcome.map_err(|error| transport_error(&error, label.vendor, label.host));
        }
        let reason = match &outcome {
            Ok(response) if response.status().as_u16() == 429 => RetryReason::Busy,
            Ok(_) => RetryReason::Unavailable,
            Err(_) => RetryReason::Unreachable,
        };
        notify_retry(RetryNotice {
            vendor: label.vendor.to_string(),
            reason,
            wait_ms: wait.as_millis().try_into().unwrap_or(u32::MAX),
            next_attempt: attempt + 1,
            max_attempts: policy.max_attempts,
        });
        tokio::time::sleep(wait).await;
        attempt += 1;
    }
}

/// Connection failures and timeouts may pass; a request the server may have half-read is resent
/// only because every request we send is idempotent (PUT, PATCH with a request id, reads).
fn is_retryable_transport(error: &reqwest::Error) -> bool {
    error.is_connect() || error.is_timeout() || error.is_request()
}

fn error_kind(error: &reqwest::Error) -> &'static str {
    if error.is_timeout() {
        "timeout"
    } else if error.is_connect() {
        "connection failed"
    } else {
        "connection dropped"
    }
}

/// The message for a 429 that outlasted the retries: the vendor's own wait, not a guess.
pub fn still_busy_message(vendor: &str, wait: Duration) -> String {
    let seconds = wait.as_secs().max(1);
    format!("{vendor} is still busy after several tries and asked to wait {seconds} s. Try again after that.")
}

pub fn transport_error(error: &reqwest::Error, vendor: &str, host: &str) -> Error {
    let message = if error.is_timeout() {
        format!("{vendor} ({host}) did not answer in time. Check your internet connection and try again.")
    } else {
        format!("Can't reach {vendor} ({host}). Check your internet connection or proxy, then try again.")
    };
    // reqwest's Display never includes headers or bodies, so it is safe to keep for support.
    Error::new(ErrorCode::Unreachable, message).with_vendor_message(error.to_string())
}

/// Maps a failed response to an error; `vendor_text` is the vendor's own message if it gave one.
pub fn status_error(vendor: &str, status: reqwest::StatusCode, vendor_text: Option<String>) -> Error {
    let code = status.as_u16();
    let (error_code, message) = match code {
        400 | 422 => (ErrorCode::VendorRejected, format!("{vendor} refused the change as invalid.")),
        401 => (
            ErrorCode::SignInRejected,
            format!("{vendor} rejected the saved sign-in. Check the connection's client ID and secret."),
        ),
        403 => (
            ErrorCode::Forbidden,
            format!(
                "{vendor} says this connection is not allowed to do that. The app registration needs more permissions."
            ),
        ),
        404 => (ErrorCode::NotFound, format!("{vendor} has no such record. Check the IDs; it may have been deleted.")),
        429 => (ErrorCode::RateLimited, format!("{vendor} is busy and asked us to slow down. Try again in a minute.")),
        500..=599 => (
            ErrorCode::VendorUnavailable,
            format!("{vendor} had a problem on its side (HTTP {code}). Try again later."),
        ),
        _ => (ErrorCode::MalformedResponse, format!("{vendor} answered with an unexpected status (HTTP {code}).")),
    };
    let vendor_words = vendor_text.map(|text| truncate(text.trim())).filter(|text| !text.is_empty());
    let mut error = Error::new(error_code, message);
    if let Some(words) = &vendor_words {
        if error_code == ErrorCode::VendorRejected {
            error.message = format!("{vendor} refused the change: {words}");
        }
    }
    error.with_vendor_message(match vendor_words {
        Some(words) => format!("HTTP {code}: {words}"),
        None => format!("HTTP {code}"),
    })
}

fn truncate(text: &str) -> String {
    if text.len() <= MAX_VENDOR_MESSAGE {
        return text.to_string();
    }
    let mut end = MAX_VENDOR_MESSAGE;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retryable_statuses_are_the_transient_ones() {
        for status in [408, 429, 500, 502, 503, 504] {
            assert!(is_retryable_status(status), "{status}");
        }
        for status in [200, 204, 400, 401, 403, 404, 409, 422, 501] {
            assert!(!is_retryable_status(status), "{status}");
        }
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("retry-after", "7".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(7)));
        headers.insert("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::ZERO), "a date in the past means now");
        headers.insert("retry-after", "soon".parse().unwrap());
        assert_eq!(retry_after(&headers), None);
    }

    #[test]
    fn backoff_grows_is_jittered_and_capped() {
        let policy = RetryPolicy::default();
        for attempt in 1..=10 {
            let wait = backoff(&policy, attempt);
            let cap = (policy.base_delay * 2u32.pow(attempt - 1)).min(policy.max_delay);
            assert!(wait >= cap / 2 && wait <= cap, "attempt {attempt}: {wait:?} vs cap {cap:?}");
        }
    }

    #[test]
    fn https_base_urls_are_accepted() {
        assert!(check_base_url("baseUrl", "API address", "https://graph.avepointonlineservices.com").is_ok());
    }

    #[test]
    fn plain_http_is_allowed_for_loopback_ip_literals_only() {
        // Tests are debug builds: a saved profile may use http to 127.0.0.0/8 or [::1].
        for ok in ["http://127.0.0.1:8080", "http://127.0.0.1:1/prefix", "http://127.8.9.10:9", "http://[::1]:9"] {
            assert!(check_base_url("baseUrl", "API address", ok).is_ok(), "{ok}");
        }
        for refused in
            ["http://localhost:8787", "http://LOCALHOST:1/x", "http://localhost.:1", "http://app.localhost:1"]
        {
            let error = check_base_url("apiUrl", "API address", refused).unwrap_err();
            assert_eq!(error.code, ErrorCode::InvalidConnection);
            assert_eq!(error.field.as_deref(), Some("apiUrl"));
            assert!(error.message.starts_with("API address must use https://"), "{}", error.message);
            assert!(error.message.contains("127.0.0.1") && error.message.contains("[::1]"), "{}", error.message);
        }
        let error = check_base_url("baseUrl", "API address", "http://graph.avepointonlineservices.com").unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidConnection);
        assert_eq!(error.field.as_deref(), Some("baseUrl"));
        assert!(error.message.contains("must use https://"), "{}", error.message);
    }

    #[test]
    fn plain_http_follows_the_connection_and_the_build_mode() {
        let release_profile = UrlPolicy { practice: false, debug_build: false };
        let release_practice = UrlPolicy { practice: true, debug_build: false };
        let debug_profile = UrlPolicy { practice: false, debug_build: true };
        let debug_practice = UrlPolicy { practice: true, debug_build: true };
        let check = |text: &str, policy| check_url("identityUrl", "Sign-in address", text, policy);
        for policy in [release_profile, release_practice, debug_profile, debug_practice] {
            assert!(check("https://identity.avepointonlineservices.com", policy).is_ok(), "{policy:?}");
            assert!(check("https://localhost:8443", policy).is_ok(), "https goes anywhere: {policy:?}");
            for never in ["http://localhost:1", "http://10.0.0.1:80", "http://[::ffff:127.0.0.1]:1", "http://x.com"] {
                let error = check(never, policy).unwrap_err();
                assert_eq!(error.field.as_deref(), Some("identityUrl"), "{never} {policy:?}");
                assert!(error.message.starts_with("Sign-in address must use https://"), "{}", error.message);
            }
        }
        for policy in [release_practice, debug_profile, debug_practice] {
            for ok in ["http://127.0.0.1:8787/avepoint/identity", "http://127.0.0.2:1", "http://[::1]:1"] {
                assert!(check(ok, policy).is_ok(), "{ok} {policy:?}");
            }
        }
        // A release build: a saved (or imported) profile is https-only, even to this computer.
        for refused in ["http://127.0.0.1:8787", "http://[::1]:1"] {
            let error = check(refused, release_profile).unwrap_err();
            assert_eq!(error.field.as_deref(), Some("identityUrl"));
            assert_eq!(
                error.message,
                "Sign-in address must use https://. Plain http:// is only for the built-in Practice connection."
            );
        }
        assert_eq!(UrlPolicy::PROFILE, UrlPolicy { practice: false, debug_build: cfg!(debug_assertions) });
        assert_eq!(UrlPolicy::PRACTICE, UrlPolicy { practice: true, debug_build: cfg!(debug_assertions) });
    }

    #[test]
    fn other_schemes_and_garbage_are_refused() {
        for bad in ["ftp://example.com", "example.com", "", "https://user:pw@example.com", "https://x.com/?a=1"] {
            assert!(check_base_url("baseUrl", "API address", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn join_keeps_a_base_path_prefix() {
        let base = Url::parse("http://127.0.0.1:9/avepoint/graph/").unwrap();
        assert_eq!(join(&base, "/partner/x").as_str(), "http://127.0.0.1:9/avepoint/graph/partner/x");
        let bare = Url::parse("https://graph.example.com").unwrap();
        assert_eq!(join(&bare, "partner/x").as_str(), "https://graph.example.com/partner/x");
        assert_eq!(
            join(&bare, "/a/batch?pageIndex=1&pageSize=1").as_str(),
            "https://graph.example.com/a/batch?pageIndex=1&pageSize=1"
        );
    }

    #[test]
    fn path_segments_refuse_anything_that_could_change_the_path() {
        for bad in ["a/b", "..", "a/../b", "a?x=1", "a#b", "a b", "a\\b", "a%2Fb", " ", "", "a\nb", "..."] {
            let error = path_segment("userId", "User ID", bad).unwrap_err();
            assert_eq!(error.code, ErrorCode::InvalidInput, "{bad}");
            assert_eq!(error.field.as_deref(), Some("userId"), "{bad}");
            assert!(error.message.starts_with("User ID "), "{}", error.message);
        }
    }

    #[test]
    fn path_segments_pass_guids_and_encode_the_rest() {
        assert_eq!(
            path_segment("userId", "User ID", "7c18fd6f-fb26-4353-8dbd-5725fa9edc3f").unwrap(),
            "7c18fd6f-fb26-4353-8dbd-5725fa9edc3f"
        );
        assert_eq!(path_segment("userId", "User ID", "a@b:c").unwrap(), "a%40b%3Ac");
        assert_eq!(path_segment("userId", "User ID", "é").unwrap(), "%C3%A9");
    }

    #[test]
    fn status_codes_map_to_stable_error_codes() {
        use reqwest::StatusCode as S;
        let cases = [
            (S::BAD_REQUEST, ErrorCode::VendorRejected),
            (S::UNAUTHORIZED, ErrorCode::SignInRejected),
            (S::FORBIDDEN, ErrorCode::Forbidden),
            (S::NOT_FOUND, ErrorCode::NotFound),
            (S::TOO_MANY_REQUESTS, ErrorCode::RateLimited),
            (S::BAD_GATEWAY, ErrorCode::VendorUnavailable),
            (S::IM_A_TEAPOT, ErrorCode::MalformedResponse),
        ];
        for (status, code) in cases {
            assert_eq!(status_error("AvePoint", status, None).code, code, "{status}");
        }
    }

    #[test]
    fn vendor_rejections_quote_the_vendor_and_keep_its_words() {
        let error =
            status_error("AvePoint", reqwest::StatusCode::BAD_REQUEST, Some("The mail field is invalid.".into()));
        assert_eq!(error.message, "AvePoint refused the change: The mail field is invalid.");
        assert_eq!(error.vendor_message.as_deref(), Some("HTTP 400: The mail field is invalid."));
    }

    #[test]
    fn long_vendor_text_is_truncated() {
        let error = status_error("X", reqwest::StatusCode::BAD_GATEWAY, Some("é".repeat(600)));
        assert!(error.vendor_message.unwrap().chars().count() < 520);
    }
}
