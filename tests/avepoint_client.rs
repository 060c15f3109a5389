//! The AvePoint client against the sandbox, over real HTTP on 127.0.0.1.

mod common;

use common::{api_calls, client_for, practice_client, sample_target, token_requests};
use serde_json::json;
use std::time::Duration;
use switchboard_core::avepoint::account_information;
use switchboard_core::avepoint::{AvePointClient, AvePointSettings, UserTarget};
use switchboard_core::secret::Secret;
use switchboard_core::ErrorCode;
use switchboard_sandbox::{Sandbox, READ_ONLY_CLIENT_ID, READ_ONLY_CLIENT_SECRET};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const USER_PATH: &str = "/avepoint/graph/partner/external/v3/um/customers/966f35cc-61f4-4070-819c-25cdbcf82a07/tenants/0c7715b3-bc2f-4c4c-a8a0-f3634dcfacec/users/7c18fd6f-fb26-4353-8dbd-5725fa9edc3f";

fn mail_change(mail: &str) -> serde_json::Value {
    json!({"mail": mail})
}

#[tokio::test]
async fn reads_the_sample_users_account_information() {
    let sandbox = Sandbox::start().await.unwrap();
    let info = account_information::OPERATION.read(&practice_client(&sandbox), &sample_target()).await.unwrap();
    assert_eq!(info["mail"], "Mark@element.onmicrosoft.com");
    assert_eq!(info["usageLocation"], "AF");
    assert_eq!(info["preferredLanguage"], "af-NA");
    assert_eq!(info["enforceStartDateTime"], "1970-01-01T00:00:00Z");
}

#[tokio::test]
async fn update_reads_merges_and_puts_all_seven_fields() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = practice_client(&sandbox);
    let changes = json!({"mail": "mark.lee@contoso.example", "usageLocation": "DE"});
    let receipt = account_information::OPERATION.update(&client, &sample_target(), &changes).await.unwrap();

    assert_eq!(receipt.changed_fields, vec!["mail", "usageLocation"]);
    assert_eq!(receipt.before["mail"], "Mark@element.onmicrosoft.com");
    assert!(receipt.request_id.is_some(), "the vendor's request-id is kept");
    assert_eq!(api_calls(&sandbox), vec![format!("GET {USER_PATH}"), format!("PUT {USER_PATH}/account-information")]);

    let put = sandbox.state().requests().into_iter().find(|r| r.method == "PUT").unwrap();
    assert_eq!(
        put.json().unwrap(),
        serde_json::json!({
            "mail": "mark.lee@contoso.example",
            "usageLocation": "DE",
            "preferredLanguage": "af-NA",
            "enforceStart": false,
            "enforceStartDateTime": "1970-01-01T00:00:00Z",
            "enforceEnd": false,
            "enforceEndDateTime": "1970-01-01T00:00:00Z"
        })
    );
    assert!(put.header("authorization").is_some_and(|h| h.starts_with("Bearer ")));
    assert_eq!(put.header("content-type"), Some("application/json"));

    let (c, t, u) = switchboard_sandbox::avepoint::sample_user();
    let stored = sandbox.state().avepoint.user(c, t, u).unwrap();
    assert_eq!((stored.mail.as_str(), stored.usage_location.as_str()), ("mark.lee@contoso.example", "DE"));
}

