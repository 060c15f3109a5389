//! Side by side and change once. A person's records are lined up by [`FieldMeaning`]; an edit of
//! one meaning ("last name: Lind") becomes, for each record, edits in that vendor's own keys and
//! forms (its code lists, its derived display name), planned by the operation itself
//! ([`operations::plan_from`]). A value one vendor can't take is flagged for that vendor only.
//! Saving applies every plan at once through the history ([`history::apply_recorded`]) under one
//! group id; a retry sends only the ones that did not go through.

use super::{meaning_label, text_of, Cell, PersonRecord, ReadRecord, MEANINGS};
use crate::error::{Error, ErrorCode, Result};
use crate::fields::{value_at, FieldDef, FieldKind, FieldMeaning};
use crate::history::{self, EntryContext, History, Source};
use crate::operations::{self, VendorClient};
use crate::plan::{Call, Plan, PlannedChange};
use crate::profiles::Vendor;
use crate::reference::ValueList;
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Mutex;
use ts_rs::TS;

/// One row of the side-by-side view: a meaning and each record's cells for it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "PersonRow")]
pub struct Row {
    pub meaning: FieldMeaning,
    pub label: String,
    /// Per record (in the view's record order): its cells for this meaning (often one, none
    /// where the vendor has no such field).
    pub cells: Vec<Vec<Cell>>,
    /// The records that have it disagree (compared in one form: codes, lower-case addresses).
    pub differs: bool,
    /// At least one record can change it here.
    pub editable: bool,
}

/// A person's records side by side.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PersonView {
    pub id: String,
    pub records: Vec<PersonRecord>,
    pub rows: Vec<Row>,
}

/// One value in a form the vendors share, for comparing: country codes, language subtags,
/// lower-case addresses, folded text.
fn comparable(meaning: FieldMeaning, value: &Value) -> BTreeSet<String> {
    let texts: Vec<String> = match value {
        Value::Array(items) => items.iter().map(text_of).collect(),
        Value::Null => Vec::new(),
        other => vec![text_of(other)],
    };
    texts
        .into_iter()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .map(|t| match meaning {
            FieldMeaning::Country => country_code(&t).unwrap_or_else(|| t.to_lowercase()),
            FieldMeaning::Language => t.split(['-', '_']).next().unwrap_or_default().to_lowercase(),
            FieldMeaning::Email | FieldMeaning::LoginName => t.to_lowercase(),
            _ => super::matching::fold(&t),
        })
        .collect()
}

/// An ISO code for a code or a country name ("se", "Sweden" → "SE").
fn country_code(text: &str) -> Option<String> {
    let text = text.trim();
    let codes = ValueList::UsageLocations.choices();
    codes
        .iter()
        .find(|c| c.value.eq_ignore_ascii_case(text) || c.label.eq_ignore_ascii_case(text))
        .map(|c| c.value.clone())
}

/// The records lined up by meaning.
pub fn side_by_side(id: &str, records: &[PersonRecord]) -> PersonView {
    let rows = MEANINGS
        .iter()
        .filter_map(|&meaning| {
            let cells: Vec<Vec<Cell>> =
                records.iter().map(|r| r.cells.iter().filter(|c| c.meaning == meaning).cloned().collect()).collect();
            if cells.iter().all(Vec::is_empty) {
                return None;
            }
            // Each record's values, compared as sets: the row differs when no value is common to all.
            let sets: Vec<BTreeSet<String>> = cells
                .iter()
                .filter(|c| !c.is_empty())
                .map(|c| c.iter().flat_map(|cell| comparable(meaning, &cell.value)).collect())
                .collect();
            let common = sets.iter().skip(1).fold(sets[0].clone(), |acc, s| acc.intersection(s).cloned().collect());
            let differs = sets.len() > 1 && common.is_empty() && sets.iter().any(|s| !s.is_empty());
            let editable = cells.iter().flatten().any(|c| c.editable);
            Some(Row { meaning, label: meaning_label(meaning).to_string(), cells, differs, editable })
        })
        .collect();
    PersonView { id: id.to_string(), records: records.to_vec(), rows }
}

