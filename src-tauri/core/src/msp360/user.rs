//! `msp360.user`: a backup user's login name, names, notification emails, company, enabled
//! state, license mode and (write-only) password.
//!
//! `PUT /api/Users` may clear what it is not sent, so an update reads the user, merges the edits
//! and sends the whole user back: `Enabled` always (an omitted one may disable the user), the
//! license mode under the key spelling and in the form (number or name) the GET returned, and
//! `Password` only when a new one was typed.

use super::{LicenseField, Msp360Client, UserRecord, UserTarget, LICENSE_KEY, LICENSE_KEY_NEWER, VENDOR};
use crate::error::{FieldError, Result};
use crate::fields::{check_merged, check_present, FieldDef, FieldKind, FieldMeaning};
use crate::operations::{refuse, About, TargetId, VendorClient, VendorOperation};
use crate::plan::{self, Planned, PlannedRequest, SecretMember, Sent, Snapshot, WriteMethod};
use crate::profiles::Vendor;
use crate::record;
use crate::reference::ValueList;
use crate::secret::Secret;
use serde_json::{json, Value};

pub const OPERATION_ID: &str = "msp360.user";
const PASSWORD_KEY: &str = "Password";
/// Left out of the body when empty (see [`put_body`]).
const COMPANY_KEY: &str = "Company";
/// The vendor's `UserModeType`, by number: 0 Manual, 1 Automatic, 2 CompanySettings.
const LICENSE_MODES: [&str; 3] = ["Manual", "Automatic", "CompanySettings"];

/// The user's fields, keyed as the GET and PUT spell them. Every edit but the password is trimmed
/// (and blank notification emails dropped) before it is checked. `Email` is the login name: often
/// an address, but any name is allowed (the docs' sample is `testuser2`). The license mode reads
/// by name (`Manual`), whatever form the GET wrote it in, and is empty when MSP360 did not say.
pub const FIELDS: &[FieldDef] = &[
    FieldDef::new("Email", "Login name", FieldKind::Text, FieldMeaning::LoginName)
        .required()
        .help("The name the user signs in to the backup agent with. It may be an email address, but need not be.")
        .placeholder("testuser2"),
    FieldDef::new("FirstName", "First name", FieldKind::Text, FieldMeaning::GivenName)
        .help("The user's first name, as the MBS console shows it."),
    FieldDef::new("LastName", "Last name", FieldKind::Text, FieldMeaning::Surname)
        .help("The user's last name, as the MBS console shows it."),
    FieldDef::new("NotificationEmails", "Notification emails", FieldKind::EmailList, FieldMeaning::Email)
        .help("Where MSP360 sends this user's backup reports and alerts. Each entry must be an email address.")
        .placeholder("name@example.com"),
    FieldDef::new(COMPANY_KEY, "Company", FieldKind::Text, FieldMeaning::Company)
        .help("The MBS company the user belongs to, by name. Leave empty for none."),
    FieldDef::new("Enabled", "Enabled", FieldKind::Boolean, FieldMeaning::Enabled)
        .required()
        .help("When off, the user can't sign in and their backups stop."),
    FieldDef::new(LICENSE_KEY, "License management", FieldKind::Choice, FieldMeaning::LicenseMode)
        .allowed(ValueList::Msp360LicenseModes)
        .help("Manual: staff assign licenses. Automatic: a license is taken when a backup needs one. Company settings: the company decides."),
    FieldDef::new(PASSWORD_KEY, "New password", FieldKind::Password, FieldMeaning::Password)
        .max_length(100)
        .help("Leave empty to keep the current password; MSP360 never shows it. A new one needs 3 to 100 characters."),
];

/// The edits, trimmed, with every rule they alone break refused, so invalid edits never cause a
/// request.
fn checked_edits(edits: &Value) -> Result<Value> {
    let edits = record::trimmed(FIELDS, &record::edits(FIELDS, edits)?);
    let mut without_password = edits.clone();
    let password = without_password.as_object_mut().and_then(|edits| edits.remove(PASSWORD_KEY));
    let mut errors = check_present(FIELDS, &without_password);
    if edits.get(LICENSE_KEY).and_then(Value::as_str).is_some_and(|mode| mode.trim().is_empty()) {
        errors.push(FieldError {
            field: LICENSE_KEY.to_string(),
            message: "License management can't be cleared; choose Manual, Automatic or CompanySettings.".to_string(),
        });
    }
    errors.extend(password.and_then(|password| check_password(&password)));
    refuse(errors)?;
    Ok(edits)
}

