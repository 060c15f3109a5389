//! Every vendor, registered once. Each vendor (a `vendor.rs` in its folder) implements
//! [`VendorDef`]: its label, its connection settings as field definitions, the secret it signs in
//! with, how to test a connection and what its pickers list; its saved settings implement
//! [`ConnectionSettings`]: where its secret goes and how to build a signed-in client. What is
//! generic (the profile form's checks, the connection test's report, the pickers' dispatch, the
//! Connections page's description of a vendor) is written once, over these traits.

use crate::connection_test::ConnectionTestReport;
use crate::error::{Error, ErrorCode, Result};
use crate::operations::{BoxFuture, VendorClient};
use crate::pickers::ChoicePage;
use crate::profiles::Vendor;
use crate::secret::Secret;
use crate::secrets::SecretKind;
use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

/// Called with Partner Center's new refresh token when Entra rotates it.
pub type RotationListener = Box<dyn Fn(&Secret) + Send + Sync>;

/// What a vendor is, as plain data.
#[derive(Debug, Clone, Copy)]
pub struct About {
    pub id: Vendor,
    /// The vendor's name in messages, e.g. "Microsoft Partner Center".
    pub label: &'static str,
    /// The connection form's settings, in form order (the name is every vendor's and not listed).
    pub settings: &'static [SettingDef],
    /// The keychain entries a connection to this vendor may hold.
    pub secret_kinds: &'static [SecretKind],
}

/// What a vendor is and does, as the app, the CLI and the Connections page need it.
pub trait VendorDef: Sync {
    fn about(&self) -> &'static About;
    fn id(&self) -> Vendor {
        self.about().id
    }
    fn label(&self) -> &'static str {
        self.about().label
    }
    fn settings(&self) -> &'static [SettingDef] {
        self.about().settings
    }
    fn secret_kinds(&self) -> &'static [SecretKind] {
        self.about().secret_kinds
    }
    /// Sign in, then one harmless read; every failure is a step saying what to do next.
    fn test<'a>(&'a self, client: &'a VendorClient) -> BoxFuture<'a, ConnectionTestReport>;
    /// One page of what the id `key` can be, given the ids picked before it (`target`).
    fn list_choices<'a>(
        &'a self,
        client: &'a VendorClient,
        key: &'a str,
        target: &'a Value,
        cursor: Option<&'a str>,
    ) -> BoxFuture<'a, Result<ChoicePage>>;
}

/// A saved connection's vendor settings (the tagged half of a [`crate::profiles::Profile`]).
pub trait ConnectionSettings {
    /// The keychain entry this connection signs in with.
    fn secret_kind(&self) -> SecretKind;
    /// The API address these settings resolve to (the default unless overridden).
    fn api_url(&self) -> Result<url::Url>;
    /// The sign-in address and the client id or login a secret is sent with, for
    /// [`crate::secrets::SecretBinding`] (empty where the vendor has none).
    fn sign_in_origin_and_client(&self) -> Result<(String, String)>;
    /// One sentence on where this connection goes, `host` being its API host.
    fn describe(&self, host: &str) -> String;
    /// A client signed in with `secret` (of [`ConnectionSettings::secret_kind`]).
    fn client(&self, secret: Secret, on_rotation: Option<RotationListener>) -> Result<VendorClient>;
}

/// Every vendor, in the order the Connections page offers them. Adding one is a folder with a
/// `vendor.rs`, a line here and a variant of [`Vendor`] and [`crate::profiles::VendorSettings`].
pub static VENDORS: &[&dyn VendorDef] = &[
    &crate::avepoint::vendor::Def,
    &crate::partner_center::vendor::Def,
    &crate::softwareone::vendor::Def,
    &crate::msp360::vendor::Def,
];

/// The definition of `vendor`.
pub fn find(vendor: Vendor) -> &'static dyn VendorDef {
    VENDORS.iter().copied().find(|def| def.id() == vendor).expect("every vendor is registered in VENDORS")
}

/// How a connection setting is entered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SettingKind {
    Text,
    /// A web address, checked against the URL policy (https, or loopback http in development).
    Url,
    /// One of `options`.
    Choice,
}

/// One value a choice setting can take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SettingOption {
    pub value: &'static str,
    pub label: &'static str,
    /// A second line, e.g. the API address a cloud goes to.
    pub detail: &'static str,
}

