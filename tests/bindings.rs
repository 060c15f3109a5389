//! The TypeScript bindings in `ui/src/bindings/` are generated from the Rust types; this test
//! fails when the committed files differ from freshly generated ones.
//! Regenerate with: `UPDATE_BINDINGS=1 cargo test --test bindings`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn read_dir(dir: &Path) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|ext| ext == "ts") {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            files.insert(name, std::fs::read_to_string(&path).unwrap());
        }
    }
    files
}

#[test]
fn committed_bindings_match_the_rust_types() {
    let fresh = tempfile::tempdir().unwrap();
    switchboard_core::bindings::export_all(fresh.path()).unwrap();
    let generated = read_dir(fresh.path());
    assert!(generated.contains_key("OperationSpec.ts"), "{:?}", generated.keys());
    let committed_dir: PathBuf = [env!("CARGO_MANIFEST_DIR"), "ui", "src", "bindings"].iter().collect();

    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        for (name, _) in read_dir(&committed_dir) {
            std::fs::remove_file(committed_dir.join(name)).unwrap();
        }
        std::fs::create_dir_all(&committed_dir).unwrap();
        for (name, text) in &generated {
            std::fs::write(committed_dir.join(name), text).unwrap();
        }
        return;
    }

    let committed = read_dir(&committed_dir);
    let stale: Vec<&String> =
        generated.keys().chain(committed.keys()).filter(|name| generated.get(*name) != committed.get(*name)).collect();
    assert!(
        stale.is_empty(),
        "ui/src/bindings is out of date for {stale:?}. Run `UPDATE_BINDINGS=1 cargo test --test bindings` and commit the result."
    );
}
