//! Interactive sign-in for a desktop app (RFC 8252): the authorization-code flow with PKCE (S256)
//! in the system browser, answered on a one-shot loopback listener at `http://127.0.0.1:{port}/`.
//!
//! The desktop app opens [`PendingSignIn::authorize_url`] in the browser, the CLI prints it; both
//! then await [`PendingSignIn::finish`], which returns the tokens.

use super::auth::{self, Grant, Tokens};
use super::{PartnerCenterSettings, SCOPE};
use crate::error::{Error, ErrorCode, Result};
use crate::http;
use crate::secret::Secret;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rsa::sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// How long the browser has to come back before the sign-in is given up.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);
/// A browser's request line and headers fit in this; anything longer is not the redirect.
const MAX_REQUEST: usize = 16 * 1024;
/// A connection that sends nothing (a browser's speculative preconnect) is dropped after this.
const READ_TIMEOUT: Duration = Duration::from_secs(10);

const DONE_PAGE: &str = "You can close this window and return to Switchboard.";

/// A sign-in waiting for the browser to come back.
pub struct PendingSignIn {
    /// Open this in the system browser (or print it).
    pub authorize_url: String,
    redirect_uri: String,
    verifier: Secret,
    state: String,
    listener: TcpListener,
    settings: PartnerCenterSettings,
    timeout: Duration,
    http: reqwest::Client,
    retry: http::RetryPolicy,
}

impl std::fmt::Debug for PendingSignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingSignIn")
            .field("authorize_url", &self.authorize_url)
            .field("redirect_uri", &self.redirect_uri)
            .field("verifier", &self.verifier)
            .finish_non_exhaustive()
    }
}

/// Random bytes from the OS, as unreserved characters (base64url without padding).
fn random_text(bytes: usize) -> Result<String> {
    let mut buffer = vec![0u8; bytes];
    getrandom::fill(&mut buffer)
        .map_err(|error| Error::internal(format!("The computer's random number source failed: {error}")))?;
    Ok(URL_SAFE_NO_PAD.encode(buffer))
}

/// RFC 7636: a 43-character verifier (32 random bytes) and its S256 challenge.
pub(crate) fn pkce_pair() -> Result<(Secret, String)> {
    let verifier = random_text(32)?;
    let challenge = pkce_challenge(&verifier);
    Ok((Secret::new(verifier), challenge))
}

pub(crate) fn pkce_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Starts a sign-in: makes the PKCE pair and `state`, and listens on a free loopback port for
/// the redirect. Nothing is sent yet.
pub async fn begin_sign_in(settings: &PartnerCenterSettings) -> Result<PendingSignIn> {
    // 127.0.0.1 rather than `localhost`, which may resolve to another interface (RFC 8252 §8.3).
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.map_err(|error| {
        Error::internal(format!("Could not listen on this computer for the sign-in to come back: {error}"))
    })?;
    let port = listener.local_addr().map_err(|error| Error::internal(error.to_string()))?.port();
    let redirect_uri = format!("http://127.0.0.1:{port}/");
    let (verifier, challenge) = pkce_pair()?;
    let state = random_text(16)?;
    let mut url = settings.authorize_url();
    url.query_pairs_mut()
        .append_pair("client_id", &settings.client_id)
        .append_pair("response_type", "code")
        .append_pair("redirect_uri", &redirect_uri)
        .append_pair("response_mode", "query")
        .append_pair("scope", SCOPE)
        .append_pair("state", &state)
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256")
        // Staff often have several Microsoft accounts: let them pick the partner one.
        .append_pair("prompt", "select_account");
    Ok(PendingSignIn {
        authorize_url: url.to_string(),
        redirect_uri,
        verifier,
        state,
        listener,
        settings: settings.clone(),
        timeout: DEFAULT_TIMEOUT,
        http: http::build_client(),
        retry: http::RetryPolicy::default(),
    })
}

/// What came back on the loopback listener.
enum Redirect {
    Code(String),
    Refused { error: String, description: String },
}

