//! The desktop shell: Tauri wiring and thin commands over `switchboard-core`.

mod bulk_commands;
mod commands;
mod people_commands;
pub mod practice;

use std::path::PathBuf;
use std::sync::Arc;
use switchboard_core::connection::{Connections, PracticeEndpoint};
use switchboard_core::files::{self, JsonFile};
use switchboard_core::secrets::{KeychainStore, SecretStore};
use switchboard_sandbox::Sandbox;
use tauri::{Manager, Runtime};

/// What the app needs before its window opens.
pub struct Startup {
    pub practice: PracticeEndpoint,
    /// The in-process sandbox behind Practice, kept alive with the app.
    pub sandbox: Option<Sandbox>,
    pub secrets: Arc<dyn SecretStore>,
    /// Where profiles are saved; the app's data folder when `None`.
    pub data_dir: Option<PathBuf>,
}

pub struct AppState {
    pub connections: Connections,
    /// UI preferences and the recent records per connection (`settings.json`).
    pub settings: JsonFile,
    /// Unsent edits, one entry per record, never a password (`drafts.json`): in their own file,
    /// so a damaged draft file costs no settings.
    pub drafts: JsonFile,
    /// Records open at the desk and their reviewed plans.
    pub sessions: switchboard_core::sessions::DeskSessions,
    /// The change history, or why it can't be used (then nothing is saved: a change the history
    /// can't name is not made).
    pub history: Result<Arc<switchboard_core::history::History>, String>,
    /// The People page's records read and reviews (issue #14).
    pub people: switchboard_core::people::change::PeopleSessions,
    /// Matches the person confirmed or rejected (`people-links.json`).
    pub links: switchboard_core::people::Links,
    _sandbox: Option<Sandbox>,
}

include!("app_commands.rs");

/// The app's context from tauri.conf.json, with the capabilities and the app manifest that
/// build.rs resolved; generic over the runtime so tests can build the real ACL on the mock runtime.
pub fn context<R: Runtime>() -> tauri::Context<R> {
    tauri::generate_context!("tauri.conf.json")
}

/// Whether `url` is the app's own page: the bundled UI (`tauri://localhost`, or
/// `http(s)://tauri.localhost` on Windows) or, in a development build, the dev server.
pub fn is_app_url(url: &tauri::Url, dev_url: Option<&tauri::Url>) -> bool {
    let own = match url.scheme() {
        "tauri" => url.host_str() == Some("localhost"),
        "http" | "https" => url.host_str() == Some("tauri.localhost"),
        _ => false,
    };
    own || dev_url.is_some_and(|dev| dev.origin() == url.origin())
}

/// Keeps every webview on the app's own origin: a link or a script can't take the window, and
/// with it the IPC bridge, to another page.
fn navigation_guard<R: Runtime>() -> tauri::plugin::TauriPlugin<R> {
    tauri::plugin::Builder::new("navigation-guard")
        .on_navigation(|webview, url| {
            let dev_url = if cfg!(dev) { webview.config().build.dev_url.clone() } else { None };
            let allowed = is_app_url(url, dev_url.as_ref());
            if !allowed {
                log::warn!(
                    "Blocked the window from navigating away from the app to {}",
                    url.origin().ascii_serialization()
                );
            }
            allowed
        })
        .build()
}

