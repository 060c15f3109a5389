//! Tauri commands: each converts arguments, delegates to the core and returns its result.

use crate::AppState;
use serde_json::Value;
use switchboard_core::avepoint::{Environment, EnvironmentInfo};
use switchboard_core::connection::{ConnectionList, ImportSummary, SaveOutcome};
use switchboard_core::connection_test::ConnectionTestReport;
use switchboard_core::desk::{self, Draft, RecentRecord};
use switchboard_core::fields::OperationSpec;
use switchboard_core::fields::UpdateReceipt;
use switchboard_core::http::{self, RetryNotice};
use switchboard_core::operations::{self, OperationSummary};
use switchboard_core::partner_center::{self, Cloud, CloudInfo};
use switchboard_core::pickers::{self, ChoicePage};
use switchboard_core::plan::PlanView;
use switchboard_core::profiles::ProfileDraft;
use switchboard_core::profiles::Vendor;
use switchboard_core::secret::Secret;
use switchboard_core::sessions::OpenedRecord;
use switchboard_core::{Error, ErrorCode};
use tauri::ipc::Channel;
use tauri::{AppHandle, Runtime, State};
use tauri_plugin_dialog::DialogExt;
use tauri_plugin_opener::OpenerExt;
use tauri_plugin_store::StoreExt;

/// UI preferences and recent records (never secrets) kept with tauri-plugin-store.
const SETTINGS_FILE: &str = "settings.json";
const LAST_CONNECTION: &str = "lastConnectionId";
/// Unsent edits, one entry per record (password fields never included), in their own file so a
/// damaged draft file costs no settings.
const DRAFTS_FILE: &str = "drafts.json";

fn open_store<R: Runtime>(
    app: &AppHandle<R>,
    file: &str,
) -> Result<std::sync::Arc<tauri_plugin_store::Store<R>>, Error> {
    app.store(file).map_err(|e| Error::internal(format!("{file} could not be opened: {e}")))
}

fn save_store<R: Runtime>(store: &tauri_plugin_store::Store<R>) -> Result<(), Error> {
    store.save().map_err(|e| Error::internal(format!("Settings could not be saved: {e}")))
}

fn recent_key(connection_id: &str) -> String {
    format!("recent/{connection_id}")
}

#[tauri::command]
pub fn list_connections<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) -> Result<ConnectionList, Error> {
    let mut list = state.connections.list()?;
    let remembered = app
        .store(SETTINGS_FILE)
        .ok()
        .and_then(|store| store.get(LAST_CONNECTION))
        .and_then(|value| value.as_str().map(str::to_string));
    list.selected_id = remembered.filter(|id| list.connections.iter().any(|c| &c.id == id));
    // The UI's first call once it has rendered; scripts/bench.sh times launches up to this line.
    log::info!("The desk listed {} connection(s)", list.connections.len());
    Ok(list)
}

#[tauri::command]
pub fn remember_connection<R: Runtime>(app: AppHandle<R>, id: String) -> Result<(), Error> {
    let store = open_store(&app, SETTINGS_FILE)?;
    store.set(LAST_CONNECTION, id);
    save_store(&store)
}

#[tauri::command]
pub fn save_connection(
    state: State<'_, AppState>,
    id: Option<String>,
    draft: ProfileDraft,
    client_secret: Option<String>,
) -> Result<SaveOutcome, Error> {
    state.connections.save(id.as_deref(), &draft, client_secret.map(Secret::new))
}

#[tauri::command]
pub fn duplicate_connection(state: State<'_, AppState>, id: String) -> Result<SaveOutcome, Error> {
    state.connections.duplicate(&id)
}

/// Deletes the connection, then what the desk remembered for it (recent records, drafts).
#[tauri::command]
pub fn delete_connection<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>, id: String) -> Result<(), Error> {
    state.connections.delete(&id)?;
    forget_desk_memory(&app, &id);
    Ok(())
}

/// Best effort: the connection is gone either way, and what is left names nothing that exists.
fn forget_desk_memory<R: Runtime>(app: &AppHandle<R>, connection_id: &str) {
    if let Ok(settings) = open_store(app, SETTINGS_FILE) {
        settings.delete(recent_key(connection_id));
        let _ = save_store(&settings);
    }
    if let Ok(drafts) = open_store(app, DRAFTS_FILE) {
        let prefix = desk::drafts_of(connection_id);
        for key in drafts.keys().into_iter().filter(|key| key.starts_with(&prefix)) {
            drafts.delete(key);
        }
        let _ = save_store(&drafts);
    }
}

#[tauri::command]
pub async fn test_connection(state: State<'_, AppState>, id: String) -> Result<ConnectionTestReport, Error> {
    Ok(state.connections.test(&id).await)
}

