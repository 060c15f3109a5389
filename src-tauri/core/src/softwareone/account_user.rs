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

use super::{AccountUserTarget, SoftwareOneClient, VENDOR};
use crate::error::{FieldError, Result};
use crate::fields::{self, value_at, FieldDef, FieldKind, FieldMeaning};
use crate::operations::{refuse, About, TargetId, VendorClient, VendorOperation};
use crate::plan::{self, Planned, PlannedRequest, Sent, Snapshot, WriteMethod};
use crate::profiles::Vendor;
use crate::record;
use serde_json::{Map, Value};

pub const OPERATION_ID: &str = "softwareone.account-user";

const CULTURE_CODE: &str = "settings.cultureCode";
const LANGUAGE_CODE: &str = "settings.languageCode";

/// Keys are the vendor's JSON paths, dotted for nested members; an absent or `null` value reads
/// as "". Edits are trimmed before they are checked, except separators (a space is a value, e.g.
/// French thousands). Keys the schema marks `nullable` send an emptied field as `null` (cleared);
/// every other field is sent as text. The seed's schema gives no lengths; the limits for phone
/// and codes are from the vendor's v4 spec (vendors.md §3.5), the email limit is the longest
/// address mail servers accept (RFC 5321).
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
        .empty_as_null()
        .max_length(10)
        .help("The international dialling code, like +1 or +44. Leave empty to remove it.")
        .placeholder("+1"),
    FieldDef::new("phone.number", "Phone number", FieldKind::Text, FieldMeaning::Phone)
        .empty_as_null()
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
        .empty_as_null()
        .help("The user's time zone as the Marketplace portal names it. Leave empty for the default."),
    FieldDef::new("settings.dateFormat", "Date format", FieldKind::Text, FieldMeaning::DateFormat)
        .empty_as_null()
        .help("How the portal shows dates, like dd/MM/yyyy. Leave empty to follow the regional format.")
        .placeholder("dd/MM/yyyy"),
    FieldDef::new("settings.timeFormat", "Time format", FieldKind::Text, FieldMeaning::TimeFormat)
        .empty_as_null()
        .help("How the portal shows times, like HH:mm. Leave empty to follow the regional format.")
        .placeholder("HH:mm"),
    FieldDef::new(
        "settings.numberFormat.decimalSeparator",
        "Decimal separator",
        FieldKind::Text,
        FieldMeaning::DecimalSeparator,
    )
    .untrimmed()
    .required()
    .help("The character between whole numbers and decimals, like . or ,")
    .placeholder("."),
    FieldDef::new(
        "settings.numberFormat.groupSeparator",
        "Thousands separator",
        FieldKind::Text,
        FieldMeaning::GroupSeparator,
    )
    .untrimmed()
    .help("The character between groups of thousands, like , or a space.")
    .placeholder(","),
];

/// Every broken rule in a complete record (for inline validation).
pub fn check(values: &Value) -> Vec<FieldError> {
    FIELDS.iter().filter_map(|def| check_field(def, value_at(values, def.key).unwrap_or(&Value::Null))).collect()
}

