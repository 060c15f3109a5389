//! `GET /public/v1/accounts/accounts` (paged, RQL) and `GET .../accounts/{accountId}`.

use super::{account_json, authorize, authorize_account, list_envelope, problem, rql};
use crate::SandboxState;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

const FILTERABLE: &[&str] = &["id", "name", "type", "status"];

pub(super) async fn list(
    State(state): State<Arc<SandboxState>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let vendor = &state.softwareone;
    let denied = match authorize(vendor, &headers) {
        Ok(denied) => denied,
        Err(response) => return response,
    };
    let query = match rql::parse_query(query.as_deref(), FILTERABLE) {
        Ok(query) => query,
        Err(message) => return problem(vendor, StatusCode::BAD_REQUEST, Some(message), None),
    };
    let visible: Vec<_> = vendor
        .accounts()
        .iter()
        .filter(|account| !denied.contains(&account.id))
        .map(account_json)
        .filter(|json| query.filter.as_ref().is_none_or(|filter| filter.matches(json)))
        .collect();
    let total = visible.len();
    let page = visible.into_iter().skip(query.offset).take(query.limit).collect();
    list_envelope(page, query.offset, query.limit, total)
}

pub(super) async fn get_one(
    State(state): State<Arc<SandboxState>>,
    headers: HeaderMap,
    Path(account_id): Path<String>,
) -> Response {
    match authorize_account(&state.softwareone, &headers, &account_id) {
        Ok(account) => (StatusCode::OK, axum::Json(account_json(&account))).into_response(),
        Err(response) => response,
    }
}
