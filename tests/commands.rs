//! The Tauri commands on Tauri's mock runtime: arguments arrive as the UI sends them (camelCase
//! JSON) and results and errors leave in the shape the generated TypeScript types promise.

mod common;

use serde_json::{json, Value};
use switchboard_app::{configure, Connections};
use switchboard_sandbox::Sandbox;
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::WebviewWindow;

struct Harness {
    sandbox: Sandbox,
    _app: tauri::App<MockRuntime>,
    webview: WebviewWindow<MockRuntime>,
}

fn harness() -> Harness {
    // The sandbox runs on Tauri's async runtime, which keeps serving while a command blocks here.
    let sandbox = tauri::async_runtime::block_on(Sandbox::start()).unwrap();
    let connections =
        Connections::with_practice_sandbox_at(&sandbox.avepoint_api_url(), &sandbox.avepoint_identity_url(), None)
            .unwrap();
    let app = configure(mock_builder(), connections).build(mock_context(noop_assets())).unwrap();
    let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap();
    Harness { sandbox, _app: app, webview }
}

impl Harness {
    fn invoke(&self, cmd: &str, body: Value) -> Result<Value, Value> {
        let request = InvokeRequest {
            cmd: cmd.into(),
            callback: tauri::ipc::CallbackFn(0),
            error: tauri::ipc::CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: tauri::ipc::InvokeBody::Json(body),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        };
        get_ipc_response(&self.webview, request).map(|response| response.deserialize::<Value>().unwrap())
    }
}

fn sample_target() -> Value {
    serde_json::to_value(common::sample_target()).unwrap()
}

#[test]
fn lists_the_practice_connection_with_a_sample_user() {
    let h = harness();
    let list = h.invoke("list_connections", json!({})).unwrap();
    assert_eq!(list[0]["id"], "practice");
    assert_eq!(list[0]["isPractice"], true);
    assert_eq!(list[0]["sampleTarget"], sample_target());
}

#[test]
fn describes_account_information_from_the_rust_definitions() {
    let h = harness();
    let spec = h.invoke("describe_operation", json!({ "operation": "avepoint.account-information" })).unwrap();
    let keys: Vec<&str> = spec["fields"].as_array().unwrap().iter().map(|f| f["key"].as_str().unwrap()).collect();
    assert_eq!(
        keys,
        [
            "mail",
            "usageLocation",
            "preferredLanguage",
            "enforceStart",
            "enforceStartDateTime",
            "enforceEnd",
            "enforceEndDateTime"
        ]
    );
    assert_eq!(spec["fields"][0]["maxLength"], 256);
    assert_eq!(spec["fields"][1]["choices"].as_array().unwrap().len(), 249);
    assert_eq!(spec["fields"][2]["choices"].as_array().unwrap().len(), 574);
    let error = h.invoke("describe_operation", json!({ "operation": "nope" })).unwrap_err();
    assert_eq!(error["code"], "invalid_input");
}

#[test]
fn check_returns_the_same_field_errors_the_update_would() {
    let h = harness();
    let mut values =
        h.invoke("read_account_information", json!({ "connectionId": "practice", "target": sample_target() })).unwrap();
    values["mail"] = json!("nope");
    let errors = h.invoke("check_account_information", json!({ "values": values })).unwrap();
    assert_eq!(
        errors,
        json!([{ "field": "mail", "message": "Email must be an email address, like name@example.com." }])
    );

    let error = h
        .invoke(
            "update_account_information",
            json!({ "connectionId": "practice", "target": sample_target(), "changes": { "mail": "nope" } }),
        )
        .unwrap_err();
    assert_eq!(
        error,
        json!({
            "code": "invalid_input",
            "message": "Email must be an email address, like name@example.com.",
            "field": "mail",
            "fieldErrors": [{ "field": "mail", "message": "Email must be an email address, like name@example.com." }]
        })
    );
}

#[test]
fn update_saves_and_returns_the_receipt() {
    let h = harness();
    let receipt = h
        .invoke(
            "update_account_information",
            json!({ "connectionId": "practice", "target": sample_target(), "changes": { "usageLocation": "SE" } }),
        )
        .unwrap();
    assert_eq!(receipt["changedFields"], json!(["usageLocation"]));
    assert_eq!(receipt["after"]["usageLocation"], "SE");
    assert!(receipt["requestId"].is_string());
    let (c, t, u) = switchboard_sandbox::avepoint::sample_user();
    assert_eq!(h.sandbox.state().avepoint.user(c, t, u).unwrap().usage_location, "SE");
}

#[test]
fn errors_reach_the_ui_with_stable_codes() {
    let h = harness();
    let mut target = sample_target();
    target["userId"] = json!("00000000-0000-0000-0000-000000000000");
    let error =
        h.invoke("read_account_information", json!({ "connectionId": "practice", "target": target })).unwrap_err();
    assert_eq!(error["code"], "not_found");

    target["userId"] = json!("../../x");
    let error =
        h.invoke("read_account_information", json!({ "connectionId": "practice", "target": target })).unwrap_err();
    assert_eq!(error["code"], "invalid_input");
    assert_eq!(error["field"], "userId");

    let error = h
        .invoke("read_account_information", json!({ "connectionId": "elsewhere", "target": sample_target() }))
        .unwrap_err();
    assert_eq!(error["code"], "invalid_connection");
}
