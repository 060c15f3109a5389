//! End-to-end tests: the real app window, driven through WebDriver (`tauri-driver` +
//! WebKitWebDriver), against a sandbox this test owns, so it can check what the vendor now holds.
//!
//! Run under a display: `xvfb-run -a cargo test --features custom-protocol --test e2e`
//! (scripts/test.sh does this inside `dbus-run-session`).

mod driver;

use driver::{App, Session};
use std::time::Duration;
use switchboard_core::secrets::{KeychainStore, SecretKind, SecretStore};
use switchboard_sandbox::{avepoint::sample_user, Sandbox, PRACTICE_CLIENT_ID, PRACTICE_CLIENT_SECRET};

type Outcome = Result<(), String>;

#[tokio::main]
async fn main() {
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    let app = App::start(&sandbox.url()).await.unwrap_or_else(|error| panic!("tauri-driver did not start: {error}"));
    let mut tally = Tally::default();
    sandbox.state().clear_requests();
    let outcome = invalid_mail_shows_the_field_error_and_sends_nothing(&sandbox, &app).await;
    tally.record("invalid_mail_shows_the_field_error_and_sends_nothing", outcome);
    sandbox.state().clear_requests();
    let outcome = editing_mail_and_usage_location_saves_them_at_the_vendor(&sandbox, &app).await;
    tally.record("editing_mail_and_usage_location_saves_them_at_the_vendor", outcome);
    let outcome = a_connection_is_created_tested_and_deleted(&sandbox, &app).await;
    tally.record("a_connection_is_created_tested_and_deleted", outcome);
    sandbox.state().clear_requests();
    let outcome = an_msp360_user_is_edited_through_a_saved_connection(&sandbox, &app).await;
    tally.record("an_msp360_user_is_edited_through_a_saved_connection", outcome);
    app.stop();
    println!("\ne2e: {} passed, {} failed", tally.passed, tally.failed);
    std::process::exit(if tally.failed == 0 { 0 } else { 1 });
}

#[derive(Default)]
struct Tally {
    passed: usize,
    failed: usize,
}

