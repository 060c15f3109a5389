//! What the desk's pickers offer for each id an operation needs (customer, tenant, account,
//! user), one vendor list page at a time, in one shape for every vendor.

use crate::avepoint::lists as avepoint_lists;
use crate::error::{Error, ErrorCode, Result};
use crate::msp360;
use crate::operations::{self, VendorClient};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

/// Entries per request: AvePoint and SoftwareOne allow at most 100; Partner Center more, but
/// 100 keeps the first page quick.
const PAGE_SIZE: u32 = 100;

/// One entry a picker offers: the id the operation needs, a readable name and a second line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RecordChoice {
    pub id: String,
    pub label: String,
    pub detail: String,
}

/// One page of choices. `next` goes back to [`list`] for the following page; `total` is known
/// where the vendor says it.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ChoicePage {
    pub items: Vec<RecordChoice>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    #[ts(optional, type = "number")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
}

/// The ids picked so far, by key (`customerId`, ...).
fn picked<'a>(target: &'a Value, key: &str, noun: &str) -> Result<&'a str> {
    match target.get(key).and_then(Value::as_str).map(str::trim) {
        Some(id) if !id.is_empty() => Ok(id),
        _ => Err(Error::invalid_fields(vec![crate::FieldError {
            field: key.into(),
            message: format!("Pick the {noun} first."),
        }])),
    }
}

fn page_number(cursor: Option<&str>) -> Result<u32> {
    match cursor {
        None => Ok(0),
        Some(text) => text
            .parse()
            .map_err(|_| Error::new(ErrorCode::InvalidInput, "The list position is not valid. Reload the list.")),
    }
}

/// The cursor for the page after one that started at `offset` and held `got` of `total`.
fn next_offset(offset: u64, got: usize, total: u64) -> Option<String> {
    let seen = offset + got as u64;
    (got > 0 && seen < total).then(|| seen.to_string())
}

/// The same for AvePoint's 1-based page numbers.
fn next_page_index(index: u32, got: usize, total: u64) -> Option<String> {
    next_offset(u64::from(index - 1) * u64::from(PAGE_SIZE), got, total).map(|_| (index + 1).to_string())
}

fn avepoint_page<T>(index: u32, page: avepoint_lists::Page<T>, choice: impl Fn(T) -> RecordChoice) -> ChoicePage {
    ChoicePage {
        next: next_page_index(index, page.data.len(), page.metadata.total_count),
        total: Some(page.metadata.total_count),
        items: page.data.into_iter().map(choice).collect(),
    }
}

fn or_dash(text: &str) -> String {
    if text.trim().is_empty() {
        "—".into()
    } else {
        text.trim().to_string()
    }
}

