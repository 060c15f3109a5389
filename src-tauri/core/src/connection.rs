//! The connections the user can pick: the built-in Practice connection and the saved profiles,
//! each with one signed-in client (so tokens are cached across calls). Knows nothing of Tauri:
//! the desktop shell and the CLI both drive it.

use crate::avepoint::certificate::ClientCertificate;
use crate::avepoint::{AvePointClient, AvePointSettings};
use crate::connection_test::ConnectionTestReport;
use crate::error::{Error, ErrorCode, Result};
use crate::operations::VendorClient;
use crate::profiles::{
    self, Profile, ProfileDraft, ProfileStore, ProfileView, SignInMethod, StorageNotice, Vendor, VendorSettings,
};
use crate::secret::Secret;
use crate::secrets::{self, ProfileSecret, SecretKind, SecretStore, Unsealed};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::{Arc, Mutex};
use ts_rs::TS;

pub const PRACTICE_ID: &str = "practice";
/// The Practice connections to the other three vendors' sandboxes.
pub const PRACTICE_PARTNER_CENTER_ID: &str = "practice-partner-center";
pub const PRACTICE_SOFTWAREONE_ID: &str = "practice-softwareone";
pub const PRACTICE_MSP360_ID: &str = "practice-msp360";

/// Whether `id` names one of the built-in Practice connections (no profile can take such an id).
pub fn is_practice_id(id: &str) -> bool {
    id.eq_ignore_ascii_case(PRACTICE_ID) || id.to_ascii_lowercase().starts_with("practice-")
}

/// Whether a connection's secret is in the keychain. The UI never sees the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SecretState {
    /// The Practice connection needs no secret of yours.
    BuiltIn,
    Set,
    Missing,
    /// The keychain could not be asked.
    Unknown,
}

/// A connection the user can pick. Holds no secret.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionSummary {
    pub id: String,
    pub name: String,
    pub vendor: String,
    /// Which vendor, for picking its operations.
    pub vendor_id: Vendor,
    /// One sentence on where this connection goes.
    pub description: String,
    pub is_practice: bool,
    pub secret_state: SecretState,
    /// The saved settings (absent for Practice).
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<ProfileView>,
    /// A user that exists behind this connection, to try things with (Practice only): its ids by
    /// the operations' target keys (`customerId`, `userId`, …), as the desk's pickers hold them.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sample_target: Option<BTreeMap<String, String>>,
}

/// Everything the connection picker shows.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionList {
    pub connections: Vec<ConnectionSummary>,
    /// The connection used last, to preselect (Practice when absent).
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selected_id: Option<String>,
    /// A problem with the saved connections file found at start-up.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice: Option<StorageNotice>,
}

/// The result of saving a profile: its settings are saved even if the keychain refused the secret.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SaveOutcome {
    pub connection: ConnectionSummary,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_error: Option<Error>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ImportSummary {
    /// Connections added (including those in `added_as_new`).
    pub added: u32,
    /// Connections already saved exactly as in the file: left as they are.
    pub unchanged: u32,
    /// Names of imported connections that still need their secret entered.
    pub need_secret: Vec<String>,
    /// Connections whose id belongs to a saved connection with other settings: an import never
    /// replaces one, so each was added beside it under a new id (and a free name).
    pub added_as_new: Vec<ImportedAsNew>,
}

/// One imported connection kept apart from the saved connection that had its id.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ImportedAsNew {
    pub name_in_file: String,
    /// The name it was saved under (the file's, or with " (imported)" when that was taken).
    pub name: String,
    pub id: String,
    /// How the file's settings differ from the saved connection's, one line each
    /// ("API address: https://a → https://b"): what replacing it would have changed.
    pub differences: Vec<String>,
}

/// The settings in which `incoming` differs from `saved`, by the vendor's labels.
fn differences(saved: &crate::profiles::ProfileDraft, incoming: &crate::profiles::ProfileDraft) -> Vec<String> {
    use serde_json::Value;
    let (Ok(Value::Object(saved_map)), Ok(Value::Object(incoming_map))) =
        (serde_json::to_value(saved), serde_json::to_value(incoming))
    else {
        return Vec::new();
    };
    let settings = crate::vendors::find(incoming.vendor).settings();
    let shown = |value: Option<&Value>| match value {
        None | Some(Value::Null) => "(none)".to_string(),
        Some(Value::String(text)) if text.is_empty() => "(none)".to_string(),
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
    };
    let mut keys: Vec<&String> = saved_map.keys().chain(incoming_map.keys()).filter(|k| k.as_str() != "name").collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|key| saved_map.get(*key) != incoming_map.get(*key))
        .map(|key| {
            let label = settings.iter().find(|s| s.key == key.as_str()).map(|s| s.label).unwrap_or(key.as_str());
            format!("{label}: {} → {}", shown(saved_map.get(key)), shown(incoming_map.get(key)))
        })
        .collect()
}

