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
