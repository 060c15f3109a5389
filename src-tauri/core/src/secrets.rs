//! Secrets live only in the OS keychain (Windows Credential Manager, macOS Keychain, Linux
//! Secret Service), one entry per profile and kind. Nothing here ever falls back to a file.

use crate::error::{Error, ErrorCode, Result};
use crate::secret::Secret;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Mutex;
use ts_rs::TS;

/// What a stored secret is for. The key in the keychain is `{profile id}/{kind}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SecretKind {
    /// AvePoint client secret.
    ClientSecret,
    /// AvePoint certificate: its private key and certificate, as PEM.
    CertificateKey,
    /// Partner Center: the refresh token from the partner user's sign-in.
    RefreshToken,
    /// SoftwareOne: the API token.
    ApiToken,
    /// MSP360: the API login's password.
    Password,
}

impl SecretKind {
    pub const ALL: [SecretKind; 5] = [
        SecretKind::ClientSecret,
        SecretKind::CertificateKey,
        SecretKind::RefreshToken,
        SecretKind::ApiToken,
        SecretKind::Password,
    ];

    fn key(self) -> &'static str {
        match self {
            SecretKind::ClientSecret => "client-secret",
            SecretKind::CertificateKey => "certificate-key",
            SecretKind::RefreshToken => "refresh-token",
            SecretKind::ApiToken => "api-token",
            SecretKind::Password => "password",
        }
    }

    /// What the secret is called in messages.
    pub fn label(self) -> &'static str {
        match self {
            SecretKind::ClientSecret => "client secret",
            SecretKind::CertificateKey => "certificate",
            SecretKind::RefreshToken => "Microsoft sign-in",
            SecretKind::ApiToken => "API token",
            SecretKind::Password => "API password",
        }
    }
}

/// Where a secret may be sent: the vendor, the API origin, the sign-in origin and the client id
/// or login it was saved for. A secret is kept in the keychain together with a digest of its
/// binding ([`seal`]), and is only handed out for a profile whose settings still give the same
/// binding, so an edited or imported profile that reuses an id can't redirect the secret to a
/// host of the editor's choosing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretBinding {
    pub vendor: &'static str,
    /// `scheme://host[:port]` of the API.
    pub api: String,
    /// `scheme://host[:port]` of the sign-in service, when it is not the API host.
    pub sign_in: String,
    /// The client id (AvePoint, Partner Center) or API login (MSP360).
    pub client: String,
}

impl SecretBinding {
    fn digest(&self) -> String {
        use rsa::sha2::{Digest, Sha256};
        let text =
            format!("switchboard-secret-binding/v1\n{}\n{}\n{}\n{}", self.vendor, self.api, self.sign_in, self.client);
        Sha256::digest(text.as_bytes()).iter().map(|byte| format!("{byte:02x}")).collect()
    }
}

/// Marks a keychain value as `sb1:{sha-256 of the binding, hex}:{secret}`.
const SEALED_PREFIX: &str = "sb1:";
const DIGEST_HEX: usize = 64;

/// The value kept in the keychain for `secret` bound to `binding`.
pub fn seal(binding: &SecretBinding, secret: &Secret) -> Secret {
    Secret::new(format!("{SEALED_PREFIX}{}:{}", binding.digest(), secret.expose()))
}

/// A keychain value read back against the binding of the profile asking for it.
#[derive(Debug, PartialEq, Eq)]
pub enum Unsealed {
    /// Saved for this binding: may be sent.
    Bound(Secret),
    /// Saved for another address, client id or login: never sent.
    BoundElsewhere,
    /// Saved by a version before secrets were bound; see [`crate::connection::Connections::open`].
    Unbound(Secret),
}

