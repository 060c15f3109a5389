//! The Tauri commands on Tauri's mock runtime: arguments arrive as the UI sends them (camelCase
//! JSON) and results and errors leave in the shape the generated TypeScript types promise.

mod common;

use serde_json::{json, Value};
use std::sync::{Arc, Once};
use switchboard_app::{configure, manage_state, practice, AppState, Startup};
use switchboard_core::secret::Secret;
use switchboard_core::secrets::{keychain_error, MemoryStore, SecretKind, SecretStore};
use switchboard_sandbox::{Sandbox, PRACTICE_CLIENT_ID, PRACTICE_CLIENT_SECRET};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{Manager, WebviewWindow};

const ACCOUNT_INFORMATION: &str = "avepoint.account-information";

struct Harness {
    sandbox: Sandbox,
    data: tempfile::TempDir,
    app: tauri::App<MockRuntime>,
    webview: WebviewWindow<MockRuntime>,
}

fn harness() -> Harness {
    harness_with(|_| {})
}

fn harness_with(prepare: impl FnOnce(&std::path::Path)) -> Harness {
    harness_with_secrets(prepare, Arc::new(MemoryStore::default()))
}

/// A keychain that is locked: every call fails as the platform store would.
struct LockedKeychain;

impl SecretStore for LockedKeychain {
    fn set(&self, _: &str, _: SecretKind, _: &Secret) -> switchboard_core::error::Result<()> {
        Err(keychain_error(keyring::Error::NoStorageAccess("the collection is locked".into())))
    }
    fn get(&self, _: &str, _: SecretKind) -> switchboard_core::error::Result<Option<Secret>> {
        Err(keychain_error(keyring::Error::NoStorageAccess("the collection is locked".into())))
    }
    fn delete(&self, _: &str, _: SecretKind) -> switchboard_core::error::Result<()> {
        Err(keychain_error(keyring::Error::NoStorageAccess("the collection is locked".into())))
    }
}

/// `prepare` may put files into the data folder before the app starts.
fn harness_with_secrets(prepare: impl FnOnce(&std::path::Path), secrets: Arc<dyn SecretStore>) -> Harness {
    static ISOLATE: Once = Once::new();
    // Anything a plugin writes under the app data folder stays out of the real home.
    ISOLATE.call_once(|| std::env::set_var("XDG_DATA_HOME", tempfile::tempdir().unwrap().keep()));
    // The sandbox runs on Tauri's async runtime, which keeps serving while a command blocks here.
    let sandbox = tauri::async_runtime::block_on(Sandbox::start()).unwrap();
    let data = tempfile::tempdir().unwrap();
    prepare(data.path());
    let startup = Startup {
        practice: practice::endpoint_at(&sandbox.url()),
        sandbox: None,
        secrets,
        data_dir: Some(data.path().to_path_buf()),
    };
    let app = configure(mock_builder()).build(mock_context(noop_assets())).unwrap();
    manage_state(&app, startup).unwrap();
    let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap();
    Harness { sandbox, data, app, webview }
}

fn sandbox_draft(sandbox: &Sandbox, name: &str) -> Value {
    json!({
        "name": name,
        "vendor": "avepoint",
        "environment": "commercial",
        "apiUrl": sandbox.avepoint_api_url(),
        "identityUrl": sandbox.avepoint_identity_url(),
        "clientId": PRACTICE_CLIENT_ID,
    })
}

impl Harness {
    /// Saves an MSP360 connection to the sandbox with the practice login; returns the outcome.
    fn save_msp360(&self) -> Value {
        use switchboard_sandbox::msp360;
        self.invoke(
            "save_connection",
            json!({
                "draft": { "name": "Backup", "vendor": "msp360", "environment": "commercial", "clientId": "",
                           "apiUrl": self.sandbox.msp360_url(), "userName": msp360::PRACTICE_USER_NAME },
                "clientSecret": msp360::PRACTICE_PASSWORD,
            }),
        )
        .unwrap()
    }

    /// Saves a SoftwareOne connection to the sandbox with the practice token; returns the outcome.
    fn save_softwareone(&self) -> Value {
        self.invoke(
            "save_connection",
            json!({
                "draft": { "name": "Marketplace", "vendor": "softwareone", "environment": "commercial", "clientId": "",
                           "apiUrl": self.sandbox.softwareone_url() },
                "clientSecret": switchboard_sandbox::softwareone::PRACTICE_TOKEN,
            }),
        )
        .unwrap()
    }

