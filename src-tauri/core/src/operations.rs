//! Every vendor operation, registered once. Each operation (one file in its vendor's folder)
//! implements [`Operation`]: its id, vendor, target ids and fields, how to read its record, how
//! to plan a change (pure, see [`crate::plan`]) and how to send a planned request. Everything
//! generic — preview, apply, update, the CLI's `--set` — is written once, here, over that trait;
//! every operation is a [`VendorOperation`] of plain functions.

use crate::avepoint::{account_information, office_information, AvePointClient};
use crate::error::{Error, ErrorCode, FieldError, Result};
use crate::fields::{FieldDef, FieldKind, FieldSpec, OperationSpec, UpdateReceipt};
use crate::msp360::{self, Msp360Client};
use crate::partner_center::{customer_user, PartnerCenterClient};
use crate::plan::{self, Call, Plan, Planned, PlannedRequest, Sent, Snapshot};
use crate::profiles::Vendor;
use crate::softwareone::{account_user, SoftwareOneClient};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use ts_rs::TS;

pub use crate::plan::PlannedChange;

/// A signed-in client for whichever vendor a connection goes to.
#[derive(Clone)]
pub enum VendorClient {
    AvePoint(Arc<AvePointClient>),
    PartnerCenter(Arc<PartnerCenterClient>),
    SoftwareOne(Arc<SoftwareOneClient>),
    Msp360(Arc<Msp360Client>),
}

impl VendorClient {
    /// Which vendor this client goes to.
    pub fn vendor(&self) -> Vendor {
        match self {
            VendorClient::AvePoint(_) => Vendor::Avepoint,
            VendorClient::PartnerCenter(_) => Vendor::PartnerCenter,
            VendorClient::SoftwareOne(_) => Vendor::Softwareone,
            VendorClient::Msp360(_) => Vendor::Msp360,
        }
    }

    pub fn avepoint(&self, operation: &str) -> Result<&AvePointClient> {
        match self {
            VendorClient::AvePoint(client) => Ok(client),
            _ => Err(wrong_vendor(operation)),
        }
    }

    pub fn partner_center(&self, operation: &str) -> Result<&PartnerCenterClient> {
        match self {
            VendorClient::PartnerCenter(client) => Ok(client),
            _ => Err(wrong_vendor(operation)),
        }
    }

    pub fn softwareone(&self, operation: &str) -> Result<&SoftwareOneClient> {
        match self {
            VendorClient::SoftwareOne(client) => Ok(client),
            _ => Err(wrong_vendor(operation)),
        }
    }

    pub fn msp360(&self, operation: &str) -> Result<&Msp360Client> {
        match self {
            VendorClient::Msp360(client) => Ok(client),
            _ => Err(wrong_vendor(operation)),
        }
    }
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

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What an operation is, as plain data.
#[derive(Debug, Clone, Copy)]
pub struct About {
    /// The name everywhere (UI, CLI, logs), e.g. `avepoint.account-information`.
    pub id: &'static str,
    pub vendor: Vendor,
    pub title: &'static str,
    pub targets: &'static [TargetId],
    /// Every field in form order, write-only ones (passwords) included.
    pub fields: &'static [FieldDef],
}

/// What an operation declares and does. Targets and edits arrive as JSON (the UI's and CLI's
/// shape); edits stay JSON, read through the operation's field table ([`crate::record`]), and the
/// target becomes its typed value ([`VendorOperation`]).
pub trait Operation: Sync {
    fn about(&self) -> &About;
    fn id(&self) -> &'static str {
        self.about().id
    }
    fn vendor(&self) -> Vendor {
        self.about().vendor
    }
    fn title(&self) -> &'static str {
        self.about().title
    }
    fn targets(&self) -> &'static [TargetId] {
        self.about().targets
    }
    fn fields(&self) -> &'static [FieldDef] {
        self.about().fields
    }
    /// The record as the vendor holds it now.
    fn read<'a>(
        &'a self,
        client: &'a VendorClient,
        target: &'a Value,
        call: &'a Call,
    ) -> BoxFuture<'a, Result<Snapshot>>;
    /// Every rule the edits alone break (no record needed): checked before anything is read.
    fn check_edits(&self, edits: &Value) -> Result<()>;
    /// The change `edits` make to `current`, checked, with the exact request (no I/O).
    fn plan(&self, target: &Value, current: &Snapshot, edits: &Value) -> Result<Planned>;
    /// Sends a planned request as it is.
    fn send<'a>(
        &'a self,
        client: &'a VendorClient,
        target: &'a Value,
        request: &'a PlannedRequest,
        call: &'a Call,
    ) -> BoxFuture<'a, Result<Sent>>;
}

