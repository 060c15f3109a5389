//! The SoftwareOne client against the sandbox, over real HTTP on 127.0.0.1, and contract tests
//! that pin the exact requests it sends against the seed's OpenAPI `AccountUser` schema.

use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};
use switchboard_core::http::RetryPolicy;
use switchboard_core::secret::Secret;
use switchboard_core::softwareone::account_user;
use switchboard_core::softwareone::rql::Rql;
use switchboard_core::softwareone::{AccountUserTarget, SoftwareOneClient, SoftwareOneSettings, VENDOR};
use switchboard_core::ErrorCode;
use switchboard_sandbox::softwareone::{sample_user, LIMITED_TOKEN, PRACTICE_TOKEN, RESTRICTED_ACCOUNT};
use switchboard_sandbox::{Faults, Sandbox};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const USER_PATH: &str = "/softwareone/public/v1/accounts/accounts/ACC-1234-5678/users/USR-0000-0001";

/// Short waits so the suite stays fast; the same code paths as the default policy.
fn quick() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_secs(2),
        max_total: Duration::from_secs(10),
    }
}

fn client_with(url: &str, token: &str) -> SoftwareOneClient {
    SoftwareOneClient::new(SoftwareOneSettings::new(url).unwrap(), Secret::new(token)).with_retry_policy(quick())
}

fn practice_client(sandbox: &Sandbox) -> SoftwareOneClient {
    client_with(&sandbox.softwareone_url(), PRACTICE_TOKEN)
}

fn sample_target() -> AccountUserTarget {
    let (account_id, user_id) = sample_user();
    AccountUserTarget { account_id: account_id.into(), user_id: user_id.into() }
}

/// What the sandbox holds for the sample user, in the client's terms.
fn held(sandbox: &Sandbox, target: &AccountUserTarget) -> Value {
    let user = sandbox.state().softwareone.user(&target.account_id, &target.user_id).unwrap();
    let json = serde_json::json!({
        "email": user.email, "firstName": user.first_name, "lastName": user.last_name,
        "phone": user.phone, "settings": user.settings,
    });
    switchboard_core::record::values(account_user::FIELDS, VENDOR, &json).unwrap()
}

fn calls(sandbox: &Sandbox) -> Vec<String> {
    sandbox.state().requests().into_iter().map(|r| format!("{} {}", r.method, r.path)).collect()
}

fn vendor_requests(sandbox: &Sandbox) -> usize {
    sandbox.state().requests().iter().filter(|r| r.path.starts_with("/softwareone/")).count()
}

fn email_change(email: &str) -> Value {
    json!({"email": email})
}

fn api_only(faults: Faults) -> Faults {
    Faults { only_paths_containing: "/softwareone/".into(), ..faults }
}

#[tokio::test]
async fn reads_the_sample_account_user() {
    let sandbox = Sandbox::start().await.unwrap();
    let user = account_user::OPERATION.read(&practice_client(&sandbox), &sample_target()).await.unwrap();
    assert_eq!(user["email"], "mark.lee@contoso.example");
    assert_eq!((&user["firstName"], &user["lastName"]), (&json!("Mark"), &json!("Lee")));
    assert_eq!(user["phone"], json!({"prefix": "+1", "number": "4255550101"}));
    assert_eq!(user["settings"]["cultureCode"], "en-US");
    assert_eq!(user["settings"]["numberFormat"]["decimalSeparator"], ".");
    assert!(account_user::check(&user).is_empty(), "the sample passes the client's own rules");
}