/// What one record's operation will do with the person's edits.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct VendorChange {
    /// Unique in the review: the record and the operation.
    pub key: String,
    pub record_key: String,
    pub connection_id: String,
    pub connection_name: String,
    pub vendor: Vendor,
    pub vendor_label: String,
    pub record_name: String,
    /// Empty when no operation of the vendor holds an edited meaning.
    pub operation: String,
    pub operation_title: String,
    pub changes: Vec<PlannedChange>,
    /// How the edits were put in this vendor's terms ("Display name follows the name").
    pub notes: Vec<String>,
    /// Why nothing is sent to this vendor for this part, if so.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    /// Whether Save sends it.
    pub sends: bool,
}

/// One review: every vendor's part, shown once and then saved exactly.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PersonReview {
    pub id: String,
    /// The history group all these changes are saved under.
    pub group_id: String,
    pub changes: Vec<VendorChange>,
}

/// How one part of a save went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SaveOutcomeKind {
    Saved,
    Failed,
    /// Saved by an earlier attempt: not sent again.
    AlreadySaved,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct VendorSaveResult {
    pub key: String,
    pub connection_name: String,
    pub vendor_label: String,
    pub record_name: String,
    pub outcome: SaveOutcomeKind,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Error>,
    pub changed_fields: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PersonSaveResult {
    pub review_id: String,
    pub group_id: String,
    pub results: Vec<VendorSaveResult>,
    /// Keys of the parts still to retry.
    pub failed: Vec<String>,
}

/// Each meaning's new value, as one line of text (as typed), in row order.
pub type Edits = Vec<(FieldMeaning, String)>;

/// The new value for `meaning`, if it is edited.
fn edit_of(edits: &Edits, meaning: FieldMeaning) -> Option<&str> {
    edits.iter().find(|(m, _)| *m == meaning).map(|(_, v)| v.as_str())
}

/// The edits `edits` make to one field of a vendor, in its own form: `Ok(None)` leaves it.
pub fn convert(
    def: &FieldDef,
    input: &str,
    current: Option<&Value>,
    old_addresses: &BTreeSet<String>,
) -> std::result::Result<Option<Value>, String> {
    let input = input.trim();
    let current_text = current.map(text_of).unwrap_or_default();
    match def.kind {
        FieldKind::Boolean | FieldKind::Password | FieldKind::DateTimeUtc => Ok(None),
        FieldKind::EmailList => {
            // The person's old address is replaced where it is listed; otherwise the new one leads.
            let mut list: Vec<String> = match current {
                Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).map(str::to_string).collect(),
                _ => Vec::new(),
            };
            let mut replaced = false;
            for entry in list.iter_mut() {
                if old_addresses.contains(&entry.trim().to_lowercase()) {
                    *entry = input.to_string();
                    replaced = true;
                }
            }
            if !replaced {
                list.insert(0, input.to_string());
            }
            let mut seen = BTreeSet::new();
            list.retain(|e| seen.insert(e.to_lowercase()));
            Ok(Some(Value::Array(list.into_iter().map(Value::String).collect())))
        }
        FieldKind::Choice => {
            let Some(list) = def.allowed else { return Ok(Some(Value::String(input.to_string()))) };
            let wanted = match (def.meaning, list) {
                (FieldMeaning::Country, ValueList::UsageLocations) => country_code(input),
                _ => list
                    .choices()
                    .iter()
                    .find(|c| c.value.eq_ignore_ascii_case(input) || c.label.eq_ignore_ascii_case(input))
                    .map(|c| c.value.clone()),
            };
            match wanted {
                Some(value) => Ok(Some(Value::String(value))),
                None => Err(format!("\"{input}\" is not one of {}.", list.description())),
            }
        }
        FieldKind::Text | FieldKind::Email => {
            let value = match def.meaning {
                // A country written as a name (AvePoint's office country): the code's name.
                FieldMeaning::Country if current_text.trim().chars().count() > 2 || def.suggestions.is_some() => {
                    match country_code(input) {
                        Some(code) => ValueList::CountryNames
                            .choices()
                            .iter()
                            .find(|c| c.label.ends_with(&format!("({code})")))
                            .map(|c| c.value.clone())
                            .unwrap_or_else(|| input.to_string()),
                        None => input.to_string(),
                    }
                }
                // A language kept without its region (SoftwareOne's "sv"): the same.
                FieldMeaning::Language if !current_text.is_empty() && !current_text.contains('-') => {
                    input.split(['-', '_']).next().unwrap_or(input).to_string()
                }
                _ => input.to_string(),
            };
            Ok(Some(Value::String(value)))
        }
    }
}

