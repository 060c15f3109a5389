//! AvePoint as a vendor: its connection settings, sign-in secrets, connection test and pickers.

use super::certificate::ClientCertificate;
use super::lists::{self, Page};
use super::{AvePointClient, AvePointSettings, Credential, Environment, SCOPE_CUSTOMERS_READ, VENDOR};
use crate::connection_test::{self, ConnectionTestReport};
use crate::error::{Error, ErrorCode, Result};
use crate::operations::{BoxFuture, VendorClient};
use crate::pickers::{self, ChoicePage, RecordChoice};
use crate::profiles::{SignInMethod, Vendor};
use crate::secret::Secret;
use crate::secrets::SecretKind;
use crate::vendors::{self, ConnectionSettings, RotationListener, SettingDef, SettingOption, VendorDef};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::Arc;

/// A saved AvePoint connection's settings (in the profile file as they always were).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileSettings {
    #[serde(default = "commercial")]
    pub environment: Environment,
    /// Overrides the environment's API host (https, or loopback http for the sandbox).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_url: Option<String>,
    /// Overrides the environment's sign-in host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_url: Option<String>,
    #[serde(default)]
    pub client_id: String,
    #[serde(default)]
    pub sign_in: SignInMethod,
    /// SHA-1 thumbprint of the certificate in the keychain, to compare with Elements.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_thumbprint: Option<String>,
}

fn commercial() -> Environment {
    Environment::Commercial
}

impl ProfileSettings {
    /// The hosts and ids a client needs: the environment's hosts unless overridden.
    pub fn client_settings(&self) -> Result<AvePointSettings> {
        AvePointSettings::new(
            self.api_url.as_deref().unwrap_or(self.environment.api_url()),
            self.identity_url.as_deref().unwrap_or(self.environment.identity_url()),
            &self.client_id,
        )
    }
}

impl ConnectionSettings for ProfileSettings {
    fn secret_kind(&self) -> SecretKind {
        self.sign_in.secret_kind()
    }

    fn api_url(&self) -> Result<url::Url> {
        Ok(self.client_settings()?.api_url)
    }

    fn sign_in_origin_and_client(&self) -> Result<(String, String)> {
        let settings = self.client_settings()?;
        Ok((settings.identity_url.origin().ascii_serialization(), settings.client_id))
    }

    fn describe(&self, host: &str) -> String {
        match (&self.sign_in, &self.certificate_thumbprint) {
            (SignInMethod::Certificate, Some(thumbprint)) => {
                format!("AvePoint Elements at {host}, app {}, certificate {thumbprint}.", self.client_id)
            }
            _ => format!("AvePoint Elements at {host}, app {}.", self.client_id),
        }
    }

    fn client(&self, secret: Secret, _: Option<RotationListener>) -> Result<VendorClient> {
        let credential = match self.sign_in {
            SignInMethod::ClientSecret => Credential::ClientSecret(secret),
            SignInMethod::Certificate => {
                Credential::Certificate(Arc::new(ClientCertificate::from_pem(secret.expose())?))
            }
        };
        Ok(VendorClient::AvePoint(Arc::new(AvePointClient::with_credential(self.client_settings()?, credential))))
    }
}

/// In the order of [`Environment::ALL`]; `value` is its name in files (a test checks both).
const ENVIRONMENTS: &[SettingOption] = &[
    environment("commercial", Environment::Commercial),
    environment("us_government", Environment::UsGovernment),
    environment("aos2", Environment::Aos2),
    environment("fed_ramp", Environment::FedRamp),
];

const fn environment(value: &'static str, environment: Environment) -> SettingOption {
    SettingOption { value, label: environment.label(), detail: environment.api_url() }
}

const SIGN_IN_METHODS: &[SettingOption] = &[
    SettingOption { value: "client_secret", label: "Client secret", detail: "" },
    SettingOption {
        value: "certificate",
        label: "Certificate (recommended by AvePoint)",
        detail: "A PFX or PEM file; its private key is kept in the system keychain.",
    },
];

const SETTINGS: &[SettingDef] = &[
    SettingDef::choice("environment", "Environment", "The AvePoint cloud your Elements tenant is in.", ENVIRONMENTS),
    SettingDef::text("clientId", "Client ID", "From Elements > Settings > API app registration.")
        .required("Client ID is required: copy it from Elements > Settings > API app registration."),
    SettingDef::choice("signIn", "Sign in with", "How the app registration proves who it is.", SIGN_IN_METHODS),
    SettingDef::url("apiUrl", "API address", "Leave empty to use the environment's address."),
    SettingDef::url("identityUrl", "Sign-in address", "Leave empty to use the environment's sign-in service."),
];

