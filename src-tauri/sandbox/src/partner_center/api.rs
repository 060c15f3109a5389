//! Partner Center's customer and user endpoints: seek-paged lists, one user, and the user PATCH
//! with the validation Entra ID applies to those fields.

use super::entra::check_access_token;
use super::{error, error_body, find_customer, CallIds, Customer, GdapRole, User};
use crate::SandboxState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Map, Value};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, OnceLock};

/// Partner Center answers 401 with a realm naming the service.
fn unauthorized(description: &str) -> Response {
    let mut response = error(StatusCode::UNAUTHORIZED, "Unauthorized", description);
    response
        .headers_mut()
        .insert("www-authenticate", HeaderValue::from_static("OAuth realm=urn:cpsvc:cpid:switchboard-sandbox"));
    response
}

fn authorize(state: &SandboxState, headers: &HeaderMap) -> Result<(), Response> {
    check_access_token(state, headers).map_err(unauthorized)
}

fn customer_not_found(id: &str) -> Response {
    error(
        StatusCode::NOT_FOUND,
        "CustomerNotFound",
        format!("Customer '{id}' was not found or has no relationship with this partner."),
    )
}

fn user_not_found(id: &str) -> Response {
    error(StatusCode::NOT_FOUND, "UserNotFound", format!("User '{id}' was not found for this customer."))
}

fn invalid(description: impl Into<String>) -> Response {
    error(StatusCode::BAD_REQUEST, "InvalidInput", description)
}

/// A CustomerUser as Partner Center returns it. The password never is.
fn user_json(customer_id: &str, user: &User) -> Value {
    json!({
        "id": user.id,
        "userPrincipalName": user.user_principal_name,
        "firstName": user.first_name,
        "lastName": user.last_name,
        "displayName": user.display_name,
        "usageLocation": user.usage_location,
        "userDomainType": "none",
        "state": user.state,
        "links": { "self": { "uri": format!("/customers/{customer_id}/users/{}", user.id), "method": "GET", "headers": [] } },
        "attributes": { "objectType": "CustomerUser" },
    })
}

fn customer_json(customer: &Customer) -> Value {
    json!({
        "id": customer.id,
        "companyProfile": {
            "tenantId": customer.id,
            "domain": customer.domains.first(),
            "companyName": customer.company_name,
            "attributes": { "objectType": "CustomerCompanyProfile" },
        },
        "relationshipToPartner": "reseller",
        "links": { "self": { "uri": format!("/customers/{}", customer.id), "method": "GET", "headers": [] } },
        "attributes": { "objectType": "Customer" },
    })
}

#[derive(serde::Deserialize)]
pub(super) struct Seek {
    size: Option<String>,
    #[serde(rename = "seekOperation")]
    seek_operation: Option<String>,
}

/// Which list a continuation token belongs to, and where it continues: opaque to callers.
fn encode_token(list: &str, offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("{list}|{offset}"))
}

fn decode_token(list: &str, token: &str) -> Option<usize> {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(token).ok()?).ok()?;
    let (for_list, offset) = text.rsplit_once('|')?;
    (for_list == list).then(|| offset.parse().ok()).flatten()
}

/// One seek page of `items`: the first `size`, or the next ones after a continuation token.
fn seek_page(
    list: &str,
    self_uri: &str,
    items: Vec<Value>,
    seek: &Seek,
    headers: &HeaderMap,
) -> Result<Value, Response> {
    let size = match seek.size.as_deref().map(str::parse::<usize>) {
        None => 100,
        Some(Ok(size)) if size >= 1 => size,
        Some(_) => return Err(invalid("The size parameter must be a whole number of 1 or more.")),
    };
    let offset = match seek.seek_operation.as_deref() {
        None => 0,
        Some(op) if op.eq_ignore_ascii_case("next") => {
            let token = headers.get("ms-continuationtoken").and_then(|v| v.to_str().ok()).unwrap_or_default();
            if token.is_empty() {
                return Err(invalid(
                    "seekOperation=Next needs the MS-ContinuationToken header from the previous page.",
                ));
            }
            decode_token(list, token)
                .ok_or_else(|| invalid("The MS-ContinuationToken header is not a continuation token for this list."))?
        }
        Some(other) => return Err(invalid(format!("The seek operation '{other}' is not supported; use Next."))),
    };
    let total = items.len();
    let page: Vec<Value> = items.into_iter().skip(offset).take(size).collect();
    let end = offset + page.len();
    let mut links = json!({ "self": { "uri": format!("{self_uri}?size={size}"), "method": "GET", "headers": [] } });
    let mut body = json!({ "totalCount": page.len(), "items": page });
    if end < total {
        let token = encode_token(list, end);
        links["next"] = json!({
            "uri": format!("{self_uri}?size={size}&seekOperation=Next"),
            "method": "GET",
            "headers": [{ "key": "MS-ContinuationToken", "value": token }],
        });
        body["continuationToken"] = token.into();
    }
    body["links"] = links;
    body["attributes"] = json!({ "objectType": "Collection" });
    Ok(body)
}

