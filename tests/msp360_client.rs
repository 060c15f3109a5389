//! The MSP360 client against the sandbox, over real HTTP on 127.0.0.1.

use serde_json::{json, Value};
use std::time::{Duration, Instant};
use switchboard_core::http::RetryPolicy;
use switchboard_core::msp360::user;
use switchboard_core::msp360::{list_companies, list_users, Msp360Client, Msp360Settings, UserTarget};
use switchboard_core::secret::Secret;
use switchboard_core::ErrorCode;
use switchboard_sandbox::msp360::{
    sample_user_id, NAMED_MODE_USER_ID, NEWER_SPELLING_USER_ID, PRACTICE_PASSWORD, PRACTICE_USER_NAME,
    READ_ONLY_PASSWORD, READ_ONLY_USER_NAME,
};
use switchboard_sandbox::{Faults, RecordedRequest, Sandbox};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const LOGIN_PATH: &str = "/msp360/api/Provider/Login";
const DISABLED_USER_ID: &str = "7b1c2d3e-4f5a-4b6c-9d8e-0f1a2b3c4d5e";

/// Short waits so the suite stays fast; the same code paths as the default policy.
fn quick() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_secs(2),
        max_total: Duration::from_secs(10),
    }
}

fn client_at(url: &str, user_name: &str, password: &str) -> Msp360Client {
    Msp360Client::new(Msp360Settings::new(url, user_name).unwrap(), Secret::new(password)).with_retry_policy(quick())
}

fn practice_client(sandbox: &Sandbox) -> Msp360Client {
    client_at(&sandbox.msp360_url(), PRACTICE_USER_NAME, PRACTICE_PASSWORD)
}

fn target(id: &str) -> UserTarget {
    UserTarget { user_id: id.into() }
}

fn sample() -> UserTarget {
    target(sample_user_id())
}

fn user_path(id: &str) -> String {
    format!("/msp360/api/Users/{id}")
}