    fn invoke(&self, cmd: &str, mut body: Value) -> Result<Value, Value> {
        // Reads and updates report retry waits on a channel, which the UI always passes.
        if matches!(cmd, "open_record" | "review_edits" | "apply_plan") && body.get("onRetry").is_none() {
            body["onRetry"] = json!("__CHANNEL__:7");
        }
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

impl Harness {
    /// Opens a record at the desk (`{connectionId, operation, target}`) and returns its id and values.
    fn open(&self, args: Value) -> Result<(String, Value), Value> {
        let opened = self.invoke("open_record", args)?;
        Ok((opened["recordId"].as_str().unwrap().to_string(), opened["values"].clone()))
    }

    /// The record's current values, as the desk opens it.
    fn read(&self, args: Value) -> Result<Value, Value> {
        self.open(args).map(|(_, values)| values)
    }

    /// What the desk's Save does: open, review the edits (`changes`), apply the reviewed plan.
    fn update(&self, mut args: Value) -> Result<Value, Value> {
        let edits = args.as_object_mut().unwrap().remove("changes").unwrap();
        let (record_id, _) = self.open(args)?;
        let plan = self.invoke("review_edits", json!({ "recordId": record_id, "edits": edits }))?;
        self.invoke("apply_plan", json!({ "planId": plan["id"] }))
    }
}

fn sample_target() -> Value {
    serde_json::to_value(common::sample_target()).unwrap()
}

/// The built-in Practice connections: one per vendor's sandbox.
const PRACTICE_CONNECTIONS: usize = 4;

#[test]
fn lists_the_practice_connection_with_a_sample_user() {
    let h = harness();
    let list = h.invoke("list_connections", json!({})).unwrap();
    let practice = &list["connections"][0];
    assert_eq!(practice["id"], "practice");
    assert_eq!(practice["isPractice"], true);
    assert_eq!(practice["secretState"], "built_in");
    assert_eq!(practice["sampleTarget"], sample_target());
    assert!(list.get("notice").is_none());
}

#[test]
fn every_vendor_has_a_practice_connection_that_lists_and_opens_its_sample_user() {
    let h = harness();
    let list = h.invoke("list_connections", json!({})).unwrap();
    let vendors: Vec<(&str, &str)> = list["connections"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["isPractice"] == true)
        .map(|c| (c["id"].as_str().unwrap(), c["vendorId"].as_str().unwrap()))
        .collect();
    assert_eq!(
        vendors,
        [
            ("practice", "avepoint"),
            ("practice-partner-center", "partner-center"),
            ("practice-softwareone", "softwareone"),
            ("practice-msp360", "msp360")
        ]
    );
    let (pc_customer, pc_user) = switchboard_sandbox::partner_center::sample_user();
    let (account, swo_user) = switchboard_sandbox::softwareone::sample_user();
    for (connection, operation, target, field) in [
        (
            "practice-partner-center",
            "partner-center.customer-user",
            json!({ "customerId": pc_customer, "userId": pc_user }),
            "userPrincipalName",
        ),
        (
            "practice-softwareone",
            "softwareone.account-user",
            json!({ "accountId": account, "userId": swo_user }),
            "email",
        ),
        ("practice-msp360", "msp360.user", json!({ "userId": switchboard_sandbox::msp360::sample_user_id() }), "Email"),
    ] {
        // The desk fills its pickers with the listed sample: it must be this user, by these keys.
        let listed = list["connections"].as_array().unwrap().iter().find(|c| c["id"] == connection).unwrap();
        assert_eq!(listed["sampleTarget"], target, "{connection}");
        let values = h
            .read(json!({ "connectionId": connection, "operation": operation, "target": listed["sampleTarget"] }))
            .unwrap_or_else(|e| panic!("{connection}: {e}"));
        assert!(values[field].as_str().is_some_and(|v| !v.is_empty()), "{connection}: {values}");
    }
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
    let (record_id, _) = h
        .open(json!({ "connectionId": "practice", "operation": ACCOUNT_INFORMATION, "target": sample_target() }))
        .unwrap();
    let preview = h.invoke("check_edits", json!({ "recordId": record_id, "edits": { "mail": "nope" } })).unwrap_err();
    let errors = preview["fieldErrors"].clone();
    assert_eq!(
        errors,
        json!([{ "field": "mail", "message": "Email must be an email address, like name@example.com." }])
    );

    let error = h
        .update(json!({ "connectionId": "practice", "operation": ACCOUNT_INFORMATION, "target": sample_target(),
                    "changes": { "mail": "nope" } }))
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
        .update(json!({ "connectionId": "practice", "operation": ACCOUNT_INFORMATION, "target": sample_target(),
                    "changes": { "usageLocation": "SE" } }))
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
        h.read(json!({ "connectionId": "practice", "operation": ACCOUNT_INFORMATION, "target": target })).unwrap_err();
    assert_eq!(error["code"], "not_found");

    target["userId"] = json!("../../x");
    let error =
        h.read(json!({ "connectionId": "practice", "operation": ACCOUNT_INFORMATION, "target": target })).unwrap_err();
    assert_eq!(error["code"], "invalid_input");
    assert_eq!(error["field"], "userId");

    let error = h
        .read(json!({ "connectionId": "elsewhere", "operation": ACCOUNT_INFORMATION, "target": sample_target() }))
        .unwrap_err();
    assert_eq!(error["code"], "invalid_connection");
}

#[test]
fn profiles_are_created_duplicated_renamed_and_deleted_with_their_secret() {
    let h = harness();
    let saved = h
        .invoke(
            "save_connection",
            json!({ "draft": sandbox_draft(&h.sandbox, "Contoso EU"), "clientSecret": PRACTICE_CLIENT_SECRET }),
        )
        .unwrap();
    let id = saved["connection"]["id"].as_str().unwrap().to_string();
    assert_eq!(saved["connection"]["secretState"], "set");
    assert!(saved.get("secretError").is_none());

    let copy = h.invoke("duplicate_connection", json!({ "id": id })).unwrap();
    assert_eq!(copy["connection"]["name"], "Contoso EU (copy)");
    assert_eq!(copy["connection"]["secretState"], "set", "the copy can sign in too");
    let copy_id = copy["connection"]["id"].as_str().unwrap().to_string();

    let renamed = h
        .invoke("save_connection", json!({ "id": copy_id, "draft": sandbox_draft(&h.sandbox, "Contoso US") }))
        .unwrap();
    assert_eq!(renamed["connection"]["name"], "Contoso US");
    assert_eq!(renamed["connection"]["secretState"], "set", "saving without a secret keeps it");

    let clash = h
        .invoke("save_connection", json!({ "id": copy_id, "draft": sandbox_draft(&h.sandbox, "contoso eu") }))
        .unwrap_err();
    assert_eq!(clash["code"], "invalid_input");
    assert_eq!(clash["field"], "name");

    h.invoke("delete_connection", json!({ "id": copy_id })).unwrap();
    let list = h.invoke("list_connections", json!({})).unwrap();
    let names: Vec<&str> =
        list["connections"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "Practice (AvePoint sandbox)",
            "Practice (Partner Center sandbox)",
            "Practice (SoftwareOne sandbox)",
            "Practice (MSP360 sandbox)",
            "Contoso EU"
        ]
    );
    let secrets = &h.app.state::<AppState>().connections;
    let error = secrets.avepoint(&copy_id).err().unwrap();
    assert_eq!(error.code, switchboard_core::ErrorCode::InvalidConnection, "the deleted profile is gone");

    for practice in ["practice", "practice-partner-center", "practice-softwareone", "practice-msp360"] {
        let error = h.invoke("delete_connection", json!({ "id": practice })).unwrap_err();
        assert!(error["message"].as_str().unwrap().contains("built in"), "{practice}");
    }
}

#[test]
fn a_bad_profile_names_each_field() {
    let h = harness();
    let mut draft = sandbox_draft(&h.sandbox, " ");
    draft["apiUrl"] = json!("http://graph.example.com");
    draft["clientId"] = json!("");
    let error = h.invoke("save_connection", json!({ "draft": draft })).unwrap_err();
    let fields: Vec<&str> =
        error["fieldErrors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["name", "clientId", "apiUrl"]);
}

#[test]
fn test_connection_says_what_worked_and_what_did_not() {
    let h = harness();
    let good = h
        .invoke(
            "save_connection",
            json!({ "draft": sandbox_draft(&h.sandbox, "Good"), "clientSecret": PRACTICE_CLIENT_SECRET }),
        )
        .unwrap();
    let report = h.invoke("test_connection", json!({ "id": good["connection"]["id"] })).unwrap();
    assert_eq!(report["ok"], true, "{report}");
    assert!(report["steps"][1]["message"].as_str().unwrap().contains("2 customers visible"), "{report}");

    let wrong = h
        .invoke(
            "save_connection",
            json!({ "draft": sandbox_draft(&h.sandbox, "Wrong"), "clientSecret": "not-the-secret" }),
        )
        .unwrap();
    let report = h.invoke("test_connection", json!({ "id": wrong["connection"]["id"] })).unwrap();
    assert_eq!(report["ok"], false);
    assert_eq!(report["steps"][0]["title"], "Sign in");
    assert!(
        report["steps"][0]["message"].as_str().unwrap().contains("client ID or client secret is wrong"),
        "{report}"
    );

    let missing = h.invoke("save_connection", json!({ "draft": sandbox_draft(&h.sandbox, "No secret") })).unwrap();
    assert_eq!(missing["connection"]["secretState"], "missing");
    let report = h.invoke("test_connection", json!({ "id": missing["connection"]["id"] })).unwrap();
    assert!(report["steps"][0]["message"].as_str().unwrap().contains("no client secret saved"), "{report}");
}

#[test]
fn the_secret_appears_in_no_file_the_app_wrote() {
    let h = harness();
    let saved = h
        .invoke(
            "save_connection",
            json!({ "draft": sandbox_draft(&h.sandbox, "Leak check"), "clientSecret": PRACTICE_CLIENT_SECRET }),
        )
        .unwrap();
    let id = saved["connection"]["id"].as_str().unwrap().to_string();
    assert!(!saved.to_string().contains(PRACTICE_CLIENT_SECRET), "the UI never sees the secret");
    assert_eq!(h.invoke("test_connection", json!({ "id": id })).unwrap()["ok"], true);
    h.invoke("remember_connection", json!({ "id": id })).unwrap();
    h.update(json!({ "connectionId": id, "operation": ACCOUNT_INFORMATION, "target": sample_target(),
                "changes": { "preferredLanguage": "en-US" } }))
        .unwrap();
    let list = h.invoke("list_connections", json!({})).unwrap();
    assert_eq!(list["selectedId"], id.as_str());
    assert!(!list.to_string().contains(PRACTICE_CLIENT_SECRET));
    let export = h.data.path().join("exported.json");
    h.app.state::<AppState>().connections.export(&[], &export).unwrap();

    let mut written = Vec::new();
    let settings_dir = std::path::PathBuf::from(std::env::var("XDG_DATA_HOME").unwrap());
    for root in [h.data.path().to_path_buf(), settings_dir] {
        let mut stack = vec![root];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(dir).unwrap().flatten() {
                if entry.file_type().unwrap().is_dir() {
                    stack.push(entry.path());
                } else {
                    written.push(entry.path());
                }
            }
        }
    }
    assert!(written.iter().any(|p| p.ends_with("profiles.json")));
    assert!(written.iter().any(|p| p.ends_with("exported.json")));
    assert!(written.iter().any(|p| p.ends_with("settings.json")), "{written:?}");
    for path in written {
        let bytes = std::fs::read(&path).unwrap();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(PRACTICE_CLIENT_SECRET),
            "{} contains the secret",
            path.display()
        );
    }
}

