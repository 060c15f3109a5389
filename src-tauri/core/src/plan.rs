//! A change is a plan: the exact fields before → after and the exact request, worked out once
//! from a read of the record, shown once in the review, and then sent exactly as planned by
//! whoever applies it (the desk, the command line, later a bulk run or an undo).
//!
//! Planning is pure: an operation turns a [`Snapshot`] (what the vendor holds) and the edits
//! into a [`Planned`] change without any I/O, so a preview and an update cannot drift apart —
//! they run the same function. Applying a plan reads the record again and sends nothing if any
//! of the operation's fields changed at the vendor since the plan was made.

use crate::error::{Error, ErrorCode, FieldError};
use crate::fields::{value_at, FieldDef, FieldKind};
use crate::secret::Secret;
use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

/// One field's planned change, for reviews, `--dry-run`, receipts and the history.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PlannedChange {
    pub field: String,
    pub label: String,
    #[ts(type = "unknown")]
    pub before: Value,
    #[ts(type = "unknown")]
    pub after: Value,
}

/// A record as read for planning: the operation's field values (what the form shows and what
/// a later apply compares), and the vendor's own JSON where a request echoes members from it.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub values: Value,
    pub raw: Value,
}

impl Snapshot {
    /// A record whose request needs nothing beyond its field values.
    pub fn of_values(values: Value) -> Self {
        Snapshot { raw: values.clone(), values }
    }
}

/// The write methods the vendors' update endpoints use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "UPPERCASE")]
pub enum WriteMethod {
    Put,
    Patch,
}

impl WriteMethod {
    pub fn as_reqwest(self) -> reqwest::Method {
        match self {
            WriteMethod::Put => reqwest::Method::PUT,
            WriteMethod::Patch => reqwest::Method::PATCH,
        }
    }
}

/// The one secret a request may carry (a new password): kept out of [`PlannedRequest::body`],
/// so the body can be shown, logged and compared, and put in only when the request is sent.
#[derive(Debug, PartialEq, Eq)]
pub struct SecretMember {
    /// Where it goes in the body, as a JSON pointer (`/passwordProfile/password`).
    pub pointer: &'static str,
    pub value: Secret,
}

/// `Secret` is not `Clone`: a copy of the request copies the password explicitly.
impl Clone for SecretMember {
    fn clone(&self) -> Self {
        SecretMember { pointer: self.pointer, value: self.value.duplicate() }
    }
}

/// The exact request a plan sends.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedRequest {
    pub method: WriteMethod,
    /// The path below the connection's API address, as sent.
    pub path: String,
    /// The body without its secret member (see [`SecretMember`]).
    pub body: Value,
    pub secret: Option<SecretMember>,
}

/// What the review shows in place of a secret in a request body.
pub const SECRET_SHOWN_AS: &str = "(new password, not shown)";
/// What the review's change list shows for a new password.
pub const SECRET_CHANGE_SHOWN_AS: &str = "(will be changed)";

impl PlannedRequest {
    /// The body as it goes on the wire, secret member included.
    pub fn body_to_send(&self) -> Value {
        self.body_with(|secret| Value::String(secret.expose().to_string()))
    }

    /// The body as the review and logs show it.
    pub fn body_shown(&self) -> Value {
        self.body_with(|_| Value::String(SECRET_SHOWN_AS.to_string()))
    }

    fn body_with(&self, secret_value: impl Fn(&Secret) -> Value) -> Value {
        let mut body = self.body.clone();
        if let Some(secret) = &self.secret {
            insert_at_pointer(&mut body, secret.pointer, secret_value(&secret.value));
        }
        body
    }
}

/// `/a/b` → `body["a"]["b"] = value`, creating objects on the way.
fn insert_at_pointer(body: &mut Value, pointer: &str, value: Value) {
    let mut node = body;
    let mut segments = pointer.trim_start_matches('/').split('/').peekable();
    while let Some(segment) = segments.next() {
        if !node.is_object() {
            *node = Value::Object(Default::default());
        }
        let object = node.as_object_mut().expect("made an object above");
        if segments.peek().is_none() {
            object.insert(segment.to_string(), value);
            return;
        }
        node = object.entry(segment.to_string()).or_insert_with(|| Value::Object(Default::default()));
    }
}

/// What an operation plans from a snapshot and edits: the merged values, the changes to show,
/// and the request (none when nothing differs).
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    pub after: Value,
    pub changes: Vec<PlannedChange>,
    pub request: Option<PlannedRequest>,
}

