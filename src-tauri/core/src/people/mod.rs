//! One person, every vendor (issue #14): find someone once across several connections, see their
//! records side by side by what each field *means*, and change them together.
//!
//! Built only on the generic seams, so a new operation or vendor needs nothing here:
//! - **search** ([`search`]): each connection's own list endpoints (the desk's pickers, and
//!   SoftwareOne's server-side filter), pages in parallel with bounded concurrency, then a read of
//!   each candidate through its operations ([`crate::operations::Operation::read`]);
//! - **matching** ([`matching`]): exact address first, then names as suggestions with a reason and
//!   a confidence; what the person confirms or rejects is remembered ([`links`]);
//! - **side by side and change once** ([`change`]): rows by [`FieldMeaning`], cells in each vendor's
//!   own form; one edit per meaning becomes each record's plan through
//!   [`crate::operations::plan_from`], applied in parallel through the history with one group id.

pub mod change;
pub mod links;
pub mod matching;
pub mod search;

use crate::fields::{FieldDef, FieldKind, FieldMeaning};
use crate::operations::{self, Operation};
use crate::plan::Snapshot;
use crate::profiles::Vendor;
use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

pub use change::{PersonReview, PersonSaveResult, PersonView, SaveOutcomeKind, VendorChange, VendorSaveResult};
/// Runs futures together (parallel reads and saves across connections).
pub use futures_util::future::join_all;
pub use links::Links;
pub use matching::{GroupMember, LinkKind, PersonGroup};
pub use search::{ConnectionResult, SearchState};

/// The meanings the People page lines up, in row order.
pub const MEANINGS: &[FieldMeaning] = &[
    FieldMeaning::GivenName,
    FieldMeaning::Surname,
    FieldMeaning::DisplayName,
    FieldMeaning::Email,
    FieldMeaning::LoginName,
    FieldMeaning::Country,
    FieldMeaning::Language,
    FieldMeaning::Locale,
    FieldMeaning::PhoneCountryCode,
    FieldMeaning::Phone,
    FieldMeaning::StreetAddress,
    FieldMeaning::City,
    FieldMeaning::Region,
    FieldMeaning::PostalCode,
    FieldMeaning::Company,
];

/// A meaning in words, for row headings and messages.
pub fn meaning_label(meaning: FieldMeaning) -> &'static str {
    match meaning {
        FieldMeaning::GivenName => "First name",
        FieldMeaning::Surname => "Last name",
        FieldMeaning::DisplayName => "Display name",
        FieldMeaning::Email => "Email",
        FieldMeaning::LoginName => "Sign-in name",
        FieldMeaning::Country => "Country",
        FieldMeaning::Language => "Language",
        FieldMeaning::Locale => "Regional format",
        FieldMeaning::PhoneCountryCode => "Phone country code",
        FieldMeaning::Phone => "Phone",
        FieldMeaning::StreetAddress => "Street address",
        FieldMeaning::City => "City",
        FieldMeaning::Region => "State or region",
        FieldMeaning::PostalCode => "Postal code",
        FieldMeaning::Company => "Company",
        _ => "Other",
    }
}

/// The meaning named as the UI and CLI spell it (`surname`, `given_name`, ...).
pub fn meaning_named(name: &str) -> Option<FieldMeaning> {
    MEANINGS.iter().copied().find(|m| serde_json::to_value(m).ok().as_ref().and_then(Value::as_str) == Some(name))
}

/// The operations that make up one person's record at `vendor`: those whose last id is the user.
/// The first one's lists find the person.
pub fn record_operations(vendor: Vendor) -> Vec<&'static dyn Operation> {
    operations::REGISTRY
        .iter()
        .copied()
        .filter(|op| op.vendor() == vendor && op.targets().last().is_some_and(|t| t.key == "userId"))
        .collect()
}

/// One value of a record, by meaning, in the vendor's own form.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "PersonCell")]
pub struct Cell {
    pub meaning: FieldMeaning,
    /// The operation holding it; empty for a value only the vendor's list shows.
    pub operation: String,
    /// The vendor's key, e.g. `usageLocation`.
    pub field: String,
    /// The vendor's label, e.g. "Usage location".
    pub label: String,
    #[ts(type = "unknown")]
    pub value: Value,
    /// Whether Switchboard can change it here.
    pub editable: bool,
}

/// One vendor record of a person, as found and read.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PersonRecord {
    /// Unique across connections: connection id and the record's ids.
    pub key: String,
    pub connection_id: String,
    pub connection_name: String,
    pub vendor: Vendor,
    pub vendor_label: String,
    /// The ids every one of its operations takes (`customerId`, `userId`, ...).
    #[ts(type = "Record<string, string>")]
    pub target: Value,
    /// The name as the vendor lists it.
    pub name: String,
    /// The address or sign-in name as the vendor lists it.
    pub detail: String,
    /// Where it is: customer, tenant or account names.
    pub context: String,
    pub cells: Vec<Cell>,
}

impl PersonRecord {
    /// The first value for `meaning`, as text.
    pub fn text(&self, meaning: FieldMeaning) -> String {
        self.cells.iter().find(|c| c.meaning == meaning).map(|c| text_of(&c.value)).unwrap_or_default()
    }

