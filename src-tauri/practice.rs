//! The Practice connection: the in-process sandbox, or one named by `SWITCHBOARD_PRACTICE_URL`.

use switchboard_core::avepoint::UserTarget;
use switchboard_core::connection::PracticeEndpoint;
use switchboard_core::secret::Secret;
use switchboard_sandbox::{avepoint::sample_user, Sandbox, PRACTICE_CLIENT_ID, PRACTICE_CLIENT_SECRET};

/// Points the Practice connection at an already running sandbox (tests, `switchboard-sandbox`)
/// instead of starting one in-process. Plain http is accepted for loopback addresses only.
/// Development builds only: a release build always uses its own in-process sandbox, so nothing in
/// a user's environment can send the Practice connection (and its sample edits) elsewhere.
pub const PRACTICE_URL_VARIABLE: &str = "SWITCHBOARD_PRACTICE_URL";

/// The endpoint for a sandbox whose base URL is `url` (e.g. `http://127.0.0.1:8787`).
pub fn endpoint_at(url: &str) -> PracticeEndpoint {
    let url = url.trim().trim_end_matches('/');
    let (customer_id, tenant_id, user_id) = sample_user();
    PracticeEndpoint {
        api_url: format!("{url}/avepoint/graph"),
        identity_url: format!("{url}/avepoint/identity"),
        client_id: PRACTICE_CLIENT_ID.to_string(),
        // Not a credential: it only opens the local sandbox.
        client_secret: Secret::new(PRACTICE_CLIENT_SECRET),
        sample_target: UserTarget {
            customer_id: customer_id.into(),
            tenant_id: tenant_id.into(),
            user_id: user_id.into(),
        },
    }
}

/// Starts the in-process sandbox unless the environment names one. The returned sandbox must
/// live as long as the app.
pub async fn start() -> std::io::Result<(PracticeEndpoint, Option<Sandbox>)> {
    match practice_url(std::env::var(PRACTICE_URL_VARIABLE).ok(), cfg!(debug_assertions)) {
        Some(url) => Ok((endpoint_at(&url), None)),
        None => {
            let sandbox = Sandbox::start().await?;
            Ok((endpoint_at(&sandbox.url()), Some(sandbox)))
        }
    }
}

/// The sandbox the environment names (`variable`), honoured only in a development build.
pub fn practice_url(variable: Option<String>, development_build: bool) -> Option<String> {
    let url = variable.filter(|url| !url.trim().is_empty())?;
    if !development_build {
        eprintln!("{PRACTICE_URL_VARIABLE} is ignored by release builds; Practice uses its own sandbox.");
        return None;
    }
    Some(url)
}