/// Adds plugins and commands to a builder; generic over the runtime so tests can pass
/// `tauri::test::mock_builder()`. A new command also goes into app_commands.rs and the main
/// window's capability (see there), or the window may not call it.
pub fn configure<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder
        .plugin(navigation_guard())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .invoke_handler(tauri::generate_handler![
            commands::list_connections,
            commands::remember_connection,
            commands::save_connection,
            commands::duplicate_connection,
            commands::delete_connection,
            commands::test_connection,
            commands::export_connections,
            commands::import_connections,
            commands::list_vendors,
            commands::choose_certificate,
            commands::sign_in_partner_center,
            commands::list_operations,
            commands::describe_operation,
            commands::open_record,
            commands::check_edits,
            commands::review_edits,
            commands::apply_plan,
            commands::close_record,
            commands::list_history,
            commands::history_notice,
            commands::open_undo,
            commands::export_history,
            commands::list_choices,
            commands::recent_records,
            commands::remember_record,
            commands::list_drafts,
            commands::save_draft,
            commands::discard_draft,
            bulk_commands::bulk_template,
            bulk_commands::bulk_export,
            bulk_commands::bulk_import,
            bulk_commands::bulk_jobs,
            bulk_commands::bulk_job_rows,
            bulk_commands::bulk_run,
            bulk_commands::bulk_control,
            bulk_commands::bulk_discard,
            bulk_commands::bulk_plan_undo,
            bulk_commands::bulk_save_results,
            people_commands::search_person,
            people_commands::group_people,
            people_commands::open_person,
            people_commands::review_person,
            people_commands::save_person,
            people_commands::undo_person_save,
            people_commands::link_people,
            people_commands::undo_link,
        ])
}

/// The window-state plugin saves when the app exits; saving shortly after each move or resize as
/// well means a crash or a forced logout keeps the size and position too.
fn save_window_state_soon<R: Runtime>(window: &tauri::Window<R>, event: &tauri::WindowEvent) {
    use std::sync::atomic::{AtomicU64, Ordering};
    use tauri_plugin_window_state::{AppHandleExt, StateFlags};
    static LATEST: AtomicU64 = AtomicU64::new(0);
    if !matches!(event, tauri::WindowEvent::Moved(_) | tauri::WindowEvent::Resized(_)) {
        return;
    }
    let this = LATEST.fetch_add(1, Ordering::SeqCst) + 1;
    let app = window.app_handle().clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        if LATEST.load(Ordering::SeqCst) == this {
            if let Err(error) = app.save_window_state(StateFlags::all()) {
                log::warn!("The window size and position could not be saved: {error}");
            }
        }
    });
}

/// Opens the saved connections and hands the app its state; call once after `build`.
pub fn manage_state<R: Runtime>(app: &tauri::App<R>, mut startup: Startup) -> Result<(), Box<dyn std::error::Error>> {
    let data_dir = data_dir(app, startup.data_dir.take())?;
    hand_over(app, open_state(&data_dir, startup)?);
    Ok(())
}

/// Gives Tauri the state the commands take: the opened files and the (empty) bulk runs.
fn hand_over<R: Runtime>(app: &impl Manager<R>, state: AppState) {
    app.manage(state);
    app.manage(bulk_commands::BulkRuns::default());
}

/// Where profiles, drafts and the history live: `dir` if given, else SWITCHBOARD_DATA_DIR (which
/// points the app and switchboard-cli at the same other folder), else the app's data folder.
fn data_dir<R: Runtime>(app: &tauri::App<R>, dir: Option<PathBuf>) -> tauri::Result<PathBuf> {
    match dir {
        Some(dir) => Ok(dir),
        None => match std::env::var_os(switchboard_core::history::DATA_DIR_VARIABLE).filter(|dir| !dir.is_empty()) {
            Some(dir) => Ok(PathBuf::from(dir)),
            None => app.path().app_data_dir(),
        },
    }
}

/// Opens what the commands use from `data_dir`: files only, no window, so it can run on a thread
/// of its own while the window is created.
fn open_state(data_dir: &std::path::Path, startup: Startup) -> Result<AppState, Box<dyn std::error::Error>> {
    // Profiles, settings and drafts are the user's alone (0700 folder, 0600 files on unix).
    files::keep_private(data_dir)?;
    let connections = Connections::open(data_dir, startup.practice, startup.secrets)?;
    let history = switchboard_core::history::History::open(data_dir).map(Arc::new).map_err(|error| {
        log::error!("{}", error.message);
        error.message
    });
    Ok(AppState {
        connections,
        settings: JsonFile::new(data_dir.join("settings.json")),
        drafts: JsonFile::new(data_dir.join("drafts.json")),
        sessions: Default::default(),
        history,
        people: Default::default(),
        links: switchboard_core::people::Links::open(data_dir),
        _sandbox: startup.sandbox,
    })
}