impl PendingSignIn {
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    pub fn with_retry_policy(mut self, policy: http::RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// `http://127.0.0.1:{port}/`, as sent in the authorize URL.
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// Waits for the browser to come back, checks `state`, then exchanges the code (with the
    /// PKCE verifier) for tokens.
    pub async fn finish(self) -> Result<Tokens> {
        let foreign = Arc::new(AtomicBool::new(false));
        let waited = tokio::time::timeout(self.timeout, self.wait_for_redirect(&foreign)).await;
        let code = match waited {
            Err(_) => {
                let mut message = format!(
                    "The sign-in was not finished in the browser within {} minutes.",
                    self.timeout.as_secs().div_ceil(60)
                );
                if foreign.load(Ordering::Relaxed) {
                    message.push_str(
                        " An answer that didn't belong to this sign-in (its state value differs) came in and was refused.",
                    );
                }
                message.push_str(" Start the sign-in again.");
                return Err(Error::new(ErrorCode::SignInRejected, message));
            }
            Ok(Err(error)) => return Err(error),
            Ok(Ok(Redirect::Refused { error, description })) => {
                let message = match error.as_str() {
                    "access_denied" => {
                        "The sign-in was cancelled or declined in the browser. Start the sign-in again when you are ready."
                            .to_string()
                    }
                    "consent_required" | "interaction_required" => {
                        "Microsoft needs an administrator to approve this app for your organisation before you can sign in."
                            .to_string()
                    }
                    _ => "Microsoft did not complete the sign-in. Start the sign-in again; if it keeps failing, check the connection's client ID and tenant.".to_string(),
                };
                let words = description.lines().next().unwrap_or_default();
                return Err(Error::new(ErrorCode::SignInRejected, message)
                    .with_vendor_message(format!("{error}: {words}").trim_end_matches(": ").to_string()));
            }
            Ok(Ok(Redirect::Code(code))) => Secret::new(code),
        };
        let form = [
            ("grant_type", "authorization_code"),
            ("client_id", self.settings.client_id.as_str()),
            ("code", code.expose()),
            ("redirect_uri", self.redirect_uri.as_str()),
            ("code_verifier", self.verifier.expose()),
            ("scope", SCOPE),
        ];
        auth::request_tokens(&self.http, &self.retry, &self.settings.token_url(), Grant::AuthorizationCode, &form, None)
            .await
    }

    /// Accepts connections until one carries the redirect (`/?code=` or `/?error=`) with this
    /// sign-in's `state`. Each is handled on its own task, so a browser's idle preconnect can't
    /// hold up the real answer; anything else (a favicon, a reload, an answer with another
    /// `state` that any local program or page could send) gets a short answer and the wait goes
    /// on, so it can't end the sign-in. `foreign` records that an answer with another state came.
    async fn wait_for_redirect(&self, foreign: &Arc<AtomicBool>) -> Result<Redirect> {
        let (outcomes, mut outcome) = tokio::sync::mpsc::channel::<Result<Redirect>>(4);
        loop {
            tokio::select! {
                accepted = self.listener.accept() => {
                    let (socket, _) = accepted.map_err(|error| {
                        Error::internal(format!("The sign-in listener on this computer failed: {error}"))
                    })?;
                    let (outcomes, state, foreign) = (outcomes.clone(), self.state.clone(), foreign.clone());
                    tokio::spawn(async move {
                        if let Some(result) = answer(socket, &state, &foreign).await {
                            let _ = outcomes.send(result).await;
                        }
                    });
                }
                Some(result) = outcome.recv() => return result,
            }
        }
    }
}

/// Answers one connection to the listener; `Some` when it carried the sign-in's outcome.
async fn answer(mut socket: TcpStream, state: &str, foreign: &AtomicBool) -> Option<Result<Redirect>> {
    let target = read_request_target(&mut socket).await?;
    let Ok(url) = url::Url::parse(&format!("http://127.0.0.1{target}")) else {
        respond(&mut socket, "400 Bad Request", "This is not a sign-in answer.").await;
        return None;
    };
    if url.path() != "/" {
        respond(&mut socket, "404 Not Found", "Not found.").await;
        return None;
    }
    let find = |name: &str| url.query_pairs().find(|(key, _)| key == name).map(|(_, value)| value.into_owned());
    let (code, error) = (find("code"), find("error"));
    if code.is_none() && error.is_none() {
        respond(&mut socket, "400 Bad Request", "Waiting for the sign-in to finish in the other window.").await;
        return None;
    }
    // A redirect for another sign-in attempt (or forged by another page or program) is refused,
    // and the wait goes on: only the answer carrying this sign-in's state can end it.
    if find("state").as_deref() != Some(state) {
        foreign.store(true, Ordering::Relaxed);
        respond(
            &mut socket,
            "400 Bad Request",
            "This sign-in answer doesn't belong to the sign-in Switchboard started. If you are signing in, finish it in the browser window Switchboard opened.",
        )
        .await;
        return None;
    }
    if let Some(error) = error {
        respond(&mut socket, "200 OK", &format!("The sign-in did not complete. {DONE_PAGE}")).await;
        return Some(Ok(Redirect::Refused { error, description: find("error_description").unwrap_or_default() }));
    }
    respond(&mut socket, "200 OK", &format!("Signed in. {DONE_PAGE}")).await;
    Some(Ok(Redirect::Code(code.unwrap_or_default())))
}

/// Reads the request head and returns the target of a `GET`, or `None` for anything else.
async fn read_request_target(socket: &mut TcpStream) -> Option<String> {
    let mut head = Vec::new();
    let mut chunk = [0u8; 2048];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let read = tokio::time::timeout(READ_TIMEOUT, socket.read(&mut chunk)).await.ok()?.ok()?;
        if read == 0 || head.len() + read > MAX_REQUEST {
            return None;
        }
        head.extend_from_slice(&chunk[..read]);
    }
    let head = String::from_utf8_lossy(&head);
    let mut parts = head.lines().next()?.split(' ');
    match (parts.next(), parts.next()) {
        (Some("GET"), Some(target)) if target.starts_with('/') => Some(target.to_string()),
        _ => {
            respond(socket, "405 Method Not Allowed", "Only the sign-in answer is accepted here.").await;
            None
        }
    }
}