/// `name`, or `name (imported)`, `name (imported 2)`, ... whichever no saved connection has.
fn free_name(profiles: &[Profile], name: &str) -> String {
    let taken = |candidate: &str| profiles.iter().any(|p| p.name.eq_ignore_ascii_case(candidate));
    if !taken(name) {
        return name.to_string();
    }
    let mut candidate = format!("{name} (imported)");
    let mut n = 2;
    while taken(&candidate) {
        candidate = format!("{name} (imported {n})");
        n += 1;
    }
    candidate
}

/// For a file written before secrets were bound: binds each profile's unbound secrets to its
/// settings as they are now. Failures are logged; such a secret then counts as missing.
fn bind_unbound(store: &dyn SecretStore, profiles: &[Profile]) {
    for profile in profiles {
        let Ok(binding) = profile.secret_binding() else { continue };
        for kind in SecretKind::ALL {
            let bound = match store.get(&profile.id, kind) {
                Ok(Some(stored)) => match secrets::unseal(&binding, &stored) {
                    Unsealed::Unbound(secret) => store.set(&profile.id, kind, &secrets::seal(&binding, &secret)),
                    _ => Ok(()),
                },
                Ok(None) => Ok(()),
                Err(error) => Err(error),
            };
            if let Err(error) = bound {
                log::warn!("could not bind a saved secret of \"{}\" to its address: {}", profile.name, error.message);
            }
        }
    }
}

pub use crate::vendors::RotationListener;

/// A client for `profile` signed in with `secret` (of the kind `profile.secret_kind()` names).
pub fn client_for_profile(
    profile: &Profile,
    secret: Secret,
    on_rotation: Option<RotationListener>,
) -> Result<VendorClient> {
    profile.client(secret, on_rotation)
}

/// Where the Practice connection goes (the in-process sandbox, or one named by the environment).
pub struct PracticeEndpoint {
    pub api_url: String,
    pub identity_url: String,
    pub client_id: String,
    pub client_secret: Secret,
    /// The sandbox's sample user at AvePoint, by the operations' target keys.
    pub sample_target: BTreeMap<String, String>,
    /// The same sandbox as the other vendors (Partner Center, SoftwareOne, MSP360), each its own
    /// built-in connection.
    pub others: Vec<PracticeConnection>,
}

/// A built-in Practice connection to one vendor's sandbox, signed in with the sandbox's own
/// practice credentials (they open nothing else).
pub struct PracticeConnection {
    pub id: String,
    pub name: String,
    pub description: String,
    pub client: VendorClient,
    /// The sandbox's sample user at this vendor, by the operations' target keys.
    pub sample_target: BTreeMap<String, String>,
}

/// Target ids by key, as a connection's sample target holds them.
pub fn target_ids(ids: &[(&str, &str)]) -> BTreeMap<String, String> {
    ids.iter().map(|(key, id)| (key.to_string(), id.to_string())).collect()
}

pub struct Connections {
    practice: Arc<AvePointClient>,
    practice_sample: BTreeMap<String, String>,
    practice_others: Vec<PracticeConnection>,
    store: ProfileStore,
    notice: Option<StorageNotice>,
    secrets: Arc<dyn SecretStore>,
    clients: Mutex<HashMap<String, VendorClient>>,
}

