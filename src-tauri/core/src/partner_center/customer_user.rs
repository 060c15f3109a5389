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

use super::{PartnerCenterClient, UserTarget, VENDOR};
use crate::error::{FieldError, Result};
use crate::fields::{check_merged, check_present, FieldDef, FieldKind, FieldMeaning};
use crate::operations::{refuse, About, TargetId, VendorClient, VendorOperation};
use crate::plan::{self, Call, Planned, PlannedChange, PlannedRequest, SecretMember, Sent, Snapshot, WriteMethod};
use crate::profiles::Vendor;
use crate::record;
use crate::reference::ValueList;
use crate::secret::Secret;
use serde_json::{json, Value};

pub const OPERATION_ID: &str = "partner-center.customer-user";

const UPN_LABEL: &str = "Username";

/// The form, in order: the user's values (keyed as the CustomerUser spells them), then the
/// write-only password and its switch. Only edited values are trimmed: untouched ones go back
/// exactly as Partner Center sent them.
pub const FORM_FIELDS: &[FieldDef] = &[
    FieldDef::new("displayName", "Display name", FieldKind::Text, FieldMeaning::DisplayName)
        .empty_as_null()
        .required()
        .max_length(256)
        .help("The name shown in address lists and Microsoft 365 apps."),
    FieldDef::new("firstName", "First name", FieldKind::Text, FieldMeaning::GivenName)
        .empty_as_null()
        .max_length(64)
        .help("The user's given name."),
    FieldDef::new("lastName", "Last name", FieldKind::Text, FieldMeaning::Surname)
        .empty_as_null()
        .max_length(64)
        .help("The user's family name."),
    FieldDef::new(UPN_KEY, UPN_LABEL, FieldKind::Text, FieldMeaning::LoginName)
        .empty_as_null()
        .required()
        .max_length(113)
        .help("What the user signs in with, alias@domain. The domain must be one of the customer's domains.")
        .placeholder("adele.vance@contoso.onmicrosoft.com"),
    FieldDef::new("usageLocation", "Usage location", FieldKind::Choice, FieldMeaning::Country)
        .empty_as_null()
        .allowed(ValueList::UsageLocations)
        .help("The country where the user mainly works; Microsoft needs it before licenses can be assigned."),
    // Sent in `passwordProfile` when set; never read back.
    FieldDef::new(PASSWORD_KEY, "New password", FieldKind::Password, FieldMeaning::Password)
        .max_length(256)
        .help("Leave empty to keep the current password. 8 to 256 characters, mixing three of: uppercase, lowercase, digits, symbols."),
    FieldDef::new(
        FORCE_CHANGE_KEY,
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
const UPN_KEY: &str = "userPrincipalName";
const PASSWORD_KEY: &str = "password";
const FORCE_CHANGE_KEY: &str = "forceChangePassword";

/// The rules an update applies to a merged user: every rule for what changed; values Partner
/// Center returned go back as they are (a usage location outside our list included), except
/// that a required one may not be empty (see [`check_merged`]).
fn check_update(before: &Value, after: &Value) -> Vec<FieldError> {
    let mut errors = check_merged(FIELDS, before, after);
    let upn = record::text(after, UPN_KEY);
    if upn != record::text(before, UPN_KEY) && !errors.iter().any(|e| e.field == UPN_KEY) {
        errors.extend(user_principal_name_error(upn));
    }
    errors
}

/// Every broken rule in the edits alone, the new password included. Nothing is read or sent.
fn check_changes(edits: &Value) -> Vec<FieldError> {
    let mut errors = check_present(FORM_FIELDS, edits);
    let has_error = |errors: &[FieldError], key: &str| errors.iter().any(|e| e.field == key);
    if let Some(upn) = edits.get(UPN_KEY).and_then(Value::as_str) {
        if !has_error(&errors, UPN_KEY) {
            errors.extend(user_principal_name_error(upn.trim()));
        }
    }
    match new_password(edits) {
        Some(password) if !has_error(&errors, PASSWORD_KEY) => errors.extend(password_error(password)),
        Some(_) => {}
        None if edits.get(FORCE_CHANGE_KEY).is_some() => errors.push(FieldError {
            field: FORCE_CHANGE_KEY.into(),
            message: "\"Ask for a new password at next sign-in\" only applies together with a new password. Enter a new password, or leave this off.".into(),
        }),
        None => {}
    }
    errors
}

/// The edits as given, with every rule they alone break refused.
fn checked_edits(edits: &Value) -> Result<Value> {
    let edits = record::edits(FORM_FIELDS, edits)?;
    refuse(check_changes(&edits))?;
    Ok(edits)
}

/// A new password. Empty means "no new password".
fn new_password(edits: &Value) -> Option<&str> {
    edits.get(PASSWORD_KEY).and_then(Value::as_str).filter(|password| !password.is_empty())
}

/// Entra ID's rule for a user principal name (vendors.md §2.6): `alias@domain`, the alias at most
/// 64 characters of A–Z a–z 0–9 ' . - _ ! # ^ ~, not starting or ending with a dot.
fn user_principal_name_error(upn: &str) -> Option<FieldError> {
    let fail = |message: String| Some(FieldError { field: UPN_KEY.into(), message });
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
    let fail = |message: &str| Some(FieldError { field: PASSWORD_KEY.into(), message: message.into() });
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

/// The user as read for planning.
async fn snapshot(client: &PartnerCenterClient, target: &UserTarget, call: &Call) -> Result<Snapshot> {
    let user = client.read_user_in(target, &call.correlation_id).await?;
    Ok(Snapshot::of_values(record::values(FIELDS, VENDOR, &user)?))
}

/// The user with the edits over it, checked, and the PATCH of the CustomerUser (none if nothing
/// differs and no password is set).
pub fn plan(target: &UserTarget, current: &Snapshot, edits: &Value) -> Result<Planned> {
    let edits = checked_edits(edits)?;
    let path = target.path()?;
    let after = record::merge(FIELDS, &current.values, &record::trimmed(FIELDS, &edits));
    refuse(check_update(&current.values, &after))?;
    let password = new_password(&edits);
    let mut planned = plan::changes_between(FORM_FIELDS, &current.values, &after, password.is_some());
    // The switch as the form shows it: off unless turned on (the GET can't say otherwise). The
    // review lists it when it was touched, as it is sent.
    let force_change = edits.get(FORCE_CHANGE_KEY).and_then(Value::as_bool);
    if let (Some(_), Some(force_change)) = (password, force_change) {
        let label = PASSWORD_FIELDS[1].label.to_string();
        let after = Value::Bool(force_change);
        planned.push(PlannedChange { field: FORCE_CHANGE_KEY.into(), label, before: Value::Null, after });
    }
    let request = (!planned.is_empty()).then(|| PlannedRequest {
        method: WriteMethod::Patch,
        path,
        body: patch_body(&after, password.map(|_| force_change.unwrap_or(false))),
        secret: password
            .map(|password| SecretMember { pointer: "/passwordProfile/password", value: Secret::new(password) }),
    });
    Ok(Planned { after, changes: planned, request })
}

/// PATCHes exactly the planned request; the answer is the user as Partner Center now holds it.
/// The read and the PATCH of one update share the call's correlation id, a request id each.
async fn send(client: &PartnerCenterClient, request: &PlannedRequest, call: &Call) -> Result<Sent> {
    let (user, request_id) = client.patch_user(request, &call.correlation_id).await?;
    Ok(Sent { after: Some(record::values(FIELDS, VENDOR, &user)?), request_id: Some(request_id) })
}

/// The registry's entry for this operation.
pub static OPERATION: VendorOperation<PartnerCenterClient, UserTarget> = VendorOperation {
    about: About {
        id: OPERATION_ID,
        vendor: Vendor::PartnerCenter,
        title: "User details",
        targets: &[
            TargetId { key: "customerId", flag: "customer", label: "Customer tenant ID", noun: "customer" },
            TargetId { key: "userId", flag: "user", label: "User ID", noun: "user" },
        ],
        fields: FORM_FIELDS,
    },
    client: VendorClient::partner_center,
    snapshot: |client, target, call| Box::pin(snapshot(client, target, call)),
    checked_edits,
    plan,
    send: |client, _, request, call| Box::pin(send(client, request, call)),
};

/// The CustomerUser as PATCHed: every field this operation covers (each sends empty as `null`), the
/// object type, and `passwordProfile` only with a new password (`Some(forceChangePassword)`);
/// the password itself is the plan's secret member, put in only when sent.
fn patch_body(user: &Value, force_change_password: Option<bool>) -> Value {
    let mut body = serde_json::Map::new();
    for def in FIELDS {
        body.insert(def.key.to_string(), def.wire(&user[def.key]));
    }
    body.insert("attributes".into(), json!({ "objectType": "CustomerUser" }));
    if let Some(force_change_password) = force_change_password {
        body.insert("passwordProfile".into(), json!({ "forceChangePassword": force_change_password }));
    }
    Value::Object(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::check_all;
    use crate::record::with;
    use crate::ErrorCode;

    /// The seed's response sample, with the docs' usage location.
    fn valid() -> Value {
        json!({
            "displayName": "DisplayNameChange",
            "firstName": "FirstNameChange",
            "lastName": "LastNameChange",
            "userPrincipalName": "emailidchange@abcdefgh1234.ccsctp.net",
            "usageLocation": "US",
        })
    }

    /// Every broken rule in a complete user, the user principal name's own rule included.
    fn check(values: &Value) -> Vec<FieldError> {
        let mut errors = check_all(FIELDS, values);
        if !errors.iter().any(|e| e.field == UPN_KEY) {
            errors.extend(user_principal_name_error(record::text(values, UPN_KEY)));
        }
        errors
    }

    fn only_error(values: Value) -> FieldError {
        let errors = check(&values);
        assert_eq!(errors.len(), 1, "{errors:?}");
        errors.into_iter().next().unwrap()
    }

    fn only_change_error(changes: Value) -> FieldError {
        let errors = check_changes(&changes);
        assert_eq!(errors.len(), 1, "{errors:?}");
        errors.into_iter().next().unwrap()
    }

    fn password(text: &str) -> Value {
        json!({ "password": text })
    }

    fn upn(text: &str) -> Value {
        with(valid(), UPN_KEY, json!(text))
    }

    #[test]
    fn the_vendor_sample_is_valid() {
        assert!(check(&valid()).is_empty());
        assert!(check_changes(&password("testPw@!122B")).is_empty(), "the seed's sample password");
    }

    #[test]
    fn rejects_missing_display_name() {
        let error = only_error(with(valid(), "displayName", json!(" ")));
        assert_eq!((error.field.as_str(), error.message.as_str()), ("displayName", "Display name is required."));
    }

    #[test]
    fn rejects_display_name_longer_than_256_characters() {
        let error = only_error(with(valid(), "displayName", json!("a".repeat(257))));
        assert_eq!(error.field, "displayName");
        assert!(error.message.starts_with("Display name can be at most 256 characters long"), "{}", error.message);
    }

    #[test]
    fn rejects_first_name_longer_than_64_characters() {
        let error = only_error(with(valid(), "firstName", json!("a".repeat(65))));
        assert_eq!(error.field, "firstName");
        assert!(error.message.starts_with("First name can be at most 64 characters long"), "{}", error.message);
    }

    #[test]
    fn rejects_last_name_longer_than_64_characters() {
        let error = only_error(with(valid(), "lastName", json!("b".repeat(65))));
        assert_eq!(error.field, "lastName");
    }

    #[test]
    fn first_and_last_name_may_be_empty() {
        assert!(check(&with(with(valid(), "firstName", json!("")), "lastName", json!(""))).is_empty());
    }

    #[test]
    fn rejects_usage_location_that_is_not_an_iso_code() {
        for bad in ["United States", "us", "USA", "XX"] {
            let error = only_error(with(valid(), "usageLocation", json!(bad)));
            assert_eq!(error.field, "usageLocation");
            assert!(error.message.contains("two-letter ISO 3166-1 country codes"), "{}", error.message);
        }
        assert!(check(&with(valid(), "usageLocation", json!(""))).is_empty(), "it may be unset");
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
        for changes in [json!({"forceChangePassword": true}), json!({"forceChangePassword": false, "password": ""})] {
            assert_eq!(only_change_error(changes).field, "forceChangePassword");
        }
    }

    #[test]
    fn change_checks_apply_the_user_principal_name_rule() {
        let changes = json!({"userPrincipalName": " .x@contoso.com "});
        assert_eq!(only_change_error(changes).field, "userPrincipalName");
    }

    #[test]
    fn the_password_never_appears_in_errors_or_the_plans_values() {
        let secret = "Xy7!not-to-be-seen";
        let target = UserTarget { customer_id: "c1".into(), user_id: "u1".into() };
        let planned = plan(&target, &Snapshot::of_values(valid()), &password(secret)).unwrap();
        assert!(!format!("{planned:?}").contains(secret));
        assert!(!planned.request.unwrap().body_shown().to_string().contains(secret));
        for bad in ["short1!", "nouppernodigits"] {
            let errors = check_changes(&password(bad));
            assert!(errors.iter().all(|e| !e.message.contains(bad)), "{errors:?}");
        }
    }

    #[test]
    fn merge_keeps_untouched_fields_and_trims_edits() {
        let edits = record::trimmed(FIELDS, &json!({"firstName": "  Adele ", "usageLocation": "DE"}));
        let merged = record::merge(FIELDS, &valid(), &edits);
        assert_eq!(merged["firstName"], "Adele");
        assert_eq!(merged["usageLocation"], "DE");
        assert_eq!(merged["displayName"], "DisplayNameChange");
        let changed = crate::fields::changed_keys(FIELDS, &valid(), &merged);
        assert_eq!(changed, vec!["firstName", "usageLocation"]);
    }

    #[test]
    fn the_patch_body_carries_the_object_type_and_the_password_profile_only_with_a_password() {
        let body = patch_body(&with(valid(), "firstName", json!("")), None);
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
        let current = Snapshot::of_values(valid());
        let changes = with(password("testPw@!122B"), "forceChangePassword", json!(true));
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
        assert!(record::edits(FORM_FIELDS, &json!({"passwordProfile": {}})).is_err());
        assert!(record::edits(FORM_FIELDS, &json!({"givenName": "x"})).is_err());
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
        let error = runtime.block_on(OPERATION.update(&client, &target, &password("weak"))).unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidInput);
        assert_eq!(error.field.as_deref(), Some("password"));
        let bad_target = UserTarget { user_id: "../admin".into(), ..target };
        let error = runtime.block_on(OPERATION.update(&client, &bad_target, &json!({}))).unwrap_err();
        assert_eq!(error.field.as_deref(), Some("userId"));
    }
}