fn part(record: &ReadRecord, operation: &str, title: &str) -> VendorChange {
    VendorChange {
        key: format!("{}#{operation}", record.record.key),
        record_key: record.record.key.clone(),
        connection_id: record.record.connection_id.clone(),
        connection_name: record.record.connection_name.clone(),
        vendor: record.record.vendor,
        vendor_label: record.record.vendor_label.clone(),
        record_name: record.record.name.clone(),
        operation: operation.to_string(),
        operation_title: title.to_string(),
        changes: Vec::new(),
        notes: Vec::new(),
        problem: None,
        sends: false,
    }
}

/// Every record's part of the change: its plans (by key) and what the review shows.
pub fn plan_person(records: &[ReadRecord], edits: &Edits) -> (Vec<VendorChange>, HashMap<String, Plan>) {
    // The person's addresses before the change: a notification list swaps exactly these.
    // Single addresses only (an email field, a sign-in name): a list may hold a team's address.
    let old_addresses: BTreeSet<String> = records
        .iter()
        .flat_map(|r| r.record.cells.iter())
        .filter(|c| matches!(c.meaning, FieldMeaning::Email | FieldMeaning::LoginName) && c.value.is_string())
        .flat_map(|c| comparable(FieldMeaning::Email, &c.value))
        .collect();
    let mut parts = Vec::new();
    let mut plans = HashMap::new();
    for record in records {
        let mut held: Vec<FieldMeaning> = Vec::new();
        for (operation_id, snapshot) in &record.snapshots {
            let Ok(operation) = operations::find(operation_id) else { continue };
            let fields: Vec<&FieldDef> = operations::record_fields(operation.fields()).collect();
            let mut change = part(record, operation_id, operation.title());
            let mut object = Map::new();
            let mut problems = Vec::new();
            for (meaning, input) in edits {
                for def in fields.iter().filter(|d| d.meaning == *meaning) {
                    if matches!(def.kind, FieldKind::Boolean | FieldKind::Password | FieldKind::DateTimeUtc) {
                        continue;
                    }
                    if !held.contains(meaning) {
                        held.push(*meaning);
                    }
                    match convert(def, input, value_at(&snapshot.values, def.key), &old_addresses) {
                        Ok(Some(value)) => {
                            if value.as_str() != Some(input.trim()) && !matches!(value, Value::Array(_)) {
                                change.notes.push(format!("{} is written \"{}\" here.", def.label, text_of(&value)));
                            }
                            operations::insert_dotted(&mut object, def.key, value);
                        }
                        Ok(None) => {}
                        Err(message) => problems.push(format!("{}: {message}", def.label)),
                    }
                }
            }
            derive_display_name(&fields, &snapshot.values, edits, &mut object, &mut change.notes);
            if object.is_empty() && problems.is_empty() {
                continue;
            }
            if !problems.is_empty() {
                change.problem = Some(format!("Not changed at {}: {}", record.record.vendor_label, problems.join(" ")));
                parts.push(change);
                continue;
            }
            let target: Map<String, Value> = operation
                .targets()
                .iter()
                .filter_map(|t| record.record.target.get(t.key).map(|v| (t.key.to_string(), v.clone())))
                .collect();
            match operations::plan_from(
                operation_id,
                &Value::Object(target),
                snapshot,
                &Value::Object(object),
                Call::new(),
            ) {
                Ok(plan) if plan.changes.is_empty() => {
                    change.notes.push("Already holds these values: nothing to send.".into());
                    parts.push(change);
                }
                Ok(plan) => {
                    change.changes = plan.changes.clone();
                    change.sends = true;
                    plans.insert(change.key.clone(), plan);
                    parts.push(change);
                }
                Err(error) => {
                    let details: Vec<String> = error.field_errors.iter().map(|f| f.message.clone()).collect();
                    let why = if details.is_empty() { error.message.clone() } else { details.join(" ") };
                    change.problem = Some(format!("Not changed at {}: {why}", record.record.vendor_label));
                    parts.push(change);
                }
            }
        }
        // A meaning no operation of this vendor holds: flagged for this vendor only.
        let missing: Vec<&str> =
            edits.iter().filter(|(m, _)| !held.contains(m)).map(|(m, _)| meaning_label(*m)).collect();
        if !missing.is_empty() {
            let mut change = part(record, "", "");
            change.key = format!("{}#unsupported", record.record.key);
            change.problem = Some(format!(
                "Switchboard can't change {} at {}: none of its operations holds it. Change it in {} itself.",
                missing.join(", ").to_lowercase(),
                record.record.vendor_label,
                record.record.vendor_label
            ));
            parts.push(change);
        }
    }
    (parts, plans)
}

