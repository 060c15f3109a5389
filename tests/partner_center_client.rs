//! The Partner Center client against the sandbox, over real HTTP on 127.0.0.1: the browser sign-in
//! with PKCE and a loopback redirect, silent token refresh, the customer-user update, the lists,
//! and the failures a service desk will meet.
//!
//! "The browser" is a reqwest GET of the authorize URL that follows the sandbox's redirect to the
//! client's loopback listener.
mod common;

use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use switchboard_core::http::RetryPolicy;
use switchboard_core::partner_center::customer_user;
use switchboard_core::partner_center::{begin_sign_in, PartnerCenterClient, PartnerCenterSettings, Tokens, UserTarget};
use switchboard_core::secret::Secret;
use switchboard_core::ErrorCode;
use switchboard_sandbox::partner_center::{
    read_only_customer, sample_user, NextSignIn, PRACTICE_CLIENT_ID, PRACTICE_TENANT_ID,
};
use switchboard_sandbox::{Faults, RecordedRequest, Sandbox};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const SAMPLE_USER_PATH: &str =
    "/partner-center/v1/customers/eebd1b55-5360-4438-a11d-5c06918c3014/users/4b10bf41-ab11-40e3-8c53-cd67849b50de";
const SEEDED_PASSWORD: &str = "testPw@!122B";

fn quick() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_secs(2),
        max_total: Duration::from_secs(10),
    }
}

fn settings(sandbox: &Sandbox) -> PartnerCenterSettings {
    PartnerCenterSettings::new(
        &sandbox.partner_center_api_url(),
        &sandbox.entra_url(),
        PRACTICE_TENANT_ID,
        PRACTICE_CLIENT_ID,
    )
    .unwrap()
}

fn sample_target() -> UserTarget {
    let (customer_id, user_id) = sample_user();
    UserTarget { customer_id: customer_id.into(), user_id: user_id.into() }
}

/// The system browser: follows the sandbox's redirect to the loopback listener, returns the page.
async fn browser(url: String) -> String {
    common::browser_get(url).await.unwrap().text().await.unwrap()
}

async fn sign_in(sandbox: &Sandbox) -> Tokens {
    let pending = begin_sign_in(&settings(sandbox)).await.unwrap().with_retry_policy(quick());
    let page = tokio::spawn(browser(pending.authorize_url.clone()));
    let tokens = pending.finish().await.unwrap();
    let page = page.await.unwrap();
    assert!(page.contains("You can close this window and return to Switchboard"), "{page}");
    tokens
}

async fn signed_in_client(sandbox: &Sandbox) -> PartnerCenterClient {
    let tokens = sign_in(sandbox).await;
    let client = PartnerCenterClient::from_sign_in(settings(sandbox), tokens).with_retry_policy(quick());
    sandbox.state().clear_requests();
    client
}

fn api_requests(sandbox: &Sandbox) -> Vec<RecordedRequest> {
    sandbox.state().requests().into_iter().filter(|r| r.path.starts_with("/partner-center/")).collect()
}

fn api_calls(sandbox: &Sandbox) -> Vec<String> {
    api_requests(sandbox).iter().map(|r| format!("{} {}", r.method, r.path)).collect()
}

fn token_grants(sandbox: &Sandbox) -> Vec<String> {
    sandbox
        .state()
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/oauth2/v2.0/token"))
        .map(|r| form(&r.body)["grant_type"].clone())
        .collect()
}

fn form(body: &str) -> std::collections::HashMap<String, String> {
    url::form_urlencoded::parse(body.as_bytes()).into_owned().collect()
}

fn api_only(faults: Faults) -> Faults {
    Faults { only_paths_containing: "/partner-center/".into(), ..faults }
}

fn names(first: &str) -> serde_json::Value {
    json!({"firstName": first})
}

fn is_guid(text: &str) -> bool {
    let parts: Vec<usize> = text.split('-').map(str::len).collect();
    parts == [8, 4, 4, 4, 12] && text.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
}