/// Requests other than login, as `METHOD path`.
fn api_calls(sandbox: &Sandbox) -> Vec<String> {
    sandbox
        .state()
        .requests()
        .into_iter()
        .filter(|r| r.path != LOGIN_PATH)
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

fn logins(sandbox: &Sandbox) -> usize {
    sandbox.state().requests().iter().filter(|r| r.path == LOGIN_PATH).count()
}

fn the_put(sandbox: &Sandbox) -> RecordedRequest {
    let puts: Vec<RecordedRequest> = sandbox.state().requests().into_iter().filter(|r| r.method == "PUT").collect();
    assert_eq!(puts.len(), 1, "exactly one PUT");
    puts.into_iter().next().unwrap()
}

fn user_reads(sandbox: &Sandbox) -> usize {
    sandbox.state().requests().iter().filter(|r| r.method == "GET").count()
}

fn users_only(faults: Faults) -> Faults {
    Faults { only_paths_containing: "/msp360/api/Users".into(), ..faults }
}

#[tokio::test]
async fn reads_the_sample_user() {
    let sandbox = Sandbox::start().await.unwrap();
    let details = user::OPERATION.read(&practice_client(&sandbox), &sample()).await.unwrap();
    assert_eq!(
        details,
        json!({
            "Email": "testuser2",
            "FirstName": "Test",
            "LastName": "User",
            "NotificationEmails": ["testuser2@northwind.example"],
            "Company": "Northwind Traders",
            "Enabled": true,
            "LicenseManagmentMode": "Manual",
        })
    );
}

#[tokio::test]
async fn update_reads_merges_and_puts_the_whole_user() {
    let sandbox = Sandbox::start().await.unwrap();
    let changes =
        json!({"FirstName": "Tess", "NotificationEmails": ["tess@northwind.example", "it-alerts@northwind.example"]});
    let receipt = user::OPERATION.update(&practice_client(&sandbox), &sample(), &changes).await.unwrap();

    assert_eq!(receipt.changed_fields, vec!["FirstName", "NotificationEmails"]);
    assert_eq!(receipt.before["FirstName"], "Test");
    assert_eq!(receipt.after["FirstName"], "Tess");
    assert_eq!(receipt.request_id, None, "MSP360 documents no request id");
    assert_eq!(
        api_calls(&sandbox),
        vec![format!("GET {}", user_path(sample_user_id())), "PUT /msp360/api/Users".into()]
    );

    let stored = sandbox.state().msp360.user(sample_user_id()).unwrap();
    assert_eq!(stored.first_name, "Tess");
    assert_eq!(stored.notification_emails, vec!["tess@northwind.example", "it-alerts@northwind.example"]);
    assert_eq!((stored.email.as_str(), stored.company.as_str()), ("testuser2", "Northwind Traders"));
    assert!(stored.enabled);
    assert_eq!(stored.license_mode, 0);
}

/// The seed's request sample (004), key for key.
const SEED_SAMPLE: &str = r#"{  "ID": "sample string 1",  "Email": "sample string 2",  "FirstName": "sample string 3",  "LastName": "sample string 4",  "NotificationEmails": [    "sample string 1",    "sample string 2"  ],  "Company": "sample string 5",  "Enabled": true,  "Password": "sample string 7",  "LicenseManagmentMode": 0}"#;

#[tokio::test]
async fn contract_the_put_is_the_seeds_whole_user_without_the_password() {
    let sandbox = Sandbox::start().await.unwrap();
    let changes = json!({"LastName": "Usher"});
    user::OPERATION.update(&practice_client(&sandbox), &sample(), &changes).await.unwrap();
    let put = the_put(&sandbox);
    assert_eq!((put.method.as_str(), put.path.as_str(), put.query.as_deref()), ("PUT", "/msp360/api/Users", None));
    assert!(put.header("authorization").is_some_and(|h| h.starts_with("Bearer mbs.")), "{:?}", put.headers);
    assert_eq!(put.header("content-type"), Some("application/json"));
    assert_eq!(put.header("accept"), Some("application/json"));
    assert_eq!(
        put.json().unwrap(),
        json!({
            "ID": sample_user_id(),
            "Email": "testuser2",
            "FirstName": "Test",
            "LastName": "Usher",
            "NotificationEmails": ["testuser2@northwind.example"],
            "Company": "Northwind Traders",
            "Enabled": true,
            "LicenseManagmentMode": 0
        })
    );
    let seed: Value = serde_json::from_str(SEED_SAMPLE).unwrap();
    let mut seed_keys: Vec<&String> = seed.as_object().unwrap().keys().filter(|k| *k != "Password").collect();
    let body = put.json().unwrap();
    let mut sent_keys: Vec<&String> = body.as_object().unwrap().keys().collect();
    seed_keys.sort();
    sent_keys.sort();
    assert_eq!(sent_keys, seed_keys);
}

#[tokio::test]
async fn contract_login_and_read_are_the_documented_requests() {
    let sandbox = Sandbox::start().await.unwrap();
    user::OPERATION.read(&practice_client(&sandbox), &sample()).await.unwrap();
    let requests = sandbox.state().requests();
    assert_eq!(requests.len(), 2);
    let login = &requests[0];
    assert_eq!((login.method.as_str(), login.path.as_str()), ("POST", LOGIN_PATH));
    assert_eq!(login.header("content-type"), Some("application/json"));
    assert_eq!(login.header("authorization"), None);
    assert_eq!(login.json().unwrap(), json!({"UserName": PRACTICE_USER_NAME, "Password": PRACTICE_PASSWORD}));
    let read = &requests[1];
    assert_eq!((read.method.as_str(), read.path.as_str()), ("GET", user_path(sample_user_id()).as_str()));
    assert!(read.header("authorization").is_some_and(|h| h.starts_with("Bearer ")));
    assert_eq!(read.body, "");
}

#[tokio::test]
async fn a_license_mode_the_vendor_holds_outside_our_list_does_not_block_saving_another_field() {
    let sandbox = Sandbox::start().await.unwrap();
    // A mode number newer than the three the docs name: JSON.NET reads and writes it as is.
    assert!(sandbox.state().msp360.edit_user(sample_user_id(), |user| user.license_mode = 3));
    let client = practice_client(&sandbox);
    assert_eq!(user::OPERATION.read(&client, &sample()).await.unwrap()["LicenseManagmentMode"], "3");
    let changes = json!({"FirstName": "Tess"});
    let receipt = user::OPERATION.update(&client, &sample(), &changes).await.unwrap();
    assert_eq!(receipt.changed_fields, vec!["FirstName"]);
    assert_eq!(the_put(&sandbox).json().unwrap()["LicenseManagmentMode"], json!(3), "sent back as the vendor gave it");
    assert_eq!(sandbox.state().msp360.user(sample_user_id()).unwrap().license_mode, 3);

    let changes = json!({"LicenseManagmentMode": "Trial"});
    let error = user::OPERATION.update(&client, &sample(), &changes).await.unwrap_err();
    assert_eq!(error.field.as_deref(), Some("LicenseManagmentMode"), "an edit is still checked");
}

#[tokio::test]
async fn nothing_is_sent_when_nothing_changed() {
    let sandbox = Sandbox::start().await.unwrap();
    let changes = json!({"Email": " testuser2 ", "Enabled": true});
    let receipt = user::OPERATION.update(&practice_client(&sandbox), &sample(), &changes).await.unwrap();
    assert!(receipt.changed_fields.is_empty());
    assert_eq!(api_calls(&sandbox), vec![format!("GET {}", user_path(sample_user_id()))]);
}

#[tokio::test]
async fn update_keeps_enabled_and_the_license_key_spelling_the_get_returned() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = practice_client(&sandbox);
    let state = &sandbox.state().msp360;
    let rename = |name: &str| json!({"FirstName": name});

    // The newer spelling goes back as the newer spelling, with the same number.
    user::OPERATION.update(&client, &target(NEWER_SPELLING_USER_ID), &rename("Luc")).await.unwrap();
    let body = the_put(&sandbox).json().unwrap();
    assert_eq!(body["LicenseManagementMode"], json!(1));
    assert!(body.get("LicenseManagmentMode").is_none());
    assert_eq!(body["Enabled"], json!(true));
    assert_eq!(state.license_keys_received(NEWER_SPELLING_USER_ID), vec!["LicenseManagementMode"]);
    assert_eq!(state.user(NEWER_SPELLING_USER_ID).unwrap().license_mode, 1, "Automatic kept");

    // A disabled user stays disabled; the seed's spelling stays the seed's.
    sandbox.state().clear_requests();
    user::OPERATION.update(&client, &target(DISABLED_USER_ID), &rename("Server")).await.unwrap();
    let body = the_put(&sandbox).json().unwrap();
    assert_eq!(body["Enabled"], json!(false));
    assert_eq!(body["LicenseManagmentMode"], json!(2));
    let stored = state.user(DISABLED_USER_ID).unwrap();
    assert!(!stored.enabled);
    assert_eq!((stored.first_name.as_str(), stored.license_mode), ("Server", 2));

    // A mode written as a name goes back as that name.
    sandbox.state().clear_requests();
    user::OPERATION.update(&client, &target(NAMED_MODE_USER_ID), &rename("Front desk")).await.unwrap();
    assert_eq!(the_put(&sandbox).json().unwrap()["LicenseManagmentMode"], json!("CompanySettings"));
    assert_eq!(state.user(NAMED_MODE_USER_ID).unwrap().license_mode, 2);
}