    /// What matching knows of it: addresses and sign-in names, and the name.
    pub fn identity(&self) -> matching::Identity {
        let mut addresses = Vec::new();
        for cell in self.cells.iter().filter(|c| matches!(c.meaning, FieldMeaning::Email | FieldMeaning::LoginName)) {
            match &cell.value {
                Value::String(text) if !text.trim().is_empty() => addresses.push(text.trim().to_string()),
                Value::Array(items) => {
                    addresses.extend(items.iter().filter_map(Value::as_str).map(|s| s.trim().to_string()))
                }
                _ => {}
            }
        }
        matching::Identity {
            key: self.key.clone(),
            addresses,
            given_name: self.text(FieldMeaning::GivenName),
            surname: self.text(FieldMeaning::Surname),
            display_name: match self.text(FieldMeaning::DisplayName) {
                name if name.is_empty() => self.name.clone(),
                name => name,
            },
        }
    }
}

/// A record with the snapshots its plans start from (never sent to the UI).
#[derive(Debug, Clone)]
pub struct ReadRecord {
    pub record: PersonRecord,
    pub snapshots: Vec<(&'static str, Snapshot)>,
}

/// A value as one line of text (lists joined with ", ").
pub fn text_of(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Array(items) => items.iter().map(text_of).collect::<Vec<_>>().join(", "),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The record's key: the connection and the ids, in the operation's order.
pub fn record_key(connection_id: &str, target: &Value) -> String {
    let ids: Vec<String> = target
        .as_object()
        .map(|ids| ids.iter().map(|(k, v)| format!("{k}={}", text_of(v))).collect())
        .unwrap_or_default();
    format!("{connection_id}|{}", ids.join("|"))
}

/// The cells of one operation's values: every field with a meaning the page lines up.
pub(crate) fn cells_of(operation: &dyn Operation, values: &Value) -> Vec<Cell> {
    operations::record_fields(operation.fields())
        .filter(|def| MEANINGS.contains(&def.meaning))
        .map(|def: &FieldDef| Cell {
            meaning: def.meaning,
            operation: operation.id().to_string(),
            field: def.key.to_string(),
            label: def.label.to_string(),
            value: crate::fields::value_at(values, def.key).cloned().unwrap_or(Value::Null),
            editable: def.kind != FieldKind::Boolean,
        })
        .collect()
}

/// Groups records into people, with the decisions kept in `links`.
pub fn group(records: &[PersonRecord], links: Option<&Links>) -> Vec<PersonGroup> {
    let identities = identities(records);
    let decisions = links.map(Links::decisions).unwrap_or_default();
    let mut groups = matching::group(&identities, &decisions);
    for group in &mut groups {
        if let Some(first) = group.members.first().and_then(|m| records.iter().find(|r| r.key == m.record_key)) {
            let name = first.identity().full_name();
            group.name = if name.is_empty() { first.name.clone() } else { name };
        }
    }
    groups
}

/// Each record's identity, without addresses that several records of one connection share (a
/// team mailbox such as it-alerts@ is no one's own address).
pub fn identities(records: &[PersonRecord]) -> Vec<matching::Identity> {
    let mut identities: Vec<matching::Identity> = records.iter().map(PersonRecord::identity).collect();
    let mut count: std::collections::BTreeMap<(String, String), usize> = Default::default();
    for (record, identity) in records.iter().zip(&identities) {
        let own: std::collections::BTreeSet<String> = identity.addresses.iter().map(|a| a.to_lowercase()).collect();
        for address in own {
            *count.entry((record.connection_id.clone(), address)).or_default() += 1;
        }
    }
    for (record, identity) in records.iter().zip(identities.iter_mut()) {
        identity
            .addresses
            .retain(|a| count.get(&(record.connection_id.clone(), a.to_lowercase())).is_none_or(|n| *n <= 1));
    }
    identities
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn meanings_are_named_as_the_ui_spells_them() {
        assert_eq!(meaning_named("surname"), Some(FieldMeaning::Surname));
        assert_eq!(meaning_named("given_name"), Some(FieldMeaning::GivenName));
        assert_eq!(meaning_named("password"), None, "only the meanings the page lines up");
    }

    #[test]
    fn every_vendor_has_a_record_operation() {
        for vendor in [Vendor::Avepoint, Vendor::PartnerCenter, Vendor::Softwareone, Vendor::Msp360] {
            assert!(!record_operations(vendor).is_empty(), "{vendor:?}");
        }
        let avepoint: Vec<&str> = record_operations(Vendor::Avepoint).iter().map(|op| op.id()).collect();
        assert_eq!(avepoint, ["avepoint.account-information", "avepoint.office-information"]);
    }

    #[test]
    fn a_shared_team_address_does_not_link_people() {
        let record = |key: &str, first: &str, emails: Value| PersonRecord {
            key: key.into(),
            connection_id: "msp".into(),
            connection_name: "MSP360".into(),
            vendor: Vendor::Msp360,
            vendor_label: "MSP360".into(),
            target: json!({}),
            name: first.into(),
            detail: String::new(),
            context: String::new(),
            cells: vec![
                Cell {
                    meaning: FieldMeaning::GivenName,
                    operation: "msp360.user".into(),
                    field: "FirstName".into(),
                    label: "First name".into(),
                    value: json!(first),
                    editable: true,
                },
                Cell {
                    meaning: FieldMeaning::Email,
                    operation: "msp360.user".into(),
                    field: "NotificationEmails".into(),
                    label: "Notification emails".into(),
                    value: emails,
                    editable: true,
                },
            ],
        };
        let records = [
            record("a", "Anna", json!(["anna@x.example", "it-alerts@x.example"])),
            record("b", "Server", json!(["it-alerts@x.example"])),
        ];
        assert_eq!(group(&records, None).len(), 2);
    }
}
