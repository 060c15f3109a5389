//! Every vendor operation by its name (`avepoint.account-information`, ...), over JSON values:
//! what the command-line client and generic commands drive. Typed code stays in the vendor
//! modules; this is the one table that maps names to it.

use crate::avepoint::{account_information, office_information, AvePointClient, UserTarget};
use crate::error::{Error, ErrorCode, FieldError, Result};
use crate::fields::{FieldKind, OperationSpec};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};
use std::sync::Arc;
use ts_rs::TS;

/// A signed-in client for whichever vendor a connection goes to.
#[derive(Clone)]
pub enum VendorClient {
    AvePoint(Arc<AvePointClient>),
}

/// One id an operation needs to find its record, with its CLI flag.
#[derive(Debug, Clone, Copy)]
pub struct TargetId {
    pub key: &'static str,
    pub flag: &'static str,
    pub label: &'static str,
}

const AVEPOINT_USER: &[TargetId] = &[
    TargetId { key: "customerId", flag: "customer", label: "Customer ID" },
    TargetId { key: "tenantId", flag: "tenant", label: "Tenant ID" },
    TargetId { key: "userId", flag: "user", label: "User ID" },
];

/// The operation names, as the UI, CLI and logs use them.
pub const OPERATION_IDS: &[&str] = &[account_information::OPERATION_ID, office_information::OPERATION_ID];

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
        other => Err(unknown(other)),
    }
}

pub fn target_ids(id: &str) -> Result<&'static [TargetId]> {
    match id {
        account_information::OPERATION_ID | office_information::OPERATION_ID => Ok(AVEPOINT_USER),
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

fn avepoint(client: &VendorClient) -> &AvePointClient {
    match client {
        VendorClient::AvePoint(client) => client,
    }
}

/// The record's current values.
pub async fn read(client: &VendorClient, id: &str, target: &Value) -> Result<Value> {
    match id {
        account_information::OPERATION_ID => {
            json(&account_information::read(avepoint(client), &typed::<UserTarget>("target", target)?).await?)
        }
        office_information::OPERATION_ID => {
            json(&office_information::read(avepoint(client), &typed::<UserTarget>("target", target)?).await?)
        }
        other => Err(unknown(other)),
    }
}

/// Applies `changes` (the vendor's keys) and returns the receipt as JSON.
pub async fn update(client: &VendorClient, id: &str, target: &Value, changes: &Value) -> Result<Value> {
    match id {
        account_information::OPERATION_ID => json(
            &account_information::update(
                avepoint(client),
                &typed::<UserTarget>("target", target)?,
                &typed("change", changes)?,
            )
            .await?,
        ),
        office_information::OPERATION_ID => json(
            &office_information::update(
                avepoint(client),
                &typed::<UserTarget>("target", target)?,
                &typed("change", changes)?,
            )
            .await?,
        ),
        other => Err(unknown(other)),
    }
}

/// What `changes` would do to `current`, field by field, after the same checks an update runs.
pub fn preview(id: &str, current: &Value, changes: &Value) -> Result<Vec<PlannedChange>> {
    let merged = match id {
        account_information::OPERATION_ID => {
            let merged = account_information::merge(&typed("current values", current)?, &typed("change", changes)?);
            refuse(account_information::check(&merged))?;
            json(&merged)?
        }
        office_information::OPERATION_ID => {
            let merged = office_information::merge(&typed("current values", current)?, &typed("change", changes)?);
            refuse(office_information::check(&merged))?;
            json(&merged)?
        }
        other => return Err(unknown(other)),
    };
    Ok(spec(id)?
        .fields
        .into_iter()
        .filter(|field| current.get(&field.key) != merged.get(&field.key))
        .map(|field| PlannedChange {
            before: current.get(&field.key).cloned().unwrap_or(Value::Null),
            after: merged.get(&field.key).cloned().unwrap_or(Value::Null),
            field: field.key,
            label: field.label,
        })
        .collect())
}

fn refuse(errors: Vec<FieldError>) -> Result<()> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::invalid_fields(errors))
    }
}

/// Turns `FIELD=VALUE` assignments into a change object, typed by each field's kind: `true`/
/// `false` (also yes/no, on/off) for switches, text otherwise. Dotted keys build nested objects.
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
            _ => Value::String(raw.clone()),
        };
        insert_dotted(&mut changes, key, value);
    }
    Ok(Value::Object(changes))
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