impl Connections {
    /// Opens the saved profiles in `data_dir` (moving an unreadable file aside).
    /// Secrets saved by a version before secrets were bound to their address are bound to the
    /// settings in the file once, at the first start (see [`ProfileStore::bind_unbound_secrets_once`]).
    pub fn open(data_dir: &Path, practice: PracticeEndpoint, secrets: Arc<dyn SecretStore>) -> Result<Connections> {
        let settings = AvePointSettings::for_practice(&practice.api_url, &practice.identity_url, &practice.client_id)?;
        let (store, notice) = ProfileStore::open(data_dir);
        if notice.is_none() {
            let bound = store.bind_unbound_secrets_once(|profiles| bind_unbound(secrets.as_ref(), profiles));
            if let Err(error) = bound {
                log::warn!("could not mark the saved connections' secrets as bound: {}", error.message);
            }
        }
        Ok(Connections {
            practice: Arc::new(AvePointClient::new(settings, practice.client_secret)),
            practice_sample: practice.sample_target,
            practice_others: practice.others,
            store,
            notice,
            secrets,
            clients: Mutex::new(HashMap::new()),
        })
    }

    pub fn list(&self) -> Result<ConnectionList> {
        let mut connections = vec![self.practice_summary()];
        connections.extend(self.practice_others.iter().map(|other| ConnectionSummary {
            id: other.id.clone(),
            name: other.name.clone(),
            vendor: other.client.vendor().label().to_string(),
            vendor_id: other.client.vendor(),
            description: other.description.clone(),
            is_practice: true,
            secret_state: SecretState::BuiltIn,
            profile: None,
            sample_target: Some(other.sample_target.clone()),
        }));
        let profiles = match self.store.list() {
            Ok(profiles) => profiles,
            // The notice says why (a file from a newer version, one that couldn't be moved aside):
            // Practice still works.
            Err(_) if self.notice.is_some() => Vec::new(),
            Err(error) => return Err(error),
        };
        for profile in profiles {
            connections.push(self.summary(profile));
        }
        Ok(ConnectionList { connections, selected_id: None, notice: self.notice.clone() })
    }

    fn practice_summary(&self) -> ConnectionSummary {
        ConnectionSummary {
            id: PRACTICE_ID.to_string(),
            name: "Practice (AvePoint sandbox)".to_string(),
            vendor: crate::avepoint::VENDOR.to_string(),
            vendor_id: Vendor::Avepoint,
            description: "A safe copy of AvePoint on this computer with sample customers. Changes here never reach a real customer.".to_string(),
            is_practice: true,
            secret_state: SecretState::BuiltIn,
            profile: None,
            sample_target: Some(self.practice_sample.clone()),
        }
    }

    fn summary(&self, profile: Profile) -> ConnectionSummary {
        let secret_state = match secrets::read_for_profile(self.secrets.as_ref(), &profile, profile.secret_kind()) {
            Ok(ProfileSecret::Usable(_)) => SecretState::Set,
            // A secret kept for another address is as good as none for this one.
            Ok(ProfileSecret::Missing | ProfileSecret::AddressChanged | ProfileSecret::Unbound) => SecretState::Missing,
            Err(_) => SecretState::Unknown,
        };
        ConnectionSummary {
            id: profile.id.clone(),
            name: profile.name.clone(),
            vendor: profile.vendor().label().to_string(),
            vendor_id: profile.vendor(),
            description: profile.describe(),
            is_practice: false,
            secret_state,
            profile: Some(profile.view()),
            sample_target: None,
        }
    }

    /// Creates (`id` = None) or updates a profile; stores `client_secret` when one is given.
    ///
    /// The saved secret is bound to the connection's address ([`secrets::SecretBinding`]): when
    /// an edit changes it, a typed secret (client secret, API token, password) must be entered
    /// again or nothing is saved; a sign-in or certificate no longer applies and the outcome says so.
    pub fn save(&self, id: Option<&str>, draft: &ProfileDraft, client_secret: Option<Secret>) -> Result<SaveOutcome> {
        let typed_secret = client_secret.as_ref().is_some_and(|secret| !secret.expose().trim().is_empty());
        let mut stale_secret = None;
        let profile = self.store.update(|profiles| {
            let others: Vec<Profile> = profiles.iter().filter(|p| Some(p.id.as_str()) != id).cloned().collect();
            let checked = draft.checked(&others)?;
            match id {
                Some(id) => {
                    let existing =
                        profiles.iter_mut().find(|p| p.id == id).ok_or_else(|| profiles::no_such_profile(id))?;
                    let mut updated = checked.into_profile(id.to_string());
                    // The certificate stays with the profile's key, whatever the form says.
                    if let (VendorSettings::Avepoint(new), VendorSettings::Avepoint(old)) =
                        (&mut updated.settings, &existing.settings)
                    {
                        new.certificate_thumbprint = old.certificate_thumbprint.clone();
                    }
                    stale_secret = self.check_address_change(existing, &updated, typed_secret)?;
                    *existing = updated;
                    Ok(existing.clone())
                }
                None => {
                    let profile = checked.into_profile(uuid::Uuid::new_v4().to_string());
                    profiles.push(profile.clone());
                    Ok(profile)
                }
            }
        })?;
        self.forget_client(&profile.id);
        // A certificate arrives through `import_certificate`, never as typed text.
        let kind = profile.secret_kind();
        let secret_error = match client_secret {
            Some(secret) if !secret.expose().trim().is_empty() && kind != SecretKind::CertificateKey => {
                // Pasted tokens pick up stray spaces; a password's spaces are its own.
                let value = if kind == SecretKind::Password { secret } else { Secret::new(secret.expose().trim()) };
                secrets::write_for_profile(self.secrets.as_ref(), &profile, kind, &value).err()
            }
            _ => stale_secret,
        };
        Ok(SaveOutcome { connection: self.summary(profile), secret_error })
    }

