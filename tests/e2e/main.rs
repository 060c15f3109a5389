//! End-to-end tests: the real app window, driven through WebDriver (`tauri-driver` +
//! WebKitWebDriver), against a sandbox this test owns, so it can check what the vendor now holds.
//!
//! Run under a display: `xvfb-run -a cargo test --features custom-protocol --test e2e`
//! (scripts/test.sh does this inside `dbus-run-session`).

mod driver;

use driver::{App, Session};
use std::time::Duration;
use switchboard_sandbox::{avepoint::sample_user, Sandbox};

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
        session.replace_text("[data-field='usageLocation']", "Germany").await?;
        session.click_xpath("//*[@role='option'][contains(., '(DE)')]").await?;
        session.wait_for_text("[data-field='usageLocation'] ~ *, .code-hint", "DE").await.ok();
        session.screenshot("account-information-form.png").await?;
        session.click("[data-action='save']").await?;
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
