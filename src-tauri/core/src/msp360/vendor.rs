//! MSP360 as a vendor: its connection settings, API login, connection test and user picker.

use super::{list_companies, list_users, Msp360Client, Msp360Settings, DEFAULT_BASE_URL, VENDOR};
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

/// A saved MSP360 connection's settings (in the profile file as they always were).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileSettings {
    /// The API login's user name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    /// Overrides the vendor's API host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_url: Option<String>,
}

impl ProfileSettings {
    pub fn client_settings(&self) -> Result<Msp360Settings> {
        Msp360Settings::new(
            self.api_url.as_deref().unwrap_or(DEFAULT_BASE_URL),
            self.user_name.as_deref().unwrap_or_default(),
        )
    }
}

impl ConnectionSettings for ProfileSettings {
    fn secret_kind(&self) -> SecretKind {
        SecretKind::Password
    }

    fn api_url(&self) -> Result<url::Url> {
        Ok(self.client_settings()?.base_url)
    }

    /// The login goes to the API host too; the password is bound to the login.
    fn sign_in_origin_and_client(&self) -> Result<(String, String)> {
        Ok((String::new(), self.client_settings()?.user_name))
    }

    fn describe(&self, host: &str) -> String {
        format!("MSP360 Managed Backup at {host}, login {}.", self.user_name.as_deref().unwrap_or("?"))
    }

    fn client(&self, secret: Secret, _: Option<RotationListener>) -> Result<VendorClient> {
        Ok(VendorClient::Msp360(Arc::new(Msp360Client::new(self.client_settings()?, secret))))
    }
}

const SETTINGS: &[SettingDef] = &[
    SettingDef::text("userName", "API login", "The user name from Settings > General > API credentials in MSP360.")
        .required("API login is required: the user name from Settings > General > API credentials."),
    SettingDef::url("apiUrl", "API address", "Leave empty for https://api.mspbackups.com."),
];

static ABOUT: vendors::About =
    vendors::About { id: Vendor::Msp360, label: VENDOR, settings: SETTINGS, secret_kinds: &[SecretKind::Password] };

pub struct Def;

impl VendorDef for Def {
    fn about(&self) -> &'static vendors::About {
        &ABOUT
    }

    fn test<'a>(&'a self, client: &'a VendorClient) -> BoxFuture<'a, ConnectionTestReport> {
        Box::pin(async move {
            let VendorClient::Msp360(client) = client else {
                return ConnectionTestReport::failed("Saved settings", vendors::not_this_vendor(VENDOR).message);
            };
            let signed_in = client.sign_in().await.map(|()| format!("Signed in to {VENDOR}."));
            connection_test::sign_in_then_read(signed_in, "Read", async {
                let companies = list_companies(client).await?;
                let n = companies.len() as u64;
                Ok(format!("Read the company list: {}.", connection_test::count(n, "company", "companies")))
            })
            .await
        })
    }

    fn list_choices<'a>(
        &'a self,
        client: &'a VendorClient,
        key: &'a str,
        _: &'a Value,
        _: Option<&'a str>,
    ) -> BoxFuture<'a, Result<ChoicePage>> {
        Box::pin(async move {
            let VendorClient::Msp360(client) = client else { return Err(vendors::not_this_vendor(VENDOR)) };
            if key != "userId" {
                return Err(pickers::no_list(VENDOR, key));
            }
            // MSP360 documents no paging: one request returns every user.
            let users = list_users(client).await?;
            Ok(ChoicePage {
                total: Some(users.len() as u64),
                next: None,
                items: users
                    .into_iter()
                    .map(|u| {
                        let name = format!("{} {}", u.first_name.trim(), u.last_name.trim());
                        RecordChoice {
                            label: if name.trim().is_empty() {
                                pickers::or_dash(&u.login_name)
                            } else {
                                name.trim().to_string()
                            },
                            detail: if u.company.trim().is_empty() {
                                pickers::or_dash(&u.login_name)
                            } else {
                                format!("{} · {}", pickers::or_dash(&u.login_name), u.company.trim())
                            },
                            id: u.id,
                        }
                    })
                    .collect(),
            })
        })
    }
}
