//! The connections the app can use, and one signed-in client per connection so tokens are
//! cached across commands. Only the built-in Practice connection exists until saved profiles land.

use std::sync::Arc;
use switchboard_core::avepoint::{AvePointClient, AvePointSettings, UserTarget};
use switchboard_core::connection::ConnectionSummary;
use switchboard_core::secret::Secret;
use switchboard_core::{Error, ErrorCode};
use switchboard_sandbox::{Sandbox, PRACTICE_CLIENT_ID, PRACTICE_CLIENT_SECRET};

pub const PRACTICE_ID: &str = "practice";
/// Points the Practice connection at an already running sandbox (tests, `switchboard-sandbox`)
/// instead of starting one in-process. Loopback only, like every plain-http address.
pub const PRACTICE_URL_VARIABLE: &str = "SWITCHBOARD_PRACTICE_URL";

pub struct Connections {
    practice: Arc<AvePointClient>,
    /// Keeps the in-process sandbox running for as long as the app does.
    _sandbox: Option<Sandbox>,
}

impl Connections {
    /// Starts the in-process sandbox (or uses `SWITCHBOARD_PRACTICE_URL`) for the Practice connection.
    pub async fn start() -> Result<Connections, Error> {
        match std::env::var(PRACTICE_URL_VARIABLE) {
            Ok(url) if !url.trim().is_empty() => {
                let url = url.trim().trim_end_matches('/');
                Self::with_practice_sandbox_at(
                    &format!("{url}/avepoint/graph"),
                    &format!("{url}/avepoint/identity"),
                    None,
                )
            }
            _ => {
                let sandbox = Sandbox::start()
                    .await
                    .map_err(|error| Error::internal(format!("The practice sandbox could not start: {error}")))?;
                let (api, identity) = (sandbox.avepoint_api_url(), sandbox.avepoint_identity_url());
                Self::with_practice_sandbox_at(&api, &identity, Some(sandbox))
            }
        }
    }

    pub fn with_practice_sandbox_at(
        api_url: &str,
        identity_url: &str,
        sandbox: Option<Sandbox>,
    ) -> Result<Connections, Error> {
        let settings = AvePointSettings::new(api_url, identity_url, PRACTICE_CLIENT_ID)?;
        let practice = Arc::new(AvePointClient::new(settings, Secret::new(PRACTICE_CLIENT_SECRET)));
        Ok(Connections { practice, _sandbox: sandbox })
    }

    pub fn list(&self) -> Vec<ConnectionSummary> {
        let (customer_id, tenant_id, user_id) = switchboard_sandbox::avepoint::sample_user();
        vec![ConnectionSummary {
            id: PRACTICE_ID.to_string(),
            name: "Practice (AvePoint sandbox)".to_string(),
            vendor: switchboard_core::avepoint::VENDOR.to_string(),
            description: "A safe copy of AvePoint on this computer with sample customers. Changes here never reach a real customer.".to_string(),
            is_practice: true,
            sample_target: Some(UserTarget {
                customer_id: customer_id.to_string(),
                tenant_id: tenant_id.to_string(),
                user_id: user_id.to_string(),
            }),
        }]
    }

    pub fn avepoint(&self, connection_id: &str) -> Result<Arc<AvePointClient>, Error> {
        match connection_id {
            PRACTICE_ID => Ok(self.practice.clone()),
            other => Err(Error::new(
                ErrorCode::InvalidConnection,
                format!("There is no connection called \"{other}\". Pick one from the list."),
            )),
        }
    }
}