#[tokio::test]
async fn sign_in_with_pkce_through_the_loopback_redirect() {
    let sandbox = Sandbox::start().await.unwrap();
    let tokens = sign_in(&sandbox).await;

    let requests = sandbox.state().requests();
    let authorize = requests.iter().find(|r| r.path.ends_with("/oauth2/v2.0/authorize")).unwrap();
    assert_eq!(authorize.path, format!("/entra/{PRACTICE_TENANT_ID}/oauth2/v2.0/authorize"));
    let query = form(authorize.query.as_deref().unwrap());
    assert_eq!(query["client_id"], PRACTICE_CLIENT_ID);
    assert_eq!(query["response_type"], "code");
    assert_eq!(query["code_challenge_method"], "S256");
    assert_eq!(query["scope"], "https://api.partnercenter.microsoft.com/user_impersonation offline_access");
    let redirect_uri = &query["redirect_uri"];
    let redirect = url::Url::parse(redirect_uri).unwrap();
    assert_eq!((redirect.scheme(), redirect.host_str(), redirect.path()), ("http", Some("127.0.0.1"), "/"));
    assert!(redirect.port().is_some_and(|port| port > 0), "an ephemeral port chosen at sign-in");
    assert!(query["state"].len() >= 16);

    let token = requests.iter().find(|r| r.path.ends_with("/oauth2/v2.0/token")).unwrap();
    assert_eq!(token.method, "POST");
    let sent = form(&token.body);
    assert_eq!(sent["grant_type"], "authorization_code");
    assert_eq!(sent["client_id"], PRACTICE_CLIENT_ID);
    assert_eq!(&sent["redirect_uri"], redirect_uri);
    assert_eq!(sent["code_verifier"].len(), 43);
    assert!(!sent.contains_key("client_secret"), "a public client has no secret");
    assert!(!query.values().any(|v| v == &sent["code_verifier"]), "the verifier never goes through the browser");

    // The tokens work at once, without another trip to the token endpoint.
    let client = PartnerCenterClient::from_sign_in(settings(&sandbox), tokens);
    let user = customer_user::OPERATION.read(&client, &sample_target()).await.unwrap();
    assert_eq!(user["displayName"], "DisplayNameChange");
    assert_eq!(token_grants(&sandbox), vec!["authorization_code"]);
}

#[tokio::test]
async fn a_declined_sign_in_is_a_plain_error_and_the_browser_is_told_to_go_back() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.state().partner_center.set_next_sign_in(NextSignIn::Decline);
    let pending = begin_sign_in(&settings(&sandbox)).await.unwrap();
    let page = tokio::spawn(browser(pending.authorize_url.clone()));
    let error = pending.finish().await.unwrap_err();
    assert_eq!(error.code, ErrorCode::SignInRejected);
    assert!(error.message.starts_with("The sign-in was cancelled or declined"), "{}", error.message);
    assert!(error.vendor_message.unwrap().starts_with("access_denied: AADSTS65004"));
    assert!(page.await.unwrap().contains("The sign-in did not complete. You can close this window"));
    assert!(token_grants(&sandbox).is_empty(), "no code, no token request");
}