#[tokio::test]
async fn values_the_vendor_holds_outside_our_checks_do_not_block_saving_another_field() {
    let sandbox = Sandbox::start().await.unwrap();
    let (c, t, u) = switchboard_sandbox::avepoint::sample_user();
    assert!(sandbox.state().avepoint.edit_user(c, t, u, |user| {
        // Kosovo: a usage location Microsoft 365 offers, outside ISO 3166-1 and so our list.
        user.usage_location = "XK".into();
        user.preferred_language = "zh-Hans".into();
        user.enforce_end_date_time = "2030-06-30T17:00:00".into();
    }));
    let client = practice_client(&sandbox);
    let receipt = account_information::OPERATION
        .update(&client, &sample_target(), &mail_change("mark.lee@contoso.example"))
        .await
        .unwrap();
    assert_eq!(receipt.changed_fields, vec!["mail"]);
    let put = sandbox.state().requests().into_iter().find(|r| r.method == "PUT").unwrap();
    let body = put.json().unwrap();
    assert_eq!(
        (&body["usageLocation"], &body["preferredLanguage"], &body["enforceEndDateTime"]),
        (&serde_json::json!("XK"), &serde_json::json!("zh-Hans"), &serde_json::json!("2030-06-30T17:00:00")),
        "sent back as the vendor gave them"
    );
    assert_eq!(sandbox.state().avepoint.user(c, t, u).unwrap().mail, "mark.lee@contoso.example");

    // What the user changes is still checked strictly, before anything is sent.
    sandbox.state().clear_requests();
    for (changes, field) in [
        (json!({"usageLocation": "XX"}), "usageLocation"),
        (json!({"enforceStartDateTime": "2030-01-01T09:00:00"}), "enforceStartDateTime"),
    ] {
        let error = account_information::OPERATION.update(&client, &sample_target(), &changes).await.unwrap_err();
        assert_eq!(error.field.as_deref(), Some(field));
    }
    assert!(sandbox.state().requests().iter().all(|r| r.method != "PUT"));
}

#[tokio::test]
async fn nothing_is_sent_when_nothing_changed() {
    let sandbox = Sandbox::start().await.unwrap();
    let receipt = account_information::OPERATION
        .update(&practice_client(&sandbox), &sample_target(), &mail_change("Mark@element.onmicrosoft.com"))
        .await
        .unwrap();
    assert!(receipt.changed_fields.is_empty());
    assert_eq!(receipt.request_id, None);
    assert_eq!(api_calls(&sandbox), vec![format!("GET {USER_PATH}")]);
}

#[tokio::test]
async fn invalid_edits_are_refused_before_any_request() {
    let sandbox = Sandbox::start().await.unwrap();
    let error = account_information::OPERATION
        .update(&practice_client(&sandbox), &sample_target(), &mail_change("not-an-address"))
        .await
        .unwrap_err();
    assert_eq!(error.code, ErrorCode::InvalidInput);
    assert_eq!(error.field.as_deref(), Some("mail"));
    assert_eq!(error.message, "Email must be an email address, like name@example.com.");
    assert!(sandbox.state().requests().is_empty(), "no request, not even sign-in");
}

#[tokio::test]
async fn path_injection_attempts_never_reach_the_vendor() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = practice_client(&sandbox);
    for (customer_id, tenant_id, user_id, field) in [
        ("../../general/customers", "t", "u", "customerId"),
        ("c", "t/../../x", "u", "tenantId"),
        ("c", "t", "u?admin=1", "userId"),
        ("c", "t", "u#frag", "userId"),
        ("c", "t", "u v", "userId"),
        ("c", "t", "%2e%2e", "userId"),
    ] {
        let target =
            UserTarget { customer_id: customer_id.into(), tenant_id: tenant_id.into(), user_id: user_id.into() };
        let error = account_information::OPERATION.read(&client, &target).await.unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidInput, "{target:?}");
        assert_eq!(error.field.as_deref(), Some(field), "{target:?}");
        let error =
            account_information::OPERATION.update(&client, &target, &mail_change("a@b.example")).await.unwrap_err();
        assert_eq!(error.field.as_deref(), Some(field), "{target:?}");
    }
    assert!(sandbox.state().requests().is_empty());
}

#[tokio::test]
async fn unknown_user_is_not_found() {
    let sandbox = Sandbox::start().await.unwrap();
    let target = UserTarget { user_id: "00000000-0000-0000-0000-000000000000".into(), ..sample_target() };
    let error = account_information::OPERATION.read(&practice_client(&sandbox), &target).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::NotFound);
    assert!(error.vendor_message.unwrap().contains("was not found"));
    assert!(error.reference.is_some(), "the vendor's request-id is kept for support");
}