#[tokio::test]
async fn a_changed_license_mode_keeps_the_key_and_the_number_or_name_form() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = practice_client(&sandbox);
    let state = &sandbox.state().msp360;
    let mode = |mode: &str| json!({"LicenseManagmentMode": mode});

    let receipt =
        user::OPERATION.update(&client, &target(NEWER_SPELLING_USER_ID), &mode("CompanySettings")).await.unwrap();
    assert_eq!(receipt.changed_fields, vec!["LicenseManagmentMode"]);
    assert_eq!(the_put(&sandbox).json().unwrap()["LicenseManagementMode"], json!(2));
    assert_eq!(state.user(NEWER_SPELLING_USER_ID).unwrap().license_mode, 2);

    sandbox.state().clear_requests();
    user::OPERATION.update(&client, &target(NAMED_MODE_USER_ID), &mode("Automatic")).await.unwrap();
    assert_eq!(the_put(&sandbox).json().unwrap()["LicenseManagmentMode"], json!("Automatic"));
    assert_eq!(state.user(NAMED_MODE_USER_ID).unwrap().license_mode, 1);
}

#[tokio::test]
async fn password_is_sent_only_when_changed() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = practice_client(&sandbox);
    let state = &sandbox.state().msp360;

    user::OPERATION.update(&client, &sample(), &json!({"LastName": "Usher"})).await.unwrap();
    assert!(the_put(&sandbox).json().unwrap().get("Password").is_none());
    assert_eq!(state.user(sample_user_id()).unwrap().password, "initial-testuser2");

    sandbox.state().clear_requests();
    let changes = json!({"Password": "a-new-Passw0rd"});
    let receipt = user::OPERATION.update(&client, &sample(), &changes).await.unwrap();
    assert_eq!(receipt.changed_fields, vec!["Password"]);
    assert_eq!(receipt.before, receipt.after);
    let receipt_json = serde_json::to_string(&receipt).unwrap();
    assert!(!receipt_json.contains("a-new-Passw0rd"), "never echoed: {receipt_json}");
    let body = the_put(&sandbox).json().unwrap();
    assert_eq!(body["Password"], json!("a-new-Passw0rd"));
    assert_eq!(body["Enabled"], json!(true));
    assert_eq!(state.user(sample_user_id()).unwrap().password, "a-new-Passw0rd");
    // The read never carries it back.
    let details = serde_json::to_string(&user::OPERATION.read(&client, &sample()).await.unwrap()).unwrap();
    assert!(!details.contains("Passw0rd") && !details.contains("Password"), "{details}");
}