/// Asks where to save (the path never comes from the webview) and writes the profiles there.
#[tauri::command]
pub async fn export_connections<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    ids: Vec<String>,
) -> Result<Option<String>, Error> {
    let (sender, receiver) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .set_title("Export connections (no secrets)")
        .set_file_name("switchboard-connections.json")
        .add_filter("Switchboard connections", &["json"])
        .save_file(move |path| {
            let _ = sender.send(path);
        });
    let Some(path) = receiver.await.ok().flatten().and_then(|path| path.into_path().ok()) else {
        return Ok(None);
    };
    state.connections.export(&ids, &path)?;
    Ok(Some(path.display().to_string()))
}

#[tauri::command]
pub async fn import_connections<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<Option<ImportSummary>, Error> {
    let (sender, receiver) = tokio::sync::oneshot::channel();
    app.dialog().file().set_title("Import connections").add_filter("Switchboard connections", &["json"]).pick_file(
        move |path| {
            let _ = sender.send(path);
        },
    );
    let Some(path) = receiver.await.ok().flatten().and_then(|path| path.into_path().ok()) else {
        return Ok(None);
    };
    state.connections.import(&path).map(Some)
}

/// Asks for a PEM or PFX file (the path never comes from the webview) and keeps its key in the
/// keychain; `password` opens a PFX file and is not stored.
#[tauri::command]
pub async fn choose_certificate<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
    password: Option<String>,
) -> Result<Option<SaveOutcome>, Error> {
    let (sender, receiver) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .set_title("Choose the app registration's certificate")
        .add_filter("Certificate with private key", &["pfx", "p12", "pem"])
        .pick_file(move |path| {
            let _ = sender.send(path);
        });
    let Some(path) = receiver.await.ok().flatten().and_then(|path| path.into_path().ok()) else {
        return Ok(None);
    };
    let bytes = std::fs::read(&path)
        .map_err(|e| Error::new(ErrorCode::InvalidInput, format!("{} can't be read: {e}", path.display())))?;
    let password = Secret::new(password.unwrap_or_default());
    state.connections.import_certificate(&id, &bytes, password.expose()).map(Some)
}

/// Signs a partner user in to Partner Center in the system browser (PKCE, loopback redirect) and
/// keeps the refresh token in the keychain. The tokens never reach the webview.
#[tauri::command]
pub async fn sign_in_partner_center<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
) -> Result<SaveOutcome, Error> {
    let profile = state.connections.profile(&id)?;
    if profile.vendor() != Vendor::PartnerCenter {
        return Err(Error::new(ErrorCode::InvalidInput, "Only Partner Center connections sign in in the browser."));
    }
    let pending = partner_center::begin_sign_in(&profile.partner_center_settings()?).await?;
    app.opener().open_url(pending.authorize_url.as_str(), None::<&str>).map_err(|e| {
        Error::new(
            ErrorCode::Internal,
            format!("Switchboard could not open your browser for the Microsoft sign-in: {e}"),
        )
    })?;
    let tokens = pending.finish().await?;
    let connection = state.connections.store_partner_center_sign_in(&id, &tokens.refresh_token)?;
    Ok(SaveOutcome { connection, secret_error: None })
}

#[tauri::command]
pub fn list_clouds() -> Vec<CloudInfo> {
    Cloud::all_info()
}

#[tauri::command]
pub fn list_environments() -> Vec<EnvironmentInfo> {
    Environment::all_info()
}

/// Every vendor's connection form (settings as field definitions, secret kinds), so the
/// Connections page can render it like the desk renders an operation.
#[tauri::command]
pub fn list_vendors() -> Vec<switchboard_core::vendors::VendorSpec> {
    switchboard_core::vendors::specs()
}

#[tauri::command]
pub fn list_operations() -> Vec<OperationSummary> {
    operations::summaries()
}

#[tauri::command]
pub fn describe_operation(operation: String) -> Result<OperationSpec, Error> {
    operations::spec(&operation)
}

/// Reads a record and keeps it open at the desk; returns its values (the vendor's keys) and the
/// id to check, review and apply edits with.
#[tauri::command]
pub async fn open_record(
    state: State<'_, AppState>,
    connection_id: String,
    operation: String,
    target: Value,
    on_retry: Channel<RetryNotice>,
) -> Result<OpenedRecord, Error> {
    let client = state.connections.client(&connection_id)?;
    with_retry_notices(on_retry, state.sessions.open(&client, &connection_id, &operation, &target)).await
}

/// Passes each retry wait to the UI while `work` runs ("AvePoint is busy; trying again in 2 s").
async fn with_retry_notices<T>(on_retry: Channel<RetryNotice>, work: impl std::future::Future<Output = T>) -> T {
    let observer = std::sync::Arc::new(move |notice: RetryNotice| {
        let _ = on_retry.send(notice);
    });
    http::observe_retries(observer, work).await
}

