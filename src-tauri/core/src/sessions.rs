//! Records open at the desk and the plans reviewed for them, kept on the Rust side: a keystroke
//! ships only the edits (checked against the record as read, no request), the review stores
//! the plan it shows, and Save applies that stored plan — never a plan made again.

use crate::error::{Error, ErrorCode, Result};
use crate::fields::UpdateReceipt;
use crate::history::{self, EntryContext, History, Source, UndoCheck};
use crate::operations::{self, VendorClient};
use crate::plan::{Call, Plan, PlanView, Snapshot};
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use ts_rs::TS;

/// How many records stay open at once; the oldest closes first (a window has one form).
const OPEN_RECORDS: usize = 16;

/// A record as the desk opened it.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OpenedRecord {
    /// Pass back with the edits to check, review or apply them.
    pub record_id: String,
    #[ts(type = "Record<string, unknown>")]
    pub values: Value,
    /// Required values the vendor's read lacks, filled in from the last value this app saved for
    /// the record (an edit for the form to show as such, not a value the vendor holds).
    #[ts(type = "Record<string, unknown>")]
    pub prefilled: Map<String, Value>,
}

/// A record opened to undo a change from the history: its values now and what the undo would do.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct UndoStart {
    pub record_id: String,
    #[ts(type = "Record<string, unknown>")]
    pub values: Value,
    pub check: UndoCheck,
}

struct OpenRecord {
    id: String,
    connection_id: String,
    operation: &'static str,
    target: Value,
    /// Readable names of the target's ids, for the history.
    labels: BTreeMap<String, String>,
    /// Opened to undo this history entry: its save is the undo.
    undoes: Option<String>,
    snapshot: Snapshot,
    /// Saved, but the read after the save failed: the next review reads it again (the vendor
    /// may have normalised what was sent, and only a read says how).
    stale: bool,
    /// The plan last shown in a review of this record.
    plan: Option<Arc<Plan>>,
}

/// The desk's open records. Cheap to share; every method is short and holds the lock only
/// between awaits.
#[derive(Default)]
pub struct DeskSessions {
    records: Mutex<VecDeque<OpenRecord>>,
}

/// Required fields the read left empty, with the value last saved for them through this app
/// (AvePoint's `city` on API versions older than the current reference).
fn prefill(
    history: &History,
    connection_id: &str,
    operation: &dyn operations::Operation,
    target: &Value,
    values: &Value,
) -> Map<String, Value> {
    operation
        .fields()
        .iter()
        .filter(|def| def.required && def.kind != crate::fields::FieldKind::Password)
        .filter(|def| crate::fields::value_at(values, def.key).is_none_or(|v| v.is_null() || v == ""))
        .filter_map(|def| {
            let saved = history.last_saved(connection_id, operation.id(), target, def.key).ok().flatten()?;
            (!saved.is_null() && saved != "").then(|| (def.key.to_string(), saved))
        })
        .collect()
}

fn gone() -> Error {
    Error::new(ErrorCode::InvalidInput, "This record is no longer open. Load it again.")
}

fn plan_gone() -> Error {
    Error::new(ErrorCode::InvalidInput, "This review is no longer current. Review the change again.")
}