/// Every operation, in the order the desk lists them. Adding one is a file in its vendor's
/// folder and a line here.
pub static REGISTRY: &[&dyn Operation] = &[
    &account_information::OPERATION,
    &office_information::OPERATION,
    &customer_user::OPERATION,
    &account_user::OPERATION,
    &msp360::user::OPERATION,
];

/// The operation called `id`, or an error listing the known ones.
pub fn find(id: &str) -> Result<&'static dyn Operation> {
    REGISTRY.iter().copied().find(|operation| operation.id() == id).ok_or_else(|| unknown(id))
}

/// The operation names, as the UI, CLI and logs use them.
pub fn operation_ids() -> Vec<&'static str> {
    REGISTRY.iter().map(|operation| operation.id()).collect()
}

/// An operation as the desk offers it: what it is called and which ids find its record.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OperationSummary {
    pub id: String,
    pub vendor: Vendor,
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
    REGISTRY
        .iter()
        .map(|operation| OperationSummary {
            id: operation.id().to_string(),
            vendor: operation.vendor(),
            title: operation.title().to_string(),
            targets: operation
                .targets()
                .iter()
                .map(|t| TargetField { key: t.key.to_string(), label: t.label.to_string(), noun: t.noun.to_string() })
                .collect(),
        })
        .collect()
}

fn unknown(id: &str) -> Error {
    Error::new(
        ErrorCode::InvalidInput,
        format!("There is no operation called \"{id}\". Known operations: {}.", operation_ids().join(", ")),
    )
}

/// The operation's form: which fields, in which order, with which rules.
pub fn spec(id: &str) -> Result<OperationSpec> {
    let operation = find(id)?;
    Ok(OperationSpec {
        id: operation.id().to_string(),
        vendor: operation.vendor().label().to_string(),
        title: operation.title().to_string(),
        fields: operation.fields().iter().map(FieldSpec::from).collect(),
    })
}

pub fn target_ids(id: &str) -> Result<&'static [TargetId]> {
    Ok(find(id)?.targets())
}

/// The vendor an operation belongs to.
pub fn vendor(id: &str) -> Result<Vendor> {
    Ok(find(id)?.vendor())
}

