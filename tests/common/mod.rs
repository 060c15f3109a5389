//! Shared helpers for the integration tests: a sandbox and clients signed in to it.
#![allow(dead_code)]

use serde_json::{json, Value};
use std::time::Duration;
use switchboard_core::avepoint::{AvePointClient, AvePointSettings, UserTarget};
use switchboard_core::operations::VendorClient;
use switchboard_core::secret::Secret;
use switchboard_sandbox::{avepoint::sample_user, Sandbox, PRACTICE_CLIENT_ID, PRACTICE_CLIENT_SECRET};

pub fn client_for(sandbox: &Sandbox, client_id: &str, secret: &str) -> AvePointClient {
    let settings =
        AvePointSettings::new(&sandbox.avepoint_api_url(), &sandbox.avepoint_identity_url(), client_id).unwrap();
    AvePointClient::new(settings, Secret::new(secret))
}

pub fn practice_client(sandbox: &Sandbox) -> AvePointClient {
    client_for(sandbox, PRACTICE_CLIENT_ID, PRACTICE_CLIENT_SECRET)
}

pub fn sample_target() -> UserTarget {
    let (customer_id, tenant_id, user_id) = sample_user();
    UserTarget { customer_id: customer_id.into(), tenant_id: tenant_id.into(), user_id: user_id.into() }
}

/// Requests other than sign-in, as `METHOD path`.
pub fn api_calls(sandbox: &Sandbox) -> Vec<String> {
    sandbox
        .state()
        .requests()
        .into_iter()
        .filter(|r| !r.path.ends_with("/connect/token"))
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

pub fn token_requests(sandbox: &Sandbox) -> usize {
    sandbox.state().requests().iter().filter(|r| r.path.ends_with("/connect/token")).count()
}

/// Short waits so tests and soaks stay fast; the same code paths as the default policy.
fn quick_retries() -> switchboard_core::http::RetryPolicy {
    switchboard_core::http::RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(200),
        max_total: Duration::from_secs(5),
    }
}

/// A signed-in client for `operation`'s vendor in the practice sandbox, and its sample record.
pub async fn vendor_client(sandbox: &Sandbox, operation: &str) -> (VendorClient, Value) {
    use std::sync::Arc;
    use switchboard_core::{avepoint, msp360, partner_center, softwareone};
    match switchboard_core::operations::vendor(operation).unwrap() {
        switchboard_core::profiles::Vendor::Avepoint => {
            let settings = avepoint::AvePointSettings::new(
                &sandbox.avepoint_api_url(),
                &sandbox.avepoint_identity_url(),
                switchboard_sandbox::PRACTICE_CLIENT_ID,
            )
            .unwrap();
            let secret = Secret::new(switchboard_sandbox::PRACTICE_CLIENT_SECRET);
            let client = avepoint::AvePointClient::new(settings, secret).with_retry_policy(quick_retries());
            let (customer, tenant, user) = switchboard_sandbox::avepoint::sample_user();
            (
                VendorClient::AvePoint(Arc::new(client)),
                json!({ "customerId": customer, "tenantId": tenant, "userId": user }),
            )
        }
        switchboard_core::profiles::Vendor::PartnerCenter => {
            use switchboard_sandbox::partner_center::{sample_user, PRACTICE_CLIENT_ID, PRACTICE_TENANT_ID};
            let settings = partner_center::PartnerCenterSettings::new(
                &sandbox.partner_center_api_url(),
                &sandbox.entra_url(),
                PRACTICE_TENANT_ID,
                PRACTICE_CLIENT_ID,
            )
            .unwrap();
            let pending = partner_center::begin_sign_in(&settings).await.unwrap();
            let url = pending.authorize_url.clone();
            let browser = tokio::spawn(async move { browser_get(url).await.unwrap().text().await.unwrap() });
            let tokens = pending.finish().await.unwrap();
            browser.await.unwrap();
            let client =
                partner_center::PartnerCenterClient::from_sign_in(settings, tokens).with_retry_policy(quick_retries());
            let (customer, user) = sample_user();
            (VendorClient::PartnerCenter(Arc::new(client)), json!({ "customerId": customer, "userId": user }))
        }
        switchboard_core::profiles::Vendor::Softwareone => {
            let settings = softwareone::SoftwareOneSettings::new(&sandbox.softwareone_url()).unwrap();
            let token = Secret::new(switchboard_sandbox::softwareone::PRACTICE_TOKEN);
            let client = softwareone::SoftwareOneClient::new(settings, token).with_retry_policy(quick_retries());
            let (account, user) = switchboard_sandbox::softwareone::sample_user();
            (VendorClient::SoftwareOne(Arc::new(client)), json!({ "accountId": account, "userId": user }))
        }
        switchboard_core::profiles::Vendor::Msp360 => {
            use switchboard_sandbox::msp360::{sample_user_id, PRACTICE_PASSWORD, PRACTICE_USER_NAME};
            let settings = msp360::Msp360Settings::new(&sandbox.msp360_url(), PRACTICE_USER_NAME).unwrap();
            let client =
                msp360::Msp360Client::new(settings, Secret::new(PRACTICE_PASSWORD)).with_retry_policy(quick_retries());
            (VendorClient::Msp360(Arc::new(client)), json!({ "userId": sample_user_id() }))
        }
    }
}

/// What a browser does with a sign-in address: a GET that follows redirects (the app's own client
/// never does). rustls's provider is the app's (ring), installed first.
pub async fn browser_get(url: impl reqwest::IntoUrl) -> reqwest::Result<reqwest::Response> {
    switchboard_core::http::use_ring_for_tls();
    reqwest::get(url).await
}
