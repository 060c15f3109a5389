//! `msp360.user`: a backup user's login name, names, notification emails, company, enabled
//! state, license mode and (write-only) password.
//!
//! `PUT /api/Users` may clear what it is not sent, so an update reads the user, merges the edits
//! and sends the whole user back: `Enabled` always (an omitted one may disable the user), the
//! license mode under the key spelling and in the form (number or name) the GET returned, and
//! `Password` only when a new one was typed.

use super::{LicenseField, Msp360Client, UserRecord, UserTarget, LICENSE_KEY};
use crate::error::{FieldError, Result};
use crate::fields::{
    check_all, check_merged, check_present, to_json, FieldDef, FieldKind, FieldMeaning, UpdateReceipt,
};
use crate::operations::{refuse, typed, typed_update, About, BoxFuture, TargetId, VendorClient};
use crate::plan::{self, Call, Planned, PlannedRequest, SecretMember, Sent, Snapshot, WriteMethod};
use crate::profiles::Vendor;
use crate::reference::ValueList;
use crate::secret::Secret;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use ts_rs::TS;

pub const OPERATION_ID: &str = "msp360.user";
const PASSWORD_KEY: &str = "Password";
/// The vendor's `UserModeType`, by number: 0 Manual, 1 Automatic, 2 CompanySettings.
const LICENSE_MODES: [&str; 3] = ["Manual", "Automatic", "CompanySettings"];

/// The user as MSP360 holds it (the password is write-only and never part of it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "PascalCase")]
#[ts(rename = "Msp360User")]
pub struct UserDetails {
    /// The login name: often an address, but any name is allowed (the docs' sample is `testuser2`).
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub notification_emails: Vec<String>,
    pub company: String,
    pub enabled: bool,
    /// `Manual`, `Automatic` or `CompanySettings`; empty when MSP360 did not say.
    #[serde(rename = "LicenseManagmentMode")]
    pub license_mode: String,
}

/// A new password as typed. It can be read from the form but never serialized or printed.
#[derive(Debug, PartialEq, Eq)]
pub struct NewPassword(Secret);

/// `Secret` is not `Clone`; a copy of the changes copies the password explicitly.
impl Clone for NewPassword {
    fn clone(&self) -> Self {
        NewPassword(self.0.duplicate())
    }
}

impl NewPassword {
    pub fn new(value: impl Into<String>) -> Self {
        NewPassword(Secret::new(value))
    }

    pub fn expose(&self) -> &str {
        self.0.expose()
    }
}

impl<'de> Deserialize<'de> for NewPassword {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        String::deserialize(deserializer).map(NewPassword::new)
    }
}

/// The user's edits: only the fields they changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
#[ts(rename = "Msp360UserChanges")]
pub struct UserChanges {
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification_emails: Option<Vec<String>>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[ts(optional)]
    #[serde(rename = "LicenseManagmentMode", default, skip_serializing_if = "Option::is_none")]
    pub license_mode: Option<String>,
    /// Write-only: accepted from the form, never serialized, logged or read back.
    #[ts(optional, type = "string")]
    #[serde(default, skip_serializing)]
    pub password: Option<NewPassword>,
}

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
    FieldDef::new("Company", "Company", FieldKind::Text, FieldMeaning::Company)
        .help("The MBS company the user belongs to, by name. Leave empty for none."),
    FieldDef::new("Enabled", "Enabled", FieldKind::Boolean, FieldMeaning::Enabled)
        .required()
        .help("When off, the user can't sign in and their backups stop."),
    FieldDef::new("LicenseManagmentMode", "License management", FieldKind::Choice, FieldMeaning::LicenseMode)
        .allowed(ValueList::Msp360LicenseModes)
        .help("Manual: staff assign licenses. Automatic: a license is taken when a backup needs one. Company settings: the company decides."),
    FieldDef::new(PASSWORD_KEY, "New password", FieldKind::Password, FieldMeaning::Password)
        .max_length(100)
        .help("Leave empty to keep the current password; MSP360 never shows it. A new one needs 3 to 100 characters."),
];

/// Every broken rule in a complete user (for inline validation and before sending).
pub fn check(values: &UserDetails) -> Vec<FieldError> {
    check_all(FIELDS, &to_json(values))
}

/// The rules an update applies to a merged user: every rule for what changed; values MSP360
/// returned go back as they are (a license mode outside our list included), except that a
/// required one may not be empty (see [`check_merged`]).
pub fn check_update(before: &UserDetails, after: &UserDetails) -> Vec<FieldError> {
    check_merged(FIELDS, &to_json(before), &to_json(after))
}

