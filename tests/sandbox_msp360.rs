//! The sandbox behaves as MSP360 documents it (vendors.md §4, seed 004), whatever client calls it.

use serde_json::{json, Value};
use std::time::Duration;
use switchboard_sandbox::msp360::{
    sample_user_id, NAMED_MODE_USER_ID, NEWER_SPELLING_USER_ID, PRACTICE_PASSWORD, PRACTICE_USER_NAME,
    READ_ONLY_PASSWORD, READ_ONLY_USER_NAME,
};
use switchboard_sandbox::Sandbox;

async fn login(sandbox: &Sandbox, body: Value) -> reqwest::Response {
    switchboard_core::http::build_client()
        .post(format!("{}/api/Provider/Login", sandbox.msp360_url()))
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn token_for(sandbox: &Sandbox, user_name: &str, password: &str) -> String {
    let reply: Value = login(sandbox, json!({"UserName": user_name, "Password": password})).await.json().await.unwrap();
    reply["access_token"].as_str().unwrap().to_string()
}

async fn practice_token(sandbox: &Sandbox) -> String {
    token_for(sandbox, PRACTICE_USER_NAME, PRACTICE_PASSWORD).await
}

async fn get(sandbox: &Sandbox, token: Option<&str>, path: &str) -> (u16, String) {
    let mut request = switchboard_core::http::build_client().get(format!("{}{path}", sandbox.msp360_url()));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn put(sandbox: &Sandbox, token: Option<&str>, body: &Value) -> (u16, String) {
    let mut request =
        switchboard_core::http::build_client().put(format!("{}/api/Users", sandbox.msp360_url())).json(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// The sample user's whole edit model, as the seed's sample lays it out (without a password).
fn valid_body() -> Value {
    json!({
        "ID": sample_user_id(),
        "Email": "testuser2",
        "FirstName": "Test",
        "LastName": "User",
        "NotificationEmails": ["testuser2@northwind.example"],
        "Company": "Northwind Traders",
        "Enabled": true,
        "LicenseManagmentMode": 0
    })
}

#[tokio::test]
async fn login_returns_a_bearer_token_that_lasts_two_weeks() {
    let sandbox = Sandbox::start().await.unwrap();
    let response = login(&sandbox, json!({"UserName": PRACTICE_USER_NAME, "Password": PRACTICE_PASSWORD})).await;
    assert_eq!(response.status(), 200);
    let reply: Value = response.json().await.unwrap();
    assert!(reply["access_token"].as_str().is_some_and(|t| !t.is_empty()));
    assert_eq!(reply["token_type"], "bearer");
    assert_eq!(reply["expires_in"], 14 * 24 * 60 * 60);
}

#[tokio::test]
async fn login_refuses_wrong_credentials_and_passwords_outside_3_to_100_characters() {
    let sandbox = Sandbox::start().await.unwrap();
    let wrong = login(&sandbox, json!({"UserName": PRACTICE_USER_NAME, "Password": "not-the-password"})).await;
    assert_eq!(wrong.status(), 403);
    assert_eq!(wrong.json::<Value>().await.unwrap()["Message"], "Incorrect login or password.");
    for password in ["ab".to_string(), "p".repeat(101)] {
        let response = login(&sandbox, json!({"UserName": PRACTICE_USER_NAME, "Password": password})).await;
        assert_eq!(response.status(), 400);
        let body: Value = response.json().await.unwrap();
        assert!(body["ModelState"]["model.Password"][0].as_str().unwrap().contains("minimum length of 3"));
    }
    let missing = login(&sandbox, json!({"Password": PRACTICE_PASSWORD})).await;
    assert_eq!(missing.status(), 400);
}

#[tokio::test]
async fn calls_without_or_with_an_expired_token_are_401() {
    let sandbox = Sandbox::start().await.unwrap();
    let user_path = format!("/api/Users/{}", sample_user_id());
    let (status, body) = get(&sandbox, None, &user_path).await;
    assert_eq!(status, 401);
    assert!(body.contains("Authorization has been denied for this request."), "{body}");
    assert_eq!(get(&sandbox, Some("made-up"), "/api/Users").await.0, 401);
    assert_eq!(put(&sandbox, None, &valid_body()).await.0, 401);
    let token = practice_token(&sandbox).await;
    assert_eq!(get(&sandbox, Some(&token), &user_path).await.0, 200);
    sandbox.state().msp360.expire_tokens();
    assert_eq!(get(&sandbox, Some(&token), &user_path).await.0, 401);
    assert_eq!(put(&sandbox, Some(&token), &valid_body()).await.0, 401);
}

#[tokio::test]
async fn a_configured_token_lifetime_applies_to_new_tokens() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.state().msp360.set_token_lifetime(Duration::from_millis(200));
    let token = practice_token(&sandbox).await;
    assert_eq!(get(&sandbox, Some(&token), "/api/Companies").await.0, 200);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(get(&sandbox, Some(&token), "/api/Companies").await.0, 401);
}

#[tokio::test]
async fn get_user_returns_the_documented_fields_and_never_the_password() {
    let sandbox = Sandbox::start().await.unwrap();
    let token = practice_token(&sandbox).await;
    let (status, body) = get(&sandbox, Some(&token), &format!("/api/Users/{}", sample_user_id())).await;
    assert_eq!(status, 200);
    let user: Value = serde_json::from_str(&body).unwrap();
    let mut keys: Vec<&str> = user.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        vec![
            "Company",
            "DestinationList",
            "Email",
            "Enabled",
            "FirstName",
            "ID",
            "LastName",
            "LicenseManagmentMode",
            "NotificationEmails",
            "SpaceUsed"
        ]
    );
    assert_eq!(user["Email"], "testuser2", "the login name from the docs' sample, not an address");
    assert_eq!(user["LicenseManagmentMode"], 0);
    assert!(!body.contains("initial-testuser2"), "the password is write-only");

    let (_, newer) = get(&sandbox, Some(&token), &format!("/api/Users/{NEWER_SPELLING_USER_ID}")).await;
    let newer: Value = serde_json::from_str(&newer).unwrap();
    assert_eq!(newer["LicenseManagementMode"], 1);
    assert!(newer.get("LicenseManagmentMode").is_none());
    let (_, named) = get(&sandbox, Some(&token), &format!("/api/Users/{NAMED_MODE_USER_ID}")).await;
    assert_eq!(serde_json::from_str::<Value>(&named).unwrap()["LicenseManagmentMode"], "CompanySettings");
}

#[tokio::test]
async fn an_unknown_user_is_404_with_a_json_message() {
    let sandbox = Sandbox::start().await.unwrap();
    let token = practice_token(&sandbox).await;
    let (status, body) = get(&sandbox, Some(&token), "/api/Users/00000000-0000-0000-0000-000000000000").await;
    assert_eq!(status, 404);
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap(), json!({"Message": "User not found"}));
}

#[tokio::test]
async fn lists_every_user_and_both_companies_without_paging() {
    let sandbox = Sandbox::start().await.unwrap();
    let token = practice_token(&sandbox).await;
    let (status, users) = get(&sandbox, Some(&token), "/api/Users").await;
    assert_eq!(status, 200);
    let users: Vec<Value> = serde_json::from_str(&users).unwrap();
    assert_eq!(users.len(), 5);
    let (_, companies) = get(&sandbox, Some(&token), "/api/Companies").await;
    let companies: Vec<Value> = serde_json::from_str(&companies).unwrap();
    let names: Vec<&str> = companies.iter().map(|c| c["Name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["Northwind Traders", "Tailspin Toys"]);
    for user in &users {
        assert!(names.contains(&user["Company"].as_str().unwrap()), "{user}");
    }
    let company_id = companies[0]["ID"].as_str().unwrap();
    assert_eq!(get(&sandbox, Some(&token), &format!("/api/Companies/{company_id}")).await.0, 200);
}

#[tokio::test]
async fn put_answers_200_with_no_body() {
    let sandbox = Sandbox::start().await.unwrap();
    let token = practice_token(&sandbox).await;
    let mut body = valid_body();
    body["FirstName"] = json!("Tess");
    body["Password"] = json!("n3w-password");
    assert_eq!(put(&sandbox, Some(&token), &body).await, (200, String::new()));
    let stored = sandbox.state().msp360.user(sample_user_id()).unwrap();
    assert_eq!(stored.first_name, "Tess");
    assert_eq!(stored.password, "n3w-password");
}

#[tokio::test]
async fn put_replaces_what_it_is_not_sent() {
    let sandbox = Sandbox::start().await.unwrap();
    let token = practice_token(&sandbox).await;
    let before = sandbox.state().msp360.user(NAMED_MODE_USER_ID).unwrap();
    let (status, _) = put(&sandbox, Some(&token), &json!({"ID": NAMED_MODE_USER_ID, "Enabled": true})).await;
    assert_eq!(status, 200);
    let after = sandbox.state().msp360.user(NAMED_MODE_USER_ID).unwrap();
    assert_eq!(after.email, "", "an omitted Email is cleared");
    assert_eq!(after.company, "", "an omitted Company is cleared");
    assert_eq!(after.first_name, "");
    assert_eq!(after.license_mode, 0, "an omitted license mode binds as Manual");
    assert_eq!(after.password, before.password, "an omitted Password is unchanged");
}

#[tokio::test]
async fn put_without_enabled_is_400_enabled_is_required() {
    let sandbox = Sandbox::start().await.unwrap();
    let token = practice_token(&sandbox).await;
    for enabled in [None, Some(Value::Null)] {
        let mut body = valid_body();
        body.as_object_mut().unwrap().remove("Enabled");
        if let Some(value) = enabled {
            body["Enabled"] = value;
        }
        let (status, text) = put(&sandbox, Some(&token), &body).await;
        assert_eq!(status, 400);
        assert!(text.contains("Enabled is required"), "{text}");
    }
    assert!(sandbox.state().msp360.user(sample_user_id()).unwrap().enabled, "nothing was stored");
}

#[tokio::test]
async fn put_for_an_unknown_id_is_a_200_with_an_error_body() {
    let sandbox = Sandbox::start().await.unwrap();
    let token = practice_token(&sandbox).await;
    let mut body = valid_body();
    body["ID"] = json!("00000000-0000-0000-0000-000000000000");
    let (status, text) = put(&sandbox, Some(&token), &body).await;
    assert_eq!(status, 200);
    assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), json!({"Message": "User not found"}));
}

#[tokio::test]
async fn put_with_a_login_another_user_has_is_a_200_with_an_error_body() {
    let sandbox = Sandbox::start().await.unwrap();
    let token = practice_token(&sandbox).await;
    let mut body = valid_body();
    body["Email"] = json!("ANNA.BERG@northwind.example");
    let (status, text) = put(&sandbox, Some(&token), &body).await;
    assert_eq!(status, 200);
    assert!(text.contains("Email already exist"), "{text}");
    assert_eq!(sandbox.state().msp360.user(sample_user_id()).unwrap().email, "testuser2");
}

#[tokio::test]
async fn put_rejects_each_invalid_member_with_a_message_naming_it() {
    let sandbox = Sandbox::start().await.unwrap();
    let token = practice_token(&sandbox).await;
    let cases: Vec<(&str, Value)> = vec![
        ("NotificationEmails", json!(["testuser2"])),
        ("NotificationEmails", json!(["a@example.com", "b at example.com"])),
        ("NotificationEmails", json!("a@example.com")),
        ("Password", json!("ab")),
        ("Password", json!("p".repeat(101))),
        ("Enabled", json!("yes")),
        ("LicenseManagmentMode", json!(3)),
        ("LicenseManagmentMode", json!("Sometimes")),
        ("Email", json!(5)),
        ("ID", json!(null)),
    ];
    for (member, value) in cases {
        let mut body = valid_body();
        body[member] = value.clone();
        let (status, text) = put(&sandbox, Some(&token), &body).await;
        assert_eq!(status, 400, "{member} = {value}");
        assert!(text.contains(&format!("model.{member}")), "{member}: {text}");
    }
    let stored = sandbox.state().msp360.user(sample_user_id()).unwrap();
    assert_eq!(stored.notification_emails, vec!["testuser2@northwind.example"], "nothing was stored");
    assert_eq!(stored.password, "initial-testuser2");
}

#[tokio::test]
async fn put_accepts_a_login_name_that_is_not_an_address() {
    let sandbox = Sandbox::start().await.unwrap();
    let token = practice_token(&sandbox).await;
    let mut body = valid_body();
    body["Email"] = json!("reception-desk-2");
    assert_eq!(put(&sandbox, Some(&token), &body).await.0, 200);
    assert_eq!(sandbox.state().msp360.user(sample_user_id()).unwrap().email, "reception-desk-2");
}

#[tokio::test]
async fn put_binds_only_the_users_key_spelling_and_records_what_it_received() {
    let sandbox = Sandbox::start().await.unwrap();
    let token = practice_token(&sandbox).await;
    let state = &sandbox.state().msp360;
    let user = state.user(NEWER_SPELLING_USER_ID).unwrap();
    let body = |key: &str, mode: Value| {
        let mut body = json!({
            "ID": user.id,
            "Email": user.email,
            "FirstName": user.first_name,
            "LastName": user.last_name,
            "NotificationEmails": user.notification_emails,
            "Company": user.company,
            "Enabled": user.enabled,
        });
        body[key] = mode;
        body
    };
    // The other spelling is an unknown member: ignored, so the mode falls back to Manual.
    assert_eq!(put(&sandbox, Some(&token), &body("LicenseManagmentMode", json!(2))).await.0, 200);
    assert_eq!(state.license_keys_received(NEWER_SPELLING_USER_ID), vec!["LicenseManagmentMode"]);
    assert_eq!(state.user(NEWER_SPELLING_USER_ID).unwrap().license_mode, 0);
    // Its own spelling, by number or by name.
    assert_eq!(put(&sandbox, Some(&token), &body("LicenseManagementMode", json!(2))).await.0, 200);
    assert_eq!(state.license_keys_received(NEWER_SPELLING_USER_ID), vec!["LicenseManagementMode"]);
    assert_eq!(state.user(NEWER_SPELLING_USER_ID).unwrap().license_mode, 2);
    assert_eq!(put(&sandbox, Some(&token), &body("LicenseManagementMode", json!("Automatic"))).await.0, 200);
    assert_eq!(state.user(NEWER_SPELLING_USER_ID).unwrap().license_mode, 1);
}

#[tokio::test]
async fn put_with_read_only_credentials_is_403() {
    let sandbox = Sandbox::start().await.unwrap();
    let token = token_for(&sandbox, READ_ONLY_USER_NAME, READ_ONLY_PASSWORD).await;
    assert_eq!(get(&sandbox, Some(&token), &format!("/api/Users/{}", sample_user_id())).await.0, 200);
    let (status, text) = put(&sandbox, Some(&token), &valid_body()).await;
    assert_eq!(status, 403);
    assert!(serde_json::from_str::<Value>(&text).unwrap()["Message"].is_string());
}
