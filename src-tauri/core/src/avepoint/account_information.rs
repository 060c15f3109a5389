//! `avepoint.account-information`: a user's mail, usage location, language and access window.
//!
//! The vendor replaces the whole section on every PUT, so an update reads the user, merges the
//! edits and sends all seven fields.

use super::{AvePointClient, UserTarget};
use crate::fields::{FieldDef, FieldKind, FieldMeaning};
use crate::operations::{About, VendorClient, VendorOperation};
use crate::profiles::Vendor;
use crate::reference::ValueList;

pub const OPERATION_ID: &str = "avepoint.account-information";
/// The path segment after the user.
const SECTION: &str = "account-information";

/// The section's fields, in form order and as the PUT sends them. Only edits are trimmed:
/// untouched values go back exactly as AvePoint sent them.
pub const FIELDS: &[FieldDef] = &[
    FieldDef::new("mail", "Email", FieldKind::Email, FieldMeaning::Email)
        .required()
        .max_length(256)
        .help("The user's email address in AvePoint.")
        .placeholder("name@example.com"),
    FieldDef::new("usageLocation", "Usage location", FieldKind::Choice, FieldMeaning::Country)
        .required()
        .max_length(128)
        .allowed(ValueList::UsageLocations)
        .help("The country where the user mainly works; it decides which licenses can be assigned."),
    FieldDef::new("preferredLanguage", "Preferred language", FieldKind::Choice, FieldMeaning::Language)
        .required()
        .allowed(ValueList::Languages)
        .help("The language and region the user's apps and emails use."),
    FieldDef::new("enforceStart", "Enforce a start date", FieldKind::Boolean, FieldMeaning::AccessStartEnforced)
        .required()
        .help("When on, AvePoint applies the start date and time to this user."),
    FieldDef::new("enforceStartDateTime", "Start date and time", FieldKind::DateTimeUtc, FieldMeaning::AccessStart)
        .required()
        .applies_when("enforceStart")
        .help("When the user's access starts.")
        .placeholder("2025-01-31T09:00:00Z"),
    FieldDef::new("enforceEnd", "Enforce an end date", FieldKind::Boolean, FieldMeaning::AccessEndEnforced)
        .required()
        .help("When on, AvePoint applies the end date and time to this user."),
    FieldDef::new("enforceEndDateTime", "End date and time", FieldKind::DateTimeUtc, FieldMeaning::AccessEnd)
        .required()
        .applies_when("enforceEnd")
        .help("When the user's access ends.")
        .placeholder("2025-12-31T17:00:00Z"),
];

