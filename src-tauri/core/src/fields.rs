//! One definition per field: key, label, kind, limits and allowed values live here once. The
//! validator, the UI form (through [`FieldSpec`]) and error messages are all derived from it.

use crate::error::FieldError;
use crate::reference::{Choice, ValueList};
use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

/// How a field is edited and checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    Text,
    Email,
    /// One value from a vendor list (see [`FieldSpec::choices`]).
    Choice,
    Boolean,
    /// ISO 8601 in UTC, e.g. `1970-01-01T00:00:00Z`.
    DateTimeUtc,
    /// A new secret value: masked while typed, never read back or shown.
    Password,
    /// A list of email addresses; each entry is checked like [`FieldKind::Email`].
    EmailList,
}

impl FieldKind {
    /// The value a field of this kind has when the vendor holds none (absent or `null`).
    pub fn empty(self) -> Value {
        match self {
            FieldKind::Boolean => Value::Bool(false),
            FieldKind::EmailList => Value::Array(Vec::new()),
            _ => Value::String(String::new()),
        }
    }

    /// Whether `value` has this kind's JSON type (a list: of text).
    pub fn holds(self, value: &Value) -> bool {
        match self {
            FieldKind::Boolean => value.is_boolean(),
            FieldKind::EmailList => value.as_array().is_some_and(|items| items.iter().all(Value::is_string)),
            _ => value.is_string(),
        }
    }
}

/// What a field means, independent of the vendor's name for it, so the same person's data can
/// later be lined up across vendors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum FieldMeaning {
    Email,
    Country,
    Language,
    AccessStartEnforced,
    AccessStart,
    AccessEndEnforced,
    AccessEnd,
    GivenName,
    Surname,
    DisplayName,
    LoginName,
    Password,
    PasswordChangeRequired,
    StreetAddress,
    City,
    Region,
    PostalCode,
    Enabled,
    Company,
    LicenseMode,
    Phone,
    PhoneCountryCode,
    Locale,
    TimeZone,
    DateFormat,
    TimeFormat,
    DecimalSeparator,
    GroupSeparator,
}

/// A field's single source of truth. Kept `'static` so definitions are plain constants.
#[derive(Debug, Clone, Copy)]
pub struct FieldDef {
    /// The vendor's JSON key.
    pub key: &'static str,
    pub label: &'static str,
    /// One plain-language sentence shown under the input.
    pub help: &'static str,
    pub kind: FieldKind,
    pub meaning: FieldMeaning,
    pub required: bool,
    /// Counted in UTF-16 code units: what the vendors' .NET services and the browser both count.
    pub max_length: Option<u32>,
    pub allowed: Option<ValueList>,
    /// Values offered while typing, without restricting the field to them.
    pub suggestions: Option<ValueList>,
    pub placeholder: Option<&'static str>,
    /// The key of a boolean field that switches this one on: while that switch is off, this field
    /// is neither asked for nor checked, and its value goes back to the vendor as it was read.
    pub applies_when: Option<&'static str>,
    /// Whether an edit is trimmed (a list: each entry, blank entries dropped) before it is
    /// merged; a password never is.
    pub trim: bool,
    /// Whether an empty value goes to the vendor as `null` (cleared) rather than as `""`.
    pub empty_as_null: bool,
}

impl FieldDef {
    pub const fn new(key: &'static str, label: &'static str, kind: FieldKind, meaning: FieldMeaning) -> Self {
        FieldDef {
            key,
            label,
            help: "",
            kind,
            meaning,
            required: false,
            max_length: None,
            allowed: None,
            suggestions: None,
            placeholder: None,
            applies_when: None,
            trim: true,
            empty_as_null: false,
        }
    }
    pub const fn help(mut self, help: &'static str) -> Self {
        self.help = help;
        self
    }
    pub const fn required(mut self) -> Self {
        self.required = true;
        self
    }
    pub const fn max_length(mut self, max: u32) -> Self {
        self.max_length = Some(max);
        self
    }
    pub const fn allowed(mut self, list: ValueList) -> Self {
        self.allowed = Some(list);
        self
    }
    pub const fn suggestions(mut self, list: ValueList) -> Self {
        self.suggestions = Some(list);
        self
    }