#[test]
fn exported_profiles_import_back_and_need_their_secret() {
    let h = harness();
    h.invoke("save_connection", json!({ "draft": sandbox_draft(&h.sandbox, "Roundtrip") })).unwrap();
    let connections = &h.app.state::<AppState>().connections;
    let file = h.data.path().join("export.json");
    assert_eq!(connections.export(&[], &file).unwrap(), 1);

    let other = harness();
    let summary = other.app.state::<AppState>().connections.import(&file).unwrap();
    assert_eq!((summary.added, summary.unchanged), (1, 0));
    assert_eq!(summary.need_secret, vec!["Roundtrip".to_string()]);
    assert!(summary.added_as_new.is_empty());
    // The same file again: the connection is already there exactly so, and nothing is replaced.
    let again = other.app.state::<AppState>().connections.import(&file).unwrap();
    assert_eq!((again.added, again.unchanged), (0, 1));
    assert!(again.added_as_new.is_empty());
}

/// A second sandbox: "another host" that must never receive a secret saved for the first.
fn elsewhere() -> Sandbox {
    tauri::async_runtime::block_on(Sandbox::start()).unwrap()
}

fn saved_id(outcome: &Value) -> String {
    outcome["connection"]["id"].as_str().unwrap().to_string()
}

fn read_with(h: &Harness, id: &str) -> Result<Value, Value> {
    h.read(json!({ "connectionId": id, "operation": ACCOUNT_INFORMATION, "target": sample_target() }))
}

fn connection<'a>(list: &'a Value, id: &str) -> &'a Value {
    list["connections"].as_array().unwrap().iter().find(|c| c["id"] == id).unwrap()
}

#[test]
fn an_imported_profile_with_a_saved_id_never_takes_that_secret_to_another_host() {
    let h = harness();
    let saved = h
        .invoke(
            "save_connection",
            json!({ "draft": sandbox_draft(&h.sandbox, "Contoso"), "clientSecret": PRACTICE_CLIENT_SECRET }),
        )
        .unwrap();
    let id = saved_id(&saved);
    // An old export, edited to point the same id (and name) at a host of the editor's choosing.
    let evil = elsewhere();
    let file = h.data.path().join("edited.json");
    let edited = json!({ "format": "switchboard-profiles", "version": 1, "profiles": [{
        "id": id, "name": "Contoso", "vendor": "avepoint", "environment": "commercial",
        "apiUrl": evil.avepoint_api_url(), "identityUrl": evil.avepoint_identity_url(), "clientId": PRACTICE_CLIENT_ID,
    }]});
    std::fs::write(&file, edited.to_string()).unwrap();
    let summary = h.app.state::<AppState>().connections.import(&file).unwrap();

    assert_eq!((summary.added, summary.unchanged), (1, 0));
    assert_eq!(summary.added_as_new.len(), 1, "{summary:?}");
    let kept_apart = &summary.added_as_new[0];
    assert_eq!(kept_apart.name_in_file, "Contoso");
    assert_eq!(kept_apart.name, "Contoso (imported)");
    assert_ne!(kept_apart.id, id);
    // What replacing it would have changed, so the person sees where the file points.
    assert_eq!(kept_apart.differences.len(), 2, "{:?}", kept_apart.differences);
    assert!(
        kept_apart.differences[0].ends_with(&format!("→ {}", evil.avepoint_api_url())),
        "{:?}",
        kept_apart.differences
    );
    assert_eq!(summary.need_secret, vec!["Contoso (imported)".to_string()]);

    let list = h.invoke("list_connections", json!({})).unwrap();
    let original = connection(&list, &id);
    assert_eq!(original["profile"]["apiUrl"], h.sandbox.avepoint_api_url(), "the saved connection is untouched");
    assert_eq!(original["secretState"], "set");
    assert_eq!(connection(&list, &kept_apart.id)["secretState"], "missing");

    let error = read_with(&h, &kept_apart.id).unwrap_err();
    assert_eq!(error["code"], "secret_missing");
    read_with(&h, &id).unwrap();
    assert!(evil.state().requests().is_empty(), "nothing, least of all the secret, went to the other host");
}