/// A GET of the listener that a stray page (or another program) might send; returns status and page.
async fn stray(url: String) -> (u16, String) {
    let response = common::browser_get(url).await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

#[tokio::test]
async fn a_redirect_with_another_state_is_refused_and_the_real_one_still_signs_in() {
    let sandbox = Sandbox::start().await.unwrap();
    let pending = begin_sign_in(&settings(&sandbox)).await.unwrap().with_retry_policy(quick());
    let forged_code = format!("{}?code=stolen&state=not-ours", pending.redirect_uri());
    let forged_error = format!("{}?error=access_denied&state=not-ours", pending.redirect_uri());
    let no_state = format!("{}?error=access_denied", pending.redirect_uri());
    let url = pending.authorize_url.clone();
    let browser_task = tokio::spawn(async move {
        for forged in [forged_code, forged_error, no_state] {
            let (status, page) = stray(forged).await;
            assert_eq!(status, 400);
            assert!(page.contains("doesn't belong to the sign-in"), "{page}");
            assert!(!page.contains("not-ours") && !page.contains("stolen"), "nothing echoed: {page}");
        }
        browser(url).await
    });
    let tokens = pending.finish().await.unwrap();
    assert!(browser_task.await.unwrap().contains("Signed in."));
    assert_eq!(token_grants(&sandbox), vec!["authorization_code"], "the forged code was never exchanged");
    let client = PartnerCenterClient::from_sign_in(settings(&sandbox), tokens);
    customer_user::OPERATION.read(&client, &sample_target()).await.unwrap();
}

#[tokio::test]
async fn a_sign_in_that_only_saw_foreign_answers_times_out_and_says_so() {
    let sandbox = Sandbox::start().await.unwrap();
    let pending = begin_sign_in(&settings(&sandbox)).await.unwrap().with_timeout(Duration::from_millis(1500));
    let forged = format!("{}?code=stolen&state=not-ours", pending.redirect_uri());
    let page = tokio::spawn(stray(forged));
    let error = pending.finish().await.unwrap_err();
    assert_eq!(error.code, ErrorCode::SignInRejected);
    assert!(error.message.contains("was not finished in the browser"), "{}", error.message);
    assert!(error.message.contains("didn't belong to this sign-in"), "{}", error.message);
    assert_eq!(page.await.unwrap().0, 400);
    assert!(token_grants(&sandbox).is_empty());
}

#[tokio::test]
async fn unrelated_requests_to_the_listener_do_not_end_the_sign_in() {
    let sandbox = Sandbox::start().await.unwrap();
    let pending = begin_sign_in(&settings(&sandbox)).await.unwrap();
    let favicon = format!("{}favicon.ico", pending.redirect_uri());
    let url = pending.authorize_url.clone();
    let browser_task = tokio::spawn(async move {
        let response = common::browser_get(favicon).await.unwrap();
        assert_eq!(response.status(), 404);
        browser(url).await
    });
    pending.finish().await.unwrap();
    assert!(browser_task.await.unwrap().contains("Signed in."));
}

#[tokio::test]
async fn an_idle_connection_to_the_listener_does_not_hold_up_the_sign_in() {
    let sandbox = Sandbox::start().await.unwrap();
    let pending = begin_sign_in(&settings(&sandbox)).await.unwrap();
    let port = url::Url::parse(pending.redirect_uri()).unwrap().port().unwrap();
    // A browser's speculative preconnect: a connection that never sends a request.
    let _idle = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let started = Instant::now();
    let page = tokio::spawn(browser(pending.authorize_url.clone()));
    pending.finish().await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    assert!(page.await.unwrap().contains("Signed in."));
}

#[tokio::test]
async fn a_sign_in_nobody_finishes_times_out_plainly() {
    let sandbox = Sandbox::start().await.unwrap();
    let pending = begin_sign_in(&settings(&sandbox)).await.unwrap().with_timeout(Duration::from_millis(200));
    let error = pending.finish().await.unwrap_err();
    assert_eq!(error.code, ErrorCode::SignInRejected);
    assert!(error.message.contains("was not finished in the browser"), "{}", error.message);
}

#[tokio::test]
async fn access_tokens_are_refreshed_silently_from_the_refresh_token() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.state().partner_center.set_access_token_lifetime(Duration::from_secs(2));
    let tokens = sign_in(&sandbox).await;
    let first_refresh_token = tokens.refresh_token.duplicate();
    let rotated: Arc<Mutex<Vec<Secret>>> = Arc::default();
    let seen = rotated.clone();
    let client = PartnerCenterClient::from_sign_in(settings(&sandbox), tokens)
        .on_refresh_token_rotated(move |token| seen.lock().unwrap().push(token.duplicate()));

    customer_user::OPERATION.read(&client, &sample_target()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(2100)).await;
    customer_user::OPERATION.read(&client, &sample_target()).await.unwrap();

    assert_eq!(token_grants(&sandbox), vec!["authorization_code", "refresh_token"]);
    let refresh = sandbox.state().requests().into_iter().filter(|r| r.path.ends_with("/token")).nth(1).unwrap();
    assert_eq!(form(&refresh.body)["refresh_token"], first_refresh_token.expose());
    assert!(api_requests(&sandbox).iter().all(|r| r.method == "GET"), "no call was made with an expired token");
    assert_eq!(api_requests(&sandbox).len(), 2, "and none had to be repeated");

    // Entra rotated the refresh token: the caller was told, and the old one is spent.
    let current = client.current_refresh_token().await;
    assert_ne!(current, first_refresh_token);
    assert_eq!(rotated.lock().unwrap().as_slice(), std::slice::from_ref(&current));
    assert!(!sandbox.state().partner_center.refresh_token_is_valid(first_refresh_token.expose()));
    assert!(sandbox.state().partner_center.refresh_token_is_valid(current.expose()));

    // A client made later from the stored refresh token alone signs in without the browser.
    let later = PartnerCenterClient::new(settings(&sandbox), current);
    customer_user::OPERATION.read(&later, &sample_target()).await.unwrap();
}