#[tokio::test]
async fn wrong_secret_is_a_rejected_sign_in_without_the_secret_in_the_error() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client_for(&sandbox, switchboard_sandbox::PRACTICE_CLIENT_ID, "wrong-secret-value");
    let error = account_information::OPERATION.read(&client, &sample_target()).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::SignInRejected);
    let json = serde_json::to_string(&error).unwrap();
    assert!(!json.contains("wrong-secret-value"), "{json}");
    assert!(json.contains("invalid_client"), "{json}");
}

#[tokio::test]
async fn missing_write_permission_is_forbidden_and_named() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client_for(&sandbox, READ_ONLY_CLIENT_ID, READ_ONLY_CLIENT_SECRET);
    let error = account_information::OPERATION
        .update(&client, &sample_target(), &mail_change("a@b.example"))
        .await
        .unwrap_err();
    assert_eq!(error.code, ErrorCode::Forbidden);
    assert!(error.message.contains("elements.um.user.readwrite.all"), "{}", error.message);
}

#[tokio::test]
async fn a_token_without_the_write_scope_gets_the_vendors_403() {
    let sandbox = Sandbox::start().await.unwrap();
    let http = switchboard_core::http::build_client();
    let token: serde_json::Value = http
        .post(format!("{}/connect/token", sandbox.avepoint_identity_url()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", READ_ONLY_CLIENT_ID),
            ("client_secret", READ_ONLY_CLIENT_SECRET),
            ("scope", "elements.um.user.read.all"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let response = http
        .put(format!("{}{}/account-information", sandbox.url(), USER_PATH))
        .bearer_auth(token["access_token"].as_str().unwrap())
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
}

#[tokio::test]
async fn the_token_is_cached_between_calls() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = practice_client(&sandbox);
    for _ in 0..3 {
        account_information::OPERATION.read(&client, &sample_target()).await.unwrap();
    }
    assert_eq!(token_requests(&sandbox), 1);
}

#[tokio::test]
async fn an_expired_token_is_refreshed_once_and_the_call_succeeds() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = practice_client(&sandbox);
    account_information::OPERATION.read(&client, &sample_target()).await.unwrap();
    sandbox.state().avepoint.expire_tokens();
    sandbox.state().clear_requests();
    account_information::OPERATION
        .update(&client, &sample_target(), &mail_change("fresh@contoso.example"))
        .await
        .unwrap();
    let calls: Vec<String> = sandbox
        .state()
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path.rsplit('/').next().unwrap()))
        .collect();
    assert_eq!(
        calls,
        vec![
            "GET 7c18fd6f-fb26-4353-8dbd-5725fa9edc3f",
            "POST token",
            "GET 7c18fd6f-fb26-4353-8dbd-5725fa9edc3f",
            "PUT account-information"
        ]
    );
}

#[tokio::test]
async fn a_short_lived_token_is_renewed_before_it_expires() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.state().avepoint.set_token_lifetime(Duration::from_secs(1));
    let client = practice_client(&sandbox);
    account_information::OPERATION.read(&client, &sample_target()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    account_information::OPERATION.read(&client, &sample_target()).await.unwrap();
    assert_eq!(token_requests(&sandbox), 2);
    assert_eq!(sandbox.state().requests().len(), 4, "no call was made with an expired token");
}

#[tokio::test]
async fn an_unreachable_vendor_is_a_plain_message() {
    // Bind then drop a listener to get a port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}");
    let quick = switchboard_core::http::RetryPolicy {
        base_delay: Duration::from_millis(10),
        ..switchboard_core::http::RetryPolicy::default()
    };
    let client = AvePointClient::new(AvePointSettings::new(&url, &url, "id").unwrap(), Secret::new("s"))
        .with_retry_policy(quick);
    let error = account_information::OPERATION.read(&client, &sample_target()).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::Unreachable);
    assert!(error.message.starts_with("Can't reach AvePoint (127.0.0.1)"), "{}", error.message);
}