/// Where an operation has a display name and the edits change the first or last name but not the
/// display name: one that was "First Last" follows the new name; any other is kept, with a note.
fn derive_display_name(
    fields: &[&FieldDef],
    values: &Value,
    edits: &Edits,
    object: &mut Map<String, Value>,
    notes: &mut Vec<String>,
) {
    let edited = |meaning| edit_of(edits, meaning).is_some();
    if edited(FieldMeaning::DisplayName) || !(edited(FieldMeaning::GivenName) || edited(FieldMeaning::Surname)) {
        return;
    }
    let key_of = |meaning: FieldMeaning| fields.iter().find(|d| d.meaning == meaning).map(|d| d.key);
    let (Some(display), Some(given), Some(surname)) =
        (key_of(FieldMeaning::DisplayName), key_of(FieldMeaning::GivenName), key_of(FieldMeaning::Surname))
    else {
        return;
    };
    let old = |key: &str| value_at(values, key).map(text_of).unwrap_or_default().trim().to_string();
    let (old_display, old_given, old_surname) = (old(display), old(given), old(surname));
    let new_given = edit_of(edits, FieldMeaning::GivenName).map(|s| s.trim().to_string()).unwrap_or(old_given.clone());
    let new_surname =
        edit_of(edits, FieldMeaning::Surname).map(|s| s.trim().to_string()).unwrap_or(old_surname.clone());
    if old_display == format!("{old_given} {old_surname}").trim() {
        let derived = format!("{new_given} {new_surname}").trim().to_string();
        notes.push(format!("The display name follows the name: \"{derived}\"."));
        object.insert(display.to_string(), Value::String(derived));
    } else if !old_display.is_empty() {
        notes.push(format!("The display name \"{old_display}\" is kept: it isn't the first and last name."));
    }
}

/// Parsed edits: meaning names (`surname`) → text. Unknown meanings are refused by name.
pub fn parse_edits(edits: &BTreeMap<String, String>) -> Result<Edits> {
    let mut parsed = Edits::new();
    for (name, value) in edits {
        let meaning = super::meaning_named(name).ok_or_else(|| {
            Error::new(ErrorCode::InvalidInput, format!("\"{name}\" is not something the People page can change."))
        })?;
        if value.trim().is_empty() && meaning != FieldMeaning::DisplayName {
            let message = format!("{} can't be made empty here.", meaning_label(meaning));
            return Err(Error::new(ErrorCode::InvalidInput, message.clone()).with_field(name, message));
        }
        parsed.retain(|(m, _)| *m != meaning);
        parsed.push((meaning, value.clone()));
    }
    parsed.sort_by_key(|(m, _)| MEANINGS.iter().position(|x| x == m));
    if parsed.is_empty() {
        return Err(Error::new(ErrorCode::InvalidInput, "Change at least one value first."));
    }
    Ok(parsed)
}

struct StoredReview {
    group_id: String,
    parts: Vec<VendorChange>,
    plans: HashMap<String, Plan>,
    saved: BTreeSet<String>,
}

/// What the People page keeps between calls: records read (with their snapshots) and reviews.
#[derive(Default)]
pub struct PeopleSessions {
    records: Mutex<HashMap<String, ReadRecord>>,
    reviews: Mutex<HashMap<String, StoredReview>>,
}

/// At most this many records are kept between calls (the oldest searches make room).
const MAX_RECORDS: usize = 500;

impl PeopleSessions {
    /// Keeps records read by a search or an open.
    pub fn keep(&self, read: Vec<ReadRecord>) {
        let mut records = self.records.lock().unwrap();
        if records.len() + read.len() > MAX_RECORDS {
            records.clear();
        }
        for record in read {
            records.insert(record.record.key.clone(), record);
        }
    }

