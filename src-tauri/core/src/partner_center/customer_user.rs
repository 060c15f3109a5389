//! `partner-center.customer-user`: a customer's user in Partner Center: names, sign-in name
//! (user principal name), usage location, and optionally a new password.
//!
//! Like Microsoft's own `Set-PartnerCustomerUser`, an update reads the user, changes only the
//! fields the user edited and PATCHes the CustomerUser back; `passwordProfile` goes along only
//! when a new password is set. The password is never read back, stored or shown.
//!
//! `passwordProfile.forceChangePassword` can't be read back either: the GET has no such key, so
//! the form shows the switch off, and a new password is sent with exactly the switch as shown
//! (off unless the user turned it on). It travels only inside `passwordProfile`, beside the new
//! password, as the seed's sample and the vendor's SDK have it.

use super::{PartnerCenterClient, UserRecord, UserTarget};
use crate::error::{FieldError, Result};
use crate::fields::{
    check_all, check_merged, check_present, to_json, FieldDef, FieldKind, FieldMeaning, UpdateReceipt,
};
use crate::operations::{refuse, typed, typed_update, About, BoxFuture, TargetId, VendorClient};
use crate::plan::{self, Call, Planned, PlannedChange, PlannedRequest, SecretMember, Sent, Snapshot, WriteMethod};
use crate::profiles::Vendor;
use crate::reference::ValueList;
use crate::secret::Secret;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use ts_rs::TS;

pub const OPERATION_ID: &str = "partner-center.customer-user";

/// The user as Partner Center holds it (the fields this operation edits).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CustomerUser {
    pub display_name: String,
    pub first_name: String,
    pub last_name: String,
    pub user_principal_name: String,
    pub usage_location: String,
}

/// The user's edits: only the fields they changed, and optionally a new password.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CustomerUserChanges {
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_principal_name: Option<String>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage_location: Option<String>,
    /// A new password. Empty means "no new password".
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// Only with a new password. Absent means off: what the form shows, since the GET never
    /// returns it.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force_change_password: Option<bool>,
}

impl std::fmt::Debug for CustomerUserChanges {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CustomerUserChanges")
            .field("display_name", &self.display_name)
            .field("first_name", &self.first_name)
            .field("last_name", &self.last_name)
            .field("user_principal_name", &self.user_principal_name)
            .field("usage_location", &self.usage_location)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("force_change_password", &self.force_change_password)
            .finish()
    }
}

const UPN_LABEL: &str = "Username";

/// The form, in order: the user's values, then the write-only password and its switch.
pub const FORM_FIELDS: &[FieldDef] = &[
    FieldDef::new("displayName", "Display name", FieldKind::Text, FieldMeaning::DisplayName)
        .required()
        .max_length(256)
        .help("The name shown in address lists and Microsoft 365 apps."),
    FieldDef::new("firstName", "First name", FieldKind::Text, FieldMeaning::GivenName)
        .max_length(64)
        .help("The user's given name."),
    FieldDef::new("lastName", "Last name", FieldKind::Text, FieldMeaning::Surname)
        .max_length(64)
        .help("The user's family name."),
    FieldDef::new("userPrincipalName", UPN_LABEL, FieldKind::Text, FieldMeaning::LoginName)
        .required()
        .max_length(113)
        .help("What the user signs in with, alias@domain. The domain must be one of the customer's domains.")
        .placeholder("adele.vance@contoso.onmicrosoft.com"),
    FieldDef::new("usageLocation", "Usage location", FieldKind::Choice, FieldMeaning::Country)
        .allowed(ValueList::UsageLocations)
        .help("The country where the user mainly works; Microsoft needs it before licenses can be assigned."),
    // Sent in `passwordProfile` when set; never read back.
    FieldDef::new("password", "New password", FieldKind::Password, FieldMeaning::Password)
        .max_length(256)
        .help("Leave empty to keep the current password. 8 to 256 characters, mixing three of: uppercase, lowercase, digits, symbols."),
    FieldDef::new(
        "forceChangePassword",
        "Ask for a new password at next sign-in",
        FieldKind::Boolean,
        FieldMeaning::PasswordChangeRequired,
    )
    .help("Only with a new password; off unless you turn it on. When on, the user must choose their own password when they next sign in."),
];

