//! What the desk remembers between runs, per connection: the records opened lately (for one-click
//! return) and unsent edits (drafts). Plain data and rules here; the shell decides where it lives.

use crate::error::{Error, ErrorCode, Result};
use crate::fields::FieldKind;
use crate::operations;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use ts_rs::TS;

/// How many records "Recent" keeps per connection.
pub const RECENT_LIMIT: usize = 8;

/// A record opened at the desk: which operation, its ids, and the names shown for them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RecentRecord {
    pub operation_id: String,
    /// The ids by key (`customerId`, `tenantId`, `userId`, ...).
    pub target: BTreeMap<String, String>,
    /// Readable names by the same keys, where a picker knew them.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}

/// Puts `record` first, drops an older entry for the same record, keeps at most [`RECENT_LIMIT`].
/// The same ids through another operation of the connection's vendor are the same person (say,
/// AvePoint account and office information), so they count once, with the latest operation.
pub fn remember(mut recent: Vec<RecentRecord>, record: RecentRecord) -> Vec<RecentRecord> {
    recent.retain(|r| r.target != record.target);
    recent.insert(0, record);
    recent.truncate(RECENT_LIMIT);
    recent
}

/// Unsent edits to one record: the form values that differ from what the vendor held.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Draft {
    pub connection_id: String,
    pub operation_id: String,
    pub target: BTreeMap<String, String>,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// Changed form values by field key.
    #[ts(type = "Record<string, unknown>")]
    pub values: Map<String, Value>,
    /// When the edits were last kept (RFC 3339, UTC); set by [`Draft::checked`].
    #[serde(default)]
    pub saved_at: String,
}

impl Draft {
    /// The key a draft is kept under: one draft per connection, operation and record.
    pub fn key(&self) -> String {
        draft_key(&self.connection_id, &self.operation_id, &self.target)
    }

    /// Checks the draft names a real operation and field, drops secrets (password fields are
    /// never kept on disk) and stamps the time.
    pub fn checked(mut self) -> Result<Draft> {
        let spec = operations::spec(&self.operation_id)?;
        if let Some(unknown) = self.values.keys().find(|key| !spec.fields.iter().any(|f| &f.key == *key)) {
            return Err(Error::new(
                ErrorCode::InvalidInput,
                format!("{} has no field called \"{unknown}\"; the draft was not kept.", spec.title),
            ));
        }
        let secret_keys: Vec<String> =
            spec.fields.iter().filter(|f| f.kind == FieldKind::Password).map(|f| f.key.clone()).collect();
        self.values.retain(|key, _| !secret_keys.contains(key));
        self.saved_at = time::OffsetDateTime::now_utc()
            .replace_nanosecond(0)
            .ok()
            .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
            .unwrap_or_default();
        Ok(self)
    }
}

pub fn draft_key(connection_id: &str, operation_id: &str, target: &BTreeMap<String, String>) -> String {
    let ids: Vec<String> = target.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{}{operation_id}|{}", drafts_of(connection_id), ids.join("&"))
}

/// What every draft key of one connection starts with.
pub fn drafts_of(connection_id: &str) -> String {
    format!("{connection_id}|")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record(user: &str) -> RecentRecord {
        RecentRecord {
            operation_id: "msp360.user".into(),
            target: BTreeMap::from([("userId".into(), user.into())]),
            labels: BTreeMap::new(),
        }
    }

    #[test]
    fn the_latest_record_comes_first_once_and_the_list_stays_short() {
        let mut recent = Vec::new();
        for n in 0..12 {
            recent = remember(recent, record(&format!("u{n}")));
        }
        recent = remember(recent, record("u9"));
        assert_eq!(recent.len(), RECENT_LIMIT);
        assert_eq!(recent[0].target["userId"], "u9");
        assert_eq!(recent.iter().filter(|r| r.target["userId"] == "u9").count(), 1);
        assert_eq!(recent[1].target["userId"], "u11");
    }

    #[test]
    fn one_person_through_two_operations_is_one_recent_record() {
        let mut office = record("u1");
        office.operation_id = "avepoint.office-information".into();
        let mut account = record("u1");
        account.operation_id = "avepoint.account-information".into();
        let recent = remember(remember(Vec::new(), account), office);
        assert_eq!(recent.len(), 1);
        assert_eq!(recent[0].operation_id, "avepoint.office-information");
    }

    #[test]
    fn a_draft_never_keeps_a_password() {
        let draft = Draft {
            connection_id: "c1".into(),
            operation_id: "msp360.user".into(),
            target: BTreeMap::from([("userId".into(), "u1".into())]),
            labels: BTreeMap::new(),
            values: json!({"FirstName": "Ada", "Password": "S3cret!pass"}).as_object().unwrap().clone(),
            saved_at: String::new(),
        }
        .checked()
        .unwrap();
        assert_eq!(draft.values.get("FirstName"), Some(&json!("Ada")));
        assert!(draft.values.get("Password").is_none());
        assert!(draft.saved_at.ends_with('Z'), "{}", draft.saved_at);
    }

    #[test]
    fn a_draft_for_an_unknown_field_or_operation_is_refused() {
        let mut draft = Draft {
            connection_id: "c1".into(),
            operation_id: "msp360.user".into(),
            target: BTreeMap::new(),
            labels: BTreeMap::new(),
            values: json!({"Nope": 1}).as_object().unwrap().clone(),
            saved_at: String::new(),
        };
        assert!(draft.clone().checked().is_err());
        draft.operation_id = "nope".into();
        draft.values.clear();
        assert!(draft.checked().is_err());
    }
}
