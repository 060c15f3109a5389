//! Only requests addressed to the sandbox itself get an answer: `Host` must be `127.0.0.1:PORT`
//! (the address it listens on) or `localhost:PORT`. A web page that points its own host name at
//! 127.0.0.1 (DNS rebinding) sends its own name and gets `421 Misdirected Request`; a request
//! without a `Host` gets `400 Bad Request`.

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;
use std::sync::Arc;

/// The `Host` values the sandbox answers, lowercase.
pub(crate) struct Allowed(Vec<String>);

impl Allowed {
    pub(crate) fn for_address(address: SocketAddr) -> Allowed {
        let port = address.port();
        let mut names = vec![address.to_string(), format!("localhost:{port}")];
        if address.ip().is_unspecified() {
            // Listening on every address (never the app's case): the loopback ones still name it.
            names.extend([format!("127.0.0.1:{port}"), format!("[::1]:{port}")]);
        }
        Allowed(names)
    }

    fn accepts(&self, host: &str) -> bool {
        self.0.iter().any(|name| name.eq_ignore_ascii_case(host))
    }
}

pub(crate) async fn check(State(allowed): State<Arc<Allowed>>, request: Request, next: Next) -> Response {
    // HTTP/1.1 carries the authority in `Host`; an absolute-form request line in the URI.
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .map(str::to_string)
        .or_else(|| request.uri().authority().map(|authority| authority.to_string()));
    match host {
        Some(host) if allowed.accepts(&host) => next.run(request).await,
        Some(_) => (StatusCode::MISDIRECTED_REQUEST, "This sandbox answers only requests to its own address.\n")
            .into_response(),
        None => (StatusCode::BAD_REQUEST, "A Host header is required.\n").into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_listening_address_and_localhost_on_its_port_are_accepted() {
        let allowed = Allowed::for_address(SocketAddr::from(([127, 0, 0, 1], 8787)));
        for ok in ["127.0.0.1:8787", "localhost:8787", "LOCALHOST:8787"] {
            assert!(allowed.accepts(ok), "{ok}");
        }
        for refused in ["evil.example:8787", "127.0.0.1", "localhost", "127.0.0.1:8788", "127.0.0.2:8787", ""] {
            assert!(!allowed.accepts(refused), "{refused}");
        }
    }
}
