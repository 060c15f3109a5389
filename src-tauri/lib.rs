//! The desktop shell: Tauri wiring and thin commands over `switchboard-core`.

mod commands;
mod connections;

pub use connections::Connections;

use tauri::Runtime;

/// Adds the app's state and commands to a builder; generic over the runtime so tests can pass
/// `tauri::test::mock_builder()`.
pub fn configure<R: Runtime>(builder: tauri::Builder<R>, connections: Connections) -> tauri::Builder<R> {
    builder.manage(connections).invoke_handler(tauri::generate_handler![
        commands::list_connections,
        commands::describe_operation,
        commands::check_account_information,
        commands::read_account_information,
        commands::update_account_information,
    ])
}

pub fn run() {
    let connections = match tauri::async_runtime::block_on(Connections::start()) {
        Ok(connections) => connections,
        Err(error) => {
            eprintln!("Switchboard could not start its Practice connection: {error}");
            std::process::exit(1);
        }
    };
    configure(tauri::Builder::default(), connections)
        .run(tauri::generate_context!("tauri.conf.json"))
        .expect("the Tauri application failed to start");
}