/// One connection setting, declared once: the form, the profile checks and the CLI read it.
#[derive(Debug, Clone, Copy)]
pub struct SettingDef {
    /// The key in [`crate::profiles::ProfileDraft`] and in the saved file (`clientId`).
    pub key: &'static str,
    pub label: &'static str,
    pub help: &'static str,
    pub kind: SettingKind,
    /// What the form says when it is left empty; `None` when it may be.
    pub required: Option<&'static str>,
    pub placeholder: &'static str,
    pub options: &'static [SettingOption],
}

impl SettingDef {
    pub const fn text(key: &'static str, label: &'static str, help: &'static str) -> Self {
        SettingDef { key, label, help, kind: SettingKind::Text, required: None, placeholder: "", options: &[] }
    }

    pub const fn url(key: &'static str, label: &'static str, help: &'static str) -> Self {
        SettingDef { kind: SettingKind::Url, placeholder: "https://…", ..Self::text(key, label, help) }
    }

    pub const fn choice(
        key: &'static str,
        label: &'static str,
        help: &'static str,
        options: &'static [SettingOption],
    ) -> Self {
        SettingDef { kind: SettingKind::Choice, options, ..Self::text(key, label, help) }
    }

    /// Required, with the message shown when it is left empty.
    pub const fn required(self, message: &'static str) -> Self {
        SettingDef { required: Some(message), ..self }
    }
}

/// A connection setting as the Connections page renders it.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SettingSpec {
    pub key: String,
    pub label: String,
    pub help: String,
    pub kind: SettingKind,
    pub required: bool,
    pub placeholder: String,
    pub options: Vec<SettingOptionSpec>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SettingOptionSpec {
    pub value: String,
    pub label: String,
    pub detail: String,
}

/// A vendor as the Connections page offers it: its settings form and its secrets.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct VendorSpec {
    pub id: Vendor,
    pub label: String,
    pub settings: Vec<SettingSpec>,
    pub secret_kinds: Vec<SecretKindSpec>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SecretKindSpec {
    pub kind: SecretKind,
    pub label: String,
}

impl From<&SettingDef> for SettingSpec {
    fn from(def: &SettingDef) -> Self {
        SettingSpec {
            key: def.key.into(),
            label: def.label.into(),
            help: def.help.into(),
            kind: def.kind,
            required: def.required.is_some(),
            placeholder: def.placeholder.into(),
            options: def
                .options
                .iter()
                .map(|o| SettingOptionSpec { value: o.value.into(), label: o.label.into(), detail: o.detail.into() })
                .collect(),
        }
    }
}

/// Every vendor's connection form, for the Connections page and `switchboard-cli`.
pub fn specs() -> Vec<VendorSpec> {
    VENDORS
        .iter()
        .map(|def| VendorSpec {
            id: def.id(),
            label: def.label().into(),
            settings: def.settings().iter().map(SettingSpec::from).collect(),
            secret_kinds: def
                .secret_kinds()
                .iter()
                .map(|kind| SecretKindSpec { kind: *kind, label: kind.label().into() })
                .collect(),
        })
        .collect()
}

/// The error for an operation or list asked of a client of another vendor.
pub(crate) fn not_this_vendor(vendor: &str) -> Error {
    Error::new(ErrorCode::InvalidConnection, format!("This connection does not go to {vendor}."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_vendor_is_registered_once_with_a_form_and_a_secret() {
        for vendor in [Vendor::Avepoint, Vendor::PartnerCenter, Vendor::Softwareone, Vendor::Msp360] {
            let def = find(vendor);
            assert_eq!(def.id(), vendor);
            assert_eq!(def.label(), vendor.label());
            assert!(!def.settings().is_empty(), "{vendor:?}");
            assert!(!def.secret_kinds().is_empty(), "{vendor:?}");
            assert_eq!(VENDORS.iter().filter(|d| d.id() == vendor).count(), 1);
        }
    }

    #[test]
    fn choice_settings_have_options_and_others_none() {
        for spec in specs() {
            for setting in &spec.settings {
                assert_eq!(setting.kind == SettingKind::Choice, !setting.options.is_empty(), "{}", setting.key);
                let draft_keys =
                    ["environment", "apiUrl", "identityUrl", "clientId", "signIn", "cloud", "tenant", "userName"];
                assert!(draft_keys.contains(&setting.key.as_str()), "{} is a ProfileDraft key", setting.key);
            }
        }
    }
}