#[tokio::test]
async fn email_is_a_login_name_not_an_address() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = practice_client(&sandbox);
    let changes = json!({"Email": "reception-desk-2"});
    let receipt = user::OPERATION.update(&client, &sample(), &changes).await.unwrap();
    assert_eq!(receipt.changed_fields, vec!["Email"]);
    assert_eq!(the_put(&sandbox).json().unwrap()["Email"], json!("reception-desk-2"));
    assert_eq!(sandbox.state().msp360.user(sample_user_id()).unwrap().email, "reception-desk-2");

    // Notification emails are real addresses, though.
    sandbox.state().clear_requests();
    let changes = json!({"NotificationEmails": ["reception-desk-2"]});
    let error = user::OPERATION.update(&client, &sample(), &changes).await.unwrap_err();
    assert_eq!(error.field.as_deref(), Some("NotificationEmails"));
    assert!(sandbox.state().requests().is_empty());
}

#[tokio::test]
async fn a_200_with_an_error_body_is_a_failure() {
    let sandbox = Sandbox::start().await.unwrap();
    let changes = json!({"Email": "anna.berg@northwind.example"});
    let error = user::OPERATION.update(&practice_client(&sandbox), &sample(), &changes).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::VendorRejected);
    assert_eq!(error.message, "MSP360 refused the change: Email already exist");
    assert_eq!(error.vendor_message.as_deref(), Some("HTTP 200: Email already exist"));
    assert_eq!(sandbox.state().msp360.user(sample_user_id()).unwrap().email, "testuser2");

    // Whatever shape the body takes.
    for (body, words) in [
        (r#"{"Message":"User not found"}"#, "User not found"),
        (r#"{"message":"Company not found"}"#, "Company not found"),
        ("Something went wrong", "Something went wrong"),
        (r#""Email already exist""#, "Email already exist"),
    ] {
        let url = stub_vendor(sample_user_json(), 200, body).await;
        let error =
            user::OPERATION.update(&client_at(&url, "login", "password"), &sample(), &changes).await.unwrap_err();
        assert_eq!(error.code, ErrorCode::VendorRejected, "{body}");
        assert_eq!(error.message, format!("MSP360 refused the change: {words}"), "{body}");
    }
    // And a 200 that says nothing is a success.
    let url = stub_vendor(sample_user_json(), 200, "").await;
    user::OPERATION.update(&client_at(&url, "login", "password"), &sample(), &changes).await.unwrap();
}

#[tokio::test]
async fn a_vendor_that_echoes_the_new_password_in_an_error_never_shows_it() {
    let changes = json!({"Password": "Echo\"d-Passw0rd"});
    for (status, body) in [
        (
            400,
            r#"{"Message":"The request is invalid.","ModelState":{"model.Password":["Echo\"d-Passw0rd is too weak"]}}"#,
        ),
        (200, r#"{"Message":"Could not set Echo\"d-Passw0rd for testuser2"}"#),
        (500, r#"Internal error while saving {"Password":"Echo\"d-Passw0rd"}"#),
    ] {
        let url = stub_vendor(sample_user_json(), status, body).await;
        let error =
            user::OPERATION.update(&client_at(&url, "login", "password"), &sample(), &changes).await.unwrap_err();
        let shown = serde_json::to_string(&error).unwrap();
        assert!(!shown.contains("Passw0rd"), "HTTP {status}: {shown}");
        assert!(
            shown.contains("<redacted>"),
            "HTTP {status}: the vendor's words stay, the password is replaced: {shown}"
        );
    }
}

#[tokio::test]
async fn a_400_quotes_the_vendors_model_state() {
    let url = stub_vendor(
        sample_user_json(),
        400,
        r#"{"Message":"The request is invalid.","ModelState":{"model.Enabled":["Enabled is required"]}}"#,
    )
    .await;
    let changes = json!({"FirstName": "Tess"});
    let error = user::OPERATION.update(&client_at(&url, "login", "password"), &sample(), &changes).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::VendorRejected);
    assert_eq!(error.message, "MSP360 refused the change: Enabled is required");
}

#[tokio::test]
async fn invalid_edits_are_refused_before_any_request() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = practice_client(&sandbox);
    let cases = [
        (json!({"Email": "   "}), "Email", "Login name is required."),
        (
            json!({"NotificationEmails": ["ok@example.com", "not an address"]}),
            "NotificationEmails",
            "Notification emails must hold only email addresses, like name@example.com; \"not an address\" (entry 2) is not.",
        ),
        (
            json!({"LicenseManagmentMode": "Sometimes"}),
            "LicenseManagmentMode",
            "License management must be one of Manual, Automatic or CompanySettings; \"Sometimes\" is not.",
        ),
        (
            json!({"LicenseManagmentMode": ""}),
            "LicenseManagmentMode",
            "License management can't be cleared; choose Manual, Automatic or CompanySettings.",
        ),
        (
            json!({"Password": "ab"}),
            "Password",
            "New password must be 3 to 100 characters long (it has 2).",
        ),
        (
            json!({"Password": "p".repeat(101)}),
            "Password",
            "New password must be 3 to 100 characters long (it has 101).",
        ),
    ];
    for (changes, field, message) in cases {
        let error = user::OPERATION.update(&client, &sample(), &changes).await.unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidInput, "{field}");
        assert_eq!(error.field.as_deref(), Some(field));
        assert_eq!(error.message, message);
        assert!(!format!("{error:?}").contains(&"p".repeat(101)), "the password is not in the error");
    }
    assert!(sandbox.state().requests().is_empty(), "no request, not even a login");
}

#[tokio::test]
async fn path_injection_attempts_never_reach_the_vendor() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = practice_client(&sandbox);
    for id in ["../Companies", "a/b", "u?x=1", "u#f", "u v", "%2e%2e", "..", ""] {
        let error = user::OPERATION.read(&client, &target(id)).await.unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidInput, "{id}");
        assert_eq!(error.field.as_deref(), Some("userId"), "{id}");
        let changes = json!({"FirstName": "x"});
        let error = user::OPERATION.update(&client, &target(id), &changes).await.unwrap_err();
        assert_eq!(error.field.as_deref(), Some("userId"), "{id}");
    }
    assert!(sandbox.state().requests().is_empty());
}

