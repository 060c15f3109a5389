//! The sandbox behaves as Entra ID and Partner Center document it, whatever client calls it.

use std::collections::HashMap;
use std::time::Duration;
use switchboard_sandbox::partner_center::{read_only_customer, sample_user, PRACTICE_CLIENT_ID, PRACTICE_TENANT_ID};
use switchboard_sandbox::Sandbox;

/// RFC 7636 appendix B: a verifier and its S256 challenge.
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const OTHER_VERIFIER: &str = "Xq1sQwErTyUiOpAsDfGhJkLzXcVbNmQwErTyUiOpAsD";
const REDIRECT: &str = "http://127.0.0.1:49152/";
const SCOPE: &str = "https://api.partnercenter.microsoft.com/user_impersonation offline_access";

fn no_redirects() -> reqwest::Client {
    // The app's own client never follows a redirect.
    switchboard_core::http::build_client()
}

fn authorize_url(sandbox: &Sandbox, overrides: &[(&str, &str)]) -> String {
    let mut params: Vec<(&str, &str)> = vec![
        ("client_id", PRACTICE_CLIENT_ID),
        ("response_type", "code"),
        ("redirect_uri", REDIRECT),
        ("scope", SCOPE),
        ("state", "s-123"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ];
    for (key, value) in overrides {
        params.retain(|(k, _)| k != key);
        if !value.is_empty() {
            params.push((key, value));
        }
    }
    let mut url =
        url::Url::parse(&format!("{}/{PRACTICE_TENANT_ID}/oauth2/v2.0/authorize", sandbox.entra_url())).unwrap();
    url.query_pairs_mut().extend_pairs(params);
    url.to_string()
}

/// The authorize answer: its status and, for a redirect, the query it carries back.
async fn authorize(sandbox: &Sandbox, overrides: &[(&str, &str)]) -> (u16, HashMap<String, String>) {
    let response = no_redirects().get(authorize_url(sandbox, overrides)).send().await.unwrap();
    let status = response.status().as_u16();
    let query = response
        .headers()
        .get("location")
        .map(|location| {
            let url = url::Url::parse(location.to_str().unwrap()).unwrap();
            let mut pairs: HashMap<String, String> = url.query_pairs().into_owned().collect();
            pairs.insert("(redirected to)".into(), format!("{}://{}{}", url.scheme(), url.authority(), url.path()));
            pairs
        })
        .unwrap_or_default();
    (status, query)
}

async fn token(sandbox: &Sandbox, form: &[(&str, &str)]) -> (u16, serde_json::Value) {
    let response = switchboard_core::http::build_client()
        .post(format!("{}/{PRACTICE_TENANT_ID}/oauth2/v2.0/token", sandbox.entra_url()))
        .form(form)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

async fn code(sandbox: &Sandbox) -> String {
    let (status, query) = authorize(sandbox, &[]).await;
    assert_eq!(status, 302);
    assert_eq!(query["state"], "s-123");
    query["code"].clone()
}

async fn redeem(sandbox: &Sandbox, code: &str, verifier: &str) -> (u16, serde_json::Value) {
    token(
        sandbox,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", PRACTICE_CLIENT_ID),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", verifier),
            ("scope", SCOPE),
        ],
    )
    .await
}

