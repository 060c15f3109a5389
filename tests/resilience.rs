//! The HTTP layer against the sandbox's fault switches: throttling, server errors, malformed
//! bodies and dropped connections, with retries bounded in count and time.

mod common;

use common::{practice_client, sample_target};
use serde_json::json;
use std::time::{Duration, Instant};
use switchboard_core::avepoint::account_information;
use switchboard_core::http::RetryPolicy;
use switchboard_core::ErrorCode;
use switchboard_sandbox::{Faults, Sandbox};

/// Short waits so the suite stays fast; the same code paths as the default policy.
fn quick() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_secs(2),
        max_total: Duration::from_secs(10),
    }
}

fn api_only(faults: Faults) -> Faults {
    Faults { only_paths_containing: "/graph/".into(), ..faults }
}

fn user_reads(sandbox: &Sandbox) -> usize {
    sandbox.state().requests().iter().filter(|r| r.method == "GET").count()
}

#[tokio::test]
async fn a_429_with_retry_after_is_waited_out_then_succeeds() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.state().set_faults(api_only(Faults { throttle_next: 1, retry_after_seconds: 1, ..Faults::default() }));
    let client = practice_client(&sandbox).with_retry_policy(quick());
    let started = Instant::now();
    account_information::OPERATION.read(&client, &sample_target()).await.unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1), "Retry-After was honoured: {:?}", started.elapsed());
    assert_eq!(user_reads(&sandbox), 2);
}

#[tokio::test]
async fn a_burst_of_server_errors_is_retried_with_backoff() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.state().set_faults(api_only(Faults { fail_next: 2, ..Faults::default() }));
    let client = practice_client(&sandbox).with_retry_policy(quick());
    let changes = json!({"usageLocation": "NO"});
    account_information::OPERATION.update(&client, &sample_target(), &changes).await.unwrap();
    assert_eq!(user_reads(&sandbox), 3, "two 503s, then the read succeeded");
}

#[tokio::test]
async fn retries_stop_after_the_attempt_limit_with_a_plain_error() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.state().set_faults(api_only(Faults { fail_next: 10, ..Faults::default() }));
    let client = practice_client(&sandbox).with_retry_policy(quick());
    let error = account_information::OPERATION.read(&client, &sample_target()).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::VendorUnavailable);
    assert!(error.message.contains("had a problem on its side (HTTP 503)"), "{}", error.message);
    assert_eq!(user_reads(&sandbox), 4);
}

#[tokio::test]
async fn endless_throttling_gives_up_and_says_how_long_the_vendor_asked_to_wait() {
    let sandbox = Sandbox::start().await.unwrap();
    // Longer than the policy will ever wait: no retry at all.
    sandbox.state().set_faults(api_only(Faults { throttle_next: 10, retry_after_seconds: 120, ..Faults::default() }));
    let client = practice_client(&sandbox).with_retry_policy(quick());
    let started = Instant::now();
    let error = account_information::OPERATION.read(&client, &sample_target()).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(error.code, ErrorCode::RateLimited);
    assert!(error.message.contains("asked to wait 120 s"), "{}", error.message);
    assert_eq!(user_reads(&sandbox), 1);
}

#[tokio::test]
async fn bad_input_is_never_retried() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = practice_client(&sandbox).with_retry_policy(quick());
    let target = switchboard_core::avepoint::UserTarget { user_id: "missing".into(), ..sample_target() };
    let error = account_information::OPERATION.read(&client, &target).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::NotFound);
    assert_eq!(user_reads(&sandbox), 1);
}

#[tokio::test]
async fn a_dropped_connection_is_retried() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.state().set_faults(api_only(Faults { drop_next: 1, ..Faults::default() }));
    let client = practice_client(&sandbox).with_retry_policy(quick());
    account_information::OPERATION.read(&client, &sample_target()).await.unwrap();
    assert_eq!(user_reads(&sandbox), 2);
}

#[tokio::test]
async fn a_malformed_body_is_a_clear_error() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.state().set_faults(api_only(Faults { malform_next: 1, ..Faults::default() }));
    let error = account_information::OPERATION.read(&practice_client(&sandbox), &sample_target()).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::MalformedResponse);
}

#[tokio::test]
async fn a_steady_error_rate_is_absorbed() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.state().set_faults(api_only(Faults {
        fail_every: 3,
        latency: Duration::from_millis(10),
        ..Faults::default()
    }));
    let client = practice_client(&sandbox).with_retry_policy(quick());
    for _ in 0..6 {
        account_information::OPERATION.read(&client, &sample_target()).await.unwrap();
    }
}