#[tokio::test]
async fn a_401_refreshes_once_then_succeeds() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = signed_in_client(&sandbox).await;
    sandbox.state().partner_center.expire_access_tokens();
    customer_user::OPERATION.update(&client, &sample_target(), &names("Fresh")).await.unwrap();
    let calls: Vec<String> = sandbox.state().requests().iter().map(|r| format!("{} {}", r.method, r.path)).collect();
    assert_eq!(
        calls,
        vec![
            format!("GET {SAMPLE_USER_PATH}"),
            format!("POST /entra/{PRACTICE_TENANT_ID}/oauth2/v2.0/token"),
            format!("GET {SAMPLE_USER_PATH}"),
            format!("PATCH {SAMPLE_USER_PATH}"),
        ]
    );
}

#[tokio::test]
async fn a_revoked_refresh_token_asks_to_sign_in_again_without_leaking_it() {
    let sandbox = Sandbox::start().await.unwrap();
    let tokens = sign_in(&sandbox).await;
    let refresh_token = tokens.refresh_token.expose().to_string();
    sandbox.state().partner_center.revoke_refresh_tokens();
    let client = PartnerCenterClient::new(settings(&sandbox), tokens.refresh_token).with_retry_policy(quick());
    let error = customer_user::OPERATION.read(&client, &sample_target()).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::SignInRejected);
    assert_eq!(
        error.message,
        "Your saved Microsoft sign-in has expired or was revoked. Sign in to Partner Center again."
    );
    assert!(error.vendor_message.as_deref().unwrap().contains("invalid_grant AADSTS9002313"));
    assert!(error.reference.as_deref().unwrap().starts_with("trace id "), "Entra's trace id, for support");
    let json = serde_json::to_string(&error).unwrap();
    assert!(!json.contains(&refresh_token), "{json}");
    assert!(api_requests(&sandbox).is_empty());
}

#[tokio::test]
async fn a_sign_in_without_mfa_is_refused_by_partner_center() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.state().partner_center.set_next_sign_in(NextSignIn::ApproveWithoutMfa);
    let client = signed_in_client(&sandbox).await;
    let error = customer_user::OPERATION.read(&client, &sample_target()).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::SignInRejected);
    assert!(error.message.contains("multi-factor authentication is required"), "{}", error.message);
    assert!(error.vendor_message.unwrap().contains("Multi-factor authentication is required"));
    assert_eq!(api_calls(&sandbox).len(), 2, "one fresh token, then it gives up");
}

#[tokio::test]
async fn update_reads_merges_and_patches_the_customer_user() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = signed_in_client(&sandbox).await;
    let changes =
        json!({"displayName": "Sam Sample", "usageLocation": "DE", "userPrincipalName": "sam.sample@contoso.example"});
    let receipt = customer_user::OPERATION.update(&client, &sample_target(), &changes).await.unwrap();
    assert_eq!(receipt.changed_fields, vec!["displayName", "userPrincipalName", "usageLocation"]);
    assert_eq!(receipt.before["displayName"], "DisplayNameChange");
    assert_eq!(receipt.after["displayName"], "Sam Sample");
    assert_eq!(receipt.after["firstName"], "FirstNameChange", "untouched fields stay");

    // What Partner Center now holds is what the receipt says.
    let (c, u) = sample_user();
    let stored = sandbox.state().partner_center.user(c, u).unwrap();
    assert_eq!(stored.display_name, "Sam Sample");
    assert_eq!(stored.usage_location.as_deref(), Some("DE"));
    assert_eq!(stored.user_principal_name, "sam.sample@contoso.example");
    assert_eq!(receipt.after["userPrincipalName"], stored.user_principal_name);
    assert_eq!(receipt.request_id.as_deref(), api_requests(&sandbox)[1].header("ms-requestid"));
}

#[tokio::test]
async fn the_requests_match_the_seed_contract() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = signed_in_client(&sandbox).await;
    customer_user::OPERATION.update(&client, &sample_target(), &json!({"usageLocation": "NO"})).await.unwrap();
    assert_eq!(api_calls(&sandbox), vec![format!("GET {SAMPLE_USER_PATH}"), format!("PATCH {SAMPLE_USER_PATH}")]);
    let requests = api_requests(&sandbox);
    let (get, patch) = (&requests[0], &requests[1]);
    for request in [get, patch] {
        assert_eq!(request.header("accept"), Some("application/json"));
        assert!(request.header("authorization").is_some_and(|h| h.starts_with("Bearer sbx-pc-access.")));
        assert!(is_guid(request.header("ms-requestid").unwrap()));
        assert!(is_guid(request.header("ms-correlationid").unwrap()));
        assert_eq!(request.header("ms-contract-version"), Some("v1"));
    }
    assert_ne!(get.header("ms-requestid"), patch.header("ms-requestid"), "a request id per request");
    assert_eq!(get.header("ms-correlationid"), patch.header("ms-correlationid"), "one correlation id per update");
    assert_eq!(patch.header("content-type"), Some("application/json"));
    assert_eq!(
        patch.json().unwrap(),
        serde_json::json!({
            "firstName": "FirstNameChange",
            "lastName": "LastNameChange",
            "displayName": "DisplayNameChange",
            "userPrincipalName": "emailidchange@abcdefgh1234.ccsctp.net",
            "usageLocation": "NO",
            "attributes": { "objectType": "CustomerUser" }
        })
    );
}