/// What a sent request returned: the record as the vendor now holds it (when it answers with
/// it) and the vendor's reference for the request.
#[derive(Debug, Clone, Default)]
pub struct Sent {
    pub after: Option<Value>,
    pub request_id: Option<String>,
}

/// One read-plan-apply run: ids that tie its requests together at the vendor (Partner Center
/// gives every request of one operation the same correlation id).
#[derive(Debug, Clone)]
pub struct Call {
    pub correlation_id: String,
}

impl Call {
    pub fn new() -> Self {
        Call { correlation_id: uuid::Uuid::new_v4().to_string() }
    }
}

impl Default for Call {
    fn default() -> Self {
        Call::new()
    }
}

/// A checked change, ready to apply exactly as it is.
#[derive(Debug, Clone)]
pub struct Plan {
    pub id: String,
    pub operation: &'static str,
    pub target: Value,
    /// The operation's field values the plan was made from.
    pub basis: Value,
    pub after: Value,
    pub changes: Vec<PlannedChange>,
    /// Values the vendor holds that break one of Switchboard's rules: sent back as they are.
    pub warnings: Vec<FieldError>,
    pub request: Option<PlannedRequest>,
    pub call: Call,
}

impl Plan {
    /// What the review and `--dry-run` show: everything but the secret.
    pub fn view(&self) -> PlanView {
        PlanView {
            id: self.id.clone(),
            operation: self.operation.to_string(),
            target: self.target.clone(),
            changes: self.changes.clone(),
            warnings: self.warnings.clone(),
            request: self.request.as_ref().map(|request| RequestView {
                method: request.method,
                path: request.path.clone(),
                body: request.body_shown(),
            }),
        }
    }

    /// The changed field keys, in form order.
    pub fn changed_fields(&self) -> Vec<String> {
        self.changes.iter().map(|change| change.field.clone()).collect()
    }
}

/// A plan as the review shows it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PlanView {
    pub id: String,
    pub operation: String,
    #[ts(type = "Record<string, string>")]
    pub target: Value,
    pub changes: Vec<PlannedChange>,
    pub warnings: Vec<FieldError>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<RequestView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RequestView {
    pub method: WriteMethod,
    pub path: String,
    #[ts(type = "unknown")]
    pub body: Value,
}

/// Each field of `defs` whose value differs between `before` and `after`, in definition order;
/// a password is listed (without its value) when `secret_set`.
pub fn changes_between(defs: &[FieldDef], before: &Value, after: &Value, secret_set: bool) -> Vec<PlannedChange> {
    defs.iter()
        .filter_map(|def| {
            if def.kind == FieldKind::Password {
                return secret_set.then(|| PlannedChange {
                    field: def.key.to_string(),
                    label: def.label.to_string(),
                    before: Value::Null,
                    after: Value::String(SECRET_CHANGE_SHOWN_AS.to_string()),
                });
            }
            let (was, will) = (value_at(before, def.key), value_at(after, def.key));
            (was != will).then(|| PlannedChange {
                field: def.key.to_string(),
                label: def.label.to_string(),
                before: was.cloned().unwrap_or(Value::Null),
                after: will.cloned().unwrap_or(Value::Null),
            })
        })
        .collect()
}

/// Values the vendor holds that a plan leaves as they are although they break one of our rules
/// (a code newer than our list, a date without `Z`): shown as warnings, sent back untouched.
pub fn warnings(defs: &[FieldDef], before: &Value, after: &Value) -> Vec<FieldError> {
    defs.iter()
        .filter(|def| def.kind != FieldKind::Password && def.applies_in(after))
        .filter(|def| value_at(before, def.key) == value_at(after, def.key))
        .filter_map(|def| def.check(value_at(after, def.key).unwrap_or(&Value::Null)))
        .map(|error| FieldError {
            message: format!(
                "{} (as the vendor holds it; it goes back unchanged)",
                error.message.trim_end_matches('.')
            ),
            ..error
        })
        .collect()
}

/// The fields whose value at the vendor is no longer what the plan was made from; an error
/// naming each (was → is now) when any changed, so nothing is sent over someone else's change.
pub fn check_unchanged(defs: &[FieldDef], basis: &Value, now: &Value) -> Result<(), Error> {
    let changed: Vec<FieldError> = defs
        .iter()
        .filter(|def| def.kind != FieldKind::Password)
        .filter(|def| value_at(basis, def.key) != value_at(now, def.key))
        .map(|def| FieldError {
            field: def.key.to_string(),
            message: format!(
                "{} changed since the review: it was {}, it is now {}.",
                def.label,
                shown(value_at(basis, def.key)),
                shown(value_at(now, def.key))
            ),
        })
        .collect();
    if changed.is_empty() {
        return Ok(());
    }
    let names: Vec<&str> = changed
        .iter()
        .filter_map(|error| defs.iter().find(|def| def.key == error.field).map(|def| def.label))
        .collect();
    let mut error = Error::new(
        ErrorCode::ChangedSinceReview,
        format!(
            "Nothing was saved: this record changed at the vendor since you reviewed it ({}). Review the change again.",
            names.join(", ")
        ),
    );
    error.field_errors = changed;
    Err(error)
}