/// The user's values (what the GET returns).
pub const FIELDS: &[FieldDef] = FORM_FIELDS.split_at(5).0;
/// Sent in `passwordProfile` when set; never read back.
pub const PASSWORD_FIELDS: &[FieldDef] = FORM_FIELDS.split_at(5).1;

const PASSWORD_MIN_LENGTH: usize = 8;

/// Every broken rule in a complete user (for inline validation and before sending).
pub fn check(values: &CustomerUser) -> Vec<FieldError> {
    let mut errors = check_all(FIELDS, &to_json(values));
    if !errors.iter().any(|e| e.field == "userPrincipalName") {
        errors.extend(user_principal_name_error(&values.user_principal_name));
    }
    errors
}

/// The rules an update applies to a merged user: every rule for what changed; values Partner
/// Center returned go back as they are (a usage location outside our list included), except
/// that a required one may not be empty (see [`check_merged`]).
pub fn check_update(before: &CustomerUser, after: &CustomerUser) -> Vec<FieldError> {
    let mut errors = check_merged(FIELDS, &to_json(before), &to_json(after));
    let upn_changed = before.user_principal_name != after.user_principal_name;
    if upn_changed && !errors.iter().any(|e| e.field == "userPrincipalName") {
        errors.extend(user_principal_name_error(&after.user_principal_name));
    }
    errors
}

/// Every broken rule in the edits alone, the new password included. Nothing is read or sent.
pub fn check_changes(changes: &CustomerUserChanges) -> Vec<FieldError> {
    let json = serde_json::to_value(changes).expect("CustomerUserChanges always serializes");
    let mut errors = check_present(FORM_FIELDS, &json);
    let has_error = |errors: &[FieldError], key: &str| errors.iter().any(|e| e.field == key);
    if let Some(upn) = &changes.user_principal_name {
        if !has_error(&errors, "userPrincipalName") {
            errors.extend(user_principal_name_error(upn.trim()));
        }
    }
    match new_password(changes) {
        Some(password) if !has_error(&errors, "password") => errors.extend(password_error(password)),
        Some(_) => {}
        None if changes.force_change_password.is_some() => errors.push(FieldError {
            field: "forceChangePassword".into(),
            message: "\"Ask for a new password at next sign-in\" only applies together with a new password. Enter a new password, or leave this off.".into(),
        }),
        None => {}
    }
    errors
}

fn new_password(changes: &CustomerUserChanges) -> Option<&str> {
    changes.password.as_deref().filter(|password| !password.is_empty())
}

/// Entra ID's rule for a user principal name (vendors.md §2.6): `alias@domain`, the alias at most
/// 64 characters of A–Z a–z 0–9 ' . - _ ! # ^ ~, not starting or ending with a dot.
fn user_principal_name_error(upn: &str) -> Option<FieldError> {
    let fail = |message: String| Some(FieldError { field: "userPrincipalName".into(), message });
    let shape = format!("{UPN_LABEL} must be alias@domain, like adele.vance@contoso.onmicrosoft.com.");
    let Some((alias, domain)) = upn.split_once('@') else { return fail(shape) };
    if alias.is_empty() || domain.contains('@') {
        return fail(shape);
    }
    if alias.chars().count() > 64 {
        return fail(format!("The part of {UPN_LABEL} before @ can be at most 64 characters long."));
    }
    if let Some(bad) = alias.chars().find(|c| !(c.is_ascii_alphanumeric() || "'.-_!#^~".contains(*c))) {
        let shown = if bad.is_whitespace() { "spaces".to_string() } else { format!("\"{bad}\"") };
        return fail(format!(
            "The part of {UPN_LABEL} before @ can only use letters A–Z, digits and ' . - _ ! # ^ ~; it can't contain {shown}."
        ));
    }
    if alias.starts_with('.') || alias.ends_with('.') {
        return fail(format!("The part of {UPN_LABEL} before @ can't start or end with a dot."));
    }
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    if !domain_ok {
        return fail(format!(
            "The part of {UPN_LABEL} after @ must be one of the customer's domains, like contoso.onmicrosoft.com."
        ));
    }
    None
}

