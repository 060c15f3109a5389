//! Tauri commands of the Bulk page: thin wrappers over `switchboard_core::bulk`. File paths come
//! from the system's file dialogs, opened here, never from the webview.

use crate::commands::{connection_name, history};
use crate::AppState;
use serde_json::Value;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;
use switchboard_core::bulk::{self, BulkAction, Checked, ConnectionRef, Control, Count, Progress, RunOptions, Saved};
use switchboard_core::history::{JobRowView, JobState, JobView, RowState};
use switchboard_core::operations;
use switchboard_core::{Error, ErrorCode};
use tauri::ipc::Channel;
use tauri::{AppHandle, Runtime, State};
use tauri_plugin_dialog::DialogExt;

/// Development builds only: the end-to-end tests name the file to import here, since a test
/// can't drive the system's file dialog.
const TEST_IMPORT_FILE: &str = "SWITCHBOARD_TEST_IMPORT_FILE";

/// The pause/cancel switch of each job running now.
#[derive(Default)]
pub struct BulkRuns {
    controls: Mutex<HashMap<String, tokio::sync::watch::Sender<Control>>>,
}

impl BulkRuns {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, tokio::sync::watch::Sender<Control>>> {
        self.controls.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The vendor's defaults with a person's overrides, checked.
fn options(operation: &str, max_rate: Option<f64>, concurrency: Option<u32>) -> Result<RunOptions, Error> {
    let vendor = operations::vendor(operation)?;
    RunOptions::for_vendor(vendor).with(max_rate, concurrency.map(|n| n as usize)).checked()
}

async fn save_dialog<R: Runtime>(app: &AppHandle<R>, title: &str, file_name: &str) -> Option<PathBuf> {
    let (sender, receiver) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .set_title(title)
        .set_file_name(file_name)
        .add_filter("Excel workbook", &["xlsx"])
        .add_filter("CSV (Excel)", &["csv"])
        .save_file(move |path| {
            let _ = sender.send(path);
        });
    receiver.await.ok().flatten().and_then(|path| path.into_path().ok())
}

async fn open_dialog<R: Runtime>(app: &AppHandle<R>) -> Option<PathBuf> {
    if cfg!(debug_assertions) {
        if let Some(path) = std::env::var_os(TEST_IMPORT_FILE).filter(|p| !p.is_empty()) {
            return Some(PathBuf::from(path));
        }
    }
    let (sender, receiver) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .set_title("Import changes from a spreadsheet")
        .add_filter("Spreadsheets", &["xlsx", "csv"])
        .pick_file(move |path| {
            let _ = sender.send(path);
        });
    receiver.await.ok().flatten().and_then(|path| path.into_path().ok())
}

/// Asks where to save and writes a blank sheet for `operation`; the path, or null if cancelled.
#[tauri::command]
pub async fn bulk_template<R: Runtime>(app: AppHandle<R>, operation: String) -> Result<Option<String>, Error> {
    operations::find(&operation)?;
    let Some(path) = save_dialog(&app, "Save a blank sheet", &format!("{operation}.xlsx")).await else {
        return Ok(None);
    };
    bulk::save_template(&operation, &path)?;
    Ok(Some(path.display().to_string()))
}

/// Asks where to save and writes the current values of every record under `parent` (the ids
/// before the user's: customer, tenant or account); null if cancelled.
#[tauri::command]
pub async fn bulk_export<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    connection_id: String,
    operation: String,
    parent: Value,
    on_progress: Channel<Count>,
) -> Result<Option<Saved>, Error> {
    let client = state.connections.client(&connection_id)?;
    let options = options(&operation, None, None)?;
    let Some(path) = save_dialog(&app, "Export current values", &format!("{operation}.xlsx")).await else {
        return Ok(None);
    };
    let count = bulk::export(&client, &operation, &parent, &path, options, &|done, total| {
        let _ = on_progress.send(Count { done, total });
    })
    .await?;
    Ok(Some(Saved { path: path.display().to_string(), count }))
}

/// Asks for a spreadsheet and checks it: every row against its record now, each planned as the
/// desk plans. The same file with an unfinished job for this connection and operation opens
/// that job instead. Null if cancelled.
#[tauri::command]
pub async fn bulk_import<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    connection_id: String,
    operation: String,
    max_rate: Option<f64>,
    concurrency: Option<u32>,
    on_progress: Channel<Count>,
) -> Result<Option<Checked>, Error> {
    let history = history(&state)?;
    let client = state.connections.client(&connection_id)?;
    let options = options(&operation, max_rate, concurrency)?;
    let Some(path) = open_dialog(&app).await else {
        return Ok(None);
    };
    if let Some(job) = history.resumable_job(&operation, &connection_id, &bulk::digest(&path)?)? {
        return Ok(Some(Checked::Ready { job: Box::new(job) }));
    }
    let connection = ConnectionRef { id: connection_id.clone(), name: connection_name(&state, &connection_id) };
    let checked = bulk::check(history, &client, &connection, &operation, &path, options, &|done, total| {
        let _ = on_progress.send(Count { done, total: Some(total) });
    })
    .await?;
    Ok(Some(checked))
}

