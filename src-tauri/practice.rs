//! The Practice connection: the in-process sandbox, or one named by `SWITCHBOARD_PRACTICE_URL`.

use switchboard_core::avepoint::UserTarget;
use switchboard_core::connection::PracticeEndpoint;
use switchboard_core::secret::Secret;
use switchboard_sandbox::{avepoint::sample_user, Sandbox, PRACTICE_CLIENT_ID, PRACTICE_CLIENT_SECRET};

/// Points the Practice connection at an already running sandbox (tests, `switchboard-sandbox`)
/// instead of starting one in-process. Plain http is accepted for loopback addresses only.
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
    match std::env::var(PRACTICE_URL_VARIABLE) {
        Ok(url) if !url.trim().is_empty() => Ok((endpoint_at(&url), None)),
        _ => {
            let sandbox = Sandbox::start().await?;
            Ok((endpoint_at(&sandbox.url()), Some(sandbox)))
        }
    }
}
