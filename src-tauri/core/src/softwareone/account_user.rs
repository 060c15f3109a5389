//! `softwareone.account-user`: a Marketplace account user's email, name, phone and settings.
//!
//! The contract is the seed's OpenAPI `AccountUser` schema: the PUT takes a delta, so an update
//! reads the user, merges the edits and sends only the top-level fields that changed
//! (`email`, `firstName`, `lastName`).
//!
//! A nested object (`phone`, `settings`, `settings.numberFormat`) with any changed member is sent
//! whole: the object from the read made for this save, with the edits over it. Untouched members
//! go back exactly as the vendor returned them (`null` included); an untouched nested object the
//! vendor returned as `null` stays `null`. This follows `../shared/vendors.md` ("Limits and update
//! semantics"), not the vendor's delta framework: that framework merges nested objects member by
//! member, but the public reference does not state the nested rule, so the framework's behaviour
//! is not a contract. A whole object from a fresh read is correct under either rule: merged member
//! by member it changes only the edited members, and replacing the held object loses nothing.
//! (The seed's v4 "Delta" user listing `Phone.Prefix`, `Phone.Number` ... one by one says which
//! members may change, not how a partial object is applied.)
//!
//! The 200 answer is the account user as the vendor now holds it, and that is what the receipt
//! shows.

use super::{AccountUserRecord, AccountUserTarget, SoftwareOneClient};
use crate::error::{FieldError, Result};
use crate::fields::{self, to_json, value_at, FieldDef, FieldKind, FieldMeaning, UpdateReceipt};
use crate::operations::{refuse, typed, typed_update, About, BoxFuture, TargetId, VendorClient};
use crate::plan::{self, Call, Planned, PlannedRequest, Sent, Snapshot, WriteMethod};
use crate::profiles::Vendor;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use ts_rs::TS;

pub const OPERATION_ID: &str = "softwareone.account-user";

