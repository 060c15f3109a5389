//! The change history: every change Switchboard sends, kept on this computer in SQLite (one
//! file in the app's data folder, shared by the app and `switchboard-cli`).
//!
//! An entry is written (outcome `unknown`) before its request is sent and completed after, so a
//! crash mid-send leaves an entry that says so; it is reconciled the next time the record is
//! read through a connection (the vendor holds the new values → `done`, the old → `failed`).
//! Entries hold field values before → after, never a secret: a password change is recorded as
//! "changed". A corrupt file is moved aside with a notice, never silently emptied.

use crate::error::{Error, ErrorCode, Result};
use crate::fields::{value_at, FieldKind, UpdateReceipt};
use crate::operations::{self, VendorClient};
use crate::plan::{Plan, PlannedChange};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use ts_rs::TS;

mod jobs;
pub use jobs::{JobCounts, JobKind, JobRow, JobRowPlan, JobRowView, JobSpec, JobState, JobView, RowState};

/// The history file's name in the data folder.
pub const FILE_NAME: &str = "history.sqlite3";
/// Points the app and the command line at another data folder (tests use it).
pub const DATA_DIR_VARIABLE: &str = "SWITCHBOARD_DATA_DIR";
/// The app's identifier: its data folder's name under the OS's per-user data folder.
const APP_IDENTIFIER: &str = "com.switchboard.desk";
/// What a password change shows as: never a value.
pub const PASSWORD_CHANGED: &str = "(changed)";
/// Entries a page holds at most.
const MAX_PAGE: u32 = 500;

/// The data folder both the app and the command line use: `SWITCHBOARD_DATA_DIR` if set, else
/// the OS's per-user data folder for the app (what Tauri's `app_data_dir` is).
pub fn data_dir() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os(DATA_DIR_VARIABLE).filter(|dir| !dir.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    dirs::data_dir()
        .map(|dir| dir.join(APP_IDENTIFIER))
        .ok_or_else(|| Error::internal("This system has no per-user data folder for the change history."))
}

/// How a change ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Sent, but no answer was seen (a crash, or the connection broke): not confirmed yet.
    Unknown,
    Done,
    /// The vendor answered no (invalid, forbidden, not found, throttled).
    Refused,
    /// It failed (the vendor had a problem, or a later read showed the old values).
    Failed,
}

impl Outcome {
    fn key(self) -> &'static str {
        match self {
            Outcome::Unknown => "unknown",
            Outcome::Done => "done",
            Outcome::Refused => "refused",
            Outcome::Failed => "failed",
        }
    }

    fn from_key(key: &str) -> Outcome {
        match key {
            "done" => Outcome::Done,
            "refused" => Outcome::Refused,
            "failed" => Outcome::Failed,
            _ => Outcome::Unknown,
        }
    }

    /// A failed send: refused when the vendor answered no; failed when it answered that it
    /// failed; unknown when no answer says whether the change arrived.
    pub(crate) fn of_error(error: &Error) -> Outcome {
        match error.code {
            ErrorCode::InvalidInput
            | ErrorCode::InvalidConnection
            | ErrorCode::SignInRejected
            | ErrorCode::Forbidden
            | ErrorCode::NotFound
            | ErrorCode::VendorRejected
            | ErrorCode::RateLimited
            | ErrorCode::SecretMissing
            | ErrorCode::KeychainUnavailable
            | ErrorCode::ProfileStorage
            | ErrorCode::ChangedSinceReview => Outcome::Refused,
            ErrorCode::VendorUnavailable => Outcome::Failed,
            ErrorCode::Unreachable
            | ErrorCode::MalformedResponse
            | ErrorCode::ResponseTooLarge
            | ErrorCode::Internal => Outcome::Unknown,
        }
    }
}

/// Where a change was made from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Desk,
    CommandLine,
    Bulk,
    Undo,
    /// The People page: one person changed at several vendors together.
    People,
}

impl Source {
    fn key(self) -> &'static str {
        match self {
            Source::Desk => "desk",
            Source::CommandLine => "command_line",
            Source::Bulk => "bulk",
            Source::Undo => "undo",
            Source::People => "people",
        }
    }

    fn from_key(key: &str) -> Source {
        match key {
            "command_line" => Source::CommandLine,
            "bulk" => Source::Bulk,
            "undo" => Source::Undo,
            "people" => Source::People,
            _ => Source::Desk,
        }
    }
}

/// Who and where a change is made, beside the plan.
#[derive(Debug, Clone)]
pub struct EntryContext {
    pub source: Source,
    pub connection_id: String,
    pub connection_name: String,
    /// Readable names of the target's ids, by key, where known.
    pub target_names: BTreeMap<String, String>,
    /// The entry this change undoes.
    pub undoes: Option<String>,
    /// Changes made together (a bulk job, one person across vendors).
    pub group_id: Option<String>,
}

/// One change as the history keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    pub id: String,
    /// When it was written, just before it was sent (RFC 3339, UTC).
    pub at: String,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<String>,
    /// The OS user and the computer that made it.
    pub person: String,
    pub computer: String,
    pub source: Source,
    pub connection_id: String,
    pub connection_name: String,
    pub vendor: String,
    pub operation: String,
    pub target: BTreeMap<String, String>,
    pub target_names: BTreeMap<String, String>,
    /// Each field that changed, before → after (a password only as "(changed)").
    pub changes: Vec<PlannedChange>,
    pub outcome: Outcome,
    /// The vendor's message, or what Switchboard knows about the outcome.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    pub correlation_id: String,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub undoes: Option<String>,
    /// The entry that undid this one, if any.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub undone_by: Option<String>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
}

