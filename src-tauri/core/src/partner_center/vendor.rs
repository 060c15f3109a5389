//! Microsoft Partner Center as a vendor: its connection settings, the sign-in it keeps, its
//! connection test and pickers.

use super::{Cloud, PartnerCenterClient, PartnerCenterSettings, ORGANIZATIONS, VENDOR};
use crate::connection_test::{self, ConnectionTestReport};
use crate::error::Result;
use crate::operations::{BoxFuture, VendorClient};
use crate::pickers::{self, ChoicePage, RecordChoice};
use crate::profiles::Vendor;
use crate::secret::Secret;
use crate::secrets::SecretKind;
use crate::vendors::{self, ConnectionSettings, RotationListener, SettingDef, SettingOption, VendorDef};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::Arc;

/// A saved Partner Center connection's settings (in the profile file as they always were).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileSettings {
    /// Microsoft's cloud (commercial when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloud: Option<Cloud>,
    /// The partner's Entra tenant id or domain (`organizations` when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    #[serde(default)]
    pub client_id: String,
    /// Overrides the cloud's Partner Center host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_url: Option<String>,
    /// Overrides the cloud's Entra ID authority.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_url: Option<String>,
}

impl ProfileSettings {
    pub fn client_settings(&self) -> Result<PartnerCenterSettings> {
        let cloud = self.cloud.unwrap_or(Cloud::Commercial);
        PartnerCenterSettings::new(
            self.api_url.as_deref().unwrap_or(cloud.api_url()),
            self.identity_url.as_deref().unwrap_or(cloud.authority_url()),
            self.tenant.as_deref().unwrap_or(ORGANIZATIONS),
            &self.client_id,
        )
    }
}

impl ConnectionSettings for ProfileSettings {
    fn secret_kind(&self) -> SecretKind {
        SecretKind::RefreshToken
    }

    fn api_url(&self) -> Result<url::Url> {
        Ok(self.client_settings()?.api_url)
    }

    fn sign_in_origin_and_client(&self) -> Result<(String, String)> {
        let settings = self.client_settings()?;
        Ok((settings.authority_url.origin().ascii_serialization(), settings.client_id))
    }

    fn describe(&self, host: &str) -> String {
        format!("Partner Center at {host}, partner tenant {}.", self.tenant.as_deref().unwrap_or(ORGANIZATIONS))
    }

    fn client(&self, secret: Secret, on_rotation: Option<RotationListener>) -> Result<VendorClient> {
        let mut client = PartnerCenterClient::new(self.client_settings()?, secret);
        if let Some(listener) = on_rotation {
            client = client.on_refresh_token_rotated(listener);
        }
        Ok(VendorClient::PartnerCenter(Arc::new(client)))
    }
}

/// In the order of [`Cloud::ALL`]; `value` is its name in files (a test checks both).
const CLOUDS: &[SettingOption] = &[
    cloud("commercial", Cloud::Commercial),
    cloud("us_government", Cloud::UsGovernment),
    cloud("china", Cloud::China),
];

const fn cloud(value: &'static str, cloud: Cloud) -> SettingOption {
    SettingOption { value, label: cloud.label(), detail: cloud.api_url() }
}

const SETTINGS: &[SettingDef] = &[
    SettingDef::choice("cloud", "Microsoft cloud", "The Microsoft cloud your partner tenant is in.", CLOUDS),
    SettingDef::text("tenant", "Partner tenant", "Your partner tenant's ID or domain; leave empty to pick at sign-in."),
    SettingDef::text("clientId", "Application (client) ID", "The Entra app registration Switchboard signs in with.")
        .required("Application (client) ID is required: the Entra app registration Switchboard signs in with."),
    SettingDef::url("apiUrl", "API address", "Leave empty to use the cloud's Partner Center address."),
    SettingDef::url("identityUrl", "Sign-in address", "Leave empty to use the cloud's Microsoft sign-in."),
];

static ABOUT: vendors::About = vendors::About {
    id: Vendor::PartnerCenter,
    label: VENDOR,
    settings: SETTINGS,
    secret_kinds: &[SecretKind::RefreshToken],
};

pub struct Def;

impl VendorDef for Def {
    fn about(&self) -> &'static vendors::About {
        &ABOUT
    }

    fn test<'a>(&'a self, client: &'a VendorClient) -> BoxFuture<'a, ConnectionTestReport> {
        Box::pin(async move {
            let VendorClient::PartnerCenter(client) = client else {
                return ConnectionTestReport::failed("Saved settings", vendors::not_this_vendor(VENDOR).message);
            };
            let signed_in = client.sign_in().await.map(|()| format!("Signed in to {VENDOR}."));
            connection_test::sign_in_then_read(signed_in, "Read", async {
                let page = client.list_customers(1, None).await?;
                let what = if page.items.is_empty() { "no customers" } else { "customers" };
                Ok(format!("Read the customer list: {what} visible."))
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
            let VendorClient::PartnerCenter(client) = client else { return Err(vendors::not_this_vendor(VENDOR)) };
            match key {
                "customerId" => {
                    let page = client.list_customers(pickers::PAGE_SIZE, cursor).await?;
                    Ok(ChoicePage {
                        next: page.continuation_token,
                        total: None,
                        items: page
                            .items
                            .into_iter()
                            .map(|c| RecordChoice {
                                label: pickers::or_dash(&c.company_name),
                                detail: pickers::or_dash(&c.domain),
                                id: c.id,
                            })
                            .collect(),
                    })
                }
                "userId" => {
                    let customer_id = pickers::picked(target, "customerId", "customer")?;
                    let page = client.list_users(customer_id, pickers::PAGE_SIZE, cursor).await?;
                    Ok(ChoicePage {
                        next: page.continuation_token,
                        total: None,
                        items: page
                            .items
                            .into_iter()
                            .map(|u| RecordChoice {
                                label: pickers::or_dash(&u.display_name),
                                detail: if u.state == "inactive" {
                                    format!("{} (deleted)", pickers::or_dash(&u.user_principal_name))
                                } else {
                                    pickers::or_dash(&u.user_principal_name)
                                },
                                id: u.id,
                            })
                            .collect(),
                    })
                }
                _ => Err(pickers::no_list(VENDOR, key)),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cloud_options_are_the_clouds() {
        let values: Vec<Value> = CLOUDS.iter().map(|o| Value::from(o.value)).collect();
        let all: Vec<Value> = Cloud::ALL.iter().map(|c| serde_json::to_value(c).unwrap()).collect();
        assert_eq!(values, all);
    }
}