    /// Before `existing` becomes `updated`: if that moves where its secret would be sent, a
    /// typed secret must come with the change (else the save is refused), and a sign-in or
    /// certificate kept for the old address is reported as no longer applying. (The old secret
    /// stays bound to the old address, so changing the address back makes it usable again.)
    fn check_address_change(&self, existing: &Profile, updated: &Profile, typed_secret: bool) -> Result<Option<Error>> {
        if existing.secret_binding().ok() == Some(updated.secret_binding()?) {
            return Ok(None);
        }
        let kept = secrets::read_for_profile(self.secrets.as_ref(), existing, updated.secret_kind());
        if !matches!(kept, Ok(ProfileSecret::Usable(_))) {
            return Ok(None);
        }
        let kind = updated.secret_kind();
        match kind {
            SecretKind::RefreshToken | SecretKind::CertificateKey => {
                let next = if kind == SecretKind::RefreshToken {
                    "Sign in to Partner Center again."
                } else {
                    "Choose the certificate again."
                };
                Ok(Some(Error::new(
                    ErrorCode::SecretMissing,
                    format!(
                        "{} The {} kept for the old address is not sent to the new one. {next}",
                        secrets::ADDRESS_CHANGED,
                        kind.label()
                    ),
                )))
            }
            _ if typed_secret => Ok(None),
            _ => {
                let message = format!(
                    "{} The {} saved for \"{}\" is kept for its old address and is never sent to a new one; type it here to save the change.",
                    secrets::ADDRESS_CHANGED,
                    kind.label(),
                    existing.name
                );
                Err(Error::new(ErrorCode::InvalidInput, message.clone()).with_field("clientSecret", message))
            }
        }
    }

    /// Copies a profile (and its secret) under a new name.
    pub fn duplicate(&self, id: &str) -> Result<SaveOutcome> {
        let original = self.profile(id)?;
        let copy = self.store.update(|profiles| {
            let mut name = format!("{} (copy)", original.name);
            let mut n = 2;
            while profiles.iter().any(|p| p.name.eq_ignore_ascii_case(&name)) {
                name = format!("{} (copy {n})", original.name);
                n += 1;
            }
            let copy = Profile { id: uuid::Uuid::new_v4().to_string(), name, ..original.clone() };
            profiles.push(copy.clone());
            Ok(copy)
        })?;
        let mut secret_error = None;
        for kind in SecretKind::ALL {
            let copied = match self.secrets.get(id, kind) {
                Ok(Some(secret)) => self.secrets.set(&copy.id, kind, &secret),
                Ok(None) => Ok(()),
                Err(error) => Err(error),
            };
            secret_error = secret_error.or(copied.err());
        }
        Ok(SaveOutcome { connection: self.summary(copy), secret_error })
    }

    /// Deletes a profile and its keychain entries. If the keychain refuses, nothing is deleted.
    pub fn delete(&self, id: &str) -> Result<()> {
        if is_practice_id(id) {
            return Err(Error::new(
                ErrorCode::InvalidInput,
                "The Practice connection is built in and can't be deleted.",
            ));
        }
        self.profile(id)?;
        for kind in SecretKind::ALL {
            self.secrets.delete(id, kind)?;
        }
        self.store.update(|profiles| {
            profiles.retain(|p| p.id != id);
            Ok(())
        })?;
        self.forget_client(id);
        Ok(())
    }