    pub const fn placeholder(mut self, placeholder: &'static str) -> Self {
        self.placeholder = Some(placeholder);
        self
    }

    /// An edit is kept exactly as typed (a separator may be a space).
    pub const fn untrimmed(mut self) -> Self {
        self.trim = false;
        self
    }

    /// An emptied value is sent as `null` (the vendor's way to clear it).
    pub const fn empty_as_null(mut self) -> Self {
        self.empty_as_null = true;
        self
    }

    /// The value as the vendor is sent it: `null` for empty text where [`FieldDef::empty_as_null`].
    pub fn wire(&self, value: &Value) -> Value {
        match value {
            Value::String(text) if text.is_empty() && self.empty_as_null => Value::Null,
            other => other.clone(),
        }
    }

    /// Only asked for (and then required, if [`FieldDef::required`]) while `switch` is on.
    pub const fn applies_when(mut self, switch: &'static str) -> Self {
        self.applies_when = Some(switch);
        self
    }

    /// Whether this field is in force for a section: always, or while its switch is on.
    pub fn applies_in(&self, section: &Value) -> bool {
        self.applies_when.is_none_or(|switch| value_at(section, switch) == Some(&Value::Bool(true)))
    }

    /// A list field: every entry must be an address (and within `max_length`); the message
    /// quotes the first entry that is not.
    fn check_email_list(&self, value: &Value) -> Option<FieldError> {
        let fail = |message: String| Some(FieldError { field: self.key.to_string(), message });
        let label = self.label;
        let entries = match value {
            Value::Array(entries) => entries.as_slice(),
            Value::Null => &[],
            _ => return fail(format!("{label} must be a list of email addresses.")),
        };
        if entries.is_empty() && self.required {
            return fail(format!("{label} needs at least one email address."));
        }
        for (index, entry) in entries.iter().enumerate() {
            let position = index + 1;
            let Some(text) = entry.as_str() else {
                return fail(format!("{label}: entry {position} must be text."));
            };
            if let Some(max) = self.max_length {
                let length = text.encode_utf16().count();
                if length > max as usize {
                    return fail(format!(
                        "{label}: entry {position} can be at most {max} characters long (it has {length})."
                    ));
                }
            }
            if !is_email_address(text) {
                return fail(format!(
                    "{label} must hold only email addresses, like name@example.com; \"{text}\" (entry {position}) is not."
                ));
            }
        }
        None
    }

    /// Checks one value (as JSON, `null` when absent) against every rule of this field.
    pub fn check(&self, value: &Value) -> Option<FieldError> {
        let fail = |message: String| Some(FieldError { field: self.key.to_string(), message });
        let label = self.label;
        if self.kind == FieldKind::Boolean {
            return match value {
                Value::Bool(_) => None,
                Value::Null if !self.required => None,
                _ => fail(format!("{label} must be either on or off.")),
            };
        }
        if self.kind == FieldKind::EmailList {
            return self.check_email_list(value);
        }
        let text = match value {
            Value::String(text) => text.as_str(),
            Value::Null => "",
            _ => return fail(format!("{label} must be text.")),
        };
        if text.trim().is_empty() {
            return if self.required { fail(format!("{label} is required.")) } else { None };
        }
        if let Some(max) = self.max_length {
            let length = text.encode_utf16().count();
            if length > max as usize {
                return fail(format!("{label} can be at most {max} characters long (it has {length})."));
            }
        }
        match self.kind {
            FieldKind::Email if !is_email_address(text) => {
                fail(format!("{label} must be an email address, like name@example.com."))
            }
            FieldKind::DateTimeUtc if !is_utc_date_time(text) => {
                fail(format!("{label} must be a date and time in UTC (ISO 8601), like 2025-01-31T09:00:00Z."))
            }
            _ => match self.allowed {
                Some(list) if !list.contains(text) => {
                    fail(format!("{label} must be one of {}; \"{text}\" is not.", list.description()))
                }
                _ => None,
            },
        }
    }
}