/// Every broken rule in the edits alone, so invalid edits never cause a request.
pub fn check_changes(changes: &UserChanges) -> Vec<FieldError> {
    let mut errors = match serde_json::to_value(changes) {
        Ok(json) => check_present(FIELDS, &json),
        Err(error) => vec![FieldError { field: String::new(), message: format!("Could not read the change: {error}") }],
    };
    if changes.license_mode.as_deref().is_some_and(|mode| mode.trim().is_empty()) {
        errors.push(FieldError {
            field: LICENSE_KEY.to_string(),
            message: "License management can't be cleared; choose Manual, Automatic or CompanySettings.".to_string(),
        });
    }
    if let Some(password) = &changes.password {
        errors.extend(check_password(password));
    }
    errors
}

/// MSP360 documents no rules for a backup user's password; the login's 3 to 100 characters apply.
fn check_password(password: &NewPassword) -> Option<FieldError> {
    let length = password.expose().encode_utf16().count();
    (!(3..=100).contains(&length)).then(|| FieldError {
        field: PASSWORD_KEY.to_string(),
        message: format!("New password must be 3 to 100 characters long (it has {length})."),
    })
}

/// The user's current values.
pub async fn read(client: &Msp360Client, target: &UserTarget) -> Result<UserDetails> {
    Ok(details(&client.read_user(target).await?))
}

/// The user as read for planning: the values, and the license mode as the GET wrote it.
pub async fn snapshot(client: &Msp360Client, target: &UserTarget) -> Result<Snapshot> {
    let record = client.read_user(target).await?;
    let license = record.license.as_ref().map(LicenseField::to_json).unwrap_or(Value::Null);
    Ok(Snapshot { values: to_json(&details(&record)), raw: json!({ "license": license }) })
}

/// Every rule the edits alone break, after the same trimming a plan applies.
fn refuse_bad_changes(changes: &UserChanges) -> Result<()> {
    refuse(check_changes(&normalized(changes)))
}

/// The user with the edits over it, checked, and the PUT of the whole user (none if nothing
/// differs and no password is set).
pub fn plan(target: &UserTarget, current: &Snapshot, changes: &UserChanges) -> Result<Planned> {
    let changes = normalized(changes);
    refuse(check_changes(&changes))?;
    target.path()?;
    let before: UserDetails = typed("current values", &current.values)?;
    let after = merge(&before, &changes);
    refuse(check_update(&before, &after))?;
    let after_json = to_json(&after);
    let planned = plan::changes_between(FIELDS, &current.values, &after_json, changes.password.is_some());
    let request = (!planned.is_empty()).then(|| {
        let license = current.raw.get("license").and_then(LicenseField::from_json);
        PlannedRequest {
            method: WriteMethod::Put,
            path: "/api/Users".to_string(),
            body: put_body(target, license.as_ref(), &before, &after),
            secret: changes.password.map(|password| SecretMember { pointer: "/Password", value: password.0 }),
        }
    });
    Ok(Planned { after: after_json, changes: planned, request })
}

/// Reads the user, applies `changes`, checks what changed and sends the whole user.
/// Invalid edits are refused before any request; if nothing differs, nothing is sent.
pub async fn update(
    client: &Msp360Client,
    target: &UserTarget,
    changes: &UserChanges,
) -> Result<UpdateReceipt<UserDetails>> {
    refuse_bad_changes(changes)?;
    typed_update(
        snapshot(client, target),
        |current| plan(target, current, changes),
        async |request| client.put_user(request, &target.user_id).await.map(|()| Sent::default()),
    )
    .await
}

/// The registry's entry for this operation.
pub struct Operation;

static ABOUT: About = About {
    id: OPERATION_ID,
    vendor: Vendor::Msp360,
    title: "Backup user",
    targets: &[TargetId { key: "userId", flag: "user", label: "User ID", noun: "user" }],
    fields: FIELDS,
};

impl crate::operations::Operation for Operation {
    fn about(&self) -> &'static About {
        &ABOUT
    }
    fn read<'a>(&'a self, client: &'a VendorClient, target: &'a Value, _: &'a Call) -> BoxFuture<'a, Result<Snapshot>> {
        Box::pin(async move { snapshot(client.msp360(OPERATION_ID)?, &typed("target", target)?).await })
    }
    fn check_edits(&self, edits: &Value) -> Result<()> {
        refuse_bad_changes(&typed("change", edits)?)
    }
    fn plan(&self, target: &Value, current: &Snapshot, edits: &Value) -> Result<Planned> {
        plan(&typed("target", target)?, current, &typed("change", edits)?)
    }
    fn send<'a>(
        &'a self,
        client: &'a VendorClient,
        target: &'a Value,
        request: &'a PlannedRequest,
        _: &'a Call,
    ) -> BoxFuture<'a, Result<Sent>> {
        Box::pin(async move {
            let target: UserTarget = typed("target", target)?;
            client.msp360(OPERATION_ID)?.put_user(request, &target.user_id).await.map(|()| Sent::default())
        })
    }
}

