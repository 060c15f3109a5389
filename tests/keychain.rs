//! The real OS keychain (on Linux: a Secret Service such as GNOME Keyring). Needs a running,
//! unlocked keychain, so it runs explicitly: `cargo test --test keychain` (scripts/test.sh starts
//! `gnome-keyring-daemon` inside `dbus-run-session` for it).

use switchboard_core::secret::Secret;
use switchboard_core::secrets::{KeychainStore, SecretKind, SecretStore};

#[test]
fn secrets_round_trip_through_the_real_keychain_and_are_deleted() {
    let store = KeychainStore::new(format!("com.switchboard.desk.test.{}", std::process::id()));
    let profile = "integration-profile";
    store.delete(profile, SecretKind::ClientSecret).unwrap();
    assert!(store.get(profile, SecretKind::ClientSecret).unwrap().is_none());

    store.set(profile, SecretKind::ClientSecret, &Secret::new("keychain-secret-value")).unwrap();
    let read = store.get(profile, SecretKind::ClientSecret).unwrap().expect("stored");
    assert_eq!(read.expose(), "keychain-secret-value");

    // A second store (like the next app start) sees the same entry: it is not the in-memory mock.
    let again = KeychainStore::new(store.service());
    assert_eq!(again.get(profile, SecretKind::ClientSecret).unwrap().unwrap().expose(), "keychain-secret-value");

    store.delete(profile, SecretKind::ClientSecret).unwrap();
    assert!(again.get(profile, SecretKind::ClientSecret).unwrap().is_none());
}

#[test]
fn development_and_release_namespaces_do_not_share_entries() {
    let dev = KeychainStore::new(format!("com.switchboard.desk.dev.test.{}", std::process::id()));
    let release = KeychainStore::new(format!("com.switchboard.desk.test.{}", std::process::id()));
    dev.set("shared-id", SecretKind::ClientSecret, &Secret::new("dev-only")).unwrap();
    assert!(release.get("shared-id", SecretKind::ClientSecret).unwrap().is_none());
    dev.delete("shared-id", SecretKind::ClientSecret).unwrap();
}

/// On Windows, Credential Manager holds at most 2,560 bytes (1,280 UTF-16 units) per entry: a
/// certificate's key is kept split across entries and comes back whole (every platform takes the
/// same path, so this runs on each CI system's real keychain).
#[test]
fn a_4096_bit_certificate_key_round_trips_through_the_real_keychain() {
    let pem = include_str!("fixtures/certificates/rsa-4096.pem");
    let key = switchboard_core::avepoint::certificate::ClientCertificate::from_pem(pem).unwrap().to_pem().unwrap();
    assert!(key.expose().encode_utf16().count() > 1_280, "larger than one Windows credential");
    let store = KeychainStore::new(format!("com.switchboard.desk.test.large.{}", std::process::id()));
    store.set("large", SecretKind::CertificateKey, &key).unwrap();
    let again = KeychainStore::new(store.service());
    assert_eq!(again.get("large", SecretKind::CertificateKey).unwrap().expect("stored"), key);
    store.delete("large", SecretKind::CertificateKey).unwrap();
    assert!(again.get("large", SecretKind::CertificateKey).unwrap().is_none());
    // No part is left behind.
    let part = keyring::Entry::new(store.service(), "large/certificate-key#1").unwrap();
    assert!(matches!(part.get_password(), Err(keyring::Error::NoEntry)));
}