/// Entra ID's default password policy (vendors.md §2.6): 8 to 256 characters (the maximum is on
/// the field definition) and three of the four character classes. The password is never quoted.
fn password_error(password: &str) -> Option<FieldError> {
    let fail = |message: &str| Some(FieldError { field: "password".into(), message: message.into() });
    if password.chars().count() < PASSWORD_MIN_LENGTH {
        return fail("New password must be at least 8 characters long.");
    }
    let classes = [
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ];
    if classes.iter().filter(|&&present| present).count() < 3 {
        return fail(
            "New password must mix at least three of these: uppercase letters, lowercase letters, digits and symbols.",
        );
    }
    None
}

fn from_record(record: UserRecord) -> CustomerUser {
    CustomerUser {
        display_name: record.display_name.unwrap_or_default(),
        first_name: record.first_name.unwrap_or_default(),
        last_name: record.last_name.unwrap_or_default(),
        user_principal_name: record.user_principal_name.unwrap_or_default(),
        usage_location: record.usage_location.unwrap_or_default(),
    }
}

/// The user's current values.
pub async fn read(client: &PartnerCenterClient, target: &UserTarget) -> Result<CustomerUser> {
    client.read_user(target).await.map(from_record)
}

/// The user as read for planning.
pub async fn snapshot(client: &PartnerCenterClient, target: &UserTarget, call: &Call) -> Result<Snapshot> {
    let record = client.read_user_in(target, &call.correlation_id).await?;
    Ok(Snapshot::of_values(to_json(&from_record(record))))
}

/// The user with the edits over it, checked, and the PATCH of the CustomerUser (none if nothing
/// differs and no password is set).
pub fn plan(target: &UserTarget, current: &Snapshot, changes: &CustomerUserChanges) -> Result<Planned> {
    refuse(check_changes(changes))?;
    let path = target.path()?;
    let before: CustomerUser = typed("current values", &current.values)?;
    let after = merge(&before, changes);
    refuse(check_update(&before, &after))?;
    let after_json = to_json(&after);
    let password = new_password(changes);
    let mut planned = plan::changes_between(FORM_FIELDS, &current.values, &after_json, password.is_some());
    // The switch as the form shows it: off unless turned on (the GET can't say otherwise).
    let force_change = changes.force_change_password.unwrap_or(false);
    if let (Some(_), Some(force_change)) = (password, changes.force_change_password) {
        let label = PASSWORD_FIELDS[1].label.to_string();
        let after = Value::Bool(force_change);
        planned.push(PlannedChange { field: "forceChangePassword".into(), label, before: Value::Null, after });
    }
    let request = (!planned.is_empty()).then(|| PlannedRequest {
        method: WriteMethod::Patch,
        path,
        body: patch_body(&after, password.map(|_| force_change)),
        secret: password
            .map(|password| SecretMember { pointer: "/passwordProfile/password", value: Secret::new(password) }),
    });
    Ok(Planned { after: after_json, changes: planned, request })
}

/// Reads the user, applies `changes`, checks what changed and PATCHes the CustomerUser back.
/// Invalid edits are refused before any request; if nothing differs and no password is set,
/// nothing is sent. The receipt's `after` is what Partner Center answered with.
pub async fn update(
    client: &PartnerCenterClient,
    target: &UserTarget,
    changes: &CustomerUserChanges,
) -> Result<UpdateReceipt<CustomerUser>> {
    refuse(check_changes(changes))?;
    // The read and the update are one operation: one correlation id, a request id each.
    let call = Call::new();
    typed_update(
        snapshot(client, target, &call),
        |current| plan(target, current, changes),
        async |request| send(client, request, &call).await,
    )
    .await
}