async fn tokens(sandbox: &Sandbox) -> serde_json::Value {
    let code = code(sandbox).await;
    let (status, body) = redeem(sandbox, &code, VERIFIER).await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn access_token(sandbox: &Sandbox) -> String {
    tokens(sandbox).await["access_token"].as_str().unwrap().to_string()
}

fn user_url(sandbox: &Sandbox, customer_id: &str, user_id: &str) -> String {
    format!("{}/v1/customers/{customer_id}/users/{user_id}", sandbox.partner_center_api_url())
}

fn sample_url(sandbox: &Sandbox) -> String {
    let (c, u) = sample_user();
    user_url(sandbox, c, u)
}

async fn patch(sandbox: &Sandbox, token: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
    let response = switchboard_core::http::build_client()
        .patch(sample_url(sandbox))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

fn assert_error_format(body: &serde_json::Value) {
    assert!(body["code"].is_string(), "{body}");
    assert!(body["description"].is_string(), "{body}");
    assert!(body["data"].is_array(), "{body}");
    assert_eq!(body["source"], "PartnerFD");
}

#[tokio::test]
async fn authorize_redirects_to_the_loopback_address_with_a_code_and_the_state() {
    let sandbox = Sandbox::start().await.unwrap();
    let (status, query) = authorize(&sandbox, &[]).await;
    assert_eq!(status, 302);
    assert_eq!(query["(redirected to)"], REDIRECT);
    assert!(query["code"].starts_with("sbx-code."));
    assert_eq!(query["state"], "s-123");
    let (status, query) = authorize(&sandbox, &[("redirect_uri", "http://localhost:5000/")]).await;
    assert_eq!(status, 302, "localhost with any port is a loopback redirect too");
    assert_eq!(query["(redirected to)"], "http://localhost:5000/");
}

#[tokio::test]
async fn authorize_refuses_an_unknown_app_or_a_redirect_it_cannot_trust_without_redirecting() {
    let sandbox = Sandbox::start().await.unwrap();
    for (overrides, code) in [
        (vec![("client_id", "00000000-0000-0000-0000-000000000000")], "AADSTS700016"),
        (vec![("redirect_uri", "https://evil.example/")], "AADSTS50011"),
        (vec![("redirect_uri", "http://192.168.1.10:5000/")], "AADSTS50011"),
        (vec![("redirect_uri", "http://127.0.0.1/")], "AADSTS50011"),
    ] {
        let response = no_redirects().get(authorize_url(&sandbox, &overrides)).send().await.unwrap();
        assert_eq!(response.status(), 400, "{overrides:?}");
        assert!(response.headers().get("location").is_none());
        assert!(response.text().await.unwrap().contains(code), "{overrides:?}");
    }
    let unknown_tenant = authorize_url(&sandbox, &[]).replace(PRACTICE_TENANT_ID, "contoso-not-a-tenant");
    assert_eq!(no_redirects().get(unknown_tenant).send().await.unwrap().status(), 400);
}

#[tokio::test]
async fn authorize_sends_request_errors_back_to_the_app() {
    let sandbox = Sandbox::start().await.unwrap();
    for (overrides, error) in [
        (vec![("response_type", "token")], "unsupported_response_type"),
        (vec![("code_challenge_method", "plain")], "invalid_request"),
        (vec![("code_challenge", "")], "invalid_request"),
        (vec![("scope", "offline_access")], "invalid_scope"),
        (vec![("response_mode", "fragment")], "invalid_request"),
    ] {
        let (status, query) = authorize(&sandbox, &overrides).await;
        assert_eq!(status, 302, "{overrides:?}");
        assert_eq!(query["error"], error, "{overrides:?}");
        assert!(!query.contains_key("code"));
        assert_eq!(query["state"], "s-123");
    }
}

#[tokio::test]
async fn the_code_buys_tokens_that_expire_and_carry_mfa() {
    let sandbox = Sandbox::start().await.unwrap();
    let body = tokens(&sandbox).await;
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(body["scope"], "https://api.partnercenter.microsoft.com/user_impersonation");
    assert!(body["refresh_token"].as_str().unwrap().starts_with("sbx-pc-refresh."));
    let response = switchboard_core::http::build_client()
        .get(sample_url(&sandbox))
        .bearer_auth(body["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn a_wrong_pkce_verifier_is_refused() {
    let sandbox = Sandbox::start().await.unwrap();
    let code = code(&sandbox).await;
    let (status, body) = redeem(&sandbox, &code, OTHER_VERIFIER).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "invalid_grant");
    assert_eq!(body["error_codes"], serde_json::json!([501481]));
    assert!(body["error_description"].as_str().unwrap().starts_with("AADSTS501481: The Code_Verifier does not match"));
    assert!(body["trace_id"].is_string() && body["correlation_id"].is_string());
    let (status, body) = redeem(&sandbox, &code, VERIFIER).await;
    assert_eq!((status, body["error_codes"][0].as_u64()), (400, Some(54005)), "the code was spent on the failed try");
    let fresh = self::code(&sandbox).await;
    let (status, body) = redeem(&sandbox, &fresh, "").await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_request")), "no verifier at all");
}

#[tokio::test]
async fn a_code_is_single_use_and_bound_to_its_redirect_uri() {
    let sandbox = Sandbox::start().await.unwrap();
    let code = code(&sandbox).await;
    assert_eq!(redeem(&sandbox, &code, VERIFIER).await.0, 200);
    let (status, body) = redeem(&sandbox, &code, VERIFIER).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")));
    let other = self::code(&sandbox).await;
    let (status, body) = token(
        &sandbox,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", PRACTICE_CLIENT_ID),
            ("code", &other),
            ("redirect_uri", "http://127.0.0.1:49153/"),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!((status, body["error_codes"][0].as_u64()), (400, Some(50011)));
}

#[tokio::test]
async fn a_public_client_must_not_send_a_secret() {
    let sandbox = Sandbox::start().await.unwrap();
    let code = code(&sandbox).await;
    let (status, body) = token(
        &sandbox,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", PRACTICE_CLIENT_ID),
            ("client_secret", "anything"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!((status, body["error"].as_str()), (401, Some("invalid_client")));
    let (status, body) = token(&sandbox, &[("grant_type", "password"), ("client_id", PRACTICE_CLIENT_ID)]).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("unsupported_grant_type")));
    let (status, body) = token(&sandbox, &[("grant_type", "refresh_token"), ("client_id", "someone-else")]).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("unauthorized_client")));
}

#[tokio::test]
async fn refresh_tokens_rotate_and_the_old_one_is_spent() {
    let sandbox = Sandbox::start().await.unwrap();
    let first = tokens(&sandbox).await["refresh_token"].as_str().unwrap().to_string();
    let refresh = |presented: String| {
        let sandbox = &sandbox;
        async move {
            let form = [
                ("grant_type", "refresh_token"),
                ("client_id", PRACTICE_CLIENT_ID),
                ("refresh_token", presented.as_str()),
                ("scope", SCOPE),
            ];
            token(sandbox, &form).await
        }
    };
    let (status, body) = refresh(first.clone()).await;
    assert_eq!(status, 200, "{body}");
    let second = body["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(second, first);
    let (status, body) = refresh(first).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")));
    assert_eq!(refresh(second).await.0, 200);
}

#[tokio::test]
async fn an_expired_refresh_token_is_refused() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.state().partner_center.set_refresh_token_lifetime(Duration::ZERO);
    let refresh_token = tokens(&sandbox).await["refresh_token"].as_str().unwrap().to_string();
    let (status, body) = token(
        &sandbox,
        &[("grant_type", "refresh_token"), ("client_id", PRACTICE_CLIENT_ID), ("refresh_token", &refresh_token)],
    )
    .await;
    assert_eq!((status, body["error_codes"][0].as_u64()), (400, Some(700082)));
}

#[tokio::test]
async fn the_api_answers_401_in_its_format_without_a_valid_token() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.state().partner_center.set_access_token_lifetime(Duration::ZERO);
    let expired = access_token(&sandbox).await;
    for token in [None, Some("made-up"), Some(expired.as_str())] {
        let mut request = switchboard_core::http::build_client().get(sample_url(&sandbox));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 401, "{token:?}");
        assert!(response.headers()["www-authenticate"].to_str().unwrap().starts_with("OAuth realm="));
        assert_error_format(&response.json().await.unwrap());
    }
}