#[tokio::test]
async fn an_unknown_user_is_not_found() {
    let sandbox = Sandbox::start().await.unwrap();
    let error = user::OPERATION
        .read(&practice_client(&sandbox), &target("00000000-0000-0000-0000-000000000000"))
        .await
        .unwrap_err();
    assert_eq!(error.code, ErrorCode::NotFound);
    assert_eq!(error.vendor_message.as_deref(), Some("HTTP 404: User not found"));
    assert_eq!(user_reads(&sandbox), 1, "a 404 is not retried");
}

#[tokio::test]
async fn a_wrong_password_is_a_rejected_sign_in_without_the_password_in_the_error() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client_at(&sandbox.msp360_url(), PRACTICE_USER_NAME, "wrong-password-value");
    let error = user::OPERATION.read(&client, &sample()).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::SignInRejected);
    assert!(error.message.contains("API login or password is wrong"), "{}", error.message);
    assert_eq!(error.vendor_message.as_deref(), Some("HTTP 403: Incorrect login or password."));
    let json = serde_json::to_string(&error).unwrap();
    assert!(!json.contains("wrong-password-value"), "{json}");
    assert_eq!(api_calls(&sandbox), Vec::<String>::new());
}

#[tokio::test]
async fn a_login_password_outside_3_to_100_characters_is_refused_before_any_request() {
    let sandbox = Sandbox::start().await.unwrap();
    for password in ["ab".to_string(), "p".repeat(101)] {
        let client = client_at(&sandbox.msp360_url(), PRACTICE_USER_NAME, &password);
        let error = client.sign_in().await.unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidConnection);
        assert_eq!(error.field.as_deref(), Some("password"));
        assert!(error.message.starts_with("The API password must be 3 to 100 characters long"), "{}", error.message);
    }
    assert!(sandbox.state().requests().is_empty());
}