/// MSP360 documents no rules for a backup user's password; the login's 3 to 100 characters apply.
fn check_password(password: &Value) -> Option<FieldError> {
    let fail = |message: String| Some(FieldError { field: PASSWORD_KEY.to_string(), message });
    let Some(password) = password.as_str() else { return fail("New password must be text.".to_string()) };
    let length = password.encode_utf16().count();
    if (3..=100).contains(&length) {
        return None;
    }
    fail(format!("New password must be 3 to 100 characters long (it has {length})."))
}

/// The user's values: each field from the GET, the license mode by name.
fn values(user: &UserRecord) -> Result<Value> {
    let mut json = user.json.clone();
    if let Some(members) = json.as_object_mut() {
        members.remove(LICENSE_KEY);
        members.remove(LICENSE_KEY_NEWER);
    }
    let mut values = record::values(FIELDS, VENDOR, &json)?;
    values[LICENSE_KEY] = json!(user.license.as_ref().map(|license| license_name(&license.value)).unwrap_or_default());
    Ok(values)
}

/// The user as read for planning: the values, and the license mode as the GET wrote it.
async fn snapshot(client: &Msp360Client, target: &UserTarget) -> Result<Snapshot> {
    let user = client.read_user(target).await?;
    let license = user.license.as_ref().map(LicenseField::to_json).unwrap_or(Value::Null);
    Ok(Snapshot { values: values(&user)?, raw: json!({ "license": license }) })
}

/// The user with the edits over it, checked, and the PUT of the whole user (none if nothing
/// differs and no password is set).
pub fn plan(target: &UserTarget, current: &Snapshot, edits: &Value) -> Result<Planned> {
    let edits = checked_edits(edits)?;
    target.path()?;
    let after = record::merge(FIELDS, &current.values, &edits);
    refuse(check_merged(FIELDS, &current.values, &after))?;
    let password = edits.get(PASSWORD_KEY).and_then(Value::as_str);
    let planned = plan::changes_between(FIELDS, &current.values, &after, password.is_some());
    let request = (!planned.is_empty()).then(|| {
        let license = current.raw.get("license").and_then(LicenseField::from_json);
        PlannedRequest {
            method: WriteMethod::Put,
            path: "/api/Users".to_string(),
            body: put_body(target, license.as_ref(), &current.values, &after),
            secret: password.map(|password| SecretMember { pointer: "/Password", value: Secret::new(password) }),
        }
    });
    Ok(Planned { after, changes: planned, request })
}

/// `PUT /api/Users` exactly as planned; MSP360 answers with no user.
async fn send(client: &Msp360Client, target: &UserTarget, request: &PlannedRequest) -> Result<Sent> {
    client.put_user(request, &target.user_id).await.map(|()| Sent::default())
}

/// The registry's entry for this operation.
pub static OPERATION: VendorOperation<Msp360Client, UserTarget> = VendorOperation {
    about: About {
        id: OPERATION_ID,
        vendor: Vendor::Msp360,
        title: "Backup user",
        targets: &[TargetId { key: "userId", flag: "user", label: "User ID", noun: "user" }],
        fields: FIELDS,
    },
    client: VendorClient::msp360,
    snapshot: |client, target, _| Box::pin(snapshot(client, target)),
    checked_edits,
    plan,
    send: |client, target, request, _| Box::pin(send(client, target, request)),
};