/// Bulk jobs, newest first; with `openOnly`, those that may still send something (to resume).
#[tauri::command]
pub fn bulk_jobs(state: State<'_, AppState>, open_only: bool) -> Result<Vec<JobView>, Error> {
    history(&state)?.jobs(open_only, 50)
}

/// A page of a job's rows in row order, optionally only those in `rowState`.
#[tauri::command]
pub fn bulk_job_rows(
    state: State<'_, AppState>,
    job_id: String,
    row_state: Option<RowState>,
    offset: u32,
    limit: u32,
) -> Result<Vec<JobRowView>, Error> {
    history(&state)?.job_rows(&job_id, row_state, offset, limit.min(500))
}

/// Runs (or resumes) a job until every row is settled or it is paused or cancelled; `onProgress`
/// hears after every row. A new pace (`maxRate`, `concurrency`) applies from now on.
#[tauri::command]
pub async fn bulk_run(
    state: State<'_, AppState>,
    runs: State<'_, BulkRuns>,
    job_id: String,
    max_rate: Option<f64>,
    concurrency: Option<u32>,
    on_progress: Channel<Progress>,
) -> Result<JobView, Error> {
    let history = history(&state)?;
    let job = history.job(&job_id)?;
    if max_rate.is_some() || concurrency.is_some() {
        let options = options(&job.operation, max_rate.or(Some(job.max_rate)), concurrency.or(Some(job.concurrency)))?;
        history.set_job_pace(&job_id, options.max_rate, options.concurrency as u32)?;
    }
    let client = state.connections.client(&job.connection_id)?;
    let (control, watch) = bulk::control();
    {
        let mut controls = runs.lock();
        if controls.contains_key(&job_id) {
            return Err(Error::new(ErrorCode::InvalidInput, "This job is running already."));
        }
        controls.insert(job_id.clone(), control);
    }
    let result = bulk::run(history, &client, &job_id, watch, &|progress| {
        let _ = on_progress.send(progress.clone());
    })
    .await;
    runs.lock().remove(&job_id);
    result
}

/// Pauses or cancels a job: a running one after the rows in flight; one not running at once.
#[tauri::command]
pub fn bulk_control(
    state: State<'_, AppState>,
    runs: State<'_, BulkRuns>,
    job_id: String,
    action: BulkAction,
) -> Result<(), Error> {
    let control = match action {
        BulkAction::Pause => Control::Pause,
        BulkAction::Cancel => Control::Cancel,
    };
    if let Some(sender) = runs.lock().get(&job_id) {
        let _ = sender.send(control);
        return Ok(());
    }
    let history = history(&state)?;
    match (action, history.job(&job_id)?.state) {
        (BulkAction::Cancel, state) if state.is_open() => history.set_job_state(&job_id, JobState::Cancelled),
        (BulkAction::Pause, JobState::Running) => history.set_job_state(&job_id, JobState::Paused),
        _ => Ok(()),
    }
}

/// Forgets a checked job that never ran (nothing of it was sent).
#[tauri::command]
pub fn bulk_discard(state: State<'_, AppState>, job_id: String) -> Result<(), Error> {
    let history = history(&state)?;
    let job = history.job(&job_id)?;
    if job.state != JobState::Ready || job.counts.done + job.counts.refused + job.counts.failed + job.counts.sending > 0
    {
        return Err(Error::new(
            ErrorCode::InvalidInput,
            "Only a job that has not run can be discarded; cancel this one.",
        ));
    }
    history.delete_job(&job_id)
}

/// Plans the undo of a job: each row it changed, read now, planned back unless its record moved
/// since (those rows are listed as refused). Returns the new job, to review and run.
#[tauri::command]
pub async fn bulk_plan_undo(state: State<'_, AppState>, job_id: String) -> Result<JobView, Error> {
    let history = history(&state)?;
    let job = history.job(&job_id)?;
    let client = state.connections.client(&job.connection_id)?;
    bulk::plan_undo(history, &client, &job_id, options(&job.operation, Some(job.max_rate), Some(job.concurrency))?)
        .await
}

/// Asks where to save and writes each row's outcome; the path, or null if cancelled.
#[tauri::command]
pub async fn bulk_save_results<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    job_id: String,
) -> Result<Option<Saved>, Error> {
    let history = history(&state)?;
    let job = history.job(&job_id)?;
    let name =
        format!("{} results.xlsx", job.file_name.rsplit_once('.').map(|(stem, _)| stem).unwrap_or(&job.file_name));
    let Some(path) = save_dialog(&app, "Save the results", &name).await else {
        return Ok(None);
    };
    let count = bulk::save_results(history, &job_id, &path)?;
    Ok(Some(Saved { path: path.display().to_string(), count }))
}
