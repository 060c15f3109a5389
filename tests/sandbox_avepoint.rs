//! The sandbox behaves as AvePoint documents it, whatever client calls it.

use switchboard_sandbox::{Sandbox, PRACTICE_CLIENT_ID, PRACTICE_CLIENT_SECRET};

const USER_PATH: &str = "/partner/external/v3/um/customers/966f35cc-61f4-4070-819c-25cdbcf82a07/tenants/0c7715b3-bc2f-4c4c-a8a0-f3634dcfacec/users/7c18fd6f-fb26-4353-8dbd-5725fa9edc3f";

async fn token(sandbox: &Sandbox, form: &[(&str, &str)]) -> reqwest::Response {
    switchboard_core::http::build_client()
        .post(format!("{}/connect/token", sandbox.avepoint_identity_url()))
        .form(form)
        .send()
        .await
        .unwrap()
}

async fn practice_token(sandbox: &Sandbox) -> String {
    let reply: serde_json::Value = token(
        sandbox,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", PRACTICE_CLIENT_ID),
            ("client_secret", PRACTICE_CLIENT_SECRET),
            ("scope", "elements.um.user.readwrite.all"),
        ],
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(reply["expires_in"], 3600);
    assert_eq!(reply["token_type"], "Bearer");
    reply["access_token"].as_str().unwrap().to_string()
}

fn valid_body() -> serde_json::Value {
    serde_json::json!({
        "mail": "Mark@element.onmicrosoft.com",
        "usageLocation": "AF",
        "preferredLanguage": "af-NA",
        "enforceStart": true,
        "enforceStartDateTime": "1970-01-01T00:00:00Z",
        "enforceEnd": true,
        "enforceEndDateTime": "1970-01-01T00:00:00Z"
    })
}

async fn put(sandbox: &Sandbox, token: Option<&str>, body: &serde_json::Value) -> (u16, String) {
    let mut request = switchboard_core::http::build_client()
        .put(format!("{}{USER_PATH}/account-information", sandbox.avepoint_api_url()))
        .json(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

#[tokio::test]
async fn token_endpoint_checks_client_secret_and_scope() {
    let sandbox = Sandbox::start().await.unwrap();
    let base = [("grant_type", "client_credentials"), ("client_id", PRACTICE_CLIENT_ID)];
    let wrong_secret = token(&sandbox, &[base[0], base[1], ("client_secret", "nope")]).await;
    assert_eq!(wrong_secret.status(), 400);
    assert_eq!(wrong_secret.json::<serde_json::Value>().await.unwrap()["error"], "invalid_client");
    let bad_scope =
        token(&sandbox, &[base[0], base[1], ("client_secret", PRACTICE_CLIENT_SECRET), ("scope", "everything.all")])
            .await;
    assert_eq!(bad_scope.json::<serde_json::Value>().await.unwrap()["error"], "invalid_scope");
    let bad_grant =
        token(&sandbox, &[("grant_type", "password"), base[1], ("client_secret", PRACTICE_CLIENT_SECRET)]).await;
    assert_eq!(bad_grant.json::<serde_json::Value>().await.unwrap()["error"], "unsupported_grant_type");
}

#[tokio::test]
async fn put_answers_204_with_a_request_id() {
    let sandbox = Sandbox::start().await.unwrap();
    let token = practice_token(&sandbox).await;
    let response = switchboard_core::http::build_client()
        .put(format!("{}{USER_PATH}/account-information", sandbox.avepoint_api_url()))
        .bearer_auth(&token)
        .json(&valid_body())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    assert!(response.headers().contains_key("request-id"));
}

#[tokio::test]
async fn put_rejects_each_invalid_field_with_a_message_naming_it() {
    let sandbox = Sandbox::start().await.unwrap();
    let token = practice_token(&sandbox).await;
    let long_mail = format!("{}@example.com", "a".repeat(250));
    let cases: Vec<(&str, serde_json::Value)> = vec![
        ("mail", serde_json::json!(null)),
        ("mail", serde_json::json!("no-at-sign")),
        ("mail", serde_json::json!(long_mail)),
        ("usageLocation", serde_json::json!("Germany")),
        ("preferredLanguage", serde_json::json!("xx-XX")),
        ("enforceStart", serde_json::json!("yes")),
        ("enforceStartDateTime", serde_json::json!("tomorrow")),
        ("enforceEnd", serde_json::json!(null)),
        ("enforceEndDateTime", serde_json::json!(5)),
    ];
    for (field, value) in cases {
        let mut body = valid_body();
        body[field] = value;
        let (status, text) = put(&sandbox, Some(&token), &body).await;
        assert_eq!(status, 400, "{field}");
        assert!(text.contains(field), "{field}: {text}");
    }
    let (c, t, u) = switchboard_sandbox::avepoint::sample_user();
    assert_eq!(sandbox.state().avepoint.user(c, t, u).unwrap().usage_location, "AF", "nothing was stored");
}

#[tokio::test]
async fn put_without_or_with_an_expired_token_is_401() {
    let sandbox = Sandbox::start().await.unwrap();
    assert_eq!(put(&sandbox, None, &valid_body()).await.0, 401);
    assert_eq!(put(&sandbox, Some("made-up"), &valid_body()).await.0, 401);
    let token = practice_token(&sandbox).await;
    sandbox.state().avepoint.expire_tokens();
    assert_eq!(put(&sandbox, Some(&token), &valid_body()).await.0, 401);
}

#[tokio::test]
async fn unknown_ids_are_404() {
    let sandbox = Sandbox::start().await.unwrap();
    let token = practice_token(&sandbox).await;
    for path in [
        "/partner/external/v3/um/customers/x/tenants/0c7715b3-bc2f-4c4c-a8a0-f3634dcfacec/users/7c18fd6f-fb26-4353-8dbd-5725fa9edc3f",
        "/partner/external/v3/um/customers/966f35cc-61f4-4070-819c-25cdbcf82a07/tenants/x/users/7c18fd6f-fb26-4353-8dbd-5725fa9edc3f",
        "/partner/external/v3/um/customers/966f35cc-61f4-4070-819c-25cdbcf82a07/tenants/0c7715b3-bc2f-4c4c-a8a0-f3634dcfacec/users/x",
    ] {
        let response = switchboard_core::http::build_client()
            .get(format!("{}{path}", sandbox.avepoint_api_url()))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 404, "{path}");
    }
}
