// One window showing dist/index.html: nothing else, by design (see Cargo.toml).
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    tauri::Builder::default().run(tauri::generate_context!()).expect("the minimal app failed to start");
}