#[tokio::test]
async fn password_profile_is_sent_only_when_a_password_is_set() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = signed_in_client(&sandbox).await;
    let (c, u) = sample_user();

    customer_user::OPERATION.update(&client, &sample_target(), &names("NoPassword")).await.unwrap();
    let patch = api_requests(&sandbox).into_iter().find(|r| r.method == "PATCH").unwrap();
    assert!(patch.json().unwrap().get("passwordProfile").is_none(), "{}", patch.body);
    assert_eq!(sandbox.state().partner_center.user(c, u).unwrap().password, None);

    sandbox.state().clear_requests();
    let changes = json!({"password": SEEDED_PASSWORD});
    let receipt = customer_user::OPERATION.update(&client, &sample_target(), &changes).await.unwrap();
    assert_eq!(receipt.changed_fields, vec!["password"]);
    let patch = api_requests(&sandbox).into_iter().find(|r| r.method == "PATCH").unwrap();
    assert_eq!(
        patch.json().unwrap()["passwordProfile"],
        serde_json::json!({ "password": SEEDED_PASSWORD, "forceChangePassword": false }),
        "the switch was left off"
    );
    let stored = sandbox.state().partner_center.user(c, u).unwrap();
    assert_eq!((stored.password.as_deref(), stored.force_change_password), (Some(SEEDED_PASSWORD), false));
    let shown = serde_json::to_string(&receipt).unwrap();
    assert!(!shown.contains(SEEDED_PASSWORD), "the password is never echoed: {shown}");

    sandbox.state().clear_requests();
    let keep = json!({"password": "An0ther!Passw0rd", "forceChangePassword": false});
    let receipt = customer_user::OPERATION.update(&client, &sample_target(), &keep).await.unwrap();
    assert_eq!(receipt.changed_fields, vec!["password", "forceChangePassword"]);
    let patch = api_requests(&sandbox).into_iter().find(|r| r.method == "PATCH").unwrap();
    assert_eq!(patch.json().unwrap()["passwordProfile"]["forceChangePassword"], false);
}

#[tokio::test]
async fn a_new_password_sends_the_sign_in_switch_exactly_as_shown() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = signed_in_client(&sandbox).await;
    let (c, u) = sample_user();
    // The GET has no such flag, so the form shows the switch off; left off, it is not among the
    // changes the form sends, and the request must say off too.
    let current = customer_user::OPERATION.read(&client, &sample_target()).await.unwrap();
    let shown = serde_json::to_value(&current).unwrap();
    assert_eq!(shown.get("forceChangePassword"), None, "never read back: the form shows it off");
    let left_off = json!({"password": SEEDED_PASSWORD});
    customer_user::OPERATION.update(&client, &sample_target(), &left_off).await.unwrap();
    let patch = api_requests(&sandbox).into_iter().rfind(|r| r.method == "PATCH").unwrap();
    assert_eq!(
        patch.json().unwrap()["passwordProfile"],
        serde_json::json!({ "password": SEEDED_PASSWORD, "forceChangePassword": false })
    );
    assert!(!sandbox.state().partner_center.user(c, u).unwrap().force_change_password);

    let turned_on = json!({"password": "An0ther!Passw0rd", "forceChangePassword": true});
    customer_user::OPERATION.update(&client, &sample_target(), &turned_on).await.unwrap();
    let patch = api_requests(&sandbox).into_iter().rfind(|r| r.method == "PATCH").unwrap();
    assert_eq!(patch.json().unwrap()["passwordProfile"]["forceChangePassword"], true);
    assert!(sandbox.state().partner_center.user(c, u).unwrap().force_change_password);
}