/// One page of what `key` (an id `operation_id` needs) can be, given the ids picked before it.
pub async fn list(
    client: &VendorClient,
    operation_id: &str,
    key: &str,
    target: &Value,
    cursor: Option<&str>,
) -> Result<ChoicePage> {
    let targets = operations::target_ids(operation_id)?;
    if !targets.iter().any(|t| t.key == key) {
        return Err(Error::new(ErrorCode::InvalidInput, format!("{operation_id} has no id called \"{key}\".")));
    }
    match (client, key) {
        (VendorClient::AvePoint(client), "customerId") => {
            let index = page_number(cursor)?.max(1);
            let page = avepoint_lists::list_customers(client, index, PAGE_SIZE).await?;
            Ok(avepoint_page(index, page, |c| RecordChoice {
                label: or_dash(&c.organization),
                detail: format!("{} tenant{}", c.tenants.len(), if c.tenants.len() == 1 { "" } else { "s" }),
                id: c.id,
            }))
        }
        (VendorClient::AvePoint(client), "tenantId") => {
            // AvePoint lists tenants inside each customer: page through until the customer is found.
            let customer_id = picked(target, "customerId", "customer")?;
            let mut index = 1;
            loop {
                let page = avepoint_lists::list_customers(client, index, PAGE_SIZE).await?;
                if let Some(customer) = page.data.iter().find(|c| c.id == customer_id) {
                    let items: Vec<RecordChoice> = customer
                        .tenants
                        .iter()
                        .map(|t| RecordChoice { id: t.id.clone(), label: or_dash(&t.name), detail: t.id.clone() })
                        .collect();
                    return Ok(ChoicePage { total: Some(items.len() as u64), items, next: None });
                }
                let seen = u64::from(index) * u64::from(PAGE_SIZE);
                if page.data.is_empty() || seen >= page.metadata.total_count {
                    return Err(Error::new(
                        ErrorCode::NotFound,
                        "AvePoint doesn't list this customer for your partner account. Pick the customer again.",
                    )
                    .with_field("customerId", "AvePoint doesn't list this customer.".into()));
                }
                index += 1;
            }
        }
        (VendorClient::AvePoint(client), "userId") => {
            let customer_id = picked(target, "customerId", "customer")?;
            let tenant_id = picked(target, "tenantId", "tenant")?;
            let index = page_number(cursor)?.max(1);
            let page = avepoint_lists::list_users(client, customer_id, tenant_id, index, PAGE_SIZE).await?;
            Ok(avepoint_page(index, page, |u| RecordChoice {
                label: or_dash(u.display_name.as_deref().unwrap_or_default()),
                detail: or_dash(u.mail.as_deref().unwrap_or_default()),
                id: u.id,
            }))
        }
        (VendorClient::PartnerCenter(client), "customerId") => {
            let page = client.list_customers(PAGE_SIZE, cursor).await?;
            Ok(ChoicePage {
                next: page.continuation_token,
                total: None,
                items: page
                    .items
                    .into_iter()
                    .map(|c| RecordChoice { label: or_dash(&c.company_name), detail: or_dash(&c.domain), id: c.id })
                    .collect(),
            })
        }
        (VendorClient::PartnerCenter(client), "userId") => {
            let customer_id = picked(target, "customerId", "customer")?;
            let page = client.list_users(customer_id, PAGE_SIZE, cursor).await?;
            Ok(ChoicePage {
                next: page.continuation_token,
                total: None,
                items: page
                    .items
                    .into_iter()
                    .map(|u| RecordChoice {
                        label: or_dash(&u.display_name),
                        detail: if u.state == "inactive" {
                            format!("{} (deleted)", or_dash(&u.user_principal_name))
                        } else {
                            or_dash(&u.user_principal_name)
                        },
                        id: u.id,
                    })
                    .collect(),
            })
        }
        (VendorClient::SoftwareOne(client), "accountId") => {
            let offset = page_number(cursor)?;
            let page = client.list_accounts(None, PAGE_SIZE, offset).await?;
            Ok(ChoicePage {
                next: next_offset(offset.into(), page.accounts.len(), page.total),
                total: Some(page.total),
                items: page
                    .accounts
                    .into_iter()
                    .map(|a| RecordChoice {
                        label: or_dash(&a.name),
                        detail: [a.account_type.as_deref(), Some(a.id.as_str())]
                            .into_iter()
                            .flatten()
                            .collect::<Vec<_>>()
                            .join(" · "),
                        id: a.id,
                    })
                    .collect(),
            })
        }
        (VendorClient::SoftwareOne(client), "userId") => {
            let account_id = picked(target, "accountId", "account")?;
            let offset = page_number(cursor)?;
            let page = client.list_users(account_id, None, PAGE_SIZE, offset).await?;
            Ok(ChoicePage {
                next: next_offset(offset.into(), page.users.len(), page.total),
                total: Some(page.total),
                items: page
                    .users
                    .into_iter()
                    .map(|u| RecordChoice {
                        label: or_dash(&u.name),
                        detail: or_dash(u.email.as_deref().unwrap_or_default()),
                        id: u.id,
                    })
                    .collect(),
            })
        }
        (VendorClient::Msp360(client), "userId") => {
            // MSP360 documents no paging: one request returns every user.
            let users = msp360::list_users(client).await?;
            Ok(ChoicePage {
                total: Some(users.len() as u64),
                next: None,
                items: users
                    .into_iter()
                    .map(|u| {
                        let name = format!("{} {}", u.first_name.trim(), u.last_name.trim());
                        RecordChoice {
                            label: if name.trim().is_empty() {
                                or_dash(&u.login_name)
                            } else {
                                name.trim().to_string()
                            },
                            detail: if u.company.trim().is_empty() {
                                or_dash(&u.login_name)
                            } else {
                                format!("{} · {}", or_dash(&u.login_name), u.company.trim())
                            },
                            id: u.id,
                        }
                    })
                    .collect(),
            })
        }
        _ => Err(operations::wrong_vendor(operation_id)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_that_is_not_a_position_is_refused_plainly() {
        let error = page_number(Some("abc")).unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidInput);
        assert_eq!(page_number(Some("200")).unwrap(), 200);
        assert_eq!(page_number(None).unwrap(), 0);
    }

    #[test]
    fn paging_stops_at_the_total_or_at_an_empty_page() {
        assert_eq!(next_offset(0, 100, 250).as_deref(), Some("100"));
        assert_eq!(next_offset(200, 50, 250), None);
        assert_eq!(next_offset(100, 0, 250), None, "an empty page ends the walk whatever the total says");
        assert_eq!(next_page_index(1, 100, 250).as_deref(), Some("2"));
        assert_eq!(next_page_index(3, 50, 250), None);
    }

    #[test]
    fn a_missing_parent_id_names_what_to_pick_first() {
        let error = picked(&serde_json::json!({"customerId": " "}), "customerId", "customer").unwrap_err();
        assert_eq!(error.field_errors[0].field, "customerId");
        assert_eq!(error.field_errors[0].message, "Pick the customer first.");
    }
}
