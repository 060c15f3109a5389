//! Every vendor operation by its name (`avepoint.account-information`, ...), over JSON values:
//! what the command-line client and generic commands drive. Typed code stays in the vendor
//! modules; this is the one table that maps names to it.

use crate::avepoint::{account_information, office_information, AvePointClient, UserTarget};
use crate::error::{Error, ErrorCode, FieldError, Result};
use crate::fields::{FieldKind, OperationSpec};
use crate::msp360::{self, Msp360Client};
use crate::partner_center::{self, customer_user, PartnerCenterClient};
use crate::softwareone::{self, account_user, SoftwareOneClient};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};
use std::sync::Arc;
use ts_rs::TS;

/// A signed-in client for whichever vendor a connection goes to.
#[derive(Clone)]
pub enum VendorClient {
    AvePoint(Arc<AvePointClient>),
    PartnerCenter(Arc<PartnerCenterClient>),
    SoftwareOne(Arc<SoftwareOneClient>),
    Msp360(Arc<Msp360Client>),
}

/// One id an operation needs to find its record, with its CLI flag.
#[derive(Debug, Clone, Copy)]
pub struct TargetId {
    pub key: &'static str,
    pub flag: &'static str,
    pub label: &'static str,
    /// What the id stands for, in words ("customer", "tenant", "user").
    pub noun: &'static str,
}

const AVEPOINT_USER: &[TargetId] = &[
    TargetId { key: "customerId", flag: "customer", label: "Customer ID", noun: "customer" },
    TargetId { key: "tenantId", flag: "tenant", label: "Tenant ID", noun: "tenant" },
    TargetId { key: "userId", flag: "user", label: "User ID", noun: "user" },
];

const PARTNER_CENTER_USER: &[TargetId] = &[
    TargetId { key: "customerId", flag: "customer", label: "Customer tenant ID", noun: "customer" },
    TargetId { key: "userId", flag: "user", label: "User ID", noun: "user" },
];

const SOFTWAREONE_USER: &[TargetId] = &[
    TargetId { key: "accountId", flag: "account", label: "Account ID", noun: "account" },
    TargetId { key: "userId", flag: "user", label: "User ID", noun: "user" },
];

const MSP360_USER: &[TargetId] = &[TargetId { key: "userId", flag: "user", label: "User ID", noun: "user" }];

/// The operation names, as the UI, CLI and logs use them.
pub const OPERATION_IDS: &[&str] = &[
    account_information::OPERATION_ID,
    office_information::OPERATION_ID,
    customer_user::OPERATION_ID,
    account_user::OPERATION_ID,
    msp360::user::OPERATION_ID,
];

/// An operation as the desk offers it: what it is called and which ids find its record.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OperationSummary {
    pub id: String,
    pub vendor: crate::profiles::Vendor,
    pub title: String,
    pub targets: Vec<TargetField>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TargetField {
    pub key: String,
    pub label: String,
    pub noun: String,
}

/// Every operation, in the order the desk lists them.
pub fn summaries() -> Vec<OperationSummary> {
    OPERATION_IDS
        .iter()
        .filter_map(|id| {
            Some(OperationSummary {
                id: id.to_string(),
                vendor: vendor(id).ok()?,
                title: spec(id).ok()?.title,
                targets: target_ids(id)
                    .ok()?
                    .iter()
                    .map(|t| TargetField {
                        key: t.key.to_string(),
                        label: t.label.to_string(),
                        noun: t.noun.to_string(),
                    })
                    .collect(),
            })
        })
        .collect()
}

/// One field's planned change, for reviews and `--dry-run`.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PlannedChange {
    pub field: String,
    pub label: String,
    #[ts(type = "unknown")]
    pub before: Value,
    #[ts(type = "unknown")]
    pub after: Value,
}

fn unknown(id: &str) -> Error {
    Error::new(
        ErrorCode::InvalidInput,
        format!("There is no operation called \"{id}\". Known operations: {}.", OPERATION_IDS.join(", ")),
    )
}

