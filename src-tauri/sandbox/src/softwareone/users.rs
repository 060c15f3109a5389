//! An account's users: the paged list, one account user, and the delta PUT validated against
//! the seed's `AccountUser` schema (additionalProperties false at every level, the v4 lengths
//! for phone and codes, culture codes as `xx-XX`, unique email addresses).
//!
//! The PUT is a delta at the top level (an omitted member is kept), but a nested object that is
//! sent (`phone`, `settings`, `settings.numberFormat`) replaces the one held: a member left out of
//! it is cleared if nullable and refused as required if not. The vendor's reference does not say
//! whether it merges nested objects member by member or replaces them; the sandbox takes the
//! strict reading so that a client sending partial objects loses data visibly in tests.
//!
//! Errors follow ASP.NET's conventions: validation errors are keyed by the member path in
//! PascalCase (`Phone.Number`), JSON shape errors by the JSON path (`$.phone.extension`).

use super::{
    account_user_json, add_error, authorize_account, list_envelope, problem, rql, FieldErrors, NumberFormat, Phone,
    Settings, User,
};
use crate::SandboxState;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};
use std::sync::Arc;

const FILTERABLE: &[&str] = &[
    "id",
    "name",
    "email",
    "firstName",
    "lastName",
    "status",
    "phone.prefix",
    "phone.number",
    "settings.cultureCode",
    "settings.languageCode",
    "user.id",
    "account.id",
];

/// Members of `AccountUser` a PUT may change.
const EDITABLE: &[&str] = &["email", "firstName", "lastName", "phone", "settings"];
/// Members of `AccountUser` the vendor maintains itself.
const READ_ONLY: &[&str] = &[
    "id",
    "audit",
    "$meta",
    "name",
    "icon",
    "revision",
    "user",
    "status",
    "groups",
    "buyers",
    "modules",
    "account",
    "invitation",
];
const PHONE_MEMBERS: &[&str] = &["prefix", "number"];
const SETTINGS_MEMBERS: &[&str] =
    &["cultureCode", "dateFormat", "languageCode", "numberFormat", "timeFormat", "timeZone"];
const NUMBER_FORMAT_MEMBERS: &[&str] = &["decimalSeparator", "groupSeparator"];