#[tokio::test]
async fn put_sends_only_the_changed_fields() {
    let sandbox = Sandbox::start().await.unwrap();
    let changes = json!({
        // Unchanged: must not be sent.
        "email": "mark.lee@contoso.example",
        "lastName": "Lee-Smith",
        "phone": {"number": "4255550199", "prefix": "+1"},
        "settings": {"numberFormat": {"decimalSeparator": ","}},
    });
    let receipt = account_user::OPERATION.update(&practice_client(&sandbox), &sample_target(), &changes).await.unwrap();

    assert_eq!(receipt.changed_fields, vec!["lastName", "phone.number", "settings.numberFormat.decimalSeparator"]);
    assert_eq!(calls(&sandbox), vec![format!("GET {USER_PATH}"), format!("PUT {USER_PATH}")]);
    let requests = sandbox.state().requests();
    let (get, put) = (&requests[0], &requests[1]);
    for request in [get, put] {
        assert_eq!(request.header("authorization"), Some(format!("Bearer {PRACTICE_TOKEN}").as_str()));
        assert_eq!(request.header("accept"), Some("application/json"));
        assert_eq!(request.query, None);
    }
    assert_eq!(get.body, "");
    assert_eq!(put.header("content-type"), Some("application/json"));
    assert_eq!(
        put.json().unwrap(),
        serde_json::json!({
            "lastName": "Lee-Smith",
            "phone": { "prefix": "+1", "number": "4255550199" },
            "settings": {
                "cultureCode": "en-US",
                "languageCode": "en-US",
                "timeZone": "Pacific Standard Time",
                "dateFormat": "MM/dd/yyyy",
                "timeFormat": "h:mm tt",
                "numberFormat": { "decimalSeparator": ",", "groupSeparator": "," }
            }
        }),
        "top-level fields only when changed; a nested object with a change is sent whole"
    );
    let stored = held(&sandbox, &sample_target());
    assert_eq!(stored["lastName"], "Lee-Smith");
    assert_eq!(stored["phone"]["prefix"], "+1", "members not sent are kept");
    assert_eq!(stored["settings"]["numberFormat"]["groupSeparator"], ",");
}

#[tokio::test]
async fn a_changed_member_sends_its_nested_object_whole_from_the_fresh_read() {
    let sandbox = Sandbox::start().await.unwrap();
    // Someone changes the time format after the form was loaded: the save's own read has it.
    let (account, user) = sample_user();
    let mut stored = sandbox.state().softwareone.user(account, user).unwrap();
    stored.settings.as_mut().unwrap().time_format = Some("HH:mm".into());
    assert!(sandbox.state().softwareone.replace_user(account, stored));
    let changes = json!({"phone": json!({"number": "4255550199"}), "settings": json!({"numberFormat": json!({"groupSeparator": " "})})});
    let receipt = account_user::OPERATION.update(&practice_client(&sandbox), &sample_target(), &changes).await.unwrap();
    assert_eq!(receipt.changed_fields, vec!["phone.number", "settings.numberFormat.groupSeparator"]);
    let put = sandbox.state().requests().into_iter().find(|r| r.method == "PUT").unwrap();
    assert_eq!(
        put.json().unwrap(),
        serde_json::json!({
            "phone": { "prefix": "+1", "number": "4255550199" },
            "settings": {
                "cultureCode": "en-US",
                "languageCode": "en-US",
                "timeZone": "Pacific Standard Time",
                "dateFormat": "MM/dd/yyyy",
                "timeFormat": "HH:mm",
                "numberFormat": { "decimalSeparator": ".", "groupSeparator": " " }
            }
        })
    );
    let held = held(&sandbox, &sample_target());
    assert_eq!(held["phone"]["prefix"], "+1", "a replaced phone keeps its prefix");
    assert_eq!(held["settings"]["cultureCode"], "en-US");
    assert_eq!(held["settings"]["timeFormat"], "HH:mm");
    assert_eq!(held["settings"]["numberFormat"]["decimalSeparator"], ".");
}

#[tokio::test]
async fn members_the_vendor_left_null_go_back_null_in_the_whole_object() {
    let sandbox = Sandbox::start().await.unwrap();
    // Priya (invited): no phone, no time zone, no date or time format, no number format.
    let target = AccountUserTarget { user_id: "USR-0000-0004".into(), ..sample_target() };
    let changes =
        json!({"phone": json!({"number": "2075550104"}), "settings": json!({"timeZone": "GMT Standard Time"})});
    account_user::OPERATION.update(&practice_client(&sandbox), &target, &changes).await.unwrap();
    let put = sandbox.state().requests().into_iter().find(|r| r.method == "PUT").unwrap();
    assert_eq!(
        put.json().unwrap(),
        serde_json::json!({
            "phone": { "prefix": null, "number": "2075550104" },
            "settings": {
                "cultureCode": "en-GB",
                "languageCode": "en",
                "timeZone": "GMT Standard Time",
                "dateFormat": null,
                "timeFormat": null,
                "numberFormat": null
            }
        })
    );
    let held = sandbox.state().softwareone.user(&target.account_id, &target.user_id).unwrap();
    assert_eq!(held.settings.unwrap().number_format, None);
}

