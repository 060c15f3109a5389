//! The customer and user lists, for the pickers: `GET /v1/customers?size=` and
//! `GET /v1/customers/{customer-tenant-id}/users?size=`, with Partner Center's seek paging.
//!
//! A page that has more after it carries a continuation token (in `links.next.headers` as
//! `MS-ContinuationToken`, and as `continuationToken`). The next page is the same path with
//! `seekOperation=Next` and that token in the `MS-ContinuationToken` header. We build that request
//! ourselves rather than follow `links.next.uri`, so a reply can never point us at another path.

use super::{new_correlation_id, PartnerCenterClient, RequestIds, VENDOR};
use crate::error::{Error, FieldError, Result};
use crate::http;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One page of a list, and the token for the next page if there is one.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "PartnerCenterPage")]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass to the same list call for the next page; absent on the last page.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub continuation_token: Option<String>,
}

/// A customer as the customer picker shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "PartnerCenterCustomer")]
pub struct CustomerSummary {
    /// The customer's tenant id, used as `customerId` everywhere.
    pub id: String,
    pub company_name: String,
    pub domain: String,
}

/// A user as the user picker shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "PartnerCenterUserSummary")]
pub struct UserSummary {
    pub id: String,
    pub display_name: String,
    pub user_principal_name: String,
    /// `active`, or `inactive` for a deleted user.
    pub state: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Collection<T> {
    items: Vec<T>,
    continuation_token: Option<String>,
    links: Option<Links>,
}

#[derive(Deserialize)]
struct Links {
    next: Option<Link>,
}

#[derive(Deserialize)]
struct Link {
    #[serde(default)]
    headers: Vec<LinkHeader>,
}

#[derive(Deserialize)]
struct LinkHeader {
    key: String,
    value: String,
}

impl<T> Collection<T> {
    /// The token for the next page: from `links.next` (where the docs put it), else the top level.
    fn next_token(&self) -> Option<String> {
        let from_link = self.links.as_ref().and_then(|links| links.next.as_ref()).and_then(|next| {
            next.headers
                .iter()
                .find(|header| header.key.eq_ignore_ascii_case("MS-ContinuationToken"))
                .map(|header| header.value.clone())
        });
        from_link.or_else(|| self.continuation_token.clone()).filter(|token| !token.is_empty())
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CustomerItem {
    id: String,
    company_profile: Option<CompanyProfile>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CompanyProfile {
    company_name: Option<String>,
    domain: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UserItem {
    id: String,
    display_name: Option<String>,
    user_principal_name: Option<String>,
    state: Option<String>,
}

impl PartnerCenterClient {
    /// One page of the partner's customers; pass the previous page's token for the next.
    pub async fn list_customers(&self, size: u32, continuation_token: Option<&str>) -> Result<Page<CustomerSummary>> {
        let page: Collection<CustomerItem> =
            self.list("/v1/customers", "/v1/customers", size, continuation_token).await?;
        let continuation_token = page.next_token();
        let items = page
            .items
            .into_iter()
            .map(|item| {
                let profile = item.company_profile;
                CustomerSummary {
                    id: item.id,
                    company_name: profile.as_ref().and_then(|p| p.company_name.clone()).unwrap_or_default(),
                    domain: profile.and_then(|p| p.domain).unwrap_or_default(),
                }
            })
            .collect();
        Ok(Page { items, continuation_token })
    }

    /// One page of a customer's users; pass the previous page's token for the next.
    pub async fn list_users(
        &self,
        customer_id: &str,
        size: u32,
        continuation_token: Option<&str>,
    ) -> Result<Page<UserSummary>> {
        let customer = http::path_segment("customerId", "Customer ID", customer_id)?;
        let path = format!("/v1/customers/{customer}/users");
        let page: Collection<UserItem> =
            self.list(&path, "/v1/customers/{customer-tenant-id}/users", size, continuation_token).await?;
        let continuation_token = page.next_token();
        let items = page
            .items
            .into_iter()
            .map(|item| UserSummary {
                id: item.id,
                display_name: item.display_name.unwrap_or_default(),
                user_principal_name: item.user_principal_name.unwrap_or_default(),
                state: item.state.unwrap_or_default(),
            })
            .collect();
        Ok(Page { items, continuation_token })
    }

    async fn list<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        template: &str,
        size: u32,
        continuation_token: Option<&str>,
    ) -> Result<Collection<T>> {
        let size = size.max(1);
        let continuation = match continuation_token {
            None => None,
            Some(token) => Some(reqwest::header::HeaderValue::from_str(token).map_err(|_| {
                Error::invalid_fields(vec![FieldError {
                    field: "continuationToken".into(),
                    message: format!("The page token from {VENDOR} can't be sent back as it is. Reload the list."),
                }])
            })?),
        };
        let path_and_query = match continuation {
            None => format!("{path}?size={size}"),
            Some(_) => format!("{path}?size={size}&seekOperation=Next"),
        };
        let mut request = http::ApiRequest::get(&path_and_query, template);
        request.headers.extend(continuation.map(|token| ("MS-ContinuationToken", token)));
        let ids = RequestIds::new(&new_correlation_id());
        let response = self.send(request, &ids).await?;
        self.read_json(response, &ids, http::MAX_LIST_RESPONSE).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_token_comes_from_links_next_or_the_top_level() {
        let linked: Collection<serde_json::Value> = serde_json::from_str(
            r#"{"totalCount":1,"items":[{}],"links":{"self":{"uri":"/customers?size=1","method":"GET","headers":[]},
               "next":{"uri":"/customers?size=1&seekOperation=Next","method":"GET","headers":[{"key":"MS-ContinuationToken","value":"AQAAAA=="}]}},
               "attributes":{"objectType":"Collection"}}"#,
        )
        .unwrap();
        assert_eq!(linked.next_token().as_deref(), Some("AQAAAA=="));
        let top: Collection<serde_json::Value> =
            serde_json::from_str(r#"{"items":[],"continuationToken":"abc"}"#).unwrap();
        assert_eq!(top.next_token().as_deref(), Some("abc"));
        let last: Collection<serde_json::Value> =
            serde_json::from_str(r#"{"items":[],"links":{"self":{"uri":"/x","method":"GET","headers":[]}}}"#).unwrap();
        assert_eq!(last.next_token(), None);
    }
}