    /// Records kept, by key (each must be known).
    pub fn records(&self, keys: &[String]) -> Result<Vec<ReadRecord>> {
        let records = self.records.lock().unwrap();
        keys.iter()
            .map(|key| {
                records.get(key).cloned().ok_or_else(|| {
                    Error::new(ErrorCode::NotFound, "This record is no longer open. Search for the person again.")
                })
            })
            .collect()
    }

    /// Plans `edits` for each record and keeps the plans for [`PeopleSessions::save`].
    pub fn review(&self, keys: &[String], edits: &Edits) -> Result<PersonReview> {
        let records = self.records(keys)?;
        let (parts, plans) = plan_person(&records, edits);
        let review = PersonReview {
            id: uuid::Uuid::new_v4().to_string(),
            group_id: uuid::Uuid::new_v4().to_string(),
            changes: parts.clone(),
        };
        let stored = StoredReview { group_id: review.group_id.clone(), parts, plans, saved: BTreeSet::new() };
        let mut reviews = self.reviews.lock().unwrap();
        if reviews.len() >= 32 {
            reviews.clear();
        }
        reviews.insert(review.id.clone(), stored);
        Ok(review)
    }

    /// Applies the review's plans in parallel (only those in `only`, when given, and never one
    /// saved already), each through the history under the review's group id.
    pub async fn save(
        &self,
        review_id: &str,
        only: Option<&[String]>,
        client_for: impl Fn(&str) -> Result<VendorClient>,
        history: Option<&History>,
        source: Source,
    ) -> Result<PersonSaveResult> {
        let (group_id, work, already) = {
            let reviews = self.reviews.lock().unwrap();
            let review = reviews.get(review_id).ok_or_else(|| {
                Error::new(ErrorCode::NotFound, "This review is no longer open. Review the change again.")
            })?;
            let mut work = Vec::new();
            let mut already = Vec::new();
            for part in review.parts.iter().filter(|p| p.sends) {
                if only.is_some_and(|only| !only.contains(&part.key)) {
                    continue;
                }
                if review.saved.contains(&part.key) {
                    already.push(result_of(part, SaveOutcomeKind::AlreadySaved, None, Vec::new()));
                    continue;
                }
                if let Some(plan) = review.plans.get(&part.key) {
                    work.push((part.clone(), plan.clone()));
                }
            }
            (review.group_id.clone(), work, already)
        };
        let sends = work.into_iter().map(|(part, plan)| {
            let client = client_for(&part.connection_id);
            let context = EntryContext {
                source,
                connection_id: part.connection_id.clone(),
                connection_name: part.connection_name.clone(),
                target_names: BTreeMap::from([("userId".to_string(), part.record_name.clone())]),
                undoes: None,
                group_id: Some(group_id.clone()),
            };
            async move {
                let outcome = match client {
                    Ok(client) => history::apply_recorded(history, &client, &plan, &context).await,
                    Err(error) => Err(error),
                };
                (part, outcome)
            }
        });
        let finished = futures_util::future::join_all(sends).await;
        let mut results = already;
        let mut reviews = self.reviews.lock().unwrap();
        let review = reviews.get_mut(review_id);
        let mut saved_now = Vec::new();
        for (part, outcome) in finished {
            match outcome {
                Ok(receipt) => {
                    saved_now.push(part.key.clone());
                    results.push(result_of(&part, SaveOutcomeKind::Saved, None, receipt.changed_fields));
                }
                Err(error) => results.push(result_of(&part, SaveOutcomeKind::Failed, Some(error), Vec::new())),
            }
        }
        if let Some(review) = review {
            review.saved.extend(saved_now);
        }
        let failed = results.iter().filter(|r| r.outcome == SaveOutcomeKind::Failed).map(|r| r.key.clone()).collect();
        Ok(PersonSaveResult { review_id: review_id.to_string(), group_id, results, failed })
    }
}