    pub fn profile(&self, id: &str) -> Result<Profile> {
        self.store.get(id)
    }

    /// The connection's name, without asking the keychain (as [`Connections::list`] does).
    pub fn name(&self, id: &str) -> Result<String> {
        if id == PRACTICE_ID {
            return Ok(self.practice_summary().name);
        }
        if let Some(other) = self.practice_others.iter().find(|other| other.id == id) {
            return Ok(other.name.clone());
        }
        Ok(self.profile(id)?.name)
    }

    /// A signed-in AvePoint client for the connection (cached, so its token is reused).
    pub fn avepoint(&self, id: &str) -> Result<Arc<AvePointClient>> {
        match self.client(id)? {
            VendorClient::AvePoint(client) => Ok(client),
            _ => Err(Error::new(ErrorCode::InvalidConnection, "This connection does not go to AvePoint.")),
        }
    }

    /// The connection's client, whichever vendor it goes to (cached, so tokens are reused).
    pub fn client(&self, id: &str) -> Result<VendorClient> {
        if id == PRACTICE_ID {
            return Ok(VendorClient::AvePoint(self.practice.clone()));
        }
        if let Some(other) = self.practice_others.iter().find(|other| other.id == id) {
            return Ok(other.client.clone());
        }
        if let Some(client) = self.clients.lock().unwrap().get(id) {
            return Ok(client.clone());
        }
        let profile = self.profile(id)?;
        let kind = profile.secret_kind();
        let secret = match secrets::read_for_profile(self.secrets.as_ref(), &profile, kind)? {
            ProfileSecret::Usable(secret) => secret,
            ProfileSecret::Missing => {
                return Err(Error::new(
                    ErrorCode::SecretMissing,
                    format!(
                        "The connection \"{}\" has no {} saved yet. Open it in Connections and add it.",
                        profile.name,
                        kind.label()
                    ),
                ))
            }
            ProfileSecret::AddressChanged => {
                return Err(Error::new(
                    ErrorCode::SecretMissing,
                    format!(
                        "{} The {} saved for \"{}\" belongs to another address and is not sent to this one. Open it in Connections and add it.",
                        secrets::ADDRESS_CHANGED,
                        kind.label(),
                        profile.name
                    ),
                ))
            }
            ProfileSecret::Unbound => {
                return Err(Error::new(
                    ErrorCode::SecretMissing,
                    format!(
                        "The {} saved for \"{}\" by an older Switchboard isn't tied to this connection's address, so it is not sent. Open it in Connections and add it again.",
                        kind.label(),
                        profile.name
                    ),
                ))
            }
        };
        // Entra may rotate Partner Center's refresh token on use: keep the newest in the keychain,
        // bound like the one it replaces.
        let (secrets, bound_to) = (self.secrets.clone(), profile.clone());
        let keep_rotated: RotationListener = Box::new(move |token: &Secret| {
            if let Err(error) = secrets::write_for_profile(secrets.as_ref(), &bound_to, SecretKind::RefreshToken, token)
            {
                log::warn!("could not keep the rotated Partner Center sign-in: {}", error.message);
            }
        });
        let client = client_for_profile(&profile, secret, Some(keep_rotated))?;
        self.clients.lock().unwrap().insert(id.to_string(), client.clone());
        Ok(client)
    }

    /// Keeps a Partner Center sign-in's refresh token for the profile (after the browser flow).
    pub fn store_partner_center_sign_in(&self, id: &str, refresh_token: &Secret) -> Result<ConnectionSummary> {
        let profile = self.profile(id)?;
        secrets::write_for_profile(self.secrets.as_ref(), &profile, SecretKind::RefreshToken, refresh_token)?;
        self.forget_client(id);
        Ok(self.summary(profile))
    }