/// Request log lines (never a token, password or body; see `http.rs`) go to the OS log folder
/// and stdout. Registered by the app only: a process has one logger, and tests build many apps.
fn log_plugin<R: Runtime>() -> tauri::plugin::TauriPlugin<R> {
    use tauri_plugin_log::{RotationStrategy, Target, TargetKind};
    tauri_plugin_log::Builder::new()
        .clear_targets()
        .targets([Target::new(TargetKind::LogDir { file_name: None }), Target::new(TargetKind::Stdout)])
        .level(log::LevelFilter::Info)
        // Dependencies' chatter stays out; Switchboard's own lines stay in.
        .level_for("tao", log::LevelFilter::Warn)
        .level_for("wry", log::LevelFilter::Warn)
        .max_file_size(2_000_000)
        .rotation_strategy(RotationStrategy::KeepSome(5))
        .build()
}

pub fn run() {
    // The Practice sandbox starts on the async runtime while the main thread builds the window,
    // which needs nothing of it; the thread opening the commands' state waits for it below. A
    // second start that hands over to the open window (single instance) exits during the build,
    // its sandbox with it.
    let practice = tauri::async_runtime::spawn(practice::start());
    // Single instance first (as its docs require): a second start focuses the open window rather
    // than opening another desk on the same profiles and drafts.
    let builder = tauri::Builder::default();
    #[cfg(any(target_os = "macos", windows, target_os = "linux"))]
    let builder = builder.plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
        // Without its state (a failed start, hidden behind its dialog) the window stays hidden.
        if app.try_state::<AppState>().is_none() {
            return;
        }
        if let Some(window) = app.get_webview_window("main") {
            let _ = window.unminimize();
            let _ = window.show();
            let _ = window.set_focus();
        }
    }));
    // Window size and position come back as the user left them.
    let builder = builder
        .plugin(log_plugin())
        .plugin(tauri_plugin_window_state::Builder::new().build())
        .on_window_event(save_window_state_soon);
    // A plugin that cannot start (the log's folder, on Linux inside the data folder, is not
    // writable) fails the build: said in a dialog too, as a failure after it is.
    let app = configure(builder)
        .build(context())
        .unwrap_or_else(|error| fail_before_the_app(&format!("could not start: {error}")));
    // A second start has handed over and exited inside `build` (single instance), before it
    // touched the data folder. This one opens its files on a thread while the event loop's first
    // turn creates the window and its webview (60–90 ms here; the files 8–15), and hands the
    // state over at `Ready`: after the window exists, before the page can load, so before the
    // first command. A failure is told at `Ready` too, where a dialog can be shown.
    let log_dir = app.path().app_log_dir().ok();
    let opening =
        data_dir(&app, None).map_err(|error| format!("could not find its data folder: {error}")).and_then(|data_dir| {
            std::thread::Builder::new()
                .name("open-state".into())
                .spawn(move || open_state_at_start(practice, &data_dir, log_dir))
                .map_err(|error| format!("could not start a thread: {error}"))
        });
    let mut opening = Some(opening);
    app.run(move |app, event| {
        // Only at `Ready`: on Linux a `Resumed` comes first, before the window is created.
        if !matches!(event, tauri::RunEvent::Ready) {
            return;
        }
        let opened = match opening.take() {
            None => return,
            Some(Err(message)) => Err(message),
            Some(Ok(thread)) => thread.join().unwrap_or_else(|_| {
                Err("could not open its saved connections (the thread opening them panicked)".to_string())
            }),
        };
        match opened {
            Ok(state) => hand_over(app, state),
            Err(message) => fail_at_start(app, &message),
        }
    });
}

