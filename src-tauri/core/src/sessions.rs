//! Records open at the desk and the plans reviewed for them, kept on the Rust side: a keystroke
//! ships only the edits (checked against the record as read, no request), the review stores
//! the plan it shows, and Save applies that stored plan — never a plan made again.

use crate::error::{Error, ErrorCode, Result};
use crate::fields::UpdateReceipt;
use crate::operations::{self, VendorClient};
use crate::plan::{Call, Plan, PlanView, Snapshot};
use serde::Serialize;
use serde_json::Value;
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
}

struct OpenRecord {
    id: String,
    connection_id: String,
    operation: &'static str,
    target: Value,
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

    /// Reads the record and keeps it open; returns its values for the form.
    pub async fn open(
        &self,
        client: &VendorClient,
        connection_id: &str,
        operation: &str,
        target: &Value,
    ) -> Result<OpenedRecord> {
        let operation = operations::find(operation)?;
        let snapshot = operation.read(client, target, &Call::new()).await?;
        let id = uuid::Uuid::new_v4().to_string();
        let values = snapshot.values.clone();
        let mut records = self.lock();
        if records.len() >= OPEN_RECORDS {
            records.pop_front();
        }
        records.push_back(OpenRecord {
            id: id.clone(),
            connection_id: connection_id.to_string(),
            operation: operation.id(),
            target: target.clone(),
            snapshot,
            stale: false,
            plan: None,
        });
        Ok(OpenedRecord { record_id: id, values })
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

    /// Applies the reviewed plan exactly (see [`operations::apply`]). On success the plan is
    /// used up and the record is read again, so the form and the next review start from what the
    /// vendor holds now (a vendor may normalise what it was sent; two of the four answer a write
    /// with no body). On failure the plan stays, so Save can be pressed again after a network
    /// error.
    pub async fn apply(&self, client: &VendorClient, plan_id: &str) -> Result<UpdateReceipt<Value>> {
        let plan = {
            let records = self.lock();
            let record =
                records.iter().find(|r| r.plan.as_ref().is_some_and(|p| p.id == plan_id)).ok_or_else(plan_gone)?;
            record.plan.clone().ok_or_else(plan_gone)?
        };
        let mut receipt = operations::apply(client, &plan).await?;
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
        }
        Ok(receipt)
    }

    /// Forgets a record (the desk moved on).
    pub fn close(&self, record_id: &str) {
        self.lock().retain(|r| r.id != record_id);
    }
}
