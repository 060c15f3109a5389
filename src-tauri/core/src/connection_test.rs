//! "Test connection" for every vendor: sign in, then one harmless read (each vendor's
//! [`crate::vendors::VendorDef::test`] says which), and say plainly what worked and what to do
//! about what didn't.

use crate::error::{ErrorCode, Result};
use serde::Serialize;
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

impl ConnectionTestReport {
    /// A test that stopped before signing in (the saved settings or secret can't be used).
    pub fn failed(title: &str, message: String) -> Self {
        ConnectionTestReport { ok: false, steps: vec![step(title, false, message)] }
    }
}

/// The two steps: `signed_in` (what to say when it worked), then, only if it did, `read`
/// (titled `read_title`, saying what it read).
pub async fn sign_in_then_read(
    signed_in: Result<String>,
    read_title: &str,
    read: impl std::future::Future<Output = Result<String>>,
) -> ConnectionTestReport {
    let mut steps = Vec::new();
    match signed_in {
        Ok(message) => steps.push(step("Sign in", true, message)),
        Err(error) => {
            steps.push(step("Sign in", false, next_step(error.code, &error.message)));
            return ConnectionTestReport { ok: false, steps };
        }
    }
    match read.await {
        Ok(message) => steps.push(step(read_title, true, message)),
        Err(error) => steps.push(step(read_title, false, next_step(error.code, &error.message))),
    }
    ConnectionTestReport { ok: steps.iter().all(|s| s.ok), steps }
}

/// "1 account" / "3 accounts".
pub fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
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
