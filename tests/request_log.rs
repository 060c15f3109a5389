//! Every request is logged with method, host, path template, status, duration and correlation
//! ids, and never with a token, a password or a body. One test per process: it installs the logger.

mod common;

use serde_json::json;
use std::sync::Mutex;
use switchboard_core::avepoint::account_information;
use switchboard_sandbox::{Sandbox, PRACTICE_CLIENT_SECRET};

static LINES: Mutex<Vec<String>> = Mutex::new(Vec::new());

struct Capture;

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata) -> bool {
        true
    }
    fn log(&self, record: &log::Record) {
        LINES.lock().unwrap().push(format!("{}", record.args()));
    }
    fn flush(&self) {}
}

#[tokio::test]
async fn request_log_lines_name_the_request_and_hold_no_secret() {
    log::set_logger(&Capture).unwrap();
    log::set_max_level(log::LevelFilter::Info);
    let sandbox = Sandbox::start().await.unwrap();
    let client = common::practice_client(&sandbox);
    let changes = json!({"mail": "logged@contoso.example"});
    account_information::OPERATION.update(&client, &common::sample_target(), &changes).await.unwrap();

    let lines = LINES.lock().unwrap().clone();
    let put = lines.iter().find(|l| l.contains(" PUT ")).expect("the PUT is logged");
    assert!(
        put.contains("AvePoint PUT 127.0.0.1/partner/external/v3/um/customers/{customerId}/tenants/{tenantId}/users/{userId}/account-information -> 204"),
        "{put}"
    );
    assert!(put.contains(" ms attempt 1") && put.contains("vendor-request-id="), "{put}");
    assert!(lines.iter().any(|l| l.contains("POST 127.0.0.1/connect/token -> 200")), "{lines:?}");

    let tokens: Vec<String> = sandbox
        .state()
        .requests()
        .iter()
        .filter_map(|r| r.header("authorization").map(|h| h.trim_start_matches("Bearer ").to_string()))
        .collect();
    assert!(!tokens.is_empty());
    for line in &lines {
        assert!(!line.contains(PRACTICE_CLIENT_SECRET), "a secret in the log: {line}");
        assert!(!line.contains("logged@contoso.example"), "a body in the log: {line}");
        for token in &tokens {
            assert!(!line.contains(token.as_str()), "a token in the log: {line}");
        }
        // Real ids are templated away, so the log says which kind of record, not which person.
        assert!(!line.contains("7c18fd6f-fb26-4353-8dbd-5725fa9edc3f"), "a user id in the log: {line}");
    }
}