/// Undoes a saved group (a person's change at every vendor) together: every record is read first
/// and checked as an undo from the history is ([`history::undo_check`]); if any field changed
/// since at any vendor, nothing is sent anywhere and the error names it. Otherwise each way back
/// is planned and applied at once, as undo entries under a new group id.
pub async fn undo_group(
    history: &History,
    group_id: &str,
    client_for: impl Fn(&str) -> Result<VendorClient>,
) -> Result<PersonSaveResult> {
    let entries: Vec<history::Entry> = history
        .all(&history::HistoryFilter::default())?
        .into_iter()
        .filter(|e| e.group_id.as_deref() == Some(group_id) && e.outcome == history::Outcome::Done)
        .collect();
    if entries.is_empty() {
        return Err(Error::new(ErrorCode::NotFound, "There is no saved change of this person to undo."));
    }
    let checks = super::join_all(entries.iter().map(|entry| {
        let client = client_for(&entry.connection_id);
        async move {
            let client = client?;
            let operation = operations::find(&entry.operation)?;
            let target = serde_json::to_value(&entry.target).unwrap_or_default();
            let now = operation.read(&client, &target, &Call::new()).await?;
            history.reconcile(&entry.connection_id, operation.id(), &target, &now.values)?;
            let check = history::undo_check(&history.get(&entry.id)?, &now.values)?;
            if !check.moved().is_empty() {
                let moved = history::moved_error(&check);
                let message = format!("{} ({}): {}", entry.vendor, entry.connection_name, moved.message);
                return Err(Error { message, ..moved });
            }
            let plan = operations::plan_from(operation.id(), &target, &now, &check.edits(), Call::new())?;
            Ok((entry, client, plan))
        }
    }))
    .await
    .into_iter()
    .collect::<Result<Vec<_>>>()?;
    let undo_group_id = uuid::Uuid::new_v4().to_string();
    let sends = checks.iter().map(|(entry, client, plan)| {
        let context = EntryContext {
            source: Source::Undo,
            connection_id: entry.connection_id.clone(),
            connection_name: entry.connection_name.clone(),
            target_names: entry.target_names.clone(),
            undoes: Some(entry.id.clone()),
            group_id: Some(undo_group_id.clone()),
        };
        async move { (entry, history::apply_recorded(Some(history), client, plan, &context).await) }
    });
    let results: Vec<VendorSaveResult> = super::join_all(sends)
        .await
        .into_iter()
        .map(|(entry, outcome)| {
            let (outcome, error, changed_fields) = match outcome {
                Ok(receipt) => (SaveOutcomeKind::Saved, None, receipt.changed_fields),
                Err(error) => (SaveOutcomeKind::Failed, Some(error), Vec::new()),
            };
            VendorSaveResult {
                key: entry.id.clone(),
                connection_name: entry.connection_name.clone(),
                vendor_label: entry.vendor.clone(),
                record_name: entry.target_title(),
                outcome,
                error,
                changed_fields,
            }
        })
        .collect();
    let failed = results.iter().filter(|r| r.outcome == SaveOutcomeKind::Failed).map(|r| r.key.clone()).collect();
    Ok(PersonSaveResult { review_id: String::new(), group_id: undo_group_id, results, failed })
}