pub fn merge(current: &UserDetails, changes: &UserChanges) -> UserDetails {
    let pick = |change: &Option<String>, current: &String| change.clone().unwrap_or_else(|| current.clone());
    UserDetails {
        email: pick(&changes.email, &current.email),
        first_name: pick(&changes.first_name, &current.first_name),
        last_name: pick(&changes.last_name, &current.last_name),
        notification_emails: changes.notification_emails.clone().unwrap_or_else(|| current.notification_emails.clone()),
        company: pick(&changes.company, &current.company),
        enabled: changes.enabled.unwrap_or(current.enabled),
        license_mode: pick(&changes.license_mode, &current.license_mode),
    }
}

/// Trims typed text (never the password) and drops empty notification-email entries.
fn normalized(changes: &UserChanges) -> UserChanges {
    let trim = |value: &Option<String>| value.as_ref().map(|text| text.trim().to_string());
    UserChanges {
        email: trim(&changes.email),
        first_name: trim(&changes.first_name),
        last_name: trim(&changes.last_name),
        notification_emails: changes
            .notification_emails
            .as_ref()
            .map(|list| list.iter().map(|entry| entry.trim().to_string()).filter(|entry| !entry.is_empty()).collect()),
        company: trim(&changes.company),
        enabled: changes.enabled,
        license_mode: trim(&changes.license_mode),
        password: changes.password.clone(),
    }
}

fn details(record: &UserRecord) -> UserDetails {
    UserDetails {
        email: record.email.clone(),
        first_name: record.first_name.clone(),
        last_name: record.last_name.clone(),
        notification_emails: record.notification_emails.clone(),
        company: record.company.clone(),
        enabled: record.enabled,
        license_mode: record.license.as_ref().map(|license| license_name(&license.value)).unwrap_or_default(),
    }
}