#[tokio::test]
async fn read_only_credentials_get_the_vendors_403() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client_at(&sandbox.msp360_url(), READ_ONLY_USER_NAME, READ_ONLY_PASSWORD);
    let changes = json!({"FirstName": "Tess"});
    let error = user::OPERATION.update(&client, &sample(), &changes).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::Forbidden);
    assert!(error.message.contains("not allowed to do that"), "{}", error.message);
    assert!(error.vendor_message.unwrap().starts_with("HTTP 403: "));
    assert_eq!(logins(&sandbox), 1, "a 403 is not a reason to log in again");
    assert_eq!(sandbox.state().msp360.user(sample_user_id()).unwrap().first_name, "Test");
}

#[tokio::test]
async fn the_token_is_cached_between_calls() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = practice_client(&sandbox);
    for _ in 0..3 {
        user::OPERATION.read(&client, &sample()).await.unwrap();
    }
    list_users(&client).await.unwrap();
    assert_eq!(logins(&sandbox), 1);
}

#[tokio::test]
async fn an_expired_token_is_refreshed_once_and_the_call_succeeds() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = practice_client(&sandbox);
    user::OPERATION.read(&client, &sample()).await.unwrap();
    sandbox.state().msp360.expire_tokens();
    sandbox.state().clear_requests();
    let changes = json!({"FirstName": "Fresh"});
    user::OPERATION.update(&client, &sample(), &changes).await.unwrap();
    let calls: Vec<String> = sandbox.state().requests().iter().map(|r| format!("{} {}", r.method, r.path)).collect();
    let get = format!("GET {}", user_path(sample_user_id()));
    assert_eq!(calls, vec![get.clone(), format!("POST {LOGIN_PATH}"), get, "PUT /msp360/api/Users".into()]);
    assert_eq!(sandbox.state().msp360.user(sample_user_id()).unwrap().first_name, "Fresh");
}

