//! Saved connection profiles: the non-secret half of a connection, kept in one versioned JSON
//! file in the app's data folder. Writes take a lock, re-read the file and replace it atomically,
//! so the app and the CLI (or two windows) saving at once never lose a profile.

use crate::avepoint::{AvePointSettings, Environment};
use crate::error::{Error, ErrorCode, FieldError, Result};
use crate::http;
use crate::vendors::ConnectionSettings;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use ts_rs::TS;

/// The file format written by this version. Older files are migrated on read.
pub const FORMAT_VERSION: u32 = 1;
const FILE_NAME: &str = "profiles.json";
const EXPORT_FORMAT: &str = "switchboard-profiles";
const MAX_NAME: usize = 80;
/// Profile ids name keychain entries (`{id}/{kind}`): plain tokens only, like the UUIDs given out.
const MAX_ID: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum Vendor {
    Avepoint,
    PartnerCenter,
    Softwareone,
    Msp360,
}

impl Vendor {
    /// The stable name used in files (`partner-center`).
    pub fn key(self) -> &'static str {
        match self {
            Vendor::Avepoint => "avepoint",
            Vendor::PartnerCenter => "partner-center",
            Vendor::Softwareone => "softwareone",
            Vendor::Msp360 => "msp360",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Vendor::Avepoint => crate::avepoint::VENDOR,
            Vendor::PartnerCenter => crate::partner_center::VENDOR,
            Vendor::Softwareone => crate::softwareone::VENDOR,
            Vendor::Msp360 => crate::msp360::VENDOR,
        }
    }
}

/// How an AvePoint app registration signs in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SignInMethod {
    #[default]
    ClientSecret,
    /// A certificate whose private key signs a JWT assertion (AvePoint recommends this).
    Certificate,
}

impl SignInMethod {
    /// The keychain entry this method needs.
    pub fn secret_kind(self) -> crate::secrets::SecretKind {
        match self {
            SignInMethod::ClientSecret => crate::secrets::SecretKind::ClientSecret,
            SignInMethod::Certificate => crate::secrets::SecretKind::CertificateKey,
        }
    }
}

/// A saved connection. Holds no secret. The vendor's settings are a type per vendor, tagged by
/// `vendor` and flattened, so the file keeps the flat shape it always had: a file from an older
/// version loads (fields another vendor's form left behind are ignored), and every field this
/// version leaves out has a default in the older versions, so they read its files too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub id: String,
    pub name: String,
    #[serde(flatten)]
    pub settings: VendorSettings,
}

/// A connection's settings for its vendor. Fields added later carry `#[serde(default)]` so files
/// written by older versions keep loading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "vendor", rename_all = "kebab-case")]
pub enum VendorSettings {
    Avepoint(crate::avepoint::vendor::ProfileSettings),
    PartnerCenter(crate::partner_center::vendor::ProfileSettings),
    Softwareone(crate::softwareone::vendor::ProfileSettings),
    Msp360(crate::msp360::vendor::ProfileSettings),
}

impl VendorSettings {
    pub fn vendor(&self) -> Vendor {
        match self {
            VendorSettings::Avepoint(_) => Vendor::Avepoint,
            VendorSettings::PartnerCenter(_) => Vendor::PartnerCenter,
            VendorSettings::Softwareone(_) => Vendor::Softwareone,
            VendorSettings::Msp360(_) => Vendor::Msp360,
        }
    }

    /// What every vendor's settings can do, whichever vendor this is.
    pub fn connection(&self) -> &dyn ConnectionSettings {
        match self {
            VendorSettings::Avepoint(settings) => settings,
            VendorSettings::PartnerCenter(settings) => settings,
            VendorSettings::Softwareone(settings) => settings,
            VendorSettings::Msp360(settings) => settings,
        }
    }

