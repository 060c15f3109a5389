//! SoftwareOne as a vendor: its connection settings, API token, connection test and pickers.

use super::{SoftwareOneClient, SoftwareOneSettings, DEFAULT_API_URL, VENDOR};
use crate::connection_test::{self, ConnectionTestReport};
use crate::error::Result;
use crate::operations::{BoxFuture, VendorClient};
use crate::pickers::{self, ChoicePage, RecordChoice};
use crate::profiles::Vendor;
use crate::secret::Secret;
use crate::secrets::SecretKind;
use crate::vendors::{self, ConnectionSettings, RotationListener, SettingDef, VendorDef};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::Arc;

/// A saved SoftwareOne connection's settings (in the profile file as they always were).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileSettings {
    /// Overrides the production API host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_url: Option<String>,
}

impl ProfileSettings {
    pub fn client_settings(&self) -> Result<SoftwareOneSettings> {
        SoftwareOneSettings::new(self.api_url.as_deref().unwrap_or(DEFAULT_API_URL))
    }
}

impl ConnectionSettings for ProfileSettings {
    fn secret_kind(&self) -> SecretKind {
        SecretKind::ApiToken
    }

    fn api_url(&self) -> Result<url::Url> {
        Ok(self.client_settings()?.api_url)
    }

    /// The API token goes to the API host only.
    fn sign_in_origin_and_client(&self) -> Result<(String, String)> {
        Ok((String::new(), String::new()))
    }

    fn describe(&self, host: &str) -> String {
        format!("SoftwareOne Marketplace at {host}.")
    }

    fn client(&self, secret: Secret, _: Option<RotationListener>) -> Result<VendorClient> {
        Ok(VendorClient::SoftwareOne(Arc::new(SoftwareOneClient::new(self.client_settings()?, secret))))
    }
}

const SETTINGS: &[SettingDef] =
    &[SettingDef::url("apiUrl", "API address", "Leave empty for https://api.platform.softwareone.com.")];

static ABOUT: vendors::About = vendors::About {
    id: Vendor::Softwareone,
    label: VENDOR,
    settings: SETTINGS,
    secret_kinds: &[SecretKind::ApiToken],
};

pub struct Def;

impl VendorDef for Def {
    fn about(&self) -> &'static vendors::About {
        &ABOUT
    }

    fn test<'a>(&'a self, client: &'a VendorClient) -> BoxFuture<'a, ConnectionTestReport> {
        Box::pin(async move {
            let VendorClient::SoftwareOne(client) = client else {
                return ConnectionTestReport::failed("Saved settings", vendors::not_this_vendor(VENDOR).message);
            };
            // SoftwareOne has no sign-in step: the first read proves the token.
            connection_test::sign_in_then_read(Ok(format!("Signed in to {VENDOR}.")), "Read", async {
                let list = client.list_accounts(None, 1, 0).await?;
                Ok(format!(
                    "Read the account list: {} visible to this API token.",
                    connection_test::count(list.total, "account", "accounts")
                ))
            })
            .await
        })
    }

    fn list_choices<'a>(
        &'a self,
        client: &'a VendorClient,
        key: &'a str,
        target: &'a Value,
        cursor: Option<&'a str>,
    ) -> BoxFuture<'a, Result<ChoicePage>> {
        Box::pin(async move {
            let VendorClient::SoftwareOne(client) = client else { return Err(vendors::not_this_vendor(VENDOR)) };
            let offset = pickers::page_number(cursor)?;
            match key {
                "accountId" => {
                    let page = client.list_accounts(None, pickers::PAGE_SIZE, offset).await?;
                    Ok(ChoicePage {
                        next: pickers::next_offset(offset.into(), page.accounts.len(), page.total),
                        total: Some(page.total),
                        items: page
                            .accounts
                            .into_iter()
                            .map(|a| RecordChoice {
                                label: pickers::or_dash(&a.name),
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
                "userId" => user_page(client, target, None, offset).await,
                _ => Err(pickers::no_list(VENDOR, key)),
            }
        })
    }
}

/// One page of an account's users as the pickers list them, optionally filtered by the vendor
/// (the People search's `ilike` on the address).
pub(crate) async fn user_page(
    client: &SoftwareOneClient,
    target: &Value,
    filter: Option<&super::rql::Rql>,
    offset: u32,
) -> Result<ChoicePage> {
    let account_id = pickers::picked(target, "accountId", "account")?;
    let page = client.list_users(account_id, filter, pickers::PAGE_SIZE, offset).await?;
    Ok(ChoicePage {
        next: pickers::next_offset(offset.into(), page.users.len(), page.total),
        total: Some(page.total),
        items: page
            .users
            .into_iter()
            .map(|u| RecordChoice {
                label: pickers::or_dash(&u.name),
                detail: pickers::or_dash(u.email.as_deref().unwrap_or_default()),
                id: u.id,
            })
            .collect(),
    })
}