#[tokio::test]
async fn a_nested_object_the_vendor_does_not_hold_needs_its_required_members() {
    let sandbox = Sandbox::start().await.unwrap();
    let (account, user) = sample_user();
    let mut stored = sandbox.state().softwareone.user(account, user).unwrap();
    stored.settings = None;
    assert!(sandbox.state().softwareone.replace_user(account, stored));
    let changes = json!({"settings": json!({"timeZone": "UTC"})});
    let error =
        account_user::OPERATION.update(&practice_client(&sandbox), &sample_target(), &changes).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::InvalidInput);
    let fields: Vec<&str> = error.field_errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, vec!["settings.cultureCode", "settings.languageCode"]);
    assert!(sandbox.state().requests().iter().all(|r| r.method != "PUT"), "nothing the vendor would refuse is sent");
}

#[tokio::test]
async fn codes_the_vendor_holds_outside_our_checks_go_back_untouched_in_a_whole_object() {
    let sandbox = Sandbox::start().await.unwrap();
    let (account, user) = sample_user();
    let mut stored = sandbox.state().softwareone.user(account, user).unwrap();
    // Latin-American Spanish: a real culture code, but not the xx-XX our checks expect.
    stored.settings.as_mut().unwrap().culture_code = "es-419".into();
    stored.settings.as_mut().unwrap().language_code = "es-419".into();
    assert!(sandbox.state().softwareone.replace_user(account, stored));
    let changes = json!({"settings": json!({"timeZone": "UTC"})});
    let receipt = account_user::OPERATION.update(&practice_client(&sandbox), &sample_target(), &changes).await.unwrap();
    assert_eq!(receipt.changed_fields, vec!["settings.timeZone"]);
    let put = sandbox.state().requests().into_iter().find(|r| r.method == "PUT").unwrap();
    let settings = &put.json().unwrap()["settings"];
    assert_eq!((&settings["cultureCode"], &settings["languageCode"]), (&"es-419".into(), &"es-419".into()));
    assert_eq!(held(&sandbox, &sample_target())["settings"]["timeZone"], "UTC");
}

#[tokio::test]
async fn an_emptied_optional_field_is_sent_as_null_and_cleared() {
    let sandbox = Sandbox::start().await.unwrap();
    let changes = json!({"phone": json!({"prefix": ""}), "settings": json!({"timeFormat": " "})});
    let receipt = account_user::OPERATION.update(&practice_client(&sandbox), &sample_target(), &changes).await.unwrap();
    let put = sandbox.state().requests().into_iter().find(|r| r.method == "PUT").unwrap();
    let body = put.json().unwrap();
    assert_eq!(body["phone"], serde_json::json!({"prefix": null, "number": "4255550101"}));
    assert_eq!(body["settings"]["timeFormat"], serde_json::Value::Null);
    assert_eq!(body["settings"]["dateFormat"], "MM/dd/yyyy");
    let user = sandbox.state().softwareone.user("ACC-1234-5678", "USR-0000-0001").unwrap();
    assert_eq!(user.phone.unwrap().prefix, None);
    assert_eq!(user.settings.unwrap().time_format, None);
    assert_eq!(receipt.after["phone"]["prefix"], "");
}

#[tokio::test]
async fn the_receipt_shows_what_the_vendor_now_holds() {
    let sandbox = Sandbox::start().await.unwrap();
    let changes = json!({"firstName": "  Marcus ", "settings": json!({"cultureCode": "en-GB"})});
    let before = held(&sandbox, &sample_target());
    let receipt = account_user::OPERATION.update(&practice_client(&sandbox), &sample_target(), &changes).await.unwrap();
    assert_eq!(receipt.before, before);
    assert_eq!(receipt.after, held(&sandbox, &sample_target()));
    assert_eq!(receipt.after["firstName"], "Marcus", "trimmed before sending");
    assert_eq!(receipt.after["settings"]["cultureCode"], "en-GB");
    assert_eq!(receipt.changed_fields, vec!["firstName", "settings.cultureCode"]);
    assert_eq!(sandbox.state().softwareone.user("ACC-1234-5678", "USR-0000-0001").unwrap().revision, 2);
}

