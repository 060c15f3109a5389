//! "Test connection": sign in, then one harmless read (the first page of customers), and say
//! plainly what worked and what to do about what didn't.

use super::{AvePointClient, SCOPE_CUSTOMERS_READ, VENDOR};
use crate::error::{ErrorCode, Result};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionTestStep {
    pub title: String,
    pub ok: bool,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionTestReport {
    pub ok: bool,
    pub steps: Vec<ConnectionTestStep>,
}

#[derive(Deserialize)]
struct CustomerPage {
    metadata: Metadata,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Metadata {
    total_count: u64,
}

pub async fn test_connection(client: &AvePointClient) -> ConnectionTestReport {
    let mut steps = Vec::new();
    let host = client.settings().identity_url.host_str().unwrap_or_default().to_string();
    match client.sign_in(SCOPE_CUSTOMERS_READ).await {
        Ok(()) => steps.push(step(
            "Sign in",
            true,
            format!("Signed in to {VENDOR} ({host}) as app {}.", client.settings().client_id),
        )),
        Err(error) => {
            steps.push(step("Sign in", false, next_step(error.code, &error.message)));
            return ConnectionTestReport { ok: false, steps };
        }
    }
    let result: Result<CustomerPage> = client
        .post_json(
            "/partner/external/v3/general/customers/batch?pageIndex=1&pageSize=1",
            "/partner/external/v3/general/customers/batch",
            serde_json::json!({}),
            SCOPE_CUSTOMERS_READ,
        )
        .await;
    match result {
        Ok(page) => steps.push(step(
            "Read customers",
            true,
            format!(
                "Read the customer list: {} customer{} visible to this app registration.",
                page.metadata.total_count,
                if page.metadata.total_count == 1 { "" } else { "s" }
            ),
        )),
        Err(error) => steps.push(step("Read customers", false, next_step(error.code, &error.message))),
    }
    ConnectionTestReport { ok: steps.iter().all(|s| s.ok), steps }
}

fn step(title: &str, ok: bool, message: String) -> ConnectionTestStep {
    ConnectionTestStep { title: title.into(), ok, message }
}

fn next_step(code: ErrorCode, message: &str) -> String {
    match code {
        ErrorCode::SecretMissing => format!("{message} Enter the client secret in this connection and save."),
        ErrorCode::Unreachable => format!("{message} If you use a proxy or a VPN, check that it allows this address."),
        _ => message.to_string(),
    }
}

/// The same two steps for the other vendors: sign in, then their cheapest list.
pub async fn test_other_vendor(client: &crate::operations::VendorClient) -> ConnectionTestReport {
    use crate::operations::VendorClient;
    let (vendor, signed_in, listed): (&str, Result<()>, Result<String>) = match client {
        VendorClient::AvePoint(client) => return test_connection(client).await,
        VendorClient::PartnerCenter(client) => {
            let signed_in = client.sign_in().await;
            let listed = match &signed_in {
                Ok(()) => client.list_customers(1, None).await.map(|page| {
                    if page.items.is_empty() {
                        "no customers".to_string()
                    } else {
                        "customers".to_string()
                    }
                }),
                Err(_) => Ok(String::new()),
            };
            (
                crate::partner_center::VENDOR,
                signed_in,
                listed.map(|what| format!("Read the customer list: {what} visible.")),
            )
        }
        VendorClient::SoftwareOne(client) => {
            // SoftwareOne has no sign-in step: the first read proves the token.
            let listed = client.list_accounts(None, 1, 0).await.map(|list| {
                format!(
                    "Read the account list: {} account{} visible to this API token.",
                    list.total,
                    if list.total == 1 { "" } else { "s" }
                )
            });
            (crate::softwareone::VENDOR, Ok(()), listed)
        }
        VendorClient::Msp360(client) => {
            let signed_in = client.sign_in().await;
            let listed = match &signed_in {
                Ok(()) => crate::msp360::list_companies(client).await.map(|companies| {
                    format!(
                        "Read the company list: {} compan{}.",
                        companies.len(),
                        if companies.len() == 1 { "y" } else { "ies" }
                    )
                }),
                Err(_) => Ok(String::new()),
            };
            (crate::msp360::VENDOR, signed_in, listed)
        }
    };
    let mut steps = Vec::new();
    match signed_in {
        Ok(()) => steps.push(step("Sign in", true, format!("Signed in to {vendor}."))),
        Err(error) => {
            steps.push(step("Sign in", false, next_step(error.code, &error.message)));
            return ConnectionTestReport { ok: false, steps };
        }
    }
    match listed {
        Ok(message) => steps.push(step("Read", true, message)),
        Err(error) => steps.push(step("Read", false, next_step(error.code, &error.message))),
    }
    ConnectionTestReport { ok: steps.iter().all(|s| s.ok), steps }
}