/// The value at a key of a section's JSON; a dotted key (`phone.number`) reaches into objects.
pub fn value_at<'a>(json: &'a Value, key: &str) -> Option<&'a Value> {
    key.split('.').try_fold(json, |value, segment| value.get(segment))
}

/// The keys of `defs` whose values differ between two versions of a section, in definition order:
/// the receipt's "changed fields", and whether anything needs sending at all.
pub fn changed_keys(defs: &[FieldDef], before: &Value, after: &Value) -> Vec<String> {
    defs.iter()
        .filter(|def| value_at(before, def.key) != value_at(after, def.key))
        .map(|def| def.key.to_string())
        .collect()
}

/// Checks a whole section (a JSON object keyed by the vendor's keys) against its definitions.
/// A field whose switch is off is not checked: it goes back to the vendor as it was read.
pub fn check_all(defs: &[FieldDef], values: &Value) -> Vec<FieldError> {
    defs.iter()
        .filter(|def| def.applies_in(values))
        .filter_map(|def| def.check(values.get(def.key).unwrap_or(&Value::Null)))
        .collect()
}

/// Checks a merged section as an update sends it: every rule for each field whose value differs
/// from what the vendor holds (`before`). A field left as the vendor returned it goes back as it
/// is, even if it breaks one of Switchboard's rules: the vendor's own lists and formats are the
/// authority (a code newer than our list, a date without `Z`), and refusing it would block every
/// save of the section. Only a required field left empty is still refused: the vendor requires a
/// value there, so sending it empty would fail anyway.
pub fn check_merged(defs: &[FieldDef], before: &Value, after: &Value) -> Vec<FieldError> {
    defs.iter()
        .filter(|def| def.applies_in(after))
        .filter_map(|def| {
            let value = value_at(after, def.key).unwrap_or(&Value::Null);
            if value_at(before, def.key) != value_at(after, def.key) || (def.required && is_empty(value)) {
                def.check(value)
            } else {
                None
            }
        })
        .collect()
}

/// No value: `null`, blank text or an empty list.
fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(text) => text.trim().is_empty(),
        Value::Array(items) => items.is_empty(),
        _ => false,
    }
}

/// Checks only the keys present in `changes`, so edits can be refused before anything is read.
pub fn check_present(defs: &[FieldDef], changes: &Value) -> Vec<FieldError> {
    defs.iter().filter_map(|def| changes.get(def.key).and_then(|value| def.check(value))).collect()
}

/// An address the vendors accept: one `@`, a local part of at most 64 characters without spaces
/// or stray dots, and a domain of dot-separated labels with a TLD.
pub fn is_email_address(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else { return false };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local.chars().all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && domain.len() <= 253
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
        && labels.last().is_some_and(|tld| tld.len() >= 2 && tld.chars().all(char::is_alphabetic));
    local_ok && domain_ok
}

/// ISO 8601 / RFC 3339 with an explicit UTC designator (`Z` or `+00:00`).
pub fn is_utc_date_time(text: &str) -> bool {
    use time::format_description::well_known::Rfc3339;
    match time::OffsetDateTime::parse(text, &Rfc3339) {
        Ok(parsed) => parsed.offset().is_utc() && !text.ends_with("-00:00"),
        Err(_) => false,
    }
}

/// A field as the UI sees it: everything needed to render, label and count, nothing restated.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FieldSpec {
    pub key: String,
    pub label: String,
    pub help: String,
    pub kind: FieldKind,
    pub meaning: FieldMeaning,
    pub required: bool,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    /// For `choice` fields: every allowed value with a readable label.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub choices: Option<Vec<Choice>>,
    /// For `text` fields: common values to pick from; anything else may still be typed.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestions: Option<Vec<Choice>>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub placeholder: Option<String>,
    /// The key of the switch that turns this field on: while it is off the field is not asked
    /// for (the form disables it) and a vendor's "not set" date reads as "Not set".
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub applies_when: Option<String>,
}