#[tokio::test]
async fn each_retry_wait_is_told_to_whoever_watches_the_call() {
    use std::sync::{Arc, Mutex};
    use switchboard_core::http::{observe_retries, RetryNotice, RetryReason};
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.state().set_faults(api_only(Faults { throttle_next: 1, retry_after_seconds: 1, ..Faults::default() }));
    let client = practice_client(&sandbox).with_retry_policy(quick());
    let heard: Arc<Mutex<Vec<RetryNotice>>> = Arc::default();
    let sink = heard.clone();
    let observer = Arc::new(move |notice: RetryNotice| sink.lock().unwrap().push(notice));
    observe_retries(observer, account_information::OPERATION.read(&client, &sample_target())).await.unwrap();
    let heard = heard.lock().unwrap().clone();
    assert_eq!(
        heard,
        [RetryNotice {
            vendor: "AvePoint".into(),
            reason: RetryReason::Busy,
            wait_ms: 1000,
            next_attempt: 2,
            max_attempts: 4
        }]
    );

    // A call nobody watches retries the same, silently; another task's observer hears nothing of it.
    sandbox.state().set_faults(api_only(Faults { fail_next: 1, ..Faults::default() }));
    account_information::OPERATION.read(&client, &sample_target()).await.unwrap();
}

const MIB: usize = 1024 * 1024;

fn oversize(bytes: usize, chunked: bool, paths: &str) -> Faults {
    Faults {
        oversize_next: 1,
        oversize_bytes: bytes,
        oversize_chunked: chunked,
        only_paths_containing: paths.into(),
        ..Faults::default()
    }
}

/// The wire code scripts and the UI switch on.
fn wire_code(error: &switchboard_core::Error) -> serde_json::Value {
    serde_json::to_value(error.code).unwrap()
}

#[tokio::test]
async fn an_answer_larger_than_the_cap_is_refused_by_its_declared_length() {
    let sandbox = Sandbox::start().await.unwrap();
    // Valid JSON padded with spaces: read whole, it would parse.
    sandbox.state().set_faults(oversize(5 * MIB, false, "/graph/"));
    let error = account_information::OPERATION.read(&practice_client(&sandbox), &sample_target()).await.unwrap_err();
    assert_eq!(wire_code(&error), "response_too_large");
    assert!(
        error.message.starts_with("AvePoint sent an answer larger than Switchboard reads (4 MiB)"),
        "{}",
        error.message
    );
    assert_eq!(error.vendor_message.as_deref(), Some("Content-Length: 5242880 bytes"), "refused before reading");
    assert_eq!(user_reads(&sandbox), 1, "too large is not retried");
}

#[tokio::test]
async fn an_answer_without_a_length_is_cut_off_while_reading() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.state().set_faults(oversize(5 * MIB, true, "/graph/"));
    let error = account_information::OPERATION.read(&practice_client(&sandbox), &sample_target()).await.unwrap_err();
    assert_eq!(wire_code(&error), "response_too_large");
    assert!(error.message.contains("AvePoint"), "{}", error.message);
    assert!(error.vendor_message.unwrap().contains("without a Content-Length"), "counted while reading");

    // Just under the cap is read as usual.
    sandbox.state().set_faults(oversize(4 * MIB - 1, true, "/graph/"));
    account_information::OPERATION.read(&practice_client(&sandbox), &sample_target()).await.unwrap();
}

#[tokio::test]
async fn a_list_page_may_be_larger_than_a_record_but_not_unbounded() {
    use switchboard_core::avepoint::lists;
    let sandbox = Sandbox::start().await.unwrap();
    let client = practice_client(&sandbox);
    sandbox.state().set_faults(oversize(5 * MIB, false, "/customers/batch"));
    lists::list_customers(&client, 1, 10).await.unwrap();
    sandbox.state().set_faults(oversize(40 * MIB, true, "/customers/batch"));
    let error = lists::list_customers(&client, 1, 10).await.unwrap_err();
    assert_eq!(wire_code(&error), "response_too_large");
    assert!(error.message.contains("(32 MiB)"), "{}", error.message);
}

#[tokio::test]
async fn an_oversized_sign_in_answer_is_refused_too() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.state().set_faults(oversize(5 * MIB, true, "/connect/token"));
    let error = account_information::OPERATION.read(&practice_client(&sandbox), &sample_target()).await.unwrap_err();
    assert_eq!(wire_code(&error), "response_too_large");
    assert!(error.message.starts_with("AvePoint"), "{}", error.message);
}

#[tokio::test]
async fn an_oversized_error_answer_still_reports_the_status() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.state().set_faults(oversize(20 * MIB, true, "/graph/"));
    let mut target = sample_target();
    target.user_id = "00000000-0000-0000-0000-000000000000".into();
    let error = account_information::OPERATION.read(&practice_client(&sandbox), &target).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::NotFound, "{error:?}");
    assert!(error.vendor_message.unwrap_or_default().len() < 1024, "only the start of an error answer is kept");
}