pub fn spec(id: &str) -> Result<OperationSpec> {
    match id {
        account_information::OPERATION_ID => Ok(account_information::spec()),
        office_information::OPERATION_ID => Ok(office_information::spec()),
        customer_user::OPERATION_ID => Ok(customer_user::spec()),
        account_user::OPERATION_ID => Ok(account_user::spec()),
        msp360::user::OPERATION_ID => Ok(msp360::user::spec()),
        other => Err(unknown(other)),
    }
}

pub fn target_ids(id: &str) -> Result<&'static [TargetId]> {
    match id {
        account_information::OPERATION_ID | office_information::OPERATION_ID => Ok(AVEPOINT_USER),
        customer_user::OPERATION_ID => Ok(PARTNER_CENTER_USER),
        account_user::OPERATION_ID => Ok(SOFTWAREONE_USER),
        msp360::user::OPERATION_ID => Ok(MSP360_USER),
        other => Err(unknown(other)),
    }
}

/// The vendor an operation belongs to.
pub fn vendor(id: &str) -> Result<crate::profiles::Vendor> {
    use crate::profiles::Vendor;
    match id {
        account_information::OPERATION_ID | office_information::OPERATION_ID => Ok(Vendor::Avepoint),
        customer_user::OPERATION_ID => Ok(Vendor::PartnerCenter),
        account_user::OPERATION_ID => Ok(Vendor::Softwareone),
        msp360::user::OPERATION_ID => Ok(Vendor::Msp360),
        other => Err(unknown(other)),
    }
}

fn typed<T: DeserializeOwned>(what: &str, value: &Value) -> Result<T> {
    serde_json::from_value(value.clone())
        .map_err(|e| Error::new(ErrorCode::InvalidInput, format!("The {what} can't be used: {e}.")))
}

fn json<T: Serialize>(value: &T) -> Result<Value> {
    serde_json::to_value(value).map_err(|e| Error::internal(format!("Could not encode the result: {e}")))
}

pub(crate) fn wrong_vendor(id: &str) -> Error {
    Error::new(
        ErrorCode::InvalidConnection,
        format!(
            "{id} needs a connection to {}; this connection goes elsewhere.",
            vendor(id).map(|v| v.label()).unwrap_or("another vendor")
        ),
    )
}

fn avepoint<'a>(client: &'a VendorClient, id: &str) -> Result<&'a AvePointClient> {
    match client {
        VendorClient::AvePoint(client) => Ok(client),
        _ => Err(wrong_vendor(id)),
    }
}

fn partner_center_client<'a>(client: &'a VendorClient, id: &str) -> Result<&'a PartnerCenterClient> {
    match client {
        VendorClient::PartnerCenter(client) => Ok(client),
        _ => Err(wrong_vendor(id)),
    }
}

fn softwareone_client<'a>(client: &'a VendorClient, id: &str) -> Result<&'a SoftwareOneClient> {
    match client {
        VendorClient::SoftwareOne(client) => Ok(client),
        _ => Err(wrong_vendor(id)),
    }
}

fn msp360_client<'a>(client: &'a VendorClient, id: &str) -> Result<&'a Msp360Client> {
    match client {
        VendorClient::Msp360(client) => Ok(client),
        _ => Err(wrong_vendor(id)),
    }
}

/// The record's current values.
pub async fn read(client: &VendorClient, id: &str, target: &Value) -> Result<Value> {
    match id {
        account_information::OPERATION_ID => {
            json(&account_information::read(avepoint(client, id)?, &typed::<UserTarget>("target", target)?).await?)
        }
        office_information::OPERATION_ID => {
            json(&office_information::read(avepoint(client, id)?, &typed::<UserTarget>("target", target)?).await?)
        }
        customer_user::OPERATION_ID => json(
            &customer_user::read(
                partner_center_client(client, id)?,
                &typed::<partner_center::UserTarget>("target", target)?,
            )
            .await?,
        ),
        account_user::OPERATION_ID => json(
            &account_user::read(
                softwareone_client(client, id)?,
                &typed::<softwareone::AccountUserTarget>("target", target)?,
            )
            .await?,
        ),
        msp360::user::OPERATION_ID => json(
            &msp360::user::read(msp360_client(client, id)?, &typed::<msp360::UserTarget>("target", target)?).await?,
        ),
        other => Err(unknown(other)),
    }
}

