//! `avepoint.account-information`: a user's mail, usage location, language and access window.
//!
//! The vendor replaces the whole section on every PUT, so an update reads the user, merges the
//! edits and sends all seven fields.

use super::{AvePointClient, SectionOperation, UserRecord, UserTarget};
use crate::error::Result;
use crate::fields::{check_all, check_merged, to_json, FieldDef, FieldKind, FieldMeaning, UpdateReceipt};
use crate::operations::About;
use crate::profiles::Vendor;
use crate::reference::ValueList;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub const OPERATION_ID: &str = "avepoint.account-information";
const SECTION: &str = "account-information";

/// The section as AvePoint holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AccountInformation {
    pub mail: String,
    pub usage_location: String,
    pub preferred_language: String,
    pub enforce_start: bool,
    pub enforce_start_date_time: String,
    pub enforce_end: bool,
    pub enforce_end_date_time: String,
}

/// The user's edits: only the fields they changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AccountInformationChanges {
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mail: Option<String>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage_location: Option<String>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_language: Option<String>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enforce_start: Option<bool>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enforce_start_date_time: Option<String>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enforce_end: Option<bool>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enforce_end_date_time: Option<String>,
}

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

/// Every broken rule in a complete section (for inline validation and before sending).
pub fn check(values: &AccountInformation) -> Vec<crate::FieldError> {
    check_all(FIELDS, &to_json(values))
}

/// The rules an update applies to a merged section: every rule for what changed, and for values
/// AvePoint returned only that a required one is not empty (see [`check_merged`]).
pub fn check_update(before: &AccountInformation, after: &AccountInformation) -> Vec<crate::FieldError> {
    check_merged(FIELDS, &to_json(before), &to_json(after))
}

/// The registry's entry for this operation.
pub static OPERATION: SectionOperation<AccountInformation, AccountInformationChanges> = SectionOperation {
    about: About {
        id: OPERATION_ID,
        vendor: Vendor::Avepoint,
        title: "Account information",
        targets: super::USER_TARGET_IDS,
        fields: FIELDS,
    },
    section: SECTION,
    from_user,
    merge,
};

fn from_user(user: UserRecord) -> AccountInformation {
    AccountInformation {
        mail: user.mail.unwrap_or_default(),
        usage_location: user.usage_location.unwrap_or_default(),
        preferred_language: user.preferred_language.unwrap_or_default(),
        enforce_start: user.enforce_start.unwrap_or_default(),
        enforce_start_date_time: user.enforce_start_date_time.unwrap_or_default(),
        enforce_end: user.enforce_end.unwrap_or_default(),
        enforce_end_date_time: user.enforce_end_date_time.unwrap_or_default(),
    }
}

/// The user's current account information.
pub async fn read(client: &AvePointClient, target: &UserTarget) -> Result<AccountInformation> {
    OPERATION.read(client, target).await
}

/// Reads the user, applies `changes`, checks what changed and sends the whole section.
/// Invalid edits are refused before any request; if nothing differs, nothing is sent.
pub async fn update(
    client: &AvePointClient,
    target: &UserTarget,
    changes: &AccountInformationChanges,
) -> Result<UpdateReceipt<AccountInformation>> {
    OPERATION.update(client, target, changes).await
}