/// A value as a sentence shows it: `"text"`, on/off, a list, or "empty".
pub fn shown(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => "empty".to_string(),
        Some(Value::String(text)) if text.is_empty() => "empty".to_string(),
        Some(Value::String(text)) => format!("\"{text}\""),
        Some(Value::Bool(true)) => "on".to_string(),
        Some(Value::Bool(false)) => "off".to_string(),
        Some(Value::Array(items)) if items.is_empty() => "empty".to_string(),
        Some(Value::Array(items)) => items.iter().map(|item| shown(Some(item))).collect::<Vec<_>>().join(", "),
        Some(other) => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::FieldMeaning;
    use serde_json::json;

    const DEFS: &[FieldDef] = &[
        FieldDef::new("name", "Name", FieldKind::Text, FieldMeaning::DisplayName).required(),
        FieldDef::new("phone.number", "Phone", FieldKind::Text, FieldMeaning::Phone),
        FieldDef::new("password", "New password", FieldKind::Password, FieldMeaning::Password),
    ];

    #[test]
    fn the_secret_is_only_in_the_body_sent() {
        let request = PlannedRequest {
            method: WriteMethod::Patch,
            path: "/v1/users/u1".into(),
            body: json!({"name": "Ann", "passwordProfile": {"forceChangePassword": true}}),
            secret: Some(SecretMember { pointer: "/passwordProfile/password", value: Secret::new("S3cret!pw") }),
        };
        assert_eq!(request.body_to_send()["passwordProfile"]["password"], "S3cret!pw");
        assert_eq!(request.body_to_send()["passwordProfile"]["forceChangePassword"], true);
        assert_eq!(request.body_shown()["passwordProfile"]["password"], SECRET_SHOWN_AS);
        assert!(!format!("{request:?}").contains("S3cret"));
        let plan = Plan {
            id: "p".into(),
            operation: "x",
            target: json!({}),
            basis: json!({}),
            after: json!({}),
            changes: vec![],
            warnings: vec![],
            request: Some(request),
            call: Call::new(),
        };
        assert!(!serde_json::to_string(&plan.view()).unwrap().contains("S3cret"));
    }

    #[test]
    fn changes_list_each_differing_field_and_a_set_password_without_its_value() {
        let before = json!({"name": "Ann", "phone": {"number": "1"}});
        let after = json!({"name": "Ann", "phone": {"number": "2"}});
        let changes = changes_between(DEFS, &before, &after, true);
        assert_eq!(changes.len(), 2);
        assert_eq!(changes[0].field, "phone.number");
        assert_eq!((changes[0].before.clone(), changes[0].after.clone()), (json!("1"), json!("2")));
        assert_eq!(changes[1].after, json!(SECRET_CHANGE_SHOWN_AS));
        assert!(changes_between(DEFS, &before, &before, false).is_empty());
    }

    #[test]
    fn a_field_changed_at_the_vendor_stops_the_apply_and_is_named() {
        let basis = json!({"name": "Ann", "phone": {"number": "1"}});
        assert!(check_unchanged(DEFS, &basis, &basis.clone()).is_ok());
        let error = check_unchanged(DEFS, &basis, &json!({"name": "Anna", "phone": {"number": "1"}})).unwrap_err();
        assert_eq!(error.code, ErrorCode::ChangedSinceReview);
        assert!(error.message.contains("(Name)"), "{}", error.message);
        assert_eq!(error.field_errors[0].message, "Name changed since the review: it was \"Ann\", it is now \"Anna\".");
    }

    #[test]
    fn values_the_vendor_holds_that_break_a_rule_are_warnings_not_errors() {
        let before = json!({"name": "", "phone": {"number": "1"}});
        let warnings = warnings(DEFS, &before, &before);
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].message.contains("goes back unchanged"));
        // An edited field is checked as an edit (elsewhere), never warned about.
        assert!(super::warnings(DEFS, &before, &json!({"name": "Bo", "phone": {"number": "1"}})).is_empty());
    }
}