static ABOUT: vendors::About = vendors::About {
    id: Vendor::Avepoint,
    label: VENDOR,
    settings: SETTINGS,
    secret_kinds: &[SecretKind::ClientSecret, SecretKind::CertificateKey],
};

pub struct Def;

impl VendorDef for Def {
    fn about(&self) -> &'static vendors::About {
        &ABOUT
    }

    fn test<'a>(&'a self, client: &'a VendorClient) -> BoxFuture<'a, ConnectionTestReport> {
        Box::pin(async move {
            let VendorClient::AvePoint(client) = client else {
                return ConnectionTestReport::failed("Saved settings", vendors::not_this_vendor(VENDOR).message);
            };
            let settings = client.settings();
            let host = settings.identity_url.host_str().unwrap_or_default();
            let signed_in = client
                .sign_in(SCOPE_CUSTOMERS_READ)
                .await
                .map(|()| format!("Signed in to {VENDOR} ({host}) as app {}.", settings.client_id));
            connection_test::sign_in_then_read(signed_in, "Read customers", async {
                let page = lists::list_customers(client, 1, 1).await?;
                Ok(format!(
                    "Read the customer list: {} visible to this app registration.",
                    connection_test::count(page.metadata.total_count, "customer", "customers")
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
            let VendorClient::AvePoint(client) = client else { return Err(vendors::not_this_vendor(VENDOR)) };
            match key {
                "customerId" => {
                    let index = pickers::page_number(cursor)?.max(1);
                    let page = lists::list_customers(client, index, pickers::PAGE_SIZE).await?;
                    Ok(page_of(index, page, |c| RecordChoice {
                        label: pickers::or_dash(&c.organization),
                        detail: connection_test::count(c.tenants.len() as u64, "tenant", "tenants"),
                        id: c.id,
                    }))
                }
                "tenantId" => tenants(client, pickers::picked(target, "customerId", "customer")?).await,
                "userId" => {
                    let customer_id = pickers::picked(target, "customerId", "customer")?;
                    let tenant_id = pickers::picked(target, "tenantId", "tenant")?;
                    let index = pickers::page_number(cursor)?.max(1);
                    let page = lists::list_users(client, customer_id, tenant_id, index, pickers::PAGE_SIZE).await?;
                    Ok(page_of(index, page, |u| RecordChoice {
                        label: pickers::or_dash(u.display_name.as_deref().unwrap_or_default()),
                        detail: pickers::or_dash(u.mail.as_deref().unwrap_or_default()),
                        id: u.id,
                    }))
                }
                _ => Err(pickers::no_list(VENDOR, key)),
            }
        })
    }
}

/// AvePoint lists tenants inside each customer: pages through until the customer is found.
async fn tenants(client: &AvePointClient, customer_id: &str) -> Result<ChoicePage> {
    let mut index = 1;
    loop {
        let page = lists::list_customers(client, index, pickers::PAGE_SIZE).await?;
        if let Some(customer) = page.data.iter().find(|c| c.id == customer_id) {
            let items: Vec<RecordChoice> = customer
                .tenants
                .iter()
                .map(|t| RecordChoice { id: t.id.clone(), label: pickers::or_dash(&t.name), detail: t.id.clone() })
                .collect();
            return Ok(ChoicePage { total: Some(items.len() as u64), items, next: None });
        }
        let seen = u64::from(index) * u64::from(pickers::PAGE_SIZE);
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

/// A page of AvePoint's 1-based pages as choices.
fn page_of<T>(index: u32, page: Page<T>, choice: impl Fn(T) -> RecordChoice) -> ChoicePage {
    ChoicePage {
        next: pickers::next_page_index(index, page.data.len(), page.metadata.total_count),
        total: Some(page.metadata.total_count),
        items: page.data.into_iter().map(choice).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_environment_options_are_the_environments() {
        let values: Vec<Value> = ENVIRONMENTS.iter().map(|o| Value::from(o.value)).collect();
        let all: Vec<Value> = Environment::ALL.iter().map(|e| serde_json::to_value(e).unwrap()).collect();
        assert_eq!(values, all);
        let methods: Vec<Value> = SIGN_IN_METHODS.iter().map(|o| Value::from(o.value)).collect();
        let all = [SignInMethod::ClientSecret, SignInMethod::Certificate].map(|m| serde_json::to_value(m).unwrap());
        assert_eq!(methods, all);
    }
}
