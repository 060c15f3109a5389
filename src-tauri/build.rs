// The app's commands, declared in an app manifest so that only the capabilities that grant them
// (capabilities/main-window.json) can call them: see app_commands.rs.
include!("app_commands.rs");

fn main() {
    println!("cargo:rerun-if-changed=src-tauri/app_commands.rs");
    let manifest = tauri_build::AppManifest::new().commands(APP_COMMANDS);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
        .expect("the Tauri build step failed (app manifest, capabilities or tauri.conf.json)");
}