    /// The settings in the form's flat draft: the vendor's own fields, the rest left as given.
    fn from_draft(draft: &ProfileDraft) -> VendorSettings {
        use crate::{avepoint, msp360, partner_center, softwareone};
        match draft.vendor {
            Vendor::Avepoint => VendorSettings::Avepoint(avepoint::vendor::ProfileSettings {
                environment: draft.environment,
                api_url: draft.api_url.clone(),
                identity_url: draft.identity_url.clone(),
                client_id: draft.client_id.clone(),
                sign_in: draft.sign_in,
                certificate_thumbprint: None,
            }),
            Vendor::PartnerCenter => VendorSettings::PartnerCenter(partner_center::vendor::ProfileSettings {
                cloud: draft.cloud,
                tenant: draft.tenant.clone(),
                client_id: draft.client_id.clone(),
                api_url: draft.api_url.clone(),
                identity_url: draft.identity_url.clone(),
            }),
            Vendor::Softwareone => {
                VendorSettings::Softwareone(softwareone::vendor::ProfileSettings { api_url: draft.api_url.clone() })
            }
            Vendor::Msp360 => VendorSettings::Msp360(msp360::vendor::ProfileSettings {
                user_name: draft.user_name.clone(),
                api_url: draft.api_url.clone(),
            }),
        }
    }
}

/// A saved connection as the Connections page reads it: every vendor's fields in one flat
/// object (the ones another vendor has take their defaults), as profiles always were.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "Profile")]
pub struct ProfileView {
    pub id: String,
    pub name: String,
    pub vendor: Vendor,
    pub environment: Environment,
    /// Overrides the environment's API host (https, or loopback http for the sandbox).
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_url: Option<String>,
    /// Overrides the environment's sign-in host.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity_url: Option<String>,
    pub client_id: String,
    pub sign_in: SignInMethod,
    /// SHA-1 thumbprint of the certificate in the keychain, to compare with Elements.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate_thumbprint: Option<String>,
    /// Partner Center: Microsoft's cloud (commercial when absent).
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cloud: Option<crate::partner_center::Cloud>,
    /// Partner Center: the partner's Entra tenant id or domain (`organizations` when absent).
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// MSP360: the API login's user name.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
}

/// What the user typed in the profile form (no id, no secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProfileDraft {
    pub name: String,
    pub vendor: Vendor,
    pub environment: Environment,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_url: Option<String>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_url: Option<String>,
    #[serde(default)]
    pub client_id: String,
    #[serde(default)]
    pub sign_in: SignInMethod,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloud: Option<crate::partner_center::Cloud>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
}

impl Profile {
    pub fn vendor(&self) -> Vendor {
        self.settings.vendor()
    }

    /// The settings as the profile form holds them.
    pub fn draft(&self) -> ProfileDraft {
        let mut draft = ProfileDraft {
            name: self.name.clone(),
            vendor: self.vendor(),
            environment: Environment::Commercial,
            api_url: None,
            identity_url: None,
            client_id: String::new(),
            sign_in: SignInMethod::ClientSecret,
            cloud: None,
            tenant: None,
            user_name: None,
        };
        match &self.settings {
            VendorSettings::Avepoint(settings) => {
                draft.environment = settings.environment;
                draft.api_url = settings.api_url.clone();
                draft.identity_url = settings.identity_url.clone();
                draft.client_id = settings.client_id.clone();
                draft.sign_in = settings.sign_in;
            }
            VendorSettings::PartnerCenter(settings) => {
                draft.cloud = settings.cloud;
                draft.tenant = settings.tenant.clone();
                draft.client_id = settings.client_id.clone();
                draft.api_url = settings.api_url.clone();
                draft.identity_url = settings.identity_url.clone();
            }
            VendorSettings::Softwareone(settings) => draft.api_url = settings.api_url.clone(),
            VendorSettings::Msp360(settings) => {
                draft.user_name = settings.user_name.clone();
                draft.api_url = settings.api_url.clone();
            }
        }
        draft
    }

