//! Fault switches a test sets per run: latency, failing or throttled requests, malformed or
//! oversized bodies, dropped connections. Counters ("the next N requests") keep every test deterministic.

use crate::SandboxState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Added before every answer.
    pub latency: Duration,
    /// Added after a request is handled, before its answer goes out: the change is made, the
    /// answer is slow. A client that gives up (or dies) meanwhile has changed the record without
    /// hearing so, which is what a bulk run must settle by reading.
    pub answer_latency: Duration,
    /// The next N requests get `503 Service Unavailable` in the vendor's error format.
    pub fail_next: u32,
    /// Every Nth request fails with 503 (0 = never): a steady error rate.
    pub fail_every: u32,
    /// The next N requests get `429 Too Many Requests` with `Retry-After: retry_after_seconds`.
    pub throttle_next: u32,
    pub retry_after_seconds: u64,
    /// The next N successful answers with a body get a truncated, unparseable body.
    pub malform_next: u32,
    /// The next N requests have their connection closed without an answer.
    pub drop_next: u32,
    /// The next N answers (any status) are padded with spaces after their JSON to at least
    /// `oversize_bytes`: still valid JSON, only too large.
    pub oversize_next: u32,
    pub oversize_bytes: usize,
    /// Send the oversized answer in chunks without `Content-Length`, so a client only finds out
    /// while reading.
    pub oversize_chunked: bool,
    /// Only requests whose path contains this are affected (e.g. `/graph/`); empty = all.
    pub only_paths_containing: String,
    /// A vendor's rate limit, in requests per second (0 = none): a token bucket refilled at that
    /// rate holding a tenth of a second's worth, so short bursts pass and a steady excess gets
    /// `429` with `Retry-After: 1`, as Partner Center's throttling answers.
    pub rate_limit: u32,
}

#[derive(Default)]
pub(crate) struct FaultState {
    pub faults: Faults,
    pub seen: u32,
    pub bucket: Option<Bucket>,
}

/// The rate limit's tokens and when they were last counted.
pub(crate) struct Bucket {
    tokens: f64,
    counted: std::time::Instant,
}

impl FaultState {
    /// Takes one token from the rate limit's bucket; false when it is empty.
    fn within_rate(&mut self) -> bool {
        let rate = f64::from(self.faults.rate_limit);
        if rate == 0.0 {
            return true;
        }
        let capacity = (rate / 10.0).max(1.0);
        let now = std::time::Instant::now();
        let bucket = self.bucket.get_or_insert(Bucket { tokens: capacity, counted: now });
        bucket.tokens = (bucket.tokens + now.duration_since(bucket.counted).as_secs_f64() * rate).min(capacity);
        bucket.counted = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

pub(crate) async fn inject(State(state): State<Arc<SandboxState>>, request: Request, next: Next) -> Response {
    enum Action {
        Pass { malform: bool, oversize: Option<(usize, bool)> },
        Drop,
        Throttle(u64),
        Fail,
    }
    let path = request.uri().path().to_string();
    let (latency, answer_latency, action) = {
        let mut guard = state.faults.lock().unwrap();
        let faults = &mut guard.faults;
        if !request.uri().path().contains(faults.only_paths_containing.as_str()) {
            (Duration::ZERO, Duration::ZERO, Action::Pass { malform: false, oversize: None })
        } else {
            let latency = faults.latency;
            let over_rate = !guard.within_rate();
            let faults = &mut guard.faults;
            let action = if over_rate {
                Action::Throttle(1)
            } else if take(&mut faults.drop_next) {
                Action::Drop
            } else if take(&mut faults.throttle_next) {
                Action::Throttle(faults.retry_after_seconds)
            } else if take(&mut faults.fail_next) {
                Action::Fail
            } else {
                let every = faults.fail_every;
                let malform = take(&mut faults.malform_next);
                let oversize =
                    take(&mut faults.oversize_next).then_some((faults.oversize_bytes, faults.oversize_chunked));
                guard.seen += 1;
                if every > 0 && guard.seen % every == 0 {
                    Action::Fail
                } else {
                    Action::Pass { malform, oversize }
                }
            };
            (latency, guard.faults.answer_latency, action)
        }
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    match action {
        // Unwinding out of the connection's task closes the socket with no answer at all.
        // `resume_unwind` skips the panic hook, so nothing is printed.
        Action::Drop => std::panic::resume_unwind(Box::new("sandbox fault: dropped connection")),
        Action::Throttle(seconds) => {
            let mut response = vendor_error(&path, StatusCode::TOO_MANY_REQUESTS, "Too many requests.");
            if let Ok(value) = seconds.to_string().parse() {
                response.headers_mut().insert("retry-after", value);
            }
            response
        }
        Action::Fail => vendor_error(&path, StatusCode::SERVICE_UNAVAILABLE, "The service is temporarily unavailable."),
        Action::Pass { malform, oversize } => {
            let response = next.run(request).await;
            if !answer_latency.is_zero() {
                tokio::time::sleep(answer_latency).await;
            }
            if malform && response.status() == StatusCode::OK {
                let (parts, _) = response.into_parts();
                Response::from_parts(parts, Body::from("{\"data\": [{\"id\": \"trunc"))
            } else if let Some((bytes, chunked)) = oversize {
                oversized(response, bytes, chunked).await
            } else {
                response
            }
        }
    }
}

/// `response` with its body padded by trailing spaces to at least `bytes`, sent whole (with
/// `Content-Length`) or in 64 KiB chunks without a length.
async fn oversized(response: Response, bytes: usize, chunked: bool) -> Response {
    let (mut parts, body) = response.into_parts();
    let mut padded = axum::body::to_bytes(body, usize::MAX).await.map(|b| b.to_vec()).unwrap_or_default();
    if padded.len() < bytes {
        padded.resize(bytes, b' ');
    }
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    if !chunked {
        return Response::from_parts(parts, Body::from(padded));
    }
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = padded.chunks(64 * 1024).map(|c| Ok(c.to_vec())).collect();
    Response::from_parts(parts, Body::from_stream(futures_util::stream::iter(chunks)))
}

/// An injected failure in the error format of the vendor the path belongs to.
fn vendor_error(path: &str, status: StatusCode, message: &str) -> Response {
    let trace_id = uuid::Uuid::new_v4().to_string();
    let body = if path.starts_with("/softwareone") {
        // RFC 7807 ProblemDetails, as the Marketplace answers.
        serde_json::json!({ "type": "about:blank", "title": message, "status": status.as_u16(), "traceId": trace_id })
    } else if path.starts_with("/partner-center") {
        serde_json::json!({ "code": status.as_u16().to_string(), "description": message, "data": [], "source": "PartnerApi" })
    } else if path.starts_with("/msp360") {
        serde_json::json!({ "Message": message })
    } else {
        serde_json::json!({ "statusCode": status.as_u16(), "message": message })
    };
    (status, [("request-id", trace_id)], axum::Json(body)).into_response()
}

fn take(counter: &mut u32) -> bool {
    if *counter > 0 {
        *counter -= 1;
        true
    } else {
        false
    }
}