impl Entry {
    /// The record's name as the history lists it: the last id's name, else the id.
    pub fn target_title(&self) -> String {
        let last = self.target.keys().last().cloned().unwrap_or_default();
        let key = ["userId"].into_iter().find(|k| self.target.contains_key(*k)).map(str::to_string).unwrap_or(last);
        self.target_names.get(&key).or_else(|| self.target.get(&key)).cloned().unwrap_or_default()
    }
}

/// Which entries to list. Every part is optional; all given parts must match.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct HistoryFilter {
    #[ts(optional)]
    pub connection_id: Option<String>,
    /// A vendor's label, as entries hold it (`AvePoint`).
    #[ts(optional)]
    pub vendor: Option<String>,
    #[ts(optional)]
    pub operation: Option<String>,
    #[ts(optional)]
    pub outcome: Option<Outcome>,
    /// The first day to include (`2026-11-01`), UTC.
    #[ts(optional)]
    pub from: Option<String>,
    /// The last day to include (`2026-11-30`), UTC.
    #[ts(optional)]
    pub to: Option<String>,
    /// Words to find in the person, the target's names and ids, the connection and the values.
    #[ts(optional)]
    pub search: Option<String>,
}

/// One page of entries, newest first; pass `next` back for the following page.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct HistoryPage {
    pub entries: Vec<Entry>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// How many entries match the filter.
    #[ts(type = "number")]
    pub total: u64,
}

/// The history database. Cheap to share; every call holds the connection briefly.
pub struct History {
    connection: Mutex<Connection>,
    path: PathBuf,
    /// Said once at start: the file was unreadable and moved aside.
    notice: Option<String>,
}

const SCHEMA_VERSION: i32 = 3;
/// Marks the error for a file of a newer schema (kept, never moved aside).
const NEWER: &str = "history-schema";

/// Each step brings the schema from version N to N + 1.
const MIGRATIONS: &[&str] = &[
    // 1: the entries.
    "CREATE TABLE entries (
        id TEXT PRIMARY KEY,
        at TEXT NOT NULL,
        finished_at TEXT,
        person TEXT NOT NULL,
        computer TEXT NOT NULL,
        source TEXT NOT NULL,
        connection_id TEXT NOT NULL,
        connection_name TEXT NOT NULL,
        vendor TEXT NOT NULL,
        operation TEXT NOT NULL,
        target TEXT NOT NULL,
        target_names TEXT NOT NULL,
        changes TEXT NOT NULL,
        outcome TEXT NOT NULL,
        message TEXT,
        request_id TEXT,
        correlation_id TEXT NOT NULL,
        undoes TEXT
    );
    CREATE INDEX entries_by_time ON entries (at DESC);
    CREATE INDEX entries_by_record ON entries (connection_id, operation, target);",
    // 2: groups (bulk jobs, one person across vendors), a search column and filter indexes.
    "ALTER TABLE entries ADD COLUMN group_id TEXT;
    ALTER TABLE entries ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
    UPDATE entries SET search_text = lower(person || ' ' || connection_name || ' ' || target || ' ' || target_names || ' ' || changes);
    CREATE INDEX entries_by_outcome ON entries (outcome, at DESC);
    CREATE INDEX entries_by_connection ON entries (connection_id, at DESC);
    CREATE INDEX entries_by_undoes ON entries (undoes);
    CREATE INDEX entries_by_group ON entries (group_id);",
    // 3: bulk jobs and their rows (see `history/jobs.rs`).
    jobs::MIGRATION,
];

fn storage_error(what: &str, error: impl std::fmt::Display) -> Error {
    Error::new(ErrorCode::ProfileStorage, format!("The change history could not be {what}: {error}."))
}

/// `2026-11-29T18:30:05.123Z`: fixed width, so text order is time order.
fn now() -> String {
    stamp(time::OffsetDateTime::now_utc())
}

fn stamp(now: time::OffsetDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second(),
        now.millisecond()
    )
}

impl History {
    /// Opens (or creates) the history in `dir`. A file that is not a readable history is moved
    /// aside (`history.unreadable-<time>.sqlite3`) and a new one started; [`History::notice`]
    /// then says so.
    pub fn open(dir: &Path) -> Result<History> {
        std::fs::create_dir_all(dir).map_err(|e| storage_error("created", e))?;
        let path = dir.join(FILE_NAME);
        match Self::open_file(&path) {
            Ok(connection) => {
                let history = History { connection: Mutex::new(connection), path, notice: None };
                history.forget_abandoned_checks();
                Ok(history)
            }
            // A newer app's file is fine, just not ours to change: left as it is.
            Err(error) if error.field.as_deref() == Some(NEWER) => Err(error),
            Err(error) if path.exists() => {
                let aside = dir.join(format!("history.unreadable-{}.sqlite3", now().replace([':', '.'], "-")));
                std::fs::rename(&path, &aside).map_err(|e| storage_error("moved aside", e))?;
                for suffix in ["-wal", "-shm"] {
                    let _ = std::fs::remove_file(dir.join(format!("{FILE_NAME}{suffix}")));
                }
                let connection = Self::open_file(&path)?;
                let notice = format!(
                    "The change history could not be read ({}), so it was moved aside to {} and a new one started.",
                    error.message,
                    aside.display()
                );
                log::warn!("{notice}");
                Ok(History { connection: Mutex::new(connection), path, notice: Some(notice) })
            }
            Err(error) => Err(error),
        }
    }

    /// The history in the data folder the app and command line share (see [`data_dir`]).
    pub fn open_default() -> Result<History> {
        History::open(&data_dir()?)
    }