    /// The flat shape the Connections page reads.
    pub fn view(&self) -> ProfileView {
        let draft = self.draft();
        ProfileView {
            id: self.id.clone(),
            name: draft.name,
            vendor: draft.vendor,
            environment: draft.environment,
            api_url: draft.api_url,
            identity_url: draft.identity_url,
            client_id: draft.client_id,
            sign_in: draft.sign_in,
            certificate_thumbprint: self.certificate_thumbprint().map(str::to_string),
            cloud: draft.cloud,
            tenant: draft.tenant,
            user_name: draft.user_name,
        }
    }

    /// The AvePoint certificate's thumbprint, if it signs in with one.
    pub fn certificate_thumbprint(&self) -> Option<&str> {
        match &self.settings {
            VendorSettings::Avepoint(settings) => settings.certificate_thumbprint.as_deref(),
            _ => None,
        }
    }

    /// The keychain entry this profile's sign-in needs.
    pub fn secret_kind(&self) -> crate::secrets::SecretKind {
        self.settings.connection().secret_kind()
    }

    /// A client for this profile signed in with `secret` (of [`Profile::secret_kind`]).
    pub fn client(
        &self,
        secret: crate::secret::Secret,
        on_rotation: Option<crate::vendors::RotationListener>,
    ) -> Result<crate::operations::VendorClient> {
        self.settings.connection().client(secret, on_rotation)
    }

    /// One sentence on where this connection goes.
    pub fn describe(&self) -> String {
        self.settings.connection().describe(&self.api_host())
    }

    pub fn avepoint_settings(&self) -> Result<AvePointSettings> {
        match &self.settings {
            VendorSettings::Avepoint(settings) => settings.client_settings(),
            _ => Err(not_for(Vendor::Avepoint)),
        }
    }

    pub fn partner_center_settings(&self) -> Result<crate::partner_center::PartnerCenterSettings> {
        match &self.settings {
            VendorSettings::PartnerCenter(settings) => settings.client_settings(),
            _ => Err(not_for(Vendor::PartnerCenter)),
        }
    }

    pub fn softwareone_settings(&self) -> Result<crate::softwareone::SoftwareOneSettings> {
        match &self.settings {
            VendorSettings::Softwareone(settings) => settings.client_settings(),
            _ => Err(not_for(Vendor::Softwareone)),
        }
    }

    pub fn msp360_settings(&self) -> Result<crate::msp360::Msp360Settings> {
        match &self.settings {
            VendorSettings::Msp360(settings) => settings.client_settings(),
            _ => Err(not_for(Vendor::Msp360)),
        }
    }

    /// Where this profile's secret may be sent ([`crate::secrets::SecretBinding`]): the hosts its
    /// settings resolve to (the environment's unless overridden) and its client id or login.
    /// The name, tenant, environment label and path prefixes don't take a secret elsewhere.
    pub fn secret_binding(&self) -> Result<crate::secrets::SecretBinding> {
        let settings = self.settings.connection();
        let api = settings.api_url()?.origin().ascii_serialization();
        let (sign_in, client) = settings.sign_in_origin_and_client()?;
        Ok(crate::secrets::SecretBinding { vendor: self.vendor().key(), api, sign_in, client })
    }

    /// The API host this profile talks to, for descriptions.
    pub fn api_host(&self) -> String {
        let url = self.settings.connection().api_url();
        url.ok().and_then(|u| u.host_str().map(str::to_string)).unwrap_or_default()
    }
}

fn not_for(vendor: Vendor) -> Error {
    Error::new(ErrorCode::InvalidConnection, format!("This connection does not go to {}.", vendor.label()))
}