/// What the `open-state` thread does: waits for the Practice sandbox, opens the data folder's
/// files and makes the log folder private. The error is the end of "Switchboard …".
fn open_state_at_start(
    practice: tauri::async_runtime::JoinHandle<std::io::Result<(PracticeEndpoint, Option<Sandbox>)>>,
    data_dir: &std::path::Path,
    log_dir: Option<PathBuf>,
) -> Result<AppState, String> {
    let started = tauri::async_runtime::block_on(practice).map_err(|error| error.to_string());
    let (practice, sandbox) = started
        .and_then(|started| started.map_err(|error| error.to_string()))
        .map_err(|error| format!("could not start its Practice connection: {error}"))?;
    let secrets = Arc::new(KeychainStore::for_this_build());
    let startup = Startup { practice, sandbox, secrets, data_dir: None };
    // The folder is named: it is what the user (or their IT) has to look at.
    let state = open_state(data_dir, startup)
        .map_err(|error| format!("could not open its saved connections in {}: {error}", data_dir.display()))?;
    // The request log names hosts, customers' ids and users' ids: the user's alone too. Files
    // the log plugin starts later (rotation) are inside the now user-only folder.
    if let Some(log_dir) = log_dir {
        if let Err(error) = files::keep_private(&log_dir) {
            log::warn!("The log folder {} could not be made private: {error}", log_dir.display());
        }
    }
    Ok(state)
}

/// A start that cannot open its state says why where the user looks: in a dialog (a Windows or
/// macOS app started from its icon has no terminal) and on stderr, then exits 1 once the dialog
/// is closed. The window is hidden first: without its state it could only show errors.
fn fail_at_start<R: Runtime>(app: &tauri::AppHandle<R>, message: &str) {
    use tauri_plugin_dialog::{DialogExt, MessageDialogKind};
    eprintln!("Switchboard {message}");
    log::error!("Switchboard {message}");
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.hide();
    }
    app.dialog()
        .message(start_failed_text(message))
        .title(START_FAILED_TITLE)
        .kind(MessageDialogKind::Error)
        .show(|_| std::process::exit(1));
}

/// A start that fails while Tauri builds the app: the same words, in a dialog shown without the
/// app (rfd directly, blocking: there is no event loop to wait for), then exit 1. Not reached
/// without a display: the windowing toolkit aborts before `build` can return an error.
#[cfg(any(target_os = "macos", windows))]
fn fail_before_the_app(message: &str) -> ! {
    eprintln!("Switchboard {message}");
    rfd::MessageDialog::new()
        .set_level(rfd::MessageLevel::Error)
        .set_title(START_FAILED_TITLE)
        .set_description(start_failed_text(message))
        .set_buttons(rfd::MessageButtons::Ok)
        .show();
    std::process::exit(1);
}

/// On Linux the failed build has initialised GTK, which keeps GLib's main context on the main
/// thread for good (gtk-rs acquires it), so rfd's own GTK thread can never run the dialog: its
/// blocking form would wait forever. The dialog is started asynchronously and the main thread
/// turns the context until the answer arrives (another thread then exits).
#[cfg(target_os = "linux")]
fn fail_before_the_app(message: &str) -> ! {
    eprintln!("Switchboard {message}");
    let answered = rfd::AsyncMessageDialog::new()
        .set_level(rfd::MessageLevel::Error)
        .set_title(START_FAILED_TITLE)
        .set_description(start_failed_text(message))
        .set_buttons(rfd::MessageButtons::Ok)
        .show();
    let waiting = std::thread::Builder::new().name("start-failed".into()).spawn(move || {
        tauri::async_runtime::block_on(answered);
        std::process::exit(1);
    });
    if waiting.is_err() {
        std::process::exit(1);
    }
    let context = glib::MainContext::default();
    loop {
        context.iteration(true);
    }
}

#[cfg(not(any(target_os = "macos", windows, target_os = "linux")))]
fn fail_before_the_app(message: &str) -> ! {
    eprintln!("Switchboard {message}");
    std::process::exit(1);
}

/// What a failed start's dialog says: the reason, then what the user can do.
fn start_failed_text(message: &str) -> String {
    format!(
        "Switchboard {message}.\n\nNothing was changed at any vendor. Start Switchboard again once this is \
         fixed; if it keeps happening, send this message to whoever supports your computer."
    )
}

/// The title of the dialog a failed start shows (the e2e suite finds the dialog by it).
pub const START_FAILED_TITLE: &str = "Switchboard could not start";
