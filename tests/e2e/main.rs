//! End-to-end tests: the real app window, driven through WebDriver (`tauri-driver` +
//! WebKitWebDriver), against a sandbox this test owns, so it can check what the vendor now holds.
//!
//! Run under a display: `xvfb-run -a cargo test --features custom-protocol --test e2e`
//! (scripts/test.sh does this inside `dbus-run-session`).
//!
//! On Windows the same suite drives WebView2 (`tauri-driver` + Microsoft Edge WebDriver of the
//! WebView2 Runtime's version, `scripts/install-msedgedriver.ps1`): `E2E_CLEAR_APP_DATA=1 cargo
//! test --features switchboard/custom-protocol --test e2e` (see tests/e2e/driver.rs for why the
//! variable). The scenarios that need what only Linux offers here are skipped, each with its
//! reason (`not_on_this_system`).

mod driver;

use driver::{exit_within, files_below, press_key_in_window, visible_windows, App, Session};
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;
use switchboard_core::secrets::{read_for_profile, KeychainStore, ProfileSecret, SecretKind, SecretStore};
use switchboard_sandbox::{avepoint::sample_user, Faults, Sandbox, PRACTICE_CLIENT_ID, PRACTICE_CLIENT_SECRET};

type Outcome = Result<(), String>;
type Scenario = for<'a> fn(&'a Sandbox, &'a App) -> Pin<Box<dyn Future<Output = Outcome> + 'a>>;

/// Every scenario, in the order they run. Each gets a fresh sandbox and a fresh app home.
/// The app's environment beyond the test's own: none, or GTK's dark theme (which the webview
/// reports as `prefers-color-scheme: dark`).
type Env = &'static [(&'static str, &'static str)];
const LIGHT: Env = &[];
const DARK: Env = &[("GTK_THEME", "Adwaita:dark")];
/// The spreadsheet the Bulk page's import opens (a test can't drive the system's file dialog; the
/// app honours this in development builds only).
const BULK_FILE: &str = concat!(env!("CARGO_TARGET_TMPDIR"), "/e2e-bulk.csv");
const BULK: Env = &[("SWITCHBOARD_TEST_IMPORT_FILE", BULK_FILE)];
/// A German system: WebKitGTK takes the page's language from the C library's locale (compiled into
/// the target folder by `compile_german_locale`), as WebView2 and WKWebView take it from the system.
const GERMAN_LOCALES: &str = concat!(env!("CARGO_TARGET_TMPDIR"), "/e2e-locales");
const GERMAN: Env = &[("LOCPATH", GERMAN_LOCALES), ("LC_ALL", "de_DE.UTF-8"), ("LANGUAGE", "de_DE")];

const SCENARIOS: &[(&str, Env, Scenario)] = &[
    ("invalid_mail_sends_nothing_and_survives_a_restart_as_a_draft", LIGHT, |s, a| {
        Box::pin(invalid_mail_sends_nothing_and_survives_a_restart_as_a_draft(s, a))
    }),
    ("avepoint_user_is_picked_edited_reviewed_and_saved", LIGHT, |s, a| {
        Box::pin(avepoint_user_is_picked_edited_reviewed_and_saved(s, a))
    }),
    ("avepoint_outage_on_save_is_explained_and_keeps_the_typed_values", LIGHT, |s, a| {
        Box::pin(avepoint_outage_on_save_is_explained_and_keeps_the_typed_values(s, a))
    }),
    ("a_change_made_at_the_vendor_after_the_review_is_not_overwritten", LIGHT, |s, a| {
        Box::pin(a_change_made_at_the_vendor_after_the_review_is_not_overwritten(s, a))
    }),
    ("a_desk_change_is_in_the_history_and_undone_from_there", LIGHT, |s, a| {
        Box::pin(a_desk_change_is_in_the_history_and_undone_from_there(s, a))
    }),
    ("a_sheet_is_imported_reviewed_and_run_and_a_killed_run_resumes_with_nothing_sent_twice", BULK, |s, a| {
        Box::pin(a_sheet_is_imported_reviewed_and_run_and_a_killed_run_resumes_with_nothing_sent_twice(s, a))
    }),
    ("a_person_is_found_at_every_vendor_and_a_surname_changed_once_is_saved_everywhere", LIGHT, |s, a| {
        Box::pin(a_person_is_found_at_every_vendor_and_a_surname_changed_once_is_saved_everywhere(s, a))
    }),
    ("a_connection_is_created_tested_and_deleted", LIGHT, |s, a| {
        Box::pin(a_connection_is_created_tested_and_deleted(s, a))
    }),
    ("msp360_user_is_picked_edited_and_saved_then_an_unreachable_vendor_is_explained", LIGHT, |s, a| {
        Box::pin(msp360_user_is_picked_edited_and_saved_then_an_unreachable_vendor_is_explained(s, a))
    }),
    ("softwareone_user_is_picked_edited_and_saved_then_throttling_is_explained", LIGHT, |s, a| {
        Box::pin(softwareone_user_is_picked_edited_and_saved_then_throttling_is_explained(s, a))
    }),
    ("partner_center_signs_in_in_the_browser_saves_and_names_a_missing_role", LIGHT, |s, a| {
        Box::pin(partner_center_signs_in_in_the_browser_saves_and_names_a_missing_role(s, a))
    }),
    ("a_second_start_hands_over_to_the_open_window_which_remembers_its_size", LIGHT, |_, a| {
        Box::pin(a_second_start_hands_over_to_the_open_window_which_remembers_its_size(a))
    }),
    ("the_header_stays_one_line_with_long_names_at_the_smallest_window_and_large_text", LIGHT, |s, a| {
        Box::pin(the_header_stays_one_line_with_long_names_at_the_smallest_window_and_large_text(s, a))
    }),
    ("the_dark_theme_header_holds_long_names_too", DARK, |s, a| {
        Box::pin(the_dark_theme_header_holds_long_names_too(s, a))
    }),
    ("on_a_german_system_the_desk_works_and_react_aria_speaks_english_like_the_rest", GERMAN, |_, a| {
        Box::pin(on_a_german_system_the_desk_works_and_react_aria_speaks_english_like_the_rest(a))
    }),
    ("a_start_that_cannot_open_its_data_folder_says_why_in_a_dialog_and_exits", LIGHT, |_, a| {
        Box::pin(a_start_that_cannot_open_its_data_folder_says_why_in_a_dialog_and_exits(a))
    }),
];

/// `E2E_ONLY=part_of_a_name` runs the matching scenarios; `E2E_REPEAT=N` runs the suite N times
/// in a row and stops at the first failure (to check for flakiness).
#[tokio::main]
async fn main() {
    // thirtyfour's HTTP client is reqwest's, which takes rustls's provider from the process.
    switchboard_core::http::use_ring_for_tls();
    let only = std::env::var("E2E_ONLY").ok();
    let rounds: usize = std::env::var("E2E_REPEAT").ok().and_then(|n| n.parse().ok()).unwrap_or(1).max(1);
    let wanted: Vec<_> =
        SCENARIOS.iter().filter(|(name, _, _)| only.as_ref().is_none_or(|o| name.contains(o))).collect();
    let mut tally = Tally::default();
    'rounds: for round in 1..=rounds {
        if rounds > 1 {
            println!("\n-- round {round} of {rounds}");
        }
        for (name, env, scenario) in &wanted {
            if let Some(reason) = not_on_this_system(name) {
                println!("test {name} ... skipped: {reason}");
                tally.skipped += 1;
                continue;
            }
            let started = std::time::Instant::now();
            let outcome = run(name, env, *scenario).await;
            tally.record(name, started.elapsed(), outcome);
            if tally.failed > 0 && rounds > 1 {
                println!("stopped at the first failure (round {round} of {rounds})");
                break 'rounds;
            }
        }
    }
    if tally.skipped > 0 {
        println!("\ne2e: {} passed, {} failed, {} skipped", tally.passed, tally.failed, tally.skipped);
    } else {
        println!("\ne2e: {} passed, {} failed", tally.passed, tally.failed);
    }
    std::process::exit(if tally.failed == 0 && tally.passed > 0 { 0 } else { 1 });
}