pub(super) async fn list(
    State(state): State<Arc<SandboxState>>,
    headers: HeaderMap,
    Path(account_id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let vendor = &state.softwareone;
    let account = match authorize_account(vendor, &headers, &account_id) {
        Ok(account) => account,
        Err(response) => return response,
    };
    let query = match rql::parse_query(query.as_deref(), FILTERABLE) {
        Ok(query) => query,
        Err(message) => return problem(vendor, StatusCode::BAD_REQUEST, Some(message), None),
    };
    let matching: Vec<Value> = account
        .users
        .iter()
        .map(|user| account_user_json(&account, user))
        .filter(|json| query.filter.as_ref().is_none_or(|filter| filter.matches(json)))
        .collect();
    let total = matching.len();
    let page = matching.into_iter().skip(query.offset).take(query.limit).collect();
    list_envelope(page, query.offset, query.limit, total)
}

pub(super) async fn get_one(
    State(state): State<Arc<SandboxState>>,
    headers: HeaderMap,
    Path((account_id, user_id)): Path<(String, String)>,
) -> Response {
    let vendor = &state.softwareone;
    let account = match authorize_account(vendor, &headers, &account_id) {
        Ok(account) => account,
        Err(response) => return response,
    };
    match account.users.iter().find(|u| u.id == user_id) {
        Some(user) => (StatusCode::OK, axum::Json(account_user_json(&account, user))).into_response(),
        None => user_not_found(vendor, &account_id, &user_id),
    }
}

fn user_not_found(vendor: &super::State, account_id: &str, user_id: &str) -> Response {
    problem(
        vendor,
        StatusCode::NOT_FOUND,
        Some(format!("User '{user_id}' was not found in account '{account_id}'.")),
        None,
    )
}

pub(super) async fn put(
    State(state): State<Arc<SandboxState>>,
    headers: HeaderMap,
    Path((account_id, user_id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let vendor = &state.softwareone;
    let account = match authorize_account(vendor, &headers, &account_id) {
        Ok(account) => account,
        Err(response) => return response,
    };
    let Some(held) = account.users.iter().find(|u| u.id == user_id) else {
        return user_not_found(vendor, &account_id, &user_id);
    };
    if !is_json_content_type(&headers) {
        return problem(
            vendor,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Some("Send the body as application/json.".into()),
            None,
        );
    }
    let mut errors = FieldErrors::new();
    let body = match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Object(body)) => body,
        Ok(_) => {
            add_error(&mut errors, "$", "The JSON value could not be converted to AccountUser. Path: $");
            return problem(vendor, StatusCode::BAD_REQUEST, None, Some(errors));
        }
        Err(_) if body.is_empty() => {
            add_error(&mut errors, "$", "A non-empty request body is required.");
            return problem(vendor, StatusCode::BAD_REQUEST, None, Some(errors));
        }
        Err(error) => {
            add_error(&mut errors, "$", format!("The request body is not valid JSON: {error}."));
            return problem(vendor, StatusCode::BAD_REQUEST, None, Some(errors));
        }
    };
    let delta = read_delta(&body, held.settings.as_ref(), &mut errors);
    if !errors.is_empty() {
        return problem(vendor, StatusCode::BAD_REQUEST, None, Some(errors));
    }
    let mut inner = vendor.inner.lock().unwrap();
    if let Some(email) = &delta.email {
        let taken = inner
            .accounts
            .iter()
            .flat_map(|a| a.users.iter())
            .any(|u| u.id != user_id && u.email.eq_ignore_ascii_case(email));
        if taken {
            drop(inner);
            let mut errors = FieldErrors::new();
            let message = format!("The email address '{email}' is already used by another Marketplace user.");
            add_error(&mut errors, "Email", message.clone());
            return problem(vendor, StatusCode::CONFLICT, Some(message), Some(errors));
        }
    }
    let account = inner.accounts.iter_mut().find(|a| a.id == account_id).expect("checked above");
    let user = account.users.iter_mut().find(|u| u.id == user_id).expect("checked above");
    delta.apply(user);
    let user = user.clone();
    let json = account_user_json(account, &user);
    drop(inner);
    (StatusCode::OK, axum::Json(json)).into_response()
}

/// `application/json`, `text/json` or `application/*+json`, as the seed's requestBody lists.
fn is_json_content_type(headers: &HeaderMap) -> bool {
    let value = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
    let media = value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    media == "application/json"
        || media == "text/json"
        || (media.starts_with("application/") && media.ends_with("+json"))
}

/// What a PUT asks to change. `Some(None)` clears a nullable member; inside a nested object that
/// was sent, `None` means the member was left out (and so is cleared).
#[derive(Default)]
struct Delta {
    email: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    phone: Option<Option<PhoneDelta>>,
    settings: Option<Option<SettingsDelta>>,
}

#[derive(Default)]
struct PhoneDelta {
    prefix: Option<Option<String>>,
    number: Option<Option<String>>,
}

#[derive(Default)]
struct SettingsDelta {
    culture_code: Option<String>,
    language_code: Option<String>,
    time_zone: Option<Option<String>>,
    date_format: Option<Option<String>>,
    time_format: Option<Option<String>>,
    number_format: Option<Option<NumberFormatDelta>>,
}

#[derive(Default)]
struct NumberFormatDelta {
    decimal_separator: Option<String>,
    group_separator: Option<String>,
}

/// One member's path in both spellings the vendor uses in its error keys.
struct Member<'a> {
    /// `phone.number`
    json: &'a str,
}

impl Member<'_> {
    fn json_path(&self) -> String {
        format!("$.{}", self.json)
    }

    /// `Phone.Number`
    fn model_path(&self) -> String {
        self.json.split('.').map(pascal).collect::<Vec<_>>().join(".")
    }

    /// `Number`
    fn name(&self) -> String {
        pascal(self.json.rsplit('.').next().unwrap_or_default())
    }
}