/// `GET /v1/customers?size=&seekOperation=`
pub(super) async fn list_customers(
    State(state): State<Arc<SandboxState>>,
    headers: HeaderMap,
    Query(seek): Query<Seek>,
) -> Response {
    let ids = CallIds::from(&headers);
    if let Err(response) = authorize(&state, &headers) {
        return ids.stamp(response);
    }
    let customers: Vec<Value> =
        state.partner_center.inner.lock().unwrap().customers.iter().map(customer_json).collect();
    ids.stamp(match seek_page("customers", "/customers", customers, &seek, &headers) {
        Ok(body) => (StatusCode::OK, Json(body)).into_response(),
        Err(response) => response,
    })
}

/// `GET /v1/customers/{customer-tenant-id}/users?size=&seekOperation=`
pub(super) async fn list_users(
    State(state): State<Arc<SandboxState>>,
    headers: HeaderMap,
    Path(customer_id): Path<String>,
    Query(seek): Query<Seek>,
) -> Response {
    let ids = CallIds::from(&headers);
    if let Err(response) = authorize(&state, &headers) {
        return ids.stamp(response);
    }
    let users: Vec<Value> = {
        let inner = state.partner_center.inner.lock().unwrap();
        let Some(customer) = find_customer(&inner.customers, &customer_id) else {
            return ids.stamp(customer_not_found(&customer_id));
        };
        customer.users.iter().map(|user| user_json(&customer.id, user)).collect()
    };
    let list = format!("users:{}", customer_id.to_ascii_lowercase());
    let self_uri = format!("/customers/{customer_id}/users");
    ids.stamp(match seek_page(&list, &self_uri, users, &seek, &headers) {
        Ok(body) => (StatusCode::OK, Json(body)).into_response(),
        Err(response) => response,
    })
}

/// `GET /v1/customers/{customer-tenant-id}/users/{user-id}`
pub(super) async fn get_user(
    State(state): State<Arc<SandboxState>>,
    headers: HeaderMap,
    Path((customer_id, user_id)): Path<(String, String)>,
) -> Response {
    let ids = CallIds::from(&headers);
    if let Err(response) = authorize(&state, &headers) {
        return ids.stamp(response);
    }
    let inner = state.partner_center.inner.lock().unwrap();
    let Some(customer) = find_customer(&inner.customers, &customer_id) else {
        return ids.stamp(customer_not_found(&customer_id));
    };
    ids.stamp(match customer.users.iter().find(|u| u.id.eq_ignore_ascii_case(&user_id)) {
        Some(user) => (StatusCode::OK, Json(user_json(&customer.id, user))).into_response(),
        None => user_not_found(&user_id),
    })
}

