//! The Practice connection: the in-process sandbox, or one named by `SWITCHBOARD_PRACTICE_URL`.

use std::sync::Arc;
use switchboard_core::connection::{
    target_ids, PracticeConnection, PracticeEndpoint, PRACTICE_MSP360_ID, PRACTICE_PARTNER_CENTER_ID,
    PRACTICE_SOFTWAREONE_ID,
};
use switchboard_core::http::{check_url, UrlPolicy};
use switchboard_core::operations::VendorClient;
use switchboard_core::secret::Secret;
use switchboard_core::{msp360, partner_center, softwareone};
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
        sample_target: target_ids(&[("customerId", customer_id), ("tenantId", tenant_id), ("userId", user_id)]),
        others: other_vendors(url),
    }
}

/// The Practice connections to Partner Center, SoftwareOne and MSP360 in the same sandbox.
/// Plain http is allowed here as for AvePoint's ([`UrlPolicy::PRACTICE`]); the sandbox's own
/// address always passes, so a failure is a bug worth stopping on.
fn other_vendors(url: &str) -> Vec<PracticeConnection> {
    let address = |field: &str, path: &str| {
        check_url(field, "Practice address", &format!("{url}{path}"), UrlPolicy::PRACTICE)
            .expect("the sandbox's loopback address is allowed for Practice")
    };
    let safe = "Changes here never reach a real customer.";
    let partner_center = partner_center::PartnerCenterSettings {
        api_url: address("apiUrl", "/partner-center"),
        authority_url: address("authorityUrl", "/entra"),
        tenant: switchboard_sandbox::partner_center::PRACTICE_TENANT_ID.to_string(),
        client_id: switchboard_sandbox::partner_center::PRACTICE_CLIENT_ID.to_string(),
    };
    let softwareone = softwareone::SoftwareOneSettings { api_url: address("apiUrl", "/softwareone") };
    let msp360 = msp360::Msp360Settings {
        base_url: address("baseUrl", "/msp360"),
        user_name: switchboard_sandbox::msp360::PRACTICE_USER_NAME.to_string(),
    };
    vec![
        PracticeConnection {
            id: PRACTICE_PARTNER_CENTER_ID.to_string(),
            name: "Practice (Partner Center sandbox)".to_string(),
            description: format!(
                "A safe copy of Partner Center on this computer, already signed in, with sample customers. {safe}"
            ),
            client: VendorClient::PartnerCenter(Arc::new(partner_center::PartnerCenterClient::new(
                partner_center,
                Secret::new(switchboard_sandbox::partner_center::PRACTICE_REFRESH_TOKEN),
            ))),
            sample_target: {
                let (customer, user) = switchboard_sandbox::partner_center::sample_user();
                target_ids(&[("customerId", customer), ("userId", user)])
            },
        },
        PracticeConnection {
            id: PRACTICE_SOFTWAREONE_ID.to_string(),
            name: "Practice (SoftwareOne sandbox)".to_string(),
            description: format!(
                "A safe copy of SoftwareOne Marketplace on this computer with sample accounts. {safe}"
            ),
            client: VendorClient::SoftwareOne(Arc::new(softwareone::SoftwareOneClient::new(
                softwareone,
                Secret::new(switchboard_sandbox::softwareone::PRACTICE_TOKEN),
            ))),
            sample_target: {
                let (account, user) = switchboard_sandbox::softwareone::sample_user();
                target_ids(&[("accountId", account), ("userId", user)])
            },
        },
        PracticeConnection {
            id: PRACTICE_MSP360_ID.to_string(),
            name: "Practice (MSP360 sandbox)".to_string(),
            description: format!(
                "A safe copy of MSP360 Managed Backup on this computer with sample backup users. {safe}"
            ),
            client: VendorClient::Msp360(Arc::new(msp360::Msp360Client::new(
                msp360,
                Secret::new(switchboard_sandbox::msp360::PRACTICE_PASSWORD),
            ))),
            sample_target: target_ids(&[("userId", switchboard_sandbox::msp360::sample_user_id())]),
        },
    ]
}

/// Starts the in-process sandbox unless the environment names one. The returned sandbox must
/// live as long as the app.
pub async fn start() -> std::io::Result<(PracticeEndpoint, Option<Sandbox>)> {
    match practice_url(std::env::var(PRACTICE_URL_VARIABLE).ok(), cfg!(debug_assertions)) {
        Some(url) => Ok((endpoint_at(&url), None)),
        None => {
            let sandbox = Sandbox::start().await?;
            // Practice shows the People page too: the same people at every vendor.
            sandbox.state().seed_people();
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