fn pascal(segment: &str) -> String {
    let mut chars = segment.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// Every key must be a member of the schema type; names the type as .NET would.
fn only_members(
    object: &Map<String, Value>,
    parent: &str,
    allowed: &[&str],
    type_name: &str,
    errors: &mut FieldErrors,
) {
    for key in object.keys().filter(|key| !allowed.contains(&key.as_str())) {
        let path = if parent.is_empty() { format!("$.{key}") } else { format!("$.{parent}.{key}") };
        add_error(
            errors,
            &path,
            format!(
                "The JSON property '{key}' could not be mapped to any .NET member contained in type '{type_name}'."
            ),
        );
    }
}

/// A string member: `Some(Some(text))`, `Some(None)` for an allowed `null`, `None` if absent or
/// wrong (with the error recorded).
fn string(
    object: &Map<String, Value>,
    member: &Member,
    nullable: bool,
    errors: &mut FieldErrors,
) -> Option<Option<String>> {
    let key = member.json.rsplit('.').next().unwrap_or_default();
    match object.get(key)? {
        Value::String(text) => Some(Some(text.clone())),
        Value::Null if nullable => Some(None),
        Value::Null => {
            add_error(errors, &member.model_path(), format!("The {} field is required.", member.name()));
            None
        }
        _ => {
            add_error(
                errors,
                &member.json_path(),
                format!("The JSON value could not be converted to System.String. Path: {}", member.json_path()),
            );
            None
        }
    }
}

/// A member a nested object must carry: it replaces the held object, so leaving a non-nullable
/// member out would leave it without a value.
fn present(object: &Map<String, Value>, member: &Member, errors: &mut FieldErrors) -> bool {
    let key = member.json.rsplit('.').next().unwrap_or_default();
    if object.contains_key(key) {
        return true;
    }
    add_error(errors, &member.model_path(), format!("The {} field is required.", member.name()));
    false
}

/// A non-nullable string that may not be blank.
fn required(object: &Map<String, Value>, member: &Member, errors: &mut FieldErrors) -> Option<String> {
    let text = string(object, member, false, errors)??;
    if text.trim().is_empty() {
        add_error(errors, &member.model_path(), format!("The {} field is required.", member.name()));
        return None;
    }
    Some(text)
}

fn max_length(text: &str, max: usize, member: &Member, errors: &mut FieldErrors) -> bool {
    if text.encode_utf16().count() > max {
        add_error(
            errors,
            &member.model_path(),
            format!("The field {} must be a string with a maximum length of {max}.", member.name()),
        );
        return false;
    }
    true
}

fn pattern(ok: bool, regex: &str, member: &Member, errors: &mut FieldErrors) {
    if !ok {
        add_error(
            errors,
            &member.model_path(),
            format!("The field {} must match the regular expression '{regex}'.", member.name()),
        );
    }
}

/// A nested object member: `Some(None)` for `null`, `Some(Some(map))` for an object.
fn object<'a>(
    parent: &'a Map<String, Value>,
    member: &Member,
    errors: &mut FieldErrors,
) -> Option<Option<&'a Map<String, Value>>> {
    let key = member.json.rsplit('.').next().unwrap_or_default();
    match parent.get(key)? {
        Value::Null => Some(None),
        Value::Object(map) => Some(Some(map)),
        _ => {
            add_error(
                errors,
                &member.json_path(),
                format!("The JSON value could not be converted to an object. Path: {}", member.json_path()),
            );
            None
        }
    }
}

/// The sandbox's own address check, independent of the client's: one `@` with text before it,
/// a dotted domain after it, no spaces.
fn looks_like_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else { return false };
    !local.is_empty()
        && !domain.contains('@')
        && !text.chars().any(char::is_whitespace)
        && domain.split('.').count() >= 2
        && domain.split('.').all(|label| !label.is_empty())
}

fn is_culture(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    chars.len() == 5
        && chars[..2].iter().all(char::is_ascii_lowercase)
        && chars[2] == '-'
        && chars[3..].iter().all(char::is_ascii_uppercase)
}

fn is_language(text: &str) -> bool {
    (text.chars().count() == 2 && text.chars().all(|c| c.is_ascii_lowercase())) || is_culture(text)
}