pub fn unseal(binding: &SecretBinding, stored: &Secret) -> Unsealed {
    let value = stored.expose();
    let sealed = value
        .strip_prefix(SEALED_PREFIX)
        .filter(|rest| rest.len() > DIGEST_HEX && rest.as_bytes()[DIGEST_HEX] == b':')
        .filter(|rest| rest[..DIGEST_HEX].bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
    match sealed {
        None => Unsealed::Unbound(stored.duplicate()),
        Some(rest) if rest[..DIGEST_HEX] == binding.digest() => Unsealed::Bound(Secret::new(&rest[DIGEST_HEX + 1..])),
        Some(_) => Unsealed::BoundElsewhere,
    }
}

/// A profile's secret of one kind, as far as this profile may use it.
#[derive(Debug, PartialEq, Eq)]
pub enum ProfileSecret {
    Usable(Secret),
    Missing,
    /// Saved for the profile's earlier address (or another profile's): treated as missing.
    AddressChanged,
    /// Saved by an older version without a binding, and not adopted at the upgrade: treated as
    /// missing.
    Unbound,
}

/// Reads `profile`'s secret of `kind`, checked against the profile's current binding.
pub fn read_for_profile(
    store: &dyn SecretStore,
    profile: &crate::profiles::Profile,
    kind: SecretKind,
) -> Result<ProfileSecret> {
    let Some(stored) = store.get(&profile.id, kind)? else {
        return Ok(ProfileSecret::Missing);
    };
    Ok(match unseal(&profile.secret_binding()?, &stored) {
        Unsealed::Bound(secret) => ProfileSecret::Usable(secret),
        Unsealed::BoundElsewhere => ProfileSecret::AddressChanged,
        Unsealed::Unbound(_) => ProfileSecret::Unbound,
    })
}

/// Keeps `secret` as `profile`'s secret of `kind`, bound to the profile's current settings.
pub fn write_for_profile(
    store: &dyn SecretStore,
    profile: &crate::profiles::Profile,
    kind: SecretKind,
    secret: &Secret,
) -> Result<()> {
    store.set(&profile.id, kind, &seal(&profile.secret_binding()?, secret))
}

/// The first sentence when a secret is kept for another address.
pub const ADDRESS_CHANGED: &str = "This connection's address changed; enter the secret again.";

/// Where secrets are kept. The app and CLI use [`KeychainStore`]; tests may use [`MemoryStore`].
pub trait SecretStore: Send + Sync {
    fn set(&self, profile_id: &str, kind: SecretKind, secret: &Secret) -> Result<()>;
    /// `Ok(None)` when no secret is stored.
    fn get(&self, profile_id: &str, kind: SecretKind) -> Result<Option<Secret>>;
    /// Deleting a secret that is not there is not an error.
    fn delete(&self, profile_id: &str, kind: SecretKind) -> Result<()>;
}

/// The OS keychain through `keyring`. `service` namespaces entries so development and release
/// builds never read each other's secrets. A secret too long for one entry is split across
/// several ([`split`]).
pub struct KeychainStore {
    service: String,
}

impl KeychainStore {
    pub fn new(service: impl Into<String>) -> Self {
        KeychainStore { service: service.into() }
    }

    /// `com.switchboard.desk` for release builds, `com.switchboard.desk.dev` otherwise.
    pub fn for_this_build() -> Self {
        let service = if cfg!(debug_assertions) { "com.switchboard.desk.dev" } else { "com.switchboard.desk" };
        KeychainStore::new(service)
    }

    pub fn service(&self) -> &str {
        &self.service
    }
}

/// One keychain entry per name, under the store's service.
impl split::Entries for KeychainStore {
    fn set(&self, name: &str, value: &str) -> Result<()> {
        let entry = keyring::Entry::new(&self.service, name).map_err(keychain_error)?;
        entry.set_password(value).map_err(keychain_error)?;
        // Read it back: a keychain that silently keeps nothing must not pass for one that works.
        match entry.get_password() {
            Ok(stored) if stored == value => Ok(()),
            Ok(_) | Err(keyring::Error::NoEntry) => Err(Error::new(
                ErrorCode::KeychainUnavailable,
                "The system keychain did not keep the secret. Check that it is unlocked and try again. Nothing was saved as plain text.",
            )),
            Err(error) => Err(keychain_error(error)),
        }
    }

    fn get(&self, name: &str) -> Result<Option<Secret>> {
        match keyring::Entry::new(&self.service, name).map_err(keychain_error)?.get_password() {
            Ok(value) => Ok(Some(Secret::new(value))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(error) => Err(keychain_error(error)),
        }
    }

    fn delete(&self, name: &str) -> Result<()> {
        match keyring::Entry::new(&self.service, name).map_err(keychain_error)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(error) => Err(keychain_error(error)),
        }
    }
}

fn entry_name(profile_id: &str, kind: SecretKind) -> String {
    format!("{profile_id}/{}", kind.key())
}

impl SecretStore for KeychainStore {
    fn set(&self, profile_id: &str, kind: SecretKind, secret: &Secret) -> Result<()> {
        split::set(self, &entry_name(profile_id, kind), secret)
    }

    fn get(&self, profile_id: &str, kind: SecretKind) -> Result<Option<Secret>> {
        split::get(self, &entry_name(profile_id, kind))
    }

    fn delete(&self, profile_id: &str, kind: SecretKind) -> Result<()> {
        split::delete(self, &entry_name(profile_id, kind))
    }
}

/// Secrets longer than one keychain entry holds. Windows Credential Manager keeps at most 2,560
/// bytes per credential (`CRED_MAX_CREDENTIAL_BLOB_SIZE`) and keyring stores text there as
/// UTF-16, so an entry holds 1,280 UTF-16 units: less than a certificate's PEM (a 2048-bit key
/// and its certificate are about 2,900 characters, 4096-bit about 5,200, plus the binding) and
/// than some Entra refresh tokens. Such a secret is cut into parts of at most [`PART_UNITS`]
/// under `{name}#1`, `{name}#2`, ..., and the entry `{name}` holds
/// `sbparts:{count}:{sha-256 of the whole, hex}`; reading joins the parts and checks the digest.
/// Done on every platform (macOS and Secret Service have no such limit), so the one code path is
/// the one CI tests on each; a secret that fits stays one entry, as before.
pub mod split {
    use super::*;

    /// What the keychain does with one named entry.
    pub trait Entries {
        fn set(&self, name: &str, value: &str) -> Result<()>;
        fn get(&self, name: &str) -> Result<Option<Secret>>;
        fn delete(&self, name: &str) -> Result<()>;
    }

    /// UTF-16 units per entry: 2,400 bytes, under Windows' 2,560 with room to spare.
    pub const PART_UNITS: usize = 1_200;
    /// At most this many parts: 19,200 UTF-16 units, several times a 4096-bit key's PEM.
    pub const MAX_PARTS: usize = 16;
    const HEADER: &str = "sbparts:";

    fn digest(text: &str) -> String {
        use rsa::sha2::{Digest, Sha256};
        Sha256::digest(text.as_bytes()).iter().map(|byte| format!("{byte:02x}")).collect()
    }

    fn part_name(name: &str, number: usize) -> String {
        format!("{name}#{number}")
    }

    /// `text` cut at character boundaries into pieces of at most `units` UTF-16 units each.
    fn cut(text: &str, units: usize) -> Vec<&str> {
        let mut parts = Vec::new();
        let (mut start, mut used) = (0, 0);
        for (index, character) in text.char_indices() {
            if used + character.len_utf16() > units {
                parts.push(&text[start..index]);
                (start, used) = (index, 0);
            }
            used += character.len_utf16();
        }
        parts.push(&text[start..]);
        parts
    }

    /// How many parts the entry `name` was split into, if it was.
    fn parts_of(stored: &str) -> Option<(usize, &str)> {
        let (count, digest) = stored.strip_prefix(HEADER)?.split_once(':')?;
        let count: usize = count.parse().ok().filter(|n| (1..=MAX_PARTS).contains(n))?;
        Some((count, digest))
    }

    pub fn set(entries: &dyn Entries, name: &str, secret: &Secret) -> Result<()> {
        let value = secret.expose();
        let earlier = entries.get(name)?.and_then(|stored| parts_of(stored.expose()).map(|(count, _)| count));
        let count = if value.encode_utf16().count() <= PART_UNITS && !value.starts_with(HEADER) {
            entries.set(name, value)?;
            0
        } else {
            let parts = cut(value, PART_UNITS);
            if parts.len() > MAX_PARTS {
                return Err(Error::new(
                    ErrorCode::KeychainUnavailable,
                    format!(
                        "This secret is too long for the system keychain ({} characters; at most {}). Nothing was saved.",
                        value.chars().count(),
                        PART_UNITS * MAX_PARTS
                    ),
                ));
            }
            // Parts first, then the entry that points at them: a reader never finds a header
            // without its parts, and the digest catches a mix of two saves.
            for (index, part) in parts.iter().enumerate() {
                entries.set(&part_name(name, index + 1), part)?;
            }
            entries.set(name, &format!("{HEADER}{}:{}", parts.len(), digest(value)))?;
            parts.len()
        };
        for stale in count + 1..=earlier.unwrap_or(0) {
            entries.delete(&part_name(name, stale))?;
        }
        Ok(())
    }

    pub fn get(entries: &dyn Entries, name: &str) -> Result<Option<Secret>> {
        let Some(stored) = entries.get(name)? else { return Ok(None) };
        let Some((count, expected)) = parts_of(stored.expose()) else { return Ok(Some(stored)) };
        let mut parts = Vec::with_capacity(count);
        for number in 1..=count {
            let Some(part) = entries.get(&part_name(name, number))? else {
                log::warn!("keychain entry {name} is missing part {number} of {count}; treated as not saved");
                return Ok(None);
            };
            parts.push(part);
        }
        // Sized up front: growing would leave copies of the secret in freed memory.
        let mut joined = String::with_capacity(parts.iter().map(|part| part.expose().len()).sum());
        for part in &parts {
            joined.push_str(part.expose());
        }
        let whole = Secret::new(joined);
        if digest(whole.expose()) != expected {
            log::warn!("keychain entry {name}'s parts don't match; treated as not saved");
            return Ok(None);
        }
        Ok(Some(whole))
    }

    pub fn delete(entries: &dyn Entries, name: &str) -> Result<()> {
        let count = entries.get(name)?.and_then(|stored| parts_of(stored.expose()).map(|(count, _)| count));
        entries.delete(name)?;
        for number in 1..=count.unwrap_or(0) {
            entries.delete(&part_name(name, number))?;
        }
        Ok(())
    }
}

/// Keychain failures name the cause and the fix. The platform's message never holds the secret.
pub fn keychain_error(error: keyring::Error) -> Error {
    let fix = if cfg!(target_os = "windows") {
        "Check that Windows Credential Manager is available for your account."
    } else if cfg!(target_os = "macos") {
        "Unlock your login keychain (Keychain Access) and allow Switchboard to use it."
    } else {
        "Install and unlock a Secret Service keychain (GNOME Keyring or KWallet), then try again."
    };
    let cause = match &error {
        keyring::Error::NoStorageAccess(_) => "The system keychain is locked or refused access.",
        keyring::Error::PlatformFailure(_) => "The system keychain is not available.",
        keyring::Error::TooLong(..) | keyring::Error::Invalid(..) => "The system keychain refused this entry.",
        _ => "The system keychain could not be used.",
    };
    Error::new(ErrorCode::KeychainUnavailable, format!("{cause} {fix} Nothing was saved as plain text."))
        .with_vendor_message(error.to_string())
}

/// Secrets in memory, for tests and for platforms without a keychain in CI.
#[derive(Default)]
pub struct MemoryStore {
    secrets: Mutex<HashMap<(String, SecretKind), Secret>>,
}

impl SecretStore for MemoryStore {
    fn set(&self, profile_id: &str, kind: SecretKind, secret: &Secret) -> Result<()> {
        self.secrets.lock().unwrap().insert((profile_id.to_string(), kind), secret.duplicate());
        Ok(())
    }

    fn get(&self, profile_id: &str, kind: SecretKind) -> Result<Option<Secret>> {
        Ok(self.secrets.lock().unwrap().get(&(profile_id.to_string(), kind)).map(Secret::duplicate))
    }

    fn delete(&self, profile_id: &str, kind: SecretKind) -> Result<()> {
        self.secrets.lock().unwrap().remove(&(profile_id.to_string(), kind));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keychain_failures_become_a_clear_error_without_the_secret() {
        let error = keychain_error(keyring::Error::NoStorageAccess("org.freedesktop.DBus.Error: locked".into()));
        assert_eq!(error.code, ErrorCode::KeychainUnavailable);
        assert!(error.message.starts_with("The system keychain is locked or refused access."), "{}", error.message);
        assert!(error.message.contains("Nothing was saved as plain text."));
    }

    #[test]
    fn the_mock_keyring_reports_injected_failures() {
        // keyring's mock: each Entry is its own credential, so this checks error mapping only.
        keyring::set_default_credential_builder(keyring::mock::default_credential_builder());
        let entry = keyring::Entry::new("com.switchboard.test", "p/client-secret").unwrap();
        let mock: &keyring::mock::MockCredential = entry.get_credential().downcast_ref().unwrap();
        mock.set_error(keyring::Error::PlatformFailure("no dbus".into()));
        let error = keychain_error(entry.set_password("s3cret").unwrap_err());
        assert_eq!(error.code, ErrorCode::KeychainUnavailable);
        assert!(error.message.starts_with("The system keychain is not available."));
        assert!(!format!("{error:?}").contains("s3cret"));
    }

    #[test]
    fn memory_store_round_trips_and_deletes() {
        let store = MemoryStore::default();
        assert!(store.get("p", SecretKind::ClientSecret).unwrap().is_none());
        store.set("p", SecretKind::ClientSecret, &Secret::new("v")).unwrap();
        assert_eq!(store.get("p", SecretKind::ClientSecret).unwrap().unwrap().expose(), "v");
        store.delete("p", SecretKind::ClientSecret).unwrap();
        store.delete("p", SecretKind::ClientSecret).unwrap();
        assert!(store.get("p", SecretKind::ClientSecret).unwrap().is_none());
    }

    fn binding() -> SecretBinding {
        SecretBinding {
            vendor: "avepoint",
            api: "https://graph.avepointonlineservices.com".into(),
            sign_in: "https://identity.avepointonlineservices.com".into(),
            client: "app-1".into(),
        }
    }

    #[test]
    fn a_sealed_secret_opens_only_for_its_own_binding() {
        let secret = Secret::new("s3cret:with:colons");
        let sealed = seal(&binding(), &secret);
        assert!(sealed.expose().starts_with("sb1:") && sealed.expose().ends_with(":s3cret:with:colons"));
        assert_eq!(unseal(&binding(), &sealed), Unsealed::Bound(secret.duplicate()));
        let elsewhere = [
            SecretBinding { vendor: "partner-center", ..binding() },
            SecretBinding { api: "https://graph.example.net".into(), ..binding() },
            SecretBinding { api: "https://graph.avepointonlineservices.com:8443".into(), ..binding() },
            SecretBinding { sign_in: "https://login.example.net".into(), ..binding() },
            SecretBinding { client: "app-2".into(), ..binding() },
        ];
        for other in elsewhere {
            assert_eq!(unseal(&other, &sealed), Unsealed::BoundElsewhere, "{other:?}");
        }
        // What an older version stored: the bare secret.
        assert_eq!(unseal(&binding(), &secret), Unsealed::Unbound(secret.duplicate()));
        assert!(matches!(unseal(&binding(), &Secret::new("sb1:short:x")), Unsealed::Unbound(_)));
    }

    /// A keychain with Windows Credential Manager's limit: 2,560 bytes per entry, text as UTF-16.
    #[derive(Default)]
    struct WindowsLikeKeychain(Mutex<HashMap<String, String>>);

    impl split::Entries for WindowsLikeKeychain {
        fn set(&self, name: &str, value: &str) -> Result<()> {
            if value.encode_utf16().count() * 2 > 2_560 {
                return Err(keychain_error(keyring::Error::TooLong("password".into(), 1_280)));
            }
            self.0.lock().unwrap().insert(name.into(), value.into());
            Ok(())
        }
        fn get(&self, name: &str) -> Result<Option<Secret>> {
            Ok(self.0.lock().unwrap().get(name).map(|value| Secret::new(value.as_str())))
        }
        fn delete(&self, name: &str) -> Result<()> {
            self.0.lock().unwrap().remove(name);
            Ok(())
        }
    }

    impl WindowsLikeKeychain {
        fn names(&self) -> Vec<String> {
            let mut names: Vec<String> = self.0.lock().unwrap().keys().cloned().collect();
            names.sort();
            names
        }
    }

    /// The largest key Switchboard is tested with: a 4096-bit RSA key and its certificate, as
    /// the certificate import keeps it (PKCS#8 PEM + certificate PEM), sealed with its binding.
    fn largest_certificate_entry() -> Secret {
        const PEM: &str = include_str!("../../../tests/fixtures/certificates/rsa-4096.pem");
        let certificate = crate::avepoint::certificate::ClientCertificate::from_pem(PEM).unwrap();
        seal(&binding(), &certificate.to_pem().unwrap())
    }

    #[test]
    fn a_4096_bit_certificate_key_is_split_to_fit_windows_credential_manager_and_read_back_whole() {
        let keychain = WindowsLikeKeychain::default();
        let secret = largest_certificate_entry();
        let units = secret.expose().encode_utf16().count();
        assert!(units > 5_000, "{units} UTF-16 units: far over one entry's 1,280");
        // As one entry, it doesn't fit: what failed on Windows before.
        assert!(split::Entries::set(&keychain, "p/certificate-key", secret.expose()).is_err());

        split::set(&keychain, "p/certificate-key", &secret).unwrap();
        let parts = units.div_ceil(split::PART_UNITS);
        assert_eq!(keychain.names().len(), 1 + parts, "{:?}", keychain.names());
        let read = split::get(&keychain, "p/certificate-key").unwrap().unwrap();
        assert_eq!(read, secret);
        assert!(matches!(unseal(&binding(), &read), Unsealed::Bound(_)));

        // Replaced by a short secret: one entry again, no parts left behind; deleting removes all.
        split::set(&keychain, "p/certificate-key", &Secret::new("short")).unwrap();
        assert_eq!(keychain.names(), ["p/certificate-key"]);
        split::set(&keychain, "p/certificate-key", &secret).unwrap();
        split::delete(&keychain, "p/certificate-key").unwrap();
        assert!(keychain.names().is_empty());
    }

    #[test]
    fn split_secrets_cut_at_character_boundaries_and_refuse_what_no_keychain_holds() {
        let keychain = WindowsLikeKeychain::default();
        // Characters outside the BMP are two UTF-16 units each: no part may split one.
        let wide = Secret::new("🔑é".repeat(900));
        split::set(&keychain, "p/password", &wide).unwrap();
        assert_eq!(split::get(&keychain, "p/password").unwrap().unwrap(), wide);

        let largest = Secret::new("x".repeat(split::PART_UNITS * split::MAX_PARTS));
        split::set(&keychain, "p/api-token", &largest).unwrap();
        assert_eq!(split::get(&keychain, "p/api-token").unwrap().unwrap(), largest);
        let error =
            split::set(&keychain, "p/api-token", &Secret::new("x".repeat(split::PART_UNITS * split::MAX_PARTS + 1)))
                .unwrap_err();
        assert_eq!(error.code, ErrorCode::KeychainUnavailable);
        assert!(error.message.contains("too long"), "{}", error.message);

        // A secret that happens to look like the parts header is stored split, not misread.
        let lookalike = Secret::new("sbparts:1:abc");
        split::set(&keychain, "p/client-secret", &lookalike).unwrap();
        assert_eq!(split::get(&keychain, "p/client-secret").unwrap().unwrap(), lookalike);
    }

    #[test]
    fn a_split_secret_with_a_missing_or_changed_part_reads_as_not_saved() {
        let keychain = WindowsLikeKeychain::default();
        let secret = largest_certificate_entry();
        split::set(&keychain, "p/certificate-key", &secret).unwrap();
        keychain.0.lock().unwrap().insert("p/certificate-key#2".into(), "tampered".into());
        assert_eq!(split::get(&keychain, "p/certificate-key").unwrap(), None);
        keychain.0.lock().unwrap().remove("p/certificate-key#2");
        assert_eq!(split::get(&keychain, "p/certificate-key").unwrap(), None);
    }

    #[test]
    fn builds_are_namespaced() {
        assert_eq!(KeychainStore::for_this_build().service(), "com.switchboard.desk.dev");
    }
}