/// A vendor that signs in fine but answers the user read with `body`.
async fn vendor_answering(body: &'static str) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buffer = vec![0; 16 * 1024];
            let read = socket.read(&mut buffer).await.unwrap_or(0);
            let request = String::from_utf8_lossy(&buffer[..read]);
            let reply = if request.contains("/connect/token") {
                r#"{"access_token":"t","expires_in":3600,"token_type":"Bearer"}"#
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
async fn a_malformed_reply_is_a_clear_error_not_a_panic() {
    for body in ["<html>gateway</html>", "[1,2,3]", "{\"mail\": 42}", ""] {
        let url = vendor_answering(body).await;
        let client = AvePointClient::new(AvePointSettings::new(&url, &url, "id").unwrap(), Secret::new("s"));
        let error = account_information::OPERATION.read(&client, &sample_target()).await.unwrap_err();
        assert_eq!(error.code, ErrorCode::MalformedResponse, "{body}");
        assert_eq!(error.message, "AvePoint sent a reply Switchboard can't read.");
    }
}

fn certificate_client(sandbox: &Sandbox, client_id: &str) -> AvePointClient {
    use switchboard_core::avepoint::certificate::ClientCertificate;
    use switchboard_core::avepoint::Credential;
    let certificate = ClientCertificate::from_bytes(
        switchboard_sandbox::PRACTICE_CERTIFICATE_PFX,
        switchboard_sandbox::PRACTICE_CERTIFICATE_PFX_PASSWORD,
    )
    .unwrap();
    let settings =
        AvePointSettings::new(&sandbox.avepoint_api_url(), &sandbox.avepoint_identity_url(), client_id).unwrap();
    AvePointClient::with_credential(settings, Credential::Certificate(std::sync::Arc::new(certificate)))
}

#[tokio::test]
async fn certificate_sign_in_sends_a_signed_assertion_and_works() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = certificate_client(&sandbox, switchboard_sandbox::CERTIFICATE_CLIENT_ID);
    account_information::OPERATION
        .update(&client, &sample_target(), &mail_change("cert@contoso.example"))
        .await
        .unwrap();
    let token_request = sandbox.state().requests().into_iter().find(|r| r.path.ends_with("/connect/token")).unwrap();
    let form: std::collections::HashMap<String, String> = url_form(&token_request.body);
    assert_eq!(form["client_assertion_type"], "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
    assert_eq!(form["client_assertion"].split('.').count(), 3);
    assert!(!form.contains_key("client_secret"));
    assert!(!token_request.body.contains("PRIVATE"), "the key never leaves");
    // A second token request needs a new assertion (the sandbox refuses replays).
    sandbox.state().avepoint.expire_tokens();
    account_information::OPERATION.read(&client, &sample_target()).await.unwrap();
}

#[tokio::test]
async fn a_certificate_not_registered_for_the_app_is_rejected_plainly() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = certificate_client(&sandbox, switchboard_sandbox::PRACTICE_CLIENT_ID);
    let error = account_information::OPERATION.read(&client, &sample_target()).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::SignInRejected);
    assert!(error.message.contains("certificate is not (or no longer) registered"), "{}", error.message);
}

#[tokio::test]
async fn a_replayed_assertion_is_refused_by_the_sandbox() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = certificate_client(&sandbox, switchboard_sandbox::CERTIFICATE_CLIENT_ID);
    account_information::OPERATION.read(&client, &sample_target()).await.unwrap();
    let first = sandbox.state().requests().into_iter().find(|r| r.path.ends_with("/connect/token")).unwrap();
    let replay = switchboard_core::http::build_client()
        .post(format!("{}/connect/token", sandbox.avepoint_identity_url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(first.body)
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), 400);
    assert!(replay.text().await.unwrap().contains("already used"));
}

fn url_form(body: &str) -> std::collections::HashMap<String, String> {
    url::form_urlencoded::parse(body.as_bytes()).into_owned().collect()
}

mod office_information {
    use super::*;
    use switchboard_core::avepoint::office_information;