pub fn merge(current: &AccountInformation, changes: &AccountInformationChanges) -> AccountInformation {
    let pick = |change: &Option<String>, current: &String| change.clone().unwrap_or_else(|| current.clone());
    AccountInformation {
        // Only an edited address is trimmed: untouched values go back exactly as AvePoint sent them.
        mail: changes.mail.as_deref().map(str::trim).unwrap_or(&current.mail).to_string(),
        usage_location: pick(&changes.usage_location, &current.usage_location),
        preferred_language: pick(&changes.preferred_language, &current.preferred_language),
        enforce_start: changes.enforce_start.unwrap_or(current.enforce_start),
        enforce_start_date_time: pick(&changes.enforce_start_date_time, &current.enforce_start_date_time),
        enforce_end: changes.enforce_end.unwrap_or(current.enforce_end),
        enforce_end_date_time: pick(&changes.enforce_end_date_time, &current.enforce_end_date_time),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    fn changed_keys(before: &AccountInformation, after: &AccountInformation) -> Vec<String> {
        crate::fields::changed_keys(FIELDS, &to_json(before), &to_json(after))
    }

    fn valid() -> AccountInformation {
        AccountInformation {
            mail: "Mark@element.onmicrosoft.com".into(),
            usage_location: "AF".into(),
            preferred_language: "af-NA".into(),
            enforce_start: true,
            enforce_start_date_time: "1970-01-01T00:00:00Z".into(),
            enforce_end: true,
            enforce_end_date_time: "1970-01-01T00:00:00Z".into(),
        }
    }

    fn only_error(values: AccountInformation) -> crate::FieldError {
        let errors = check(&values);
        assert_eq!(errors.len(), 1, "{errors:?}");
        errors.into_iter().next().unwrap()
    }

    #[test]
    fn the_vendor_sample_is_valid() {
        assert!(check(&valid()).is_empty());
    }

    #[test]
    fn definitions_cover_exactly_the_sections_keys() {
        let json = to_json(&valid());
        let mut keys: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
        let mut defined: Vec<&str> = FIELDS.iter().map(|def| def.key).collect();
        keys.sort();
        defined.sort();
        assert_eq!(keys, defined);
        let changes = serde_json::to_value(AccountInformationChanges {
            mail: Some(String::new()),
            usage_location: Some(String::new()),
            preferred_language: Some(String::new()),
            enforce_start: Some(true),
            enforce_start_date_time: Some(String::new()),
            enforce_end: Some(true),
            enforce_end_date_time: Some(String::new()),
        })
        .unwrap();
        let mut change_keys: Vec<&str> = changes.as_object().unwrap().keys().map(String::as_str).collect();
        change_keys.sort();
        assert_eq!(change_keys, defined);
    }

    #[test]
    fn rejects_mail_longer_than_256_characters() {
        let mail = format!("{}@example.com", "a".repeat(64)) + &".example".repeat(23);
        assert!(mail.len() > 256);
        let error = only_error(AccountInformation { mail, ..valid() });
        assert_eq!(error.field, "mail");
        assert!(error.message.starts_with("Email can be at most 256 characters long"), "{}", error.message);
    }

    #[test]
    fn rejects_mail_that_is_not_an_address() {
        let error = only_error(AccountInformation { mail: "mark at element".into(), ..valid() });
        assert_eq!(error.field, "mail");
        assert_eq!(error.message, "Email must be an email address, like name@example.com.");
    }

    #[test]
    fn rejects_missing_mail() {
        assert_eq!(only_error(AccountInformation { mail: "".into(), ..valid() }).message, "Email is required.");
    }

    #[test]
    fn rejects_usage_location_that_is_not_an_iso_code() {
        for bad in ["Afghanistan", "af", "XX", "AFG"] {
            let error = only_error(AccountInformation { usage_location: bad.into(), ..valid() });
            assert_eq!(error.field, "usageLocation");
            assert!(error.message.contains("two-letter ISO 3166-1 country codes"), "{}", error.message);
        }
    }

    #[test]
    fn rejects_preferred_language_outside_the_vendor_list() {
        for bad in ["English", "en_US", "xx-XX", "en-us"] {
            let error = only_error(AccountInformation { preferred_language: bad.into(), ..valid() });
            assert_eq!(error.field, "preferredLanguage");
            assert!(error.message.contains("culture codes, such as en-US or af-NA"), "{}", error.message);
        }
        assert!(check(&AccountInformation { preferred_language: "en-US".into(), ..valid() }).is_empty());
    }

    #[test]
    fn rejects_date_times_that_are_not_utc_iso_8601() {
        let error =
            only_error(AccountInformation { enforce_start_date_time: "2025-01-01T10:00:00+02:00".into(), ..valid() });
        assert_eq!(error.field, "enforceStartDateTime");
        assert!(error.message.contains("in UTC (ISO 8601)"));
        let error = only_error(AccountInformation { enforce_end_date_time: "31.12.2025".into(), ..valid() });
        assert_eq!(error.field, "enforceEndDateTime");
    }

    #[test]
    fn merge_keeps_untouched_fields_and_trims_mail() {
        let merged = merge(
            &valid(),
            &AccountInformationChanges {
                mail: Some(" new@example.com ".into()),
                enforce_end: Some(false),
                ..Default::default()
            },
        );
        assert_eq!(merged.mail, "new@example.com");
        assert!(!merged.enforce_end);
        assert_eq!(merged.usage_location, "AF");
        assert_eq!(changed_keys(&valid(), &merged), vec!["mail", "enforceEnd"]);
    }

    #[test]
    fn changes_reject_unknown_keys() {
        let parsed = serde_json::from_value::<AccountInformationChanges>(serde_json::json!({"mial": "x"}));
        assert!(parsed.is_err());
    }

    #[test]
    fn invalid_changes_are_refused_before_any_request() {
        // An unroutable client: if a request were attempted the error would be Unreachable.
        let settings = super::super::AvePointSettings::new("http://127.0.0.1:9", "http://127.0.0.1:9", "id").unwrap();
        let client = AvePointClient::new(settings, crate::secret::Secret::new("s"));
        let target = UserTarget { customer_id: "c".into(), tenant_id: "t".into(), user_id: "u".into() };
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let error = runtime
            .block_on(update(
                &client,
                &target,
                &AccountInformationChanges { mail: Some("nope".into()), ..Default::default() },
            ))
            .unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidInput);
        assert_eq!(error.field.as_deref(), Some("mail"));
        let bad_target = UserTarget { user_id: "../admin".into(), ..target };
        let error = runtime.block_on(update(&client, &bad_target, &AccountInformationChanges::default())).unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidInput);
        assert_eq!(error.field.as_deref(), Some("userId"));
    }
}
