//! The sandbox behaves as SoftwareOne documents it (vendors.md §3 and the seed's OpenAPI
//! `AccountUser` schema), whatever client calls it.

use serde_json::{json, Value};
use switchboard_sandbox::softwareone::{LIMITED_TOKEN, PRACTICE_TOKEN, RESTRICTED_ACCOUNT};
use switchboard_sandbox::Sandbox;

const ACCOUNTS: &str = "/public/v1/accounts/accounts";
const USER: &str = "/public/v1/accounts/accounts/ACC-1234-5678/users/USR-0000-0001";

struct Reply {
    status: u16,
    headers: reqwest::header::HeaderMap,
    json: Value,
}

async fn call(sandbox: &Sandbox, method: &str, path: &str, token: Option<&str>, body: Option<&str>) -> Reply {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut request =
        switchboard_core::http::build_client().request(method, format!("{}{path}", sandbox.softwareone_url()));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.header("content-type", "application/json").body(body.to_string());
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    Reply { status, headers, json: serde_json::from_str(&text).unwrap_or(Value::Null) }
}

async fn get(sandbox: &Sandbox, path: &str) -> Reply {
    call(sandbox, "GET", path, Some(PRACTICE_TOKEN), None).await
}

async fn put(sandbox: &Sandbox, body: Value) -> Reply {
    call(sandbox, "PUT", USER, Some(PRACTICE_TOKEN), Some(&body.to_string())).await
}

/// A ProblemDetails body with the given status and a trace id the sandbox recorded.
fn assert_problem(sandbox: &Sandbox, reply: &Reply, status: u16) {
    assert_eq!(reply.status, status, "{}", reply.json);
    let content_type = reply.headers.get("content-type").unwrap().to_str().unwrap();
    assert!(content_type.starts_with("application/problem+json"), "{content_type}");
    assert_eq!(reply.json["status"], status);
    assert!(reply.json["title"].as_str().is_some_and(|t| !t.is_empty()), "{}", reply.json);
    assert!(reply.json["type"].as_str().unwrap().starts_with("https://tools.ietf.org/html/rfc9110#section-15."));
    let trace_id = reply.json["traceId"].as_str().unwrap();
    assert!(trace_id.starts_with("00-") && trace_id.len() == 55, "{trace_id}");
    assert!(sandbox.state().softwareone.trace_ids().contains(&trace_id.to_string()));
}

/// The sample user's settings as held, with `changes` over them: a whole `settings` object, as
/// a PUT must send it (a sent nested object replaces the held one).
fn mark_settings(changes: Value) -> Value {
    let mut settings = json!({
        "cultureCode": "en-US",
        "languageCode": "en-US",
        "timeZone": "Pacific Standard Time",
        "dateFormat": "MM/dd/yyyy",
        "timeFormat": "h:mm tt",
        "numberFormat": {"decimalSeparator": ".", "groupSeparator": ","}
    });
    for (key, value) in changes.as_object().unwrap() {
        settings[key] = value.clone();
    }
    settings
}

fn error_keys(reply: &Reply) -> Vec<String> {
    reply.json["errors"].as_object().map(|errors| errors.keys().cloned().collect()).unwrap_or_default()
}

#[tokio::test]
async fn requests_without_a_valid_token_get_401_problem_details() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.state().softwareone.disable_token(LIMITED_TOKEN);
    for token in [None, Some("idt:TKN-0000-0000:made-up"), Some(LIMITED_TOKEN)] {
        for (method, path) in [("GET", USER), ("GET", ACCOUNTS)] {
            let reply = call(&sandbox, method, path, token, None).await;
            assert_problem(&sandbox, &reply, 401);
            assert_eq!(reply.json["title"], "Unauthorized");
            assert!(reply.headers.contains_key("www-authenticate"));
        }
    }
    let reply = call(&sandbox, "GET", USER, Some(LIMITED_TOKEN), None).await;
    assert_eq!(reply.json["detail"], "The API token is disabled.");
    let basic = switchboard_core::http::build_client()
        .get(format!("{}{USER}", sandbox.softwareone_url()))
        .basic_auth("user", Some(PRACTICE_TOKEN))
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status(), 401, "only a bearer token counts");
}

