//! The profile file on disk: migration from fixtures, unreadable files moved aside, atomic and
//! concurrent saves.

use std::path::Path;
use std::sync::Arc;
use switchboard_core::avepoint::Environment;
use switchboard_core::profiles::{ProfileDraft, ProfileStore, Vendor};

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/profiles").join(name)
}

fn store_with(
    fixture_name: &str,
) -> (tempfile::TempDir, ProfileStore, Option<switchboard_core::profiles::StorageNotice>) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture(fixture_name), dir.path().join("profiles.json")).unwrap();
    let (store, notice) = ProfileStore::open(dir.path());
    (dir, store, notice)
}

fn draft(name: &str) -> ProfileDraft {
    ProfileDraft {
        name: name.into(),
        vendor: Vendor::Avepoint,
        environment: Environment::Commercial,
        api_url: None,
        identity_url: None,
        client_id: "client".into(),
        sign_in: switchboard_core::profiles::SignInMethod::ClientSecret,
        cloud: None,
        tenant: None,
        user_name: None,
    }
}

#[test]
fn a_file_from_the_first_format_still_loads() {
    let (_dir, store, notice) = store_with("unversioned-minimal.json");
    assert!(notice.is_none());
    let profiles = store.list().unwrap();
    assert_eq!(profiles[0].name, "Contoso (first format)");
    assert_eq!(profiles[0].draft().environment, Environment::Commercial, "later fields take their defaults");
}

#[test]
fn unknown_later_fields_are_ignored_and_saving_upgrades_the_file() {
    let (dir, store, notice) = store_with("v1.json");
    assert!(notice.is_none());
    assert_eq!(store.list().unwrap()[0].draft().environment, Environment::UsGovernment);
    store
        .update(|profiles| {
            profiles.push(draft("New").into_profile("n".into()));
            Ok(())
        })
        .unwrap();
    let text = std::fs::read_to_string(dir.path().join("profiles.json")).unwrap();
    assert!(text.contains("\"version\": 1"));
    assert_eq!(store.list().unwrap().len(), 2);
}

#[test]
fn an_unreadable_file_is_moved_aside_never_overwritten() {
    let (dir, store, notice) = store_with("truncated.json");
    let notice = notice.expect("the user is told");
    let moved_to = notice.moved_to.clone().expect("moved aside");
    assert!(moved_to.contains("profiles.unreadable-"), "{moved_to}");
    assert!(notice.message.contains(&moved_to));
    assert_eq!(std::fs::read(&moved_to).unwrap(), std::fs::read(fixture("truncated.json")).unwrap());
    assert!(!dir.path().join("profiles.json").exists());
    assert!(store.list().unwrap().is_empty(), "starts with no saved profiles");
}

#[test]
fn a_file_from_a_newer_version_is_left_in_place_and_says_to_update() {
    let (dir, store, notice) = store_with("newer.json");
    let notice = notice.expect("the user is told");
    assert!(notice.message.contains("newer version of Switchboard"), "{}", notice.message);
    assert!(notice.message.contains("Update Switchboard"), "{}", notice.message);
    assert_eq!(notice.moved_to, None, "not moved aside");
    let path = dir.path().join("profiles.json");
    assert_eq!(std::fs::read(&path).unwrap(), std::fs::read(fixture("newer.json")).unwrap());
    let names: Vec<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into()).collect();
    assert_eq!(names, ["profiles.json"], "nothing moved aside");

    // Saving would lose what the newer version keeps: refused, and the file stays as it was.
    let error = store
        .update(|profiles| {
            profiles.push(draft("New").into_profile("n".into()));
            Ok(())
        })
        .unwrap_err();
    assert!(error.message.contains("Update Switchboard"), "{}", error.message);
    assert_eq!(std::fs::read(&path).unwrap(), std::fs::read(fixture("newer.json")).unwrap());
    // Opening again (the next start) still finds it.
    let (_, again) = ProfileStore::open(dir.path());
    assert_eq!(again.unwrap().moved_to, None);
}

#[cfg(unix)]
#[test]
fn the_profile_file_is_readable_only_by_the_user() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("profiles.json");
    // Even one an older version (or a copy) left readable by others.
    std::fs::write(&path, r#"{"version":1,"profiles":[]}"#).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let (store, _) = ProfileStore::open(dir.path());
    store
        .update(|profiles| {
            profiles.push(draft("New").into_profile("n".into()));
            Ok(())
        })
        .unwrap();
    for name in ["profiles.json", "profiles.lock"] {
        let mode = std::fs::metadata(dir.path().join(name)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{name}");
    }
}

#[test]
fn concurrent_saves_from_separate_stores_lose_nothing() {
    let dir = Arc::new(tempfile::tempdir().unwrap());
    let writers: Vec<_> = (0..4)
        .map(|writer| {
            let dir = dir.clone();
            std::thread::spawn(move || {
                // Each thread opens its own store, like a second window or the CLI would.
                let (store, _) = ProfileStore::open(dir.path());
                for n in 0..10 {
                    store
                        .update(|profiles| {
                            profiles.push(draft(&format!("w{writer}-{n}")).into_profile(format!("{writer}-{n}")));
                            Ok(())
                        })
                        .unwrap();
                }
            })
        })
        .collect();
    for writer in writers {
        writer.join().unwrap();
    }
    let (store, notice) = ProfileStore::open(dir.path());
    assert!(notice.is_none());
    assert_eq!(store.list().unwrap().len(), 40);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name != "profiles.json" && name != "profiles.lock")
        .collect();
    assert!(leftovers.is_empty(), "no half-written temporary files: {leftovers:?}");
}

#[test]
fn a_file_from_before_secret_binding_is_bound_once_and_a_new_file_needs_none() {
    let (dir, store, notice) = store_with("v1.json");
    assert!(notice.is_none());
    let mut seen = Vec::new();
    store.bind_unbound_secrets_once(|profiles| seen.extend(profiles.iter().map(|p| p.id.clone()))).unwrap();
    assert!(!seen.is_empty(), "the profiles saved before binding are offered once");
    store
        .update(|profiles| {
            profiles.push(draft("Imported later").into_profile("later".into()));
            Ok(())
        })
        .unwrap();
    let (store, _) = ProfileStore::open(dir.path());
    store.bind_unbound_secrets_once(|_| panic!("a file is bound only once")).unwrap();
    let text = std::fs::read_to_string(dir.path().join("profiles.json")).unwrap();
    assert!(text.contains("\"secretsBound\": true"), "{text}");

    // A file this version starts is marked from its first save: nothing in it predates binding.
    let fresh = tempfile::tempdir().unwrap();
    let (store, _) = ProfileStore::open(fresh.path());
    store
        .update(|profiles| {
            profiles.push(draft("New").into_profile("new".into()));
            Ok(())
        })
        .unwrap();
    store.bind_unbound_secrets_once(|_| panic!("a new file has nothing unbound")).unwrap();
}