/// The account user's editable fields as SoftwareOne holds them; an absent or `null` value is "".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AccountUser {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub phone: AccountUserPhone,
    pub settings: AccountUserSettings,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AccountUserPhone {
    pub prefix: String,
    pub number: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AccountUserSettings {
    pub culture_code: String,
    pub language_code: String,
    pub time_zone: String,
    pub date_format: String,
    pub time_format: String,
    pub number_format: AccountUserNumberFormat,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AccountUserNumberFormat {
    pub decimal_separator: String,
    pub group_separator: String,
}

/// The user's edits: only the fields they changed, nested like the vendor's schema.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AccountUserChanges {
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
    pub phone: Option<AccountUserPhoneChanges>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<AccountUserSettingsChanges>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AccountUserPhoneChanges {
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AccountUserSettingsChanges {
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub culture_code: Option<String>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language_code: Option<String>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_format: Option<String>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_format: Option<String>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number_format: Option<AccountUserNumberFormatChanges>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AccountUserNumberFormatChanges {
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decimal_separator: Option<String>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_separator: Option<String>,
}

const CULTURE_CODE: &str = "settings.cultureCode";
const LANGUAGE_CODE: &str = "settings.languageCode";

/// Keys the schema marks `nullable`: an emptied field is sent as `null` (cleared); every other
/// field is sent as text.
const NULLABLE: &[&str] =
    &["phone.prefix", "phone.number", "settings.timeZone", "settings.dateFormat", "settings.timeFormat"];

/// Separators may be a space (e.g. French thousands), so they are never trimmed.
const UNTRIMMED: &[&str] = &["settings.numberFormat.decimalSeparator", "settings.numberFormat.groupSeparator"];

/// Keys are the vendor's JSON paths, dotted for nested members. The seed's schema gives no
/// lengths; the limits for phone and codes are from the vendor's v4 spec (vendors.md §3.5), the
/// email limit is the longest address mail servers accept (RFC 5321).
pub const FIELDS: &[FieldDef] = &[
    FieldDef::new("email", "Email", FieldKind::Email, FieldMeaning::Email)
        .required()
        .max_length(254)
        .help("The user's sign-in and contact address; no other Marketplace user may have it.")
        .placeholder("name@example.com"),
    FieldDef::new("firstName", "First name", FieldKind::Text, FieldMeaning::GivenName)
        .required()
        .help("The user's given name as the Marketplace shows it."),
    FieldDef::new("lastName", "Last name", FieldKind::Text, FieldMeaning::Surname)
        .required()
        .help("The user's family name as the Marketplace shows it."),
    FieldDef::new("phone.prefix", "Phone country code", FieldKind::Text, FieldMeaning::PhoneCountryCode)
        .max_length(10)
        .help("The international dialling code, like +1 or +44. Leave empty to remove it.")
        .placeholder("+1"),
    FieldDef::new("phone.number", "Phone number", FieldKind::Text, FieldMeaning::Phone)
        .max_length(15)
        .help("The phone number without the country code. Leave empty to remove it.")
        .placeholder("4255550100"),
    FieldDef::new(CULTURE_CODE, "Regional format", FieldKind::Text, FieldMeaning::Locale)
        .required()
        .max_length(5)
        .help("How the portal shows dates and numbers, as a culture code like en-US or de-DE.")
        .placeholder("en-US"),
    FieldDef::new(LANGUAGE_CODE, "Language", FieldKind::Text, FieldMeaning::Language)
        .required()
        .max_length(5)
        .help("The language of the portal and its emails, as a code like en or en-US.")
        .placeholder("en-US"),
    FieldDef::new("settings.timeZone", "Time zone", FieldKind::Text, FieldMeaning::TimeZone)
        .help("The user's time zone as the Marketplace portal names it. Leave empty for the default."),
    FieldDef::new("settings.dateFormat", "Date format", FieldKind::Text, FieldMeaning::DateFormat)
        .help("How the portal shows dates, like dd/MM/yyyy. Leave empty to follow the regional format.")
        .placeholder("dd/MM/yyyy"),
    FieldDef::new("settings.timeFormat", "Time format", FieldKind::Text, FieldMeaning::TimeFormat)
        .help("How the portal shows times, like HH:mm. Leave empty to follow the regional format.")
        .placeholder("HH:mm"),
    FieldDef::new(
        "settings.numberFormat.decimalSeparator",
        "Decimal separator",
        FieldKind::Text,
        FieldMeaning::DecimalSeparator,
    )
    .required()
    .help("The character between whole numbers and decimals, like . or ,")
    .placeholder("."),
    FieldDef::new(
        "settings.numberFormat.groupSeparator",
        "Thousands separator",
        FieldKind::Text,
        FieldMeaning::GroupSeparator,
    )
    .help("The character between groups of thousands, like , or a space.")
    .placeholder(","),
];

const TITLE: &str = "Account user";

/// Every broken rule in a complete record (for inline validation).
pub fn check(values: &AccountUser) -> Vec<FieldError> {
    let json = to_json(values);
    FIELDS.iter().filter_map(|def| check_field(def, value_at(&json, def.key).unwrap_or(&Value::Null))).collect()
}

/// Checks only the fields present in `changes`, so edits are refused before anything is read.
pub fn check_changes(changes: &AccountUserChanges) -> Vec<FieldError> {
    let json = serde_json::to_value(normalize(changes)).expect("changes always serialize");
    FIELDS.iter().filter_map(|def| value_at(&json, def.key).and_then(|value| check_field(def, value))).collect()
}

/// The field's [`FieldDef`] rules, then the code patterns the vendor expects.
fn check_field(def: &FieldDef, value: &Value) -> Option<FieldError> {
    if let Some(error) = def.check(value) {
        return Some(error);
    }
    let text = value.as_str().unwrap_or_default();
    let fail = |message: String| Some(FieldError { field: def.key.to_string(), message });
    let label = def.label;
    match def.key {
        CULTURE_CODE if !text.is_empty() && !is_culture_code(text) => fail(format!(
            "{label} must be a culture code like en-US: two small letters, a hyphen and two capital letters; \"{text}\" is not."
        )),
        LANGUAGE_CODE if !text.is_empty() && !is_language_code(text) => fail(format!(
            "{label} must be a language code like en or en-US: two small letters, optionally a hyphen and two capital letters; \"{text}\" is not."
        )),
        _ => None,
    }
}

/// `xx-XX`, like `en-US`.
fn is_culture_code(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 5
        && bytes[..2].iter().all(u8::is_ascii_lowercase)
        && bytes[2] == b'-'
        && bytes[3..].iter().all(u8::is_ascii_uppercase)
}

/// `xx` or `xx-XX`.
fn is_language_code(text: &str) -> bool {
    (text.len() == 2 && text.bytes().all(|b| b.is_ascii_lowercase())) || is_culture_code(text)
}

/// The account user as the vendor holds it now.
pub async fn read(client: &SoftwareOneClient, target: &AccountUserTarget) -> Result<AccountUser> {
    client.read_user(target).await.map(AccountUser::from)
}

/// The user as read for planning: the values, and the vendor's JSON (a changed nested object is
/// sent whole, its untouched members exactly as read).
pub async fn snapshot(client: &SoftwareOneClient, target: &AccountUserTarget) -> Result<Snapshot> {
    let raw = client.read_user_json(target).await?;
    let values = to_json(&AccountUser::from(super::record_from_json(raw.clone())?));
    Ok(Snapshot { values, raw })
}

/// The edits over the user as read, checked, and the PUT of only what changed (none if nothing
/// differs).
pub fn plan(target: &AccountUserTarget, current: &Snapshot, changes: &AccountUserChanges) -> Result<Planned> {
    refuse(check_changes(changes))?;
    let path = target.path()?;
    let before: AccountUser = typed("current values", &current.values)?;
    let merged = merge(&before, changes);
    let after = to_json(&merged);
    let changed_fields = changed_keys(&before, &merged);
    if changed_fields.is_empty() {
        return Ok(Planned { after, changes: Vec::new(), request: None });
    }
    let (body, filled) = put_body(&current.raw, &merged, &changed_fields);
    // What the user changed must be valid, and so must members Switchboard fills in because the
    // vendor held none (their nested object was null). Members the vendor returned go back as
    // they are: the vendor keeps them either way.
    refuse(
        check(&merged)
            .into_iter()
            .filter(|error| changed_fields.contains(&error.field) || filled.contains(&error.field))
            .collect(),
    )?;
    let changes = plan::changes_between(FIELDS, &current.values, &after, false);
    Ok(Planned { after, changes, request: Some(PlannedRequest { method: WriteMethod::Put, path, body, secret: None }) })
}

/// Reads the user, applies `changes` and sends only the fields that differ; the receipt's
/// `after` is what the vendor answered. Invalid edits are refused before any request; if
/// nothing differs, nothing is sent.
pub async fn update(
    client: &SoftwareOneClient,
    target: &AccountUserTarget,
    changes: &AccountUserChanges,
) -> Result<UpdateReceipt<AccountUser>> {
    refuse(check_changes(changes))?;
    typed_update(
        snapshot(client, target),
        |current| plan(target, current, changes),
        async |request| send(client, request).await,
    )
    .await
}

/// PUTs exactly the planned request; the answer is the account user the vendor now holds.
async fn send(client: &SoftwareOneClient, request: &PlannedRequest) -> Result<Sent> {
    let record = client.put_user(request).await?;
    Ok(Sent { after: Some(to_json(&AccountUser::from(record))), request_id: None })
}

/// The registry's entry for this operation.
pub struct Operation;

static ABOUT: About = About {
    id: OPERATION_ID,
    vendor: Vendor::Softwareone,
    title: TITLE,
    targets: &[
        TargetId { key: "accountId", flag: "account", label: "Account ID", noun: "account" },
        TargetId { key: "userId", flag: "user", label: "User ID", noun: "user" },
    ],
    fields: FIELDS,
};

impl crate::operations::Operation for Operation {
    fn about(&self) -> &'static About {
        &ABOUT
    }
    fn read<'a>(&'a self, client: &'a VendorClient, target: &'a Value, _: &'a Call) -> BoxFuture<'a, Result<Snapshot>> {
        Box::pin(async move { snapshot(client.softwareone(OPERATION_ID)?, &typed("target", target)?).await })
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
        _: &'a Call,
    ) -> BoxFuture<'a, Result<Sent>> {
        Box::pin(async move { send(client.softwareone(OPERATION_ID)?, request).await })
    }
}

/// Text trimmed (except separators, where a space is a value), so " a@b.example " counts as an
/// address and an unchanged name with a stray space is no change.
fn normalize(changes: &AccountUserChanges) -> AccountUserChanges {
    let mut json = serde_json::to_value(changes).expect("changes always serialize");
    for def in FIELDS.iter().filter(|def| !UNTRIMMED.contains(&def.key)) {
        if let Some(Value::String(text)) = value_at_mut(&mut json, def.key) {
            *text = text.trim().to_string();
        }
    }
    serde_json::from_value(json).expect("trimming keeps the shape")
}

pub fn merge(current: &AccountUser, changes: &AccountUserChanges) -> AccountUser {
    let changes = normalize(changes);
    let pick = |change: &Option<String>, current: &String| change.clone().unwrap_or_else(|| current.clone());
    let phone = changes.phone.unwrap_or_default();
    let settings = changes.settings.unwrap_or_default();
    let number_format = settings.number_format.unwrap_or_default();
    let (cur_phone, cur_settings) = (&current.phone, &current.settings);
    let cur_format = &cur_settings.number_format;
    AccountUser {
        email: pick(&changes.email, &current.email),
        first_name: pick(&changes.first_name, &current.first_name),
        last_name: pick(&changes.last_name, &current.last_name),
        phone: AccountUserPhone {
            prefix: pick(&phone.prefix, &cur_phone.prefix),
            number: pick(&phone.number, &cur_phone.number),
        },
        settings: AccountUserSettings {
            culture_code: pick(&settings.culture_code, &cur_settings.culture_code),
            language_code: pick(&settings.language_code, &cur_settings.language_code),
            time_zone: pick(&settings.time_zone, &cur_settings.time_zone),
            date_format: pick(&settings.date_format, &cur_settings.date_format),
            time_format: pick(&settings.time_format, &cur_settings.time_format),
            number_format: AccountUserNumberFormat {
                decimal_separator: pick(&number_format.decimal_separator, &cur_format.decimal_separator),
                group_separator: pick(&number_format.group_separator, &cur_format.group_separator),
            },
        },
    }
}

fn changed_keys(before: &AccountUser, after: &AccountUser) -> Vec<String> {
    fields::changed_keys(FIELDS, &to_json(before), &to_json(after))
}

/// The PUT body: the changed top-level fields, and each nested object with a changed member
/// whole (see the module comment), from `read` (the vendor's JSON for this save) and `after`
/// (the merged record). Also returns the keys of members filled in from `after` because the
/// read had no value for them.
fn put_body(read: &Value, after: &AccountUser, changed_fields: &[String]) -> (Value, Vec<String>) {
    let after = to_json(after);
    let mut body = Map::new();
    let mut filled = Vec::new();
    for (key, value) in after.as_object().expect("a record is an object") {
        if touched(key, changed_fields) {
            body.insert(key.clone(), member(key, value, read.get(key), changed_fields, &mut filled));
        }
    }
    (Value::Object(body), filled)
}

/// Whether `path` or a member under it changed.
fn touched(path: &str, changed_fields: &[String]) -> bool {
    changed_fields.iter().any(|key| key.strip_prefix(path).is_some_and(|rest| rest.is_empty() || rest.starts_with('.')))
}

/// One member of the body at `path`: an untouched one exactly as the vendor sent it; a changed
/// leaf as merged (an emptied nullable one as `null`); a nested object member by member.
fn member(
    path: &str,
    merged: &Value,
    read: Option<&Value>,
    changed_fields: &[String],
    filled: &mut Vec<String>,
) -> Value {
    let changed = touched(path, changed_fields);
    match (merged, read) {
        (_, Some(read)) if !changed => read.clone(),
        // An untouched object the vendor did not send (its parent was null): not invented.
        (Value::Object(_), None) if !changed => Value::Null,
        (Value::Object(members), read) => {
            let read = read.filter(|read| read.is_object());
            let object = members
                .iter()
                .map(|(key, value)| {
                    let path = format!("{path}.{key}");
                    let value = member(&path, value, read.and_then(|read| read.get(key)), changed_fields, filled);
                    (key.clone(), value)
                })
                .collect();
            Value::Object(object)
        }
        (leaf, read) => {
            if !changed && read.is_none() {
                filled.push(path.to_string());
            }
            match leaf {
                Value::String(text) if text.is_empty() && NULLABLE.contains(&path) => Value::Null,
                other => other.clone(),
            }
        }
    }
}

/// The value at a dotted key (`phone.number`) in nested JSON.
fn value_at_mut<'a>(json: &'a mut Value, key: &str) -> Option<&'a mut Value> {
    key.split('.').try_fold(json, |value, segment| value.get_mut(segment))
}