#[test]
fn a_secret_is_not_sent_once_the_connections_address_changed_underneath_it() {
    let h = harness();
    let saved = h
        .invoke(
            "save_connection",
            json!({ "draft": sandbox_draft(&h.sandbox, "Contoso"), "clientSecret": PRACTICE_CLIENT_SECRET }),
        )
        .unwrap();
    let id = saved_id(&saved);
    // profiles.json changed outside the form (an older version's import, an edit by hand).
    let evil = elsewhere();
    let path = h.data.path().join("profiles.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let text = text.replace(&h.sandbox.avepoint_identity_url(), &evil.avepoint_identity_url());
    std::fs::write(&path, text).unwrap();

    let list = h.invoke("list_connections", json!({})).unwrap();
    assert_eq!(connection(&list, &id)["secretState"], "missing");
    let error = read_with(&h, &id).unwrap_err();
    assert_eq!(error["code"], "secret_missing");
    assert!(
        error["message"].as_str().unwrap().starts_with("This connection's address changed; enter the secret again"),
        "{error}"
    );
    assert!(evil.state().requests().is_empty());
}

#[test]
fn saving_a_connection_with_a_new_address_asks_for_the_secret_again() {
    let h = harness();
    let saved = h
        .invoke(
            "save_connection",
            json!({ "draft": sandbox_draft(&h.sandbox, "Contoso"), "clientSecret": PRACTICE_CLIENT_SECRET }),
        )
        .unwrap();
    let id = saved_id(&saved);
    let evil = elsewhere();
    let moved = json!({ "name": "Contoso", "vendor": "avepoint", "environment": "commercial",
        "apiUrl": evil.avepoint_api_url(), "identityUrl": evil.avepoint_identity_url(), "clientId": PRACTICE_CLIENT_ID });

    let error = h.invoke("save_connection", json!({ "id": id, "draft": moved })).unwrap_err();
    assert_eq!(error["code"], "invalid_input");
    assert_eq!(error["field"], "clientSecret");
    assert!(error["message"]
        .as_str()
        .unwrap()
        .starts_with("This connection's address changed; enter the secret again"));
    let list = h.invoke("list_connections", json!({})).unwrap();
    assert_eq!(connection(&list, &id)["profile"]["apiUrl"], h.sandbox.avepoint_api_url(), "nothing was saved");

    // Renaming alone keeps the secret; a new address with the secret typed again is fine.
    let renamed =
        h.invoke("save_connection", json!({ "id": id, "draft": sandbox_draft(&h.sandbox, "Contoso EU") })).unwrap();
    assert_eq!(renamed["connection"]["secretState"], "set");
    let mut moved = moved;
    moved["name"] = json!("Contoso EU");
    let resaved = h
        .invoke("save_connection", json!({ "id": id, "draft": moved, "clientSecret": PRACTICE_CLIENT_SECRET }))
        .unwrap();
    assert_eq!(resaved["connection"]["secretState"], "set");
    read_with(&h, &id).unwrap();
    assert!(!evil.state().requests().is_empty(), "the user chose the new host and typed its secret");
}

#[test]
fn import_refuses_the_practice_id_and_malformed_ids() {
    let h = harness();
    let file = h.data.path().join("ids.json");
    for bad in ["practice", "PRACTICE", "practice-msp360", "a/b", "../profiles", "x y", &"a".repeat(65)] {
        let profile =
            json!({ "id": bad, "name": "Bad", "vendor": "avepoint", "environment": "commercial", "clientId": "c" });
        std::fs::write(
            &file,
            json!({ "format": "switchboard-profiles", "version": 1, "profiles": [profile] }).to_string(),
        )
        .unwrap();
        let error = h.app.state::<AppState>().connections.import(&file).unwrap_err();
        assert_eq!(error.code, switchboard_core::ErrorCode::InvalidInput, "{bad}");
        assert!(error.message.contains("id"), "{bad}: {}", error.message);
    }
    let list = h.invoke("list_connections", json!({})).unwrap();
    assert_eq!(list["connections"].as_array().unwrap().len(), PRACTICE_CONNECTIONS, "nothing was imported");
}

#[test]
fn secrets_saved_before_binding_are_bound_once_to_the_settings_they_were_saved_with() {
    use switchboard_core::connection::Connections;
    let sandbox = tauri::async_runtime::block_on(Sandbox::start()).unwrap();
    let data = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemoryStore::default());
    // What an older version left: a profiles.json without the mark, and the bare secret.
    let profile = |id: &str, name: &str| {
        json!({ "id": id, "name": name, "vendor": "avepoint", "environment": "commercial",
                "apiUrl": sandbox.avepoint_api_url(), "identityUrl": sandbox.avepoint_identity_url(),
                "clientId": PRACTICE_CLIENT_ID })
    };
    let old_file = json!({ "version": 1, "profiles": [profile("legacy-1", "Old")] });
    std::fs::write(data.path().join("profiles.json"), old_file.to_string()).unwrap();
    secrets.set("legacy-1", SecretKind::ClientSecret, &Secret::new(PRACTICE_CLIENT_SECRET)).unwrap();
    let open = || Connections::open(data.path(), practice::endpoint_at(&sandbox.url()), secrets.clone()).unwrap();
    let connections = open();

    let list = connections.list().unwrap();
    assert_eq!(list.connections[PRACTICE_CONNECTIONS].secret_state, switchboard_core::connection::SecretState::Set);
    connections.avepoint("legacy-1").expect("the secret is handed out for its own settings");
    let stored = secrets.get("legacy-1", SecretKind::ClientSecret).unwrap().unwrap();
    assert_ne!(stored.expose(), PRACTICE_CLIENT_SECRET, "now kept with the address it belongs to");

    // Once bound, a bare secret found later under an imported profile's id is never adopted.
    secrets.set("legacy-2", SecretKind::ClientSecret, &Secret::new(PRACTICE_CLIENT_SECRET)).unwrap();
    let file = data.path().join("import.json");
    std::fs::write(
        &file,
        json!({ "format": "switchboard-profiles", "version": 1, "profiles": [profile("legacy-2", "New")] }).to_string(),
    )
    .unwrap();
    let summary = connections.import(&file).unwrap();
    assert_eq!(summary.need_secret, vec!["New".to_string()]);
    let connections = open();
    let error = connections.avepoint("legacy-2").err().unwrap();
    assert_eq!(error.code, switchboard_core::ErrorCode::SecretMissing);
    assert!(connections.avepoint("legacy-1").is_ok());
}

#[test]
fn an_unreadable_profile_file_is_reported_and_the_app_starts_with_practice() {
    let h = harness_with(|dir| std::fs::write(dir.join("profiles.json"), "{ not json").unwrap());
    let list = h.invoke("list_connections", json!({})).unwrap();
    assert_eq!(list["connections"].as_array().unwrap().len(), PRACTICE_CONNECTIONS);
    let moved_to = list["notice"]["movedTo"].as_str().unwrap();
    assert!(std::path::Path::new(moved_to).exists());
    assert!(list["notice"]["message"].as_str().unwrap().contains(moved_to));
}