/// A small plain page; nothing from the request is echoed into it.
async fn respond(socket: &mut TcpStream, status: &str, message: &str) {
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Switchboard sign-in</title></head>\
         <body style=\"font-family:system-ui,sans-serif;margin:3em\"><p>{message}</p></body></html>"
    );
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nContent-Security-Policy: default-src 'none'; style-src 'unsafe-inline'\r\n\
         Referrer-Policy: no-referrer\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = socket.write_all(response.as_bytes()).await;
    let _ = socket.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_challenge_is_the_rfc_7636_example() {
        // RFC 7636 appendix B.
        assert_eq!(
            pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn verifiers_are_43_unreserved_characters_and_never_repeat() {
        let (a, challenge) = pkce_pair().unwrap();
        let (b, _) = pkce_pair().unwrap();
        assert_eq!(a.expose().len(), 43);
        assert!(a.expose().chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert_ne!(a, b);
        assert_eq!(challenge, pkce_challenge(a.expose()));
    }

    #[tokio::test]
    async fn the_authorize_url_carries_everything_entra_needs() {
        let settings =
            PartnerCenterSettings::for_cloud(super::super::Cloud::Commercial, "organizations", "app-1").unwrap();
        let pending = begin_sign_in(&settings).await.unwrap();
        let url = url::Url::parse(&pending.authorize_url).unwrap();
        assert_eq!(url.host_str(), Some("login.microsoftonline.com"));
        assert_eq!(url.path(), "/organizations/oauth2/v2.0/authorize");
        let query: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(query["client_id"], "app-1");
        assert_eq!(query["response_type"], "code");
        assert_eq!(query["code_challenge_method"], "S256");
        assert_eq!(query["scope"], SCOPE);
        assert_eq!(query["redirect_uri"], pending.redirect_uri());
        assert!(pending.redirect_uri().starts_with("http://127.0.0.1:"));
        assert_eq!(query["code_challenge"], pkce_challenge(pending.verifier.expose()));
        assert!(!pending.authorize_url.contains(pending.verifier.expose()), "the verifier stays here");
        assert!(!format!("{pending:?}").contains(pending.verifier.expose()));
    }
}