fn result_of(
    part: &VendorChange,
    outcome: SaveOutcomeKind,
    error: Option<Error>,
    changed_fields: Vec<String>,
) -> VendorSaveResult {
    VendorSaveResult {
        key: part.key.clone(),
        connection_name: part.connection_name.clone(),
        vendor_label: part.vendor_label.clone(),
        record_name: part.record_name.clone(),
        outcome,
        error,
        changed_fields,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Snapshot;
    use serde_json::json;

    fn read(vendor: Vendor, key: &str, target: Value, snapshots: Vec<(&'static str, Value)>) -> ReadRecord {
        let mut cells = Vec::new();
        for (id, values) in &snapshots {
            cells.extend(super::super::cells_of(operations::find(id).unwrap(), values));
        }
        ReadRecord {
            record: PersonRecord {
                key: key.into(),
                connection_id: key.into(),
                connection_name: format!("{} connection", vendor.label()),
                vendor,
                vendor_label: vendor.label().into(),
                target,
                name: "Anna Berg".into(),
                detail: String::new(),
                context: String::new(),
                cells,
            },
            snapshots: snapshots.into_iter().map(|(id, v)| (id, Snapshot::of_values(v))).collect(),
        }
    }

    fn anna_everywhere() -> Vec<ReadRecord> {
        vec![
            read(
                Vendor::Avepoint,
                "ap",
                json!({"customerId": "c", "tenantId": "t", "userId": "u"}),
                vec![
                    (
                        "avepoint.account-information",
                        json!({"mail": "anna.berg@northwind.example", "usageLocation": "SE", "preferredLanguage": "sv-SE",
                               "enforceStart": false, "enforceStartDateTime": "1970-01-01T00:00:00Z",
                               "enforceEnd": false, "enforceEndDateTime": "1970-01-01T00:00:00Z"}),
                    ),
                    (
                        "avepoint.office-information",
                        json!({"postalCode": "111 22", "countryRegion": "Sweden", "state": "Stockholm",
                               "address": "Drottninggatan 1", "city": "Stockholm"}),
                    ),
                ],
            ),
            read(
                Vendor::PartnerCenter,
                "pc",
                json!({"customerId": "c", "userId": "u"}),
                vec![(
                    "partner-center.customer-user",
                    json!({"displayName": "Anna Berg", "firstName": "Anna", "lastName": "Berg",
                           "userPrincipalName": "anna.berg@northwind.example", "usageLocation": "SE"}),
                )],
            ),
            read(
                Vendor::Softwareone,
                "swo",
                json!({"accountId": "ACC-1", "userId": "USR-1"}),
                vec![(
                    "softwareone.account-user",
                    json!({"email": "Anna.Berg@northwind.example", "firstName": "Ana", "lastName": "Berg",
                           "phone": {"prefix": "", "number": ""},
                           "settings": {"cultureCode": "sv-SE", "languageCode": "sv", "timeZone": "",
                                        "dateFormat": "", "timeFormat": "",
                                        "numberFormat": {"decimalSeparator": "", "groupSeparator": ""}}}),
                )],
            ),
            read(
                Vendor::Msp360,
                "msp",
                json!({"userId": "u"}),
                vec![(
                    "msp360.user",
                    json!({"Email": "anna.berg@northwind.example", "FirstName": "Anna", "LastName": "Berg",
                           "NotificationEmails": ["anna.berg@northwind.example", "it-alerts@northwind.example"],
                           "Company": "Northwind Traders", "Enabled": true, "LicenseManagmentMode": "1"}),
                )],
            ),
        ]
    }

    fn edits(pairs: &[(FieldMeaning, &str)]) -> Edits {
        pairs.iter().map(|(m, v)| (*m, v.to_string())).collect()
    }

    fn changes_of<'a>(parts: &'a [VendorChange], key: &str) -> &'a VendorChange {
        let part = parts.iter().find(|p| p.key.starts_with(key)).unwrap_or_else(|| panic!("no part {key}: {parts:#?}"));
        assert!(part.problem.is_none() || !part.sends, "{part:?}");
        part
    }

    #[test]
    fn a_surname_becomes_each_vendors_last_name_with_the_derived_display_name() {
        let (parts, plans) = plan_person(&anna_everywhere(), &edits(&[(FieldMeaning::Surname, "Lind")]));
        let pc = changes_of(&parts, "pc#");
        let fields: Vec<(&str, &Value)> = pc.changes.iter().map(|c| (c.field.as_str(), &c.after)).collect();
        assert_eq!(fields, [("displayName", &json!("Anna Lind")), ("lastName", &json!("Lind"))]);
        assert!(pc.notes.iter().any(|n| n.contains("follows the name")));
        assert_eq!(changes_of(&parts, "swo#").changes[0].after, json!("Lind"));
        assert_eq!(changes_of(&parts, "msp#").changes[0].field, "LastName");
        // AvePoint's operations hold no name: flagged for AvePoint only.
        let avepoint = changes_of(&parts, "ap#unsupported");
        assert!(avepoint.problem.as_deref().unwrap().contains("can't change last name at AvePoint"), "{avepoint:?}");
        assert!(!avepoint.sends);
        assert_eq!(plans.len(), 3);
    }

    #[test]
    fn a_country_and_a_language_are_written_in_each_vendors_form() {
        let (parts, _) = plan_person(
            &anna_everywhere(),
            &edits(&[(FieldMeaning::Country, "Norway"), (FieldMeaning::Language, "nb-NO")]),
        );
        let account = changes_of(&parts, "ap#avepoint.account-information");
        let after: BTreeMap<&str, &Value> = account.changes.iter().map(|c| (c.field.as_str(), &c.after)).collect();
        assert_eq!(after["usageLocation"], &json!("NO"), "a code");
        assert_eq!(after["preferredLanguage"], &json!("nb-NO"));
        let office = changes_of(&parts, "ap#avepoint.office-information");
        assert_eq!(office.changes[0].after, json!("Norway"), "a name, as the office country is written");
        assert_eq!(changes_of(&parts, "pc#").changes[0].after, json!("NO"));
        let swo = changes_of(&parts, "swo#");
        assert_eq!(swo.changes[0].after, json!("nb"), "SoftwareOne keeps the language without its region");
        assert!(swo.notes.iter().any(|n| n.contains("\"nb\"")));
    }

    #[test]
    fn a_value_one_vendor_cannot_take_is_flagged_for_that_vendor_only() {
        let (parts, plans) = plan_person(&anna_everywhere(), &edits(&[(FieldMeaning::Language, "xx-Nowhere")]));
        let avepoint = changes_of(&parts, "ap#avepoint.account-information");
        assert!(avepoint.problem.as_deref().unwrap().starts_with("Not changed at AvePoint: Preferred language"));
        assert!(!avepoint.sends);
        let swo = changes_of(&parts, "swo#");
        assert!(swo.sends, "SoftwareOne takes it: {swo:?}");
        assert_eq!(plans.len(), 1);
    }

    #[test]
    fn a_new_email_replaces_the_old_one_in_a_notification_list() {
        let (parts, _) =
            plan_person(&anna_everywhere(), &edits(&[(FieldMeaning::Email, "anna.lind@northwind.example")]));
        let msp = changes_of(&parts, "msp#");
        assert_eq!(
            msp.changes[0].after,
            json!(["anna.lind@northwind.example", "it-alerts@northwind.example"]),
            "{msp:?}"
        );
        assert_eq!(changes_of(&parts, "ap#avepoint.account-information").changes[0].field, "mail");
        assert_eq!(changes_of(&parts, "swo#").changes[0].field, "email");
        // Partner Center has no email field (its sign-in name is another meaning).
        assert!(changes_of(&parts, "pc#unsupported").problem.is_some());
    }

    #[test]
    fn a_display_name_of_its_own_is_kept_and_said_so() {
        let mut records = anna_everywhere();
        records[1].snapshots[0].1.values["displayName"] = json!("Anna B. (Finance)");
        let (parts, _) = plan_person(&records[1..2], &edits(&[(FieldMeaning::GivenName, "Annie")]));
        let pc = changes_of(&parts, "pc#");
        assert_eq!(pc.changes.len(), 1);
        assert!(pc.notes.iter().any(|n| n.contains("is kept")));
    }

    #[test]
    fn side_by_side_compares_values_in_one_form() {
        let records: Vec<PersonRecord> = anna_everywhere().into_iter().map(|r| r.record).collect();
        let view = side_by_side("p", &records);
        let row = |meaning| view.rows.iter().find(|r| r.meaning == meaning).unwrap();
        assert!(!row(FieldMeaning::Email).differs, "capitals and extra list entries are no difference");
        assert!(!row(FieldMeaning::Country).differs, "SE and Sweden are one country");
        assert!(!row(FieldMeaning::Language).differs, "sv-SE and sv");
        assert!(row(FieldMeaning::GivenName).differs, "Ana and Anna");
        assert_eq!(row(FieldMeaning::Surname).cells[0], Vec::<Cell>::new(), "AvePoint has no last name field");
    }

    #[test]
    fn edits_name_meanings_and_refuse_empty_or_unknown_ones() {
        let parsed = parse_edits(&BTreeMap::from([("surname".to_string(), "Lind".to_string())])).unwrap();
        assert_eq!(parsed, vec![(FieldMeaning::Surname, "Lind".to_string())]);
        assert!(parse_edits(&BTreeMap::from([("password".to_string(), "x".to_string())])).is_err());
        assert!(parse_edits(&BTreeMap::from([("surname".to_string(), " ".to_string())])).is_err());
        assert!(parse_edits(&BTreeMap::new()).is_err());
    }
}
