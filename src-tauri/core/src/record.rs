//! A record as its operation's field table describes it. Each [`FieldDef`] names where its value
//! lives in the vendor's JSON (its key, dotted for nested members), its kind and how an edit is
//! cleaned up, so reading a record's values, taking edits apart and merging them is written once,
//! here, for every operation: there is no typed record, no changes struct and no hand-written
//! merge per operation.
//!
//! Values and edits are JSON objects in the vendor's keys (nested where the vendor nests); a
//! record's values hold every field but passwords, edits only the fields someone changed.

use crate::error::{Error, ErrorCode, Result};
use crate::fields::{value_at, FieldDef, FieldKind};
use crate::operations::{insert_dotted, record_fields};
use serde_json::{Map, Value};

/// The values of `defs` in the vendor's JSON (`json`), in definition order: a value the vendor
/// left out or sent as `null` reads as empty (`""`, off, no entries); a value of another type
/// than its field's kind, or a reply that is no object, is a reply Switchboard can't read.
pub fn values(defs: &[FieldDef], vendor: &str, json: &Value) -> Result<Value> {
    if !json.is_object() {
        return Err(crate::http::malformed(vendor, "Expected a JSON object."));
    }
    let mut values = Map::new();
    for def in record_fields(defs) {
        let malformed = || crate::http::malformed(vendor, format!("{} is not of the documented type.", def.key));
        // A member on the way that is neither an object nor `null` is not of the documented shape.
        let mut at = Some(json);
        for segment in def.key.split('.') {
            at = match at {
                Some(Value::Object(members)) => members.get(segment),
                None | Some(Value::Null) => None,
                Some(_) => return Err(malformed()),
            };
        }
        let value = match at {
            None | Some(Value::Null) => def.kind.empty(),
            Some(value) if def.kind.holds(value) => value.clone(),
            Some(_) => return Err(malformed()),
        };
        insert_dotted(&mut values, def.key, value);
    }
    Ok(Value::Object(values))
}

/// Edits as the UI or CLI sent them (nested like the vendor's JSON) as one object keyed by the
/// fields' dotted keys. A `null` is no edit; a key that is no field is refused, as is anything
/// but an object. The values are checked by the caller ([`crate::fields::check_present`]).
pub fn edits(defs: &[FieldDef], edits: &Value) -> Result<Value> {
    let mut flat = Map::new();
    match edits {
        Value::Object(object) => flatten(defs, "", object, &mut flat)?,
        Value::Null => {}
        other => return Err(unusable(format!("expected an object of fields, got {other}"))),
    }
    Ok(Value::Object(flat))
}

fn flatten(defs: &[FieldDef], prefix: &str, object: &Map<String, Value>, flat: &mut Map<String, Value>) -> Result<()> {
    for (key, value) in object {
        let path = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
        let nested = format!("{path}.");
        match value {
            Value::Null => {}
            _ if defs.iter().any(|def| def.key == path) => {
                flat.insert(path, value.clone());
            }
            Value::Object(members) if defs.iter().any(|def| def.key.starts_with(&nested)) => {
                flatten(defs, &path, members, flat)?;
            }
            _ => {
                let known: Vec<&str> = defs.iter().map(|def| def.key).collect();
                return Err(unusable(format!("unknown field `{path}`, expected one of {}", known.join(", "))));
            }
        }
    }
    Ok(())
}

fn unusable(why: String) -> Error {
    Error::new(ErrorCode::InvalidInput, format!("The change can't be used: {why}."))
}

/// Edits (from [`edits`]) as they are merged: text trimmed, and list entries trimmed with blank
/// ones dropped, for every field whose definition says so ([`FieldDef::untrimmed`]); passwords
/// exactly as typed.
pub fn trimmed(defs: &[FieldDef], edits: &Value) -> Value {
    let mut edits = edits.clone();
    for def in defs.iter().filter(|def| def.trim && def.kind != FieldKind::Password) {
        match edits.get_mut(def.key) {
            Some(Value::String(text)) => *text = text.trim().to_string(),
            Some(Value::Array(entries)) => {
                entries.retain_mut(|entry| match entry {
                    Value::String(text) => {
                        *text = text.trim().to_string();
                        !text.is_empty()
                    }
                    _ => true,
                });
            }
            _ => {}
        }
    }
    edits
}

