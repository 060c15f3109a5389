//! Bulk changes from a spreadsheet: export the current values (or a blank template), edit them
//! in Excel, bring the sheet back. Every row is checked with the same rules and planned with the
//! same plan as the desk ([`operations::plan_from`]); a file with any bad cell is refused whole,
//! before anything is sent. A checked file becomes a job in the history database, each row's
//! reviewed plan stored with it, and [`run`] applies those plans — resumably, at the vendor's pace.
//!
//! Columns are the target ids named as the CLI's flags (`customer`, `tenant`, `account`, `user`)
//! and the field keys `--set` uses; a `name` column is for people and ignored. An empty cell leaves
//! the value as it is; `(clear)` empties it.

mod run;
pub mod sheet;

pub use run::{control, run, Control, Progress, RunOptions};

use crate::error::{Error, ErrorCode, Result};
use crate::fields::{value_at, FieldKind};
use crate::history::{History, JobKind, JobRowPlan, JobSpec, JobView, RowState};
use crate::operations::{self, Operation, VendorClient};
use crate::plan::{Call, Snapshot};
use futures_util::stream::{self, StreamExt};
use serde::Serialize;
use serde_json::{Map, Value};
use sha2::Digest;
use std::path::Path;
use ts_rs::TS;

/// The column people read to know whose row it is; never imported.
pub const NAME_COLUMN: &str = "name";
/// What a cell holds to empty a value (an empty cell leaves it as it is).
pub const CLEAR: &str = "(clear)";
/// Problems listed in full; past this only counted, so a wholly wrong 100,000-row file can't
/// fill memory or the screen.
const MAX_PROBLEMS: usize = 500;
/// Records read at once while checking or exporting (the pace sets the rate).
pub const DEFAULT_CONCURRENCY: usize = 8;

/// One thing wrong with a file: where (row as the spreadsheet numbers it, the header is row 1;
/// 0 for the file itself) and what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Problem {
    pub row: u32,
    /// The column's heading, where one cell is at fault.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    pub message: String,
}

impl Problem {
    fn file(message: impl Into<String>) -> Problem {
        Problem { row: 0, column: None, message: message.into() }
    }
}

/// Problems, the first [`MAX_PROBLEMS`] kept and the rest counted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Problems {
    pub listed: Vec<Problem>,
    /// Problems found beyond those listed.
    pub more: u32,
}

impl Problems {
    fn push(&mut self, problem: Problem) {
        if self.listed.len() < MAX_PROBLEMS {
            self.listed.push(problem);
        } else {
            self.more += 1;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.listed.is_empty()
    }

    pub fn count(&self) -> usize {
        self.listed.len() + self.more as usize
    }

    /// One error for the whole file: the first problems in words, each with its row and column.
    pub fn into_error(self) -> Error {
        let count = self.count();
        let mut error = Error::new(
            ErrorCode::InvalidInput,
            format!("Nothing was sent: the file has {count} problem{}. Fix them and import it again.", plural(count)),
        );
        error.field_errors = self
            .listed
            .iter()
            // The message names the row and column itself.
            .map(|p| crate::FieldError { field: String::new(), message: p.to_string() })
            .collect();
        error
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.row, &self.column) {
            (0, _) => write!(f, "{}", self.message),
            (row, Some(column)) => write!(f, "Row {row}, column {column}: {}", self.message),
            (row, None) => write!(f, "Row {row}: {}", self.message),
        }
    }
}

fn plural(count: usize) -> &'static str {
    if count == 1 {
        ""
    } else {
        "s"
    }
}

/// One row of a file, read and checked on its own (no record read yet).
#[derive(Debug, Clone, PartialEq)]
pub struct RowInput {
    pub number: u32,
    /// The target ids by key (`customerId`, `userId`).
    pub target: Value,
    /// The `name` column's text, for people.
    pub name: String,
    /// The cells that hold something, typed by their field's kind.
    pub edits: Value,
}

/// A file read and checked without the vendor.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    pub rows: Vec<RowInput>,
    /// Rows whose field cells are all empty: nothing to change.
    pub blank_rows: u32,
    pub problems: Problems,
}

