//! `POST /partner/external/v3/general/customers/batch`: customers with their tenants, paged.

use super::identity::authorize;
use super::{error, SCOPE_CUSTOMERS_READ};
use crate::SandboxState;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use std::sync::Arc;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Paging {
    page_index: Option<String>,
    page_size: Option<String>,
}

impl Paging {
    /// (page index, page size): pages start at 1 and hold 1 to 100, 50 by default.
    fn checked(self) -> Result<(usize, usize), Response> {
        let parse =
            |value: Option<String>, default: usize| value.map(|v| v.parse::<usize>().ok()).unwrap_or(Some(default));
        match (parse(self.page_index, 1), parse(self.page_size, 50)) {
            (Some(index), Some(size)) if index >= 1 && (1..=100).contains(&size) => Ok((index, size)),
            _ => Err(error(StatusCode::BAD_REQUEST, "pageIndex must be 1 or more and pageSize from 1 to 100.")),
        }
    }
}

pub(super) async fn batch(
    State(state): State<Arc<SandboxState>>,
    headers: HeaderMap,
    Query(paging): Query<Paging>,
    body: Bytes,
) -> Response {
    if let Err(response) = authorize(&state, &headers, &[SCOPE_CUSTOMERS_READ]) {
        return response;
    }
    let (page_index, page_size) = match paging.checked() {
        Ok(paging) => paging,
        Err(response) => return response,
    };
    let wanted: Option<Vec<String>> = if body.is_empty() {
        None
    } else {
        match serde_json::from_slice::<serde_json::Value>(&body) {
            Ok(value) => value.get("customerIds").and_then(|ids| serde_json::from_value(ids.clone()).ok()),
            Err(_) => return error(StatusCode::BAD_REQUEST, "The request body must be JSON."),
        }
    };
    let customers = state.avepoint.customers();
    let selected: Vec<_> = customers
        .iter()
        .filter(|c| wanted.as_ref().is_none_or(|ids| ids.iter().any(|id| id.eq_ignore_ascii_case(&c.id))))
        .collect();
    let data: Vec<serde_json::Value> = selected
        .iter()
        .skip((page_index - 1) * page_size)
        .take(page_size)
        .map(|c| {
            serde_json::json!({
                "id": c.id,
                "organization": c.organization,
                "ownerEmail": format!("admin@{}", c.tenants.first().map(|t| t.name.as_str()).unwrap_or("example.com")),
                "jobStatus": 0,
                "countryOrRegion": "United States",
                "managementMode": 0,
                "tenants": c.tenants.iter().map(|t| serde_json::json!({ "id": t.id, "name": t.name })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let body = serde_json::json!({
        "data": data,
        "metadata": { "pageIndex": page_index, "pageSize": page_size, "totalCount": selected.len() },
    });
    (StatusCode::OK, [("request-id", uuid::Uuid::new_v4().to_string())], Json(body)).into_response()
}

/// `POST /partner/external/v3/um/customers/{customerId}/tenants/{tenantId}/users/batch`: a
/// tenant's users, paged; body `{"userIds": [...]}` optional.
pub(super) async fn users_batch(
    State(state): State<Arc<SandboxState>>,
    headers: HeaderMap,
    axum::extract::Path((customer_id, tenant_id)): axum::extract::Path<(String, String)>,
    Query(paging): Query<Paging>,
    body: Bytes,
) -> Response {
    if let Err(response) = authorize(&state, &headers, &[super::SCOPE_USER_READ, super::SCOPE_USER_READ_WRITE]) {
        return response;
    }
    let (page_index, page_size) = match paging.checked() {
        Ok(paging) => paging,
        Err(response) => return response,
    };
    let wanted: Option<Vec<String>> = if body.is_empty() {
        None
    } else {
        match serde_json::from_slice::<serde_json::Value>(&body) {
            Ok(value) => value.get("userIds").and_then(|ids| serde_json::from_value(ids.clone()).ok()),
            Err(_) => return error(StatusCode::BAD_REQUEST, "The request body must be JSON."),
        }
    };
    let customers = state.avepoint.customers();
    let Some(customer) = customers.iter().find(|c| c.id.eq_ignore_ascii_case(&customer_id)) else {
        return error(StatusCode::NOT_FOUND, format!("Customer '{customer_id}' was not found."));
    };
    let Some(tenant) = customer.tenants.iter().find(|t| t.id.eq_ignore_ascii_case(&tenant_id)) else {
        return error(StatusCode::NOT_FOUND, format!("Tenant '{tenant_id}' was not found for this customer."));
    };
    let selected: Vec<_> = tenant
        .users
        .iter()
        .filter(|u| wanted.as_ref().is_none_or(|ids| ids.iter().any(|id| id.eq_ignore_ascii_case(&u.id))))
        .collect();
    let data: Vec<_> = selected.iter().skip((page_index - 1) * page_size).take(page_size).collect();
    let body = serde_json::json!({
        "data": data,
        "metadata": { "pageIndex": page_index, "pageSize": page_size, "totalCount": selected.len() },
    });
    (StatusCode::OK, [("request-id", uuid::Uuid::new_v4().to_string())], Json(body)).into_response()
}