impl ProfileDraft {
    /// Trims the draft and checks every field; errors name the field and what is allowed.
    pub fn checked(&self, others: &[Profile]) -> Result<ProfileDraft> {
        let blank_to_none =
            |value: &Option<String>| value.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_string);
        let draft = ProfileDraft {
            name: self.name.trim().to_string(),
            vendor: self.vendor,
            environment: self.environment,
            api_url: blank_to_none(&self.api_url),
            identity_url: blank_to_none(&self.identity_url),
            client_id: self.client_id.trim().to_string(),
            sign_in: self.sign_in,
            cloud: self.cloud,
            tenant: blank_to_none(&self.tenant),
            user_name: blank_to_none(&self.user_name),
        };
        let mut errors = Vec::new();
        let mut fail = |field: &str, message: String| errors.push(FieldError { field: field.into(), message });
        if draft.name.is_empty() {
            fail("name", "Name is required.".into());
        } else if draft.name.chars().count() > MAX_NAME {
            fail("name", format!("Name can be at most {MAX_NAME} characters long."));
        } else if others.iter().any(|p| p.name.eq_ignore_ascii_case(&draft.name)) {
            fail("name", format!("Another connection is already called \"{}\". Pick a different name.", draft.name));
        }
        for setting in crate::vendors::find(draft.vendor).settings() {
            if let Some(message) = setting.required {
                if draft.text(setting.key).is_none_or(str::is_empty) {
                    fail(setting.key, message.into());
                }
            }
        }
        for (field, label, value) in
            [("apiUrl", "API address", &draft.api_url), ("identityUrl", "Sign-in address", &draft.identity_url)]
        {
            if let Some(url) = value {
                if let Err(error) = http::check_base_url(field, label, url) {
                    fail(field, error.message);
                }
            }
        }
        if errors.is_empty() {
            Ok(draft)
        } else {
            Err(Error::invalid_fields(errors))
        }
    }

    /// The saved profile for this draft, with only its vendor's settings; a certificate
    /// thumbprint comes with the certificate ([`Profile::settings`]), never from the form.
    pub fn into_profile(self, id: String) -> Profile {
        Profile { id, name: self.name.clone(), settings: VendorSettings::from_draft(&self) }
    }

    /// A text setting by its key, as the vendors' setting definitions name them.
    fn text(&self, key: &str) -> Option<&str> {
        match key {
            "apiUrl" => self.api_url.as_deref(),
            "identityUrl" => self.identity_url.as_deref(),
            "clientId" => Some(&self.client_id),
            "tenant" => self.tenant.as_deref(),
            "userName" => self.user_name.as_deref(),
            _ => None,
        }
    }
}

/// Why a profile id from a file is refused, if it is: `practice` and `practice-…` are the built-in
/// connections', and anything but 1 to 64 letters, digits, `-` and `_` could name another keychain entry.
pub fn check_id(id: &str) -> std::result::Result<(), String> {
    if crate::connection::is_practice_id(id) {
        return Err(format!("its id \"{id}\" is reserved for the built-in Practice connection."));
    }
    if id.is_empty() || id.len() > MAX_ID || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(format!(
            "its id is not valid: an id has 1 to {MAX_ID} letters, digits, - and _ (like the ids Switchboard gives out)."
        ));
    }
    Ok(())
}

/// The stored file.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Document {
    version: u32,
    /// Set once the secrets of the profiles in this file were bound to their settings (see
    /// [`ProfileStore::bind_unbound_secrets_once`]); a file without it predates binding.
    #[serde(default, rename = "secretsBound")]
    secrets_bound: bool,
    profiles: Vec<Profile>,
}

/// The export file, which the CLI's `--profile-file` also reads.
#[derive(Debug, Serialize, Deserialize)]
pub struct ExportFile {
    pub format: String,
    pub version: u32,
    pub profiles: Vec<Profile>,
}

/// Something the user should know about the profile file at start-up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StorageNotice {
    pub message: String,
    /// Where the unreadable file was moved.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moved_to: Option<String>,
}

pub struct ProfileStore {
    dir: PathBuf,
}