/// Every rule the edits break, against the open record as read (sends nothing): the form's
/// inline check.
#[tauri::command]
pub fn check_edits(state: State<'_, AppState>, record_id: String, edits: Value) -> Result<(), Error> {
    state.sessions.check(&record_id, &edits)
}

/// Plans the edits against the open record and keeps the plan: what the review shows.
#[tauri::command]
pub async fn review_edits(
    state: State<'_, AppState>,
    record_id: String,
    edits: Value,
    on_retry: Channel<RetryNotice>,
) -> Result<PlanView, Error> {
    let client = state.connections.client(&state.sessions.connection_of(&record_id)?)?;
    with_retry_notices(on_retry, state.sessions.review(&client, &record_id, &edits)).await
}

/// Applies the reviewed plan exactly as reviewed; if the record changed at the vendor since,
/// nothing is sent and the error names the fields.
#[tauri::command]
pub async fn apply_plan(
    state: State<'_, AppState>,
    plan_id: String,
    on_retry: Channel<RetryNotice>,
) -> Result<UpdateReceipt<Value>, Error> {
    let client = state.connections.client(&state.sessions.connection_of_plan(&plan_id)?)?;
    with_retry_notices(on_retry, state.sessions.apply(&client, &plan_id)).await
}

/// The desk moved on from a record.
#[tauri::command]
pub fn close_record(state: State<'_, AppState>, record_id: String) {
    state.sessions.close(&record_id);
}

/// One page of what a picker offers for `key` (customer, tenant, account or user), given the ids
/// picked before it; pass `cursor` from the previous page for the next.
#[tauri::command]
pub async fn list_choices(
    state: State<'_, AppState>,
    connection_id: String,
    operation: String,
    key: String,
    target: Value,
    cursor: Option<String>,
) -> Result<ChoicePage, Error> {
    let client = state.connections.client(&connection_id)?;
    pickers::list(&client, &operation, &key, &target, cursor.as_deref()).await
}

/// The records opened lately through this connection, latest first.
#[tauri::command]
pub fn recent_records<R: Runtime>(app: AppHandle<R>, connection_id: String) -> Vec<RecentRecord> {
    open_store(&app, SETTINGS_FILE)
        .ok()
        .and_then(|store| store.get(recent_key(&connection_id)))
        .and_then(|value| serde_json::from_value(value).ok())
        .unwrap_or_default()
}

#[tauri::command]
pub fn remember_record<R: Runtime>(
    app: AppHandle<R>,
    connection_id: String,
    record: RecentRecord,
) -> Result<Vec<RecentRecord>, Error> {
    operations::spec(&record.operation_id)?;
    let recent = desk::remember(recent_records(app.clone(), connection_id.clone()), record);
    let store = open_store(&app, SETTINGS_FILE)?;
    store.set(recent_key(&connection_id), serde_json::to_value(&recent).unwrap_or_default());
    save_store(&store)?;
    Ok(recent)
}

/// Unsent edits kept for this connection, latest first.
#[tauri::command]
pub fn list_drafts<R: Runtime>(app: AppHandle<R>, connection_id: String) -> Vec<Draft> {
    let Ok(store) = open_store(&app, DRAFTS_FILE) else { return Vec::new() };
    let mut drafts: Vec<Draft> = store
        .values()
        .into_iter()
        .filter_map(|value| serde_json::from_value::<Draft>(value).ok())
        .filter(|draft| draft.connection_id == connection_id)
        .collect();
    drafts.sort_by(|a, b| b.saved_at.cmp(&a.saved_at));
    drafts
}

/// Keeps the form's unsent edits (without password fields) so a closed window or a crash loses
/// nothing; an empty `values` removes the draft.
#[tauri::command]
pub fn save_draft<R: Runtime>(app: AppHandle<R>, draft: Draft) -> Result<Option<Draft>, Error> {
    let store = open_store(&app, DRAFTS_FILE)?;
    let draft = draft.checked()?;
    let kept = if draft.values.is_empty() {
        store.delete(draft.key());
        None
    } else {
        store.set(draft.key(), serde_json::to_value(&draft).unwrap_or_default());
        Some(draft)
    };
    save_store(&store)?;
    Ok(kept)
}

#[tauri::command]
pub fn discard_draft<R: Runtime>(
    app: AppHandle<R>,
    connection_id: String,
    operation: String,
    target: std::collections::BTreeMap<String, String>,
) -> Result<(), Error> {
    let store = open_store(&app, DRAFTS_FILE)?;
    store.delete(desk::draft_key(&connection_id, &operation, &target));
    save_store(&store)
}