#[tokio::test]
async fn the_receipt_is_the_vendors_answer_not_the_local_merge() {
    // A vendor that stores the name in capitals: the receipt must show that, not our guess.
    let url = vendor_answering(|request_line| match request_line.split(' ').next() {
        Some("PUT") => (200, r#"{"id":"USR-0000-0001","email":"mark.lee@contoso.example","firstName":"MARCUS","lastName":"Lee","phone":null,"settings":null}"#),
        _ => (200, r#"{"id":"USR-0000-0001","email":"mark.lee@contoso.example","firstName":"Mark","lastName":"Lee","phone":null,"settings":null}"#),
    })
    .await;
    let client = client_with(&url, PRACTICE_TOKEN);
    let changes = json!({"firstName": "Marcus"});
    let receipt = account_user::OPERATION.update(&client, &sample_target(), &changes).await.unwrap();
    assert_eq!(receipt.before["firstName"], "Mark");
    assert_eq!(receipt.after["firstName"], "MARCUS");
}

#[tokio::test]
async fn nothing_is_sent_when_nothing_changed() {
    let sandbox = Sandbox::start().await.unwrap();
    let receipt = account_user::OPERATION
        .update(&practice_client(&sandbox), &sample_target(), &email_change(" mark.lee@contoso.example "))
        .await
        .unwrap();
    assert!(receipt.changed_fields.is_empty());
    assert_eq!(receipt.before, receipt.after);
    assert_eq!(calls(&sandbox), vec![format!("GET {USER_PATH}")]);
}

#[tokio::test]
async fn invalid_edits_are_refused_before_any_request() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = practice_client(&sandbox);
    let phone = |prefix: Option<&str>, number: Option<&str>| json!({"phone": {"prefix": prefix, "number": number}});
    let settings = |settings: Value| json!({ "settings": settings });
    let long_email = format!("{}@{}.example", "a".repeat(64), "b".repeat(60) + &".c".repeat(70));
    let cases: Vec<(Value, &str, &str)> = vec![
        (email_change("not-an-address"), "email", "Email must be an email address, like name@example.com."),
        (email_change(&long_email), "email", "Email can be at most 254 characters long"),
        (email_change(""), "email", "Email is required."),
        (json!({"firstName": " "}), "firstName", "First name is required."),
        (json!({"lastName": ""}), "lastName", "Last name is required."),
        (phone(Some("+12345678901"), None), "phone.prefix", "Phone country code can be at most 10 characters"),
        (phone(None, Some("1234567890123456")), "phone.number", "Phone number can be at most 15 characters"),
        (
            settings(json!({"cultureCode": "en_US"})),
            "settings.cultureCode",
            "Regional format must be a culture code like en-US",
        ),
        (settings(json!({"cultureCode": ""})), "settings.cultureCode", "Regional format is required."),
        (
            settings(json!({"languageCode": "eng"})),
            "settings.languageCode",
            "Language must be a language code like en or en-US",
        ),
        (
            settings(json!({"numberFormat": json!({"decimalSeparator": ""})})),
            "settings.numberFormat.decimalSeparator",
            "Decimal separator is required.",
        ),
    ];
    for (changes, field, message) in cases {
        let error = account_user::OPERATION.update(&client, &sample_target(), &changes).await.unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidInput, "{field}");
        assert_eq!(error.field.as_deref(), Some(field), "{field}");
        assert!(error.message.starts_with(message), "{field}: {}", error.message);
    }
    assert!(sandbox.state().requests().is_empty(), "no request at all");
}

