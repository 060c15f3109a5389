//! Bulk jobs in the history database: a job and each of its rows, with the row's reviewed plan
//! (the values it was planned from, the changes, the exact request), its state, and the history
//! entry of its change. A row becomes `sending` in the same transaction that writes its entry,
//! before its request goes out, so after a crash every row is either untouched (`pending`), known
//! to be settled, or `sending` — to be read first, and counted done if the vendor holds its new
//! values (see [`crate::bulk::run`]).

use super::{ending, insert_entry, now, stamp, storage_error, write_outcome, Entry, EntryContext, History, Outcome};
use crate::error::{Error, ErrorCode, Result};
use crate::fields::UpdateReceipt;
use crate::plan::{Plan, PlannedChange, PlannedRequest, WriteMethod};
use rusqlite::{params, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use ts_rs::TS;

pub(super) const MIGRATION: &str = "CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        operation TEXT NOT NULL,
        connection_id TEXT NOT NULL,
        connection_name TEXT NOT NULL,
        file_name TEXT NOT NULL,
        digest TEXT NOT NULL,
        state TEXT NOT NULL,
        max_rate REAL NOT NULL,
        concurrency INTEGER NOT NULL,
        undoes_job TEXT
    );
    CREATE INDEX jobs_by_file ON jobs (operation, connection_id, digest);
    CREATE TABLE job_rows (
        job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        row INTEGER NOT NULL,
        name TEXT NOT NULL,
        target TEXT NOT NULL,
        edits TEXT NOT NULL,
        basis TEXT NOT NULL,
        after TEXT NOT NULL,
        changes TEXT NOT NULL,
        request TEXT,
        state TEXT NOT NULL,
        message TEXT,
        entry_id TEXT,
        undoes TEXT,
        PRIMARY KEY (job_id, row)
    );
    CREATE INDEX job_rows_by_state ON job_rows (job_id, state, row);";

/// Where a job's rows came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    /// A spreadsheet.
    Import,
    /// The undo of another job.
    Undo,
}

/// Where a job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Its rows are being read and planned; a job left here was never reviewed.
    Checking,
    /// Reviewed, nothing sent yet.
    Ready,
    /// Sending (or stopped by a crash while sending: resumable).
    Running,
    Paused,
    Cancelled,
    /// Every row settled.
    Finished,
}

/// Where one row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RowState {
    Pending,
    /// Its entry is written and its request may have gone out; not settled yet.
    Sending,
    Done,
    /// Nothing to change: the record already held these values.
    Unchanged,
    Refused,
    Failed,
}

macro_rules! keyed {
    ($type:ty { $($variant:ident = $key:literal),* $(,)? }) => {
        impl $type {
            pub fn key(self) -> &'static str {
                match self { $(<$type>::$variant => $key),* }
            }
            fn from_key(key: &str) -> Self {
                match key { $($key => <$type>::$variant,)* _ => <$type>::from_key_fallback() }
            }
        }
    };
}

keyed!(JobKind { Import = "import", Undo = "undo" });
keyed!(JobState {
    Checking = "checking",
    Ready = "ready",
    Running = "running",
    Paused = "paused",
    Cancelled = "cancelled",
    Finished = "finished",
});
keyed!(RowState {
    Pending = "pending",
    Sending = "sending",
    Done = "done",
    Unchanged = "unchanged",
    Refused = "refused",
    Failed = "failed",
});

impl JobKind {
    fn from_key_fallback() -> Self {
        JobKind::Import
    }
}

impl JobState {
    fn from_key_fallback() -> Self {
        JobState::Paused
    }

    /// Whether the job may still send something.
    pub fn is_open(self) -> bool {
        matches!(self, JobState::Ready | JobState::Running | JobState::Paused)
    }
}

impl RowState {
    fn from_key_fallback() -> Self {
        RowState::Pending
    }

    /// The row's outcome in words, for the results file.
    pub fn label(self) -> &'static str {
        match self {
            RowState::Pending => "not sent",
            RowState::Sending => "unknown",
            RowState::Done => "done",
            RowState::Unchanged => "unchanged",
            RowState::Refused => "refused",
            RowState::Failed => "failed",
        }
    }

    /// A settled entry's outcome as a row's state.
    fn of_outcome(outcome: Outcome) -> RowState {
        match outcome {
            Outcome::Done => RowState::Done,
            Outcome::Refused => RowState::Refused,
            Outcome::Failed => RowState::Failed,
            Outcome::Unknown => RowState::Sending,
        }
    }
}