#[test]
fn a_profile_file_from_a_newer_version_is_left_in_place_and_the_app_says_to_update() {
    let newer = r#"{ "version": 7, "profiles": [{ "id": "from-the-future", "name": "Kept", "vendor": "avepoint" }] }"#;
    let h = harness_with(|dir| std::fs::write(dir.join("profiles.json"), newer).unwrap());
    let list = h.invoke("list_connections", json!({})).unwrap();
    assert_eq!(list["connections"].as_array().unwrap().len(), PRACTICE_CONNECTIONS, "Practice still works");
    let message = list["notice"]["message"].as_str().unwrap();
    assert!(message.contains("newer version of Switchboard") && message.contains("Update Switchboard"), "{message}");
    assert!(list["notice"].get("movedTo").is_none(), "not moved aside");

    let error = h.invoke("save_connection", json!({ "draft": sandbox_draft(&h.sandbox, "New") })).unwrap_err();
    assert!(error["message"].as_str().unwrap().contains("Update Switchboard"), "{error}");
    assert_eq!(std::fs::read_to_string(h.data.path().join("profiles.json")).unwrap(), newer, "left as it was");
}

#[cfg(unix)]
#[test]
fn profiles_settings_and_drafts_are_readable_only_by_the_user() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    let h = harness_with(|dir| {
        // Files an earlier version left readable by others.
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::write(dir.join("drafts.json"), "{}").unwrap();
        std::fs::set_permissions(dir.join("drafts.json"), std::fs::Permissions::from_mode(0o644)).unwrap();
    });
    assert_eq!(mode(h.data.path()), 0o700, "the data folder");
    let saved = h.invoke("save_connection", json!({ "draft": sandbox_draft(&h.sandbox, "Modes") })).unwrap();
    let id = saved["connection"]["id"].clone();
    h.invoke("remember_connection", json!({ "id": id })).unwrap();
    h.invoke(
        "save_draft",
        json!({ "draft": { "connectionId": id, "operationId": "msp360.user", "target": { "userId": "u7" },
                           "values": { "FirstName": "Ada" } } }),
    )
    .unwrap();
    for name in ["profiles.json", "settings.json", "drafts.json"] {
        assert_eq!(mode(&h.data.path().join(name)), 0o600, "{name}");
    }
    let names: Vec<String> =
        std::fs::read_dir(h.data.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into()).collect();
    assert!(names.iter().all(|n| !n.starts_with(".tmp")), "no half-written temporary file is left: {names:?}");
}

#[test]
fn settings_and_drafts_written_by_the_store_plugin_still_load() {
    // tauri-plugin-store wrote a pretty-printed JSON object of key → value; the same file reads.
    let h = harness_with(|dir| {
        let settings = json!({ "lastConnectionId": "practice", "recent/practice": [{
            "operationId": "avepoint.account-information",
            "target": { "customerId": "c", "tenantId": "t", "userId": "u1" }, "labels": {} }] });
        std::fs::write(dir.join("settings.json"), serde_json::to_vec_pretty(&settings).unwrap()).unwrap();
    });
    let list = h.invoke("list_connections", json!({})).unwrap();
    assert_eq!(list["selectedId"], "practice");
    let recent = h.invoke("recent_records", json!({ "connectionId": "practice" })).unwrap();
    assert_eq!(recent[0]["target"]["userId"], "u1");
}

#[test]
fn a_certificate_replaces_the_secret_and_signs_in() {
    let h = harness();
    let mut draft = sandbox_draft(&h.sandbox, "Certificate");
    draft["clientId"] = json!(switchboard_sandbox::CERTIFICATE_CLIENT_ID);
    draft["signIn"] = json!("certificate");
    let saved = h.invoke("save_connection", json!({ "draft": draft })).unwrap();
    let id = saved["connection"]["id"].as_str().unwrap().to_string();
    assert_eq!(saved["connection"]["secretState"], "missing");
    let connections = &h.app.state::<AppState>().connections;

    let error =
        connections.import_certificate(&id, switchboard_sandbox::PRACTICE_CERTIFICATE_PFX, "wrong").unwrap_err();
    assert_eq!(error.field.as_deref(), Some("certificate"));

    let outcome = connections
        .import_certificate(
            &id,
            switchboard_sandbox::PRACTICE_CERTIFICATE_PFX,
            switchboard_sandbox::PRACTICE_CERTIFICATE_PFX_PASSWORD,
        )
        .unwrap();
    assert_eq!(outcome.connection.secret_state, switchboard_core::connection::SecretState::Set);
    let profile = outcome.connection.profile.unwrap();
    assert_eq!(profile.certificate_thumbprint.as_deref(), Some("2FAE7AE5210F2039CBB725FA1CB923829CD05337"));
    let report = h.invoke("test_connection", json!({ "id": id })).unwrap();
    assert_eq!(report["ok"], true, "{report}");

    // Saving other settings keeps the certificate.
    draft["name"] = json!("Certificate renamed");
    let renamed = h.invoke("save_connection", json!({ "id": id, "draft": draft })).unwrap();
    assert_eq!(renamed["connection"]["profile"]["certificateThumbprint"], "2FAE7AE5210F2039CBB725FA1CB923829CD05337");
    let profiles = std::fs::read_to_string(h.data.path().join("profiles.json")).unwrap();
    assert!(!profiles.contains("PRIVATE KEY"));
}

#[test]
fn a_locked_keychain_saves_the_settings_but_never_the_secret_elsewhere() {
    let h = harness_with_secrets(|_| {}, Arc::new(LockedKeychain));
    let saved = h
        .invoke(
            "save_connection",
            json!({ "draft": sandbox_draft(&h.sandbox, "Locked"), "clientSecret": "locked-secret-value" }),
        )
        .unwrap();
    assert_eq!(saved["connection"]["name"], "Locked", "the settings are saved");
    assert_eq!(saved["connection"]["secretState"], "unknown");
    assert_eq!(saved["secretError"]["code"], "keychain_unavailable");
    let message = saved["secretError"]["message"].as_str().unwrap();
    assert!(
        message.contains("locked or refused access") && message.contains("Nothing was saved as plain text"),
        "{message}"
    );
    let profiles = std::fs::read_to_string(h.data.path().join("profiles.json")).unwrap();
    assert!(!profiles.contains("locked-secret-value"));

    let id = saved["connection"]["id"].as_str().unwrap();
    let error = h.invoke("delete_connection", json!({ "id": id })).unwrap_err();
    assert_eq!(error["code"], "keychain_unavailable", "nothing is deleted while its secret can't be");
    assert_eq!(
        h.invoke("list_connections", json!({})).unwrap()["connections"].as_array().unwrap().len(),
        PRACTICE_CONNECTIONS + 1
    );
}