impl From<AccountUserRecord> for AccountUser {
    fn from(record: AccountUserRecord) -> Self {
        let phone = record.phone.unwrap_or_default();
        let settings = record.settings.unwrap_or_default();
        let number_format = settings.number_format.unwrap_or_default();
        AccountUser {
            email: record.email.unwrap_or_default(),
            first_name: record.first_name.unwrap_or_default(),
            last_name: record.last_name.unwrap_or_default(),
            phone: AccountUserPhone {
                prefix: phone.prefix.unwrap_or_default(),
                number: phone.number.unwrap_or_default(),
            },
            settings: AccountUserSettings {
                culture_code: settings.culture_code.unwrap_or_default(),
                language_code: settings.language_code.unwrap_or_default(),
                time_zone: settings.time_zone.unwrap_or_default(),
                date_format: settings.date_format.unwrap_or_default(),
                time_format: settings.time_format.unwrap_or_default(),
                number_format: AccountUserNumberFormat {
                    decimal_separator: number_format.decimal_separator.unwrap_or_default(),
                    group_separator: number_format.group_separator.unwrap_or_default(),
                },
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;
    use serde_json::json;

    fn valid() -> AccountUser {
        AccountUser {
            email: "mark.lee@contoso.example".into(),
            first_name: "Mark".into(),
            last_name: "Lee".into(),
            phone: AccountUserPhone { prefix: "+1".into(), number: "4255550101".into() },
            settings: AccountUserSettings {
                culture_code: "en-US".into(),
                language_code: "en-US".into(),
                time_zone: "Pacific Standard Time".into(),
                date_format: "MM/dd/yyyy".into(),
                time_format: "h:mm tt".into(),
                number_format: AccountUserNumberFormat { decimal_separator: ".".into(), group_separator: ",".into() },
            },
        }
    }

    fn only_error(values: AccountUser) -> FieldError {
        let errors = check(&values);
        assert_eq!(errors.len(), 1, "{errors:?}");
        errors.into_iter().next().unwrap()
    }

    /// Every leaf key of a JSON object, dotted.
    fn leaf_keys(json: &Value, prefix: &str, keys: &mut Vec<String>) {
        for (key, value) in json.as_object().unwrap() {
            let path = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
            match value {
                Value::Object(_) => leaf_keys(value, &path, keys),
                _ => keys.push(path),
            }
        }
    }

    #[test]
    fn a_complete_sample_is_valid() {
        assert!(check(&valid()).is_empty(), "{:?}", check(&valid()));
    }

    #[test]
    fn definitions_cover_exactly_the_records_keys() {
        let mut keys = Vec::new();
        leaf_keys(&to_json(&valid()), "", &mut keys);
        let mut defined: Vec<String> = FIELDS.iter().map(|def| def.key.to_string()).collect();
        keys.sort();
        defined.sort();
        assert_eq!(keys, defined);
        let all_changes = AccountUserChanges {
            email: Some(String::new()),
            first_name: Some(String::new()),
            last_name: Some(String::new()),
            phone: Some(AccountUserPhoneChanges { prefix: Some(String::new()), number: Some(String::new()) }),
            settings: Some(AccountUserSettingsChanges {
                culture_code: Some(String::new()),
                language_code: Some(String::new()),
                time_zone: Some(String::new()),
                date_format: Some(String::new()),
                time_format: Some(String::new()),
                number_format: Some(AccountUserNumberFormatChanges {
                    decimal_separator: Some(String::new()),
                    group_separator: Some(String::new()),
                }),
            }),
        };
        let mut change_keys = Vec::new();
        leaf_keys(&serde_json::to_value(all_changes).unwrap(), "", &mut change_keys);
        change_keys.sort();
        assert_eq!(change_keys, defined);
    }

    #[test]
    fn every_nullable_and_untrimmed_key_is_a_field() {
        for key in NULLABLE.iter().chain(UNTRIMMED) {
            assert!(FIELDS.iter().any(|def| def.key == *key), "{key}");
        }
    }

    #[test]
    fn rejects_email_that_is_not_an_address() {
        let error = only_error(AccountUser { email: "mark at contoso".into(), ..valid() });
        assert_eq!(error.field, "email");
        assert_eq!(error.message, "Email must be an email address, like name@example.com.");
    }

    #[test]
    fn rejects_email_longer_than_254_characters() {
        let email = format!("{}@{}.example", "a".repeat(64), "b".repeat(60) + &".c".repeat(70));
        assert!(email.len() > 254);
        let error = only_error(AccountUser { email, ..valid() });
        assert!(error.message.starts_with("Email can be at most 254 characters long"), "{}", error.message);
    }

    #[test]
    fn rejects_missing_email_first_name_and_last_name() {
        assert_eq!(only_error(AccountUser { email: "".into(), ..valid() }).message, "Email is required.");
        assert_eq!(only_error(AccountUser { first_name: " ".into(), ..valid() }).message, "First name is required.");
        assert_eq!(only_error(AccountUser { last_name: "".into(), ..valid() }).message, "Last name is required.");
    }

    #[test]
    fn rejects_phone_prefix_longer_than_10_characters() {
        let mut values = valid();
        values.phone.prefix = "+12345678901".into();
        let error = only_error(values);
        assert_eq!(error.field, "phone.prefix");
        assert_eq!(error.message, "Phone country code can be at most 10 characters long (it has 12).");
    }

    #[test]
    fn rejects_phone_number_longer_than_15_characters() {
        let mut values = valid();
        values.phone.number = "1234567890123456".into();
        let error = only_error(values);
        assert_eq!(error.field, "phone.number");
        assert_eq!(error.message, "Phone number can be at most 15 characters long (it has 16).");
    }

    #[test]
    fn an_empty_phone_is_allowed() {
        let mut values = valid();
        values.phone = AccountUserPhone::default();
        assert!(check(&values).is_empty());
    }

    #[test]
    fn rejects_culture_code_that_is_not_xx_dash_xx() {
        for bad in ["english", "en_US", "en-us", "EN-US", "e-US"] {
            let mut values = valid();
            values.settings.culture_code = bad.into();
            let error = only_error(values);
            assert_eq!(error.field, "settings.cultureCode", "{bad}");
            assert!(
                error.message.starts_with("Regional format must be a culture code like en-US")
                    || error.message.starts_with("Regional format can be at most 5"),
                "{bad}: {}",
                error.message
            );
        }
    }

    #[test]
    fn rejects_missing_culture_code() {
        let mut values = valid();
        values.settings.culture_code = "".into();
        assert_eq!(only_error(values).message, "Regional format is required.");
    }

    #[test]
    fn rejects_language_code_that_is_not_xx_or_xx_dash_xx() {
        for ok in ["en", "de-DE"] {
            let mut values = valid();
            values.settings.language_code = ok.into();
            assert!(check(&values).is_empty(), "{ok}");
        }
        for bad in ["eng", "EN", "en-u", "english"] {
            let mut values = valid();
            values.settings.language_code = bad.into();
            assert_eq!(only_error(values).field, "settings.languageCode", "{bad}");
        }
    }

    #[test]
    fn rejects_missing_decimal_separator() {
        let mut values = valid();
        values.settings.number_format.decimal_separator = "".into();
        let error = only_error(values);
        assert_eq!(error.field, "settings.numberFormat.decimalSeparator");
        assert_eq!(error.message, "Decimal separator is required.");
    }

    #[test]
    fn a_space_is_a_valid_thousands_separator_and_is_kept() {
        let changes = AccountUserChanges {
            settings: Some(AccountUserSettingsChanges {
                number_format: Some(AccountUserNumberFormatChanges {
                    group_separator: Some(" ".into()),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            ..Default::default()
        };
        assert!(check_changes(&changes).is_empty());
        assert_eq!(merge(&valid(), &changes).settings.number_format.group_separator, " ");
    }

    #[test]
    fn check_changes_names_nested_fields_by_their_dotted_key() {
        let changes = AccountUserChanges {
            phone: Some(AccountUserPhoneChanges { number: Some("1".repeat(16)), ..Default::default() }),
            settings: Some(AccountUserSettingsChanges { culture_code: Some("xx".into()), ..Default::default() }),
            ..Default::default()
        };
        let fields: Vec<String> = check_changes(&changes).into_iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["phone.number", "settings.cultureCode"]);
    }

    #[test]
    fn check_changes_trims_before_checking() {
        let changes = AccountUserChanges { email: Some("  new@contoso.example ".into()), ..Default::default() };
        assert!(check_changes(&changes).is_empty());
        assert_eq!(merge(&valid(), &changes).email, "new@contoso.example");
    }

    #[test]
    fn the_body_holds_changed_fields_and_whole_nested_objects() {
        let changes = AccountUserChanges {
            last_name: Some("Lee-Smith".into()),
            phone: Some(AccountUserPhoneChanges { number: Some("4255550199".into()), ..Default::default() }),
            settings: Some(AccountUserSettingsChanges {
                number_format: Some(AccountUserNumberFormatChanges {
                    decimal_separator: Some(",".into()),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            ..Default::default()
        };
        let merged = merge(&valid(), &changes);
        let changed = changed_keys(&valid(), &merged);
        assert_eq!(changed, vec!["lastName", "phone.number", "settings.numberFormat.decimalSeparator"]);
        let (body, filled) = put_body(&to_json(&valid()), &merged, &changed);
        assert_eq!(
            body,
            json!({
                "lastName": "Lee-Smith",
                "phone": {"prefix": "+1", "number": "4255550199"},
                "settings": {
                    "cultureCode": "en-US",
                    "languageCode": "en-US",
                    "timeZone": "Pacific Standard Time",
                    "dateFormat": "MM/dd/yyyy",
                    "timeFormat": "h:mm tt",
                    "numberFormat": {"decimalSeparator": ",", "groupSeparator": ","}
                }
            })
        );
        assert!(filled.is_empty());
    }

    #[test]
    fn emptied_nullable_fields_are_sent_as_null() {
        let changes = AccountUserChanges {
            phone: Some(AccountUserPhoneChanges { prefix: Some("".into()), number: Some(" ".into()) }),
            settings: Some(AccountUserSettingsChanges { date_format: Some("".into()), ..Default::default() }),
            ..Default::default()
        };
        let merged = merge(&valid(), &changes);
        let changed = changed_keys(&valid(), &merged);
        let (body, _) = put_body(&to_json(&valid()), &merged, &changed);
        assert_eq!(body["phone"], json!({"prefix": null, "number": null}));
        assert_eq!(body["settings"]["dateFormat"], Value::Null);
        assert_eq!(body["settings"]["timeFormat"], "h:mm tt", "untouched members go back as read");
    }

    #[test]
    fn null_members_in_the_vendors_record_read_as_empty() {
        let record: AccountUserRecord = serde_json::from_value(json!({
            "id": "USR-0000-0002", "email": "a@b.example", "firstName": "A", "lastName": "B",
            "phone": null, "settings": {"cultureCode": "en-IE", "languageCode": "en", "timeZone": null, "numberFormat": null},
            "groups": [], "account": {"id": "ACC-1234-5678"}
        }))
        .unwrap();
        let user = AccountUser::from(record);
        assert_eq!(user.phone, AccountUserPhone::default());
        assert_eq!(user.settings.culture_code, "en-IE");
        assert_eq!(user.settings.number_format, AccountUserNumberFormat::default());
    }

    #[test]
    fn changes_reject_unknown_keys_at_every_level() {
        for bad in [json!({"emial": "x"}), json!({"phone": {"extension": "1"}}), json!({"settings": {"theme": "dark"}})]
        {
            assert!(serde_json::from_value::<AccountUserChanges>(bad.clone()).is_err(), "{bad}");
        }
        assert!(serde_json::from_value::<AccountUserChanges>(json!({"phone": {"number": "1"}})).is_ok());
    }

    #[test]
    fn invalid_changes_are_refused_before_any_request() {
        // An unroutable client: if a request were attempted the error would be Unreachable.
        let settings = super::super::SoftwareOneSettings::new("http://127.0.0.1:9").unwrap();
        let client = SoftwareOneClient::new(settings, crate::secret::Secret::new("idt:TKN-0000-0000:x"));
        let target = AccountUserTarget { account_id: "ACC-1".into(), user_id: "USR-1".into() };
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let changes = AccountUserChanges { email: Some("nope".into()), ..Default::default() };
        let error = runtime.block_on(update(&client, &target, &changes)).unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidInput);
        assert_eq!(error.field.as_deref(), Some("email"));
        let bad_target = AccountUserTarget { user_id: "../admin".into(), ..target };
        let error = runtime.block_on(update(&client, &bad_target, &AccountUserChanges::default())).unwrap_err();
        assert_eq!(error.field.as_deref(), Some("userId"));
    }
}