/// Which column is what.
enum Column {
    Target { key: &'static str },
    Field { key: &'static str, label: &'static str, kind: FieldKind },
    Name,
    Unnamed,
}

/// The columns a sheet for `operation` has, in order: the target ids, the name, the fields.
pub fn columns_of(operation: &dyn Operation) -> Vec<String> {
    operation
        .targets()
        .iter()
        .map(|t| t.flag.to_string())
        .chain(std::iter::once(NAME_COLUMN.to_string()))
        .chain(importable_fields(operation).map(|f| f.key.to_string()))
        .collect()
}

/// Every field a sheet may set: all but passwords, which never go into a file.
fn importable_fields(operation: &dyn Operation) -> impl Iterator<Item = &'static crate::fields::FieldDef> {
    operation.fields().iter().filter(|f| f.kind != FieldKind::Password)
}

fn read_header(operation: &dyn Operation, header: &[String]) -> std::result::Result<Vec<Column>, Problems> {
    let mut problems = Problems::default();
    let mut columns = Vec::with_capacity(header.len());
    let mut seen: Vec<String> = Vec::new();
    for title in header {
        let title = title.trim();
        let lower = title.to_lowercase();
        let column = if title.is_empty() {
            Column::Unnamed
        } else if lower == NAME_COLUMN {
            Column::Name
        } else if let Some(target) = operation.targets().iter().find(|t| t.flag.eq_ignore_ascii_case(title)) {
            Column::Target { key: target.key }
        } else if let Some(field) = operation.fields().iter().find(|f| f.key.eq_ignore_ascii_case(title)) {
            if field.kind == FieldKind::Password {
                problems.push(Problem::file(format!(
                    "The column \"{title}\" is a password: passwords are never taken from a file. Remove the column and set passwords one by one on the desk."
                )));
            }
            Column::Field { key: field.key, label: field.label, kind: field.kind }
        } else {
            problems.push(Problem::file(format!("The column \"{title}\" is not a field of {}.", operation.id())));
            Column::Unnamed
        };
        if !title.is_empty() {
            if seen.contains(&lower) {
                problems.push(Problem::file(format!("The column \"{title}\" appears twice.")));
            }
            seen.push(lower);
        }
        columns.push(column);
    }
    let unknown = problems.listed.iter().any(|p| p.message.contains("is not a field"));
    if unknown {
        problems.push(Problem::file(format!(
            "The columns {} can use are: {}.",
            operation.id(),
            columns_of(operation).join(", ")
        )));
    }
    for target in operation.targets() {
        if !columns.iter().any(|c| matches!(c, Column::Target { key } if *key == target.key)) {
            problems.push(Problem::file(format!(
                "The file has no \"{}\" column: every row needs the {}'s id.",
                target.flag, target.noun
            )));
        }
    }
    if problems.is_empty() {
        Ok(columns)
    } else {
        Err(problems)
    }
}

/// One step of reading a sheet.
enum Read {
    /// A row that changes something.
    Row(RowInput),
    /// A row whose field cells are all empty.
    Blank,
    Problems(Vec<Problem>),
}

/// A sheet's rows, read and checked one at a time (no record read yet). What it keeps per row
/// is only the row's ids, to find a record that appears twice.
struct RowReader {
    operation: &'static dyn Operation,
    columns: Vec<Column>,
    sheet: sheet::SheetReader,
    seen: std::collections::HashMap<String, u32>,
    broken: bool,
}

impl RowReader {
    /// Opens the sheet and reads its heading: the reader, or the heading's problems.
    fn open(operation_id: &str, path: &Path) -> Result<std::result::Result<RowReader, Problems>> {
        let operation = operations::find(operation_id)?;
        let mut sheet = sheet::open(path)?;
        let header = match sheet.next() {
            Some(row) => row?,
            None => {
                let mut problems = Problems::default();
                problems.push(Problem::file("The file is empty: it needs a heading row and a row per record."));
                return Ok(Err(problems));
            }
        };
        Ok(read_header(operation, &header.cells).map(|columns| RowReader {
            operation,
            columns,
            sheet,
            seen: Default::default(),
            broken: false,
        }))
    }
}

impl Iterator for RowReader {
    type Item = Read;