    /// Reads a PEM or PFX certificate, keeps its key in the keychain and switches the profile to
    /// certificate sign-in. Nothing is changed if the file can't be used or the keychain refuses.
    pub fn import_certificate(&self, id: &str, file: &[u8], password: &str) -> Result<SaveOutcome> {
        let profile = self.profile(id)?;
        if profile.vendor() != Vendor::Avepoint {
            return Err(Error::new(ErrorCode::InvalidInput, "Only AvePoint connections sign in with a certificate."));
        }
        let certificate = ClientCertificate::from_bytes(file, password)?;
        secrets::write_for_profile(
            self.secrets.as_ref(),
            &profile,
            SecretKind::CertificateKey,
            &certificate.to_pem()?,
        )?;
        let thumbprint = certificate.thumbprint();
        let profile = self.store.update(|profiles| {
            let profile = profiles.iter_mut().find(|p| p.id == id).ok_or_else(|| profiles::no_such_profile(id))?;
            let VendorSettings::Avepoint(settings) = &mut profile.settings else {
                return Err(profiles::no_such_profile(id));
            };
            settings.sign_in = SignInMethod::Certificate;
            settings.certificate_thumbprint = Some(thumbprint);
            Ok(profile.clone())
        })?;
        self.forget_client(id);
        Ok(SaveOutcome { connection: self.summary(profile), secret_error: None })
    }

    /// Signs in and makes one harmless read; every failure is a step with what to do next.
    pub async fn test(&self, id: &str) -> ConnectionTestReport {
        self.forget_client(id);
        match self.client(id) {
            Ok(client) => crate::vendors::find(client.vendor()).test(&client).await,
            Err(error) => ConnectionTestReport::failed("Saved settings", error.message),
        }
    }

    /// Writes the given profiles (all when `ids` is empty) to `path`, without secrets.
    pub fn export(&self, ids: &[String], path: &Path) -> Result<usize> {
        let profiles: Vec<Profile> =
            self.store.list()?.into_iter().filter(|p| ids.is_empty() || ids.contains(&p.id)).collect();
        profiles::export(&profiles, path)?;
        Ok(profiles.len())
    }

    /// Adds the profiles in `path`. An import never replaces a saved connection: a profile whose
    /// id is saved already is left as it is when identical, and otherwise added beside it under a
    /// new id (and " (imported)" when its name is taken), which the summary lists. The Practice
    /// id and malformed ids are refused, and nothing is imported then.
    pub fn import(&self, path: &Path) -> Result<ImportSummary> {
        let incoming = profiles::read_profile_file(path)?;
        let refuse = |profile: &Profile, reason: String| {
            Error::new(
                ErrorCode::InvalidInput,
                format!("The connection \"{}\" in the file can't be imported: {reason}", profile.name),
            )
            .with_field("file", reason)
        };
        for profile in incoming.iter().filter(|p| !p.id.trim().is_empty()) {
            profiles::check_id(&profile.id).map_err(|reason| refuse(profile, reason))?;
        }
        let mut summary = ImportSummary { added: 0, unchanged: 0, need_secret: Vec::new(), added_as_new: Vec::new() };
        let saved = self.store.update(|profiles| {
            let mut saved = Vec::new();
            for profile in &incoming {
                let mut id =
                    if profile.id.trim().is_empty() { uuid::Uuid::new_v4().to_string() } else { profile.id.clone() };
                let mut draft = profile.draft();
                if let Some(existing) = profiles.iter().find(|p| p.id == id) {
                    let others: Vec<Profile> = profiles.iter().filter(|p| p.id != id).cloned().collect();
                    if draft.checked(&others).is_ok_and(|checked| checked == existing.draft()) {
                        summary.unchanged += 1;
                        continue;
                    }
                    id = uuid::Uuid::new_v4().to_string();
                    let differences = differences(&existing.draft(), &draft);
                    draft.name = free_name(profiles, &profile.name);
                    summary.added_as_new.push(ImportedAsNew {
                        name_in_file: profile.name.clone(),
                        name: draft.name.clone(),
                        id: id.clone(),
                        differences,
                    });
                }
                let checked = draft.checked(profiles).map_err(|error| refuse(profile, error.message))?;
                let imported = checked.into_profile(id);
                profiles.push(imported.clone());
                summary.added += 1;
                saved.push(imported);
            }
            Ok(saved)
        })?;
        for profile in saved {
            self.forget_client(&profile.id);
            let usable = secrets::read_for_profile(self.secrets.as_ref(), &profile, profile.secret_kind());
            if !matches!(usable, Ok(ProfileSecret::Usable(_))) {
                summary.need_secret.push(profile.name);
            }
        }
        Ok(summary)
    }

    fn forget_client(&self, id: &str) {
        self.clients.lock().unwrap().remove(id);
    }
}
