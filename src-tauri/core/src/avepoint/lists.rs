//! AvePoint's list endpoints (`POST .../batch`, paged by `pageIndex`/`pageSize`, at most 100).

use super::{AvePointClient, SCOPE_CUSTOMERS_READ, SCOPE_USER_READ_WRITE};
use crate::error::{Error, ErrorCode, Result};
use crate::http;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub const MAX_PAGE_SIZE: u32 = 100;

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "AvePointTenant")]
pub struct Tenant {
    pub id: String,
    #[serde(default)]
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "AvePointCustomer")]
pub struct Customer {
    pub id: String,
    #[serde(default)]
    pub organization: String,
    #[serde(default)]
    pub tenants: Vec<Tenant>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "AvePointUserSummary")]
pub struct UserSummary {
    pub id: String,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub mail: Option<String>,
}

/// One page and how many there are in all.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "AvePointPage")]
pub struct Page<T> {
    pub data: Vec<T>,
    pub metadata: PageMetadata,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PageMetadata {
    pub page_index: u32,
    pub page_size: u32,
    pub total_count: u64,
}

fn check_paging(page_index: u32, page_size: u32) -> Result<()> {
    if page_index == 0 || page_size == 0 || page_size > MAX_PAGE_SIZE {
        return Err(Error::new(
            ErrorCode::InvalidInput,
            format!("AvePoint pages start at 1 and hold 1 to {MAX_PAGE_SIZE} entries."),
        ));
    }
    Ok(())
}

/// Customers with their tenants (`POST /partner/external/v3/general/customers/batch`).
pub async fn list_customers(client: &AvePointClient, page_index: u32, page_size: u32) -> Result<Page<Customer>> {
    check_paging(page_index, page_size)?;
    let path = format!("/partner/external/v3/general/customers/batch?pageIndex={page_index}&pageSize={page_size}");
    client
        .post_json(&path, "/partner/external/v3/general/customers/batch", serde_json::json!({}), SCOPE_CUSTOMERS_READ)
        .await
}

/// A tenant's users (`POST .../customers/{customerId}/tenants/{tenantId}/users/batch`).
pub async fn list_users(
    client: &AvePointClient,
    customer_id: &str,
    tenant_id: &str,
    page_index: u32,
    page_size: u32,
) -> Result<Page<UserSummary>> {
    check_paging(page_index, page_size)?;
    let customer = http::path_segment("customerId", "Customer ID", customer_id)?;
    let tenant = http::path_segment("tenantId", "Tenant ID", tenant_id)?;
    let path = format!(
        "/partner/external/v3/um/customers/{customer}/tenants/{tenant}/users/batch?pageIndex={page_index}&pageSize={page_size}"
    );
    client
        .post_json(
            &path,
            "/partner/external/v3/um/customers/{customerId}/tenants/{tenantId}/users/batch",
            serde_json::json!({}),
            SCOPE_USER_READ_WRITE,
        )
        .await
}