    fn next(&mut self) -> Option<Read> {
        loop {
            if self.broken {
                return None;
            }
            let row = match self.sheet.next()? {
                Ok(row) => row,
                Err(error) => {
                    self.broken = true;
                    return Some(Read::Problems(vec![Problem::file(error.message)]));
                }
            };
            if row.cells.iter().all(|cell| cell.trim().is_empty()) {
                continue;
            }
            return Some(match read_row(self.operation, &self.columns, &row) {
                Ok(input) => {
                    let key = input.target.to_string();
                    if let Some(first) = self.seen.get(&key) {
                        Read::Problems(vec![Problem {
                            row: row.number,
                            column: None,
                            message: format!("the same record as row {first}: each record may appear once."),
                        }])
                    } else {
                        self.seen.insert(key, row.number);
                        if input.edits.as_object().is_some_and(Map::is_empty) {
                            Read::Blank
                        } else {
                            Read::Row(input)
                        }
                    }
                }
                Err(problems) => Read::Problems(problems),
            });
        }
    }
}

/// What a whole file holds, checked without the vendor.
#[derive(Debug, Clone, Default)]
pub struct Scan {
    /// Rows that change something.
    pub rows: u32,
    /// Rows whose field cells are all empty: nothing to change.
    pub blank_rows: u32,
    pub problems: Problems,
}

/// Checks every row of the sheet at `path` for `operation_id` without the vendor and without
/// keeping the rows: the heading, each cell against its field's kind and rules, each row's ids.
/// Memory grows only with the ids (to find a record listed twice) and the problems listed.
pub fn scan(operation_id: &str, path: &Path) -> Result<Scan> {
    let mut scan = Scan::default();
    read_each(operation_id, path, &mut scan, |_| {})?;
    Ok(scan)
}

/// Reads and checks every row as [`scan`] does, keeping the rows.
pub fn read_rows(operation_id: &str, path: &Path) -> Result<Parsed> {
    let mut scan = Scan::default();
    let mut rows = Vec::new();
    read_each(operation_id, path, &mut scan, |row| rows.push(row))?;
    Ok(Parsed { rows, blank_rows: scan.blank_rows, problems: scan.problems })
}

fn read_each(operation_id: &str, path: &Path, scan: &mut Scan, mut keep: impl FnMut(RowInput)) -> Result<()> {
    let reader = match RowReader::open(operation_id, path)? {
        Ok(reader) => reader,
        Err(problems) => {
            scan.problems = problems;
            return Ok(());
        }
    };
    for read in reader {
        match read {
            Read::Row(row) => {
                scan.rows += 1;
                keep(row);
            }
            Read::Blank => scan.blank_rows += 1,
            Read::Problems(problems) => problems.into_iter().for_each(|p| scan.problems.push(p)),
        }
    }
    if scan.rows == 0 && scan.blank_rows == 0 && scan.problems.is_empty() {
        scan.problems.push(Problem::file("The file has a heading row but no rows to change."));
    }
    Ok(())
}

/// The rows of a file [`scan`] found without problems, read again one at a time.
fn rows_again(operation_id: &str, path: &Path) -> Result<impl Iterator<Item = RowInput>> {
    let reader = RowReader::open(operation_id, path)?.map_err(Problems::into_error)?;
    Ok(reader.filter_map(|read| match read {
        Read::Row(row) => Some(row),
        _ => None,
    }))
}