#[tokio::test]
async fn a_401_right_after_logging_in_again_is_a_rejected_sign_in() {
    let sandbox = Sandbox::start().await.unwrap();
    // Every token is born expired: the one retry after a fresh login fails too.
    sandbox.state().msp360.set_token_lifetime(Duration::ZERO);
    let error = user::OPERATION.read(&practice_client(&sandbox), &sample()).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::SignInRejected);
    assert!(error.message.contains("even right after logging in again"), "{}", error.message);
    assert_eq!((logins(&sandbox), user_reads(&sandbox)), (2, 2));
}

#[tokio::test]
async fn a_short_lived_token_is_renewed_before_it_expires() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.state().msp360.set_token_lifetime(Duration::from_secs(1));
    let client = practice_client(&sandbox);
    user::OPERATION.read(&client, &sample()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    user::OPERATION.read(&client, &sample()).await.unwrap();
    assert_eq!(logins(&sandbox), 2);
    assert_eq!(sandbox.state().requests().len(), 4, "no call was made with an expired token");
}

#[tokio::test]
async fn a_429_with_retry_after_is_waited_out_then_succeeds() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.state().set_faults(users_only(Faults { throttle_next: 1, retry_after_seconds: 1, ..Faults::default() }));
    let started = Instant::now();
    user::OPERATION.read(&practice_client(&sandbox), &sample()).await.unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1), "Retry-After was honoured: {:?}", started.elapsed());
    assert_eq!(user_reads(&sandbox), 2);
}

#[tokio::test]
async fn endless_throttling_gives_up_and_says_how_long_the_vendor_asked_to_wait() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.state().set_faults(users_only(Faults { throttle_next: 10, retry_after_seconds: 120, ..Faults::default() }));
    let error = user::OPERATION.read(&practice_client(&sandbox), &sample()).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::RateLimited);
    assert!(error.message.contains("asked to wait 120 s"), "{}", error.message);
}

#[tokio::test]
async fn a_burst_of_server_errors_is_retried_then_succeeds() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.state().set_faults(users_only(Faults { fail_next: 2, ..Faults::default() }));
    let changes = json!({"Company": "Tailspin Toys"});
    user::OPERATION.update(&practice_client(&sandbox), &sample(), &changes).await.unwrap();
    assert_eq!(user_reads(&sandbox), 3, "two 503s, then the read succeeded");
    assert_eq!(sandbox.state().msp360.user(sample_user_id()).unwrap().company, "Tailspin Toys");
}

#[tokio::test]
async fn a_server_error_that_lasts_is_a_plain_error() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.state().set_faults(users_only(Faults { fail_next: 10, ..Faults::default() }));
    let error = user::OPERATION.read(&practice_client(&sandbox), &sample()).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::VendorUnavailable);
    assert_eq!(user_reads(&sandbox), 4);
}

#[tokio::test]
async fn a_malformed_reply_is_a_malformed_response_error() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.state().set_faults(users_only(Faults { malform_next: 1, ..Faults::default() }));
    let error = user::OPERATION.read(&practice_client(&sandbox), &sample()).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::MalformedResponse);
    assert_eq!(error.message, "MSP360 sent a reply Switchboard can't read.");

    let other_user = json!({"ID": "someone-else", "Enabled": true}).to_string();
    let no_enabled = json!({"ID": sample_user_id(), "Email": "testuser2"}).to_string();
    for body in ["<html>gateway</html>".to_string(), "[1,2,3]".into(), "".into(), no_enabled, other_user] {
        let url = stub_vendor(body.clone(), 200, "").await;
        let changes = json!({"FirstName": "x"});
        let error =
            user::OPERATION.update(&client_at(&url, "login", "password"), &sample(), &changes).await.unwrap_err();
        assert_eq!(error.code, ErrorCode::MalformedResponse, "{body}");
    }
}