#[tokio::test]
async fn a_usage_location_the_vendor_holds_outside_our_list_does_not_block_saving_another_field() {
    let sandbox = Sandbox::start().await.unwrap();
    let (c, u) = sample_user();
    // Kosovo: a usage location Microsoft 365 offers, outside ISO 3166-1 and so our list.
    assert!(sandbox.state().partner_center.edit_user(c, u, |user| user.usage_location = Some("XK".into())));
    let client = signed_in_client(&sandbox).await;
    let receipt = customer_user::OPERATION.update(&client, &sample_target(), &names("Adele")).await.unwrap();
    assert_eq!(receipt.changed_fields, vec!["firstName"]);
    let patch = api_requests(&sandbox).into_iter().find(|r| r.method == "PATCH").unwrap();
    assert_eq!(patch.json().unwrap()["usageLocation"], "XK", "sent back as the vendor gave it");

    let changes = json!({"usageLocation": "XX"});
    let error = customer_user::OPERATION.update(&client, &sample_target(), &changes).await.unwrap_err();
    assert_eq!(error.field.as_deref(), Some("usageLocation"), "an edit is still checked");
}

#[tokio::test]
async fn nothing_is_sent_when_nothing_changed() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = signed_in_client(&sandbox).await;
    let receipt = customer_user::OPERATION.update(&client, &sample_target(), &names("FirstNameChange")).await.unwrap();
    assert!(receipt.changed_fields.is_empty());
    assert_eq!(receipt.request_id, None);
    assert_eq!(api_calls(&sandbox), vec![format!("GET {SAMPLE_USER_PATH}")]);
}

#[tokio::test]
async fn invalid_edits_are_refused_before_any_request() {
    let sandbox = Sandbox::start().await.unwrap();
    // A client that would sign in on first use: any request at all would show in the recorder.
    let client = PartnerCenterClient::new(settings(&sandbox), Secret::new("never-used"));
    let cases = [
        (json!({"displayName": ""}), "displayName"),
        (json!({"displayName": "d".repeat(257)}), "displayName"),
        (names(&"f".repeat(65)), "firstName"),
        (json!({"lastName": "l".repeat(65)}), "lastName"),
        (json!({"usageLocation": "Germany"}), "usageLocation"),
        (json!({"userPrincipalName": "no-domain"}), "userPrincipalName"),
        (json!({"userPrincipalName": ".dot@contoso.example"}), "userPrincipalName"),
        (json!({"userPrincipalName": "a b@contoso.example"}), "userPrincipalName"),
        (json!({"password": "Sh0rt!"}), "password"),
        (json!({"password": "onlylowercase"}), "password"),
        (json!({"password": format!("Aa1!{}", "x".repeat(253))}), "password"),
        (json!({"forceChangePassword": true}), "forceChangePassword"),
    ];
    for (changes, field) in cases {
        let error = customer_user::OPERATION.update(&client, &sample_target(), &changes).await.unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidInput, "{field}");
        assert_eq!(error.field.as_deref(), Some(field), "{}", error.message);
    }
    assert!(sandbox.state().requests().is_empty(), "no request, not even sign-in");
}

#[tokio::test]
async fn a_rule_only_partner_center_knows_comes_back_in_its_words() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = signed_in_client(&sandbox).await;
    let changes = json!({"userPrincipalName": "sam@not-their-domain.example"});
    let error = customer_user::OPERATION.update(&client, &sample_target(), &changes).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::VendorRejected);
    assert_eq!(
        error.message,
        "Microsoft Partner Center refused the change: The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization."
    );
    assert!(error.vendor_message.unwrap().starts_with("HTTP 400: The domain portion"));
    assert!(error.reference.unwrap().starts_with("MS-RequestId "));
}

#[tokio::test]
async fn a_customer_without_the_user_administrator_role_is_forbidden() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = signed_in_client(&sandbox).await;
    let (customer_id, user_id) = read_only_customer();
    let target = UserTarget { customer_id: customer_id.into(), user_id: user_id.into() };
    customer_user::OPERATION.read(&client, &target).await.unwrap();
    let error = customer_user::OPERATION.update(&client, &target, &names("Patricia")).await;
    let error = error.expect_err("the read-only customer refuses updates");
    assert_eq!(error.code, ErrorCode::Forbidden);
    assert!(error.message.contains("User Administrator role"), "{}", error.message);
    let patch = api_requests(&sandbox).into_iter().find(|r| r.method == "PATCH").unwrap();
    let reference = error.reference.unwrap();
    assert!(reference.contains(patch.header("ms-requestid").unwrap()), "{reference}");
    assert!(reference.contains(patch.header("ms-correlationid").unwrap()), "{reference}");
}