/// The record's values with the edits over them: each edited field takes its edit, every other
/// keeps the value the vendor holds. Passwords are not part of the values.
pub fn merge(defs: &[FieldDef], before: &Value, edits: &Value) -> Value {
    let mut after = before.as_object().cloned().unwrap_or_default();
    for def in record_fields(defs) {
        if let Some(value) = edits.get(def.key) {
            insert_dotted(&mut after, def.key, value.clone());
        }
    }
    Value::Object(after)
}

/// A text value at `key` (dotted), or "" when there is none.
pub fn text<'a>(values: &'a Value, key: &str) -> &'a str {
    value_at(values, key).and_then(Value::as_str).unwrap_or_default()
}

/// `values` with `value` at `key` (dotted): a test's record that differs in one field.
#[cfg(test)]
pub fn with(mut values: Value, key: &str, value: Value) -> Value {
    if let Value::Object(object) = &mut values {
        insert_dotted(object, key, value);
    }
    values
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::FieldMeaning;
    use serde_json::json;

    const DEFS: &[FieldDef] = &[
        FieldDef::new("name", "Name", FieldKind::Text, FieldMeaning::DisplayName),
        FieldDef::new("on", "On", FieldKind::Boolean, FieldMeaning::Enabled),
        FieldDef::new("to", "To", FieldKind::EmailList, FieldMeaning::Email),
        FieldDef::new("phone.number", "Phone", FieldKind::Text, FieldMeaning::Phone),
        FieldDef::new("phone.sep", "Separator", FieldKind::Text, FieldMeaning::GroupSeparator).untrimmed(),
        FieldDef::new("password", "Password", FieldKind::Password, FieldMeaning::Password),
    ];

    #[test]
    fn values_read_absent_and_null_as_empty_and_refuse_other_types() {
        let values = values(DEFS, "Vendor", &json!({"name": "Ann", "phone": null, "extra": 1})).unwrap();
        assert_eq!(values, json!({"name": "Ann", "on": false, "to": [], "phone": {"number": "", "sep": ""}}));
        for bad in [json!({"on": "yes"}), json!({"to": [1]}), json!({"phone": "1"}), json!([1, 2, 3])] {
            assert_eq!(super::values(DEFS, "Vendor", &bad).unwrap_err().code, ErrorCode::MalformedResponse, "{bad}");
        }
    }

    #[test]
    fn edits_flatten_nested_members_and_refuse_unknown_keys() {
        let flat = edits(DEFS, &json!({"name": "Bo", "on": null, "phone": {"number": "1"}})).unwrap();
        assert_eq!(flat, json!({"name": "Bo", "phone.number": "1"}));
        for bad in [json!({"nmae": "x"}), json!({"phone": {"ext": "1"}}), json!({"phone": "1"}), json!([1])] {
            assert_eq!(edits(DEFS, &bad).unwrap_err().code, ErrorCode::InvalidInput, "{bad}");
        }
    }

    #[test]
    fn merge_takes_trimmed_edits_and_keeps_the_rest() {
        let before = json!({"name": "Ann", "on": true, "to": [], "phone": {"number": "1", "sep": ","}});
        let raw = json!({"name": " Bo ", "to": [" a@b.example ", " "], "phone.sep": " ", "password": " p "});
        let edits = trimmed(DEFS, &raw);
        assert_eq!(edits["password"], " p ", "a password is never trimmed");
        let after = merge(DEFS, &before, &edits);
        assert_eq!(
            after,
            json!({"name": "Bo", "on": true, "to": ["a@b.example"], "phone": {"number": "1", "sep": " "}})
        );
    }
}