/// PATCHes exactly the planned request; the answer is the user as Partner Center now holds it.
async fn send(client: &PartnerCenterClient, request: &PlannedRequest, call: &Call) -> Result<Sent> {
    let (record, request_id) = client.patch_user(request, &call.correlation_id).await?;
    Ok(Sent { after: Some(to_json(&from_record(record))), request_id: Some(request_id) })
}

/// The registry's entry for this operation.
pub struct Operation;

static ABOUT: About = About {
    id: OPERATION_ID,
    vendor: Vendor::PartnerCenter,
    title: "User details",
    targets: &[
        TargetId { key: "customerId", flag: "customer", label: "Customer tenant ID", noun: "customer" },
        TargetId { key: "userId", flag: "user", label: "User ID", noun: "user" },
    ],
    fields: FORM_FIELDS,
};

impl crate::operations::Operation for Operation {
    fn about(&self) -> &'static About {
        &ABOUT
    }
    fn read<'a>(
        &'a self,
        client: &'a VendorClient,
        target: &'a Value,
        call: &'a Call,
    ) -> BoxFuture<'a, Result<Snapshot>> {
        Box::pin(async move { snapshot(client.partner_center(OPERATION_ID)?, &typed("target", target)?, call).await })
    }
    fn check_edits(&self, edits: &Value) -> Result<()> {
        refuse(check_changes(&typed("change", edits)?))
    }
    fn plan(&self, target: &Value, current: &Snapshot, edits: &Value) -> Result<Planned> {
        plan(&typed("target", target)?, current, &typed("change", edits)?)
    }
    fn send<'a>(
        &'a self,
        client: &'a VendorClient,
        _: &'a Value,
        request: &'a PlannedRequest,
        call: &'a Call,
    ) -> BoxFuture<'a, Result<Sent>> {
        Box::pin(async move { send(client.partner_center(OPERATION_ID)?, request, call).await })
    }
}

pub fn merge(current: &CustomerUser, changes: &CustomerUserChanges) -> CustomerUser {
    // Only edited values are trimmed: untouched ones go back exactly as Partner Center sent them.
    let pick = |change: &Option<String>, current: &String| match change {
        Some(value) => value.trim().to_string(),
        None => current.clone(),
    };
    CustomerUser {
        display_name: pick(&changes.display_name, &current.display_name),
        first_name: pick(&changes.first_name, &current.first_name),
        last_name: pick(&changes.last_name, &current.last_name),
        user_principal_name: pick(&changes.user_principal_name, &current.user_principal_name),
        usage_location: pick(&changes.usage_location, &current.usage_location),
    }
}