/// JSON from the UI or CLI as an operation's typed value.
pub fn typed<T: DeserializeOwned>(what: &str, value: &Value) -> Result<T> {
    serde_json::from_value(value.clone())
        .map_err(|e| Error::new(ErrorCode::InvalidInput, format!("The {what} can't be used: {e}.")))
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

/// The record's current values.
pub async fn read(client: &VendorClient, id: &str, target: &Value) -> Result<Value> {
    Ok(find(id)?.read(client, target, &Call::new()).await?.values)
}

/// A plan from a record already read (the desk's open record): no I/O.
pub fn plan_from(id: &str, target: &Value, current: &Snapshot, edits: &Value, call: Call) -> Result<Plan> {
    let operation = find(id)?;
    let planned = operation.plan(target, current, edits)?;
    Ok(Plan {
        id: uuid::Uuid::new_v4().to_string(),
        operation: operation.id(),
        target: target.clone(),
        warnings: plan::warnings(operation.fields(), &current.values, &planned.after),
        basis: current.values.clone(),
        after: planned.after,
        changes: planned.changes,
        request: planned.request,
        call,
    })
}

/// Reads the record and plans the change: what a review shows (sends nothing). Edits that break
/// a rule are refused before anything is read.
pub async fn plan(client: &VendorClient, id: &str, target: &Value, edits: &Value) -> Result<Plan> {
    let operation = find(id)?;
    operation.check_edits(edits)?;
    let call = Call::new();
    let current = operation.read(client, target, &call).await?;
    plan_from(id, target, &current, edits, call)
}

/// Applies a reviewed plan: reads the record again and sends the planned request exactly as
/// planned, unless one of the operation's fields changed at the vendor since the plan was made
/// (then nothing is sent and the error names each field).
pub async fn apply(client: &VendorClient, plan: &Plan) -> Result<UpdateReceipt<Value>> {
    check_current(client, plan).await?;
    send_plan(client, plan).await
}

/// Reads the record again: an error naming each field that changed at the vendor since the
/// plan was made, or nothing.
pub async fn check_current(client: &VendorClient, plan: &Plan) -> Result<()> {
    let operation = find(plan.operation)?;
    let now = operation.read(client, &plan.target, &plan.call).await?;
    plan::check_unchanged(operation.fields(), &plan.basis, &now.values)
}

/// Sends a plan made from a read just now (the command line's update), without reading again.
pub async fn send_plan(client: &VendorClient, plan: &Plan) -> Result<UpdateReceipt<Value>> {
    let operation = find(plan.operation)?;
    let sent = match &plan.request {
        Some(request) => operation.send(client, &plan.target, request, &plan.call).await?,
        None => Sent::default(),
    };
    Ok(UpdateReceipt {
        before: plan.basis.clone(),
        after: sent.after.unwrap_or_else(|| plan.after.clone()),
        changed_fields: plan.changed_fields(),
        request_id: sent.request_id,
    })
}

/// Read → plan → send: an update without a separate review.
pub async fn update(client: &VendorClient, id: &str, target: &Value, edits: &Value) -> Result<UpdateReceipt<Value>> {
    let plan = plan(client, id, target, edits).await?;
    send_plan(client, &plan).await
}

/// An operation as plain functions over its vendor's client `C` and its typed target `T`; the
/// JSON target from the UI or CLI becomes a `T`, and the connection's client a `C`, here, once.
pub struct VendorOperation<C: 'static, T> {
    pub about: About,
    /// The operation's client from a connection's (refusing one to another vendor).
    pub client: for<'a> fn(&'a VendorClient, &str) -> Result<&'a C>,
    pub snapshot: for<'a> fn(&'a C, &'a T, &'a Call) -> BoxFuture<'a, Result<Snapshot>>,
    /// The edits as planned (trimmed where the vendor's rules say so), or every rule they alone
    /// break.
    pub checked_edits: fn(&Value) -> Result<Value>,
    pub plan: fn(&T, &Snapshot, &Value) -> Result<Planned>,
    pub send: for<'a> fn(&'a C, &'a T, &'a PlannedRequest, &'a Call) -> BoxFuture<'a, Result<Sent>>,
}

impl<C: Sync + 'static, T: DeserializeOwned + Sync> VendorOperation<C, T> {
    /// The record's current values.
    pub async fn read(&self, client: &C, target: &T) -> Result<Value> {
        Ok((self.snapshot)(client, target, &Call::new()).await?.values)
    }

    /// Reads the record, applies `edits`, checks what changed and sends the planned request, for
    /// direct callers and tests. Invalid edits are refused before any request; if nothing
    /// differs, nothing is sent.
    pub async fn update(&self, client: &C, target: &T, edits: &Value) -> Result<UpdateReceipt<Value>> {
        (self.checked_edits)(edits)?;
        // The read and the send are one call: Partner Center gives both one correlation id.
        let call = Call::new();
        let current = (self.snapshot)(client, target, &call).await?;
        let planned = (self.plan)(target, &current, edits)?;
        let sent = match &planned.request {
            Some(request) => (self.send)(client, target, request, &call).await?,
            None => Sent::default(),
        };
        Ok(UpdateReceipt {
            before: current.values,
            after: sent.after.unwrap_or(planned.after),
            changed_fields: planned.changes.iter().map(|change| change.field.clone()).collect(),
            request_id: sent.request_id,
        })
    }
}