fn read_row(
    operation: &dyn Operation,
    columns: &[Column],
    row: &sheet::SheetRow,
) -> std::result::Result<RowInput, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut target = Map::new();
    let mut name = String::new();
    let mut assignments: Vec<(String, String)> = Vec::new();
    let mut edits = Map::new();
    let at = |column: Option<&str>, message: String| Problem {
        row: row.number,
        column: column.map(str::to_string),
        message,
    };
    for (index, column) in columns.iter().enumerate() {
        let cell = row.cells.get(index).map(String::as_str).unwrap_or_default();
        match column {
            Column::Target { key } => {
                let (flag, label) =
                    operation.targets().iter().find(|t| t.key == *key).map(|t| (t.flag, t.label)).unwrap_or((key, key));
                let id = cell.trim();
                if id.is_empty() {
                    problems.push(at(Some(flag), "is empty: every row needs this id.".into()));
                } else if let Err(error) = crate::http::path_segment(key, label, id) {
                    problems.push(at(Some(flag), error.message));
                } else {
                    target.insert(key.to_string(), Value::String(id.to_string()));
                }
            }
            Column::Name => name = cell.trim().to_string(),
            Column::Unnamed => {
                if !cell.trim().is_empty() {
                    problems.push(at(None, format!("column {} has no heading but holds \"{cell}\".", index + 1)));
                }
            }
            Column::Field { key, label, kind } => {
                if cell.is_empty() {
                    continue;
                }
                if cell.trim() == CLEAR {
                    match kind {
                        FieldKind::Boolean => problems.push(at(
                            Some(key),
                            format!("{label} is a switch and can't be cleared: write true or false."),
                        )),
                        FieldKind::EmailList => operations::insert_dotted(&mut edits, key, Value::Array(Vec::new())),
                        _ => operations::insert_dotted(&mut edits, key, Value::String(String::new())),
                    }
                    continue;
                }
                assignments.push((key.to_string(), cell.to_string()));
            }
        }
    }
    match operations::changes_from_assignments(operation.id(), &assignments) {
        Ok(Value::Object(typed)) => {
            for (key, value) in typed {
                merge_into(&mut edits, key, value);
            }
        }
        Ok(_) => {}
        Err(error) => problems.push(at(error.field.as_deref(), error.message)),
    }
    if problems.is_empty() && !edits.is_empty() {
        let edits = Value::Object(edits.clone());
        if let Err(error) = operation.check_edits(&edits) {
            problems.extend(field_problems(row.number, error));
        }
    }
    if problems.is_empty() {
        Ok(RowInput { number: row.number, target: Value::Object(target), name, edits: Value::Object(edits) })
    } else {
        Err(problems)
    }
}

/// Merges `value` into `object[key]`, member by member for nested objects (`phone.number` and
/// `phone.prefix` from two cells).
fn merge_into(object: &mut Map<String, Value>, key: String, value: Value) {
    match (object.get_mut(&key), value) {
        (Some(Value::Object(existing)), Value::Object(more)) => {
            for (k, v) in more {
                merge_into(existing, k, v);
            }
        }
        (_, value) => {
            object.insert(key, value);
        }
    }
}

/// A refusal as one problem per field it names (or one for the row).
fn field_problems(row: u32, error: Error) -> Vec<Problem> {
    if error.field_errors.is_empty() {
        return vec![Problem { row, column: error.field, message: error.message }];
    }
    error
        .field_errors
        .into_iter()
        .map(|e| Problem { row, column: Some(e.field).filter(|f| !f.is_empty()), message: e.message })
        .collect()
}