#[tokio::test]
async fn problem_details_become_field_errors_with_the_trace_id() {
    // The vendor's own validation (stubbed: the client would refuse this before sending).
    let url = vendor_answering(|request_line| match request_line.split(' ').next() {
        Some("PUT") => (
            400,
            r#"{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"One or more validation errors occurred.","status":400,"traceId":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00","errors":{"Phone.Number":["The field Number must be a string with a maximum length of 15."],"$.settings.cultureCode":["The JSON value could not be converted to System.String."]}}"#,
        ),
        _ => (200, r#"{"id":"USR-0000-0001","email":"a@b.example","firstName":"A","lastName":"B"}"#),
    })
    .await;
    let changes = json!({"firstName": "C"});
    let error = account_user::OPERATION
        .update(&client_with(&url, PRACTICE_TOKEN), &sample_target(), &changes)
        .await
        .unwrap_err();
    assert_eq!(error.code, ErrorCode::VendorRejected);
    assert_eq!(error.message, "SoftwareOne refused the change: One or more validation errors occurred.");
    let mut fields: Vec<(&str, &str)> =
        error.field_errors.iter().map(|e| (e.field.as_str(), e.message.as_str())).collect();
    fields.sort();
    assert_eq!(
        fields,
        vec![
            ("phone.number", "The field Number must be a string with a maximum length of 15."),
            ("settings.cultureCode", "The JSON value could not be converted to System.String."),
        ]
    );
    assert_eq!(error.reference.as_deref(), Some("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"));

    // The sandbox's 409 for an address another user has: title + detail, the field, the trace id.
    let sandbox = Sandbox::start().await.unwrap();
    let error = account_user::OPERATION
        .update(&practice_client(&sandbox), &sample_target(), &email_change("jan.smith@contoso.example"))
        .await
        .unwrap_err();
    assert_eq!(error.code, ErrorCode::VendorRejected);
    assert_eq!(error.field.as_deref(), Some("email"));
    assert!(error.message.contains("already used by another Marketplace user"), "{}", error.message);
    assert!(error.vendor_message.as_deref().unwrap().starts_with("HTTP 409: Conflict: "));
    assert_eq!(error.reference, sandbox.state().softwareone.trace_ids().last().cloned());
    assert!(error.reference.unwrap().starts_with("00-"));
}

#[tokio::test]
async fn a_rejected_token_is_final_and_never_shown() {
    let sandbox = Sandbox::start().await.unwrap();
    let token = "idt:TKN-0000-0000:not-a-real-token";
    let error = account_user::OPERATION
        .read(&client_with(&sandbox.softwareone_url(), token), &sample_target())
        .await
        .unwrap_err();
    assert_eq!(error.code, ErrorCode::SignInRejected);
    assert!(error.message.contains("wrong, disabled or deleted"), "{}", error.message);
    assert!(error.message.contains("update it in the connection"), "{}", error.message);
    assert_eq!(vendor_requests(&sandbox), 1, "no refresh, no retry");
    assert!(error.reference.is_some());
    let json = serde_json::to_string(&error).unwrap();
    assert!(!json.contains("not-a-real-token"), "{json}");
}

#[tokio::test]
async fn a_disabled_token_is_rejected_plainly() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = practice_client(&sandbox);
    account_user::OPERATION.read(&client, &sample_target()).await.unwrap();
    sandbox.state().softwareone.disable_token(PRACTICE_TOKEN);
    let error = account_user::OPERATION
        .update(&client, &sample_target(), &email_change("new@contoso.example"))
        .await
        .unwrap_err();
    assert_eq!(error.code, ErrorCode::SignInRejected);
    assert!(error.vendor_message.unwrap().contains("disabled"));
    assert_eq!(calls(&sandbox), vec![format!("GET {USER_PATH}"), format!("GET {USER_PATH}")]);
}

#[tokio::test]
async fn a_token_without_access_to_the_account_is_forbidden() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client_with(&sandbox.softwareone_url(), LIMITED_TOKEN);
    account_user::OPERATION.read(&client, &sample_target()).await.unwrap();
    let target = AccountUserTarget { account_id: RESTRICTED_ACCOUNT.into(), user_id: "USR-0000-0009".into() };
    let error =
        account_user::OPERATION.update(&client, &target, &email_change("ravi@fabrikam.example")).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::Forbidden);
    assert!(error.message.contains("not allowed to do that for this account"), "{}", error.message);
    assert!(error.vendor_message.unwrap().contains(RESTRICTED_ACCOUNT));
    assert_eq!(error.reference, sandbox.state().softwareone.trace_ids().last().cloned());
    assert!(!calls(&sandbox).iter().any(|c| c.starts_with("PUT")), "refused at the read");
    let error = client.list_users(RESTRICTED_ACCOUNT, None, 10, 0).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::Forbidden);
}