/// Applies `changes` (the vendor's keys) and returns the receipt as JSON.
pub async fn update(client: &VendorClient, id: &str, target: &Value, changes: &Value) -> Result<Value> {
    match id {
        account_information::OPERATION_ID => json(
            &account_information::update(
                avepoint(client, id)?,
                &typed::<UserTarget>("target", target)?,
                &typed("change", changes)?,
            )
            .await?,
        ),
        office_information::OPERATION_ID => json(
            &office_information::update(
                avepoint(client, id)?,
                &typed::<UserTarget>("target", target)?,
                &typed("change", changes)?,
            )
            .await?,
        ),
        customer_user::OPERATION_ID => json(
            &customer_user::update(
                partner_center_client(client, id)?,
                &typed::<partner_center::UserTarget>("target", target)?,
                &typed("change", changes)?,
            )
            .await?,
        ),
        account_user::OPERATION_ID => json(
            &account_user::update(
                softwareone_client(client, id)?,
                &typed::<softwareone::AccountUserTarget>("target", target)?,
                &typed("change", changes)?,
            )
            .await?,
        ),
        msp360::user::OPERATION_ID => json(
            &msp360::user::update(
                msp360_client(client, id)?,
                &typed::<msp360::UserTarget>("target", target)?,
                &typed("change", changes)?,
            )
            .await?,
        ),
        other => Err(unknown(other)),
    }
}

/// What `changes` would do to `current`, field by field, after the same checks an update runs:
/// edits strictly, values the vendor returned only for being present where required.
pub fn preview(id: &str, current: &Value, changes: &Value) -> Result<Vec<PlannedChange>> {
    let merged = match id {
        account_information::OPERATION_ID => {
            let current = typed("current values", current)?;
            let merged = account_information::merge(&current, &typed("change", changes)?);
            refuse(account_information::check_update(&current, &merged))?;
            json(&merged)?
        }
        office_information::OPERATION_ID => {
            let current = typed("current values", current)?;
            let merged = office_information::merge(&current, &typed("change", changes)?);
            refuse(office_information::check_update(&current, &merged))?;
            json(&merged)?
        }
        customer_user::OPERATION_ID => {
            let changes = typed("change", changes)?;
            refuse(customer_user::check_changes(&changes))?;
            let current = typed("current values", current)?;
            let merged = customer_user::merge(&current, &changes);
            refuse(customer_user::check_update(&current, &merged))?;
            json(&merged)?
        }
        account_user::OPERATION_ID => {
            // SoftwareOne takes a delta: only the changed fields are checked, as the update does.
            let changes = typed("change", changes)?;
            refuse(account_user::check_changes(&changes))?;
            json(&account_user::merge(&typed("current values", current)?, &changes))?
        }
        msp360::user::OPERATION_ID => {
            let changes = typed("change", changes)?;
            refuse(msp360::user::check_changes(&changes))?;
            let current = typed("current values", current)?;
            let merged = msp360::user::merge(&current, &changes);
            refuse(msp360::user::check_update(&current, &merged))?;
            json(&merged)?
        }
        other => return Err(unknown(other)),
    };
    let mut planned = Vec::new();
    for field in spec(id)?.fields {
        if field.kind == FieldKind::Password {
            // Passwords are never read back or shown: say only that it will change.
            if get_dotted(changes, &field.key).is_some_and(|v| !v.is_null()) {
                planned.push(PlannedChange {
                    field: field.key,
                    label: field.label,
                    before: Value::Null,
                    after: Value::String("(will be changed)".into()),
                });
            }
            continue;
        }
        let (before, after) = (get_dotted(current, &field.key), get_dotted(&merged, &field.key));
        if before != after {
            planned.push(PlannedChange {
                before: before.cloned().unwrap_or(Value::Null),
                after: after.cloned().unwrap_or(Value::Null),
                field: field.key,
                label: field.label,
            });
        }
    }
    Ok(planned)
}

/// `phone.number` → `value["phone"]["number"]`.
fn get_dotted<'a>(value: &'a Value, key: &str) -> Option<&'a Value> {
    key.split('.').try_fold(value, |value, part| value.get(part))
}

fn refuse(errors: Vec<FieldError>) -> Result<()> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::invalid_fields(errors))
    }
}

