//! Tauri commands: each converts arguments, delegates to the core and returns its result.

use crate::AppState;
use serde_json::Value;
use std::collections::BTreeMap;
use switchboard_core::connection::{ConnectionList, ImportSummary, SaveOutcome};
use switchboard_core::connection_test::ConnectionTestReport;
use switchboard_core::desk::{self, Draft, RecentRecord};
use switchboard_core::fields::OperationSpec;
use switchboard_core::fields::UpdateReceipt;
use switchboard_core::history::{History, HistoryFilter, HistoryPage};
use switchboard_core::http::{self, RetryNotice};
use switchboard_core::operations::{self, OperationSummary};
use switchboard_core::partner_center;
use switchboard_core::pickers::{self, ChoicePage};
use switchboard_core::plan::PlanView;
use switchboard_core::profiles::ProfileDraft;
use switchboard_core::profiles::Vendor;
use switchboard_core::secret::Secret;
use switchboard_core::sessions::{OpenedRecord, UndoStart};
use switchboard_core::{Error, ErrorCode};
use tauri::ipc::Channel;
use tauri::{AppHandle, Runtime, State};
use tauri_plugin_dialog::DialogExt;
use tauri_plugin_opener::OpenerExt;

/// UI preferences and recent records (never secrets), in `settings.json`.
const LAST_CONNECTION: &str = "lastConnectionId";

fn save_failed(file: &switchboard_core::files::JsonFile, error: std::io::Error) -> Error {
    Error::internal(format!("{} could not be saved: {error}", file.path().display()))
}

fn recent_key(connection_id: &str) -> String {
    format!("recent/{connection_id}")
}

#[tauri::command]
pub fn list_connections(state: State<'_, AppState>) -> Result<ConnectionList, Error> {
    let mut list = state.connections.list()?;
    let remembered = state.settings.get(LAST_CONNECTION).and_then(|value| value.as_str().map(str::to_string));
    list.selected_id = remembered.filter(|id| list.connections.iter().any(|c| &c.id == id));
    // The UI's first call once it has rendered; scripts/bench.sh times launches up to this line.
    log::info!("The desk listed {} connection(s)", list.connections.len());
    Ok(list)
}