#[tokio::test]
async fn unknown_user_is_not_found_with_the_trace_id() {
    let sandbox = Sandbox::start().await.unwrap();
    let target = AccountUserTarget { user_id: "USR-9999-9999".into(), ..sample_target() };
    let error = account_user::OPERATION.read(&practice_client(&sandbox), &target).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::NotFound);
    assert!(error.vendor_message.unwrap().contains("USR-9999-9999"));
    assert_eq!(error.reference, sandbox.state().softwareone.trace_ids().last().cloned());
    assert_eq!(vendor_requests(&sandbox), 1, "a 404 is not retried");
}

#[tokio::test]
async fn a_429_with_retry_after_is_waited_out_then_succeeds() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.state().set_faults(api_only(Faults { throttle_next: 1, retry_after_seconds: 1, ..Faults::default() }));
    let started = Instant::now();
    account_user::OPERATION.read(&practice_client(&sandbox), &sample_target()).await.unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1), "Retry-After was honoured: {:?}", started.elapsed());
    assert_eq!(vendor_requests(&sandbox), 2);
}

#[tokio::test]
async fn a_burst_of_server_errors_is_retried_then_succeeds() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.state().set_faults(api_only(Faults { fail_next: 2, ..Faults::default() }));
    let receipt = account_user::OPERATION
        .update(&practice_client(&sandbox), &sample_target(), &email_change("m@contoso.example"))
        .await
        .unwrap();
    assert_eq!(receipt.after["email"], "m@contoso.example");
    assert_eq!(calls(&sandbox).iter().filter(|c| c.starts_with("GET")).count(), 3, "two 503s, then the read");
    assert_eq!(calls(&sandbox).iter().filter(|c| c.starts_with("PUT")).count(), 1);
}

#[tokio::test]
async fn endless_server_errors_end_in_a_plain_error() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.state().set_faults(api_only(Faults { fail_next: 10, ..Faults::default() }));
    let error = account_user::OPERATION.read(&practice_client(&sandbox), &sample_target()).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::VendorUnavailable);
    assert_eq!(vendor_requests(&sandbox), 4);
}

#[tokio::test]
async fn a_malformed_reply_is_a_clear_error() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.state().set_faults(api_only(Faults { malform_next: 1, ..Faults::default() }));
    let error = account_user::OPERATION.read(&practice_client(&sandbox), &sample_target()).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::MalformedResponse);
    assert_eq!(error.message, "SoftwareOne sent a reply Switchboard can't read.");

    for body in ["<html>gateway</html>", "[1,2,3]", "{\"email\": 42}", ""] {
        let url = vendor_answering(move |_| (200, body)).await;
        let error =
            account_user::OPERATION.read(&client_with(&url, PRACTICE_TOKEN), &sample_target()).await.unwrap_err();
        assert_eq!(error.code, ErrorCode::MalformedResponse, "{body}");
        let error = client_with(&url, PRACTICE_TOKEN).list_accounts(None, 10, 0).await.unwrap_err();
        assert_eq!(error.code, ErrorCode::MalformedResponse, "{body}");
    }
}