/// Turns `FIELD=VALUE` assignments into a change object, typed by each field's kind: `true`/
/// `false` (also yes/no, on/off) for switches; a list for list fields, split on commas and
/// semicolons with each entry trimmed and empty entries dropped (so an empty value clears the
/// list), as the form reads a typed list; text otherwise (no field is a number). Dotted keys
/// build nested objects.
pub fn changes_from_assignments(id: &str, assignments: &[(String, String)]) -> Result<Value> {
    let spec = spec(id)?;
    let mut changes = Map::new();
    for (key, raw) in assignments {
        let field = spec.fields.iter().find(|f| &f.key == key).ok_or_else(|| {
            let known: Vec<&str> = spec.fields.iter().map(|f| f.key.as_str()).collect();
            Error::new(
                ErrorCode::InvalidInput,
                format!("{id} has no field \"{key}\". Its fields are: {}.", known.join(", ")),
            )
            .with_field(key, format!("Unknown field \"{key}\"."))
        })?;
        let value = match field.kind {
            FieldKind::Boolean => match raw.trim().to_ascii_lowercase().as_str() {
                "true" | "yes" | "on" | "1" => Value::Bool(true),
                "false" | "no" | "off" | "0" => Value::Bool(false),
                _ => {
                    let message = format!("{} must be true or false, not \"{raw}\".", field.label);
                    return Err(Error::new(ErrorCode::InvalidInput, message.clone()).with_field(key, message));
                }
            },
            FieldKind::EmailList => Value::Array(list_entries(raw).map(Value::String).collect()),
            FieldKind::Text | FieldKind::Email | FieldKind::Choice | FieldKind::DateTimeUtc | FieldKind::Password => {
                Value::String(raw.clone())
            }
        };
        insert_dotted(&mut changes, key, value);
    }
    Ok(Value::Object(changes))
}

/// `a@x.com, b@y.com;` → `a@x.com`, `b@y.com`.
fn list_entries(raw: &str) -> impl Iterator<Item = String> + '_ {
    raw.split([',', ';']).map(str::trim).filter(|entry| !entry.is_empty()).map(str::to_string)
}