#[test]
fn every_operation_runs_by_name_through_the_generic_commands() {
    let h = harness();
    for operation in switchboard_core::operations::operation_ids() {
        let spec = h.invoke("describe_operation", json!({ "operation": operation })).unwrap();
        assert_eq!(spec["id"], operation);
    }
    let args =
        json!({ "connectionId": "practice", "operation": "avepoint.office-information", "target": sample_target() });
    let (record_id, current) = h.open(args.clone()).unwrap();
    assert_eq!(current["city"], "");
    let plan = h.invoke("review_edits", json!({ "recordId": record_id, "edits": { "city": "Oslo" } })).unwrap();
    assert_eq!(plan["changes"], json!([{ "field": "city", "label": "City", "before": "", "after": "Oslo" }]));
    assert_eq!(plan["request"]["method"], "PUT");
    assert!(plan["request"]["path"].as_str().unwrap().ends_with("/office-information"), "{plan}");
    assert_eq!(plan["request"]["body"]["city"], "Oslo");
    assert!(h.sandbox.state().requests().iter().all(|r| r.method != "PUT"), "a review sends nothing");
    let receipt = h.invoke("apply_plan", json!({ "planId": plan["id"] })).unwrap();
    assert_eq!(receipt["changedFields"], json!(["city"]));
    let put = h.sandbox.state().requests().into_iter().find(|r| r.method == "PUT").unwrap();
    assert_eq!(put.json().unwrap(), plan["request"]["body"], "sent exactly as reviewed");
    let again = h.invoke("apply_plan", json!({ "planId": plan["id"] })).unwrap_err();
    assert_eq!(again["code"], "invalid_input", "a plan is applied once");
}

/// The process's resident memory in KiB (Linux; elsewhere 0).
fn resident_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| status.lines().find(|l| l.starts_with("VmRSS:")).map(str::to_string))
        .and_then(|line| line.split_whitespace().nth(1).and_then(|kib| kib.parse().ok()))
        .unwrap_or(0)
}

/// The long-running desk (issue #16): 500 load → edit → review → save cycles through the app's
/// commands. What the desk keeps per record is bounded (open records, plans); the memory figures
/// are printed (`--nocapture`), not asserted: a timing- or size-based assertion would be flaky.
#[test]
fn five_hundred_desk_cycles_keep_what_the_desk_holds_bounded() {
    let h = harness();
    let args = json!({ "connectionId": "practice", "operation": ACCOUNT_INFORMATION, "target": sample_target() });
    let mut memory = Vec::new();
    for cycle in 0..500 {
        if cycle % 100 == 0 {
            memory.push(resident_kib());
        }
        // The test sandbox records every request; emptied so the figures are the app's own.
        h.sandbox.state().clear_requests();
        let (record_id, _) = h.open(args.clone()).unwrap();
        let edits = json!({ "mail": format!("cycle{cycle}@contoso.example") });
        h.invoke("check_edits", json!({ "recordId": record_id, "edits": edits })).unwrap();
        let plan = h.invoke("review_edits", json!({ "recordId": record_id, "edits": edits })).unwrap();
        h.invoke("apply_plan", json!({ "planId": plan["id"] })).unwrap();
        // Every fourth record is left open without a close, as a desk that moves on abruptly does.
        if cycle % 4 != 0 {
            h.invoke("close_record", json!({ "recordId": record_id })).unwrap();
        }
    }
    memory.push(resident_kib());
    let open = h.app.state::<AppState>().sessions.open_records();
    assert!(open <= 16, "open records are capped: {open}");
    let history = h.app.state::<AppState>().history.as_ref().unwrap().list(&Default::default(), None, 1).unwrap();
    assert_eq!(history.total, 500, "each save has its history entry");
    println!("500 desk cycles: RSS every 100 cycles (KiB): {memory:?}; open records at the end: {open}");
}

#[test]
fn a_required_value_the_vendor_does_not_return_is_prefilled_from_the_last_save() {
    let h = harness();
    let args =
        json!({ "connectionId": "practice", "operation": "avepoint.office-information", "target": sample_target() });
    let receipt = h
        .update(json!({ "connectionId": "practice", "operation": "avepoint.office-information",
                                   "target": sample_target(), "changes": { "city": "Oslo" } }))
        .unwrap();
    assert_eq!(receipt["changedFields"], json!(["city"]));
    // An older API version answers without the city.
    let (c, t, u) = switchboard_sandbox::avepoint::sample_user();
    h.sandbox.state().avepoint.edit_user(c, t, u, |user| user.city = None);
    let opened = h.invoke("open_record", args).unwrap();
    assert_eq!(opened["values"]["city"], "", "the form shows what the vendor returned");
    assert_eq!(opened["prefilled"], json!({ "city": "Oslo" }), "and what this app last saved, as such");
}

#[test]
fn a_record_changed_at_the_vendor_after_the_review_is_not_overwritten() {
    let h = harness();
    let args = json!({ "connectionId": "practice", "operation": ACCOUNT_INFORMATION, "target": sample_target() });
    let (record_id, _) = h.open(args).unwrap();
    let plan = h.invoke("review_edits", json!({ "recordId": record_id, "edits": { "usageLocation": "SE" } })).unwrap();
    // Someone else changes the language in the portal between the review and Save.
    let (c, t, u) = switchboard_sandbox::avepoint::sample_user();
    h.sandbox.state().avepoint.edit_user(c, t, u, |user| user.preferred_language = "de-DE".into());
    let error = h.invoke("apply_plan", json!({ "planId": plan["id"] })).unwrap_err();
    assert_eq!(error["code"], "changed_since_review");
    assert_eq!(error["fieldErrors"][0]["field"], "preferredLanguage");
    assert!(error["fieldErrors"][0]["message"].as_str().unwrap().contains("it is now \"de-DE\""), "{error}");
    assert!(h.sandbox.state().requests().iter().all(|r| r.method != "PUT"), "nothing was sent");
    // Reviewed again from a fresh read, the same edit goes through.
    let (record_id, values) = h
        .open(json!({ "connectionId": "practice", "operation": ACCOUNT_INFORMATION, "target": sample_target() }))
        .unwrap();
    assert_eq!(values["preferredLanguage"], "de-DE");
    let plan = h.invoke("review_edits", json!({ "recordId": record_id, "edits": { "usageLocation": "SE" } })).unwrap();
    let receipt = h.invoke("apply_plan", json!({ "planId": plan["id"] })).unwrap();
    assert_eq!(receipt["after"]["preferredLanguage"], "de-DE", "the other change is kept");
}