#[tokio::test]
async fn path_injection_attempts_never_reach_the_vendor() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = practice_client(&sandbox);
    for (account_id, user_id, field) in [
        ("../../accounts", "USR-0000-0001", "accountId"),
        ("ACC-1234-5678", "USR-1/../../x", "userId"),
        ("ACC-1234-5678?limit=1", "USR-0000-0001", "accountId"),
        ("ACC-1234-5678", "USR#frag", "userId"),
        ("ACC-1234-5678", "USR 1", "userId"),
        ("ACC-1234-5678", "%2e%2e", "userId"),
    ] {
        let target = AccountUserTarget { account_id: account_id.into(), user_id: user_id.into() };
        let error = account_user::OPERATION.read(&client, &target).await.unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidInput, "{target:?}");
        assert_eq!(error.field.as_deref(), Some(field), "{target:?}");
        let error = account_user::OPERATION.update(&client, &target, &email_change("a@b.example")).await.unwrap_err();
        assert_eq!(error.field.as_deref(), Some(field), "{target:?}");
    }
    let error = client.list_users("ACC-1/../..", None, 10, 0).await.unwrap_err();
    assert_eq!(error.field.as_deref(), Some("accountId"));
    assert!(sandbox.state().requests().is_empty());
}

#[tokio::test]
async fn lists_accounts_page_by_page() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = practice_client(&sandbox);
    let first = client.list_accounts(None, 2, 0).await.unwrap();
    assert_eq!((first.offset, first.limit, first.total), (0, 2, 3));
    assert_eq!(
        first.accounts.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
        vec!["ACC-1234-5678", "ACC-2345-6789"]
    );
    assert_eq!(first.accounts[0].account_type.as_deref(), Some("Client"));
    let second = client.list_accounts(None, 2, 2).await.unwrap();
    assert_eq!(second.accounts.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(), vec!["ACC-3456-7890"]);
    let queries: Vec<Option<String>> = sandbox.state().requests().into_iter().map(|r| r.query).collect();
    assert_eq!(queries, vec![Some("limit=2&offset=0".into()), Some("limit=2&offset=2".into())]);
}

#[tokio::test]
async fn the_limited_token_does_not_see_the_restricted_account() {
    let sandbox = Sandbox::start().await.unwrap();
    let list = client_with(&sandbox.softwareone_url(), LIMITED_TOKEN).list_accounts(None, 100, 0).await.unwrap();
    assert_eq!(list.total, 2);
    assert!(list.accounts.iter().all(|a| a.id != RESTRICTED_ACCOUNT));
}

#[tokio::test]
async fn lists_an_accounts_users_with_an_rql_filter() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = practice_client(&sandbox);
    let filter = Rql::and([Rql::contains("name", "smith"), Rql::eq("status", "Active")]);
    let list = client.list_users("ACC-1234-5678", Some(&filter), 50, 0).await.unwrap();
    assert_eq!(list.total, 1, "Smithers is only invited");
    assert_eq!(list.users[0].id, "USR-0000-0003");
    assert_eq!(list.users[0].email.as_deref(), Some("jan.smith@contoso.example"));
    let everyone = client.list_users("ACC-1234-5678", None, 100, 0).await.unwrap();
    assert_eq!(everyone.total, 4);
    let request = sandbox.state().requests().into_iter().next().unwrap();
    assert_eq!(request.path, "/softwareone/public/v1/accounts/accounts/ACC-1234-5678/users");
    assert_eq!(
        request.query.as_deref(),
        Some("and(ilike(name,%22*smith*%22),eq(status,%22Active%22))&limit=50&offset=0")
    );
}