impl From<&FieldDef> for FieldSpec {
    fn from(def: &FieldDef) -> Self {
        FieldSpec {
            key: def.key.to_string(),
            label: def.label.to_string(),
            help: def.help.to_string(),
            kind: def.kind,
            meaning: def.meaning,
            required: def.required,
            max_length: def.max_length,
            choices: def.allowed.map(|list| list.choices().to_vec()),
            suggestions: def.suggestions.map(|list| list.choices().to_vec()),
            placeholder: def.placeholder.map(str::to_string),
            applies_when: def.applies_when.map(str::to_string),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NAME: FieldDef = FieldDef::new("name", "Name", FieldKind::Text, FieldMeaning::Email).required().max_length(5);

    #[test]
    fn accepts_common_email_addresses() {
        for ok in ["Mark@element.onmicrosoft.com", "a.b+tag@example.co.uk", "x@sub-domain.example.org"] {
            assert!(is_email_address(ok), "{ok}");
        }
    }

    #[test]
    fn rejects_malformed_email_addresses() {
        for bad in [
            "",
            "plain",
            "@example.com",
            "a@",
            "a@b",
            "a b@example.com",
            "a@@example.com",
            ".a@example.com",
            "a.@example.com",
            "a..b@example.com",
            "a@-example.com",
            "a@example.c",
            "a@example..com",
            "a@exa mple.com",
            "a@example.123",
        ] {
            assert!(!is_email_address(bad), "{bad}");
        }
    }

    #[test]
    fn accepts_utc_date_times_only() {
        assert!(is_utc_date_time("1970-01-01T00:00:00Z"));
        assert!(is_utc_date_time("2025-12-31T23:59:59.123Z"));
        assert!(is_utc_date_time("2025-12-31T23:59:59+00:00"));
        for bad in [
            "2025-12-31",
            "2025-12-31T23:59:59",
            "2025-12-31T23:59:59+02:00",
            "2025-02-30T00:00:00Z",
            "31/12/2025 10:00",
            "2025-12-31T23:59:59-00:00",
            "yesterday",
        ] {
            assert!(!is_utc_date_time(bad), "{bad}");
        }
    }

    #[test]
    fn required_text_rejects_missing_and_blank_values() {
        for value in [Value::Null, json!(""), json!("   ")] {
            let error = NAME.check(&value).unwrap();
            assert_eq!(error.field, "name");
            assert_eq!(error.message, "Name is required.");
        }
    }

    #[test]
    fn max_length_counts_utf16_units_like_the_browser() {
        assert!(NAME.check(&json!("abcde")).is_none());
        assert!(NAME.check(&json!("ééééé")).is_none());
        let error = NAME.check(&json!("abcdef")).unwrap();
        assert_eq!(error.message, "Name can be at most 5 characters long (it has 6).");
        // One emoji is two UTF-16 units, as the vendor's .NET validation counts it.
        assert!(NAME.check(&json!("abcd😀")).is_some());
    }

    #[test]
    fn text_fields_reject_non_text_values() {
        assert_eq!(NAME.check(&json!(5)).unwrap().message, "Name must be text.");
    }

    #[test]
    fn boolean_fields_need_a_boolean() {
        let flag = FieldDef::new("flag", "Flag", FieldKind::Boolean, FieldMeaning::AccessEndEnforced).required();
        assert!(flag.check(&json!(true)).is_none());
        assert_eq!(flag.check(&json!("yes")).unwrap().message, "Flag must be either on or off.");
        assert!(flag.check(&Value::Null).is_some());
    }

    #[test]
    fn choice_fields_name_what_is_allowed() {
        let country =
            FieldDef::new("c", "Country", FieldKind::Choice, FieldMeaning::Country).allowed(ValueList::UsageLocations);
        assert!(country.check(&json!("DE")).is_none());
        let error = country.check(&json!("Germany")).unwrap();
        assert_eq!(
            error.message,
            "Country must be one of the two-letter ISO 3166-1 country codes, such as US or DE; \"Germany\" is not."
        );
    }

    #[test]
    fn email_list_fields_check_every_entry() {
        let list = FieldDef::new("to", "Notification emails", FieldKind::EmailList, FieldMeaning::Email);
        assert!(list.check(&json!([])).is_none());
        assert!(list.check(&Value::Null).is_none());
        assert!(list.check(&json!(["a@example.com", "b@example.org"])).is_none());
        let error = list.check(&json!(["a@example.com", "testuser2"])).unwrap();
        assert_eq!(
            error.message,
            "Notification emails must hold only email addresses, like name@example.com; \"testuser2\" (entry 2) is not."
        );
        assert!(list.check(&json!("a@example.com")).is_some(), "a single string is not a list");
        assert!(list.required().check(&json!([])).is_some());
    }

    #[test]
    fn check_present_ignores_absent_keys() {
        assert!(check_present(&[NAME], &json!({})).is_empty());
        assert_eq!(check_present(&[NAME], &json!({"name": ""})).len(), 1);
        assert_eq!(check_all(&[NAME], &json!({})).len(), 1);
    }

    #[test]
    fn a_field_whose_switch_is_off_is_not_asked_for() {
        const SWITCH: FieldDef =
            FieldDef::new("enforce", "Enforce a start date", FieldKind::Boolean, FieldMeaning::AccessStartEnforced)
                .required();
        const START: FieldDef = FieldDef::new("start", "Start date", FieldKind::DateTimeUtc, FieldMeaning::AccessStart)
            .required()
            .applies_when("enforce");
        let defs = [SWITCH, START];
        for unset in ["", "1970-01-01T00:00:00Z", "not even a date"] {
            assert!(check_all(&defs, &json!({"enforce": false, "start": unset})).is_empty(), "{unset:?}");
        }
        // While the switch is on, the date is checked as before (the vendor's own sample sends the
        // epoch with the switch on, so the epoch stays acceptable).
        let errors = check_all(&defs, &json!({"enforce": true, "start": ""}));
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].message, "Start date is required.");
        assert_eq!(check_all(&defs, &json!({"enforce": true, "start": "31.01.2026"}))[0].field, "start");
        assert!(check_all(&defs, &json!({"enforce": true, "start": "1970-01-01T00:00:00Z"})).is_empty());
        assert!(check_all(&defs, &json!({"enforce": true, "start": "2026-01-31T09:00:00Z"})).is_empty());
        assert_eq!(FieldSpec::from(&START).applies_when.as_deref(), Some("enforce"));
        // An update's check too: switching enforcement off with no date is fine.
        let held = json!({"enforce": true, "start": "2026-01-31T09:00:00Z"});
        assert!(check_merged(&defs, &held, &json!({"enforce": false, "start": ""})).is_empty());
    }