/// A new job, before its rows.
#[derive(Debug, Clone)]
pub struct JobSpec {
    pub kind: JobKind,
    pub operation: String,
    pub connection_id: String,
    pub connection_name: String,
    pub file_name: String,
    /// The file's SHA-256, so the same file run again finds this job.
    pub digest: String,
    pub max_rate: f64,
    pub concurrency: u32,
    pub undoes_job: Option<String>,
}

/// How many rows are where.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct JobCounts {
    pub total: u32,
    pub pending: u32,
    pub sending: u32,
    pub done: u32,
    pub unchanged: u32,
    pub refused: u32,
    pub failed: u32,
}

impl JobCounts {
    /// Rows still to send or to settle.
    pub fn remaining(&self) -> u32 {
        self.pending + self.sending
    }

    fn add(&mut self, state: RowState, count: u32) {
        self.total += count;
        match state {
            RowState::Pending => self.pending += count,
            RowState::Sending => self.sending += count,
            RowState::Done => self.done += count,
            RowState::Unchanged => self.unchanged += count,
            RowState::Refused => self.refused += count,
            RowState::Failed => self.failed += count,
        }
    }
}

/// A job as the app and the CLI show it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct JobView {
    pub id: String,
    pub kind: JobKind,
    pub created_at: String,
    pub updated_at: String,
    pub operation: String,
    pub connection_id: String,
    pub connection_name: String,
    pub file_name: String,
    pub state: JobState,
    pub max_rate: f64,
    pub concurrency: u32,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub undoes_job: Option<String>,
    pub counts: JobCounts,
    #[serde(skip)]
    pub digest: String,
}

/// A row's reviewed plan, to store with its job.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRowPlan {
    pub row: u32,
    pub name: String,
    pub target: Value,
    pub edits: Value,
    pub basis: Value,
    pub after: Value,
    pub changes: Vec<PlannedChange>,
    pub request: Option<StoredRequest>,
    pub state: RowState,
    pub message: Option<String>,
    /// The entry this row undoes (an undo job's rows).
    pub undoes: Option<String>,
}

impl JobRowPlan {
    /// A row planned from `plan`: pending, or unchanged when the plan sends nothing.
    pub fn from_plan(row: u32, name: &str, edits: &Value, plan: &Plan, undoes: Option<&str>) -> JobRowPlan {
        let request = plan.request.as_ref().map(StoredRequest::of);
        JobRowPlan {
            row,
            name: name.to_string(),
            target: plan.target.clone(),
            edits: edits.clone(),
            basis: plan.basis.clone(),
            after: plan.after.clone(),
            changes: plan.changes.clone(),
            state: if request.is_some() { RowState::Pending } else { RowState::Unchanged },
            request,
            message: None,
            undoes: undoes.map(str::to_string),
        }
    }

    /// A row refused at planning (an undo whose record moved).
    pub fn refused(row: u32, name: &str, target: &Value, message: &str, undoes: &str) -> JobRowPlan {
        JobRowPlan {
            row,
            name: name.to_string(),
            target: target.clone(),
            edits: Value::Null,
            basis: Value::Null,
            after: Value::Null,
            changes: Vec::new(),
            request: None,
            state: RowState::Refused,
            message: Some(message.to_string()),
            undoes: Some(undoes.to_string()),
        }
    }
}

/// A planned request as stored: a bulk row never carries a secret (passwords are not taken
/// from files), so the body is the whole request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredRequest {
    pub method: String,
    pub path: String,
    pub body: Value,
}

impl StoredRequest {
    fn of(request: &PlannedRequest) -> StoredRequest {
        StoredRequest {
            method: request.method.as_reqwest().to_string(),
            path: request.path.clone(),
            body: request.body.clone(),
        }
    }