/// The file's fingerprint: running the same file again finds its unfinished job.
pub fn digest(path: &Path) -> Result<String> {
    let mut file = std::fs::File::open(path)
        .map_err(|e| Error::new(ErrorCode::InvalidInput, format!("\"{}\" can't be read: {e}", path.display())))?;
    let mut hasher = sha2::Sha256::new();
    std::io::copy(&mut file, &mut hasher)
        .map_err(|e| Error::new(ErrorCode::InvalidInput, format!("\"{}\" can't be read: {e}", path.display())))?;
    Ok(hasher.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// Where a job's connection is: its id and name, as the history records them.
#[derive(Debug, Clone)]
pub struct ConnectionRef {
    pub id: String,
    pub name: String,
}

/// How a checked file turned out: refused with its problems (nothing was stored or sent), or a
/// job ready to run.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase", tag = "status")]
pub enum Checked {
    Refused { problems: Problems, rows: u32 },
    Ready { job: Box<JobView> },
}

/// Checks the sheet at `path` for `operation_id` and plans every row against the record the
/// vendor holds now (read `concurrency` at a time, at `max_rate`): the review of a bulk change.
/// A file with any problem is refused whole. `progress` hears rows read so far.
pub async fn check(
    history: &History,
    client: &VendorClient,
    connection: &ConnectionRef,
    operation_id: &str,
    path: &Path,
    options: RunOptions,
    progress: &(dyn Fn(u32, u32) + Send + Sync),
) -> Result<Checked> {
    let operation = operations::find(operation_id)?;
    if client.vendor() != operation.vendor() {
        return Err(operations::wrong_vendor(operation_id));
    }
    // First the file alone, then (only if it has no problem) each row against its record, read
    // again from the file, so no more rows are in memory than are being checked.
    let scanned = scan(operation_id, path)?;
    let total = scanned.rows + scanned.blank_rows;
    if !scanned.problems.is_empty() {
        return Ok(Checked::Refused { problems: scanned.problems, rows: total });
    }
    let rows = rows_again(operation_id, path)?;
    let spec = JobSpec {
        kind: JobKind::Import,
        operation: operation.id().to_string(),
        connection_id: connection.id.clone(),
        connection_name: connection.name.clone(),
        file_name: path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
        digest: digest(path)?,
        max_rate: options.max_rate,
        concurrency: options.concurrency as u32,
        undoes_job: None,
    };
    let job = history.create_job(&spec)?;
    let pace = crate::http::Pace::new(options.max_rate);
    let read = std::sync::atomic::AtomicU32::new(0);
    let to_check = scanned.rows;
    let mut problems = Problems::default();
    let planned = crate::http::paced(pace, async {
        let mut plans = stream::iter(rows)
            .map(|row| {
                let read = &read;
                async move {
                    let result = plan_row(client, operation, &row).await;
                    progress(read.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1, to_check);
                    (row, result)
                }
            })
            .buffer_unordered(options.concurrency.max(1));
        let mut batch = Vec::new();
        while let Some((row, result)) = plans.next().await {
            match result {
                Ok(plan) => batch.push(plan),
                Err(error) => field_problems(row.number, error).into_iter().for_each(|p| problems.push(p)),
            }
            if batch.len() >= 256 && problems.is_empty() {
                history.add_job_rows(&job, &std::mem::take(&mut batch))?;
            }
        }
        if problems.is_empty() {
            history.add_job_rows(&job, &batch)?;
        }
        Ok::<(), Error>(())
    })
    .await;
    if let Err(error) = planned {
        let _ = history.delete_job(&job);
        return Err(error);
    }
    if !problems.is_empty() {
        history.delete_job(&job)?;
        return Ok(Checked::Refused { problems, rows: total });
    }
    history.set_job_state(&job, crate::history::JobState::Ready)?;
    Ok(Checked::Ready { job: Box::new(history.job(&job)?) })
}

/// One row's plan against the record as the vendor holds it now.
async fn plan_row(client: &VendorClient, operation: &dyn Operation, row: &RowInput) -> Result<JobRowPlan> {
    let call = Call::new();
    let current = operation.read(client, &row.target, &call).await.map_err(|error| match error.code {
        ErrorCode::NotFound => Error::new(ErrorCode::NotFound, format!("no such record: {}", error.message)),
        _ => error,
    })?;
    let plan = operations::plan_from(operation.id(), &row.target, &current, &row.edits, call)?;
    Ok(JobRowPlan::from_plan(row.number, &row.name, &row.edits, &plan, None))
}

/// A blank sheet for `operation_id` at `path`: the columns, and (in a workbook) a "Read me" sheet
/// saying what each column takes and how to clear a value.
pub fn save_template(operation_id: &str, path: &Path) -> Result<()> {
    let operation = operations::find(operation_id)?;
    let notes = instructions(operation);
    sheet::save(path, &sheet::SheetOut { header: columns_of(operation), rows: Vec::new(), notes: &notes })
}

/// What the "Read me" sheet says.
pub fn instructions(operation: &dyn Operation) -> Vec<String> {
    let mut lines = vec![
        format!("{} — {} ({})", operation.title(), operation.id(), operation.vendor().label()),
        String::new(),
        "One row per record. Keep the heading row as it is.".to_string(),
        "An empty cell leaves that value as it is. To empty a value, write (clear) in its cell.".to_string(),
        format!("The \"{NAME_COLUMN}\" column is for you: it is never imported."),
        "Passwords are never taken from a file; set them on the desk.".to_string(),
        String::new(),
        "Columns:".to_string(),
    ];
    for target in operation.targets() {
        lines.push(format!("{} — the {}'s id (required).", target.flag, target.noun));
    }
    for field in importable_fields(operation) {
        let mut line = format!("{} — {}", field.key, field.label);
        let kind = match field.kind {
            FieldKind::Boolean => Some("true or false".to_string()),
            FieldKind::EmailList => Some("email addresses separated by commas".to_string()),
            FieldKind::DateTimeUtc => Some("a UTC date and time, e.g. 2026-12-31T17:00:00Z".to_string()),
            FieldKind::Email => Some("an email address".to_string()),
            _ => None,
        };
        if let Some(kind) = kind {
            line.push_str(&format!(": {kind}"));
        }
        if let Some(max) = field.max_length {
            line.push_str(&format!(" (at most {max} characters)"));
        }
        if field.allowed.is_some() {
            line.push_str(" (one of the vendor's values, as the desk's list shows them)");
        }
        if field.required {
            line.push_str(" — the vendor requires a value, so it can't be cleared");
        }
        lines.push(line + ".");
    }
    lines
}

/// Exports the current values of every record under `parent` (the target without its last id,
/// e.g. a customer) to `path`: lists the records, then reads each one (`concurrency` at a time, at
/// `max_rate`). `progress` hears records read so far and the total where known.
pub async fn export(
    client: &VendorClient,
    operation_id: &str,
    parent: &Value,
    path: &Path,
    options: RunOptions,
    progress: &(dyn Fn(u32, Option<u32>) + Send + Sync),
) -> Result<u32> {
    let operation = operations::find(operation_id)?;
    sheet::Format::of(path)?;
    let (last, _) = operation.targets().split_last().ok_or_else(|| Error::internal("An operation without ids."))?;
    let pace = crate::http::Pace::new(options.max_rate);
    crate::http::paced(pace, async {
        let mut records = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let page = crate::pickers::list(client, operation_id, last.key, parent, cursor.as_deref()).await?;
            records.extend(page.items);
            match page.next {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        let total = records.len() as u32;
        progress(0, Some(total));
        let done = std::sync::atomic::AtomicU32::new(0);
        let mut rows: Vec<(usize, Vec<String>)> = stream::iter(records.into_iter().enumerate())
            .map(|(index, record)| {
                let done = &done;
                async move {
                    let mut target = parent.as_object().cloned().unwrap_or_default();
                    target.insert(last.key.to_string(), Value::String(record.id.clone()));
                    let target = Value::Object(target);
                    let current = operation.read(client, &target, &Call::new()).await?;
                    progress(done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1, Some(total));
                    Ok::<_, Error>((index, export_row(operation, &target, &record.label, &current)))
                }
            })
            .buffer_unordered(options.concurrency.max(1))
            .collect::<Vec<Result<_>>>()
            .await
            .into_iter()
            .collect::<Result<_>>()?;
        rows.sort_by_key(|(index, _)| *index);
        let notes = instructions(operation);
        sheet::save(
            path,
            &sheet::SheetOut {
                header: columns_of(operation),
                rows: rows.into_iter().map(|(_, row)| row).collect(),
                notes: &notes,
            },
        )?;
        Ok(total)
    })
    .await
}

/// A record as a sheet row: its ids, its name, its field values as text.
fn export_row(operation: &dyn Operation, target: &Value, name: &str, current: &Snapshot) -> Vec<String> {
    let ids =
        operation.targets().iter().map(|t| target.get(t.key).and_then(Value::as_str).unwrap_or_default().to_string());
    let fields = importable_fields(operation).map(|field| cell_of(value_at(&current.values, field.key)));
    ids.chain(std::iter::once(name.to_string())).chain(fields).collect()
}

/// A value as a cell: text as it is, switches as true/false, lists joined by commas.
fn cell_of(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(text)) => text.clone(),
        Some(Value::Bool(value)) => value.to_string(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| item.as_str().map(str::to_string).unwrap_or_else(|| item.to_string()))
            .collect::<Vec<_>>()
            .join(", "),
        Some(other) => other.to_string(),
    }
}

/// Plans the undo of every row a job changed: reads each record now; a row whose record no
/// longer holds what the job set is refused with the fields that moved (the same check as the
/// desk's undo), the others are planned back to their values before the job. The result is a
/// new job, ready to review and run.
pub async fn plan_undo(history: &History, client: &VendorClient, job_id: &str, options: RunOptions) -> Result<JobView> {
    let original = history.job(job_id)?;
    let operation = operations::find(&original.operation)?;
    let entries = history.job_entries(job_id)?;
    if entries.is_empty() {
        return Err(Error::new(ErrorCode::InvalidInput, "This job changed nothing that can be undone."));
    }
    let spec = JobSpec {
        kind: JobKind::Undo,
        operation: original.operation.clone(),
        connection_id: original.connection_id.clone(),
        connection_name: original.connection_name.clone(),
        file_name: original.file_name.clone(),
        digest: format!("undo:{job_id}"),
        max_rate: options.max_rate,
        concurrency: options.concurrency as u32,
        undoes_job: Some(job_id.to_string()),
    };
    let job = history.create_job(&spec)?;
    let pace = crate::http::Pace::new(options.max_rate);
    let planned: Result<Vec<JobRowPlan>> = crate::http::paced(pace, async {
        stream::iter(entries)
            .map(|(row, entry)| async move {
                let target: Value = serde_json::to_value(&entry.target).unwrap_or_default();
                let call = Call::new();
                let now = operation.read(client, &target, &call).await?;
                let check = crate::history::undo_check(&entry, &now.values)?;
                let name = entry.target_title();
                if !check.moved().is_empty() {
                    // The undo's own words, with each moved field's values: the row has no form.
                    let error = crate::history::moved_error(&check);
                    let details: Vec<&str> = error.field_errors.iter().map(|e| e.message.as_str()).collect();
                    let message = format!("Left as it is: the record changed since the job. {}", details.join(" "));
                    return Ok(JobRowPlan::refused(row, &name, &target, &message, &entry.id));
                }
                let plan = operations::plan_from(operation.id(), &target, &now, &check.edits(), call)?;
                Ok(JobRowPlan::from_plan(row, &name, &check.edits(), &plan, Some(&entry.id)))
            })
            .buffer_unordered(options.concurrency.max(1))
            .collect::<Vec<Result<JobRowPlan>>>()
            .await
            .into_iter()
            .collect()
    })
    .await;
    match planned.and_then(|rows| history.add_job_rows(&job, &rows)) {
        Ok(()) => {
            history.set_job_state(&job, crate::history::JobState::Ready)?;
            history.job(&job)
        }
        Err(error) => {
            let _ = history.delete_job(&job);
            Err(error)
        }
    }
}

/// Saves a job's results per row: ids, name, outcome, the vendor's message, what changed.
pub fn save_results(history: &History, job_id: &str, path: &Path) -> Result<u32> {
    let job = history.job(job_id)?;
    let operation = operations::find(&job.operation)?;
    let rows = history.job_rows(job_id, None, 0, u32::MAX)?;
    let mut header: Vec<String> = operation.targets().iter().map(|t| t.flag.to_string()).collect();
    header.extend(["row", NAME_COLUMN, "outcome", "message", "changes"].map(String::from));
    let count = rows.len() as u32;
    let out: Vec<Vec<String>> = rows
        .into_iter()
        .map(|row| {
            let mut cells: Vec<String> =
                operation.targets().iter().map(|t| row.target.get(t.key).cloned().unwrap_or_default()).collect();
            cells.push(row.row.to_string());
            cells.push(row.name);
            cells.push(row.state.label().to_string());
            cells.push(row.message.unwrap_or_default());
            cells.push(
                row.changes
                    .iter()
                    .map(|c| {
                        format!(
                            "{}: {} → {}",
                            c.label,
                            crate::plan::shown(Some(&c.before)),
                            crate::plan::shown(Some(&c.after))
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
            );
            cells
        })
        .collect();
    sheet::save(path, &sheet::SheetOut { header, rows: out, notes: &[] })?;
    Ok(count)
}

/// Records read so far while checking or exporting, and how many in all where known.
#[derive(Debug, Clone, Copy, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Count {
    pub done: u32,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<u32>,
}

/// A file written: where, and how many records it holds.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Saved {
    pub path: String,
    pub count: u32,
}

/// What a person asks of a running job.
#[derive(Debug, Clone, Copy, serde::Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum BulkAction {
    Pause,
    Cancel,
}

/// Whether a row's state ends it (nothing more will be sent for it).
pub fn is_settled(state: RowState) -> bool {
    !matches!(state, RowState::Pending | RowState::Sending)
}

#[cfg(test)]
mod tests;