/// The CustomerUser as PATCHed: every field this operation covers (empty ones as `null`), the
/// object type, and `passwordProfile` only with a new password (`Some(forceChangePassword)`);
/// the password itself is the plan's secret member, put in only when sent.
fn patch_body(user: &CustomerUser, force_change_password: Option<bool>) -> Value {
    let text = |value: &str| if value.is_empty() { Value::Null } else { Value::String(value.to_string()) };
    let mut body = json!({
        "firstName": text(&user.first_name),
        "lastName": text(&user.last_name),
        "displayName": text(&user.display_name),
        "userPrincipalName": text(&user.user_principal_name),
        "usageLocation": text(&user.usage_location),
        "attributes": { "objectType": "CustomerUser" },
    });
    if let Some(force_change_password) = force_change_password {
        body["passwordProfile"] = json!({ "forceChangePassword": force_change_password });
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    /// The seed's response sample, with the docs' usage location.
    fn valid() -> CustomerUser {
        CustomerUser {
            display_name: "DisplayNameChange".into(),
            first_name: "FirstNameChange".into(),
            last_name: "LastNameChange".into(),
            user_principal_name: "emailidchange@abcdefgh1234.ccsctp.net".into(),
            usage_location: "US".into(),
        }
    }

    fn only_error(values: CustomerUser) -> FieldError {
        let errors = check(&values);
        assert_eq!(errors.len(), 1, "{errors:?}");
        errors.into_iter().next().unwrap()
    }

    fn only_change_error(changes: CustomerUserChanges) -> FieldError {
        let errors = check_changes(&changes);
        assert_eq!(errors.len(), 1, "{errors:?}");
        errors.into_iter().next().unwrap()
    }

    fn password(text: &str) -> CustomerUserChanges {
        CustomerUserChanges { password: Some(text.into()), ..Default::default() }
    }

    fn upn(text: &str) -> CustomerUser {
        CustomerUser { user_principal_name: text.into(), ..valid() }
    }

    #[test]
    fn the_vendor_sample_is_valid() {
        assert!(check(&valid()).is_empty());
        assert!(check_changes(&password("testPw@!122B")).is_empty(), "the seed's sample password");
    }

    #[test]
    fn definitions_cover_exactly_the_users_keys_and_the_changes_add_only_the_password() {
        let json = to_json(&valid());
        let mut keys: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
        let mut defined: Vec<&str> = FIELDS.iter().map(|def| def.key).collect();
        keys.sort();
        defined.sort();
        assert_eq!(keys, defined);
        let changes = serde_json::to_value(CustomerUserChanges {
            display_name: Some(String::new()),
            first_name: Some(String::new()),
            last_name: Some(String::new()),
            user_principal_name: Some(String::new()),
            usage_location: Some(String::new()),
            password: Some(String::new()),
            force_change_password: Some(true),
        })
        .unwrap();
        let mut change_keys: Vec<&str> = changes.as_object().unwrap().keys().map(String::as_str).collect();
        let mut all_defined: Vec<&str> = FIELDS.iter().chain(PASSWORD_FIELDS).map(|def| def.key).collect();
        change_keys.sort();
        all_defined.sort();
        assert_eq!(change_keys, all_defined);
        assert_eq!(FORM_FIELDS.len(), all_defined.len());
    }

    #[test]
    fn rejects_missing_display_name() {
        let error = only_error(CustomerUser { display_name: " ".into(), ..valid() });
        assert_eq!((error.field.as_str(), error.message.as_str()), ("displayName", "Display name is required."));
    }

    #[test]
    fn rejects_display_name_longer_than_256_characters() {
        let error = only_error(CustomerUser { display_name: "a".repeat(257), ..valid() });
        assert_eq!(error.field, "displayName");
        assert!(error.message.starts_with("Display name can be at most 256 characters long"), "{}", error.message);
    }

    #[test]
    fn rejects_first_name_longer_than_64_characters() {
        let error = only_error(CustomerUser { first_name: "a".repeat(65), ..valid() });
        assert_eq!(error.field, "firstName");
        assert!(error.message.starts_with("First name can be at most 64 characters long"), "{}", error.message);
    }

    #[test]
    fn rejects_last_name_longer_than_64_characters() {
        let error = only_error(CustomerUser { last_name: "b".repeat(65), ..valid() });
        assert_eq!(error.field, "lastName");
    }

    #[test]
    fn first_and_last_name_may_be_empty() {
        assert!(check(&CustomerUser { first_name: String::new(), last_name: String::new(), ..valid() }).is_empty());
    }

    #[test]
    fn rejects_usage_location_that_is_not_an_iso_code() {
        for bad in ["United States", "us", "USA", "XX"] {
            let error = only_error(CustomerUser { usage_location: bad.into(), ..valid() });
            assert_eq!(error.field, "usageLocation");
            assert!(error.message.contains("two-letter ISO 3166-1 country codes"), "{}", error.message);
        }
        assert!(check(&CustomerUser { usage_location: String::new(), ..valid() }).is_empty(), "it may be unset");
    }

    #[test]
    fn rejects_missing_user_principal_name() {
        assert_eq!(only_error(upn("")).message, "Username is required.");
    }

    #[test]
    fn rejects_user_principal_name_that_is_not_alias_at_domain() {
        for bad in [
            "adele",
            "@contoso.com",
            "adele@",
            "a@b@contoso.com",
            "adele@contoso",
            "adele@-contoso.com",
            "adele@contoso..com",
        ] {
            let error = only_error(upn(bad));
            assert_eq!(error.field, "userPrincipalName", "{bad}");
        }
        assert!(only_error(upn("adele")).message.starts_with("Username must be alias@domain"));
    }

    #[test]
    fn rejects_user_principal_name_alias_with_forbidden_characters() {
        for bad in ["ad le@contoso.com", "adèle@contoso.com", "a+b@contoso.com", "a,b@contoso.com", "a\"b@contoso.com"]
        {
            let error = only_error(upn(bad));
            assert!(
                error.message.contains("can only use letters A–Z, digits and ' . - _ ! # ^ ~"),
                "{bad}: {}",
                error.message
            );
        }
        assert!(check(&upn("o'neil.a-b_c!d#e^f~g@contoso.onmicrosoft.com")).is_empty());
    }

    #[test]
    fn rejects_user_principal_name_alias_starting_or_ending_with_a_dot() {
        for bad in [".adele@contoso.com", "adele.@contoso.com"] {
            assert_eq!(only_error(upn(bad)).message, "The part of Username before @ can't start or end with a dot.");
        }
    }

    #[test]
    fn rejects_user_principal_name_alias_longer_than_64_characters() {
        let error = only_error(upn(&format!("{}@contoso.com", "a".repeat(65))));
        assert_eq!(error.message, "The part of Username before @ can be at most 64 characters long.");
        assert!(check(&upn(&format!("{}@contoso.com", "a".repeat(64)))).is_empty());
    }

    #[test]
    fn rejects_user_principal_name_longer_than_113_characters() {
        let long = format!("{}@{}.onmicrosoft.com", "a".repeat(64), "b".repeat(40));
        assert!(long.len() > 113);
        let error = only_error(upn(&long));
        assert!(error.message.starts_with("Username can be at most 113 characters long"), "{}", error.message);
    }

    #[test]
    fn rejects_password_shorter_than_8_characters() {
        let error = only_change_error(password("Ab1!xyz"));
        assert_eq!(
            (error.field.as_str(), error.message.as_str()),
            ("password", "New password must be at least 8 characters long.")
        );
    }

    #[test]
    fn rejects_password_longer_than_256_characters() {
        let error = only_change_error(password(&format!("Aa1!{}", "x".repeat(253))));
        assert_eq!(error.field, "password");
        assert!(error.message.starts_with("New password can be at most 256 characters long"), "{}", error.message);
        assert!(check_changes(&password(&format!("Aa1!{}", "x".repeat(252)))).is_empty());
    }

    #[test]
    fn rejects_password_with_fewer_than_three_character_classes() {
        for bad in ["alllowercase", "lowerandUPPER", "12345678ab", "!!!!????aa"] {
            let error = only_change_error(password(bad));
            assert!(error.message.contains("at least three of these"), "{bad}");
        }
        for good in ["lowerUPPER1", "lower1234!", "UPPER1234!", "lowerUPPER!"] {
            assert!(check_changes(&password(good)).is_empty(), "{good}");
        }
    }

    #[test]
    fn rejects_force_change_password_without_a_new_password() {
        for changes in [
            CustomerUserChanges { force_change_password: Some(true), ..Default::default() },
            CustomerUserChanges {
                force_change_password: Some(false),
                password: Some(String::new()),
                ..Default::default()
            },
        ] {
            assert_eq!(only_change_error(changes).field, "forceChangePassword");
        }
    }

    #[test]
    fn change_checks_apply_the_user_principal_name_rule() {
        let changes =
            CustomerUserChanges { user_principal_name: Some(" .x@contoso.com ".into()), ..Default::default() };
        assert_eq!(only_change_error(changes).field, "userPrincipalName");
    }

    #[test]
    fn the_password_never_appears_in_debug_output_or_errors() {
        let secret = "Xy7!not-to-be-seen";
        let changes = CustomerUserChanges { password: Some(secret.into()), ..Default::default() };
        assert!(!format!("{changes:?}").contains(secret));
        for bad in ["short1!", "nouppernodigits"] {
            let errors = check_changes(&password(bad));
            assert!(errors.iter().all(|e| !e.message.contains(bad)), "{errors:?}");
        }
    }

    #[test]
    fn merge_keeps_untouched_fields_and_trims_edits() {
        let merged = merge(
            &valid(),
            &CustomerUserChanges {
                first_name: Some("  Adele ".into()),
                usage_location: Some("DE".into()),
                ..Default::default()
            },
        );
        assert_eq!(merged.first_name, "Adele");
        assert_eq!(merged.usage_location, "DE");
        assert_eq!(merged.display_name, "DisplayNameChange");
        let changed = crate::fields::changed_keys(FIELDS, &to_json(&valid()), &to_json(&merged));
        assert_eq!(changed, vec!["firstName", "usageLocation"]);
    }

    #[test]
    fn the_patch_body_carries_the_object_type_and_the_password_profile_only_with_a_password() {
        let body = patch_body(&CustomerUser { first_name: String::new(), ..valid() }, None);
        assert_eq!(
            body,
            json!({
                "firstName": null,
                "lastName": "LastNameChange",
                "displayName": "DisplayNameChange",
                "userPrincipalName": "emailidchange@abcdefgh1234.ccsctp.net",
                "usageLocation": "US",
                "attributes": { "objectType": "CustomerUser" }
            })
        );
        let target = UserTarget { customer_id: "c1".into(), user_id: "u1".into() };
        let current = Snapshot::of_values(to_json(&valid()));
        let changes = CustomerUserChanges { force_change_password: Some(true), ..password("testPw@!122B") };
        let planned = plan(&target, &current, &changes).unwrap();
        let request = planned.request.unwrap();
        assert_eq!(
            request.body["passwordProfile"],
            json!({ "forceChangePassword": true }),
            "shown without the password"
        );
        assert_eq!(
            request.body_to_send()["passwordProfile"],
            json!({ "password": "testPw@!122B", "forceChangePassword": true })
        );
        let listed: Vec<&str> = planned.changes.iter().map(|change| change.field.as_str()).collect();
        assert_eq!(listed, ["password", "forceChangePassword"], "the review lists the switch as it is sent");
        // Without a touch of the switch it is sent off, as the form shows it.
        let request = plan(&target, &current, &password("testPw@!122B")).unwrap().request.unwrap();
        assert_eq!(request.body_to_send()["passwordProfile"]["forceChangePassword"], json!(false));
    }

    #[test]
    fn changes_reject_unknown_keys() {
        assert!(serde_json::from_value::<CustomerUserChanges>(json!({"passwordProfile": {}})).is_err());
        assert!(serde_json::from_value::<CustomerUserChanges>(json!({"givenName": "x"})).is_err());
    }

    #[test]
    fn invalid_changes_are_refused_before_any_request() {
        // An unroutable client: if a request were attempted the error would be Unreachable.
        let settings =
            super::super::PartnerCenterSettings::new("http://127.0.0.1:9", "http://127.0.0.1:9", "organizations", "id")
                .unwrap();
        let client = PartnerCenterClient::new(settings, crate::secret::Secret::new("r"));
        let target = UserTarget { customer_id: "c".into(), user_id: "u".into() };
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let error = runtime.block_on(update(&client, &target, &password("weak"))).unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidInput);
        assert_eq!(error.field.as_deref(), Some("password"));
        let bad_target = UserTarget { user_id: "../admin".into(), ..target };
        let error = runtime.block_on(update(&client, &bad_target, &CustomerUserChanges::default())).unwrap_err();
        assert_eq!(error.field.as_deref(), Some("userId"));
    }
}