impl ProfileStore {
    /// Opens the store in `dir`. A file that can't be read is moved aside with a timestamp (never
    /// overwritten) and the store starts empty; the notice says where the file went. A file
    /// written by a newer version is left where it is: this version says it needs updating and
    /// saves nothing (every write re-reads the file and is refused), so the newer version still
    /// finds its profiles.
    pub fn open(dir: &Path) -> (ProfileStore, Option<StorageNotice>) {
        let store = ProfileStore { dir: dir.to_path_buf() };
        let notice = match store.read() {
            Ok(_) => None,
            Err(error) if store.newer_format().is_some() => {
                Some(StorageNotice { message: error.message, moved_to: None })
            }
            Err(error) if error.code == ErrorCode::ProfileStorage && store.path().exists() => {
                Some(store.move_aside(&error))
            }
            Err(error) => Some(StorageNotice { message: error.message, moved_to: None }),
        };
        (store, notice)
    }

    /// The format version of a file written by a newer Switchboard, if the file is one.
    fn newer_format(&self) -> Option<u64> {
        let text = std::fs::read_to_string(self.path()).ok()?;
        let version = serde_json::from_str::<serde_json::Value>(&text).ok()?.get("version")?.as_u64()?;
        (version > u64::from(FORMAT_VERSION)).then_some(version)
    }

    pub fn path(&self) -> PathBuf {
        self.dir.join(FILE_NAME)
    }

    pub fn list(&self) -> Result<Vec<Profile>> {
        Ok(self.read()?.profiles)
    }

    pub fn get(&self, id: &str) -> Result<Profile> {
        self.list()?.into_iter().find(|p| p.id == id).ok_or_else(|| no_such_profile(id))
    }

    /// Runs `change` on the current profiles under an exclusive lock and saves the result atomically.
    pub fn update<T>(&self, change: impl FnOnce(&mut Vec<Profile>) -> Result<T>) -> Result<T> {
        self.update_document(|document| change(&mut document.profiles))
    }

    /// Once per file: the profiles in a file written before secrets were bound get `bind` called
    /// with them (under the lock) to bind their secrets to their settings as they are now, then
    /// the file is marked. Profiles added later (an import) are never bound this way, so a secret
    /// left unbound under their id is never adopted for an address it wasn't saved for.
    pub fn bind_unbound_secrets_once(&self, bind: impl FnOnce(&[Profile])) -> Result<()> {
        if self.read()?.secrets_bound {
            return Ok(());
        }
        self.update_document(|document| {
            if !document.secrets_bound {
                bind(&document.profiles);
                document.secrets_bound = true;
            }
            Ok(())
        })
    }

    fn update_document<T>(&self, change: impl FnOnce(&mut Document) -> Result<T>) -> Result<T> {
        std::fs::create_dir_all(&self.dir).map_err(|e| storage_error("create the data folder", &self.dir, e))?;
        let lock_path = self.dir.join("profiles.lock");
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| storage_error("open the lock file", &lock_path, e))?;
        crate::files::restrict_to_user(&lock_path).map_err(|e| storage_error("protect", &lock_path, e))?;
        lock.lock().map_err(|e| storage_error("lock", &lock_path, e))?;
        let mut document = self.read()?;
        let result = change(&mut document)?;
        document.version = FORMAT_VERSION;
        write_atomically(&self.path(), &document)?;
        // The lock is released when `lock` is dropped.
        drop(lock);
        Ok(result)
    }

    fn read(&self) -> Result<Document> {
        let path = self.path();
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            // A new file holds only profiles saved with bound secrets.
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Document { secrets_bound: true, ..Document::default() })
            }
            Err(error) => return Err(storage_error("read", &path, error)),
        };
        migrate(&text).map_err(|reason| {
            Error::new(
                ErrorCode::ProfileStorage,
                format!("The saved connections in {} can't be read: {reason}", path.display()),
            )
        })
    }

    fn move_aside(&self, error: &Error) -> StorageNotice {
        let stamp = time::OffsetDateTime::now_utc()
            .format(&time::macros::format_description!("[year][month][day]-[hour][minute][second]"))
            .unwrap_or_else(|_| "unknown-time".into());
        let aside = self.dir.join(format!("profiles.unreadable-{stamp}.json"));
        match std::fs::rename(self.path(), &aside) {
            Ok(()) => StorageNotice {
                message: format!(
                    "{} Switchboard moved it to {} and started with the Practice connection. Your secrets are still in the system keychain.",
                    error.message,
                    aside.display()
                ),
                moved_to: Some(aside.display().to_string()),
            },
            Err(rename_error) => StorageNotice {
                message: format!("{} It could not be moved aside either ({rename_error}); saving connections is off until it is fixed.", error.message),
                moved_to: None,
            },
        }
    }
}