#[tokio::test]
async fn the_limited_token_gets_403_for_the_restricted_account_only() {
    let sandbox = Sandbox::start().await.unwrap();
    let restricted_user = format!("{ACCOUNTS}/{RESTRICTED_ACCOUNT}/users/USR-0000-0009");
    for (method, path, body) in [
        ("GET", restricted_user.as_str(), None),
        ("PUT", restricted_user.as_str(), Some(r#"{"firstName":"X"}"#)),
        ("GET", &format!("{ACCOUNTS}/{RESTRICTED_ACCOUNT}/users"), None),
        ("GET", &format!("{ACCOUNTS}/{RESTRICTED_ACCOUNT}"), None),
    ] {
        let reply = call(&sandbox, method, path, Some(LIMITED_TOKEN), body).await;
        assert_problem(&sandbox, &reply, 403);
        assert!(reply.json["detail"].as_str().unwrap().contains(RESTRICTED_ACCOUNT));
    }
    assert_eq!(call(&sandbox, "GET", USER, Some(LIMITED_TOKEN), None).await.status, 200);
    let accounts = call(&sandbox, "GET", ACCOUNTS, Some(LIMITED_TOKEN), None).await;
    let ids: Vec<&str> = accounts.json["data"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec!["ACC-1234-5678", "ACC-2345-6789"]);
    assert_eq!(sandbox.state().softwareone.user(RESTRICTED_ACCOUNT, "USR-0000-0009").unwrap().first_name, "Ravi");
}

#[tokio::test]
async fn unknown_ids_are_404_problem_details() {
    let sandbox = Sandbox::start().await.unwrap();
    for path in [
        format!("{ACCOUNTS}/ACC-0000-0000/users/USR-0000-0001"),
        format!("{ACCOUNTS}/ACC-1234-5678/users/USR-9999-9999"),
        format!("{ACCOUNTS}/ACC-0000-0000/users"),
    ] {
        assert_problem(&sandbox, &get(&sandbox, &path).await, 404);
    }
    let reply = call(
        &sandbox,
        "PUT",
        &format!("{ACCOUNTS}/ACC-1234-5678/users/USR-9999-9999"),
        Some(PRACTICE_TOKEN),
        Some("{}"),
    )
    .await;
    assert_problem(&sandbox, &reply, 404);
}

#[tokio::test]
async fn get_returns_an_account_user_of_the_documented_shape() {
    let sandbox = Sandbox::start().await.unwrap();
    let reply = get(&sandbox, USER).await;
    assert_eq!(reply.status, 200);
    let user = reply.json.as_object().unwrap();
    let schema = [
        "id",
        "audit",
        "$meta",
        "name",
        "icon",
        "revision",
        "user",
        "email",
        "status",
        "phone",
        "firstName",
        "lastName",
        "settings",
        "groups",
        "buyers",
        "modules",
        "account",
        "invitation",
    ];
    for key in user.keys() {
        assert!(schema.contains(&key.as_str()), "{key} is not in the AccountUser schema");
    }
    assert_eq!(reply.json["id"], "USR-0000-0001");
    assert_eq!(reply.json["phone"], json!({"prefix": "+1", "number": "4255550101"}));
    assert_eq!(reply.json["settings"]["numberFormat"], json!({"decimalSeparator": ".", "groupSeparator": ","}));
    assert_eq!(reply.json["account"]["id"], "ACC-1234-5678");
    assert_eq!(reply.json["account"]["type"], "Client");
}

#[tokio::test]
async fn put_applies_only_the_delta_and_answers_the_account_user() {
    let sandbox = Sandbox::start().await.unwrap();
    let settings = mark_settings(json!({"numberFormat": {"decimalSeparator": ".", "groupSeparator": " "}}));
    let reply = put(&sandbox, json!({"firstName": "Marcus", "settings": settings})).await;
    assert_eq!(reply.status, 200, "{}", reply.json);
    assert_eq!(reply.json["firstName"], "Marcus");
    assert_eq!(reply.json["name"], "Marcus Lee");
    assert_eq!(reply.json["lastName"], "Lee", "untouched");
    assert_eq!(reply.json["settings"]["numberFormat"], json!({"decimalSeparator": ".", "groupSeparator": " "}));
    assert_eq!(reply.json["settings"]["cultureCode"], "en-US", "untouched sibling");
    assert_eq!(reply.json["revision"], 2);
    assert!(reply.json["audit"]["updated"]["at"].is_string());
    assert_eq!(get(&sandbox, USER).await.json, reply.json, "the answer is what is held");
}

#[tokio::test]
async fn null_clears_nullable_members() {
    let sandbox = Sandbox::start().await.unwrap();
    let settings = mark_settings(json!({"timeZone": null}));
    let reply = put(&sandbox, json!({"phone": {"prefix": "+1", "number": null}, "settings": settings})).await;
    assert_eq!(reply.status, 200, "{}", reply.json);
    assert_eq!(reply.json["phone"], json!({"prefix": "+1", "number": null}));
    assert_eq!(reply.json["settings"]["timeZone"], Value::Null);
    let reply = put(&sandbox, json!({"phone": null})).await;
    assert_eq!(reply.json["phone"], Value::Null);
    let reply = put(&sandbox, json!({"phone": {"prefix": "+44"}})).await;
    assert_eq!(reply.json["phone"], json!({"prefix": "+44", "number": null}), "a phone is created from a delta");
}

#[tokio::test]
async fn nested_objects_are_replaced_as_sent() {
    // The vendor does not document whether a nested object in a delta is merged member by
    // member or replaced; the sandbox takes the strict reading, so partial objects lose data.
    let sandbox = Sandbox::start().await.unwrap();
    let reply = put(&sandbox, json!({"phone": {"number": "5550100"}})).await;
    assert_eq!(reply.status, 200, "{}", reply.json);
    assert_eq!(reply.json["phone"], json!({"prefix": null, "number": "5550100"}), "the prefix was not sent");
    let reply = put(&sandbox, json!({"settings": {"cultureCode": "en-GB", "languageCode": "en-GB"}})).await;
    assert_eq!(reply.status, 200, "{}", reply.json);
    assert_eq!(
        reply.json["settings"],
        json!({"cultureCode": "en-GB", "languageCode": "en-GB", "timeZone": null, "dateFormat": null, "timeFormat": null, "numberFormat": null})
    );
    let reply = put(&sandbox, json!({"settings": {"timeZone": "UTC"}})).await;
    assert_problem(&sandbox, &reply, 400);
    assert_eq!(error_keys(&reply), vec!["Settings.CultureCode", "Settings.LanguageCode"]);
    let settings = json!({"cultureCode": "en-GB", "languageCode": "en-GB", "numberFormat": {"decimalSeparator": ","}});
    let reply = put(&sandbox, json!({ "settings": settings })).await;
    assert_problem(&sandbox, &reply, 400);
    assert_eq!(error_keys(&reply), vec!["Settings.NumberFormat.GroupSeparator"]);
}

#[tokio::test]
async fn put_validates_each_field_like_the_schema() {
    let sandbox = Sandbox::start().await.unwrap();
    let long_email = format!("{}@example.com", "a".repeat(250));
    let cases = [
        (json!({"email": "no-at-sign"}), "Email"),
        (json!({"email": "two@@example.com"}), "Email"),
        (json!({"email": long_email}), "Email"),
        (json!({"email": null}), "Email"),
        (json!({"email": 5}), "$.email"),
        (json!({"firstName": ""}), "FirstName"),
        (json!({"firstName": "  "}), "FirstName"),
        (json!({"lastName": null}), "LastName"),
        (json!({"phone": {"prefix": "+12345678901"}}), "Phone.Prefix"),
        (json!({"phone": {"number": "1234567890123456"}}), "Phone.Number"),
        (json!({"phone": "+1 555"}), "$.phone"),
        (json!({"settings": mark_settings(json!({"cultureCode": "en_US"}))}), "Settings.CultureCode"),
        (json!({"settings": mark_settings(json!({"cultureCode": "en-us"}))}), "Settings.CultureCode"),
        (json!({"settings": mark_settings(json!({"cultureCode": "english"}))}), "Settings.CultureCode"),
        (json!({"settings": mark_settings(json!({"cultureCode": null}))}), "Settings.CultureCode"),
        (json!({"settings": mark_settings(json!({"languageCode": "eng"}))}), "Settings.LanguageCode"),
        (
            json!({"settings": mark_settings(json!({"numberFormat": {"decimalSeparator": "", "groupSeparator": ","}}))}),
            "Settings.NumberFormat.DecimalSeparator",
        ),
        (json!({"settings": mark_settings(json!({"timeZone": 1}))}), "$.settings.timeZone"),
    ];
    for (body, key) in cases {
        let reply = put(&sandbox, body.clone()).await;
        assert_problem(&sandbox, &reply, 400);
        assert_eq!(reply.json["title"], "One or more validation errors occurred.");
        assert_eq!(error_keys(&reply), vec![key.to_string()], "{body}");
        let messages = reply.json["errors"][key].as_array().unwrap();
        assert!(messages.iter().all(|m| m.as_str().is_some_and(|m| !m.is_empty())), "{body}");
    }
    let held = sandbox.state().softwareone.user("ACC-1234-5678", "USR-0000-0001").unwrap();
    assert_eq!((held.email.as_str(), held.revision), ("mark.lee@contoso.example", 1), "nothing was stored");
    // The limits themselves are allowed.
    let reply = put(
        &sandbox,
        json!({"phone": {"prefix": "+123456789", "number": "123456789012345"}, "settings": mark_settings(json!({"languageCode": "de"}))}),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.json);
}

#[tokio::test]
async fn unknown_and_read_only_fields_are_refused_at_every_level() {
    let sandbox = Sandbox::start().await.unwrap();
    for (body, key) in [
        (json!({"nickname": "Marky"}), "$.nickname"),
        (json!({"user": {"firstName": "Marcus"}}), "$.user"),
        (json!({"phone": {"extension": "12"}}), "$.phone.extension"),
        (json!({"settings": mark_settings(json!({"theme": "dark"}))}), "$.settings.theme"),
        (
            json!({"settings": mark_settings(json!({"numberFormat": {"decimalSeparator": ".", "groupSeparator": ",", "currency": "EUR"}}))}),
            "$.settings.numberFormat.currency",
        ),
        (json!({"status": "Disabled"}), "$.status"),
        (json!({"id": "USR-0000-0002"}), "$.id"),
    ] {
        let reply = put(&sandbox, body.clone()).await;
        assert_problem(&sandbox, &reply, 400);
        assert_eq!(error_keys(&reply), vec![key.to_string()], "{body}");
    }
}

#[tokio::test]
async fn a_body_that_is_not_a_json_object_is_refused() {
    let sandbox = Sandbox::start().await.unwrap();
    for body in ["[1]", "not json", "", "\"x\""] {
        let reply = call(&sandbox, "PUT", USER, Some(PRACTICE_TOKEN), Some(body)).await;
        assert_problem(&sandbox, &reply, 400);
        assert_eq!(error_keys(&reply), vec!["$".to_string()], "{body:?}");
    }
}

#[tokio::test]
async fn only_json_bodies_are_accepted() {
    let sandbox = Sandbox::start().await.unwrap();
    let send = |content_type: &'static str| {
        switchboard_core::http::build_client()
            .put(format!("{}{USER}", sandbox.softwareone_url()))
            .bearer_auth(PRACTICE_TOKEN)
            .header("content-type", content_type)
            .body(r#"{"firstName":"Marcus"}"#)
            .send()
    };
    let plain = send("text/plain").await.unwrap();
    assert_eq!(plain.status(), 415);
    let body: Value = plain.json().await.unwrap();
    assert_eq!(body["title"], "Unsupported Media Type");
    assert!(body["traceId"].is_string());
    for accepted in ["application/json; charset=utf-8", "text/json", "application/merge-patch+json"] {
        assert_eq!(send(accepted).await.unwrap().status(), 200, "{accepted}");
    }
}

#[tokio::test]
async fn email_addresses_are_unique_across_the_marketplace() {
    let sandbox = Sandbox::start().await.unwrap();
    for taken in ["jan.smith@contoso.example", "RAVI.PATEL@fabrikam.example"] {
        let reply = put(&sandbox, json!({"email": taken})).await;
        assert_problem(&sandbox, &reply, 409);
        assert_eq!(error_keys(&reply), vec!["Email".to_string()]);
        assert!(reply.json["detail"].as_str().unwrap().contains("already used"));
    }
    let own = put(&sandbox, json!({"email": "Mark.Lee@contoso.example"})).await;
    assert_eq!(own.status, 200, "a user may change the case of their own address");
}

#[tokio::test]
async fn lists_use_the_meta_envelope_and_cap_the_limit_at_100() {
    let sandbox = Sandbox::start().await.unwrap();
    let reply = get(&sandbox, &format!("{ACCOUNTS}?limit=500&offset=1")).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json["$meta"]["pagination"], json!({"offset": 1, "limit": 100, "total": 3}));
    assert_eq!(reply.json["data"].as_array().unwrap().len(), 2);
    let count_only = get(&sandbox, &format!("{ACCOUNTS}/ACC-1234-5678/users?limit=0")).await;
    assert_eq!(count_only.json["$meta"]["pagination"]["total"], 4);
    assert_eq!(count_only.json["data"], json!([]));
    let paged = get(&sandbox, &format!("{ACCOUNTS}/ACC-1234-5678/users?limit=3&offset=3")).await;
    assert_eq!(paged.json["data"][0]["id"], "USR-0000-0004");
    for bad in ["limit=-1", "limit=ten", "offset=x"] {
        assert_problem(&sandbox, &get(&sandbox, &format!("{ACCOUNTS}?{bad}")).await, 400);
    }
}

#[tokio::test]
async fn rql_filters_select_users() {
    let sandbox = Sandbox::start().await.unwrap();
    let users = format!("{ACCOUNTS}/ACC-1234-5678/users");
    let ids = |reply: &Reply| -> Vec<String> {
        reply.json["data"].as_array().unwrap().iter().map(|u| u["id"].as_str().unwrap().to_string()).collect()
    };
    let reply = get(&sandbox, &format!("{users}?ilike(name,*SMITH*)&limit=50")).await;
    assert_eq!(ids(&reply), vec!["USR-0000-0003", "USR-0000-0004"]);
    assert_eq!(reply.json["$meta"]["pagination"]["limit"], 50);
    let reply = get(&sandbox, &format!("{users}?and(ilike(name,%22*smith*%22),eq(status,Active))")).await;
    assert_eq!(ids(&reply), vec!["USR-0000-0003"]);
    let reply = get(&sandbox, &format!("{users}?eq(lastName,%22O'Brien%22)")).await;
    assert_eq!(ids(&reply), vec!["USR-0000-0002"]);
    let reply =
        get(&sandbox, &format!("{users}?eq(account.id,%22ACC-1234-5678%22)&eq(settings.cultureCode,en-IE)")).await;
    assert_eq!(ids(&reply), vec!["USR-0000-0002"]);
    let reply = get(&sandbox, &format!("{ACCOUNTS}?eq(name,%22Smith%20%26%20Partners%22)")).await;
    assert_eq!(reply.json["data"][0]["id"], "ACC-2345-6789");
    // Unquoted, the `&` ends the expression, as at the vendor.
    assert_problem(&sandbox, &get(&sandbox, &format!("{ACCOUNTS}?eq(name,Smith%20%26%20Partners)")).await, 400);
    for bad in ["eq(password,x)", "regex(name,x)", "eq(name,%22x)", "ilike(name)"] {
        let reply = get(&sandbox, &format!("{users}?{bad}")).await;
        assert_problem(&sandbox, &reply, 400);
        assert!(reply.json["detail"].is_string(), "{bad}");
    }
}

#[tokio::test]
async fn every_error_has_its_own_trace_id() {
    let sandbox = Sandbox::start().await.unwrap();
    let first = call(&sandbox, "GET", USER, None, None).await;
    let second = call(&sandbox, "GET", USER, None, None).await;
    assert_ne!(first.json["traceId"], second.json["traceId"]);
    assert_eq!(sandbox.state().softwareone.trace_ids().len(), 2);
}