/// The whole user for `PUT /api/Users`, as the seed's sample has it: the id, then every field
/// (`Enabled` always: an omitted one may disable the user), the company only when set, and the
/// license mode as below.
fn put_body(target: &UserTarget, license: Option<&LicenseField>, before: &Value, after: &Value) -> Value {
    let mut body = json!({ "ID": target.user_id });
    let sent_as_is = |def: &&FieldDef| ![PASSWORD_KEY, COMPANY_KEY, LICENSE_KEY].contains(&def.key);
    for def in FIELDS.iter().filter(sent_as_is) {
        body[def.key] = after[def.key].clone();
    }
    // The vendor's module leaves out an empty company rather than naming a company "".
    if !record::text(after, COMPANY_KEY).is_empty() {
        body[COMPANY_KEY] = after[COMPANY_KEY].clone();
    }
    let mode = record::text(after, LICENSE_KEY);
    let license_changed = mode != record::text(before, LICENSE_KEY);
    match license {
        // Unchanged: exactly what the GET said, under the key(s) it used.
        Some(license) if !license_changed => {
            for key in &license.keys {
                body[*key] = license.value.clone();
            }
        }
        Some(license) => {
            for key in &license.keys {
                body[*key] = license_wire(mode, Some(&license.value));
            }
        }
        None if license_changed => body[LICENSE_KEY] = license_wire(mode, None),
        // The GET said nothing: guessing a mode could change the user's licensing.
        None => {}
    }
    body
}

/// A mode by name (`Manual`), whether the vendor wrote it as a number or a name.
fn license_name(value: &Value) -> String {
    match value {
        Value::Number(number) => number
            .as_u64()
            .and_then(|index| LICENSE_MODES.get(index as usize))
            .map(|name| name.to_string())
            .unwrap_or_else(|| number.to_string()),
        Value::String(name) => name.clone(),
        other => other.to_string(),
    }
}