#[tokio::test]
async fn unknown_user_is_not_found() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = signed_in_client(&sandbox).await;
    let target = UserTarget { user_id: "00000000-0000-0000-0000-000000000000".into(), ..sample_target() };
    let error = customer_user::OPERATION.read(&client, &target).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::NotFound);
    assert!(error.vendor_message.unwrap().contains("was not found for this customer. (code UserNotFound)"));
    assert!(error.reference.is_some());
}

#[tokio::test]
async fn a_429_with_retry_after_is_waited_out_then_succeeds() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = signed_in_client(&sandbox).await;
    sandbox.state().set_faults(api_only(Faults { throttle_next: 1, retry_after_seconds: 1, ..Faults::default() }));
    let started = Instant::now();
    customer_user::OPERATION.read(&client, &sample_target()).await.unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1), "Retry-After was honoured: {:?}", started.elapsed());
    assert_eq!(api_calls(&sandbox).len(), 2);
}

#[tokio::test]
async fn a_burst_of_server_errors_is_retried() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = signed_in_client(&sandbox).await;
    sandbox.state().set_faults(api_only(Faults { fail_next: 2, ..Faults::default() }));
    customer_user::OPERATION.update(&client, &sample_target(), &names("Retried")).await.unwrap();
    assert_eq!(api_calls(&sandbox).len(), 4, "two 503s, the read, the update");
}

#[tokio::test]
async fn ms_request_id_is_reused_on_retries_and_new_for_the_next_call() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = signed_in_client(&sandbox).await;
    sandbox.state().set_faults(api_only(Faults { fail_next: 2, ..Faults::default() }));
    customer_user::OPERATION.read(&client, &sample_target()).await.unwrap();
    customer_user::OPERATION.read(&client, &sample_target()).await.unwrap();
    let requests = api_requests(&sandbox);
    assert_eq!(requests.len(), 4);
    let ids: Vec<&str> = requests.iter().map(|r| r.header("ms-requestid").unwrap()).collect();
    assert!(ids[0] == ids[1] && ids[1] == ids[2], "the same logical request on its retries: {ids:?}");
    assert_ne!(ids[3], ids[0], "the next call is a new request");
    let correlation: Vec<&str> = requests.iter().map(|r| r.header("ms-correlationid").unwrap()).collect();
    assert_eq!(correlation[0], correlation[2]);
    assert_ne!(correlation[3], correlation[0], "separate reads are separate operations");
}

#[tokio::test]
async fn a_malformed_reply_is_a_clear_error_with_the_request_ids() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = signed_in_client(&sandbox).await;
    sandbox.state().set_faults(api_only(Faults { malform_next: 1, ..Faults::default() }));
    let error = customer_user::OPERATION.read(&client, &sample_target()).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::MalformedResponse);
    assert_eq!(error.message, "Microsoft Partner Center sent a reply Switchboard can't read.");
    assert!(error.reference.unwrap().contains("MS-CorrelationId"));
}

/// A vendor whose token endpoint works but whose API answers `body`.
async fn vendor_answering(body: &'static str) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buffer = vec![0; 16 * 1024];
            let read = socket.read(&mut buffer).await.unwrap_or(0);
            let request = String::from_utf8_lossy(&buffer[..read]);
            let reply = if request.contains("/oauth2/v2.0/token") {
                r#"{"access_token":"a","refresh_token":"r","expires_in":3600,"token_type":"Bearer"}"#
            } else {
                body
            };
            let response = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{reply}",
                reply.len()
            );
            let _ = socket.write_all(response.as_bytes()).await;
        }
    });
    url
}

#[tokio::test]
async fn replies_of_the_wrong_shape_are_malformed_not_a_panic() {
    for body in ["<html>gateway</html>", "[1,2,3]", "{\"displayName\": 42}", ""] {
        let url = vendor_answering(body).await;
        let settings = PartnerCenterSettings::new(&url, &url, "organizations", "id").unwrap();
        let client = PartnerCenterClient::new(settings, Secret::new("r"));
        let error = customer_user::OPERATION.read(&client, &sample_target()).await.unwrap_err();
        assert_eq!(error.code, ErrorCode::MalformedResponse, "{body}");
    }
}