/// `held` is the user's settings now: a code the vendor already holds is accepted back as it is
/// (its own list of cultures is the authority, e.g. `es-419`, longer than the v4 spec allows).
fn read_delta(body: &Map<String, Value>, held: Option<&Settings>, errors: &mut FieldErrors) -> Delta {
    for key in body.keys() {
        if READ_ONLY.contains(&key.as_str()) {
            add_error(errors, &format!("$.{key}"), format!("The property '{key}' is read-only and can't be changed."));
        }
    }
    let known: Vec<&str> = EDITABLE.iter().chain(READ_ONLY).copied().collect();
    only_members(body, "", &known, "AccountUser", errors);

    let mut delta = Delta::default();
    let email = Member { json: "email" };
    if let Some(text) = required(body, &email, errors) {
        if max_length(&text, 254, &email, errors) {
            if looks_like_email(&text) {
                delta.email = Some(text);
            } else {
                add_error(errors, &email.model_path(), "The Email field is not a valid e-mail address.");
            }
        }
    }
    delta.first_name = required(body, &Member { json: "firstName" }, errors);
    delta.last_name = required(body, &Member { json: "lastName" }, errors);

    let phone = Member { json: "phone" };
    delta.phone = object(body, &phone, errors).map(|phone| {
        phone.map(|map| {
            only_members(map, "phone", PHONE_MEMBERS, "PhoneNumber", errors);
            let mut limited = |json: &'static str, max: usize| {
                let member = Member { json };
                string(map, &member, true, errors).filter(|value| match value {
                    Some(text) => max_length(text, max, &member, errors),
                    None => true,
                })
            };
            PhoneDelta { prefix: limited("phone.prefix", 10), number: limited("phone.number", 15) }
        })
    });

    let settings = Member { json: "settings" };
    delta.settings = object(body, &settings, errors).map(|settings| {
        settings.map(|map| {
            only_members(map, "settings", SETTINGS_MEMBERS, "UserSettings", errors);
            let mut code = |json: &'static str, valid: fn(&str) -> bool, regex: &str, held: Option<&str>| {
                let member = Member { json };
                if !present(map, &member, errors) {
                    return None;
                }
                let text = string(map, &member, false, errors)??;
                if held == Some(text.as_str()) {
                    return Some(text);
                }
                if !max_length(&text, 5, &member, errors) {
                    return None;
                }
                pattern(valid(&text), regex, &member, errors);
                valid(&text).then_some(text)
            };
            let held_culture = held.map(|held| held.culture_code.as_str());
            let held_language = held.map(|held| held.language_code.as_str());
            let culture_code = code("settings.cultureCode", is_culture, "^[a-z]{2}-[A-Z]{2}$", held_culture);
            let language_code = code("settings.languageCode", is_language, "^[a-z]{2}(-[A-Z]{2})?$", held_language);
            let number_format = object(map, &Member { json: "settings.numberFormat" }, errors).map(|format| {
                format.map(|format| {
                    only_members(format, "settings.numberFormat", NUMBER_FORMAT_MEMBERS, "NumberFormat", errors);
                    let decimal = Member { json: "settings.numberFormat.decimalSeparator" };
                    let group = Member { json: "settings.numberFormat.groupSeparator" };
                    NumberFormatDelta {
                        decimal_separator: present(format, &decimal, errors)
                            .then(|| required(format, &decimal, errors))
                            .flatten(),
                        // Any text, a space included (French thousands).
                        group_separator: present(format, &group, errors)
                            .then(|| string(format, &group, false, errors))
                            .flatten()
                            .flatten(),
                    }
                })
            });
            SettingsDelta {
                culture_code,
                language_code,
                time_zone: string(map, &Member { json: "settings.timeZone" }, true, errors),
                date_format: string(map, &Member { json: "settings.dateFormat" }, true, errors),
                time_format: string(map, &Member { json: "settings.timeFormat" }, true, errors),
                number_format,
            }
        })
    });
    delta
}

impl Delta {
    /// Stores a checked delta: top-level members that were sent, and nested objects replaced
    /// whole (see the module comment).
    fn apply(self, user: &mut User) {
        let set = |target: &mut String, value: Option<String>| {
            if let Some(value) = value {
                *target = value;
            }
        };
        set(&mut user.email, self.email);
        set(&mut user.first_name, self.first_name);
        set(&mut user.last_name, self.last_name);
        if let Some(phone) = self.phone {
            user.phone = phone.map(|phone| Phone { prefix: phone.prefix.flatten(), number: phone.number.flatten() });
        }
        if let Some(settings) = self.settings {
            user.settings = settings.map(|settings| Settings {
                culture_code: settings.culture_code.expect("checked: present and valid"),
                language_code: settings.language_code.expect("checked: present and valid"),
                time_zone: settings.time_zone.flatten(),
                date_format: settings.date_format.flatten(),
                time_format: settings.time_format.flatten(),
                number_format: settings.number_format.flatten().map(|format| NumberFormat {
                    decimal_separator: format.decimal_separator.expect("checked: present and not blank"),
                    group_separator: format.group_separator.expect("checked: present"),
                }),
            });
        }
        user.revision += 1;
        user.updated_at = time::OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc3339).ok();
    }
}