    #[tokio::test]
    async fn reads_without_city_then_puts_all_five_fields() {
        let sandbox = Sandbox::start().await.unwrap();
        let client = practice_client(&sandbox);
        let current = office_information::OPERATION.read(&client, &sample_target()).await.unwrap();
        assert_eq!(current["countryRegion"], "United States");
        assert_eq!(current["city"], "", "the vendor's GET has no city");

        let changes = json!({"city": "Redmond", "address": "1 Microsoft Way"});
        let receipt = office_information::OPERATION.update(&client, &sample_target(), &changes).await.unwrap();
        assert_eq!(receipt.changed_fields, vec!["address", "city"]);
        let put = sandbox.state().requests().into_iter().find(|r| r.method == "PUT").unwrap();
        assert!(put.path.ends_with("/users/7c18fd6f-fb26-4353-8dbd-5725fa9edc3f/office-information"));
        assert_eq!(
            put.json().unwrap(),
            serde_json::json!({
                "postalCode": "98052",
                "countryRegion": "United States",
                "state": "WA",
                "address": "1 Microsoft Way",
                "city": "Redmond"
            })
        );
        let (c, t, u) = switchboard_sandbox::avepoint::sample_user();
        let stored = sandbox.state().avepoint.user(c, t, u).unwrap();
        assert_eq!((stored.address.as_str(), stored.city.as_deref()), ("1 Microsoft Way", Some("Redmond")));
    }

    #[tokio::test]
    async fn the_city_is_read_back_after_a_put_and_untouched_by_other_saves() {
        let sandbox = Sandbox::start().await.unwrap();
        let client = practice_client(&sandbox);
        let changes = json!({"city": "Redmond"});
        office_information::OPERATION.update(&client, &sample_target(), &changes).await.unwrap();
        let current = office_information::OPERATION.read(&client, &sample_target()).await.unwrap();
        assert_eq!(current["city"], "Redmond", "the GET returns the city the PUT stored");

        sandbox.state().clear_requests();
        let changes = json!({"state": "OR"});
        let receipt = office_information::OPERATION.update(&client, &sample_target(), &changes).await.unwrap();
        assert_eq!(receipt.changed_fields, vec!["state"]);
        assert_eq!(
            (receipt.before["city"].as_str().unwrap(), receipt.after["city"].as_str().unwrap()),
            ("Redmond", "Redmond")
        );
        let put = sandbox.state().requests().into_iter().find(|r| r.method == "PUT").unwrap();
        assert_eq!(put.json().unwrap()["city"], "Redmond", "the city goes back as read");
    }

    #[tokio::test]
    async fn a_seeded_city_is_read_from_the_get() {
        let sandbox = Sandbox::start().await.unwrap();
        let (customer, tenant, _) = switchboard_sandbox::avepoint::sample_user();
        let adele = sandbox.state().avepoint.customers()[0].tenants[0].users[1].clone();
        assert_eq!(adele.first_name, "Adele");
        let seeded = adele.city.clone().expect("a seed user with a city");
        let target = UserTarget { customer_id: customer.into(), tenant_id: tenant.into(), user_id: adele.id };
        let current = office_information::OPERATION.read(&practice_client(&sandbox), &target).await.unwrap();
        assert_eq!(current["city"], seeded);
    }

    #[tokio::test]
    async fn an_older_api_without_city_reads_as_empty() {
        let url = vendor_answering(
            r#"{"postalCode":"98052","countryRegion":"United States","state":"WA","address":"1 Main Street"}"#,
        )
        .await;
        let client = AvePointClient::new(AvePointSettings::new(&url, &url, "id").unwrap(), Secret::new("s"));
        let current = office_information::OPERATION.read(&client, &sample_target()).await.unwrap();
        assert_eq!((current["city"].as_str().unwrap(), current["state"].as_str().unwrap()), ("", "WA"));
    }