/// Reads any version this app knows; later fields default, older layouts are converted here.
fn migrate(text: &str) -> std::result::Result<Document, String> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| format!("it is not valid JSON ({e})."))?;
    let version = match value.get("version") {
        None => 1, // the first format had no version field
        Some(v) => v.as_u64().ok_or("its version is not a number.")?,
    };
    if version > u64::from(FORMAT_VERSION) {
        return Err(format!(
            "it was written by a newer version of Switchboard (format {version}). Update Switchboard to use your saved connections; the file is left as it is, and connections can't be saved until then."
        ));
    }
    let profiles = value.get("profiles").cloned().unwrap_or_else(|| serde_json::Value::Array(Vec::new()));
    let profiles: Vec<Profile> =
        serde_json::from_value(profiles).map_err(|e| format!("a profile in it is damaged ({e})."))?;
    let secrets_bound = value.get("secretsBound").and_then(serde_json::Value::as_bool).unwrap_or(false);
    Ok(Document { version: FORMAT_VERSION, secrets_bound, profiles })
}

/// Atomically, and readable only by the user ([`crate::files::write_atomically`]).
fn write_atomically<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let mut bytes =
        serde_json::to_vec_pretty(value).map_err(|e| Error::internal(format!("Could not encode profiles: {e}")))?;
    bytes.push(b'\n');
    crate::files::write_atomically(path, &bytes).map_err(|e| storage_error("write", path, e))
}

fn storage_error(action: &str, path: &Path, error: std::io::Error) -> Error {
    Error::new(ErrorCode::ProfileStorage, format!("Switchboard could not {action} {}: {error}.", path.display()))
}

pub fn no_such_profile(id: &str) -> Error {
    Error::new(
        ErrorCode::InvalidConnection,
        format!("There is no saved connection with id \"{id}\". It may have been deleted."),
    )
}

/// Writes profiles to `path` in the export format (no secrets in it), atomically.
pub fn export(profiles: &[Profile], path: &Path) -> Result<()> {
    write_atomically(
        path,
        &ExportFile { format: EXPORT_FORMAT.into(), version: FORMAT_VERSION, profiles: profiles.to_vec() },
    )
}