impl DeskSessions {
    pub fn new() -> Self {
        DeskSessions::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<OpenRecord>> {
        // A panic elsewhere can't leave a half-changed record: each change is one assignment.
        self.records.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Reads the record and keeps it open; returns its values for the form. Changes of this
    /// record a crash left unconfirmed in `history` are settled against the read.
    pub async fn open(
        &self,
        client: &VendorClient,
        history: Option<&History>,
        connection_id: &str,
        operation: &str,
        target: &Value,
        labels: BTreeMap<String, String>,
    ) -> Result<OpenedRecord> {
        let operation = operations::find(operation)?;
        let snapshot = operation.read(client, target, &Call::new()).await?;
        if let Some(history) = history {
            if let Err(error) = history.reconcile(connection_id, operation.id(), target, &snapshot.values) {
                log::warn!("Unconfirmed changes could not be checked: {}", error.message);
            }
        }
        let prefilled =
            history.map(|h| prefill(h, connection_id, operation, target, &snapshot.values)).unwrap_or_default();
        let record_id = self.keep(connection_id, operation.id(), target, labels, snapshot.clone(), None);
        Ok(OpenedRecord { record_id, values: snapshot.values, prefilled })
    }

    /// Opens the record of a history entry to undo it: reads it now and says, field by field,
    /// whether it still holds what the change set. The record's next save is the undo.
    pub async fn open_undo(&self, client: &VendorClient, history: &History, entry_id: &str) -> Result<UndoStart> {
        let entry = history.get(entry_id)?;
        let operation = operations::find(&entry.operation)?;
        let target = serde_json::to_value(&entry.target).unwrap_or_default();
        let snapshot = operation.read(client, &target, &Call::new()).await?;
        history.reconcile(&entry.connection_id, operation.id(), &target, &snapshot.values)?;
        let check = history::undo_check(&history.get(entry_id)?, &snapshot.values)?;
        let labels = entry.target_names.clone();
        let values = snapshot.values.clone();
        let record_id =
            self.keep(&entry.connection_id, operation.id(), &target, labels, snapshot, Some(entry.id.clone()));
        Ok(UndoStart { record_id, values, check })
    }

    fn keep(
        &self,
        connection_id: &str,
        operation: &'static str,
        target: &Value,
        labels: BTreeMap<String, String>,
        snapshot: Snapshot,
        undoes: Option<String>,
    ) -> String {
        let id = uuid::Uuid::new_v4().to_string();
        let mut records = self.lock();
        if records.len() >= OPEN_RECORDS {
            records.pop_front();
        }
        records.push_back(OpenRecord {
            id: id.clone(),
            connection_id: connection_id.to_string(),
            operation,
            target: target.clone(),
            labels,
            undoes,
            snapshot,
            stale: false,
            plan: None,
        });
        id
    }

    /// The connection an open record was read through.
    pub fn connection_of(&self, record_id: &str) -> Result<String> {
        self.lock().iter().find(|r| r.id == record_id).map(|r| r.connection_id.clone()).ok_or_else(gone)
    }

    /// Every rule the edits break, against the record as read (no request is made).
    pub fn check(&self, record_id: &str, edits: &Value) -> Result<()> {
        let (operation, target, snapshot) = self.parts(record_id)?;
        operations::plan_from(operation, &target, &snapshot, edits, Call::new()).map(|_| ())
    }

    fn parts(&self, record_id: &str) -> Result<(&'static str, Value, Snapshot)> {
        let records = self.lock();
        let record = records.iter().find(|r| r.id == record_id).ok_or_else(gone)?;
        Ok((record.operation, record.target.clone(), record.snapshot.clone()))
    }

    /// Plans the edits against the record and keeps the plan for [`DeskSessions::apply`]; the
    /// view is what the review shows. A record saved since it was read is read again first.
    pub async fn review(&self, client: &VendorClient, record_id: &str, edits: &Value) -> Result<PlanView> {
        let stale = self.lock().iter().find(|r| r.id == record_id).ok_or_else(gone)?.stale;
        let (operation, target, mut snapshot) = self.parts(record_id)?;
        let call = Call::new();
        if stale {
            operations::find(operation)?.check_edits(edits)?;
            snapshot = operations::find(operation)?.read(client, &target, &call).await?;
        }
        let plan = Arc::new(operations::plan_from(operation, &target, &snapshot, edits, call)?);
        let view = plan.view();
        let mut records = self.lock();
        let record = records.iter_mut().find(|r| r.id == record_id).ok_or_else(gone)?;
        record.snapshot = snapshot;
        record.stale = false;
        record.plan = Some(plan);
        Ok(view)
    }

    /// The connection the plan `plan_id` goes through.
    pub fn connection_of_plan(&self, plan_id: &str) -> Result<String> {
        let records = self.lock();
        let record = records.iter().find(|r| r.plan.as_ref().is_some_and(|p| p.id == plan_id)).ok_or_else(plan_gone)?;
        Ok(record.connection_id.clone())
    }

    /// Applies the reviewed plan exactly (see [`history::apply_recorded`]: nothing is sent if a
    /// field changed since the review; the change is written to `history` before it is sent).
    /// On success the plan is used up and the record is read again, so the form and the next
    /// review start from what the vendor holds now (a vendor may normalise what it was sent; two
    /// of the four answer a write with no body). On failure the plan stays, so Save can be
    /// pressed again after a network error.
    pub async fn apply(
        &self,
        client: &VendorClient,
        history: &History,
        connection_name: &str,
        plan_id: &str,
    ) -> Result<UpdateReceipt<Value>> {
        let (plan, context) = {
            let records = self.lock();
            let record =
                records.iter().find(|r| r.plan.as_ref().is_some_and(|p| p.id == plan_id)).ok_or_else(plan_gone)?;
            let context = EntryContext {
                source: if record.undoes.is_some() { Source::Undo } else { Source::Desk },
                connection_id: record.connection_id.clone(),
                connection_name: connection_name.to_string(),
                target_names: record.labels.clone(),
                undoes: record.undoes.clone(),
                group_id: None,
            };
            (record.plan.clone().ok_or_else(plan_gone)?, context)
        };
        let mut receipt = history::apply_recorded(Some(history), client, &plan, &context).await?;
        // Saved either way; if this read fails, the next review reads instead.
        let fresh = match &plan.request {
            Some(_) => operations::find(plan.operation)?.read(client, &plan.target, &plan.call).await.ok(),
            None => None,
        };
        if let Some(fresh) = &fresh {
            receipt.after = fresh.values.clone();
        }
        let mut records = self.lock();
        if let Some(record) = records.iter_mut().find(|r| r.plan.as_ref().is_some_and(|p| p.id == plan_id)) {
            match fresh {
                Some(fresh) => record.snapshot = fresh,
                None => {
                    record.snapshot.values = receipt.after.clone();
                    record.stale = plan.request.is_some();
                }
            }
            record.plan = None;
            // Undone once: a further save of this record is an ordinary change.
            record.undoes = None;
        }
        Ok(receipt)
    }

    /// How many records are open (at most 16, the oldest closing first).
    pub fn open_records(&self) -> usize {
        self.lock().len()
    }

    /// Forgets a record (the desk moved on).
    pub fn close(&self, record_id: &str) {
        self.lock().retain(|r| r.id != record_id);
    }
}