/// The registry's entry for this operation.
pub static OPERATION: VendorOperation<AvePointClient, UserTarget> = VendorOperation {
    about: About {
        id: OPERATION_ID,
        vendor: Vendor::Avepoint,
        title: "Account information",
        targets: super::USER_TARGET_IDS,
        fields: FIELDS,
    },
    client: VendorClient::avepoint,
    snapshot: |client, target, _| Box::pin(super::read_section(client, target, FIELDS)),
    checked_edits: |edits| super::checked_edits(FIELDS, edits),
    plan: |target, current, edits| super::plan_section(SECTION, FIELDS, target, current, edits),
    send: |client, _, request, _| Box::pin(super::send_section(client, request, SECTION)),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::check_all;
    use crate::record::with;
    use crate::ErrorCode;
    use serde_json::{json, Value};

    fn changed_keys(before: &Value, after: &Value) -> Vec<String> {
        crate::fields::changed_keys(FIELDS, before, after)
    }

    fn check(values: &Value) -> Vec<crate::FieldError> {
        check_all(FIELDS, values)
    }

    fn valid() -> Value {
        json!({
            "mail": "Mark@element.onmicrosoft.com",
            "usageLocation": "AF",
            "preferredLanguage": "af-NA",
            "enforceStart": true,
            "enforceStartDateTime": "1970-01-01T00:00:00Z",
            "enforceEnd": true,
            "enforceEndDateTime": "1970-01-01T00:00:00Z",
        })
    }

    fn only_error(values: Value) -> crate::FieldError {
        let errors = check(&values);
        assert_eq!(errors.len(), 1, "{errors:?}");
        errors.into_iter().next().unwrap()
    }

    #[test]
    fn the_vendor_sample_is_valid() {
        assert!(check(&valid()).is_empty());
    }

    #[test]
    fn rejects_mail_longer_than_256_characters() {
        let mail = format!("{}@example.com", "a".repeat(64)) + &".example".repeat(23);
        assert!(mail.len() > 256);
        let error = only_error(with(valid(), "mail", json!(mail)));
        assert_eq!(error.field, "mail");
        assert!(error.message.starts_with("Email can be at most 256 characters long"), "{}", error.message);
    }

    #[test]
    fn rejects_mail_that_is_not_an_address() {
        let error = only_error(with(valid(), "mail", json!("mark at element")));
        assert_eq!(error.field, "mail");
        assert_eq!(error.message, "Email must be an email address, like name@example.com.");
    }

    #[test]
    fn rejects_missing_mail() {
        assert_eq!(only_error(with(valid(), "mail", json!(""))).message, "Email is required.");
    }

    #[test]
    fn rejects_usage_location_that_is_not_an_iso_code() {
        for bad in ["Afghanistan", "af", "XX", "AFG"] {
            let error = only_error(with(valid(), "usageLocation", json!(bad)));
            assert_eq!(error.field, "usageLocation");
            assert!(error.message.contains("two-letter ISO 3166-1 country codes"), "{}", error.message);
        }
    }

    #[test]
    fn rejects_preferred_language_outside_the_vendor_list() {
        for bad in ["English", "en_US", "xx-XX", "en-us"] {
            let error = only_error(with(valid(), "preferredLanguage", json!(bad)));
            assert_eq!(error.field, "preferredLanguage");
            assert!(error.message.contains("culture codes, such as en-US or af-NA"), "{}", error.message);
        }
        assert!(check(&with(valid(), "preferredLanguage", json!("en-US"))).is_empty());
    }

    #[test]
    fn rejects_date_times_that_are_not_utc_iso_8601() {
        let error = only_error(with(valid(), "enforceStartDateTime", json!("2025-01-01T10:00:00+02:00")));
        assert_eq!(error.field, "enforceStartDateTime");
        assert!(error.message.contains("in UTC (ISO 8601)"));
        let error = only_error(with(valid(), "enforceEndDateTime", json!("31.12.2025")));
        assert_eq!(error.field, "enforceEndDateTime");
    }

    #[test]
    fn merge_keeps_untouched_fields_and_trims_mail() {
        let edits = crate::record::trimmed(FIELDS, &json!({"mail": " new@example.com ", "enforceEnd": false}));
        let merged = crate::record::merge(FIELDS, &valid(), &edits);
        assert_eq!(merged["mail"], "new@example.com");
        assert_eq!(merged["enforceEnd"], false);
        assert_eq!(merged["usageLocation"], "AF");
        assert_eq!(changed_keys(&valid(), &merged), vec!["mail", "enforceEnd"]);
    }

    #[test]
    fn changes_reject_unknown_keys() {
        let parsed = crate::record::edits(FIELDS, &json!({"mial": "x"}));
        assert!(parsed.is_err());
    }

    #[test]
    fn invalid_changes_are_refused_before_any_request() {
        // An unroutable client: if a request were attempted the error would be Unreachable.
        let settings = super::super::AvePointSettings::new("http://127.0.0.1:9", "http://127.0.0.1:9", "id").unwrap();
        let client = AvePointClient::new(settings, crate::secret::Secret::new("s"));
        let target = UserTarget { customer_id: "c".into(), tenant_id: "t".into(), user_id: "u".into() };
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let error = runtime.block_on(OPERATION.update(&client, &target, &json!({"mail": "nope"}))).unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidInput);
        assert_eq!(error.field.as_deref(), Some("mail"));
        let bad_target = UserTarget { user_id: "../admin".into(), ..target };
        let error = runtime.block_on(OPERATION.update(&client, &bad_target, &json!({}))).unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidInput);
        assert_eq!(error.field.as_deref(), Some("userId"));
    }
}