/// The edits, trimmed, with every rule they alone break refused, so edits are refused before
/// anything is read.
fn checked_edits(edits: &Value) -> Result<Value> {
    let edits = record::trimmed(FIELDS, &record::edits(FIELDS, edits)?);
    refuse(FIELDS.iter().filter_map(|def| edits.get(def.key).and_then(|value| check_field(def, value))).collect())?;
    Ok(edits)
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

/// The user as read for planning: the values, and the vendor's JSON (a changed nested object is
/// sent whole, its untouched members exactly as read).
async fn snapshot(client: &SoftwareOneClient, target: &AccountUserTarget) -> Result<Snapshot> {
    let raw = client.read_user(target).await?;
    Ok(Snapshot { values: record::values(FIELDS, VENDOR, &raw)?, raw })
}

/// The edits over the user as read, checked, and the PUT of only what changed (none if nothing
/// differs).
pub fn plan(target: &AccountUserTarget, current: &Snapshot, edits: &Value) -> Result<Planned> {
    let edits = checked_edits(edits)?;
    let path = target.path()?;
    let after = record::merge(FIELDS, &current.values, &edits);
    let changed_fields = fields::changed_keys(FIELDS, &current.values, &after);
    if changed_fields.is_empty() {
        return Ok(Planned { after, changes: Vec::new(), request: None });
    }
    let (body, filled) = put_body(&current.raw, &after, &changed_fields);
    // What the user changed must be valid, and so must members Switchboard fills in because the
    // vendor held none (their nested object was null). Members the vendor returned go back as
    // they are: the vendor keeps them either way.
    refuse(
        check(&after)
            .into_iter()
            .filter(|error| changed_fields.contains(&error.field) || filled.contains(&error.field))
            .collect(),
    )?;
    let changes = plan::changes_between(FIELDS, &current.values, &after, false);
    Ok(Planned { after, changes, request: Some(PlannedRequest { method: WriteMethod::Put, path, body, secret: None }) })
}

/// PUTs exactly the planned request; the answer is the account user the vendor now holds, and
/// that is what a receipt shows.
async fn send(client: &SoftwareOneClient, request: &PlannedRequest) -> Result<Sent> {
    let user = client.put_user(request).await?;
    Ok(Sent { after: Some(record::values(FIELDS, VENDOR, &user)?), request_id: None })
}

/// The registry's entry for this operation.
pub static OPERATION: VendorOperation<SoftwareOneClient, AccountUserTarget> = VendorOperation {
    about: About {
        id: OPERATION_ID,
        vendor: Vendor::Softwareone,
        title: "Account user",
        targets: &[
            TargetId { key: "accountId", flag: "account", label: "Account ID", noun: "account" },
            TargetId { key: "userId", flag: "user", label: "User ID", noun: "user" },
        ],
        fields: FIELDS,
    },
    client: VendorClient::softwareone,
    snapshot: |client, target, _| Box::pin(snapshot(client, target)),
    checked_edits,
    plan,
    send: |client, _, request, _| Box::pin(send(client, request)),
};

/// The PUT body: the changed top-level fields, and each nested object with a changed member
/// whole (see the module comment), from `read` (the vendor's JSON for this save) and `after`
/// (the merged record). Also returns the keys of members filled in from `after` because the
/// read had no value for them.
fn put_body(read: &Value, after: &Value, changed_fields: &[String]) -> (Value, Vec<String>) {
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
            match FIELDS.iter().find(|def| def.key == path) {
                Some(def) => def.wire(leaf),
                None => leaf.clone(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::with;
    use crate::ErrorCode;
    use serde_json::json;

    fn valid() -> Value {
        json!({
            "email": "mark.lee@contoso.example",
            "firstName": "Mark",
            "lastName": "Lee",
            "phone": {"prefix": "+1", "number": "4255550101"},
            "settings": {
                "cultureCode": "en-US",
                "languageCode": "en-US",
                "timeZone": "Pacific Standard Time",
                "dateFormat": "MM/dd/yyyy",
                "timeFormat": "h:mm tt",
                "numberFormat": {"decimalSeparator": ".", "groupSeparator": ","}
            }
        })
    }

    fn only_error(values: Value) -> FieldError {
        let errors = check(&values);
        assert_eq!(errors.len(), 1, "{errors:?}");
        errors.into_iter().next().unwrap()
    }

    fn check_changes(edits: &Value) -> Vec<FieldError> {
        checked_edits(edits).err().map(|error| error.field_errors).unwrap_or_default()
    }

    /// The edits, trimmed as a plan trims them, over `current`.
    fn merge(current: &Value, edits: &Value) -> Value {
        record::merge(FIELDS, current, &record::trimmed(FIELDS, &record::edits(FIELDS, edits).unwrap()))
    }

    fn changed_keys(before: &Value, after: &Value) -> Vec<String> {
        fields::changed_keys(FIELDS, before, after)
    }

    #[test]
    fn a_complete_sample_is_valid() {
        assert!(check(&valid()).is_empty(), "{:?}", check(&valid()));
    }

    #[test]
    fn rejects_email_that_is_not_an_address() {
        let error = only_error(with(valid(), "email", json!("mark at contoso")));
        assert_eq!(error.field, "email");
        assert_eq!(error.message, "Email must be an email address, like name@example.com.");
    }

    #[test]
    fn rejects_email_longer_than_254_characters() {
        let email = format!("{}@{}.example", "a".repeat(64), "b".repeat(60) + &".c".repeat(70));
        assert!(email.len() > 254);
        let error = only_error(with(valid(), "email", json!(email)));
        assert!(error.message.starts_with("Email can be at most 254 characters long"), "{}", error.message);
    }

    #[test]
    fn rejects_missing_email_first_name_and_last_name() {
        assert_eq!(only_error(with(valid(), "email", json!(""))).message, "Email is required.");
        assert_eq!(only_error(with(valid(), "firstName", json!(" "))).message, "First name is required.");
        assert_eq!(only_error(with(valid(), "lastName", json!(""))).message, "Last name is required.");
    }

    #[test]
    fn rejects_phone_prefix_longer_than_10_characters() {
        let error = only_error(with(valid(), "phone.prefix", json!("+12345678901")));
        assert_eq!(error.field, "phone.prefix");
        assert_eq!(error.message, "Phone country code can be at most 10 characters long (it has 12).");
    }

    #[test]
    fn rejects_phone_number_longer_than_15_characters() {
        let error = only_error(with(valid(), "phone.number", json!("1234567890123456")));
        assert_eq!(error.field, "phone.number");
        assert_eq!(error.message, "Phone number can be at most 15 characters long (it has 16).");
    }

    #[test]
    fn an_empty_phone_is_allowed() {
        assert!(check(&with(valid(), "phone", json!({"prefix": "", "number": ""}))).is_empty());
    }

    #[test]
    fn rejects_culture_code_that_is_not_xx_dash_xx() {
        for bad in ["english", "en_US", "en-us", "EN-US", "e-US"] {
            let error = only_error(with(valid(), "settings.cultureCode", json!(bad)));
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
        assert_eq!(
            only_error(with(valid(), "settings.cultureCode", json!(""))).message,
            "Regional format is required."
        );
    }

    #[test]
    fn rejects_language_code_that_is_not_xx_or_xx_dash_xx() {
        for ok in ["en", "de-DE"] {
            assert!(check(&with(valid(), "settings.languageCode", json!(ok))).is_empty(), "{ok}");
        }
        for bad in ["eng", "EN", "en-u", "english"] {
            assert_eq!(
                only_error(with(valid(), "settings.languageCode", json!(bad))).field,
                "settings.languageCode",
                "{bad}"
            );
        }
    }

    #[test]
    fn rejects_missing_decimal_separator() {
        let error = only_error(with(valid(), "settings.numberFormat.decimalSeparator", json!("")));
        assert_eq!(error.field, "settings.numberFormat.decimalSeparator");
        assert_eq!(error.message, "Decimal separator is required.");
    }

    #[test]
    fn a_space_is_a_valid_thousands_separator_and_is_kept() {
        let changes = json!({"settings": {"numberFormat": {"groupSeparator": " "}}});
        assert!(check_changes(&changes).is_empty());
        assert_eq!(merge(&valid(), &changes)["settings"]["numberFormat"]["groupSeparator"], " ");
    }

    #[test]
    fn check_changes_names_nested_fields_by_their_dotted_key() {
        let changes = json!({"phone": {"number": "1".repeat(16)}, "settings": {"cultureCode": "xx"}});
        let fields: Vec<String> = check_changes(&changes).into_iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["phone.number", "settings.cultureCode"]);
    }

    #[test]
    fn check_changes_trims_before_checking() {
        let changes = json!({"email": "  new@contoso.example "});
        assert!(check_changes(&changes).is_empty());
        assert_eq!(merge(&valid(), &changes)["email"], "new@contoso.example");
    }

    #[test]
    fn the_body_holds_changed_fields_and_whole_nested_objects() {
        let changes = json!({
            "lastName": "Lee-Smith",
            "phone": {"number": "4255550199"},
            "settings": {"numberFormat": {"decimalSeparator": ","}}
        });
        let merged = merge(&valid(), &changes);
        let changed = changed_keys(&valid(), &merged);
        assert_eq!(changed, vec!["lastName", "phone.number", "settings.numberFormat.decimalSeparator"]);
        let (body, filled) = put_body(&valid(), &merged, &changed);
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
        let changes = json!({"phone": {"prefix": "", "number": " "}, "settings": {"dateFormat": ""}});
        let merged = merge(&valid(), &changes);
        let changed = changed_keys(&valid(), &merged);
        let (body, _) = put_body(&valid(), &merged, &changed);
        assert_eq!(body["phone"], json!({"prefix": null, "number": null}));
        assert_eq!(body["settings"]["dateFormat"], Value::Null);
        assert_eq!(body["settings"]["timeFormat"], "h:mm tt", "untouched members go back as read");
    }

    #[test]
    fn null_members_in_the_vendors_record_read_as_empty() {
        let user = record::values(
            FIELDS,
            VENDOR,
            &json!({
                "id": "USR-0000-0002", "email": "a@b.example", "firstName": "A", "lastName": "B",
                "phone": null, "settings": {"cultureCode": "en-IE", "languageCode": "en", "timeZone": null, "numberFormat": null},
                "groups": [], "account": {"id": "ACC-1234-5678"}
            }),
        )
        .unwrap();
        assert_eq!(user["phone"], json!({"prefix": "", "number": ""}));
        assert_eq!(user["settings"]["cultureCode"], "en-IE");
        assert_eq!(user["settings"]["numberFormat"], json!({"decimalSeparator": "", "groupSeparator": ""}));
    }

    #[test]
    fn changes_reject_unknown_keys_at_every_level() {
        for bad in [json!({"emial": "x"}), json!({"phone": {"extension": "1"}}), json!({"settings": {"theme": "dark"}})]
        {
            assert!(record::edits(FIELDS, &bad).is_err(), "{bad}");
        }
        assert!(record::edits(FIELDS, &json!({"phone": {"number": "1"}})).is_ok());
    }

    #[test]
    fn invalid_changes_are_refused_before_any_request() {
        // An unroutable client: if a request were attempted the error would be Unreachable.
        let settings = super::super::SoftwareOneSettings::new("http://127.0.0.1:9").unwrap();
        let client = SoftwareOneClient::new(settings, crate::secret::Secret::new("idt:TKN-0000-0000:x"));
        let target = AccountUserTarget { account_id: "ACC-1".into(), user_id: "USR-1".into() };
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let error = runtime.block_on(OPERATION.update(&client, &target, &json!({"email": "nope"}))).unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidInput);
        assert_eq!(error.field.as_deref(), Some("email"));
        let bad_target = AccountUserTarget { user_id: "../admin".into(), ..target };
        let error = runtime.block_on(OPERATION.update(&client, &bad_target, &json!({}))).unwrap_err();
        assert_eq!(error.field.as_deref(), Some("userId"));
    }
}