#[test]
fn profiles_for_every_vendor_sign_in_and_test() {
    use switchboard_sandbox::softwareone;
    let h = harness();
    let msp = h.save_msp360();
    assert_eq!(msp["connection"]["vendor"], "MSP360");
    assert_eq!(msp["connection"]["secretState"], "set");
    let report = h.invoke("test_connection", json!({ "id": msp["connection"]["id"] })).unwrap();
    assert_eq!(report["ok"], true, "{report}");
    assert!(report["steps"][1]["message"].as_str().unwrap().contains("compan"), "{report}");

    let swo = h.save_softwareone();
    let report = h.invoke("test_connection", json!({ "id": swo["connection"]["id"] })).unwrap();
    assert_eq!(report["ok"], true, "{report}");
    let (account, user) = softwareone::sample_user();
    let values = h
        .read(json!({ "connectionId": swo["connection"]["id"], "operation": "softwareone.account-user",
                    "target": { "accountId": account, "userId": user } }))
        .unwrap();
    assert!(values["email"].is_string(), "{values}");

    let error = h
        .invoke(
            "save_connection",
            json!({ "draft": { "name": "No login", "vendor": "msp360", "environment": "commercial", "clientId": "" } }),
        )
        .unwrap_err();
    assert_eq!(error["field"], "userName");

    let wrong_vendor = h
        .read(json!({ "connectionId": msp["connection"]["id"], "operation": "softwareone.account-user",
                    "target": { "accountId": account, "userId": user } }))
        .unwrap_err();
    assert_eq!(wrong_vendor["code"], "invalid_connection");
}

#[test]
fn partner_center_through_the_commands_after_a_browser_sign_in() {
    use switchboard_core::partner_center::begin_sign_in;
    use switchboard_sandbox::partner_center::{sample_user, PRACTICE_CLIENT_ID as PC_CLIENT, PRACTICE_TENANT_ID};
    let h = harness();
    let saved = h
        .invoke(
            "save_connection",
            json!({ "draft": { "name": "Partner", "vendor": "partner-center", "environment": "commercial",
                               "clientId": PC_CLIENT, "tenant": PRACTICE_TENANT_ID,
                               "apiUrl": h.sandbox.partner_center_api_url(), "identityUrl": h.sandbox.entra_url() } }),
        )
        .unwrap();
    let id = saved["connection"]["id"].as_str().unwrap().to_string();
    assert_eq!(saved["connection"]["secretState"], "missing", "no sign-in yet");

    // What sign_in_partner_center does, with a reqwest GET standing in for the browser.
    let connections = &h.app.state::<AppState>().connections;
    let settings = connections.profile(&id).unwrap().partner_center_settings().unwrap();
    let tokens = tauri::async_runtime::block_on(async {
        let pending = begin_sign_in(&settings).await.unwrap();
        let url = pending.authorize_url.clone();
        let browser = tokio::spawn(async move { common::browser_get(url).await.unwrap().text().await.unwrap() });
        let tokens = pending.finish().await.unwrap();
        browser.await.unwrap();
        tokens
    });
    let summary = connections.store_partner_center_sign_in(&id, &tokens.refresh_token).unwrap();
    assert_eq!(summary.secret_state, switchboard_core::connection::SecretState::Set);
    assert_eq!(h.invoke("test_connection", json!({ "id": id })).unwrap()["ok"], true);

    let (customer, user) = sample_user();
    let receipt = h
        .update(json!({ "connectionId": id, "operation": "partner-center.customer-user",
                    "target": { "customerId": customer, "userId": user }, "changes": { "displayName": "Jo Contoso" } }))
        .unwrap();
    assert_eq!(receipt["after"]["displayName"], "Jo Contoso");
    let (customers, _) = all_choices(&h, &json!(id), "partner-center.customer-user", "customerId", json!({}));
    assert!(customers.iter().any(|c| c["id"] == customer), "{customers:?}");
    let (users, _) =
        all_choices(&h, &json!(id), "partner-center.customer-user", "userId", json!({ "customerId": customer }));
    assert!(users.iter().any(|u| u["id"] == user && u["label"] == "Jo Contoso"), "{users:?}");
    let list = h.invoke("list_connections", json!({})).unwrap();
    assert!(!list.to_string().contains(tokens.refresh_token.expose()), "the webview never sees the sign-in");
}

/// Pages through a picker until the vendor says there is no more.
fn all_choices(h: &Harness, connection: &Value, operation: &str, key: &str, target: Value) -> (Vec<Value>, usize) {
    let mut items = Vec::new();
    let mut cursor = Value::Null;
    let mut pages = 0;
    loop {
        let page = h
            .invoke(
                "list_choices",
                json!({ "connectionId": connection, "operation": operation, "key": key, "target": target, "cursor": cursor }),
            )
            .unwrap();
        pages += 1;
        items.extend(page["items"].as_array().unwrap().iter().cloned());
        match page.get("next") {
            Some(next) => cursor = next.clone(),
            None => return (items, pages),
        }
    }
}

#[test]
fn pickers_find_customer_tenant_and_user_page_by_page() {
    let h = harness();
    let (customer, tenant, user) = switchboard_sandbox::avepoint::sample_user();
    let total = h.sandbox.state().avepoint.add_generated_users(customer, tenant, 250).unwrap();
    let op = "avepoint.account-information";
    let practice = json!("practice");

    let (customers, _) = all_choices(&h, &practice, op, "customerId", json!({}));
    let contoso = customers.iter().find(|c| c["id"] == customer).expect("the sample customer is offered");
    assert_eq!(contoso["label"], "Contoso Ltd");

    let (tenants, _) = all_choices(&h, &practice, op, "tenantId", json!({ "customerId": customer }));
    assert!(tenants.iter().any(|t| t["id"] == tenant && t["label"] == "contoso.onmicrosoft.com"), "{tenants:?}");

    let (users, pages) =
        all_choices(&h, &practice, op, "userId", json!({ "customerId": customer, "tenantId": tenant }));
    assert_eq!(users.len(), total, "every user, once");
    assert_eq!(pages, total.div_ceil(100), "pages of 100, as AvePoint allows");
    let mark = users.iter().find(|u| u["id"] == user).unwrap();
    assert_eq!(mark["label"], "Mark Lee");
    assert_eq!(mark["detail"], "Mark@element.onmicrosoft.com");

    let error = h
        .invoke("list_choices", json!({ "connectionId": "practice", "operation": op, "key": "userId", "target": { "customerId": customer } }))
        .unwrap_err();
    assert_eq!(error["fieldErrors"][0]["field"], "tenantId");
    assert_eq!(error["fieldErrors"][0]["message"], "Pick the tenant first.");
    let error = h
        .invoke(
            "list_choices",
            json!({ "connectionId": "practice", "operation": op, "key": "accountId", "target": {} }),
        )
        .unwrap_err();
    assert_eq!(error["code"], "invalid_input");
}

