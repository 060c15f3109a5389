//! The app's commands are declared in an app manifest (build.rs, from src-tauri/app_commands.rs)
//! and granted only to the main window (capabilities/main-window.json): Tauri then refuses a
//! command that is not granted, and any command from another window. The real context (as built
//! by build.rs) on Tauri's mock runtime.

use serde_json::{json, Value};
use std::collections::BTreeSet;
use switchboard_app::{configure, context, is_app_url, APP_COMMANDS};
use tauri::test::{get_ipc_response, mock_builder, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{Manager, WebviewWindow};

fn repository_file(path: &str) -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

/// The commands `generate_handler!` in lib.rs registers, by name.
fn registered_commands() -> BTreeSet<String> {
    let source = repository_file("src-tauri/lib.rs");
    let start = source.find("generate_handler![").expect("lib.rs registers its commands with generate_handler!");
    let list = &source[start..start + source[start..].find(']').unwrap()];
    list.split("commands::")
        .skip(1)
        .map(|rest| rest.split(|c: char| !c.is_alphanumeric() && c != '_').next().unwrap().to_string())
        .collect()
}

#[test]
fn the_manifest_and_the_main_windows_capability_hold_exactly_the_registered_commands() {
    let registered = registered_commands();
    assert!(registered.len() >= 20, "{registered:?}");
    let manifest: BTreeSet<String> = APP_COMMANDS.iter().map(|c| c.to_string()).collect();
    assert_eq!(manifest, registered, "src-tauri/app_commands.rs lists the commands lib.rs registers");

    let capability: Value = serde_json::from_str(&repository_file("capabilities/main-window.json")).unwrap();
    assert_eq!(capability["windows"], json!(["main"]));
    assert!(capability.get("remote").is_none(), "no remote page gets the commands");
    let granted: BTreeSet<String> =
        capability["permissions"].as_array().unwrap().iter().map(|p| p.as_str().unwrap().to_string()).collect();
    let expected: BTreeSet<String> = registered.iter().map(|c| format!("allow-{}", c.replace('_', "-"))).collect();
    assert_eq!(granted, expected, "the main window is granted exactly the app's commands, and nothing else");

    let config: Value = serde_json::from_str(&repository_file("tauri.conf.json")).unwrap();
    assert_eq!(config["app"]["security"]["capabilities"], json!(["main-window"]));

    // Every command the UI calls (ui/src/backend.ts, the one IPC seam) is granted.
    let backend = repository_file("ui/src/backend.ts");
    let called: BTreeSet<String> = backend
        .split("call")
        .skip(1)
        .filter_map(|rest| rest.split_once('"').filter(|(before, _)| before.len() <= 40 && before.ends_with('(')))
        .filter_map(|(_, name)| name.split_once('"').map(|(name, _)| name.to_string()))
        .collect();
    assert!(called.len() >= 20, "{called:?}");
    let ungranted: Vec<&String> = called.difference(&registered).collect();
    assert!(ungranted.is_empty(), "the UI calls commands the window may not: {ungranted:?}");
}

fn invoke(webview: &WebviewWindow<MockRuntime>, cmd: &str) -> Result<Value, Value> {
    let request = InvokeRequest {
        cmd: cmd.into(),
        callback: tauri::ipc::CallbackFn(0),
        error: tauri::ipc::CallbackFn(1),
        url: "tauri://localhost".parse().unwrap(),
        body: tauri::ipc::InvokeBody::Json(json!({})),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    get_ipc_response(webview, request).map(|response| response.deserialize::<Value>().unwrap())
}

fn window(app: &tauri::App<MockRuntime>, label: &str) -> WebviewWindow<MockRuntime> {
    app.get_webview_window(label)
        .unwrap_or_else(|| tauri::WebviewWindowBuilder::new(app, label, Default::default()).build().unwrap())
}

#[test]
fn only_the_main_window_may_call_the_apps_commands() {
    let app = configure(mock_builder()).build(context()).unwrap();
    let main = window(&app, "main");
    let vendors = invoke(&main, "list_vendors").expect("granted to the main window");
    assert!(vendors.as_array().is_some_and(|list| !list.is_empty()), "{vendors}");

    let other = window(&app, "other");
    let refused = invoke(&other, "list_vendors").expect_err("no capability for another window");
    assert!(refused.to_string().contains("not allowed"), "{refused}");
}

#[tauri::command]
fn not_in_the_manifest() -> &'static str {
    "ran"
}

#[test]
fn a_registered_command_missing_from_the_manifest_is_refused() {
    let app = mock_builder().invoke_handler(tauri::generate_handler![not_in_the_manifest]).build(context()).unwrap();
    let refused = invoke(&window(&app, "main"), "not_in_the_manifest").expect_err("not granted to any window");
    assert!(refused.to_string().contains("not allowed"), "{refused}");
}

#[test]
fn the_window_stays_on_the_apps_own_origin() {
    let url = |text: &str| tauri::Url::parse(text).unwrap();
    for own in
        ["tauri://localhost/", "tauri://localhost/index.html#x", "http://tauri.localhost/", "https://tauri.localhost/a"]
    {
        assert!(is_app_url(&url(own), None), "{own}");
    }
    for away in [
        "https://example.com/",
        "http://localhost:5173/",
        "tauri://evil.example/",
        "http://tauri.localhost.evil.example/",
        "file:///etc/passwd",
        "data:text/html,<script>alert(1)</script>",
        "javascript:alert(1)",
    ] {
        assert!(!is_app_url(&url(away), None), "{away}");
    }
    // A development build also loads its dev server, and only that origin.
    let dev = url("http://localhost:5173");
    assert!(is_app_url(&url("http://localhost:5173/src/main.tsx"), Some(&dev)));
    assert!(!is_app_url(&url("http://localhost:5174/"), Some(&dev)));
}