/// A mode in the form the vendor used (`like`): a name if it sent a name, else the number.
fn license_wire(name: &str, like: Option<&Value>) -> Value {
    match (like, LICENSE_MODES.iter().position(|mode| *mode == name)) {
        (Some(Value::String(_)), _) | (_, None) => json!(name),
        (_, Some(index)) => json!(index),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::check_all;
    use crate::msp360::{LicenseField, LICENSE_KEY_NEWER};
    use crate::record::with;
    use crate::ErrorCode;

    fn valid() -> Value {
        json!({
            "Email": "testuser2",
            "FirstName": "Test",
            "LastName": "User",
            "NotificationEmails": ["testuser2@northwind.example"],
            "Company": "Northwind Traders",
            "Enabled": true,
            "LicenseManagmentMode": "Manual",
        })
    }

    fn record(license: Option<LicenseField>) -> UserRecord {
        let mut json = with(valid(), "ID", json!("u1"));
        json.as_object_mut().unwrap().remove(LICENSE_KEY);
        if let Some(license) = &license {
            for key in &license.keys {
                json[*key] = license.value.clone();
            }
        }
        UserRecord { json, license }
    }

    fn details(record: &UserRecord) -> Value {
        values(record).unwrap()
    }

    fn check(values: &Value) -> Vec<FieldError> {
        check_all(FIELDS, values)
    }

    fn check_changes(edits: &Value) -> Vec<FieldError> {
        checked_edits(edits).err().map(|error| error.field_errors).unwrap_or_default()
    }

    fn merge(current: &Value, edits: &Value) -> Value {
        record::merge(FIELDS, current, &checked_edits(edits).unwrap())
    }

    fn changed_keys(before: &Value, after: &Value) -> Vec<String> {
        crate::fields::changed_keys(FIELDS, before, after)
    }

    fn target() -> UserTarget {
        UserTarget { user_id: "u1".into() }
    }

    fn only_error(values: Value) -> FieldError {
        let errors = check(&values);
        assert_eq!(errors.len(), 1, "{errors:?}");
        errors.into_iter().next().unwrap()
    }

    fn only_change_error(edits: Value) -> FieldError {
        let error = checked_edits(&edits).unwrap_err();
        let errors = if error.field_errors.is_empty() {
            vec![FieldError { field: error.field.clone().unwrap_or_default(), message: error.message.clone() }]
        } else {
            error.field_errors
        };
        assert_eq!(errors.len(), 1, "{errors:?}");
        errors.into_iter().next().unwrap()
    }

    #[test]
    fn the_vendor_sample_is_valid() {
        assert!(check(&valid()).is_empty());
    }

    #[test]
    fn changes_reject_unknown_keys() {
        assert!(record::edits(FIELDS, &json!({"Emial": "x"})).is_err());
        assert!(record::edits(FIELDS, &json!({"LicenseManagementMode": "Manual"})).is_err());
    }

    #[test]
    fn accepts_a_login_name_that_is_not_an_address() {
        for login in ["testuser2", "backup-srv01", "anna.berg@northwind.example", "DOMAIN\\anna"] {
            assert!(check(&with(valid(), "Email", json!(login))).is_empty(), "{login}");
        }
    }

    #[test]
    fn rejects_a_missing_login_name() {
        let error = only_error(with(valid(), "Email", json!(" ")));
        assert_eq!(error.field, "Email");
        assert_eq!(error.message, "Login name is required.");
    }

    #[test]
    fn rejects_notification_emails_that_are_not_addresses() {
        let error = only_error(with(valid(), "NotificationEmails", json!(["ok@example.com", "testuser2"])));
        assert_eq!(error.field, "NotificationEmails");
        assert!(error.message.contains("\"testuser2\" (entry 2) is not"), "{}", error.message);
        assert!(check(&with(valid(), "NotificationEmails", json!([]))).is_empty(), "none is fine");
    }

    #[test]
    fn rejects_a_license_mode_outside_the_vendor_list() {
        for bad in ["manual", "0", "Auto", "3"] {
            let error = only_error(with(valid(), LICENSE_KEY, json!(bad)));
            assert_eq!(error.field, "LicenseManagmentMode");
            assert!(error.message.contains("Manual, Automatic or CompanySettings"), "{}", error.message);
        }
        for good in LICENSE_MODES {
            assert!(check(&with(valid(), LICENSE_KEY, json!(good))).is_empty());
        }
    }

    #[test]
    fn rejects_clearing_the_license_mode() {
        let error = only_change_error(json!({"LicenseManagmentMode": " "}));
        assert_eq!(error.field, "LicenseManagmentMode");
    }

    #[test]
    fn rejects_a_password_shorter_than_3_characters() {
        let error = only_change_error(json!({"Password": "ab"}));
        assert_eq!(error.field, "Password");
        assert_eq!(error.message, "New password must be 3 to 100 characters long (it has 2).");
        assert!(check_changes(&json!({"Password": "abc"})).is_empty());
    }

    #[test]
    fn rejects_a_password_longer_than_100_characters() {
        let error = only_change_error(json!({"Password": "p".repeat(101)}));
        assert_eq!(error.field, "Password");
        assert_eq!(error.message, "New password must be 3 to 100 characters long (it has 101).");
        assert!(check_changes(&json!({"Password": "p".repeat(100)})).is_empty());
    }

    #[test]
    fn the_license_mode_list_is_the_vendors_three_modes() {
        let values: Vec<&str> = ValueList::Msp360LicenseModes.choices().iter().map(|c| c.value.as_str()).collect();
        let mut sorted = values.clone();
        sorted.sort();
        assert_eq!(sorted, vec!["Automatic", "CompanySettings", "Manual"]);
        for (index, mode) in LICENSE_MODES.iter().enumerate() {
            assert_eq!(license_name(&json!(index)), *mode);
            assert_eq!(license_wire(mode, None), json!(index));
        }
    }

    #[test]
    fn normalizing_trims_text_and_drops_blank_entries_but_never_touches_the_password() {
        let edits = checked_edits(&json!({
            "Email": " testuser3 ",
            "NotificationEmails": [" a@example.com ", "  "],
            "Password": " spaced ",
        }))
        .unwrap();
        assert_eq!(edits["Email"], "testuser3");
        assert_eq!(edits["NotificationEmails"], json!(["a@example.com"]));
        assert_eq!(edits["Password"], " spaced ");
    }

    #[test]
    fn merge_keeps_untouched_fields() {
        let merged = merge(&valid(), &json!({"FirstName": "Tess"}));
        assert_eq!(merged, with(valid(), "FirstName", json!("Tess")));
        assert_eq!(changed_keys(&valid(), &merged), vec!["FirstName"]);
    }

    #[test]
    fn the_body_keeps_enabled_and_the_license_key_and_form_the_get_returned() {
        let newer = record(Some(LicenseField { keys: vec![LICENSE_KEY_NEWER], value: json!("CompanySettings") }));
        let before = details(&newer);
        assert_eq!(before["LicenseManagmentMode"], "CompanySettings");
        let after = merge(&before, &json!({"LastName": "Usr"}));
        let body = put_body(&target(), newer.license.as_ref(), &before, &after);
        assert_eq!(body["LicenseManagementMode"], json!("CompanySettings"));
        assert!(body.get(LICENSE_KEY).is_none());
        assert_eq!(body["Enabled"], json!(true));
        assert!(body.get("Password").is_none());

        let after = merge(&before, &json!({"LicenseManagmentMode": "Automatic"}));
        let body = put_body(&target(), newer.license.as_ref(), &before, &after);
        assert_eq!(body["LicenseManagementMode"], json!("Automatic"), "a name stays a name");

        let numeric = record(Some(LicenseField { keys: vec![LICENSE_KEY], value: json!(0) }));
        let body = put_body(&target(), numeric.license.as_ref(), &details(&numeric), &after);
        assert_eq!(body[LICENSE_KEY], json!(1), "a number stays a number");
    }

    #[test]
    fn an_unknown_license_number_is_sent_back_untouched() {
        let odd = record(Some(LicenseField { keys: vec![LICENSE_KEY], value: json!(7) }));
        let before = details(&odd);
        assert_eq!(before["LicenseManagmentMode"], "7");
        let body = put_body(&target(), odd.license.as_ref(), &before, &before);
        assert_eq!(body[LICENSE_KEY], json!(7));
    }

    #[test]
    fn no_license_mode_from_the_get_means_none_is_sent_unless_chosen() {
        let silent = record(None);
        let before = details(&silent);
        let body = put_body(&target(), silent.license.as_ref(), &before, &before);
        assert!(body.get(LICENSE_KEY).is_none() && body.get(LICENSE_KEY_NEWER).is_none());
        let after = with(before.clone(), LICENSE_KEY, json!("Automatic"));
        assert_eq!(put_body(&target(), silent.license.as_ref(), &before, &after)[LICENSE_KEY], json!(1));
    }

    #[test]
    fn an_empty_company_is_left_out_and_the_password_only_sent_when_given() {
        let rec = record(Some(LicenseField { keys: vec![LICENSE_KEY], value: json!(0) }));
        let before = details(&rec);
        let current =
            Snapshot { values: before, raw: json!({ "license": rec.license.as_ref().map(LicenseField::to_json) }) };
        let changes = json!({"Company": "", "Password": "n3w-pass"});
        let request = plan(&target(), &current, &changes).unwrap().request.unwrap();
        assert!(request.body.get("Company").is_none());
        assert!(request.body.get("Password").is_none(), "the shown body never holds the password");
        assert_eq!(request.body_to_send()["Password"], json!("n3w-pass"));
        assert_eq!(request.body_to_send()[LICENSE_KEY], json!(0), "the license as the GET wrote it");
        let unchanged = plan(&target(), &current, &json!({})).unwrap();
        assert!(unchanged.request.is_none() && unchanged.changes.is_empty());
    }

    #[test]
    fn the_password_is_only_in_the_requests_secret() {
        let current = Snapshot::of_values(valid());
        let planned = plan(&target(), &current, &json!({"Password": "hunter2-secret"})).unwrap();
        let shown = format!("{:?} {:?} {}", planned.after, planned.changes, planned.request.as_ref().unwrap().body);
        assert!(!shown.contains("hunter2-secret"), "{shown}");
        assert!(!format!("{planned:?}").contains("hunter2-secret"));
    }

    #[test]
    fn invalid_changes_are_refused_before_any_request() {
        // An unroutable client: if a request were attempted the error would be Unreachable.
        let settings = super::super::Msp360Settings::new("http://127.0.0.1:9", "login").unwrap();
        let client = Msp360Client::new(settings, Secret::new("password"));
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let changes = json!({"NotificationEmails": ["nope"]});
        let error = runtime.block_on(OPERATION.update(&client, &target(), &changes)).unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidInput);
        assert_eq!(error.field.as_deref(), Some("NotificationEmails"));
        let bad_target = UserTarget { user_id: "../Companies".into() };
        let error = runtime.block_on(OPERATION.update(&client, &bad_target, &json!({}))).unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidInput);
        assert_eq!(error.field.as_deref(), Some("userId"));
    }
}