    pub fn planned(&self) -> PlannedRequest {
        let method = if self.method.eq_ignore_ascii_case("PATCH") { WriteMethod::Patch } else { WriteMethod::Put };
        PlannedRequest { method, path: self.path.clone(), body: self.body.clone(), secret: None }
    }
}

/// A row as a run needs it.
#[derive(Debug, Clone)]
pub struct JobRow {
    pub row: u32,
    pub name: String,
    pub target: Value,
    pub basis: Value,
    pub after: Value,
    pub changes: Vec<PlannedChange>,
    pub request: Option<StoredRequest>,
    pub state: RowState,
    pub entry_id: Option<String>,
    pub undoes: Option<String>,
}

/// A row as the review and the results show it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct JobRowView {
    pub row: u32,
    pub name: String,
    pub target: BTreeMap<String, String>,
    pub state: RowState,
    pub changes: Vec<PlannedChange>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry_id: Option<String>,
}

fn json<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

fn parsed<T: serde::de::DeserializeOwned + Default>(text: &str) -> T {
    serde_json::from_str(text).unwrap_or_default()
}

const JOB_COLUMNS: &str = "id, kind, created_at, updated_at, operation, connection_id, connection_name, file_name,
    state, max_rate, concurrency, undoes_job, digest";

fn job_from_row(row: &Row<'_>) -> rusqlite::Result<JobView> {
    Ok(JobView {
        id: row.get(0)?,
        kind: JobKind::from_key(&row.get::<_, String>(1)?),
        created_at: row.get(2)?,
        updated_at: row.get(3)?,
        operation: row.get(4)?,
        connection_id: row.get(5)?,
        connection_name: row.get(6)?,
        file_name: row.get(7)?,
        state: JobState::from_key(&row.get::<_, String>(8)?),
        max_rate: row.get(9)?,
        concurrency: row.get(10)?,
        undoes_job: row.get(11)?,
        digest: row.get(12)?,
        counts: JobCounts::default(),
    })
}

fn no_job(id: &str) -> Error {
    Error::new(ErrorCode::NotFound, format!("There is no bulk job {id} in the change history."))
}

