//! Shared helpers for the integration tests: a sandbox and clients signed in to it.
#![allow(dead_code)]

use switchboard_core::avepoint::{AvePointClient, AvePointSettings, UserTarget};
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