#[tauri::command]
pub fn remember_connection(state: State<'_, AppState>, id: String) -> Result<(), Error> {
    state
        .settings
        .update(|settings| settings.insert(LAST_CONNECTION.into(), id.into()))
        .map_err(|e| save_failed(&state.settings, e))?;
    Ok(())
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
pub fn delete_connection(state: State<'_, AppState>, id: String) -> Result<(), Error> {
    state.connections.delete(&id)?;
    forget_desk_memory(&state, &id);
    Ok(())
}

/// Best effort: the connection is gone either way, and what is left names nothing that exists.
fn forget_desk_memory(state: &AppState, connection_id: &str) {
    let forgot_recent = state.settings.update(|settings| settings.remove(&recent_key(connection_id)));
    let prefix = desk::drafts_of(connection_id);
    let forgot_drafts = state.drafts.update(|drafts| drafts.retain(|key, _| !key.starts_with(&prefix)));
    if let Err(error) = forgot_recent.and(forgot_drafts) {
        log::warn!("What the desk remembered for a deleted connection could not be removed: {error}");
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
    labels: Option<BTreeMap<String, String>>,
    on_retry: Channel<RetryNotice>,
) -> Result<OpenedRecord, Error> {
    let client = state.connections.client(&connection_id)?;
    let history = state.history.as_deref().ok();
    let labels = labels.unwrap_or_default();
    with_retry_notices(on_retry, state.sessions.open(&client, history, &connection_id, &operation, &target, labels))
        .await
}

/// The change history, or why nothing can be saved without it.
pub(crate) fn history(state: &AppState) -> Result<&History, Error> {
    state.history.as_deref().map_err(|why| {
        Error::new(ErrorCode::ProfileStorage, format!("The change history can't be used, so nothing is saved: {why}"))
    })
}

/// The connection's name as the history names it (the id, if the connection is gone).
pub(crate) fn connection_name(state: &AppState, id: &str) -> String {
    state
        .connections
        .list()
        .ok()
        .and_then(|list| list.connections.into_iter().find(|c| c.id == id).map(|c| c.name))
        .unwrap_or_else(|| id.to_string())
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
    let connection_id = state.sessions.connection_of_plan(&plan_id)?;
    let client = state.connections.client(&connection_id)?;
    let name = connection_name(&state, &connection_id);
    with_retry_notices(on_retry, state.sessions.apply(&client, history(&state)?, &name, &plan_id)).await
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
pub fn recent_records(state: State<'_, AppState>, connection_id: String) -> Vec<RecentRecord> {
    state
        .settings
        .get(&recent_key(&connection_id))
        .and_then(|value| serde_json::from_value(value).ok())
        .unwrap_or_default()
}

#[tauri::command]
pub fn remember_record(
    state: State<'_, AppState>,
    connection_id: String,
    record: RecentRecord,
) -> Result<Vec<RecentRecord>, Error> {
    operations::spec(&record.operation_id)?;
    // Read, add and write under the file's lock, so two quick opens can't drop one another.
    state
        .settings
        .update(|settings| {
            let key = recent_key(&connection_id);
            let earlier = settings.get(&key).cloned().and_then(|value| serde_json::from_value(value).ok());
            let recent = desk::remember(earlier.unwrap_or_default(), record);
            settings.insert(key, serde_json::to_value(&recent).unwrap_or_default());
            recent
        })
        .map_err(|e| save_failed(&state.settings, e))
}

/// Unsent edits kept for this connection, latest first.
#[tauri::command]
pub fn list_drafts(state: State<'_, AppState>, connection_id: String) -> Vec<Draft> {
    let mut drafts: Vec<Draft> = state
        .drafts
        .entries()
        .into_values()
        .filter_map(|value| serde_json::from_value::<Draft>(value).ok())
        .filter(|draft| draft.connection_id == connection_id)
        .collect();
    drafts.sort_by(|a, b| b.saved_at.cmp(&a.saved_at));
    drafts
}

/// Keeps the form's unsent edits (without password fields) so a closed window or a crash loses
/// nothing; an empty `values` removes the draft. The file is replaced atomically.
#[tauri::command]
pub fn save_draft(state: State<'_, AppState>, draft: Draft) -> Result<Option<Draft>, Error> {
    let draft = draft.checked()?;
    let key = draft.key();
    let kept = (!draft.values.is_empty()).then_some(draft);
    state
        .drafts
        .update(|drafts| match &kept {
            Some(draft) => drafts.insert(key, serde_json::to_value(draft).unwrap_or_default()),
            None => drafts.remove(&key),
        })
        .map_err(|e| save_failed(&state.drafts, e))?;
    Ok(kept)
}

#[tauri::command]
pub fn discard_draft(
    state: State<'_, AppState>,
    connection_id: String,
    operation: String,
    target: std::collections::BTreeMap<String, String>,
) -> Result<(), Error> {
    let key = desk::draft_key(&connection_id, &operation, &target);
    state.drafts.update(|drafts| drafts.remove(&key)).map_err(|e| save_failed(&state.drafts, e))?;
    Ok(())
}

/// One page of the change history, newest first; pass `next` back as `cursor` for the next.
#[tauri::command]
pub fn list_history(
    state: State<'_, AppState>,
    filter: HistoryFilter,
    cursor: Option<String>,
    limit: Option<u32>,
) -> Result<HistoryPage, Error> {
    history(&state)?.list(&filter, cursor.as_deref(), limit.unwrap_or(100))
}

/// Said once: the history was unreadable and moved aside, or can't be used at all.
#[tauri::command]
pub fn history_notice(state: State<'_, AppState>) -> Option<String> {
    match &state.history {
        Ok(history) => history.notice().map(str::to_string),
        Err(why) => Some(format!("The change history can't be used, so nothing can be saved: {why}")),
    }
}

/// Opens the record of a history entry to undo it (read now): what the undo would do, field by
/// field, and whether anything changed since. Its next review and save are the undo.
#[tauri::command]
pub async fn open_undo(
    state: State<'_, AppState>,
    entry_id: String,
    on_retry: Channel<RetryNotice>,
) -> Result<UndoStart, Error> {
    let history = history(&state)?;
    let entry = history.get(&entry_id)?;
    let client = state.connections.client(&entry.connection_id)?;
    with_retry_notices(on_retry, state.sessions.open_undo(&client, history, &entry_id)).await
}

/// Asks where to save (the path never comes from the webview) and writes the matching entries
/// as CSV, one row per changed field.
#[tauri::command]
pub async fn export_history<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    filter: HistoryFilter,
) -> Result<Option<String>, Error> {
    let entries = history(&state)?.all(&filter)?;
    let (sender, receiver) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .set_title("Export the change history")
        .set_file_name("switchboard-history.csv")
        .add_filter("CSV (Excel)", &["csv"])
        .save_file(move |path| {
            let _ = sender.send(path);
        });
    let Some(path) = receiver.await.ok().flatten().and_then(|path| path.into_path().ok()) else {
        return Ok(None);
    };
    switchboard_core::history::export_csv(&entries, &path)?;
    Ok(Some(path.display().to_string()))
}