    fn open_file(path: &Path) -> Result<Connection> {
        let connection = Connection::open(path).map_err(|e| storage_error("opened", e))?;
        // Only the user may read the history (the shared helper: 0600 on unix, the per-user ACL on Windows).
        let _ = crate::files::restrict_to_user(path);
        connection
            .busy_timeout(std::time::Duration::from_secs(5))
            .and_then(|_| connection.pragma_update(None, "journal_mode", "WAL"))
            .and_then(|_| connection.pragma_update(None, "synchronous", "NORMAL"))
            .map_err(|e| storage_error("opened", e))?;
        let version: i32 = connection
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .map_err(|e| storage_error("read", e))?;
        if version > SCHEMA_VERSION {
            let message = format!(
                "The change history was written by a newer Switchboard (schema {version}, this one knows {SCHEMA_VERSION}). Update Switchboard to use it; it was left as it is."
            );
            let mut error = Error::new(ErrorCode::ProfileStorage, message);
            error.field = Some(NEWER.into());
            return Err(error);
        }
        for (index, step) in MIGRATIONS.iter().enumerate().skip(version.max(0) as usize) {
            let next = index as i32 + 1;
            connection
                .execute_batch(&format!("BEGIN; {step}; PRAGMA user_version = {next}; COMMIT;"))
                .map_err(|e| storage_error("upgraded", e))?;
        }
        // Reads the whole schema: a damaged file fails here rather than on the first save.
        connection
            .query_row("SELECT count(*) FROM entries", [], |row| row.get::<_, i64>(0))
            .map_err(|e| storage_error("read", e))?;
        Ok(connection)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn notice(&self) -> Option<&str> {
        self.notice.as_deref()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.connection.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Writes the entry for `plan` with outcome `unknown`, before anything is sent; returns its id.
    pub fn begin(&self, plan: &Plan, context: &EntryContext) -> Result<String> {
        insert_entry(&self.lock(), plan, context)
    }

    /// Completes an entry with how its send ended.
    pub fn finish(&self, id: &str, result: &Result<UpdateReceipt<Value>>) -> Result<()> {
        let (outcome, message, request_id) = ending(result);
        self.set_outcome(id, outcome, message.as_deref(), request_id.as_deref())
    }

    fn set_outcome(&self, id: &str, outcome: Outcome, message: Option<&str>, request_id: Option<&str>) -> Result<()> {
        write_outcome(&self.lock(), id, outcome, message, request_id)
    }

    /// One entry by id.
    pub fn get(&self, id: &str) -> Result<Entry> {
        let connection = self.lock();
        let entry = connection
            .query_row(&format!("{SELECT} WHERE e.id = ?1"), [id], entry_from_row)
            .optional()
            .map_err(|e| storage_error("read", e))?;
        entry.ok_or_else(|| {
            Error::new(ErrorCode::InvalidInput, format!("There is no change with id \"{id}\" in the history."))
        })
    }

    /// A page of entries matching `filter`, newest first, starting after `cursor` (a page's `next`).
    pub fn list(&self, filter: &HistoryFilter, cursor: Option<&str>, limit: u32) -> Result<HistoryPage> {
        let limit = limit.clamp(1, MAX_PAGE);
        let (mut clauses, mut values) = conditions(filter);
        let total_sql = format!("SELECT count(*) FROM entries e {}", where_clause(&clauses));
        let connection = self.lock();
        let total: i64 = connection
            .query_row(&total_sql, rusqlite::params_from_iter(values.iter()), |row| row.get(0))
            .map_err(|e| storage_error("read", e))?;
        // Entries written in the same millisecond keep the order they were written in (rowid).
        if let Some((at, row)) = cursor.and_then(|cursor| cursor.split_once('|')) {
            clauses.push("(e.at < ? OR (e.at = ? AND e.rowid < ?))".into());
            values.extend([at.to_string(), at.to_string(), row.to_string()]);
        }
        let sql = format!("{SELECT} {} ORDER BY e.at DESC, e.rowid DESC LIMIT {}", where_clause(&clauses), limit + 1);
        let mut statement = connection.prepare(&sql).map_err(|e| storage_error("read", e))?;
        let mut rows: Vec<(Entry, i64)> = statement
            .query_map(rusqlite::params_from_iter(values.iter()), |row| Ok((entry_from_row(row)?, row.get(20)?)))
            .and_then(|rows| rows.collect())
            .map_err(|e| storage_error("read", e))?;
        let next = (rows.len() > limit as usize).then(|| {
            rows.truncate(limit as usize);
            let (last, row) = rows.last().expect("a full page has a last entry");
            format!("{}|{row}", last.at)
        });
        let entries = rows.into_iter().map(|(entry, _)| entry).collect();
        Ok(HistoryPage { entries, next, total: total as u64 })
    }

    /// Every entry matching `filter`, newest first (for an export).
    pub fn all(&self, filter: &HistoryFilter) -> Result<Vec<Entry>> {
        let mut entries = Vec::new();
        let mut cursor = None;
        loop {
            let page = self.list(filter, cursor.as_deref(), MAX_PAGE)?;
            entries.extend(page.entries);
            match page.next {
                Some(next) => cursor = Some(next),
                None => return Ok(entries),
            }
        }
    }

    /// Settles entries of this record left `unknown` (a crash or a broken connection mid-send)
    /// against what the vendor holds now: its new values → `done`; its old → `failed`; anything
    /// else stays not confirmed. Returns how many were settled.
    pub fn reconcile(&self, connection_id: &str, operation: &str, target: &Value, now: &Value) -> Result<usize> {
        let target = string_map(target);
        let target_json = serde_json::to_string(&target).unwrap_or_default();
        let unknown: Vec<Entry> = {
            let connection = self.lock();
            let mut statement = connection
                .prepare(&format!(
                    "{SELECT} WHERE e.connection_id = ?1 AND e.operation = ?2 AND e.target = ?3 AND e.outcome = 'unknown'
                     ORDER BY e.at DESC, e.rowid DESC"
                ))
                .map_err(|e| storage_error("read", e))?;
            let rows = statement
                .query_map(params![connection_id, operation, target_json], entry_from_row)
                .and_then(|rows| rows.collect::<rusqlite::Result<Vec<Entry>>>())
                .map_err(|e| storage_error("read", e))?;
            rows
        };
        let mut settled = 0;
        for entry in unknown {
            let fields: Vec<&PlannedChange> = entry.changes.iter().filter(|c| c.after != PASSWORD_CHANGED).collect();
            if fields.is_empty() {
                continue;
            }
            // The best witness is the first change of this record made after it: its "before"
            // is what the vendor held just after this one. Without one, the record now.
            let witness = self.next_done_before(&entry)?;
            let (held, by) = match &witness {
                Some(before) => (before, "the next change of this record"),
                None => (now, "a later read"),
            };
            let holds = |pick: fn(&PlannedChange) -> &Value| {
                fields.iter().all(|change| value_at(held, &change.field).unwrap_or(&Value::Null) == pick(change))
            };
            let (outcome, message) = if holds(|c| &c.after) {
                (Outcome::Done, format!("Confirmed by {by}: the vendor held the new values."))
            } else if holds(|c| &c.before) {
                (Outcome::Failed, format!("Not applied: {by} found the old values."))
            } else {
                continue;
            };
            self.set_outcome(&entry.id, outcome, Some(&message), None)?;
            settled += 1;
        }
        Ok(settled)
    }

    /// The values the first `done` change of the same record after `entry` found before it (its
    /// changes' "before"), as one object keyed by field; `None` when there is no such change or it
    /// touched none of `entry`'s fields.
    fn next_done_before(&self, entry: &Entry) -> Result<Option<Value>> {
        let target = serde_json::to_string(&entry.target).unwrap_or_default();
        let connection = self.lock();
        let changes: Option<String> = connection
            .query_row(
                "SELECT changes FROM entries WHERE connection_id = ?1 AND operation = ?2 AND target = ?3
                 AND outcome = 'done' AND (at > ?4 OR (at = ?4 AND rowid > (SELECT rowid FROM entries WHERE id = ?5)))
                 ORDER BY at, rowid LIMIT 1",
                params![entry.connection_id, entry.operation, target, entry.at, entry.id],
                |row| row.get(0),
            )
            .optional()
            .map_err(|e| storage_error("read", e))?;
        let Some(changes) = changes.and_then(|c| serde_json::from_str::<Vec<PlannedChange>>(&c).ok()) else {
            return Ok(None);
        };
        let mut before = Map::new();
        for change in changes.iter().filter(|c| entry.changes.iter().any(|e| e.field == c.field)) {
            operations::insert_dotted(&mut before, &change.field, change.before.clone());
        }
        Ok((!before.is_empty()).then_some(Value::Object(before)))
    }

    /// The last value this app saved for `field` of this record (`done` entries only), if any:
    /// what prefills a value the vendor's read lacks.
    pub fn last_saved(
        &self,
        connection_id: &str,
        operation: &str,
        target: &Value,
        field: &str,
    ) -> Result<Option<Value>> {
        let target_json = serde_json::to_string(&string_map(target)).unwrap_or_default();
        let connection = self.lock();
        let mut statement = connection
            .prepare(
                "SELECT changes FROM entries WHERE connection_id = ?1 AND operation = ?2 AND target = ?3
                 AND outcome = 'done' ORDER BY at DESC, rowid DESC LIMIT 50",
            )
            .map_err(|e| storage_error("read", e))?;
        let rows: Vec<String> = statement
            .query_map(params![connection_id, operation, target_json], |row| row.get(0))
            .and_then(|rows| rows.collect())
            .map_err(|e| storage_error("read", e))?;
        Ok(rows.iter().find_map(|changes| {
            serde_json::from_str::<Vec<PlannedChange>>(changes)
                .ok()?
                .into_iter()
                .find(|change| change.field == field)
                .map(|change| change.after)
        }))
    }
}

/// SELECT of every column an [`Entry`] needs, with the id of the entry that undid it. The `+`
/// keeps SQLite on the `undoes` index for that lookup: on the outcome index it scanned every done
/// entry for every row shown (4.6 s for a page of 100,000 entries; 1 ms with it).
const SELECT: &str = "SELECT e.id, e.at, e.finished_at, e.person, e.computer, e.source, e.connection_id,
    e.connection_name, e.vendor, e.operation, e.target, e.target_names, e.changes, e.outcome, e.message,
    e.request_id, e.correlation_id, e.undoes, e.group_id,
    (SELECT u.id FROM entries u WHERE u.undoes = e.id AND +u.outcome = 'done' ORDER BY u.at DESC LIMIT 1),
    e.rowid
    FROM entries e";

fn entry_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Entry> {
    let json_map = |index: usize| -> rusqlite::Result<BTreeMap<String, String>> {
        Ok(serde_json::from_str(&row.get::<_, String>(index)?).unwrap_or_default())
    };
    Ok(Entry {
        id: row.get(0)?,
        at: row.get(1)?,
        finished_at: row.get(2)?,
        person: row.get(3)?,
        computer: row.get(4)?,
        source: Source::from_key(&row.get::<_, String>(5)?),
        connection_id: row.get(6)?,
        connection_name: row.get(7)?,
        vendor: row.get(8)?,
        operation: row.get(9)?,
        target: json_map(10)?,
        target_names: json_map(11)?,
        changes: serde_json::from_str(&row.get::<_, String>(12)?).unwrap_or_default(),
        outcome: Outcome::from_key(&row.get::<_, String>(13)?),
        message: row.get(14)?,
        request_id: row.get(15)?,
        correlation_id: row.get(16)?,
        undoes: row.get(17)?,
        group_id: row.get(18)?,
        undone_by: row.get(19)?,
    })
}

fn where_clause(clauses: &[String]) -> String {
    if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    }
}

/// SQL conditions and their values for a filter (values are always bound, never spliced).
fn conditions(filter: &HistoryFilter) -> (Vec<String>, Vec<String>) {
    let mut clauses = Vec::new();
    let mut values = Vec::new();
    let mut equal = |column: &str, value: &Option<String>| {
        if let Some(value) = value.as_ref().filter(|v| !v.trim().is_empty()) {
            clauses.push(format!("e.{column} = ?"));
            values.push(value.trim().to_string());
        }
    };
    equal("connection_id", &filter.connection_id);
    equal("vendor", &filter.vendor);
    equal("operation", &filter.operation);
    equal("outcome", &filter.outcome.map(|o| o.key().to_string()));
    if let Some(from) = filter.from.as_ref().filter(|v| !v.trim().is_empty()) {
        clauses.push("e.at >= ?".into());
        values.push(from.trim().to_string());
    }
    if let Some(to) = filter.to.as_ref().filter(|v| !v.trim().is_empty()) {
        // A day given as `2026-11-30` includes the whole day.
        clauses.push("e.at < ?".into());
        values.push(format!("{}\u{10FFFF}", to.trim()));
    }
    if let Some(search) = &filter.search {
        for word in search.split_whitespace() {
            clauses.push("instr(e.search_text, ?) > 0".into());
            values.push(word.to_lowercase());
        }
    }
    (clauses, values)
}

/// A target's ids as `{key: id}` text (what entries store and match on).
fn string_map(target: &Value) -> BTreeMap<String, String> {
    target
        .as_object()
        .map(|object| {
            object
                .iter()
                .map(|(key, value)| {
                    (key.clone(), value.as_str().map(str::to_string).unwrap_or_else(|| value.to_string()))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The OS user and the computer's name, as the history names who made a change.
fn who() -> (String, String) {
    let person = whoami::fallible::username().unwrap_or_else(|_| "unknown user".into());
    let computer = whoami::fallible::hostname().unwrap_or_else(|_| "unknown computer".into());
    (person, computer)
}

/// Writes the entry for `plan` with outcome `unknown` through `connection`; returns its id.
fn insert_entry(connection: &Connection, plan: &Plan, context: &EntryContext) -> Result<String> {
    let operation = operations::find(plan.operation)?;
    let id = uuid::Uuid::new_v4().to_string();
    let target = string_map(&plan.target);
    let changes: Vec<PlannedChange> = plan
        .changes
        .iter()
        .map(|change| {
            let secret = operation.fields().iter().any(|f| f.key == change.field && f.kind == FieldKind::Password);
            if secret {
                PlannedChange { before: Value::Null, after: Value::String(PASSWORD_CHANGED.into()), ..change.clone() }
            } else {
                change.clone()
            }
        })
        .collect();
    let (person, computer) = who();
    let search = format!(
        "{person} {} {} {} {}",
        context.connection_name,
        json_text(&target),
        json_text(&context.target_names),
        json_text(&changes)
    )
    .to_lowercase();
    connection
        .execute(
            "INSERT INTO entries (id, at, person, computer, source, connection_id, connection_name, vendor,
                 operation, target, target_names, changes, outcome, correlation_id, undoes, group_id, search_text)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 'unknown', ?13, ?14, ?15, ?16)",
            params![
                id,
                now(),
                person,
                computer,
                context.source.key(),
                context.connection_id,
                context.connection_name,
                operation.vendor().label(),
                plan.operation,
                json_text(&target),
                json_text(&context.target_names),
                json_text(&changes),
                plan.call.correlation_id,
                context.undoes,
                context.group_id,
                search,
            ],
        )
        .map_err(|e| storage_error("written", e))?;
    Ok(id)
}

/// How a send ended, as an entry records it: outcome, message, the vendor's request id.
fn ending(result: &Result<UpdateReceipt<Value>>) -> (Outcome, Option<String>, Option<String>) {
    match result {
        Ok(receipt) => (Outcome::Done, None, receipt.request_id.clone()),
        Err(error) => {
            let message = match &error.vendor_message {
                Some(vendor) => format!("{} ({vendor})", error.message),
                None => error.message.clone(),
            };
            (Outcome::of_error(error), Some(message), error.reference.clone())
        }
    }
}

fn write_outcome(
    connection: &Connection,
    id: &str,
    outcome: Outcome,
    message: Option<&str>,
    request_id: Option<&str>,
) -> Result<()> {
    connection
        .execute(
            "UPDATE entries SET outcome = ?2, message = ?3, request_id = coalesce(?4, request_id), finished_at = ?5
             WHERE id = ?1",
            params![id, outcome.key(), message, request_id, now()],
        )
        .map_err(|e| storage_error("written", e))?;
    Ok(())
}

/// Anything stored as JSON text.
fn json_text<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// Applies a reviewed plan with its history entry: reads the record again (nothing is sent if a
/// field changed since the plan), writes the entry, sends the plan exactly, completes the entry.
/// Without a history (`None`) it is [`operations::apply`].
pub async fn apply_recorded(
    history: Option<&History>,
    client: &VendorClient,
    plan: &Plan,
    context: &EntryContext,
) -> Result<UpdateReceipt<Value>> {
    operations::check_current(client, plan).await?;
    send_recorded(history, client, plan, context).await
}

/// Sends a plan made from a read just now (the command line's update) with its history entry.
/// Nothing is sent if the entry can't be written: a change the history can't name is not made.
pub async fn send_recorded(
    history: Option<&History>,
    client: &VendorClient,
    plan: &Plan,
    context: &EntryContext,
) -> Result<UpdateReceipt<Value>> {
    let entry = match (history, &plan.request) {
        (Some(history), Some(_)) => Some(
            history
                .begin(plan, context)
                .map_err(|error| Error { message: format!("Nothing was sent: {}", error.message), ..error })?,
        ),
        _ => None,
    };
    let result = operations::send_plan(client, plan).await;
    if let (Some(history), Some(id)) = (history, entry) {
        if let Err(error) = history.finish(&id, &result) {
            log::warn!("The change history could not record how change {id} ended: {}", error.message);
        }
    }
    result
}

/// One field of an undo: what the change did, and what the record holds now.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct UndoField {
    pub field: String,
    pub label: String,
    #[ts(type = "unknown")]
    pub before: Value,
    #[ts(type = "unknown")]
    pub after: Value,
    #[ts(type = "unknown")]
    pub now: Value,
    /// Someone changed it again since: it no longer holds the change's "after".
    pub moved: bool,
}

/// What undoing an entry would do, field by field, given the record as it is now.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct UndoCheck {
    pub entry: Entry,
    pub fields: Vec<UndoField>,
    /// Fields that can't be put back (a password), said in words.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl UndoCheck {
    /// Fields that changed again since the entry.
    pub fn moved(&self) -> Vec<&UndoField> {
        self.fields.iter().filter(|field| field.moved).collect()
    }

    /// The edits that put every field back to its "before".
    pub fn edits(&self) -> Value {
        let mut edits = Map::new();
        for field in &self.fields {
            operations::insert_dotted(&mut edits, &field.field, field.before.clone());
        }
        Value::Object(edits)
    }
}

/// Compares an entry with the record now. Refuses what can't be undone: a change that never
/// took effect, or one that only set a password.
pub fn undo_check(entry: &Entry, now: &Value) -> Result<UndoCheck> {
    let cannot = |why: String| Error::new(ErrorCode::InvalidInput, why);
    match entry.outcome {
        Outcome::Done => {}
        Outcome::Unknown => {
            return Err(cannot(
                "This change is not confirmed yet; open the record once so Switchboard can check it, then undo.".into(),
            ))
        }
        Outcome::Refused | Outcome::Failed => {
            return Err(cannot("This change was not made, so there is nothing to undo.".into()))
        }
    }
    if let Some(undone_by) = &entry.undone_by {
        return Err(cannot(format!("This change was already undone (by change {undone_by}).")));
    }
    let (secret, fields): (Vec<&PlannedChange>, Vec<&PlannedChange>) =
        entry.changes.iter().partition(|change| change.after == PASSWORD_CHANGED);
    if fields.is_empty() {
        return Err(cannot(
            "A password change cannot be undone: nobody, Switchboard included, knows the old password. Set a new one instead."
                .into(),
        ));
    }
    let fields = fields
        .into_iter()
        .map(|change| {
            let now = value_at(now, &change.field).cloned().unwrap_or(Value::Null);
            UndoField {
                moved: now != change.after,
                field: change.field.clone(),
                label: change.label.clone(),
                before: change.before.clone(),
                after: change.after.clone(),
                now,
            }
        })
        .collect();
    let note = (!secret.is_empty())
        .then(|| "The new password set by this change stays: a password change cannot be undone.".to_string());
    Ok(UndoCheck { entry: entry.clone(), fields, note })
}

/// An error naming each field that moved since the change (what `undo` refuses with).
pub fn moved_error(check: &UndoCheck) -> Error {
    let moved = check.moved();
    let mut error = Error::new(
        ErrorCode::ChangedSinceReview,
        format!(
            "Nothing was sent: the record changed since this change ({}). Choose the values to keep.",
            moved.iter().map(|f| f.label.as_str()).collect::<Vec<_>>().join(", ")
        ),
    );
    error.field_errors = moved
        .iter()
        .map(|f| crate::FieldError {
            field: f.field.clone(),
            message: format!(
                "{}: before the change {}, after it {}, now {}.",
                f.label,
                crate::plan::shown(Some(&f.before)),
                crate::plan::shown(Some(&f.after)),
                crate::plan::shown(Some(&f.now))
            ),
        })
        .collect();
    error
}

/// Writes `entries` as CSV the way Excel reads it (UTF-8 with a byte-order mark, commas, CRLF),
/// one row per changed field, atomically: a crash mid-write leaves no half file at `path`.
pub fn export_csv(entries: &[Entry], path: &Path) -> Result<()> {
    use std::io::Write;
    let fail = |e: std::io::Error| {
        Error::new(ErrorCode::InvalidInput, format!("The history could not be written to {}: {e}.", path.display()))
    };
    let dir = path.parent().filter(|dir| !dir.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(fail)?;
    file.write_all("\u{feff}".as_bytes()).map_err(fail)?;
    let header = [
        "When (UTC)",
        "Outcome",
        "Person",
        "Computer",
        "From",
        "Connection",
        "Vendor",
        "Operation",
        "Record",
        "Record ids",
        "Field",
        "Before",
        "After",
        "Message",
        "Request id",
        "Change id",
        "Undoes",
    ];
    file.write_all(csv_row(header.iter().map(|h| h.to_string())).as_bytes()).map_err(fail)?;
    for entry in entries {
        let ids: Vec<String> = entry.target.iter().map(|(key, id)| format!("{key}={id}")).collect();
        for change in &entry.changes {
            let row = [
                entry.at.clone(),
                format!("{:?}", entry.outcome).to_lowercase(),
                entry.person.clone(),
                entry.computer.clone(),
                format!("{:?}", entry.source).to_lowercase(),
                entry.connection_name.clone(),
                entry.vendor.clone(),
                entry.operation.clone(),
                entry.target_title(),
                ids.join(" "),
                change.label.clone(),
                cell_text(&change.before),
                cell_text(&change.after),
                entry.message.clone().unwrap_or_default(),
                entry.request_id.clone().unwrap_or_default(),
                entry.id.clone(),
                entry.undoes.clone().unwrap_or_default(),
            ];
            file.write_all(csv_row(row.into_iter()).as_bytes()).map_err(fail)?;
        }
    }
    file.as_file().sync_all().map_err(fail)?;
    file.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}

fn cell_text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        Value::Array(items) => items.iter().map(cell_text).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

/// One CSV line: every cell quoted, quotes doubled; a cell Excel would run as a formula
/// (`=`, `+`, `-`, `@`) starts with an apostrophe instead.
fn csv_row(cells: impl Iterator<Item = String>) -> String {
    let cells: Vec<String> = cells
        .map(|cell| {
            let cell = if cell.starts_with(['=', '+', '-', '@']) { format!("'{cell}") } else { cell };
            format!("\"{}\"", cell.replace('"', "\"\""))
        })
        .collect();
    format!("{}\r\n", cells.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Call, PlannedRequest, WriteMethod};
    use serde_json::json;

    const OPERATION: &str = "avepoint.account-information";

    fn plan(user: &str, field: &str, before: &str, after: &str) -> Plan {
        Plan {
            id: "p".into(),
            operation: OPERATION,
            target: json!({ "customerId": "c1", "tenantId": "t1", "userId": user }),
            basis: json!({ field: before }),
            after: json!({ field: after }),
            changes: vec![PlannedChange {
                field: field.into(),
                label: field.into(),
                before: json!(before),
                after: json!(after),
            }],
            warnings: vec![],
            request: Some(PlannedRequest {
                method: WriteMethod::Put,
                path: "/x".into(),
                body: json!({}),
                secret: None,
            }),
            call: Call::new(),
        }
    }

    fn context(names: &[(&str, &str)]) -> EntryContext {
        EntryContext {
            source: Source::Desk,
            connection_id: "conn-1".into(),
            connection_name: "Contoso EU".into(),
            target_names: names.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            undoes: None,
            group_id: None,
        }
    }

    fn done(history: &History, plan: &Plan, names: &[(&str, &str)]) -> String {
        let id = history.begin(plan, &context(names)).unwrap();
        let receipt = UpdateReceipt { before: json!({}), after: json!({}), changed_fields: vec![], request_id: None };
        history.finish(&id, &Ok(receipt)).unwrap();
        id
    }

    #[test]
    fn entries_page_newest_first_and_filter_and_search() {
        let dir = tempfile::tempdir().unwrap();
        let history = History::open(dir.path()).unwrap();
        for n in 0..7 {
            let user = format!("u{n}");
            done(&history, &plan(&user, "mail", "a@x.example", &format!("n{n}@x.example")), &[("userId", "Mark Lee")]);
        }
        let failing =
            history.begin(&plan("u9", "usageLocation", "AF", "SE"), &context(&[("userId", "Adele Vance")])).unwrap();
        history.finish(&failing, &Err(Error::new(ErrorCode::VendorRejected, "AvePoint refused it."))).unwrap();

        let first = history.list(&HistoryFilter::default(), None, 3).unwrap();
        assert_eq!((first.entries.len(), first.total), (3, 8));
        assert_eq!(first.entries[0].id, failing, "newest first");
        let second = history.list(&HistoryFilter::default(), first.next.as_deref(), 3).unwrap();
        let third = history.list(&HistoryFilter::default(), second.next.as_deref(), 3).unwrap();
        assert_eq!(third.entries.len(), 2);
        assert!(third.next.is_none());
        let mut seen: Vec<String> =
            [first.entries, second.entries, third.entries].concat().into_iter().map(|e| e.id).collect();
        seen.dedup();
        assert_eq!(seen.len(), 8, "pages neither repeat nor skip");

        let refused = HistoryFilter { outcome: Some(Outcome::Refused), ..Default::default() };
        let page = history.list(&refused, None, 10).unwrap();
        assert_eq!(page.total, 1);
        assert_eq!(page.entries[0].message.as_deref(), Some("AvePoint refused it."));
        let search = HistoryFilter { search: Some("adele SE".into()), ..Default::default() };
        assert_eq!(history.list(&search, None, 10).unwrap().total, 1);
        let search = HistoryFilter { search: Some("n3@x".into()), ..Default::default() };
        assert_eq!(history.list(&search, None, 10).unwrap().entries[0].target["userId"], "u3");
        let other = HistoryFilter { connection_id: Some("elsewhere".into()), ..Default::default() };
        assert_eq!(history.list(&other, None, 10).unwrap().total, 0);
        let today = now()[..10].to_string();
        let dated = HistoryFilter { from: Some(today.clone()), to: Some(today), ..Default::default() };
        assert_eq!(history.list(&dated, None, 10).unwrap().total, 8, "`to` includes the whole day");
        assert_eq!(history.all(&HistoryFilter::default()).unwrap().len(), 8);
    }

    #[test]
    fn an_unknown_entry_is_settled_by_what_the_vendor_holds() {
        let dir = tempfile::tempdir().unwrap();
        let history = History::open(dir.path()).unwrap();
        let applied = plan("u1", "usageLocation", "AF", "SE");
        let lost = plan("u2", "usageLocation", "AF", "SE");
        let moved = plan("u3", "usageLocation", "AF", "SE");
        let ids: Vec<String> =
            [&applied, &lost, &moved].iter().map(|p| history.begin(p, &context(&[])).unwrap()).collect();
        let settle = |p: &Plan, now: Value| history.reconcile("conn-1", OPERATION, &p.target, &now).unwrap();
        assert_eq!(settle(&applied, json!({ "usageLocation": "SE" })), 1);
        assert_eq!(settle(&lost, json!({ "usageLocation": "AF" })), 1);
        assert_eq!(settle(&moved, json!({ "usageLocation": "DE" })), 0, "someone else changed it: still unknown");
        // A later change of the same record is a witness too: it found "SE", so "SE" had arrived.
        let later = plan("u3", "usageLocation", "SE", "NO");
        done(&history, &later, &[]);
        assert_eq!(settle(&moved, json!({ "usageLocation": "DE" })), 1);
        assert_eq!(history.get(&ids[2]).unwrap().outcome, Outcome::Done);
        assert_eq!(history.get(&ids[0]).unwrap().outcome, Outcome::Done);
        assert_eq!(history.get(&ids[1]).unwrap().outcome, Outcome::Failed);
        assert_eq!(
            history.last_saved("conn-1", OPERATION, &applied.target, "usageLocation").unwrap(),
            Some(json!("SE"))
        );
    }

    #[test]
    fn undo_checks_each_field_against_the_record_now() {
        let dir = tempfile::tempdir().unwrap();
        let history = History::open(dir.path()).unwrap();
        let id = done(&history, &plan("u1", "phone.number", "1", "2"), &[]);
        let entry = history.get(&id).unwrap();
        let check = undo_check(&entry, &json!({ "phone": { "number": "2" } })).unwrap();
        assert!(check.moved().is_empty());
        assert_eq!(check.edits(), json!({ "phone": { "number": "1" } }));
        let check = undo_check(&entry, &json!({ "phone": { "number": "3" } })).unwrap();
        assert_eq!(check.moved().len(), 1);
        let error = moved_error(&check);
        assert_eq!(error.code, ErrorCode::ChangedSinceReview);
        assert_eq!(error.field_errors[0].message, "phone.number: before the change \"1\", after it \"2\", now \"3\".");
    }

    #[test]
    fn an_older_schema_is_upgraded_in_place() {
        let dir = tempfile::tempdir().unwrap();
        {
            let old = Connection::open(dir.path().join(FILE_NAME)).unwrap();
            old.execute_batch(&format!("{}; PRAGMA user_version = 1;", MIGRATIONS[0])).unwrap();
            old.execute(
                "INSERT INTO entries (id, at, person, computer, source, connection_id, connection_name, vendor, operation,
                     target, target_names, changes, outcome, correlation_id)
                 VALUES ('old-1', '2026-01-02T03:04:05.000Z', 'ana', 'pc-7', 'desk', 'conn-1', 'Contoso', 'AvePoint',
                     'avepoint.account-information', '{\"userId\":\"u1\"}', '{\"userId\":\"Ana Old\"}', '[]', 'done', 'c')",
                [],
            )
            .unwrap();
        }
        let history = History::open(dir.path()).unwrap();
        assert!(history.notice().is_none());
        let entry = history.get("old-1").unwrap();
        assert_eq!((entry.person.as_str(), entry.outcome), ("ana", Outcome::Done));
        let search = HistoryFilter { search: Some("ana old".into()), ..Default::default() };
        assert_eq!(history.list(&search, None, 10).unwrap().total, 1, "old entries are searchable too");
    }

    #[test]
    fn a_corrupt_file_is_moved_aside_and_a_newer_one_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let garbage = "this is not a database. ".repeat(200);
        std::fs::write(dir.path().join(FILE_NAME), &garbage).unwrap();
        let history = History::open(dir.path()).unwrap();
        let notice = history.notice().unwrap();
        assert!(notice.contains("moved aside"), "{notice}");
        let aside: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().starts_with("history.unreadable-"))
            .collect();
        assert_eq!(aside.len(), 1);
        assert_eq!(std::fs::read_to_string(aside[0].path()).unwrap(), garbage, "kept as it was");
        drop(history);

        let newer = tempfile::tempdir().unwrap();
        Connection::open(newer.path().join(FILE_NAME)).unwrap().execute_batch("PRAGMA user_version = 99;").unwrap();
        let error = History::open(newer.path()).err().unwrap();
        assert!(error.message.contains("newer Switchboard"), "{}", error.message);
        assert_eq!(std::fs::read_dir(newer.path()).unwrap().count(), 1, "left in place, nothing moved aside");
    }

    #[test]
    fn the_export_is_csv_as_excel_reads_it() {
        let dir = tempfile::tempdir().unwrap();
        let history = History::open(dir.path()).unwrap();
        done(&history, &plan("u1", "mail", "a@x.example", "=HYPERLINK(\"x\")"), &[("userId", "Mark \"Mo\" Lee")]);
        let path = dir.path().join("out.csv");
        export_csv(&history.all(&HistoryFilter::default()).unwrap(), &path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with('\u{feff}'));
        let lines: Vec<&str> = text.trim_start_matches('\u{feff}').split("\r\n").collect();
        assert!(lines[0].starts_with("\"When (UTC)\",\"Outcome\""));
        assert!(lines[1].contains("\"Mark \"\"Mo\"\" Lee\""), "{}", lines[1]);
        assert!(lines[1].contains("\"'=HYPERLINK(\"\"x\"\")\""), "a formula is not run: {}", lines[1]);
    }
}