    #[tokio::test]
    async fn a_missing_city_is_asked_for_before_anything_is_sent() {
        let sandbox = Sandbox::start().await.unwrap();
        let changes = json!({"state": "OR"});
        let error = office_information::OPERATION
            .update(&practice_client(&sandbox), &sample_target(), &changes)
            .await
            .unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidInput);
        assert_eq!(error.field.as_deref(), Some("city"));
        assert!(sandbox.state().requests().iter().all(|r| r.method != "PUT"));
    }

    #[tokio::test]
    async fn too_long_fields_are_refused_before_any_request() {
        let sandbox = Sandbox::start().await.unwrap();
        let changes = json!({"postalCode": "9".repeat(41)});
        let error = office_information::OPERATION
            .update(&practice_client(&sandbox), &sample_target(), &changes)
            .await
            .unwrap_err();
        assert_eq!(error.field.as_deref(), Some("postalCode"));
        assert!(sandbox.state().requests().is_empty());
    }

    #[tokio::test]
    async fn refusals_are_the_vendors_own_for_office_information_too() {
        let sandbox = Sandbox::start().await.unwrap();
        let changes = json!({"city": "Oslo"});
        let unknown = UserTarget { user_id: "00000000-0000-0000-0000-000000000000".into(), ..sample_target() };
        let error =
            office_information::OPERATION.update(&practice_client(&sandbox), &unknown, &changes).await.unwrap_err();
        assert_eq!(error.code, ErrorCode::NotFound);
        let read_only = client_for(&sandbox, READ_ONLY_CLIENT_ID, READ_ONLY_CLIENT_SECRET);
        let error = office_information::OPERATION.update(&read_only, &sample_target(), &changes).await.unwrap_err();
        assert_eq!(error.code, ErrorCode::Forbidden);
        sandbox.state().clear_requests();
        let injected = UserTarget { tenant_id: "x/../../y".into(), ..sample_target() };
        let error =
            office_information::OPERATION.update(&practice_client(&sandbox), &injected, &changes).await.unwrap_err();
        assert_eq!(error.field.as_deref(), Some("tenantId"));
        assert!(sandbox.state().requests().is_empty());
    }

    #[tokio::test]
    async fn the_sandbox_requires_city_like_the_vendor() {
        let sandbox = Sandbox::start().await.unwrap();
        let client = switchboard_core::http::build_client();
        let token: serde_json::Value = client
            .post(format!("{}/connect/token", sandbox.avepoint_identity_url()))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", switchboard_sandbox::PRACTICE_CLIENT_ID),
                ("client_secret", switchboard_sandbox::PRACTICE_CLIENT_SECRET),
            ])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let response = client
            .put(format!("{}{USER_PATH}/office-information", sandbox.url()))
            .bearer_auth(token["access_token"].as_str().unwrap())
            .json(&serde_json::json!({ "postalCode": "2121", "countryRegion": " Angola", "state": "Luanda", "address": "Dande" }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400);
        assert!(response.text().await.unwrap().contains("city"));
    }
}

mod lists {
    use super::*;
    use switchboard_core::avepoint::lists;

    #[tokio::test]
    async fn customers_and_users_page_through_the_batch_endpoints() {
        let sandbox = Sandbox::start().await.unwrap();
        let client = practice_client(&sandbox);
        let first = lists::list_customers(&client, 1, 1).await.unwrap();
        assert_eq!(first.metadata.total_count, 2);
        assert_eq!(first.data.len(), 1);
        let second = lists::list_customers(&client, 2, 1).await.unwrap();
        assert_ne!(first.data[0].id, second.data[0].id);
        let target = sample_target();
        let users = lists::list_users(&client, &target.customer_id, &target.tenant_id, 1, 2).await.unwrap();
        assert_eq!(users.metadata.total_count, 3);
        assert_eq!(users.data.len(), 2);
        let batch = sandbox.state().requests().into_iter().rfind(|r| r.path.ends_with("/users/batch")).unwrap();
        assert_eq!(batch.method, "POST");
        assert_eq!(batch.query.as_deref(), Some("pageIndex=1&pageSize=2"));
    }

    #[tokio::test]
    async fn page_sizes_above_100_are_refused_before_any_request() {
        let sandbox = Sandbox::start().await.unwrap();
        let error = lists::list_customers(&practice_client(&sandbox), 1, 101).await.unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidInput);
        assert!(sandbox.state().requests().is_empty());
    }
}