/// Reads profiles from an export file, a single profile object (what `switchboard-cli profile new`
/// prints) or a JSON array of profiles.
pub fn read_profile_file(path: &Path) -> Result<Vec<Profile>> {
    let invalid = |reason: String| {
        Error::new(ErrorCode::InvalidInput, format!("{} is not a Switchboard profile file: {reason}", path.display()))
    };
    let text = std::fs::read_to_string(path).map_err(|e| invalid(e.to_string()))?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| invalid(format!("it is not valid JSON ({e})")))?;
    let profiles = if value.get("format").is_some() {
        if value["format"] != EXPORT_FORMAT {
            return Err(invalid(format!("its format is {}, expected \"{EXPORT_FORMAT}\"", value["format"])));
        }
        let text = serde_json::to_string(&value).unwrap_or_default();
        migrate(&text).map_err(invalid)?.profiles
    } else if value.is_array() {
        serde_json::from_value(value).map_err(|e| invalid(e.to_string()))?
    } else {
        vec![serde_json::from_value(value).map_err(|e| invalid(e.to_string()))?]
    };
    Ok(profiles)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(name: &str) -> ProfileDraft {
        ProfileDraft {
            name: name.into(),
            vendor: Vendor::Avepoint,
            environment: Environment::Commercial,
            api_url: None,
            identity_url: None,
            client_id: "client".into(),
            sign_in: SignInMethod::ClientSecret,
            cloud: None,
            tenant: None,
            user_name: None,
        }
    }

    /// `profile` with its form edited by `edit`.
    fn edited(profile: &Profile, edit: impl FnOnce(&mut ProfileDraft)) -> Profile {
        let mut draft = profile.draft();
        edit(&mut draft);
        draft.into_profile(profile.id.clone())
    }

    #[test]
    fn an_old_flat_profile_loads_as_its_vendors_settings_and_saves_only_those() {
        // Before per-vendor settings every profile carried every field; a Partner Center one
        // kept the AvePoint form's environment and sign-in method.
        let old = r#"{"version":1,"profiles":[
            {"id":"p","name":"Partner","vendor":"partner-center","environment":"commercial","clientId":"app",
             "signIn":"client_secret","cloud":"us_government","tenant":"contoso.example"},
            {"id":"a","name":"Elements","vendor":"avepoint","environment":"aos2","clientId":"app-2",
             "signIn":"certificate","certificateThumbprint":"AB12","userName":"left over"}]}"#;
        let document = migrate(old).unwrap();
        let partner = &document.profiles[0];
        let VendorSettings::PartnerCenter(settings) = &partner.settings else { panic!("{partner:?}") };
        assert_eq!(settings.cloud, Some(crate::partner_center::Cloud::UsGovernment));
        assert_eq!(settings.tenant.as_deref(), Some("contoso.example"));
        assert_eq!(settings.client_id, "app");
        assert_eq!(
            serde_json::to_value(partner).unwrap(),
            serde_json::json!({"id":"p","name":"Partner","vendor":"partner-center","cloud":"us_government",
                               "tenant":"contoso.example","clientId":"app"})
        );
        let elements = &document.profiles[1];
        assert_eq!(elements.certificate_thumbprint(), Some("AB12"));
        assert_eq!(
            serde_json::to_value(elements).unwrap(),
            serde_json::json!({"id":"a","name":"Elements","vendor":"avepoint","environment":"aos2","clientId":"app-2",
                               "signIn":"certificate","certificateThumbprint":"AB12"})
        );
        // The Connections page still reads every field, flat.
        let view = serde_json::to_value(partner.view()).unwrap();
        assert_eq!(view["environment"], "commercial");
        assert_eq!(view["signIn"], "client_secret");
        assert_eq!(view["cloud"], "us_government");
    }

    #[test]
    fn drafts_are_trimmed_and_checked() {
        let checked =
            ProfileDraft { name: "  Contoso  ".into(), api_url: Some("  ".into()), ..draft("x") }.checked(&[]).unwrap();
        assert_eq!(checked.name, "Contoso");
        assert_eq!(checked.api_url, None);
        let error = ProfileDraft { client_id: " ".into(), api_url: Some("http://example.com".into()), ..draft("") }
            .checked(&[])
            .unwrap_err();
        let fields: Vec<&str> = error.field_errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "clientId", "apiUrl"]);
        assert!(error.field_errors[2].message.contains("must use https://"));
    }

    #[test]
    fn a_loopback_name_is_refused_and_a_loopback_ip_accepted_for_plain_http() {
        let error = ProfileDraft { api_url: Some("http://localhost:8787/avepoint/graph".into()), ..draft("Local") }
            .checked(&[])
            .unwrap_err();
        assert_eq!(error.field_errors.len(), 1);
        assert_eq!(error.field_errors[0].field, "apiUrl");
        assert!(error.field_errors[0].message.starts_with("API address must use https://"));
        let checked = ProfileDraft {
            api_url: Some("http://127.0.0.1:8787/avepoint/graph".into()),
            identity_url: Some("http://[::1]:8787/avepoint/identity".into()),
            ..draft("Local")
        }
        .checked(&[]);
        assert!(checked.is_ok(), "a debug build (the tests) allows http to a loopback IP: {checked:?}");
    }

    #[test]
    fn the_secret_binding_follows_where_the_secret_goes() {
        let profile = draft("Contoso").into_profile("a".into());
        let binding = profile.secret_binding().unwrap();
        assert_eq!(binding.api, "https://graph.avepointonlineservices.com");
        assert_eq!(binding.sign_in, "https://identity.avepointonlineservices.com");
        assert_eq!(binding.client, "client");
        // The name, a path prefix and the id don't take the secret anywhere else.
        let same = Profile {
            id: "b".into(),
            name: "Renamed".into(),
            ..edited(&profile, |d| d.api_url = Some("https://graph.avepointonlineservices.com/prefix".into()))
        };
        assert_eq!(same.secret_binding().unwrap(), binding);
        let elsewhere = [
            edited(&profile, |d| d.api_url = Some("https://graph.example.net".into())),
            edited(&profile, |d| d.identity_url = Some("https://login.example.net".into())),
            edited(&profile, |d| d.environment = Environment::UsGovernment),
            edited(&profile, |d| d.client_id = "other".into()),
            edited(&profile, |d| d.vendor = Vendor::PartnerCenter),
        ];
        for other in elsewhere {
            assert_ne!(other.secret_binding().unwrap(), binding, "{other:?}");
        }
        let msp = edited(&draft("Backup").into_profile("m".into()), |d| {
            d.vendor = Vendor::Msp360;
            d.user_name = Some("login-1".into());
        });
        let other_login = edited(&msp, |d| d.user_name = Some("login-2".into()));
        assert_ne!(msp.secret_binding().unwrap(), other_login.secret_binding().unwrap());
    }

    #[test]
    fn ids_from_files_are_plain_tokens_and_never_practice() {
        for ok in ["0b7c4f3e-5d2a-4c1b-9e8f-123456789abc", "legacy_1", "A"] {
            assert!(check_id(ok).is_ok(), "{ok}");
        }
        let reserved = check_id("Practice").unwrap_err();
        assert!(reserved.contains("reserved for the built-in Practice connection"), "{reserved}");
        for bad in ["", "a/b", "a\\b", "../x", "x y", "é", "a.b", &"a".repeat(65)] {
            assert!(check_id(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn names_are_unique_ignoring_case() {
        let existing = draft("Contoso EU").into_profile("a".into());
        let error = draft("contoso eu").checked(&[existing]).unwrap_err();
        assert_eq!(error.field.as_deref(), Some("name"));
    }

    #[test]
    fn the_environment_decides_the_hosts_unless_overridden() {
        let profile = ProfileDraft { environment: Environment::UsGovernment, ..draft("Gov") }.into_profile("g".into());
        let settings = profile.avepoint_settings().unwrap();
        assert_eq!(settings.identity_url.as_str(), "https://identity-gov.avepointonlineservices.com/");
        let profile = edited(&profile, |d| d.api_url = Some("http://127.0.0.1:9/avepoint/graph".into()));
        assert_eq!(profile.avepoint_settings().unwrap().api_url.as_str(), "http://127.0.0.1:9/avepoint/graph");
    }

    #[test]
    fn migrate_reads_a_file_without_version_or_later_fields() {
        let document = migrate(r#"{"profiles":[{"id":"a","name":"Old","vendor":"avepoint"}]}"#).unwrap();
        assert_eq!(document.profiles[0].draft().environment, Environment::Commercial);
        assert_eq!(document.profiles[0].draft().client_id, "");
    }

    #[test]
    fn migrate_refuses_a_newer_format() {
        let reason = migrate(r#"{"version":99,"profiles":[]}"#).unwrap_err();
        assert!(reason.contains("newer version of Switchboard"), "{reason}");
        // Not read as an old format through a narrowing cast.
        let huge = migrate(r#"{"version":4294967297,"profiles":[]}"#).unwrap_err();
        assert!(huge.contains("newer version of Switchboard"), "{huge}");
    }
}