/// Why a scenario cannot run on this system, if it cannot. On Linux every scenario runs.
fn not_on_this_system(name: &str) -> Option<&'static str> {
    if !cfg!(windows) {
        return None;
    }
    match name {
        "partner_center_signs_in_in_the_browser_saves_and_names_a_missing_role" => Some(
            "the sign-in page opens in the system browser; on Linux tests/e2e/bin/xdg-open plays that \
             browser, but Windows opens URLs through the shell's default browser, which a test cannot \
             stand in for",
        ),
        "on_a_german_system_the_desk_works_and_react_aria_speaks_english_like_the_rest" => Some(
            "the page's language is switched with a glibc locale, which only WebKitGTK reads; WebView2 \
             follows the Windows display language, which the suite does not change for the whole machine",
        ),
        "a_start_that_cannot_open_its_data_folder_says_why_in_a_dialog_and_exits" => Some(
            "the dialog is found by its title and answered through X (xdotool); Windows has no X, and \
             the suite has no other way to reach a window that is not a webview",
        ),
        "the_dark_theme_header_holds_long_names_too" => Some(
            "the dark theme is switched on with GTK_THEME, which only GTK reads; WebView2 follows the \
             Windows setting, which the suite does not change for the whole machine",
        ),
        _ => None,
    }
}

/// One scenario with its own sandbox and its own app (fresh home folder, fresh driver), bounded
/// in time: a hung WebDriver call fails the scenario after 3 minutes instead of holding CI.
async fn run(name: &str, env: &[(&str, &str)], scenario: Scenario) -> Outcome {
    if env == GERMAN {
        compile_german_locale()?;
    }
    let sandbox = Sandbox::start().await.map_err(|e| format!("the sandbox did not start: {e}"))?;
    let app = App::start(name, &sandbox.url(), env).await.map_err(|e| format!("tauri-driver did not start: {e}"))?;
    let outcome = match tokio::time::timeout(Duration::from_secs(180), scenario(&sandbox, &app)).await {
        Ok(outcome) => outcome,
        Err(_) => Err(format!("did not finish within 3 minutes; {}", app.report_hang().await)),
    };
    app.stop();
    outcome
}

#[derive(Default)]
struct Tally {
    passed: usize,
    failed: usize,
    skipped: usize,
}

impl Tally {
    fn record(&mut self, name: &str, took: Duration, outcome: Outcome) {
        let seconds = took.as_secs_f64();
        match outcome {
            Ok(()) => {
                self.passed += 1;
                println!("test {name} ... ok ({seconds:.1} s)");
            }
            Err(message) => {
                self.failed += 1;
                println!("test {name} ... FAILED ({seconds:.1} s)\n    {message}");
            }
        }
    }
}

/// Opens the app, loads the Practice sample user and waits for the form.
async fn open_sample_user(app: &App) -> Result<Session, String> {
    let session = app.session().await?;
    session.click("[data-action='load']").await?;
    session.wait_for("[data-field='mail']").await?;
    Ok(session)
}

async fn invalid_mail_sends_nothing_and_survives_a_restart_as_a_draft(sandbox: &Sandbox, app: &App) -> Outcome {
    let (customer, tenant, user) = sample_user();
    let before = sandbox.state().avepoint.user(customer, tenant, user).ok_or("sample user missing")?;
    let session = open_sample_user(app).await?;
    let result = async {
        session.replace_text("[data-field='mail']", "not-an-address").await?;
        let error = session.wait_for_text("[data-error-for='mail']", "must be an email address").await?;
        session.click("[data-action='save']").await?;
        // Save with a field error moves focus to that field and sends nothing.
        session.wait_for_focus("[data-field='mail']").await?;
        let still = session.text("[data-error-for='mail']").await?;
        if still != error {
            return Err(format!("the field error changed after Save: {still:?}"));
        }
        if session.exists("[data-outcome='saved']").await? {
            return Err("the app reported a save".into());
        }
        // The draft is written shortly after the last keystroke: wait until it is on disk.
        wait_for_draft(app, "not-an-address").await?;
        let typed = session.value("[data-field='mail']").await?;
        if typed != "not-an-address" {
            return Err(format!("the typed value was lost: {typed:?}"));
        }
        let writes: Vec<_> = sandbox
            .state()
            .requests()
            .into_iter()
            // Token requests and the pickers' list queries (POST .../batch) change nothing.
            .filter(|r| r.method != "GET" && !r.path.ends_with("/connect/token") && !r.path.ends_with("/batch"))
            .collect();
        if !writes.is_empty() {
            return Err(format!(
                "the app sent {} write request(s): {:?}",
                writes.len(),
                writes.iter().map(|r| &r.path).collect::<Vec<_>>()
            ));
        }
        let after = sandbox.state().avepoint.user(customer, tenant, user).ok_or("sample user missing")?;
        if after != before {
            return Err("the sandbox user changed".into());
        }
        session.screenshot("account-information-invalid-mail.png").await
    }
    .await;
    session.finish(result).await?;

    // Closing the window loses nothing: the next start offers the edits and restores them.
    let session = app.session().await?;
    let result = async {
        session.click("[data-draft='Mark Lee']").await?;
        session.wait_for("[data-outcome='draft-restored']").await?;
        let restored = session.value("[data-field='mail']").await?;
        if restored != "not-an-address" {
            return Err(format!("the draft came back as {restored:?}"));
        }
        session.wait_for_text("[data-error-for='mail']", "must be an email address").await?;
        session.click("[data-action='discard-draft']").await?;
        session.wait_for_text(".dirty-summary", "No unsaved changes").await?;
        Ok(())
    }
    .await;
    session.finish(result).await
}

