//! End-to-end tests: the real app window, driven through WebDriver (`tauri-driver` +
//! WebKitWebDriver), against a sandbox this test owns, so it can check what the vendor now holds.
//!
//! Run under a display: `xvfb-run -a cargo test --features custom-protocol --test e2e`
//! (scripts/test.sh does this inside `dbus-run-session`).

mod driver;

use driver::{App, Session};
use std::time::Duration;
use switchboard_core::secrets::{KeychainStore, SecretKind, SecretStore};
use switchboard_sandbox::{avepoint::sample_user, Faults, Sandbox, PRACTICE_CLIENT_ID, PRACTICE_CLIENT_SECRET};

type Outcome = Result<(), String>;

#[tokio::main]
async fn main() {
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    let app = App::start(&sandbox.url()).await.unwrap_or_else(|error| panic!("tauri-driver did not start: {error}"));
    let mut tally = Tally::default();
    sandbox.state().clear_requests();
    if tally.wants("invalid_mail_sends_nothing_and_survives_a_restart_as_a_draft") {
        let outcome = bounded(invalid_mail_sends_nothing_and_survives_a_restart_as_a_draft(&sandbox, &app)).await;
        tally.record("invalid_mail_sends_nothing_and_survives_a_restart_as_a_draft", outcome);
    }
    sandbox.state().clear_requests();
    if tally.wants("avepoint_user_is_picked_edited_reviewed_and_saved") {
        let outcome = bounded(avepoint_user_is_picked_edited_reviewed_and_saved(&sandbox, &app)).await;
        tally.record("avepoint_user_is_picked_edited_reviewed_and_saved", outcome);
    }
    if tally.wants("avepoint_outage_on_save_is_explained_and_keeps_the_typed_values") {
        let outcome = bounded(avepoint_outage_on_save_is_explained_and_keeps_the_typed_values(&sandbox, &app)).await;
        tally.record("avepoint_outage_on_save_is_explained_and_keeps_the_typed_values", outcome);
    }
    sandbox.state().set_faults(Faults::default());
    if tally.wants("a_connection_is_created_tested_and_deleted") {
        let outcome = bounded(a_connection_is_created_tested_and_deleted(&sandbox, &app)).await;
        tally.record("a_connection_is_created_tested_and_deleted", outcome);
    }
    sandbox.state().clear_requests();
    if tally.wants("msp360_user_is_picked_edited_and_saved_then_an_unreachable_vendor_is_explained") {
        let outcome =
            bounded(msp360_user_is_picked_edited_and_saved_then_an_unreachable_vendor_is_explained(&sandbox, &app))
                .await;
        tally.record("msp360_user_is_picked_edited_and_saved_then_an_unreachable_vendor_is_explained", outcome);
    }
    sandbox.state().set_faults(Faults::default());
    if tally.wants("softwareone_user_is_picked_edited_and_saved_then_throttling_is_explained") {
        let outcome =
            bounded(softwareone_user_is_picked_edited_and_saved_then_throttling_is_explained(&sandbox, &app)).await;
        tally.record("softwareone_user_is_picked_edited_and_saved_then_throttling_is_explained", outcome);
    }
    sandbox.state().set_faults(Faults::default());
    if tally.wants("partner_center_signs_in_in_the_browser_saves_and_names_a_missing_role") {
        let outcome =
            bounded(partner_center_signs_in_in_the_browser_saves_and_names_a_missing_role(&sandbox, &app)).await;
        tally.record("partner_center_signs_in_in_the_browser_saves_and_names_a_missing_role", outcome);
    }
    if tally.wants("a_second_start_hands_over_to_the_open_window_which_remembers_its_size") {
        let outcome = bounded(a_second_start_hands_over_to_the_open_window_which_remembers_its_size(&app)).await;
        tally.record("a_second_start_hands_over_to_the_open_window_which_remembers_its_size", outcome);
    }
    app.stop();
    println!("\ne2e: {} passed, {} failed", tally.passed, tally.failed);
    std::process::exit(if tally.failed == 0 { 0 } else { 1 });
}

/// A scenario that hangs (a WebDriver call that never answers) fails after 3 minutes instead of
/// holding CI until its own limit.
async fn bounded(scenario: impl std::future::Future<Output = Outcome>) -> Outcome {
    tokio::time::timeout(Duration::from_secs(180), scenario)
        .await
        .unwrap_or_else(|_| Err("did not finish within 3 minutes (a WebDriver call hung?)".into()))
}

#[derive(Default)]
struct Tally {
    passed: usize,
    failed: usize,
}

impl Tally {
    /// `E2E_ONLY=part-of-a-name` runs only the matching scenarios (for working on one).
    fn wants(&self, name: &str) -> bool {
        std::env::var("E2E_ONLY").map_or(true, |only| name.contains(&only))
    }

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

async fn invalid_mail_sends_nothing_and_survives_a_restart_as_a_draft(sandbox: &Sandbox, app: &App) -> Outcome {
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
        let header = session.wait_for_text("[data-context]", "Adele Vance").await?;
        if !header.contains("Contoso Ltd") || !header.contains("contoso.onmicrosoft.com") {
            return Err(format!("the header does not name customer and tenant: {header:?}"));
        }
        session.screenshot("desk-pickers.png").await?;
        session.click("[data-action='load']").await?;
        session.wait_for("[data-field='mail']").await?;
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
        session.wait_for_text("[data-context]", "Adele Vance").await?;
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
        session.resize(1111, 777).await?;
        let state = app.config_dir().join("com.switchboard.desk").join(".window-state.json");
        for _ in 0..50 {
            let text = std::fs::read_to_string(&state).unwrap_or_default();
            if text.contains("1111") {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!("the window state never held the new size: {:?}", std::fs::read_to_string(&state)))
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