#[tokio::test]
async fn the_api_echoes_the_request_and_correlation_ids() {
    let sandbox = Sandbox::start().await.unwrap();
    let token = access_token(&sandbox).await;
    let response = switchboard_core::http::build_client()
        .get(sample_url(&sandbox))
        .bearer_auth(&token)
        .header("MS-RequestId", "b1317092-f087-471e-a637-f66523b2b94c")
        .header("MS-CorrelationId", "8a53b025-d5be-4d98-ab20-229d1813de76")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["ms-requestid"], "b1317092-f087-471e-a637-f66523b2b94c");
    assert_eq!(response.headers()["ms-correlationid"], "8a53b025-d5be-4d98-ab20-229d1813de76");
    let user: serde_json::Value = response.json().await.unwrap();
    assert_eq!(user["id"], "4b10bf41-ab11-40e3-8c53-cd67849b50de");
    assert_eq!(user["attributes"]["objectType"], "CustomerUser");
    assert!(user.get("passwordProfile").is_none());
}

#[tokio::test]
async fn unknown_customers_and_users_are_404_in_the_vendor_format() {
    let sandbox = Sandbox::start().await.unwrap();
    let token = access_token(&sandbox).await;
    let (c, _) = sample_user();
    for url in [user_url(&sandbox, "00000000-0000-0000-0000-000000000000", "u"), user_url(&sandbox, c, "nobody")] {
        let response = switchboard_core::http::build_client().get(&url).bearer_auth(&token).send().await.unwrap();
        assert_eq!(response.status(), 404, "{url}");
        assert_error_format(&response.json().await.unwrap());
    }
}