#[test]
fn pickers_list_softwareone_accounts_and_users_and_msp360_users() {
    use switchboard_sandbox::{msp360, softwareone};
    let h = harness();
    let msp = h.save_msp360();
    let (users, pages) = all_choices(&h, &msp["connection"]["id"], "msp360.user", "userId", json!({}));
    assert_eq!(pages, 1, "MSP360 has no paging");
    let sample = msp360::sample_user_id();
    assert!(users.iter().any(|u| u["id"] == sample && !u["label"].as_str().unwrap().is_empty()), "{users:?}");

    let swo = h.save_softwareone();
    let (account, user) = softwareone::sample_user();
    let (accounts, _) = all_choices(&h, &swo["connection"]["id"], "softwareone.account-user", "accountId", json!({}));
    assert!(accounts.iter().any(|a| a["id"] == account), "{accounts:?}");
    let (users, _) = all_choices(
        &h,
        &swo["connection"]["id"],
        "softwareone.account-user",
        "userId",
        json!({ "accountId": account }),
    );
    assert!(users.iter().any(|u| u["id"] == user && u["detail"].as_str().unwrap().contains('@')), "{users:?}");
}

#[test]
fn recent_records_come_back_latest_first_and_go_with_their_connection() {
    let h = harness();
    let saved = h.invoke("save_connection", json!({ "draft": sandbox_draft(&h.sandbox, "Recent test") })).unwrap();
    let id = saved["connection"]["id"].clone();
    for user in ["u1", "u2", "u1"] {
        h.invoke(
            "remember_record",
            json!({ "connectionId": id, "record": { "operationId": "avepoint.account-information",
                     "target": { "customerId": "c", "tenantId": "t", "userId": user },
                     "labels": { "userId": format!("User {user}") } } }),
        )
        .unwrap();
    }
    let recent = h.invoke("recent_records", json!({ "connectionId": id })).unwrap();
    let users: Vec<&str> = recent.as_array().unwrap().iter().map(|r| r["target"]["userId"].as_str().unwrap()).collect();
    assert_eq!(users, ["u1", "u2"]);
    assert_eq!(recent[0]["labels"]["userId"], "User u1");

    h.invoke("delete_connection", json!({ "id": id })).unwrap();
    assert_eq!(h.invoke("recent_records", json!({ "connectionId": id })).unwrap(), json!([]));
}

#[test]
fn drafts_keep_unsent_edits_without_passwords_until_discarded() {
    let h = harness();
    let saved = h.invoke("save_connection", json!({ "draft": sandbox_draft(&h.sandbox, "Draft test") })).unwrap();
    let id = saved["connection"]["id"].clone();
    let target = json!({ "userId": "u7" });
    let kept = h
        .invoke(
            "save_draft",
            json!({ "draft": { "connectionId": id, "operationId": "msp360.user", "target": target,
                               "values": { "FirstName": "Ada", "Password": "Sup3r$ecret" } } }),
        )
        .unwrap();
    assert!(kept["savedAt"].as_str().unwrap().ends_with('Z'));
    let drafts = h.invoke("list_drafts", json!({ "connectionId": id })).unwrap();
    assert_eq!(drafts[0]["values"], json!({ "FirstName": "Ada" }));
    let on_disk = std::fs::read_dir(h.data.path())
        .unwrap()
        .filter_map(|entry| std::fs::read_to_string(entry.unwrap().path()).ok())
        .collect::<String>();
    assert!(on_disk.contains("Ada"), "the draft is on disk, so it survives a crash");
    assert!(!on_disk.contains("Sup3r$ecret"), "no password in any file");

    h.invoke("discard_draft", json!({ "connectionId": id, "operation": "msp360.user", "target": target })).unwrap();
    assert_eq!(h.invoke("list_drafts", json!({ "connectionId": id })).unwrap(), json!([]));

    let error = h
        .invoke(
            "save_draft",
            json!({ "draft": { "connectionId": id, "operationId": "msp360.user", "target": target, "values": { "Nope": 1 } } }),
        )
        .unwrap_err();
    assert_eq!(error["code"], "invalid_input");
}

#[test]
fn the_people_commands_find_a_person_on_practice_review_one_surname_and_save_it_everywhere() {
    let h = harness();
    h.sandbox.state().seed_people();
    let practice = ["practice", "practice-partner-center", "practice-softwareone", "practice-msp360"];
    let mut keys = Vec::new();
    for connection in practice {
        let found = h
            .invoke("search_person", json!({ "connectionId": connection, "query": "anna.berg@northwind.example" }))
            .unwrap();
        assert_eq!(found["state"]["type"], "done", "{connection}: {found}");
        assert!(found["connectionName"].as_str().unwrap().starts_with("Practice ("), "{found}");
        keys.extend(found["records"].as_array().unwrap().iter().map(|r| r["key"].clone()));
    }
    let groups = h.invoke("group_people", json!({ "recordKeys": keys })).unwrap();
    assert_eq!(groups.as_array().unwrap().len(), 1, "{groups:#}");
    let members: Vec<Value> = groups[0]["members"].as_array().unwrap().iter().map(|m| m["recordKey"].clone()).collect();
    assert_eq!(members.len(), 4);
    let view = h.invoke("open_person", json!({ "recordKeys": members })).unwrap();
    let given = view["rows"].as_array().unwrap().iter().find(|r| r["meaning"] == "given_name").unwrap();
    assert_eq!(given["differs"], true, "Ana at SoftwareOne: {given:#}");

    let review = h.invoke("review_person", json!({ "recordKeys": members, "edits": { "surname": "Lind" } })).unwrap();
    let sends = review["changes"].as_array().unwrap().iter().filter(|c| c["sends"] == true).count();
    assert_eq!(sends, 3, "{review:#}");
    let saved = h.invoke("save_person", json!({ "reviewId": review["id"], "only": null })).unwrap();
    assert_eq!(saved["failed"], json!([]), "{saved:#}");
    use switchboard_sandbox::people::{ANNA_BERG, SOFTWAREONE_ACCOUNT};
    assert_eq!(h.sandbox.state().msp360.user(ANNA_BERG.3).unwrap().last_name, "Lind");
    assert_eq!(h.sandbox.state().softwareone.user(SOFTWAREONE_ACCOUNT, ANNA_BERG.2).unwrap().last_name, "Lind");
    let history = h.invoke("list_history", json!({ "filter": {}, "cursor": null })).unwrap();
    let groups: std::collections::BTreeSet<&str> =
        history["entries"].as_array().unwrap().iter().filter_map(|e| e["groupId"].as_str()).collect();
    assert_eq!(groups.len(), 1, "one group in the history: {history:#}");
    let undone = h.invoke("undo_person_save", json!({ "groupId": saved["groupId"] })).unwrap();
    assert_eq!(undone["failed"], json!([]), "{undone:#}");
    assert_eq!(h.sandbox.state().msp360.user(ANNA_BERG.3).unwrap().last_name, "Berg");

    // A decision kept, then undone.
    let decision = h.invoke("link_people", json!({ "recordKeys": &members[..2], "same": false })).unwrap();
    assert_eq!(decision["kind"], "different");
    h.invoke("undo_link", json!({ "id": decision["id"] })).unwrap();
    assert_eq!(h.invoke("undo_link", json!({ "id": decision["id"] })).unwrap_err()["code"], "not_found");
}