/// The whole user for `PUT /api/Users`, as the seed's sample has it.
fn put_body(target: &UserTarget, license: Option<&LicenseField>, before: &UserDetails, after: &UserDetails) -> Value {
    let mut body = json!({
        "ID": target.user_id,
        "Email": after.email,
        "FirstName": after.first_name,
        "LastName": after.last_name,
        "NotificationEmails": after.notification_emails,
        "Enabled": after.enabled,
    });
    // The vendor's module leaves out an empty company rather than naming a company "".
    if !after.company.is_empty() {
        body["Company"] = json!(after.company);
    }
    let license_changed = after.license_mode != before.license_mode;
    match license {
        // Unchanged: exactly what the GET said, under the key(s) it used.
        Some(license) if !license_changed => {
            for key in &license.keys {
                body[*key] = license.value.clone();
            }
        }
        Some(license) => {
            for key in &license.keys {
                body[*key] = license_wire(&after.license_mode, Some(&license.value));
            }
        }
        None if license_changed => body[LICENSE_KEY] = license_wire(&after.license_mode, None),
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
    use crate::msp360::{LicenseField, LICENSE_KEY_NEWER};
    use crate::ErrorCode;

    fn valid() -> UserDetails {
        UserDetails {
            email: "testuser2".into(),
            first_name: "Test".into(),
            last_name: "User".into(),
            notification_emails: vec!["testuser2@northwind.example".into()],
            company: "Northwind Traders".into(),
            enabled: true,
            license_mode: "Manual".into(),
        }
    }

    fn record(license: Option<LicenseField>) -> UserRecord {
        let values = valid();
        UserRecord {
            id: "u1".into(),
            email: values.email,
            first_name: values.first_name,
            last_name: values.last_name,
            notification_emails: values.notification_emails,
            company: values.company,
            enabled: values.enabled,
            license,
        }
    }

    fn changed_keys(before: &UserDetails, after: &UserDetails) -> Vec<String> {
        crate::fields::changed_keys(FIELDS, &to_json(before), &to_json(after))
    }

    fn target() -> UserTarget {
        UserTarget { user_id: "u1".into() }
    }

    fn only_error(values: UserDetails) -> FieldError {
        let errors = check(&values);
        assert_eq!(errors.len(), 1, "{errors:?}");
        errors.into_iter().next().unwrap()
    }

    fn only_change_error(changes: UserChanges) -> FieldError {
        let errors = check_changes(&normalized(&changes));
        assert_eq!(errors.len(), 1, "{errors:?}");
        errors.into_iter().next().unwrap()
    }

    #[test]
    fn the_vendor_sample_is_valid() {
        assert!(check(&valid()).is_empty());
    }

    #[test]
    fn definitions_cover_exactly_the_users_keys_and_the_password() {
        let mut defined: Vec<&str> = FIELDS.iter().map(|def| def.key).collect();
        defined.sort();
        let json = to_json(&valid());
        let mut keys: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
        keys.push(PASSWORD_KEY);
        keys.sort();
        assert_eq!(keys, defined);
        // Every defined key is a known change key, and nothing else is.
        let all: serde_json::Map<String, Value> = FIELDS
            .iter()
            .map(|def| {
                let value = match def.kind {
                    FieldKind::Boolean => json!(true),
                    FieldKind::EmailList => json!([]),
                    _ => json!("x"),
                };
                (def.key.to_string(), value)
            })
            .collect();
        let changes: UserChanges = serde_json::from_value(Value::Object(all)).unwrap();
        assert!(changes.password.is_some());
        let mut change_keys: Vec<String> =
            serde_json::to_value(&changes).unwrap().as_object().unwrap().keys().cloned().collect();
        change_keys.push(PASSWORD_KEY.to_string());
        change_keys.sort();
        assert_eq!(change_keys, defined);
    }

    #[test]
    fn the_password_is_never_serialized_or_printed() {
        let changes = UserChanges { password: Some(NewPassword::new("hunter2-secret")), ..Default::default() };
        assert_eq!(serde_json::to_value(&changes).unwrap(), json!({}));
        assert!(!format!("{changes:?}").contains("hunter2-secret"));
    }

    #[test]
    fn changes_reject_unknown_keys() {
        assert!(serde_json::from_value::<UserChanges>(json!({"Emial": "x"})).is_err());
        assert!(serde_json::from_value::<UserChanges>(json!({"LicenseManagementMode": "Manual"})).is_err());
    }

    #[test]
    fn accepts_a_login_name_that_is_not_an_address() {
        for login in ["testuser2", "backup-srv01", "anna.berg@northwind.example", "DOMAIN\\anna"] {
            assert!(check(&UserDetails { email: login.into(), ..valid() }).is_empty(), "{login}");
        }
    }

    #[test]
    fn rejects_a_missing_login_name() {
        let error = only_error(UserDetails { email: " ".into(), ..valid() });
        assert_eq!(error.field, "Email");
        assert_eq!(error.message, "Login name is required.");
    }

    #[test]
    fn rejects_notification_emails_that_are_not_addresses() {
        let error = only_error(UserDetails {
            notification_emails: vec!["ok@example.com".into(), "testuser2".into()],
            ..valid()
        });
        assert_eq!(error.field, "NotificationEmails");
        assert!(error.message.contains("\"testuser2\" (entry 2) is not"), "{}", error.message);
        assert!(check(&UserDetails { notification_emails: vec![], ..valid() }).is_empty(), "none is fine");
    }

    #[test]
    fn rejects_a_license_mode_outside_the_vendor_list() {
        for bad in ["manual", "0", "Auto", "3"] {
            let error = only_error(UserDetails { license_mode: bad.into(), ..valid() });
            assert_eq!(error.field, "LicenseManagmentMode");
            assert!(error.message.contains("Manual, Automatic or CompanySettings"), "{}", error.message);
        }
        for good in LICENSE_MODES {
            assert!(check(&UserDetails { license_mode: good.into(), ..valid() }).is_empty());
        }
    }

    #[test]
    fn rejects_clearing_the_license_mode() {
        let error = only_change_error(UserChanges { license_mode: Some(" ".into()), ..Default::default() });
        assert_eq!(error.field, "LicenseManagmentMode");
    }

    #[test]
    fn rejects_a_password_shorter_than_3_characters() {
        let error = only_change_error(UserChanges { password: Some(NewPassword::new("ab")), ..Default::default() });
        assert_eq!(error.field, "Password");
        assert_eq!(error.message, "New password must be 3 to 100 characters long (it has 2).");
        assert!(
            check_changes(&UserChanges { password: Some(NewPassword::new("abc")), ..Default::default() }).is_empty()
        );
    }

    #[test]
    fn rejects_a_password_longer_than_100_characters() {
        let error =
            only_change_error(UserChanges { password: Some(NewPassword::new("p".repeat(101))), ..Default::default() });
        assert_eq!(error.field, "Password");
        assert_eq!(error.message, "New password must be 3 to 100 characters long (it has 101).");
        assert!(check_changes(&UserChanges {
            password: Some(NewPassword::new("p".repeat(100))),
            ..Default::default()
        })
        .is_empty());
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
        let changes = normalized(&UserChanges {
            email: Some(" testuser3 ".into()),
            notification_emails: Some(vec![" a@example.com ".into(), "  ".into()]),
            password: Some(NewPassword::new(" spaced ")),
            ..Default::default()
        });
        assert_eq!(changes.email.as_deref(), Some("testuser3"));
        assert_eq!(changes.notification_emails, Some(vec!["a@example.com".to_string()]));
        assert_eq!(changes.password.unwrap().expose(), " spaced ");
    }

    #[test]
    fn merge_keeps_untouched_fields() {
        let merged = merge(&valid(), &UserChanges { first_name: Some("Tess".into()), ..Default::default() });
        assert_eq!(merged, UserDetails { first_name: "Tess".into(), ..valid() });
        assert_eq!(changed_keys(&valid(), &merged), vec!["FirstName"]);
    }

    #[test]
    fn the_body_keeps_enabled_and_the_license_key_and_form_the_get_returned() {
        let newer = record(Some(LicenseField { keys: vec![LICENSE_KEY_NEWER], value: json!("CompanySettings") }));
        let before = details(&newer);
        assert_eq!(before.license_mode, "CompanySettings");
        let after = merge(&before, &UserChanges { last_name: Some("Usr".into()), ..Default::default() });
        let body = put_body(&target(), newer.license.as_ref(), &before, &after);
        assert_eq!(body["LicenseManagementMode"], json!("CompanySettings"));
        assert!(body.get(LICENSE_KEY).is_none());
        assert_eq!(body["Enabled"], json!(true));
        assert!(body.get("Password").is_none());

        let after = merge(&before, &UserChanges { license_mode: Some("Automatic".into()), ..Default::default() });
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
        assert_eq!(before.license_mode, "7");
        let body = put_body(&target(), odd.license.as_ref(), &before, &before);
        assert_eq!(body[LICENSE_KEY], json!(7));
    }

    #[test]
    fn no_license_mode_from_the_get_means_none_is_sent_unless_chosen() {
        let silent = record(None);
        let before = details(&silent);
        let body = put_body(&target(), silent.license.as_ref(), &before, &before);
        assert!(body.get(LICENSE_KEY).is_none() && body.get(LICENSE_KEY_NEWER).is_none());
        let after = UserDetails { license_mode: "Automatic".into(), ..before.clone() };
        assert_eq!(put_body(&target(), silent.license.as_ref(), &before, &after)[LICENSE_KEY], json!(1));
    }

    #[test]
    fn an_empty_company_is_left_out_and_the_password_only_sent_when_given() {
        let rec = record(Some(LicenseField { keys: vec![LICENSE_KEY], value: json!(0) }));
        let before = details(&rec);
        let current = Snapshot {
            values: to_json(&before),
            raw: json!({ "license": rec.license.as_ref().map(LicenseField::to_json) }),
        };
        let changes = UserChanges {
            company: Some(String::new()),
            password: Some(NewPassword::new("n3w-pass")),
            ..Default::default()
        };
        let request = plan(&target(), &current, &changes).unwrap().request.unwrap();
        assert!(request.body.get("Company").is_none());
        assert!(request.body.get("Password").is_none(), "the shown body never holds the password");
        assert_eq!(request.body_to_send()["Password"], json!("n3w-pass"));
        assert_eq!(request.body_to_send()[LICENSE_KEY], json!(0), "the license as the GET wrote it");
        let unchanged = plan(&target(), &current, &UserChanges::default()).unwrap();
        assert!(unchanged.request.is_none() && unchanged.changes.is_empty());
    }

    #[test]
    fn invalid_changes_are_refused_before_any_request() {
        // An unroutable client: if a request were attempted the error would be Unreachable.
        let settings = super::super::Msp360Settings::new("http://127.0.0.1:9", "login").unwrap();
        let client = Msp360Client::new(settings, Secret::new("password"));
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let changes = UserChanges { notification_emails: Some(vec!["nope".into()]), ..Default::default() };
        let error = runtime.block_on(update(&client, &target(), &changes)).unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidInput);
        assert_eq!(error.field.as_deref(), Some("NotificationEmails"));
        let bad_target = UserTarget { user_id: "../Companies".into() };
        let error = runtime.block_on(update(&client, &bad_target, &UserChanges::default())).unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidInput);
        assert_eq!(error.field.as_deref(), Some("userId"));
    }
}