fn insert_dotted(object: &mut Map<String, Value>, key: &str, value: Value) {
    match key.split_once('.') {
        None => {
            object.insert(key.to_string(), value);
        }
        Some((head, rest)) => {
            let child = object.entry(head.to_string()).or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(child) = child {
                insert_dotted(child, rest, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn summaries_list_every_operation_with_its_vendor_and_ids() {
        let all = summaries();
        assert_eq!(all.len(), OPERATION_IDS.len());
        let msp = all.iter().find(|o| o.id == "msp360.user").unwrap();
        assert_eq!(msp.vendor, crate::profiles::Vendor::Msp360);
        assert_eq!(msp.targets.len(), 1);
    }

    #[test]
    fn every_operation_has_a_spec_and_targets() {
        for id in OPERATION_IDS {
            assert_eq!(spec(id).unwrap().id, *id);
            assert!(!target_ids(id).unwrap().is_empty());
        }
        assert!(spec("avepoint.nothing").unwrap_err().message.contains("Known operations"));
    }

    #[test]
    fn assignments_are_typed_by_field_kind() {
        let changes = changes_from_assignments(
            "avepoint.account-information",
            &[("mail".into(), "a@b.example".into()), ("enforceEnd".into(), "yes".into())],
        )
        .unwrap();
        assert_eq!(changes, json!({ "mail": "a@b.example", "enforceEnd": true }));
        let error = changes_from_assignments("avepoint.account-information", &[("enforceEnd".into(), "maybe".into())])
            .unwrap_err();
        assert_eq!(error.field.as_deref(), Some("enforceEnd"));
        let error =
            changes_from_assignments("avepoint.account-information", &[("mial".into(), "x".into())]).unwrap_err();
        assert!(error.message.contains("Its fields are: mail, usageLocation"), "{}", error.message);
    }

    #[test]
    fn preview_checks_edits_but_not_values_the_vendor_holds() {
        // Outside our lists or formats, as the vendor returned them: they go back untouched.
        let avepoint = json!({
            "mail": "a@b.example", "usageLocation": "XK", "preferredLanguage": "zh-Hans",
            "enforceStart": false, "enforceStartDateTime": "2030-01-01T00:00:00",
            "enforceEnd": false, "enforceEndDateTime": "1970-01-01T00:00:00Z"
        });
        let partner_center = json!({
            "displayName": "Adele Vance", "firstName": "Adele", "lastName": "Vance",
            "userPrincipalName": "adele@contoso.example", "usageLocation": "XK"
        });
        let msp360 = json!({
            "Email": "testuser2", "FirstName": "Test", "LastName": "User", "NotificationEmails": [],
            "Company": "", "Enabled": true, "LicenseManagmentMode": "3"
        });
        for (id, current, edit, bad_edit, field) in [
            (
                "avepoint.account-information",
                &avepoint,
                json!({"mail": "c@d.example"}),
                json!({"usageLocation": "XX"}),
                "usageLocation",
            ),
            (
                "partner-center.customer-user",
                &partner_center,
                json!({"firstName": "Ada"}),
                json!({"usageLocation": "XX"}),
                "usageLocation",
            ),
            (
                "msp360.user",
                &msp360,
                json!({"FirstName": "Tess"}),
                json!({"LicenseManagmentMode": "Trial"}),
                "LicenseManagmentMode",
            ),
        ] {
            let planned = preview(id, current, &edit).unwrap_or_else(|e| panic!("{id}: {e:?}"));
            assert_eq!(planned.len(), 1, "{id}");
            assert_eq!(preview(id, current, &bad_edit).unwrap_err().field.as_deref(), Some(field), "{id}");
        }
        // A required value the vendor left empty is still asked for: the vendor requires it.
        let office = json!({"postalCode": "98052", "countryRegion": "United States", "state": "WA", "address": "1 Main Street", "city": ""});
        let error = preview("avepoint.office-information", &office, &json!({"state": "OR"})).unwrap_err();
        assert_eq!(error.field.as_deref(), Some("city"));
    }

    #[test]
    fn list_assignments_split_on_commas_and_semicolons() {
        let changes = changes_from_assignments(
            "msp360.user",
            &[("NotificationEmails".into(), " a@example.com , b@example.org;c@example.net;".into())],
        )
        .unwrap();
        assert_eq!(changes, json!({ "NotificationEmails": ["a@example.com", "b@example.org", "c@example.net"] }));
        for empty in ["", "  ", " , ;"] {
            let changes =
                changes_from_assignments("msp360.user", &[("NotificationEmails".into(), empty.into())]).unwrap();
            assert_eq!(changes, json!({ "NotificationEmails": [] }), "{empty:?}");
        }
        // Text stays text, commas and all.
        let changes =
            changes_from_assignments("msp360.user", &[("Company".into(), "Smith, Jones & Co".into())]).unwrap();
        assert_eq!(changes, json!({ "Company": "Smith, Jones & Co" }));
    }

    #[test]
    fn dotted_keys_build_nested_objects() {
        let mut object = Map::new();
        insert_dotted(&mut object, "phone.number", json!("555"));
        insert_dotted(&mut object, "phone.prefix", json!("+1"));
        assert_eq!(Value::Object(object), json!({ "phone": { "number": "555", "prefix": "+1" } }));
    }

    #[test]
    fn preview_lists_before_and_after_and_checks_the_result() {
        let current = json!({
            "mail": "a@b.example", "usageLocation": "AF", "preferredLanguage": "af-NA",
            "enforceStart": false, "enforceStartDateTime": "1970-01-01T00:00:00Z",
            "enforceEnd": false, "enforceEndDateTime": "1970-01-01T00:00:00Z"
        });
        let planned = preview("avepoint.account-information", &current, &json!({ "usageLocation": "DE" })).unwrap();
        assert_eq!(
            planned,
            vec![PlannedChange {
                field: "usageLocation".into(),
                label: "Usage location".into(),
                before: json!("AF"),
                after: json!("DE")
            }]
        );
        let error =
            preview("avepoint.account-information", &current, &json!({ "usageLocation": "Germany" })).unwrap_err();
        assert_eq!(error.field.as_deref(), Some("usageLocation"));
    }
}