impl<C: Sync + 'static, T: DeserializeOwned + Sync + Send> Operation for VendorOperation<C, T> {
    fn about(&self) -> &About {
        &self.about
    }
    fn read<'a>(
        &'a self,
        client: &'a VendorClient,
        target: &'a Value,
        call: &'a Call,
    ) -> BoxFuture<'a, Result<Snapshot>> {
        Box::pin(async move {
            let target: T = typed("target", target)?;
            (self.snapshot)((self.client)(client, self.about.id)?, &target, call).await
        })
    }
    fn check_edits(&self, edits: &Value) -> Result<()> {
        (self.checked_edits)(edits).map(drop)
    }
    fn plan(&self, target: &Value, current: &Snapshot, edits: &Value) -> Result<Planned> {
        (self.plan)(&typed("target", target)?, current, edits)
    }
    fn send<'a>(
        &'a self,
        client: &'a VendorClient,
        target: &'a Value,
        request: &'a PlannedRequest,
        call: &'a Call,
    ) -> BoxFuture<'a, Result<Sent>> {
        Box::pin(async move {
            let target: T = typed("target", target)?;
            (self.send)((self.client)(client, self.about.id)?, &target, request, call).await
        })
    }
}

/// Field errors as one refusal, or nothing.
pub fn refuse(errors: Vec<FieldError>) -> Result<()> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::invalid_fields(errors))
    }
}

/// The fields of an operation whose kind is not a password, for the checks that read records.
pub fn record_fields(fields: &[FieldDef]) -> impl Iterator<Item = &FieldDef> {
    fields.iter().filter(|def| def.kind != FieldKind::Password)
}

/// Turns `FIELD=VALUE` assignments into a change object, typed by each field's kind: `true`/
/// `false` (also yes/no, on/off) for switches; a list for list fields, split on commas and
/// semicolons with each entry trimmed and empty entries dropped (so an empty value clears the
/// list), as the form reads a typed list; text otherwise (no field is a number). Dotted keys
/// build nested objects.
pub fn changes_from_assignments(id: &str, assignments: &[(String, String)]) -> Result<Value> {
    // The static definitions, not `spec`: a bulk file calls this once per row.
    let fields = find(id)?.fields();
    let mut changes = Map::new();
    for (key, raw) in assignments {
        let field = fields.iter().find(|f| f.key == key).ok_or_else(|| {
            let known: Vec<&str> = fields.iter().map(|f| f.key).collect();
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

/// `phone.number` = value → `{"phone": {"number": value}}` inside `object`.
pub fn insert_dotted(object: &mut Map<String, Value>, key: &str, value: Value) {
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

    /// A plan from values as given (no read), as the desk's open record plans.
    fn preview(id: &str, current: &Value, edits: &Value) -> Result<Vec<PlannedChange>> {
        let target: Map<String, Value> =
            target_ids(id)?.iter().map(|t| (t.key.to_string(), Value::String("id1".into()))).collect();
        let plan = plan_from(id, &Value::Object(target), &Snapshot::of_values(current.clone()), edits, Call::new())?;
        Ok(plan.changes)
    }

    #[test]
    fn summaries_list_every_operation_with_its_vendor_and_ids() {
        let all = summaries();
        assert_eq!(all.len(), REGISTRY.len());
        let msp = all.iter().find(|o| o.id == "msp360.user").unwrap();
        assert_eq!(msp.vendor, crate::profiles::Vendor::Msp360);
        assert_eq!(msp.targets.len(), 1);
    }

    #[test]
    fn every_operation_has_a_spec_and_targets() {
        for id in operation_ids() {
            assert_eq!(spec(id).unwrap().id, id);
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