impl Tally {
    fn record(&mut self, name: &str, outcome: Outcome) {
        match outcome {
            Ok(()) => {
                self.passed += 1;
                println!("test {name} ... ok");
            }
            Err(message) => {
                self.failed += 1;
                println!("test {name} ... FAILED\n    {message}");
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

async fn invalid_mail_shows_the_field_error_and_sends_nothing(sandbox: &Sandbox, app: &App) -> Outcome {
    let (customer, tenant, user) = sample_user();
    let before = sandbox.state().avepoint.user(customer, tenant, user).ok_or("sample user missing")?;
    let session = open_sample_user(app).await?;
    let result = async {
        session.replace_text("[data-field='mail']", "not-an-address").await?;
        let error = session.wait_for_text("[data-error-for='mail']", "must be an email address").await?;
        session.click("[data-action='save']").await?;
        tokio::time::sleep(Duration::from_millis(800)).await;
        let still = session.text("[data-error-for='mail']").await?;
        if still != error {
            return Err(format!("the field error changed after Save: {still:?}"));
        }
        if session.exists("[data-outcome='saved']").await? {
            return Err("the app reported a save".into());
        }
        let typed = session.value("[data-field='mail']").await?;
        if typed != "not-an-address" {
            return Err(format!("the typed value was lost: {typed:?}"));
        }
        let writes: Vec<_> = sandbox
            .state()
            .requests()
            .into_iter()
            .filter(|r| r.method != "GET" && !r.path.ends_with("/connect/token"))
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
    session.finish(result).await
}

async fn editing_mail_and_usage_location_saves_them_at_the_vendor(sandbox: &Sandbox, app: &App) -> Outcome {
    let (customer, tenant, user) = sample_user();
    let session = open_sample_user(app).await?;
    let result = async {
        session.replace_text("[data-field='mail']", "mark.lee@contoso.example").await?;
        session.choose("[data-field='usageLocation']", "Germany", "Germany (DE)").await?;
        session.screenshot("account-information-form.png").await?;
        session.click("[data-action='save']").await?;
        let review = session.wait_for_text("[data-review]", "Review the change").await?;
        if !review.contains("Afghanistan") && !review.contains("AF → DE") {
            return Err(format!("the review does not show before → after: {review:?}"));
        }
        if sandbox.state().requests().iter().any(|r| r.method == "PUT") {
            return Err("something was sent before the review was confirmed".into());
        }
        session.screenshot("account-information-review.png").await?;
        session.click("[data-action='confirm-save']").await?;
        let banner = session.wait_for_text("[data-outcome='saved']", "Saved.").await?;
        if !banner.contains("Email") || !banner.contains("Usage location") {
            return Err(format!("the success message does not name the changed fields: {banner:?}"));
        }
        let saved = sandbox.state().avepoint.user(customer, tenant, user).ok_or("sample user missing")?;
        if saved.mail != "mark.lee@contoso.example" || saved.usage_location != "DE" {
            return Err(format!(
                "the sandbox holds mail {:?} and usage location {:?}",
                saved.mail, saved.usage_location
            ));
        }
        if saved.preferred_language != "af-NA" {
            return Err(format!("an untouched field changed: preferredLanguage = {:?}", saved.preferred_language));
        }
        let put =
            sandbox.state().requests().into_iter().find(|r| r.method == "PUT").ok_or("no PUT reached the sandbox")?;
        let body = put.json().ok_or("the PUT body is not JSON")?;
        if body.as_object().map(|o| o.len()) != Some(7) {
            return Err(format!("the PUT did not carry all seven fields: {body}"));
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        session.screenshot("account-information-saved.png").await
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
        let stored = keychain.get(&id, SecretKind::ClientSecret).map_err(|e| e.message)?;
        if stored.as_ref().map(|s| s.expose()) != Some(PRACTICE_CLIENT_SECRET) {
            return Err("the secret is not in the system keychain".into());
        }

        session.click("[data-action='test-connection']").await?;
        session.wait_for_text("[data-test-report='ok']", "customers visible").await?;
        session.screenshot("connections-test.png").await?;

        // The app's log names each request and holds no secret; no file the app wrote does.
        let app_dir = app.data_dir().join("com.switchboard.desk");
        let mut logged = String::new();
        for file in files_below(&app_dir) {
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

async fn an_msp360_user_is_edited_through_a_saved_connection(sandbox: &Sandbox, app: &App) -> Outcome {
    use switchboard_sandbox::msp360::{sample_user_id, PRACTICE_PASSWORD, PRACTICE_USER_NAME};
    let session = app.session().await?;
    let result = async {
        session.click("[data-nav='connections']").await?;
        session.click("[data-action='new-connection']").await?;
        session.replace_text("[data-field='name']", "E2E Backups").await?;
        session.click("[data-field='vendor']").await?;
        session.click_xpath("//*[@role='option'][contains(., 'MSP360 Managed Backup')]").await?;
        session.replace_text("[data-field='userName']", PRACTICE_USER_NAME).await?;
        session.replace_text("[data-field='clientSecret']", PRACTICE_PASSWORD).await?;
        session.replace_text("[data-field='apiUrl']", &sandbox.msp360_url()).await?;
        session.click("[data-action='save-connection']").await?;
        session.wait_for_text("[data-outcome='connection-saved']", "Saved \"E2E Backups\"").await?;

        session.click("[data-nav='desk']").await?;
        session.click("[data-field='connection']").await?;
        session.click_xpath("//*[@role='option'][contains(., 'E2E Backups')]").await?;
        session.replace_text("[data-field='userId']", sample_user_id()).await?;
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
        Ok(())
    }
    .await;
    session.finish(result).await
}

fn files_below(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files
}