#[tokio::test]
async fn rql_filter_values_are_quoted_and_escaped() {
    // The exact filter text, before the query string is sent.
    assert_eq!(Rql::eq("name", "Smith & Partners").to_query().unwrap(), "eq(name,\"Smith%20%26%20Partners\")");
    assert_eq!(Rql::eq("lastName", "O'Brien").to_query().unwrap(), "eq(lastName,\"O%27Brien\")");
    assert_eq!(Rql::eq("name", "The \"A\" Team").to_query().unwrap(), "eq(name,'The%20%22A%22%20Team')");

    let sandbox = Sandbox::start().await.unwrap();
    let client = practice_client(&sandbox);
    // `&` would end the filter and `#` the whole query if they were not encoded.
    let found = client.list_accounts(Some(&Rql::eq("name", "Smith & Partners")), 10, 0).await.unwrap();
    assert_eq!(found.accounts.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(), vec!["ACC-2345-6789"]);
    let query = sandbox.state().requests().last().unwrap().query.clone().unwrap();
    assert_eq!(query, "eq(name,%22Smith%20%26%20Partners%22)&limit=10&offset=0");
    // A quote in the value can't end the literal.
    let found = client.list_users("ACC-1234-5678", Some(&Rql::eq("lastName", "O'Brien")), 10, 0).await.unwrap();
    assert_eq!(found.users.iter().map(|u| u.id.as_str()).collect::<Vec<_>>(), vec!["USR-0000-0002"]);
    // Injected RQL is searched for as text, so nothing matches instead of everything.
    let injected = Rql::eq("name", "x\"),or(ne(name,\"x");
    let found = client.list_accounts(Some(&injected), 10, 0).await.unwrap();
    assert_eq!(found.total, 0);
    let hash = client.list_accounts(Some(&Rql::contains("name", "#1")), 7, 0).await.unwrap();
    assert_eq!(hash.total, 0);
    assert_eq!(hash.limit, 7, "the paging after the value arrived");
    // Both quotes can't be expressed in RQL: refused before sending.
    let before = sandbox.state().requests().len();
    let error = client.list_accounts(Some(&Rql::eq("name", "O'Brien \"Jr\"")), 10, 0).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::InvalidInput);
    assert_eq!(sandbox.state().requests().len(), before);
}

#[tokio::test]
async fn a_page_size_above_100_is_refused_before_any_request() {
    let sandbox = Sandbox::start().await.unwrap();
    let error = practice_client(&sandbox).list_accounts(None, 101, 0).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::InvalidInput);
    assert_eq!(error.field.as_deref(), Some("limit"));
    assert!(error.message.contains("at most 100"), "{}", error.message);
    assert!(sandbox.state().requests().is_empty());
}

#[tokio::test]
async fn an_unreachable_vendor_is_a_plain_message() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let client = client_with(&format!("http://127.0.0.1:{port}"), PRACTICE_TOKEN);
    let error = account_user::OPERATION.read(&client, &sample_target()).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::Unreachable);
    assert!(error.message.starts_with("Can't reach SoftwareOne (127.0.0.1)"), "{}", error.message);
}

/// A stand-in vendor that answers each request from its request line (`PUT /path HTTP/1.1`)
/// with `(status, JSON body)`, after reading the whole request.
async fn vendor_answering(answer: impl Fn(&str) -> (u16, &'static str) + Send + Sync + 'static) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let answer = Arc::new(answer);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let answer = answer.clone();
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buffer = [0u8; 4096];
                loop {
                    let read = socket.read(&mut buffer).await.unwrap_or(0);
                    if read == 0 {
                        break;
                    }
                    request.extend_from_slice(&buffer[..read]);
                    let text = String::from_utf8_lossy(&request);
                    if let Some(end) = text.find("\r\n\r\n") {
                        let length = text[..end]
                            .lines()
                            .find_map(|line| {
                                let (name, value) = line.split_once(':')?;
                                name.eq_ignore_ascii_case("content-length").then(|| value.trim().parse().ok())?
                            })
                            .unwrap_or(0usize);
                        if request.len() >= end + 4 + length {
                            break;
                        }
                    }
                }
                let text = String::from_utf8_lossy(&request);
                let (status, body) = answer(text.lines().next().unwrap_or_default());
                let reply = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(reply.as_bytes()).await;
            });
        }
    });
    url
}

#[tokio::test]
async fn an_oversized_answer_is_a_clear_error_and_a_large_list_page_still_reads() {
    const MIB: usize = 1024 * 1024;
    let oversize = |bytes: usize, chunked: bool| {
        api_only(Faults { oversize_next: 1, oversize_bytes: bytes, oversize_chunked: chunked, ..Faults::default() })
    };
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.state().set_faults(oversize(5 * MIB, true));
    let error = account_user::OPERATION.read(&practice_client(&sandbox), &sample_target()).await.unwrap_err();
    assert_eq!(serde_json::to_value(error.code).unwrap(), "response_too_large");
    assert!(error.message.starts_with("SoftwareOne sent an answer larger than"), "{}", error.message);

    sandbox.state().set_faults(oversize(5 * MIB, false));
    practice_client(&sandbox).list_accounts(None, 10, 0).await.unwrap();
}