#[tokio::test]
async fn lists_users_and_companies() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = practice_client(&sandbox);
    let users = list_users(&client).await.unwrap();
    assert_eq!(users.len(), 5);
    let first = &users[0];
    assert_eq!((first.id.as_str(), first.login_name.as_str()), (sample_user_id(), "testuser2"));
    assert_eq!(first.enabled, Some(true));
    assert!(users.iter().any(|u| u.enabled == Some(false)));
    let companies = list_companies(&client).await.unwrap();
    let names: Vec<&str> = companies.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, vec!["Northwind Traders", "Tailspin Toys"]);
    assert_eq!(api_calls(&sandbox), vec!["GET /msp360/api/Users", "GET /msp360/api/Companies"]);
}

#[tokio::test]
async fn an_unreachable_vendor_is_a_plain_message() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let client = client_at(&format!("http://127.0.0.1:{port}"), "login", "password");
    let error = user::OPERATION.read(&client, &sample()).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::Unreachable);
    assert!(error.message.starts_with("Can't reach MSP360 (127.0.0.1)"), "{}", error.message);
}

fn sample_user_json() -> String {
    json!({
        "ID": sample_user_id(),
        "Email": "testuser2",
        "FirstName": "Test",
        "LastName": "User",
        "NotificationEmails": [],
        "Company": "Northwind Traders",
        "Enabled": true,
        "LicenseManagmentMode": 0
    })
    .to_string()
}

/// A vendor that logs anyone in, answers every GET with `get_body` and every PUT with
/// `put_status` and `put_body`.
async fn stub_vendor(get_body: String, put_status: u16, put_body: &'static str) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buffer = vec![0; 16 * 1024];
            let read = socket.read(&mut buffer).await.unwrap_or(0);
            let request = String::from_utf8_lossy(&buffer[..read]);
            let (status, reply) = if request.contains("/api/Provider/Login") {
                (200, r#"{"access_token":"t","token_type":"bearer","expires_in":1209599}"#.to_string())
            } else if request.starts_with("PUT ") {
                (put_status, put_body.to_string())
            } else {
                (200, get_body.clone())
            };
            let response = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{reply}",
                reply.len()
            );
            let _ = socket.write_all(response.as_bytes()).await;
        }
    });
    url
}

#[tokio::test]
async fn an_oversized_answer_is_a_clear_error_and_a_large_user_list_still_reads() {
    const MIB: usize = 1024 * 1024;
    let oversize = |bytes: usize, chunked: bool, paths: &str| Faults {
        oversize_next: 1,
        oversize_bytes: bytes,
        oversize_chunked: chunked,
        only_paths_containing: paths.into(),
        ..Faults::default()
    };
    let sandbox = Sandbox::start().await.unwrap();
    let code = |error: &switchboard_core::Error| serde_json::to_value(error.code).unwrap();

    sandbox.state().set_faults(oversize(5 * MIB, false, &user_path(sample_user_id())));
    let error = user::OPERATION.read(&practice_client(&sandbox), &sample()).await.unwrap_err();
    assert_eq!(code(&error), "response_too_large");
    assert!(error.message.starts_with("MSP360 sent an answer larger than"), "{}", error.message);

    sandbox.state().set_faults(oversize(5 * MIB, true, LOGIN_PATH));
    let error = user::OPERATION.read(&practice_client(&sandbox), &sample()).await.unwrap_err();
    assert_eq!(code(&error), "response_too_large");

    // MSP360 sends every user in one answer: a list may be larger than one record.
    sandbox.state().set_faults(oversize(5 * MIB, true, "/msp360/api/Users"));
    assert!(!list_users(&practice_client(&sandbox)).await.unwrap().is_empty());
}