/// `PATCH /v1/customers/{customer-tenant-id}/users/{user-id}`: applies the fields present and
/// answers 200 with the user. A repeated `MS-RequestId` gets the first answer again.
pub(super) async fn patch_user(
    State(state): State<Arc<SandboxState>>,
    headers: HeaderMap,
    Path((customer_id, user_id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let ids = CallIds::from(&headers);
    if let Err(response) = authorize(&state, &headers) {
        return ids.stamp(response);
    }
    let mut inner = state.partner_center.inner.lock().unwrap();
    let replay_key = headers.get("ms-requestid").and_then(|v| v.to_str().ok()).map(str::to_string);
    if let Some((status, body)) = replay_key.as_ref().and_then(|key| inner.patch_replies.get(key)) {
        return ids.stamp((*status, Json(body.clone())).into_response());
    }
    let (status, reply) = apply_patch(&mut inner.customers, &customer_id, &user_id, &body);
    if let Some(key) = replay_key {
        inner.patch_replies.insert(key, (status, reply.clone()));
    }
    ids.stamp((status, Json(reply)).into_response())
}

fn apply_patch(customers: &mut [Customer], customer_id: &str, user_id: &str, body: &[u8]) -> (StatusCode, Value) {
    let fail = |status: StatusCode, code: &str, description: String| (status, error_body(code, description));
    let Some(customer) = customers.iter_mut().find(|c| c.id.eq_ignore_ascii_case(customer_id)) else {
        return fail(
            StatusCode::NOT_FOUND,
            "CustomerNotFound",
            format!("Customer '{customer_id}' was not found or has no relationship with this partner."),
        );
    };
    if customer.role != GdapRole::UserAdministrator {
        return fail(
            StatusCode::FORBIDDEN,
            "Forbidden",
            "The signed-in partner user has no GDAP role for this customer that allows updating users (User Administrator or Directory Writers).".into(),
        );
    }
    let Some(index) = customer.users.iter().position(|u| u.id.eq_ignore_ascii_case(user_id)) else {
        return fail(
            StatusCode::NOT_FOUND,
            "UserNotFound",
            format!("User '{user_id}' was not found for this customer."),
        );
    };
    let body = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(body)) => body,
        _ => {
            return fail(
                StatusCode::BAD_REQUEST,
                "InvalidInput",
                "The request body must be a CustomerUser JSON object.".into(),
            )
        }
    };
    let others: Vec<String> = customer
        .users
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != index)
        .map(|(_, u)| u.user_principal_name.to_ascii_lowercase())
        .collect();
    let mut user = customer.users[index].clone();
    if let Err(description) = validate_and_apply(&body, &mut user, &customer.domains, &others) {
        return fail(StatusCode::BAD_REQUEST, "InvalidInput", description);
    }
    customer.users[index] = user.clone();
    (StatusCode::OK, user_json(&customer.id, &user))
}

/// Each present field is checked as Entra ID checks it, then applied; `null` clears an optional field.
fn validate_and_apply(
    body: &Map<String, Value>,
    user: &mut User,
    domains: &[String],
    others: &[String],
) -> Result<(), String> {
    if let Some(object_type) = body.get("attributes").and_then(|a| a.get("objectType")) {
        if object_type != "CustomerUser" {
            return Err(format!("attributes.objectType must be CustomerUser, not {object_type}."));
        }
    }
    if let Some(value) = body.get("displayName") {
        user.display_name = required_text(value, "displayName", 256)?;
    }
    if let Some(value) = body.get("firstName") {
        user.first_name = optional_text(value, "firstName", 64)?;
    }
    if let Some(value) = body.get("lastName") {
        user.last_name = optional_text(value, "lastName", 64)?;
    }
    if let Some(value) = body.get("usageLocation") {
        let location = optional_text(value, "usageLocation", usize::MAX)?;
        if let Some(code) = &location {
            // The vendor's own list is the authority: a code it already holds for the user (like
            // XK for Kosovo, outside ISO 3166-1) is accepted back.
            let held = user.usage_location.as_deref() == Some(code.as_str());
            if !held && !country_codes().contains(code.as_str()) {
                return Err(format!("usageLocation '{code}' is not a valid ISO 3166-1 alpha-2 country code."));
            }
        }
        user.usage_location = location;
    }
    if let Some(value) = body.get("userPrincipalName") {
        let upn = required_text(value, "userPrincipalName", 113)?;
        check_user_principal_name(&upn, domains)?;
        if others.contains(&upn.to_ascii_lowercase()) {
            return Err("Another object with the same value for property userPrincipalName already exists.".into());
        }
        user.user_principal_name = upn;
    }
    match body.get("passwordProfile") {
        None | Some(Value::Null) => {}
        Some(Value::Object(profile)) => {
            let password = match profile.get("password") {
                Some(Value::String(password)) => password,
                _ => return Err("passwordProfile.password is required and must be a string.".into()),
            };
            if !complex_enough(password) {
                return Err("passwordProfile.password does not comply with password complexity requirements: 8 to 256 characters, with three of uppercase letters, lowercase letters, digits and symbols.".into());
            }
            let force = match profile.get("forceChangePassword") {
                None | Some(Value::Null) => false,
                Some(Value::Bool(force)) => *force,
                Some(_) => return Err("passwordProfile.forceChangePassword must be true or false.".into()),
            };
            user.password = Some(password.clone());
            user.force_change_password = force;
        }
        Some(_) => return Err("passwordProfile must be an object with password and forceChangePassword.".into()),
    }
    Ok(())
}