#[tokio::test]
async fn path_injection_attempts_never_reach_the_vendor() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = PartnerCenterClient::new(settings(&sandbox), Secret::new("never-used"));
    for (customer_id, user_id, field) in [
        ("../../customers", "u", "customerId"),
        ("c", "u/../../x", "userId"),
        ("c", "u?seekOperation=Next", "userId"),
        ("c", "u#frag", "userId"),
        ("c", "u v", "userId"),
        ("c", "%2e%2e", "userId"),
    ] {
        let target = UserTarget { customer_id: customer_id.into(), user_id: user_id.into() };
        let error = customer_user::OPERATION.read(&client, &target).await.unwrap_err();
        assert_eq!(error.field.as_deref(), Some(field), "{target:?}");
        let error = customer_user::OPERATION.update(&client, &target, &names("x")).await.unwrap_err();
        assert_eq!(error.field.as_deref(), Some(field), "{target:?}");
    }
    let error = client.list_users("../customers", 10, None).await.unwrap_err();
    assert_eq!(error.field.as_deref(), Some("customerId"));
    assert!(sandbox.state().requests().is_empty());
}

#[tokio::test]
async fn customers_and_users_are_listed_page_by_page() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = signed_in_client(&sandbox).await;

    let first = client.list_customers(2, None).await.unwrap();
    assert_eq!(first.items.len(), 2);
    assert_eq!(first.items[0].company_name, "Contoso Ltd");
    assert_eq!(first.items[0].domain, "abcdefgh1234.ccsctp.net");
    let token = first.continuation_token.expect("more customers follow");
    let second = client.list_customers(2, Some(&token)).await.unwrap();
    assert_eq!(second.items.len(), 1);
    assert_eq!(second.items[0].company_name, "Tailspin Toys");
    assert_eq!(second.continuation_token, None);

    let requests = api_requests(&sandbox);
    assert_eq!(requests[0].path, "/partner-center/v1/customers");
    assert_eq!(requests[0].query.as_deref(), Some("size=2"));
    assert_eq!(requests[0].header("ms-continuationtoken"), None);
    assert_eq!(requests[1].query.as_deref(), Some("size=2&seekOperation=Next"));
    assert_eq!(requests[1].header("ms-continuationtoken"), Some(token.as_str()));

    let (customer_id, _) = sample_user();
    let mut users = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let page = client.list_users(customer_id, 2, next.as_deref()).await.unwrap();
        users.extend(page.items);
        match page.continuation_token {
            Some(token) => next = Some(token),
            None => break,
        }
    }
    assert_eq!(users.len(), 5);
    assert_eq!(users[0].user_principal_name, "emailidchange@abcdefgh1234.ccsctp.net");
    assert_eq!(users.iter().filter(|u| u.state == "inactive").count(), 1);
}

#[tokio::test]
async fn an_unreachable_vendor_is_a_plain_message() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}");
    let settings = PartnerCenterSettings::new(&url, &url, "organizations", "id").unwrap();
    let client = PartnerCenterClient::new(settings, Secret::new("r")).with_retry_policy(quick());
    let error = customer_user::OPERATION.read(&client, &sample_target()).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::Unreachable);
    assert!(error.message.starts_with("Can't reach Microsoft sign-in (127.0.0.1)"), "{}", error.message);
}

#[tokio::test]
async fn an_oversized_answer_is_a_clear_error_with_the_request_ids() {
    const MIB: usize = 1024 * 1024;
    let sandbox = Sandbox::start().await.unwrap();
    let client = signed_in_client(&sandbox).await;
    let oversize = |bytes: usize, chunked: bool| {
        api_only(Faults { oversize_next: 1, oversize_bytes: bytes, oversize_chunked: chunked, ..Faults::default() })
    };
    sandbox.state().set_faults(oversize(5 * MIB, false));
    let error = customer_user::OPERATION.read(&client, &sample_target()).await.unwrap_err();
    assert_eq!(serde_json::to_value(error.code).unwrap(), "response_too_large");
    assert!(error.message.starts_with("Microsoft Partner Center sent an answer larger than"), "{}", error.message);
    assert!(error.reference.unwrap().contains("MS-CorrelationId"));

    // The sign-in service's answers are capped too.
    let refresh = client.current_refresh_token().await;
    sandbox.state().set_faults(Faults {
        oversize_next: 1,
        oversize_bytes: 5 * MIB,
        oversize_chunked: true,
        only_paths_containing: "/oauth2/v2.0/token".into(),
        ..Faults::default()
    });
    sandbox.state().partner_center.expire_access_tokens();
    let fresh = PartnerCenterClient::new(settings(&sandbox), refresh).with_retry_policy(quick());
    let error = customer_user::OPERATION.read(&fresh, &sample_target()).await.unwrap_err();
    assert_eq!(serde_json::to_value(error.code).unwrap(), "response_too_large");
}