#[tokio::test]
async fn patch_answers_200_with_the_user_and_never_the_password() {
    let sandbox = Sandbox::start().await.unwrap();
    let token = access_token(&sandbox).await;
    let (status, body) = patch(
        &sandbox,
        &token,
        serde_json::json!({
            "usageLocation": "CA",
            "passwordProfile": { "password": "testPw@!122B", "forceChangePassword": true },
            "attributes": { "objectType": "CustomerUser" }
        }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["usageLocation"], "CA");
    assert_eq!(body["displayName"], "DisplayNameChange", "PATCH keeps what is not sent");
    assert!(!body.to_string().contains("testPw@!122B"));
    let (c, u) = sample_user();
    let stored = sandbox.state().partner_center.user(c, u).unwrap();
    assert_eq!((stored.password.as_deref(), stored.force_change_password), (Some("testPw@!122B"), true));
}

#[tokio::test]
async fn patch_validation_names_the_field() {
    let sandbox = Sandbox::start().await.unwrap();
    let token = access_token(&sandbox).await;
    for (body, words) in [
        (serde_json::json!({ "displayName": "" }), "displayName is required"),
        (serde_json::json!({ "displayName": null }), "displayName is required"),
        (serde_json::json!({ "displayName": "d".repeat(257) }), "displayName can be at most 256"),
        (serde_json::json!({ "firstName": "f".repeat(65) }), "firstName can be at most 64"),
        (serde_json::json!({ "lastName": 7 }), "lastName must be a string"),
        (serde_json::json!({ "usageLocation": "Germany" }), "usageLocation 'Germany' is not a valid ISO 3166-1"),
        (serde_json::json!({ "userPrincipalName": "no-at-sign" }), "userPrincipalName 'no-at-sign' must have the form"),
        (serde_json::json!({ "userPrincipalName": ".x@contoso.example" }), "invalid alias"),
        (serde_json::json!({ "userPrincipalName": "x@elsewhere.example" }), "domain portion of the userPrincipalName"),
        (
            serde_json::json!({ "userPrincipalName": "adele.vance@abcdefgh1234.ccsctp.net" }),
            "same value for property userPrincipalName",
        ),
        (serde_json::json!({ "passwordProfile": { "password": "weak" } }), "passwordProfile.password does not comply"),
        (
            serde_json::json!({ "passwordProfile": { "forceChangePassword": true } }),
            "passwordProfile.password is required",
        ),
        (
            serde_json::json!({ "attributes": { "objectType": "Customer" } }),
            "attributes.objectType must be CustomerUser",
        ),
        (serde_json::json!(["not", "an", "object"]), "CustomerUser JSON object"),
    ] {
        let (status, reply) = patch(&sandbox, &token, body.clone()).await;
        assert_eq!(status, 400, "{body}");
        assert_error_format(&reply);
        assert!(reply["description"].as_str().unwrap().contains(words), "{body}: {reply}");
    }
    let (c, u) = sample_user();
    assert_eq!(sandbox.state().partner_center.user(c, u).unwrap().display_name, "DisplayNameChange", "nothing applied");
}

#[tokio::test]
async fn patch_needs_the_user_administrator_role_for_the_customer() {
    let sandbox = Sandbox::start().await.unwrap();
    let token = access_token(&sandbox).await;
    let (c, u) = read_only_customer();
    let client = switchboard_core::http::build_client();
    assert_eq!(client.get(user_url(&sandbox, c, u)).bearer_auth(&token).send().await.unwrap().status(), 200);
    let response = client
        .patch(user_url(&sandbox, c, u))
        .bearer_auth(&token)
        .json(&serde_json::json!({"firstName": "X"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert_error_format(&response.json().await.unwrap());
}

#[tokio::test]
async fn a_repeated_request_id_gets_the_first_answer_and_changes_nothing_twice() {
    let sandbox = Sandbox::start().await.unwrap();
    let token = access_token(&sandbox).await;
    let send = |body: serde_json::Value| {
        switchboard_core::http::build_client()
            .patch(sample_url(&sandbox))
            .bearer_auth(&token)
            .header("MS-RequestId", "5d845377-5b7d-4cd4-98f6-19e5ae3faa81")
            .json(&body)
            .send()
    };
    let first: serde_json::Value = send(serde_json::json!({"firstName": "Once"})).await.unwrap().json().await.unwrap();
    let again: serde_json::Value = send(serde_json::json!({"firstName": "Twice"})).await.unwrap().json().await.unwrap();
    assert_eq!(first, again);
    let (c, u) = sample_user();
    assert_eq!(sandbox.state().partner_center.user(c, u).unwrap().first_name.as_deref(), Some("Once"));
}

#[tokio::test]
async fn lists_page_with_seek_operation_and_the_continuation_header() {
    let sandbox = Sandbox::start().await.unwrap();
    let token = access_token(&sandbox).await;
    let client = switchboard_core::http::build_client();
    let url = format!("{}/v1/customers", sandbox.partner_center_api_url());
    let first: serde_json::Value =
        client.get(format!("{url}?size=2")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    assert_eq!(first["items"].as_array().unwrap().len(), 2);
    assert_eq!(first["attributes"]["objectType"], "Collection");
    assert_eq!(first["items"][0]["companyProfile"]["companyName"], "Contoso Ltd");
    let next = &first["links"]["next"];
    assert_eq!(next["uri"], "/customers?size=2&seekOperation=Next");
    assert_eq!(next["headers"][0]["key"], "MS-ContinuationToken");
    let continuation = next["headers"][0]["value"].as_str().unwrap();
    assert_eq!(first["continuationToken"], continuation);
    let second: serde_json::Value = client
        .get(format!("{url}?size=2&seekOperation=Next"))
        .bearer_auth(&token)
        .header("MS-ContinuationToken", continuation)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(second["items"].as_array().unwrap().len(), 1);
    assert!(second["links"].get("next").is_none());
    assert!(second.get("continuationToken").is_none());

    // A token is only good for the list that gave it, and Next needs one.
    let (c, _) = sample_user();
    let users_url = format!("{url}/{c}/users?size=2&seekOperation=Next");
    for header in [Some(continuation), None] {
        let mut request = client.get(&users_url).bearer_auth(&token);
        if let Some(value) = header {
            request = request.header("MS-ContinuationToken", value);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 400);
        assert_error_format(&response.json().await.unwrap());
    }
    let bad_size = client.get(format!("{url}?size=0")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(bad_size.status(), 400);
}