    #[test]
    fn check_merged_checks_changes_but_not_what_the_vendor_holds() {
        let country =
            FieldDef::new("c", "Country", FieldKind::Choice, FieldMeaning::Country).allowed(ValueList::UsageLocations);
        let defs = [country.required(), NAME];
        let held = json!({"c": "XK", "name": "Bo"});
        assert!(check_merged(&defs, &held, &json!({"c": "XK", "name": "Ann"})).is_empty(), "XK is the vendor's");
        let errors = check_merged(&defs, &held, &json!({"c": "XX", "name": "Ann"}));
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "c");
        let errors = check_merged(&defs, &json!({"c": "DE", "name": ""}), &json!({"c": "DE", "name": ""}));
        assert_eq!(errors[0].message, "Name is required.", "a required value is still asked for");
    }

    #[test]
    fn field_spec_carries_limits_and_choices() {
        let spec = FieldSpec::from(&NAME);
        assert_eq!(spec.max_length, Some(5));
        assert!(spec.required);
        assert!(spec.choices.is_none());
    }
}

/// A vendor operation's form: which fields, in which order, with which rules.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OperationSpec {
    /// The operation's name everywhere (UI, CLI, logs), e.g. `avepoint.account-information`.
    pub id: String,
    pub vendor: String,
    pub title: String,
    pub fields: Vec<FieldSpec>,
}

/// What an update did: the values before and after, which keys changed, and the vendor's
/// reference for the request (absent when nothing changed and nothing was sent).
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct UpdateReceipt<T> {
    pub before: T,
    pub after: T,
    pub changed_fields: Vec<String>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}