fn optional_text(value: &Value, key: &str, max: usize) -> Result<Option<String>, String> {
    match value {
        Value::Null => Ok(None),
        Value::String(text) if text.is_empty() => Ok(None),
        Value::String(text) if text.encode_utf16().count() > max => {
            Err(format!("{key} can be at most {max} characters long."))
        }
        Value::String(text) => Ok(Some(text.clone())),
        _ => Err(format!("{key} must be a string.")),
    }
}

fn required_text(value: &Value, key: &str, max: usize) -> Result<String, String> {
    match optional_text(value, key, max)? {
        Some(text) if !text.trim().is_empty() => Ok(text),
        _ => Err(format!("{key} is required and can't be empty.")),
    }
}

/// Entra's user principal name rule: alias@domain, the domain one of the customer's.
fn check_user_principal_name(upn: &str, domains: &[String]) -> Result<(), String> {
    let parts: Vec<&str> = upn.split('@').collect();
    let [alias, domain] = parts.as_slice() else {
        return Err(format!("userPrincipalName '{upn}' must have the form alias@domain."));
    };
    let alias_ok = !alias.is_empty()
        && alias.len() <= 64
        && !alias.starts_with('.')
        && !alias.ends_with('.')
        && alias.bytes().all(|b| b.is_ascii_alphanumeric() || b"'.-_!#^~".contains(&b));
    if !alias_ok {
        return Err(format!("userPrincipalName '{upn}' has an invalid alias: at most 64 of A-Z a-z 0-9 ' . - _ ! # ^ ~, not starting or ending with a period."));
    }
    if !domains.iter().any(|d| d.eq_ignore_ascii_case(domain)) {
        return Err("The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization.".into());
    }
    Ok(())
}

/// Entra's default password policy: 8 to 256 characters, three of the four character classes.
fn complex_enough(password: &str) -> bool {
    let length = password.chars().count();
    let classes = [
        password.bytes().any(|b| b.is_ascii_uppercase()),
        password.bytes().any(|b| b.is_ascii_lowercase()),
        password.bytes().any(|b| b.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ];
    (8..=256).contains(&length) && classes.iter().filter(|&&c| c).count() >= 3
}

/// AvePoint's usage locations are ISO 3166-1 alpha-2, as Partner Center's; the file is checked
/// against ISO data kept by others in `tests/value_lists.rs`.
fn country_codes() -> &'static HashSet<String> {
    static LIST: OnceLock<HashSet<String>> = OnceLock::new();
    LIST.get_or_init(|| {
        let map: HashMap<String, String> =
            serde_json::from_str(include_str!("../../../data/avepoint-usage-locations.json")).unwrap();
        map.into_keys().collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuation_tokens_are_bound_to_their_list() {
        let token = encode_token("customers", 2);
        assert_eq!(decode_token("customers", &token), Some(2));
        assert_eq!(decode_token("users:x", &token), None);
        assert_eq!(decode_token("customers", "garbage!"), None);
    }

    #[test]
    fn the_password_policy_is_entras_default() {
        assert!(complex_enough("testPw@!122B"));
        assert!(!complex_enough("Ab1!"));
        assert!(!complex_enough("alllowercaseletters"));
    }
}