impl History {
    /// Writes a new job (state `checking`, no rows yet); returns its id.
    pub fn create_job(&self, spec: &JobSpec) -> Result<String> {
        let id = uuid::Uuid::new_v4().to_string();
        let at = now();
        self.lock()
            .execute(
                "INSERT INTO jobs (id, kind, created_at, updated_at, operation, connection_id, connection_name, file_name,
                     digest, state, max_rate, concurrency, undoes_job)
                 VALUES (?1, ?2, ?3, ?3, ?4, ?5, ?6, ?7, ?8, 'checking', ?9, ?10, ?11)",
                params![
                    id,
                    spec.kind.key(),
                    at,
                    spec.operation,
                    spec.connection_id,
                    spec.connection_name,
                    spec.file_name,
                    spec.digest,
                    spec.max_rate,
                    spec.concurrency,
                    spec.undoes_job
                ],
            )
            .map_err(|e| storage_error("written", e))?;
        Ok(id)
    }

    /// Stores planned rows of a job, in one transaction.
    pub fn add_job_rows(&self, job: &str, rows: &[JobRowPlan]) -> Result<()> {
        let mut connection = self.lock();
        let transaction = connection.transaction().map_err(|e| storage_error("written", e))?;
        {
            let mut insert = transaction
                .prepare_cached(
                    "INSERT INTO job_rows (job_id, row, name, target, edits, basis, after, changes, request, state, message, undoes)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                )
                .map_err(|e| storage_error("written", e))?;
            for row in rows {
                insert
                    .execute(params![
                        job,
                        row.row,
                        row.name,
                        json(&super::string_map(&row.target)),
                        json(&row.edits),
                        json(&row.basis),
                        json(&row.after),
                        json(&row.changes),
                        row.request.as_ref().map(json),
                        row.state.key(),
                        row.message,
                        row.undoes,
                    ])
                    .map_err(|e| storage_error("written", e))?;
            }
        }
        transaction.commit().map_err(|e| storage_error("written", e))
    }

    /// Removes the jobs whose check never finished (the app or command line stopped while a file
    /// was being checked) a day or more ago, with their rows: nothing of them was sent, and no
    /// one can review them. A check running now is younger than that.
    pub(super) fn forget_abandoned_checks(&self) {
        let cutoff = stamp(time::OffsetDateTime::now_utc() - time::Duration::days(1));
        let connection = self.lock();
        let removed = connection
            .execute(
                "DELETE FROM job_rows WHERE job_id IN (SELECT id FROM jobs WHERE state = 'checking' AND updated_at < ?1)",
                [&cutoff],
            )
            .and_then(|_| connection.execute("DELETE FROM jobs WHERE state = 'checking' AND updated_at < ?1", [&cutoff]));
        match removed {
            Ok(0) => {}
            Ok(jobs) => log::info!("Removed {jobs} bulk check(s) abandoned over a day ago (nothing of them was sent)."),
            Err(error) => log::warn!("Abandoned bulk checks could not be removed: {error}"),
        }
    }

    /// Removes a job that never ran (a refused or abandoned check) and its rows.
    pub fn delete_job(&self, job: &str) -> Result<()> {
        let connection = self.lock();
        connection.execute("DELETE FROM job_rows WHERE job_id = ?1", [job]).map_err(|e| storage_error("written", e))?;
        connection.execute("DELETE FROM jobs WHERE id = ?1", [job]).map_err(|e| storage_error("written", e))?;
        Ok(())
    }

    pub fn set_job_state(&self, job: &str, state: JobState) -> Result<()> {
        self.lock()
            .execute("UPDATE jobs SET state = ?2, updated_at = ?3 WHERE id = ?1", params![job, state.key(), now()])
            .map_err(|e| storage_error("written", e))?;
        Ok(())
    }

    /// Changes the pace a job runs at (a person raised or lowered it before resuming).
    pub fn set_job_pace(&self, job: &str, max_rate: f64, concurrency: u32) -> Result<()> {
        self.lock()
            .execute(
                "UPDATE jobs SET max_rate = ?2, concurrency = ?3, updated_at = ?4 WHERE id = ?1",
                params![job, max_rate, concurrency, now()],
            )
            .map_err(|e| storage_error("written", e))?;
        Ok(())
    }

    /// One job, with its row counts.
    pub fn job(&self, id: &str) -> Result<JobView> {
        let connection = self.lock();
        let mut job = connection
            .query_row(&format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = ?1"), [id], job_from_row)
            .optional()
            .map_err(|e| storage_error("read", e))?
            .ok_or_else(|| no_job(id))?;
        job.counts = counts(&connection, id)?;
        Ok(job)
    }

    /// Jobs newest first; with `open_only`, only those that may still send something.
    pub fn jobs(&self, open_only: bool, limit: u32) -> Result<Vec<JobView>> {
        let connection = self.lock();
        let filter =
            if open_only { "WHERE state IN ('ready', 'running', 'paused')" } else { "WHERE state != 'checking'" };
        let mut statement = connection
            .prepare(&format!("SELECT {JOB_COLUMNS} FROM jobs {filter} ORDER BY created_at DESC, rowid DESC LIMIT ?1"))
            .map_err(|e| storage_error("read", e))?;
        let mut jobs = statement
            .query_map([limit], job_from_row)
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<JobView>>>())
            .map_err(|e| storage_error("read", e))?;
        for job in &mut jobs {
            job.counts = counts(&connection, &job.id)?;
        }
        Ok(jobs)
    }

    /// The newest job of this file for this operation and connection that may still send
    /// something: what running the same file again resumes.
    pub fn resumable_job(&self, operation: &str, connection_id: &str, digest: &str) -> Result<Option<JobView>> {
        let id: Option<String> = self
            .lock()
            .query_row(
                "SELECT id FROM jobs WHERE operation = ?1 AND connection_id = ?2 AND digest = ?3
                   AND state IN ('ready', 'running', 'paused')
                 ORDER BY created_at DESC, rowid DESC LIMIT 1",
                params![operation, connection_id, digest],
                |row| row.get(0),
            )
            .optional()
            .map_err(|e| storage_error("read", e))?;
        id.map(|id| self.job(&id)).transpose()
    }

    /// Rows still to send or settle, in row order, after row `after`: a run reads them in slices.
    pub fn open_rows(&self, job: &str, after: u32, limit: u32) -> Result<Vec<JobRow>> {
        let connection = self.lock();
        let mut statement = connection
            .prepare_cached(
                "SELECT row, name, target, basis, after, changes, request, state, entry_id, undoes FROM job_rows
                 WHERE job_id = ?1 AND state IN ('pending', 'sending') AND row > ?2 ORDER BY row LIMIT ?3",
            )
            .map_err(|e| storage_error("read", e))?;
        let rows = statement
            .query_map(params![job, after, limit], |row| {
                let target: BTreeMap<String, String> = parsed(&row.get::<_, String>(2)?);
                Ok(JobRow {
                    row: row.get(0)?,
                    name: row.get(1)?,
                    target: serde_json::to_value(target).unwrap_or_default(),
                    basis: parsed(&row.get::<_, String>(3)?),
                    after: parsed(&row.get::<_, String>(4)?),
                    changes: parsed(&row.get::<_, String>(5)?),
                    request: row.get::<_, Option<String>>(6)?.and_then(|text| serde_json::from_str(&text).ok()),
                    state: RowState::from_key(&row.get::<_, String>(7)?),
                    entry_id: row.get(8)?,
                    undoes: row.get(9)?,
                })
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<JobRow>>>())
            .map_err(|e| storage_error("read", e))?;
        Ok(rows)
    }

    /// A page of a job's rows in row order, optionally only those in `state`.
    pub fn job_rows(&self, job: &str, state: Option<RowState>, offset: u32, limit: u32) -> Result<Vec<JobRowView>> {
        let connection = self.lock();
        let mut statement = connection
            .prepare_cached(
                "SELECT row, name, target, state, changes, message, entry_id FROM job_rows
                 WHERE job_id = ?1 AND (?2 IS NULL OR state = ?2) ORDER BY row LIMIT ?3 OFFSET ?4",
            )
            .map_err(|e| storage_error("read", e))?;
        let rows = statement
            .query_map(params![job, state.map(RowState::key), limit, offset], |row| {
                Ok(JobRowView {
                    row: row.get(0)?,
                    name: row.get(1)?,
                    target: parsed(&row.get::<_, String>(2)?),
                    state: RowState::from_key(&row.get::<_, String>(3)?),
                    changes: parsed(&row.get::<_, String>(4)?),
                    message: row.get(5)?,
                    entry_id: row.get(6)?,
                })
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<JobRowView>>>())
            .map_err(|e| storage_error("read", e))?;
        Ok(rows)
    }

    /// Writes the row's history entry and marks it `sending`, in one transaction, before its
    /// request is sent; returns the entry's id.
    pub fn begin_row(&self, job: &str, row: u32, plan: &Plan, context: &EntryContext) -> Result<String> {
        let mut connection = self.lock();
        let transaction = connection.transaction().map_err(|e| storage_error("written", e))?;
        let entry = insert_entry(&transaction, plan, context)?;
        transaction
            .execute(
                "UPDATE job_rows SET state = 'sending', entry_id = ?3, message = NULL WHERE job_id = ?1 AND row = ?2",
                params![job, row, entry],
            )
            .map_err(|e| storage_error("written", e))?;
        transaction.commit().map_err(|e| storage_error("written", e))?;
        Ok(entry)
    }

    /// Completes a row's entry with how its send ended and settles the row, in one transaction;
    /// returns the row's new state: `sending` still when no answer showed whether it arrived,
    /// `pending` again when the vendor was too busy to take it.
    pub fn finish_row(
        &self,
        job: &str,
        row: u32,
        entry: &str,
        result: &Result<UpdateReceipt<Value>>,
    ) -> Result<RowState> {
        let (outcome, message, request_id) = ending(result);
        // A vendor that said "too many" applied nothing: the row goes back in line.
        let throttled = matches!(result, Err(error) if error.code == ErrorCode::RateLimited);
        let state = if throttled { RowState::Pending } else { RowState::of_outcome(outcome) };
        let mut connection = self.lock();
        let transaction = connection.transaction().map_err(|e| storage_error("written", e))?;
        write_outcome(&transaction, entry, outcome, message.as_deref(), request_id.as_deref())?;
        transaction
            .execute(
                "UPDATE job_rows SET state = ?3, message = ?4 WHERE job_id = ?1 AND row = ?2",
                params![job, row, state.key(), message],
            )
            .map_err(|e| storage_error("written", e))?;
        transaction.commit().map_err(|e| storage_error("written", e))?;
        Ok(state)
    }

    /// Settles a row without sending (refused before sending, unchanged, or confirmed done).
    pub fn settle_row(&self, job: &str, row: u32, state: RowState, message: Option<&str>) -> Result<()> {
        self.lock()
            .execute(
                "UPDATE job_rows SET state = ?3, message = ?4 WHERE job_id = ?1 AND row = ?2",
                params![job, row, state.key(), message],
            )
            .map_err(|e| storage_error("written", e))?;
        Ok(())
    }

    /// The outcome an entry has now (after a reconcile).
    pub fn outcome_of(&self, entry: &str) -> Result<Outcome> {
        Ok(self.get(entry)?.outcome)
    }

    /// The done changes of a job that were not undone yet, with their rows: what undoing the
    /// job undoes.
    pub fn job_entries(&self, job: &str) -> Result<Vec<(u32, Entry)>> {
        let rows: Vec<(u32, String)> = {
            let connection = self.lock();
            let mut statement = connection
                .prepare(
                    "SELECT row, entry_id FROM job_rows WHERE job_id = ?1 AND state = 'done' AND entry_id IS NOT NULL
                     ORDER BY row",
                )
                .map_err(|e| storage_error("read", e))?;
            let rows = statement
                .query_map([job], |row| Ok((row.get(0)?, row.get(1)?)))
                .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
                .map_err(|e| storage_error("read", e))?;
            rows
        };
        let mut entries = Vec::with_capacity(rows.len());
        for (row, id) in rows {
            let entry = self.get(&id)?;
            if entry.outcome == Outcome::Done && entry.undone_by.is_none() {
                entries.push((row, entry));
            }
        }
        Ok(entries)
    }
}

fn counts(connection: &rusqlite::Connection, job: &str) -> Result<JobCounts> {
    let mut statement = connection
        .prepare_cached("SELECT state, count(*) FROM job_rows WHERE job_id = ?1 GROUP BY state")
        .map_err(|e| storage_error("read", e))?;
    let mut counts = JobCounts::default();
    let rows = statement
        .query_map([job], |row| Ok((row.get::<_, String>(0)?, row.get::<_, u32>(1)?)))
        .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
        .map_err(|e| storage_error("read", e))?;
    for (state, count) in rows {
        counts.add(RowState::from_key(&state), count);
    }
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> JobSpec {
        JobSpec {
            kind: JobKind::Import,
            operation: "avepoint.account-information".into(),
            connection_id: "practice".into(),
            connection_name: "Practice".into(),
            file_name: "a.csv".into(),
            digest: "d".into(),
            max_rate: 10.0,
            concurrency: 8,
            undoes_job: None,
        }
    }

    #[test]
    fn a_check_abandoned_over_a_day_ago_is_removed_when_the_history_opens_and_a_fresh_one_stays() {
        let dir = tempfile::tempdir().unwrap();
        let (old, fresh, ready) = {
            let history = History::open(dir.path()).unwrap();
            let old = history.create_job(&spec()).unwrap();
            let fresh = history.create_job(&spec()).unwrap();
            let ready = history.create_job(&spec()).unwrap();
            history.set_job_state(&ready, JobState::Ready).unwrap();
            let two_days_ago = stamp(time::OffsetDateTime::now_utc() - time::Duration::days(2));
            for id in [&old, &ready] {
                history
                    .lock()
                    .execute("UPDATE jobs SET updated_at = ?2 WHERE id = ?1", params![id, two_days_ago])
                    .unwrap();
            }
            (old, fresh, ready)
        };
        let history = History::open(dir.path()).unwrap();
        assert_eq!(history.job(&old).unwrap_err().code, ErrorCode::NotFound);
        assert_eq!(history.job(&fresh).unwrap().state, JobState::Checking, "a check running now is left alone");
        assert_eq!(history.job(&ready).unwrap().state, JobState::Ready, "only checks are removed");
    }
}