/// Waits until the app's drafts file holds `text` (drafts are written shortly after a change).
async fn wait_for_draft(app: &App, text: &str) -> Outcome {
    let path = app.data_dir().join("com.switchboard.desk").join("drafts.json");
    for _ in 0..100 {
        if std::fs::read_to_string(&path).is_ok_and(|drafts| drafts.contains(text)) {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(format!("no draft holding {text:?} was written to {}", path.display()))
}

/// Picks customer, tenant and user by name, as a person would.
async fn pick(session: &Session, picks: &[(&str, &str, &str)]) -> Outcome {
    for (key, typed, name) in picks {
        session.choose(&format!("[data-field='{key}']"), typed, name).await?;
    }
    Ok(())
}

async fn avepoint_user_is_picked_edited_reviewed_and_saved(sandbox: &Sandbox, app: &App) -> Outcome {
    let (customer, tenant, _) = sample_user();
    let adele = "0f3b9a7e-5d2c-4e1f-8a6b-3c9d2e1f0a4b";
    let session = app.session().await?;
    let result = async {
        pick(
            &session,
            &[
                ("customerId", "contoso", "Contoso Ltd"),
                ("tenantId", "contoso", "contoso.onmicrosoft.com"),
                ("userId", "adele", "Adele Vance"),
            ],
        )
        .await?;
        if session.exists("[data-draft]").await? {
            return Err("a discarded draft is still offered under Unsent edits".into());
        }
        let header = session.wait_for_context("Adele Vance").await?;
        if !header.contains("Contoso Ltd") || !header.contains("contoso.onmicrosoft.com") {
            return Err(format!("the header does not name customer and tenant: {header:?}"));
        }
        session.screenshot("desk-pickers.png").await?;
        session.click("[data-action='load']").await?;
        session.wait_for("[data-field='mail']").await?;
        // Enforcement is off: the vendor's 1970 "not set" date reads as such, not as a date.
        let start = session.text("[data-field='enforceStartDateTime']").await?;
        if start != "Not set" {
            return Err(format!("with enforcement off the start date shows {start:?}"));
        }
        session.replace_text("[data-field='mail']", "adele.vance@contoso.example").await?;
        session.choose("[data-field='usageLocation']", "Germany", "Germany (DE)").await?;
        session.screenshot("account-information-form.png").await?;
        session.click("[data-action='save']").await?;
        let review = session.wait_for_text("[data-review]", "Review the change").await?;
        if !review.contains("Adele Vance (Contoso Ltd › contoso.onmicrosoft.com)")
            || !review.contains("→ adele.vance@contoso.example")
            || !review.contains("United States (US) → Germany (DE)")
        {
            return Err(format!("the review does not name the user or show before → after: {review:?}"));
        }
        if sandbox.state().requests().iter().any(|r| r.method == "PUT") {
            return Err("something was sent before the review was confirmed".into());
        }
        session.screenshot("account-information-review.png").await?;
        session.click("[data-action='confirm-save']").await?;
        let banner = session.wait_for_text("[data-outcome='saved']", "Saved.").await?;
        if !banner.contains("Email") || !banner.contains("Usage location") || !banner.contains("Reference") {
            return Err(format!("the success message does not name the changes and reference: {banner:?}"));
        }
        let saved = sandbox.state().avepoint.user(customer, tenant, adele).ok_or("Adele is missing")?;
        if saved.mail != "adele.vance@contoso.example" || saved.usage_location != "DE" {
            return Err(format!("the sandbox holds mail {:?}, usage location {:?}", saved.mail, saved.usage_location));
        }
        if saved.preferred_language != "en-US" {
            return Err(format!("an untouched field changed: preferredLanguage = {:?}", saved.preferred_language));
        }
        let put =
            sandbox.state().requests().into_iter().find(|r| r.method == "PUT").ok_or("no PUT reached the sandbox")?;
        let body = put.json().ok_or("the PUT body is not JSON")?;
        if body.as_object().map(|o| o.len()) != Some(7) {
            return Err(format!("the PUT did not carry all seven fields: {body}"));
        }
        session.screenshot("account-information-saved.png").await?;
        // The record is one click away next time.
        session.wait_for_text("[data-recent='Adele Vance']", "Contoso Ltd").await?;

        // AvePoint's second operation for the same user: the picks stay, City is asked for.
        session.scroll_to_top().await?;
        session.click("[data-field='operation']").await?;
        session.click_xpath("//*[@role='option'][contains(., 'Office information')]").await?;
        session.wait_for_context("Adele Vance").await?;
        session.click("[data-action='load']").await?;
        session.wait_for("[data-field='city']").await?;
        // A suggestion list: the option reads "Germany (DE)", the field takes AvePoint's "Germany".
        session.replace_text("[data-field='countryRegion']", "Germ").await?;
        session.click_xpath("//*[@role='option'][contains(., 'Germany (DE)')]").await?;
        session.replace_text("[data-field='city']", "Berlin").await?;
        session.click("[data-action='save']").await?;
        session.wait_for_text("[data-review]", "→ Berlin").await?;
        session.click("[data-action='confirm-save']").await?;
        session.wait_for_text("[data-outcome='saved']", "City").await?;
        let office = sandbox.state().avepoint.user(customer, tenant, adele).ok_or("Adele is missing")?;
        if office.city.as_deref() != Some("Berlin") || office.country_region != "Germany" {
            return Err(format!("the sandbox holds city {:?}, country {:?}", office.city, office.country_region));
        }
        Ok(())
    }
    .await;
    session.finish(result).await
}

async fn avepoint_outage_on_save_is_explained_and_keeps_the_typed_values(sandbox: &Sandbox, app: &App) -> Outcome {
    let session = open_sample_user(app).await?;
    let result = async {
        session.replace_text("[data-field='mail']", "mark@fabrikam.example").await?;
        // Every request to the user fails from now on: the app retries, then explains.
        sandbox.state().set_faults(Faults {
            fail_next: 50,
            only_paths_containing: "/users/".into(),
            ..Faults::default()
        });
        session.click("[data-action='save']").await?;
        session.click("[data-action='confirm-save']").await?;
        let banner = session.wait_for_text("[data-outcome='error']", "having problems").await?;
        if !banner.contains("nothing was lost") {
            return Err(format!("the error does not reassure about the typed values: {banner:?}"));
        }
        let typed = session.value("[data-field='mail']").await?;
        if typed != "mark@fabrikam.example" {
            return Err(format!("the typed value was lost: {typed:?}"));
        }
        session.screenshot("error-vendor-unavailable.png").await
    }
    .await;
    sandbox.state().set_faults(Faults::default());
    session.finish(result).await
}

/// Save applies the reviewed plan, never a new one: a change someone makes in the vendor's portal
/// between the review and Save stops the save, names the field, and the edits survive a reload.
async fn a_change_made_at_the_vendor_after_the_review_is_not_overwritten(sandbox: &Sandbox, app: &App) -> Outcome {
    let (customer, tenant, user) = sample_user();
    let session = open_sample_user(app).await?;
    let result = async {
        session.replace_text("[data-field='mail']", "mark.new@contoso.example").await?;
        session.click("[data-action='save']").await?;
        let review = session.wait_for_text("[data-review]", "→ mark.new@contoso.example").await?;
        if !review.contains("The exact request") {
            return Err(format!("the review does not offer the exact request: {review:?}"));
        }
        // Someone changes the user's language in the portal meanwhile.
        sandbox.state().avepoint.edit_user(customer, tenant, user, |u| u.preferred_language = "de-DE".into());
        session.click("[data-action='confirm-save']").await?;
        let banner = session
            .wait_for_text("[data-outcome='error'][data-code='changed_since_review']", "Preferred language")
            .await?;
        if !banner.contains("Nothing was saved") {
            return Err(format!("the banner does not say nothing was saved: {banner:?}"));
        }
        if sandbox.state().requests().iter().any(|r| r.method == "PUT") {
            return Err("a PUT was sent over the portal's change".into());
        }
        session.wait_for_text("[data-error-for='preferredLanguage']", "it is now \"de-DE\"").await?;
        session.screenshot("changed-since-review.png").await?;
        // The edit comes back (from the draft) on top of the vendor's current values.
        session.click("[data-action='error-action']").await?;
        session.wait_for_value("[data-field='mail']", "mark.new@contoso.example", Duration::from_secs(10)).await?;
        session.click("[data-action='save']").await?;
        session.wait_for_text("[data-review]", "→ mark.new@contoso.example").await?;
        session.click("[data-action='confirm-save']").await?;
        session.wait_for_text("[data-outcome='saved']", "Saved.").await?;
        let saved = sandbox.state().avepoint.user(customer, tenant, user).ok_or("sample user missing")?;
        if saved.mail != "mark.new@contoso.example" || saved.preferred_language != "de-DE" {
            return Err(format!("the sandbox holds {:?} / {:?}", saved.mail, saved.preferred_language));
        }
        Ok(())
    }
    .await;
    session.finish(result).await
}

/// The History page lists a desk save; Undo reviews the way back and the sandbox holds the old
/// value again; a change made since shows before / after / now and sends nothing by itself.
async fn a_desk_change_is_in_the_history_and_undone_from_there(sandbox: &Sandbox, app: &App) -> Outcome {
    let (customer, tenant, user) = sample_user();
    let mail = || sandbox.state().avepoint.user(customer, tenant, user).map(|u| u.mail).unwrap_or_default();
    let original = mail();
    let session = open_sample_user(app).await?;
    let result = async {
        session.replace_text("[data-field='mail']", "mark.history@contoso.example").await?;
        session.click("[data-action='save']").await?;
        session.click("[data-action='confirm-save']").await?;
        session.wait_for_text("[data-outcome='saved']", "Saved.").await?;

        session.click("[data-nav='history']").await?;
        let row = session.wait_for_text("[data-entry]", "mark.history@contoso.example").await?;
        if !row.contains("Done") || !row.contains("Mark Lee") {
            return Err(format!("the history row does not say what was done to whom: {row:?}"));
        }
        session.click("[data-action='open-entry']").await?;
        session.wait_for_text("[data-entry-detail]", "from the desk").await?;
        session.screenshot("history.png").await?;
        session.click("[data-action='undo']").await?;
        let review = session.wait_for_text("[data-undo]", "Review the undo").await?;
        if !review.contains(&format!("mark.history@contoso.example → {original}")) {
            return Err(format!("the undo's review does not show the way back: {review:?}"));
        }
        session.click("[data-action='confirm-undo']").await?;
        session.wait_for_text("[data-outcome='history-message']", "Undone").await?;
        if mail() != original {
            return Err(format!("after the undo the sandbox holds {:?}, not {original:?}", mail()));
        }

        // A second change, then someone else changes the same field: the undo shows all three.
        session.click("[data-nav='desk']").await?;
        session.click("[data-action='load']").await?;
        session.wait_for_value("[data-field='mail']", &original, Duration::from_secs(10)).await?;
        session.replace_text("[data-field='mail']", "mark.second@contoso.example").await?;
        session.click("[data-action='save']").await?;
        session.click("[data-action='confirm-save']").await?;
        session.wait_for_text("[data-outcome='saved']", "Saved.").await?;
        sandbox.state().avepoint.edit_user(customer, tenant, user, |u| u.mail = "someone.else@contoso.example".into());
        session.click("[data-nav='history']").await?;
        session.wait_for_text("[data-entry]", "mark.second@contoso.example").await?;
        session.click("[data-action='open-entry']").await?;
        session.click("[data-action='undo']").await?;
        let choose = session.wait_for_text("[data-undo]", "The record changed since").await?;
        if !choose.contains("now someone.else@contoso.example") || !choose.contains(&format!("before {original}")) {
            return Err(format!("the conflict does not show before / after / now: {choose:?}"));
        }
        session.screenshot("history-undo-conflict.png").await?;
        session.click("[data-action='undo-cancel']").await?;
        if mail() != "someone.else@contoso.example" {
            return Err("the conflict sent something".into());
        }
        Ok(())
    }
    .await;
    session.finish(result).await
}

/// Writes the sandbox received with a body holding `needle`, as `METHOD path`.
fn writes_holding(sandbox: &Sandbox, needle: &str) -> Vec<String> {
    sandbox
        .state()
        .requests()
        .into_iter()
        .filter(|r| (r.method == "PUT" || r.method == "PATCH") && r.body.contains(needle))
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

async fn a_person_is_found_at_every_vendor_and_a_surname_changed_once_is_saved_everywhere(
    sandbox: &Sandbox,
    app: &App,
) -> Outcome {
    // Practice's people (the app's own sandbox seeds them; this one is the test's).
    sandbox.state().seed_people();
    let session = app.session().await?;
    let result = async {
        session.click("[data-nav='people']").await?;
        session.replace_text("[data-field='person-query'] input", "anna.berg@northwind.example").await?;
        session.click("[data-action='search-person']").await?;
        // Each connection answers on its own (at its vendor's pace): wait for all four.
        for connection in ["practice", "practice-partner-center", "practice-softwareone", "practice-msp360"] {
            session.wait_for_text(&format!("[data-search-status='{connection}']"), "found").await?;
        }
        // One person, Anna Berg, with a record at every vendor.
        for needle in ["Anna Berg", "AvePoint", "Partner Center", "SoftwareOne", "MSP360"] {
            session.wait_for_text("[data-person]", needle).await?;
        }
        session.click("[data-action='open-person']").await?;
        session.wait_for("[data-side-by-side]").await?;
        session.screenshot("people-side-by-side.png").await?;
        session.replace_text("[data-edit='surname'] input", "Lind").await?;
        session.click("[data-action='review-person']").await?;
        let review = session.wait_for_text("[data-review]", "Lind").await?;
        let sending = session.count("[data-part][data-sends='true']").await?;
        if sending < 3 {
            return Err(format!("the review should change the surname at three vendors: {review:?}"));
        }
        session.screenshot("people-review.png").await?;
        // MSP360 fails for now: the others are saved, and MSP360 is retried alone.
        sandbox.state().set_faults(Faults {
            fail_next: 50,
            only_paths_containing: "/msp360/".into(),
            ..Faults::default()
        });
        session.click("[data-action='save-person']").await?;
        let results = session.wait_for_text("[data-outcome='person-saved']", "Not saved").await?;
        if !results.contains("MSP360") {
            return Err(format!("the failed vendor is not named: {results:?}"));
        }
        let saved_first = writes_holding(sandbox, "Lind");
        if saved_first.len() != sending - 1 || saved_first.iter().any(|w| w.contains("/msp360/")) {
            return Err(format!("the first save should reach every vendor but MSP360: {saved_first:?}"));
        }
        sandbox.state().set_faults(Faults::default());
        session.click("[data-action='retry-failed']").await?;
        session.wait_gone("[data-result='failed']").await.map_err(|e| format!("the retry did not save MSP360: {e}"))?;
        let saved = writes_holding(sandbox, "Lind");
        let msp360: Vec<_> = saved.iter().filter(|w| w.contains("/msp360/")).collect();
        if saved.len() != sending || msp360.len() != 1 {
            return Err(format!("after the retry every vendor should hold Lind, each sent once: {saved:?}"));
        }
        session.screenshot("people-saved.png").await
    }
    .await;
    session.finish(result).await
}

/// Kills the app's process (SIGKILL), found by its executable: what a crash or a power cut does.
#[cfg(not(windows))]
fn kill_app() -> Result<(), String> {
    let app = std::fs::canonicalize(env!("CARGO_BIN_EXE_switchboard")).map_err(|e| e.to_string())?;
    let mut killed = 0;
    for entry in std::fs::read_dir("/proc").map_err(|e| e.to_string())?.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        if std::fs::read_link(entry.path().join("exe")).ok().as_deref() == Some(app.as_path()) {
            let status = std::process::Command::new("sh").args(["-c", &format!("kill -KILL {pid}")]).status();
            if status.is_ok_and(|s| s.success()) {
                killed += 1;
            }
        }
    }
    if killed == 0 {
        return Err("found no app process to kill".into());
    }
    Ok(())
}

/// Ends the app's process at once (`taskkill /F`, which is TerminateProcess: no shutdown code
/// runs), found by its executable's name: what a crash or a power cut does.
#[cfg(windows)]
fn kill_app() -> Result<(), String> {
    let app = std::path::Path::new(env!("CARGO_BIN_EXE_switchboard"));
    let name = app.file_name().and_then(|n| n.to_str()).ok_or("the app's executable has no name")?;
    let status = std::process::Command::new("taskkill")
        .args(["/F", "/IM", name])
        .status()
        .map_err(|e| format!("taskkill could not run: {e}"))?;
    if !status.success() {
        return Err(format!("taskkill found no {name} to end ({status})"));
    }
    Ok(())
}

async fn a_sheet_is_imported_reviewed_and_run_and_a_killed_run_resumes_with_nothing_sent_twice(
    sandbox: &Sandbox,
    app: &App,
) -> Outcome {
    const ROWS: usize = 40;
    let (customer, tenant, _) = sample_user();
    let users = {
        let ids = || -> Vec<String> {
            let customers = sandbox.state().avepoint.customers();
            customers
                .iter()
                .find(|c| c.id == customer)
                .and_then(|c| c.tenants.iter().find(|t| t.id == tenant))
                .map(|t| t.users.iter().map(|u| u.id.clone()).collect())
                .unwrap_or_default()
        };
        let before = ids().len();
        sandbox.state().avepoint.add_generated_users(customer, tenant, ROWS).ok_or("no sample tenant")?;
        ids().split_off(before)
    };
    let mut sheet = String::from("\u{feff}customer;tenant;user;name;mail\r\n");
    for (index, id) in users.iter().enumerate() {
        sheet.push_str(&format!("{customer};{tenant};{id};Bulk User {index};bulk{index}@contoso.example\r\n"));
    }
    std::fs::write(BULK_FILE, sheet).map_err(|e| format!("the sheet could not be written: {e}"))?;
    // Slow answers, so the run is still going when the test kills the app, and the kill lands
    // between a change made and its answer (the sandbox applies first, then answers late).
    sandbox.state().set_faults(Faults { answer_latency: Duration::from_millis(150), ..Faults::default() });
    let puts = || sandbox.state().requests().iter().filter(|r| r.method == "PUT").count();

    let session = app.session().await?;
    let result = async {
        session.click("[data-nav='bulk']").await?;
        session.wait_for_text("#bulk-heading", "Bulk changes").await?;
        session.click("[data-action='bulk-import']").await?;
        let review = session.wait_for_text("[data-bulk-review]", "will change").await?;
        if !review.contains(&format!("{ROWS} rows will change")) {
            return Err(format!("the review does not count the rows: {review:?}"));
        }
        session.wait_for_text("[data-bulk-rows]", "bulk0@contoso.example").await?;
        if puts() != 0 {
            return Err("checking the sheet sent something".into());
        }
        session.screenshot("bulk-review.png").await?;
        session.click("[data-action='bulk-run']").await?;
        session.wait_for_text("[data-bulk-progress]", "done").await?;
        let started = std::time::Instant::now();
        while puts() < 6 {
            if started.elapsed() > Duration::from_secs(60) {
                return Err(format!("the run did not get going: {} PUTs", puts()));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        session.screenshot("bulk-running.png").await?;
        kill_app()
    }
    .await;
    if let Err(error) = result {
        return session.finish(Err(error)).await;
    }
    let _ = tokio::time::timeout(Duration::from_secs(10), session.finish(Ok(()))).await;
    let sent_before_kill = puts();
    if sent_before_kill >= ROWS {
        return Err("the run finished before the kill; the test proves nothing".into());
    }

    // The next start offers the interrupted job, and resuming it finishes every row once.
    let session = app.session().await?;
    let result = async {
        session.wait_for_text("[data-outcome='bulk-unfinished']", "did not finish").await?;
        session.click("[data-action='open-unfinished']").await?;
        session.click("[data-action='open-job']").await?;
        session.click("[data-action='bulk-resume']").await?;
        let summary = session.wait_for_text("[data-bulk-summary]", "Finished").await?;
        if !summary.contains(&format!("{ROWS} done")) {
            return Err(format!("the resumed job did not finish every row: {summary:?}"));
        }
        session.screenshot("bulk-finished.png").await?;
        for (index, id) in users.iter().enumerate() {
            let sent =
                sandbox.state().requests().iter().filter(|r| r.method == "PUT" && r.path.contains(id.as_str())).count();
            let mail = sandbox.state().avepoint.user(customer, tenant, id).map(|u| u.mail).unwrap_or_default();
            if sent != 1 || mail != format!("bulk{index}@contoso.example") {
                return Err(format!(
                    "row {index}: sent {sent} times, holds {mail:?} (killed after {sent_before_kill} PUTs)"
                ));
            }
        }
        Ok(())
    }
    .await;
    session.finish(result).await
}

/// The saved profiles file the app wrote, as JSON (empty when there is none).
fn saved_profiles(app: &App) -> serde_json::Value {
    let path = app.data_dir().join("com.switchboard.desk").join("profiles.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|_| "{}".into());
    assert!(!text.contains(PRACTICE_CLIENT_SECRET), "the profile file holds the secret");
    serde_json::from_str(&text).unwrap_or_default()
}

async fn a_connection_is_created_tested_and_deleted(sandbox: &Sandbox, app: &App) -> Outcome {
    // Debug builds keep their secrets under the development namespace.
    let keychain = KeychainStore::new("com.switchboard.desk.dev");
    let session = app.session().await?;
    let result = async {
        session.click("[data-nav='connections']").await?;
        session.click("[data-action='new-connection']").await?;
        session.replace_text("[data-field='name']", "E2E Contoso").await?;
        session.replace_text("[data-field='clientId']", PRACTICE_CLIENT_ID).await?;
        session.replace_text("[data-field='clientSecret']", PRACTICE_CLIENT_SECRET).await?;
        session.replace_text("[data-field='apiUrl']", &sandbox.avepoint_api_url()).await?;
        session.replace_text("[data-field='identityUrl']", &sandbox.avepoint_identity_url()).await?;
        session.click("[data-action='save-connection']").await?;
        session.wait_for_text("[data-outcome='connection-saved']", "Saved \"E2E Contoso\"").await?;

        let profiles = saved_profiles(app);
        let id = profiles["profiles"][0]["id"].as_str().ok_or(format!("no profile saved: {profiles}"))?.to_string();
        if profiles["profiles"][0]["name"] != "E2E Contoso" {
            return Err(format!("unexpected profile: {profiles}"));
        }
        // The keychain holds it bound to where this connection sends it (vendor, hosts, client id).
        let profile: switchboard_core::profiles::Profile =
            serde_json::from_value(profiles["profiles"][0].clone()).map_err(|e| e.to_string())?;
        match read_for_profile(&keychain, &profile, SecretKind::ClientSecret).map_err(|e| e.message)? {
            ProfileSecret::Usable(secret) if secret.expose() == PRACTICE_CLIENT_SECRET => {}
            other => return Err(format!("the secret is not in the system keychain for this connection: {other:?}")),
        }

        session.click("[data-action='test-connection']").await?;
        session.wait_for_text("[data-test-report='ok']", "customers visible").await?;
        session.screenshot("connections-test.png").await?;

        // The app's log names each request and holds no secret; no file the app wrote does.
        let mut logged = String::new();
        for file in app.app_folders().iter().flat_map(|folder| files_below(folder)) {
            let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap_or_default()).into_owned();
            if text.contains(PRACTICE_CLIENT_SECRET) {
                return Err(format!("{} holds the secret", file.display()));
            }
            if file.extension().is_some_and(|ext| ext == "log") {
                logged.push_str(&text);
            }
        }
        if !logged.contains("AvePoint POST 127.0.0.1/partner/external/v3/general/customers/batch -> 200") {
            return Err(format!("the request is not in the app log: {logged:?}"));
        }

        session.click("[data-action='delete-connection']").await?;
        let question = session.wait_for_text("[role='alertdialog']", "E2E Contoso").await?;
        if !question.contains("keychain") {
            return Err(format!("the confirmation does not say the secret goes too: {question:?}"));
        }
        session.click("[data-action='confirm-delete']").await?;
        session.wait_for_text("[data-outcome='connection-saved']", "Deleted \"E2E Contoso\"").await?;
        if saved_profiles(app)["profiles"].as_array().is_some_and(|p| !p.is_empty()) {
            return Err("the profile is still saved".into());
        }
        if keychain.get(&id, SecretKind::ClientSecret).map_err(|e| e.message)?.is_some() {
            return Err("the keychain entry was not removed".into());
        }
        Ok(())
    }
    .await;
    session.finish(result).await
}

/// Creates a connection on the Connections page and comes back to the desk with it selected.
async fn create_connection(session: &Session, name: &str, vendor: &str, fields: &[(&str, &str)]) -> Outcome {
    session.click("[data-nav='connections']").await?;
    session.click("[data-action='new-connection']").await?;
    session.replace_text("[data-field='name']", name).await?;
    session.click("[data-field='vendor']").await?;
    session.click_xpath(&format!("//*[@role='option'][contains(., '{vendor}')]")).await?;
    for (field, value) in fields {
        session.replace_text(&format!("[data-field='{field}']"), value).await?;
    }
    session.click("[data-action='save-connection']").await?;
    session.wait_for_text("[data-outcome='connection-saved']", &format!("Saved \"{name}\"")).await?;
    Ok(())
}

async fn use_connection(session: &Session, name: &str) -> Outcome {
    session.click("[data-nav='desk']").await?;
    session.click("[data-field='connection']").await?;
    session.click_xpath(&format!("//*[@role='option'][contains(., '{name}')]")).await
}

/// Saves through the review, then checks the error a broken vendor gives keeps the typed value.
/// `retrying`: what the desk should say while it waits to try again, if the failure is retried.
async fn save_fails_plainly(
    session: &Session,
    field: &str,
    typed: &str,
    retrying: Option<&str>,
    code: &str,
    words: &str,
) -> Outcome {
    session.replace_text(&format!("[data-field='{field}']"), typed).await?;
    session.click("[data-action='save']").await?;
    session.click("[data-action='confirm-save']").await?;
    if let Some(retrying) = retrying {
        session.wait_for_text("[data-outcome='retrying']", retrying).await?;
    }
    let banner = session.wait_for_text(&format!("[data-outcome='error'][data-code='{code}']"), words).await?;
    if !banner.contains("nothing was lost") {
        return Err(format!("the error does not say the typed values are kept: {banner:?}"));
    }
    let kept = session.value(&format!("[data-field='{field}']")).await?;
    if kept != typed {
        return Err(format!("the typed value was lost: {kept:?}"));
    }
    Ok(())
}

async fn msp360_user_is_picked_edited_and_saved_then_an_unreachable_vendor_is_explained(
    sandbox: &Sandbox,
    app: &App,
) -> Outcome {
    use switchboard_sandbox::msp360::{sample_user_id, PRACTICE_PASSWORD, PRACTICE_USER_NAME};
    let before = sandbox.state().msp360.user(sample_user_id()).ok_or("sample user missing")?;
    let name = format!("{} {}", before.first_name, before.last_name);
    let session = app.session().await?;
    let result = async {
        let url = sandbox.msp360_url();
        let fields = [("userName", PRACTICE_USER_NAME), ("clientSecret", PRACTICE_PASSWORD), ("apiUrl", url.as_str())];
        create_connection(&session, "E2E Backups", "MSP360 Managed Backup", &fields).await?;
        use_connection(&session, "E2E Backups").await?;
        pick(&session, &[("userId", &before.first_name, &name)]).await?;
        session.click("[data-action='load']").await?;
        session.wait_for("[data-field='FirstName']").await?;
        session.replace_text("[data-field='FirstName']", "Robin").await?;
        session
            .replace_text("[data-field='NotificationEmails']", "ops@northwind.example, backup@northwind.example")
            .await?;
        session.screenshot("desk-msp360.png").await?;
        session.click("[data-action='save']").await?;
        session.click("[data-action='confirm-save']").await?;
        session.wait_for_text("[data-outcome='saved']", "Saved.").await?;

        let user = sandbox.state().msp360.user(sample_user_id()).ok_or("sample user missing")?;
        if user.first_name != "Robin" {
            return Err(format!("MSP360 holds first name {:?}", user.first_name));
        }
        if user.notification_emails != ["ops@northwind.example", "backup@northwind.example"] {
            return Err(format!("MSP360 holds notification emails {:?}", user.notification_emails));
        }
        if !user.enabled {
            return Err("the user was disabled: Enabled must always be sent".into());
        }

        sandbox.state().set_faults(Faults { drop_next: 50, ..Faults::default() });
        save_fails_plainly(&session, "LastName", "Okafor", Some("can't reach MSP360"), "unreachable", "reach").await?;
        session.screenshot("error-unreachable.png").await
    }
    .await;
    sandbox.state().set_faults(Faults::default());
    session.finish(result).await
}

async fn softwareone_user_is_picked_edited_and_saved_then_throttling_is_explained(
    sandbox: &Sandbox,
    app: &App,
) -> Outcome {
    use switchboard_sandbox::softwareone::{sample_user, PRACTICE_TOKEN};
    let (account, user_id) = sample_user();
    let before = sandbox.state().softwareone.user(account, user_id).ok_or("sample user missing")?;
    let name = format!("{} {}", before.first_name, before.last_name);
    let session = app.session().await?;
    let result = async {
        let url = sandbox.softwareone_url();
        let fields = [("clientSecret", PRACTICE_TOKEN), ("apiUrl", url.as_str())];
        create_connection(&session, "E2E Marketplace", "SoftwareOne Marketplace", &fields).await?;
        use_connection(&session, "E2E Marketplace").await?;
        pick(&session, &[("accountId", account, "Contoso Ltd"), ("userId", &before.first_name, &name)]).await?;
        session.click("[data-action='load']").await?;
        session.wait_for("[data-field='firstName']").await?;
        session.replace_text("[data-field='firstName']", "Marcus").await?;
        session.click("[data-action='save']").await?;
        let review = session.wait_for_text("[data-review]", "Review the change").await?;
        if !review.contains(&format!("{} → Marcus", before.first_name)) {
            return Err(format!("the review does not show before → after: {review:?}"));
        }
        session.click("[data-action='confirm-save']").await?;
        // SoftwareOne gives a trace id only with errors, so a success has no reference to show.
        session.wait_for_text("[data-outcome='saved']", "Saved.").await?;
        let user = sandbox.state().softwareone.user(account, user_id).ok_or("sample user missing")?;
        if user.first_name != "Marcus" || user.last_name != before.last_name {
            return Err(format!("SoftwareOne holds {:?} {:?}", user.first_name, user.last_name));
        }

        sandbox.state().set_faults(Faults { throttle_next: 50, retry_after_seconds: 1, ..Faults::default() });
        save_fails_plainly(
            &session,
            "lastName",
            "Lee-Smith",
            Some("SoftwareOne is busy; trying again in 1 s"),
            "rate_limited",
            "busy",
        )
        .await?;
        session.screenshot("error-rate-limited.png").await
    }
    .await;
    sandbox.state().set_faults(Faults::default());
    session.finish(result).await
}

async fn partner_center_signs_in_in_the_browser_saves_and_names_a_missing_role(
    sandbox: &Sandbox,
    app: &App,
) -> Outcome {
    use switchboard_sandbox::partner_center::{
        read_only_customer, sample_user, PRACTICE_CLIENT_ID, PRACTICE_TENANT_ID,
    };
    let (customer, user_id) = sample_user();
    let before = sandbox.state().partner_center.user(customer, user_id).ok_or("sample user missing")?;
    let session = app.session().await?;
    let result = async {
        let (api, identity) = (sandbox.partner_center_api_url(), sandbox.entra_url());
        let fields = [
            ("tenant", PRACTICE_TENANT_ID),
            ("clientId", PRACTICE_CLIENT_ID),
            ("apiUrl", api.as_str()),
            ("identityUrl", identity.as_str()),
        ];
        create_connection(&session, "E2E Partner", "Microsoft Partner Center", &fields).await?;
        // The "system browser" is tests/e2e/browser.sh (BROWSER): it follows the sign-in redirect
        // back to the app's loopback listener.
        session.click("[data-action='sign-in-partner-center']").await?;
        session.wait_for_text("[data-outcome='connection-saved']", "Signed in to Partner Center").await?;
        use_connection(&session, "E2E Partner").await?;
        pick(
            &session,
            &[("customerId", "contoso", "Contoso Ltd"), ("userId", &before.display_name, &before.display_name)],
        )
        .await?;
        session.click("[data-action='load']").await?;
        session.wait_for("[data-field='displayName']").await?;
        session.replace_text("[data-field='displayName']", "Jo Contoso").await?;
        session.click("[data-action='save']").await?;
        session.click("[data-action='confirm-save']").await?;
        session.wait_for_text("[data-outcome='saved']", "Saved.").await?;
        let user = sandbox.state().partner_center.user(customer, user_id).ok_or("sample user missing")?;
        if user.display_name != "Jo Contoso" {
            return Err(format!("Partner Center holds display name {:?}", user.display_name));
        }

        // A customer where the partner only has Directory Reader: the missing role is named.
        let (tailspin, pat) = read_only_customer();
        let pat = sandbox.state().partner_center.user(tailspin, pat).ok_or("Tailspin user missing")?;
        pick(
            &session,
            &[("customerId", "tailspin", "Tailspin Toys"), ("userId", &pat.display_name, &pat.display_name)],
        )
        .await?;
        session.click("[data-action='load']").await?;
        session.wait_for("[data-field='displayName']").await?;
        save_fails_plainly(&session, "displayName", "Pat K.", None, "forbidden", "User Administrator").await?;
        session.screenshot("error-forbidden.png").await
    }
    .await;
    session.finish(result).await
}

/// The size the window is given to check that it is remembered. Windows keeps a window within
/// about the screen's size, and its runners' screen is 1024×768, so there it is smaller.
const REMEMBERED_SIZE: (u32, u32) = if cfg!(windows) { (987, 654) } else { (1111, 777) };

async fn a_second_start_hands_over_to_the_open_window_which_remembers_its_size(app: &App) -> Outcome {
    let session = app.session().await?;
    let result = async {
        session.wait_for("[data-nav='desk']").await?;
        let status = app.start_again().await?;
        if !status.success() {
            return Err(format!("the second start failed: {status}"));
        }
        // The first window is still there and working.
        session.click("[data-nav='connections']").await?;
        session.wait_for("[data-action='new-connection']").await?;

        // A resized window is remembered soon after, not only at a clean exit.
        let (width, height) = REMEMBERED_SIZE;
        session.resize(width, height).await?;
        let state = app.config_dir().join("com.switchboard.desk").join(".window-state.json");
        for _ in 0..50 {
            let text = std::fs::read_to_string(&state).unwrap_or_default();
            if text.contains(&width.to_string()) {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!("the window state never held the new size: {:?}", std::fs::read_to_string(&state)))
    }
    .await;
    session.finish(result).await
}

/// 60-character names, as real customers have them ("… International Holdings GmbH & Co. KG").
const LONG_CUSTOMER: &str = "Northwind Pharmaceuticals and Medical Devices International AG";
const LONG_TENANT: &str = "northwindpharmaceuticalsandmedicaldevices.onmicrosoft.example";
const LONG_USER: (&str, &str) = ("Maximiliane Alexandra", "Vandenberghe-Oosterhuis de Montmorency");

/// A customer, tenant and user whose names are each about 60 characters long.
fn add_long_names(sandbox: &Sandbox) {
    use switchboard_sandbox::avepoint::{Customer, Tenant};
    let (customer, tenant, user) = sample_user();
    let mut person = sandbox.state().avepoint.user(customer, tenant, user).expect("the sample user");
    person.id = "6a1f0c2e-9d8b-4c7a-b6e5-d4c3b2a19080".into();
    person.first_name = LONG_USER.0.into();
    person.last_name = LONG_USER.1.into();
    person.display_name = format!("{} {}", LONG_USER.0, LONG_USER.1);
    sandbox.state().avepoint.add_customer(Customer {
        id: "0b9e8d7c-6f5a-4e3d-9c2b-1a0f9e8d7c6b".into(),
        organization: LONG_CUSTOMER.into(),
        tenants: vec![Tenant {
            id: "e1d2c3b4-a5f6-4789-8abc-def012345678".into(),
            name: LONG_TENANT.into(),
            users: vec![person],
        }],
    });
}

/// The smallest window, and the long-named customer, tenant and user picked by name.
async fn pick_long_names_in_the_smallest_window(session: &Session) -> Outcome {
    session.resize(800, 600).await?;
    let user_name = format!("{} {}", LONG_USER.0, LONG_USER.1);
    let picks = [
        ("customerId", "northwind", LONG_CUSTOMER),
        ("tenantId", "northwind", LONG_TENANT),
        ("userId", "maximiliane", user_name.as_str()),
    ];
    pick(session, &picks).await?;
    session.wait_for_context(LONG_USER.1).await.map(|_| ())
}

/// Measures the header in the window: whether it is one row (as tall as its tallest part), whether
/// anything spills out of it, and whether the long names were cut with an ellipsis.
const MEASURE_HEADER: &str = r#"
const header = document.querySelector(".app-header");
const box = header.getBoundingClientRect();
const style = getComputedStyle(header);
const inner = box.height - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom)
  - parseFloat(style.borderTopWidth) - parseFloat(style.borderBottomWidth);
const parts = [...header.children].filter((c) => c.getBoundingClientRect().width > 0);
const tallest = Math.max(...parts.map((c) => c.getBoundingClientRect().height));
const cut = [...header.querySelectorAll(".crumb-value")].filter((v) => v.scrollWidth > v.clientWidth).length;
return {
  width: window.innerWidth, height: box.height, inner, tallest,
  oneRow: inner <= tallest + 1 && parts.every((c) => { const r = c.getBoundingClientRect(); return r.top >= box.top - 1 && r.bottom <= box.bottom + 1; }),
  spills: header.scrollWidth > header.clientWidth + 1,
  pageSpills: document.documentElement.scrollWidth > window.innerWidth + 1,
  // The innermost elements that reach past the window's right edge (what makes the page spill).
  wide: [...document.querySelectorAll("body *")]
    .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1 && ![...e.children].some((c) => c.getBoundingClientRect().right > window.innerWidth + 1))
    .slice(0, 5).map((e) => `${e.tagName.toLowerCase()}.${e.className} ${Math.round(e.getBoundingClientRect().width)}px`),
  cut,
  names: [...header.querySelectorAll(".crumb-value")].map((v) => v.textContent),
  shown: [...header.querySelectorAll(".crumb-value")].map((v) => v.clientWidth),
  // A name reaching past its line is clipped without its ellipsis.
  clipped: [...header.querySelectorAll(".crumb")].some((c) => c.getBoundingClientRect().right > header.querySelector(".context-line").getBoundingClientRect().right + 1),
};
"#;

/// Scrolls to the top or bottom, moves focus to the (last) element matching `css`, and says where it
/// landed if it is not fully in view below the sticky header (`null` when it is). Each step waits
/// for a painted frame: WebKit applies scrolling asynchronously.
async fn focus_lands_in_view(session: &Session, css: &str, from: &str) -> Result<serde_json::Value, String> {
    let to = if from == "top" { "0" } else { "document.documentElement.scrollHeight" };
    session.script(&format!("window.scrollTo(0, {to})")).await?;
    session.painted().await?;
    let css = serde_json::json!(css);
    session.script(&format!("[...document.querySelectorAll({css})].pop().focus()")).await?;
    session.painted().await?;
    session
        .script(&format!(
            r#"const element = [...document.querySelectorAll({css})].pop();
            const header = document.querySelector(".app-header").getBoundingClientRect();
            const r = element.getBoundingClientRect();
            const name = element.dataset.field ?? element.outerHTML.slice(0, 80);
            return r.top < header.bottom - 0.5 || r.bottom > window.innerHeight + 0.5
              ? `focused from the {from}, ${{name}} is at ${{r.top}}-${{r.bottom}}; header to ${{header.bottom}}, window ${{window.innerHeight}}, scroll padding ${{getComputedStyle(document.documentElement).scrollPaddingTop}}`
              : null;"#
        ))
        .await
}

/// Picks the long-named user in an 800×600 window and checks the header at 100 %, 125 % and 200 %
/// text size: one row, nothing spilling, names cut with an ellipsis and still whole in the DOM, and a
/// field that takes focus lands below the header, not under it.
async fn the_header_stays_one_line_with_long_names_at_the_smallest_window_and_large_text(
    sandbox: &Sandbox,
    app: &App,
) -> Outcome {
    add_long_names(sandbox);
    let session = app.session().await?;
    let result = async {
        pick_long_names_in_the_smallest_window(&session).await?;
        session.click("[data-action='load']").await?;
        session.wait_for("[data-field='mail']").await?;
        // The bundled font, then the widest common system font in its place (DejaVu Sans, all a
        // bare Linux has): the layout must not depend on text widths either way.
        let checks = [
            ("", 100, Some("header-min-width-long-names-light.png")),
            ("", 125, None),
            ("", 200, Some("header-min-width-long-names-200-percent.png")),
            ("DejaVu Sans", 100, None),
            ("DejaVu Sans", 125, None),
            ("DejaVu Sans", 200, None),
        ];
        for (font, percent, shot) in checks {
            let family = if font.is_empty() { String::new() } else { format!("'{font}', sans-serif") };
            session
                .script(&format!(
                    "document.documentElement.style.fontFamily = \"{family}\"; document.documentElement.style.fontSize = '{}%'",
                    93.75 * percent as f64 / 100.0
                ))
                .await?;
            let label = if font.is_empty() { format!("{percent} % text") } else { format!("{percent} % text in {font}") };
            session.scroll_to_top().await?;
            session.painted().await?;
            let m = session.script(MEASURE_HEADER).await?;
            if m["width"].as_f64().is_none_or(|w| w > 800.0) {
                return Err(format!("the window is not at the smallest width: {m}"));
            }
            if m["clipped"] != false {
                return Err(format!("at {label} a name is clipped without its ellipsis: {m}"));
            }
            if m["oneRow"] != true || m["spills"] != false {
                return Err(format!("at {label} the header is not one line: {m}"));
            }
            if m["pageSpills"] != false {
                return Err(format!("at {label} the page is wider than the window: {m}"));
            }
            if m["cut"].as_u64().unwrap_or(0) == 0 {
                return Err(format!("at {label} no long name was cut with an ellipsis: {m}"));
            }
            let names = m["names"].to_string();
            if !names.contains(LONG_CUSTOMER) || !names.contains(LONG_USER.1) {
                return Err(format!("the header lost a name: {m}"));
            }
            // The user, whom a save changes, gives way last: shown at least as wide as any other.
            let shown: Vec<f64> = m["shown"].as_array().into_iter().flatten().filter_map(|w| w.as_f64()).collect();
            if let Some((user, others)) = shown.split_last() {
                if others.iter().any(|other| *other > user + 1.0) {
                    return Err(format!("at {label} the user's name gave way before another: {m}"));
                }
            }
            // Focus moves (Tab, an error) from the bottom of the form back up to its first field:
            // it must land below the sticky header, not under it; and down to the last field:
            // fully shown.
            let covered = focus_lands_in_view(&session, "[data-field='mail']", "bottom").await?;
            let covered = match covered {
                serde_json::Value::Null => focus_lands_in_view(&session, "input.input:not([disabled])", "top").await?,
                hidden => hidden,
            };
            if !covered.is_null() {
                return Err(format!("at {label} a focused field is hidden: {covered}"));
            }
            if let Some(shot) = shot {
                session.scroll_to_top().await?;
                session.screenshot(shot).await?;
            }
        }
        // Practice's pill is short; a real vendor's is not. The longest, at 200 % text, in the
        // pill's place (a layout check: Practice is what the sandbox offers).
        session
            .script(
                "document.documentElement.style.fontFamily = ''; document.documentElement.style.fontSize = '187.5%'; \
                 const pill = document.querySelector('.context-line .pill'); pill.className = 'pill'; \
                 pill.textContent = 'Microsoft Partner Center';",
            )
            .await?;
        session.painted().await?;
        let m = session.script(MEASURE_HEADER).await?;
        if m["oneRow"] != true || m["spills"] != false || m["clipped"] != false || m["pageSpills"] != false {
            return Err(format!("with a vendor's name in the pill at 200 % text the header does not fit: {m}"));
        }
        Ok(())
    }
    .await;
    session.finish(result).await
}

/// The same long names in the dark theme, for the screenshot and the one-line check.
async fn the_dark_theme_header_holds_long_names_too(sandbox: &Sandbox, app: &App) -> Outcome {
    add_long_names(sandbox);
    let session = app.session().await?;
    let result = async {
        pick_long_names_in_the_smallest_window(&session).await?;
        if session.script("return matchMedia('(prefers-color-scheme: dark)').matches").await? != true {
            return Err("the window is not in the dark theme".into());
        }
        session.painted().await?;
        let m = session.script(MEASURE_HEADER).await?;
        if m["oneRow"] != true || m["spills"] != false {
            return Err(format!("the dark header is not one line: {m}"));
        }
        session.screenshot("header-min-width-long-names-dark.png").await
    }
    .await;
    session.finish(result).await
}

/// Compiles the German locale the GERMAN scenario's app runs in into the target folder (glibc's
/// `localedef`, from the `locales` package's definitions): WebKitGTK takes the page's language from
/// `setlocale`, which knows only compiled locales, and the test must not change the machine's.
fn compile_german_locale() -> Result<(), String> {
    let locales = std::path::Path::new(GERMAN_LOCALES);
    let compiled = locales.join("de_DE.UTF-8");
    if compiled.exists() {
        return Ok(());
    }
    // Compiled aside and renamed into place whole: localedef writes its files one by one, so a
    // run interrupted half-way must not leave a folder that looks compiled.
    let partial = locales.join("de_DE.UTF-8.partial");
    let _ = std::fs::remove_dir_all(&partial);
    std::fs::create_dir_all(locales).map_err(|e| format!("{GERMAN_LOCALES}: {e}"))?;
    let output = std::process::Command::new("localedef")
        .args(["-i", "de_DE", "-f", "UTF-8"])
        .arg(&partial)
        .output()
        .map_err(|e| format!("localedef did not run: {e}"))?;
    // Exit 1 is "warnings, output written"; LC_IDENTIFICATION is the last file it writes.
    if !matches!(output.status.code(), Some(0 | 1)) || !partial.join("LC_IDENTIFICATION").exists() {
        return Err(format!(
            "localedef could not compile de_DE.UTF-8 (is the locales package installed?): {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    std::fs::rename(&partial, &compiled).map_err(|e| format!("{}: {e}", compiled.display()))
}

/// React Aria's own strings (a list's label, "N options available") are built in English only
/// (`@react-aria/optimize-locales-plugin` in ui/vite.config.ts): on a German system they must
/// fall back to English, like every other word in the window, and not break the page.
async fn on_a_german_system_the_desk_works_and_react_aria_speaks_english_like_the_rest(app: &App) -> Outcome {
    let session = open_sample_user(app).await?;
    let result = async {
        let language = session.script("return navigator.language").await?;
        if !language.as_str().is_some_and(|l| l.starts_with("de")) {
            return Err(format!("the page's language is {language}, not German: this scenario would test nothing"));
        }
        // Dates and numbers still follow the system: React Aria formats with Intl in German.
        let formatted = session.script("return new Intl.NumberFormat(navigator.language).format(1234.5)").await?;
        if formatted != "1.234,5" {
            return Err(format!("1234.5 reads {formatted} in German"));
        }
        session.replace_text("[data-field='usageLocation']", "Germ").await?;
        let label = session.wait_for_attribute("[role='listbox']", "aria-label", "Suggestions").await?;
        if label != "Suggestions" {
            return Err(format!("the suggestions list is labelled {label:?}"));
        }
        session.choose("[data-field='usageLocation']", "Germany", "Germany (DE)").await?;
        session.click("[data-action='save']").await?;
        session.wait_for_text("[data-review]", "Review the change").await?;
        session.screenshot("desk-german-system.png").await
    }
    .await;
    session.finish(result).await
}

/// A data folder that cannot be made stops the start. An app started from its icon has no
/// terminal, so the reason comes in a dialog (and on stderr); the window, which without its state
/// could only show errors, stays hidden, and the app exits 1 once the dialog is answered. Twice:
/// a data folder below a file (the files fail to open, after Tauri's build), and the app's own
/// folder being a file (on Linux the log's folder is inside it, so its plugin fails the build).
async fn a_start_that_cannot_open_its_data_folder_says_why_in_a_dialog_and_exits(app: &App) -> Outcome {
    let blocker = app.home().join("not-a-folder");
    std::fs::write(&blocker, "a file where the data folder's parent should be").map_err(|e| e.to_string())?;
    let data_dir = blocker.join("Switchboard");
    let expected = format!("Switchboard could not open its saved connections in {}", data_dir.display());
    failed_start_is_told(app, &[("SWITCHBOARD_DATA_DIR", data_dir.as_os_str())], &expected, true).await?;

    let app_folder = app.data_dir().join(driver::IDENTIFIER);
    // The first start made it (its log's folder is inside it, on Linux).
    let _ = std::fs::remove_dir_all(&app_folder);
    std::fs::create_dir_all(app.data_dir()).map_err(|e| e.to_string())?;
    std::fs::write(&app_folder, "a file where the app's folder should be").map_err(|e| e.to_string())?;
    failed_start_is_told(app, &[], "Switchboard could not start: ", false).await
}

/// Starts the app with `env`, expects its failed-start dialog and `said` on stderr, and no window;
/// with `second_start`, a second start then hands over without showing the window. Answers the
/// dialog and expects exit status 1.
async fn failed_start_is_told(app: &App, env: &[(&str, &std::ffi::OsStr)], said: &str, second_start: bool) -> Outcome {
    let stderr_path = app.home().join("stderr.txt");
    let stderr = std::fs::File::create(&stderr_path).map_err(|e| e.to_string())?;
    let mut child = app.launch(env, stderr.into())?;
    let result = async {
        let title = switchboard_app::START_FAILED_TITLE;
        let mut dialog = None;
        for _ in 0..300 {
            if let Some(exited) = child.try_wait().map_err(|e| e.to_string())? {
                let stderr = std::fs::read_to_string(&stderr_path).unwrap_or_default();
                return Err(format!("the app exited ({exited}) without showing its dialog: {stderr:?}"));
            }
            dialog = visible_windows(title)?.into_iter().next();
            if dialog.is_some() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let dialog = dialog.ok_or_else(|| format!("no window titled {title:?} within 30 s"))?;
        let stderr = std::fs::read_to_string(&stderr_path).unwrap_or_default();
        if !stderr.contains(said) {
            return Err(format!("stderr did not say {said:?}: {stderr:?}"));
        }
        if second_start {
            // A second start hands over to this one, which keeps its broken window hidden.
            let second = app.start_again().await?;
            if !second.success() {
                return Err(format!("the second start did not hand over: {second}"));
            }
        }
        // For two seconds: no window beside the dialog, and no exit before it is answered.
        for _ in 0..20 {
            if !visible_windows("Switchboard")?.is_empty() {
                return Err("the app's window is shown beside the dialog".into());
            }
            if let Some(exited) = child.try_wait().map_err(|e| e.to_string())? {
                return Err(format!("the app exited ({exited}) before its dialog was answered"));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        press_key_in_window(&dialog, "Return")?;
        match exit_within(&mut child, Duration::from_secs(10)).await? {
            Some(status) if status.code() == Some(1) => Ok(()),
            Some(status) => Err(format!("the app exited with {status}, not 1")),
            None => Err("the app did not exit within 10 s of its dialog being answered".into()),
        }
    }
    .await;
    if result.is_err() {
        let _ = child.kill();
    }
    let _ = child.wait();
    result
}
