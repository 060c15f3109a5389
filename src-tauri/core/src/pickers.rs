//! What the desk's pickers offer for each id an operation needs (customer, tenant, account,
//! user), one vendor list page at a time, in one shape for every vendor.

use crate::error::{Error, ErrorCode, Result};
use crate::operations::{self, VendorClient};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

/// Entries per request: AvePoint and SoftwareOne allow at most 100; Partner Center more, but
/// 100 keeps the first page quick.
pub(crate) const PAGE_SIZE: u32 = 100;

/// One entry a picker offers: the id the operation needs, a readable name and a second line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RecordChoice {
    pub id: String,
    pub label: String,
    pub detail: String,
}

/// One page of choices. `next` goes back to [`list`] for the following page; `total` is known
/// where the vendor says it.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ChoicePage {
    pub items: Vec<RecordChoice>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    #[ts(optional, type = "number")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
}

/// The ids picked so far, by key (`customerId`, ...).
pub(crate) fn picked<'a>(target: &'a Value, key: &str, noun: &str) -> Result<&'a str> {
    match target.get(key).and_then(Value::as_str).map(str::trim) {
        Some(id) if !id.is_empty() => Ok(id),
        _ => Err(Error::invalid_fields(vec![crate::FieldError {
            field: key.into(),
            message: format!("Pick the {noun} first."),
        }])),
    }
}

pub(crate) fn page_number(cursor: Option<&str>) -> Result<u32> {
    match cursor {
        None => Ok(0),
        Some(text) => text
            .parse()
            .map_err(|_| Error::new(ErrorCode::InvalidInput, "The list position is not valid. Reload the list.")),
    }
}

/// The cursor for the page after one that started at `offset` and held `got` of `total`.
pub(crate) fn next_offset(offset: u64, got: usize, total: u64) -> Option<String> {
    let seen = offset + got as u64;
    (got > 0 && seen < total).then(|| seen.to_string())
}

/// The same for AvePoint's 1-based page numbers.
pub(crate) fn next_page_index(index: u32, got: usize, total: u64) -> Option<String> {
    next_offset(u64::from(index - 1) * u64::from(PAGE_SIZE), got, total).map(|_| (index + 1).to_string())
}

pub(crate) fn or_dash(text: &str) -> String {
    if text.trim().is_empty() {
        "—".into()
    } else {
        text.trim().to_string()
    }
}

/// One page of what `key` (an id `operation_id` needs) can be, given the ids picked before it:
/// the operation's vendor lists it ([`crate::vendors::VendorDef::list_choices`]).
pub async fn list(
    client: &VendorClient,
    operation_id: &str,
    key: &str,
    target: &Value,
    cursor: Option<&str>,
) -> Result<ChoicePage> {
    let targets = operations::target_ids(operation_id)?;
    if !targets.iter().any(|t| t.key == key) {
        return Err(Error::new(ErrorCode::InvalidInput, format!("{operation_id} has no id called \"{key}\".")));
    }
    let vendor = operations::vendor(operation_id)?;
    if client.vendor() != vendor {
        return Err(operations::wrong_vendor(operation_id));
    }
    crate::vendors::find(vendor).list_choices(client, key, target, cursor).await
}

/// An id the vendor has no list for.
pub(crate) fn no_list(vendor: &str, key: &str) -> Error {
    Error::new(ErrorCode::InvalidInput, format!("{vendor} has no list for \"{key}\"; paste the id instead."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_that_is_not_a_position_is_refused_plainly() {
        let error = page_number(Some("abc")).unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidInput);
        assert_eq!(page_number(Some("200")).unwrap(), 200);
        assert_eq!(page_number(None).unwrap(), 0);
    }

    #[test]
    fn paging_stops_at_the_total_or_at_an_empty_page() {
        assert_eq!(next_offset(0, 100, 250).as_deref(), Some("100"));
        assert_eq!(next_offset(200, 50, 250), None);
        assert_eq!(next_offset(100, 0, 250), None, "an empty page ends the walk whatever the total says");
        assert_eq!(next_page_index(1, 100, 250).as_deref(), Some("2"));
        assert_eq!(next_page_index(3, 50, 250), None);
    }

    #[test]
    fn a_missing_parent_id_names_what_to_pick_first() {
        let error = picked(&serde_json::json!({"customerId": " "}), "customerId", "customer").unwrap_err();
        assert_eq!(error.field_errors[0].field, "customerId");
        assert_eq!(error.field_errors[0].message, "Pick the customer first.");
    }
}
