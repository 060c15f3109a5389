//! switchboard-cli as a script would run it: a real process against the sandbox over HTTP.

use serde_json::Value;
use switchboard_sandbox::{avepoint::sample_user, Sandbox, PRACTICE_CLIENT_ID, PRACTICE_CLIENT_SECRET};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// The data folder (change history) every run of this test binary shares, never the user's own.
fn data_dir() -> &'static std::path::Path {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().unwrap()).path()
}

async fn cli(args: &[&str]) -> Run {
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_switchboard-cli"))
        .args(args)
        .env("SWITCHBOARD_DATA_DIR", data_dir())
        .env("SANDBOX_SECRET", PRACTICE_CLIENT_SECRET)
        .env("WRONG_SECRET", "not-the-secret")
        .output()
        .await
        .unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// A profile file for the sandbox, written the way a user would: `profile new > file`.
async fn profile_file(sandbox: &Sandbox, dir: &tempfile::TempDir) -> String {
    let api = sandbox.avepoint_api_url();
    let identity = sandbox.avepoint_identity_url();
    let run = cli(&[
        "profile",
        "new",
        "--vendor",
        "avepoint",
        "--name",
        "Sandbox",
        "--base-url",
        &api,
        "--identity-url",
        &identity,
        "--client-id",
        PRACTICE_CLIENT_ID,
    ])
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let path = dir.path().join("profile.json");
    std::fs::write(&path, &run.stdout).unwrap();
    path.display().to_string()
}

fn ids() -> Vec<String> {
    let (customer, tenant, user) = sample_user();
    ["--customer", customer, "--tenant", tenant, "--user", user].iter().map(|s| s.to_string()).collect()
}

async fn run_with(base: &[&str], extra: &[&str]) -> Run {
    let ids = ids();
    let mut args: Vec<&str> = base.to_vec();
    args.extend(ids.iter().map(String::as_str));
    args.extend_from_slice(extra);
    cli(&args).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profile_new_prints_a_profile_without_any_secret() {
    let run = cli(&["profile", "new", "--vendor", "avepoint", "--name", "Contoso", "--client-id", "app-1"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let profile: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(profile["vendor"], "avepoint");
    assert_eq!(profile["environment"], "commercial");
    assert!(profile.get("clientSecret").is_none());

    let run = cli(&[
        "profile",
        "new",
        "--vendor",
        "avepoint",
        "--name",
        "X",
        "--client-id",
        "a",
        "--base-url",
        "http://example.com",
    ])
    .await;
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("must use https://"), "{}", run.stderr);

    // Plain http only to a loopback IP address, never to a name (which may resolve elsewhere).
    let local = |url: &'static str| async move {
        cli(&["profile", "new", "--vendor", "softwareone", "--name", "X", "--base-url", url]).await
    };
    let run = local("http://localhost:8787/softwareone").await;
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("API address must use https://"), "{}", run.stderr);
    assert!(run.stderr.contains("http://127.0.0.1:PORT"), "{}", run.stderr);
    let run = local("http://127.0.0.1:8787/softwareone").await;
    assert_eq!(run.code, 0, "a debug build allows a loopback IP: {}", run.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_prints_the_users_values_and_json() {
    let sandbox = Sandbox::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = profile_file(&sandbox, &dir).await;
    let base = ["get", "avepoint.account-information", "--profile-file", &file, "--secret-env", "SANDBOX_SECRET"];
    let run = run_with(&base, &[]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("Email (mail): Mark@element.onmicrosoft.com"), "{}", run.stdout);
    let run = run_with(&base, &["--json"]).await;
    let values: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(values["usageLocation"], "AF");

    let run = run_with(&base, &["--verbose"]).await;
    assert!(
        run.stderr.contains("[info] AvePoint GET 127.0.0.1/partner/external/v3/um/customers/{customerId}"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains(PRACTICE_CLIENT_SECRET));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn update_saves_and_dry_run_sends_nothing() {
    let sandbox = Sandbox::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = profile_file(&sandbox, &dir).await;
    let base = ["update", "avepoint.account-information", "--profile-file", &file, "--secret-env", "SANDBOX_SECRET"];

    let run = run_with(&base, &["--set", "usageLocation=DE", "--set", "enforceEnd=true", "--dry-run"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("Usage location (usageLocation): AF → DE"), "{}", run.stdout);
    assert!(sandbox.state().requests().iter().all(|r| r.method != "PUT"), "a dry run sends no update");

    let run = run_with(&base, &["--set", "usageLocation=DE", "--set", "mail=mark@contoso.example"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("Saved at AvePoint"), "{}", run.stdout);
    let (c, t, u) = sample_user();
    let user = sandbox.state().avepoint.user(c, t, u).unwrap();
    assert_eq!((user.usage_location.as_str(), user.mail.as_str()), ("DE", "mark@contoso.example"));

    let run = run_with(&base, &["--set", "officeThing=1"]).await;
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("has no field \"officeThing\""), "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn office_information_works_from_the_cli() {
    let sandbox = Sandbox::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = profile_file(&sandbox, &dir).await;
    let base = ["update", "avepoint.office-information", "--profile-file", &file, "--secret-env", "SANDBOX_SECRET"];
    let run = run_with(&base, &["--set", "city=Redmond", "--json"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let receipt: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(receipt["after"]["city"], "Redmond");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_codes_say_what_went_wrong() {
    let sandbox = Sandbox::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = profile_file(&sandbox, &dir).await;

    // 2: bad input, nothing sent.
    let base = ["update", "avepoint.account-information", "--profile-file", &file, "--secret-env", "SANDBOX_SECRET"];
    let run = run_with(&base, &["--set", "mail=not-an-address", "--json"]).await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("Email must be an email address"), "{}", run.stderr);
    let error: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(error["error"]["code"], "invalid_input");
    assert!(sandbox.state().requests().is_empty());

    let run = cli(&[
        "get",
        "avepoint.account-information",
        "--profile-file",
        &file,
        "--secret-env",
        "SANDBOX_SECRET",
        "--customer",
        "../../x",
        "--tenant",
        "t",
        "--user",
        "u",
    ])
    .await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(sandbox.state().requests().is_empty(), "a path injection never leaves the machine");

    // 3: sign-in failed.
    let wrong = ["get", "avepoint.account-information", "--profile-file", &file, "--secret-env", "WRONG_SECRET"];
    let run = run_with(&wrong, &[]).await;
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(!run.stderr.contains("not-the-secret"), "the secret is never printed");

    // 4: the vendor refused (unknown user).
    let run = cli(&[
        "get",
        "avepoint.account-information",
        "--profile-file",
        &file,
        "--secret-env",
        "SANDBOX_SECRET",
        "--customer",
        sample_user().0,
        "--tenant",
        sample_user().1,
        "--user",
        "00000000-0000-0000-0000-000000000000",
    ])
    .await;
    assert_eq!(run.code, 4, "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_vendor_exits_with_5() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}");
    let run = cli(&[
        "profile",
        "new",
        "--vendor",
        "avepoint",
        "--name",
        "Gone",
        "--base-url",
        &url,
        "--identity-url",
        &url,
        "--client-id",
        "x",
    ])
    .await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("p.json");
    std::fs::write(&file, run.stdout).unwrap();
    let file = file.display().to_string();
    let run = run_with(
        &["get", "avepoint.account-information", "--profile-file", &file, "--secret-env", "SANDBOX_SECRET"],
        &[],
    )
    .await;
    assert_eq!(run.code, 5, "{}", run.stderr);
    assert!(run.stderr.contains("Can't reach AvePoint"), "{}", run.stderr);
}

/// Writes the JSON that `profile new` printed to a file.
fn save(dir: &tempfile::TempDir, name: &str, run: &Run) -> String {
    assert_eq!(run.code, 0, "{}", run.stderr);
    let path = dir.path().join(name);
    std::fs::write(&path, &run.stdout).unwrap();
    path.display().to_string()
}

async fn cli_with_env(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_switchboard-cli"));
    command.args(args).env("SWITCHBOARD_DATA_DIR", data_dir());
    for (key, value) in env {
        command.env(key, value);
    }
    let output = command.output().await.unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn msp360_user_from_the_cli() {
    use switchboard_sandbox::msp360::{sample_user_id, PRACTICE_PASSWORD, PRACTICE_USER_NAME};
    let sandbox = Sandbox::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = sandbox.msp360_url();
    let new = cli(&[
        "profile",
        "new",
        "--vendor",
        "msp360",
        "--name",
        "Backup",
        "--base-url",
        &url,
        "--username",
        PRACTICE_USER_NAME,
    ])
    .await;
    let file = save(&dir, "msp360.json", &new);
    let env = [("MSP_PASSWORD", PRACTICE_PASSWORD)];
    let user = sample_user_id();
    let base = ["--profile-file", file.as_str(), "--secret-env", "MSP_PASSWORD", "--user", user];

    let run = cli_with_env(&[&["get", "msp360.user"], &base[..], &["--json"]].concat(), &env).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let values: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(values["Email"], "testuser2");

    let run = cli_with_env(&[&["update", "msp360.user"], &base[..], &["--set", "FirstName=Jo"]].concat(), &env).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("→ Jo"), "{}", run.stdout);

    sandbox.state().clear_requests();
    let run = cli_with_env(
        &[&["update", "msp360.user"], &base[..], &["--set", "NotificationEmails=ops@example.com,not-an-address"]]
            .concat(),
        &env,
    )
    .await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    // Refused for the bad entry itself, not because a list arrived as one string.
    assert!(
        run.stderr.contains("Notification emails must hold only email addresses, like name@example.com; \"not-an-address\" (entry 2) is not."),
        "{}",
        run.stderr
    );
    assert!(sandbox.state().requests().iter().all(|r| r.method != "PUT"), "nothing was sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn msp360_notification_emails_from_the_cli_reach_the_vendor_as_a_list() {
    use switchboard_sandbox::msp360::{sample_user_id, PRACTICE_PASSWORD, PRACTICE_USER_NAME};
    let sandbox = Sandbox::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = sandbox.msp360_url();
    let new = cli(&[
        "profile",
        "new",
        "--vendor",
        "msp360",
        "--name",
        "Backup",
        "--base-url",
        &url,
        "--username",
        PRACTICE_USER_NAME,
    ])
    .await;
    let file = save(&dir, "msp360.json", &new);
    let env = [("MSP_PASSWORD", PRACTICE_PASSWORD)];
    let user = sample_user_id();
    let base = ["--profile-file", file.as_str(), "--secret-env", "MSP_PASSWORD", "--user", user];
    let last_put = || {
        let put = sandbox.state().requests().into_iter().rfind(|r| r.method == "PUT").expect("a PUT was sent");
        put.json().unwrap()
    };

    let set = ["--set", "NotificationEmails= ops@example.com ; alerts@example.org,"];
    let run = cli_with_env(&[&["update", "msp360.user"], &base[..], &set[..]].concat(), &env).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(last_put()["NotificationEmails"], serde_json::json!(["ops@example.com", "alerts@example.org"]));
    let held = sandbox.state().msp360.user(user).unwrap();
    assert_eq!(held.notification_emails, vec!["ops@example.com", "alerts@example.org"]);

    let run =
        cli_with_env(&[&["update", "msp360.user"], &base[..], &["--set", "NotificationEmails="]].concat(), &env).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(last_put()["NotificationEmails"], serde_json::json!([]), "an empty value clears the list");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn softwareone_account_user_from_the_cli() {
    use switchboard_sandbox::softwareone::{sample_user, PRACTICE_TOKEN};
    let sandbox = Sandbox::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = sandbox.softwareone_url();
    let new = cli(&["profile", "new", "--vendor", "softwareone", "--name", "Marketplace", "--base-url", &url]).await;
    let file = save(&dir, "swo.json", &new);
    let env = [("SWO_TOKEN", PRACTICE_TOKEN)];
    let (account, user) = sample_user();
    let base = ["--profile-file", file.as_str(), "--secret-env", "SWO_TOKEN", "--account", account, "--user", user];

    let run = cli_with_env(
        &[&["update", "softwareone.account-user"], &base[..], &["--set", "phone.number=5550100", "--json"]].concat(),
        &env,
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let receipt: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(receipt["after"]["phone"]["number"], "5550100");
    let put = sandbox.state().requests().into_iter().find(|r| r.method == "PUT").unwrap();
    assert_eq!(
        put.json().unwrap(),
        serde_json::json!({ "phone": { "prefix": "+1", "number": "5550100" } }),
        "only the changed object is sent, whole"
    );

    let wrong = [("SWO_TOKEN", "idt:TKN-0000-0000:wrong")];
    let run = cli_with_env(&[&["get", "softwareone.account-user"], &base[..]].concat(), &wrong).await;
    assert_eq!(run.code, 3, "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partner_center_customer_user_from_the_cli() {
    use switchboard_core::partner_center::{begin_sign_in, PartnerCenterSettings};
    use switchboard_sandbox::partner_center::{sample_user, PRACTICE_CLIENT_ID, PRACTICE_TENANT_ID};
    let sandbox = Sandbox::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (api, authority) = (sandbox.partner_center_api_url(), sandbox.entra_url());
    let new = cli(&[
        "profile",
        "new",
        "--vendor",
        "partner-center",
        "--name",
        "Partner",
        "--base-url",
        &api,
        "--identity-url",
        &authority,
        "--tenant",
        PRACTICE_TENANT_ID,
        "--client-id",
        PRACTICE_CLIENT_ID,
    ])
    .await;
    let file = save(&dir, "pc.json", &new);

    // The browser step, as a script's operator would do: sign in and keep the refresh token. The
    // sandbox rotates refresh tokens on use, and a token from an environment variable can't be
    // replaced, so each run below gets a fresh sign-in.
    let settings = PartnerCenterSettings::new(&api, &authority, PRACTICE_TENANT_ID, PRACTICE_CLIENT_ID).unwrap();
    let sign_in = || async {
        let pending = begin_sign_in(&settings).await.unwrap();
        let url = pending.authorize_url.clone();
        let browser = tokio::spawn(async move { browser_get(url).await.unwrap().text().await.unwrap() });
        let tokens = pending.finish().await.unwrap();
        browser.await.unwrap();
        tokens.refresh_token.expose().to_string()
    };
    let refresh = sign_in().await;
    let env = [("PC_REFRESH", refresh.as_str())];

    let (customer, user) = sample_user();
    let base = ["--profile-file", file.as_str(), "--secret-env", "PC_REFRESH", "--customer", customer, "--user", user];
    let run = cli_with_env(
        &[&["update", "partner-center.customer-user"], &base[..], &["--set", "displayName=Jo Contoso", "--dry-run"]]
            .concat(),
        &env,
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("→ Jo Contoso"), "{}", run.stdout);
    assert!(sandbox.state().requests().iter().all(|r| r.method != "PATCH"));

    let refresh = sign_in().await;
    let env = [("PC_REFRESH", refresh.as_str())];
    let run = cli_with_env(
        &[&["update", "partner-center.customer-user"], &base[..], &["--set", "displayName=Jo Contoso"]].concat(),
        &env,
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(sandbox.state().requests().iter().any(|r| r.method == "PATCH"));
    assert!(!run.stdout.contains(&refresh) && !run.stderr.contains(&refresh));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operation_refuses_another_vendors_profile() {
    let sandbox = Sandbox::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = profile_file(&sandbox, &dir).await;
    let run =
        cli(&["get", "msp360.user", "--profile-file", &file, "--secret-env", "SANDBOX_SECRET", "--user", "x"]).await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("needs a MSP360 profile"), "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operations_lists_the_registry_and_describes_each_operation() {
    let run = cli(&["operations", "--json"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let list: Value = serde_json::from_str(&run.stdout).unwrap();
    let ids: Vec<&str> = list.as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "avepoint.account-information",
            "avepoint.office-information",
            "partner-center.customer-user",
            "softwareone.account-user",
            "msp360.user"
        ]
    );
    assert_eq!(list[0]["vendor"], "avepoint");
    assert_eq!(list[0]["label"], "Account information");

    let run = cli(&["operations", "msp360.user", "--json"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let msp360: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(msp360["vendor"], "msp360");
    assert_eq!(msp360["targets"][0]["key"], "user");
    let emails = msp360["fields"].as_array().unwrap().iter().find(|f| f["key"] == "NotificationEmails").unwrap();
    assert_eq!(emails["kind"], "email_list");
    assert_eq!(emails["meaning"], "email");
    let mode = msp360["fields"].as_array().unwrap().iter().find(|f| f["key"] == "LicenseManagmentMode").unwrap();
    assert!(mode["allowed"].as_array().unwrap().iter().any(|v| v == "Manual"), "{mode}");

    let run = cli(&["operations", "avepoint.account-information", "--json"]).await;
    let avepoint: Value = serde_json::from_str(&run.stdout).unwrap();
    let targets: Vec<&str> =
        avepoint["targets"].as_array().unwrap().iter().map(|t| t["key"].as_str().unwrap()).collect();
    assert_eq!(targets, ["customer", "tenant", "user"]);
    let mail = &avepoint["fields"][0];
    assert_eq!(
        (mail["key"].as_str(), mail["maxLength"].as_u64(), mail["meaning"].as_str()),
        (Some("mail"), Some(256), Some("email"))
    );
    assert_eq!(avepoint["fields"][4]["appliesWhen"], "enforceStart");

    let run = cli(&["operations", "softwareone.account-user"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("--account ID") && run.stdout.contains("phone.number"), "{}", run.stdout);

    let run = cli(&["operations", "nope"]).await;
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("Known operations: avepoint.account-information"), "{}", run.stderr);
}

/// Every flag of every command explains itself in `--help`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_flag_has_a_line_of_help() {
    for command in [&["get"][..], &["update"], &["sign-in"], &["profile", "new"], &["operations"]] {
        let mut args = command.to_vec();
        args.push("--help");
        let run = cli(&args).await;
        assert_eq!(run.code, 0, "{command:?}: {}", run.stderr);
        let bare: Vec<&str> = run
            .stdout
            .lines()
            .map(str::trim)
            .filter(|line| line.starts_with("--") || (line.starts_with('-') && line.contains(", --")))
            // A flag line with nothing after its value name has no help.
            .filter(|line| !line.contains("  "))
            .collect();
        assert!(bare.is_empty(), "{command:?} has flags without help: {bare:?}\n{}", run.stdout);
    }
}

/// An MSP360 profile file for the sandbox and the `--profile-file … --secret-env … --user …` part.
async fn msp360_profile(sandbox: &Sandbox, dir: &tempfile::TempDir) -> String {
    use switchboard_sandbox::msp360::PRACTICE_USER_NAME;
    let url = sandbox.msp360_url();
    let new = cli(&[
        "profile",
        "new",
        "--vendor",
        "msp360",
        "--name",
        "Backup",
        "--base-url",
        &url,
        "--username",
        PRACTICE_USER_NAME,
    ])
    .await;
    save(dir, "msp360.json", &new)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_in_set_is_refused_and_the_alternative_named() {
    use switchboard_sandbox::msp360::{sample_user_id, PRACTICE_PASSWORD};
    let sandbox = Sandbox::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = msp360_profile(&sandbox, &dir).await;
    let env = [("MSP_PASSWORD", PRACTICE_PASSWORD)];
    let base = ["--profile-file", file.as_str(), "--secret-env", "MSP_PASSWORD", "--user", sample_user_id()];

    let run = cli_with_env(
        &[&["update", "msp360.user"], &base[..], &["--set", "FirstName=Jo", "--set", "Password=Hunter2-New!"]].concat(),
        &env,
    )
    .await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("Password is a password field"), "{}", run.stderr);
    assert!(run.stderr.contains("--password-env"), "{}", run.stderr);
    assert!(!run.stderr.contains("Hunter2-New!") && !run.stdout.contains("Hunter2-New!"), "never echoed");
    assert!(sandbox.state().requests().is_empty(), "refused before anything was sent");

    // Partner Center's password field too, and an empty value is no way round it.
    let run = cli(&[
        "update",
        "partner-center.customer-user",
        "--profile-file",
        &file,
        "--customer",
        "c",
        "--user",
        "u",
        "--set",
        "password=",
    ])
    .await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("password is a password field"), "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_password_from_password_env_reaches_the_vendor_and_is_never_printed() {
    use switchboard_sandbox::msp360::{sample_user_id, PRACTICE_PASSWORD};
    let sandbox = Sandbox::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = msp360_profile(&sandbox, &dir).await;
    let new_password = "Correct-Horse-7";
    let env = [("MSP_PASSWORD", PRACTICE_PASSWORD), ("NEW_USER_PASSWORD", new_password)];
    let user = sample_user_id();
    let base = ["--profile-file", file.as_str(), "--secret-env", "MSP_PASSWORD", "--user", user];
    let before = sandbox.state().msp360.user(user).unwrap().password;
    assert_ne!(before, new_password);

    let run = cli_with_env(
        &[&["update", "msp360.user"], &base[..], &["--password-env", "NEW_USER_PASSWORD", "--dry-run"]].concat(),
        &env,
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("New password (Password): (none) → (will be changed)"), "{}", run.stdout);
    assert_eq!(sandbox.state().msp360.user(user).unwrap().password, before, "a dry run sends nothing");

    let run = cli_with_env(
        &[&["update", "msp360.user"], &base[..], &["--set", "FirstName=Jo", "--password-env", "NEW_USER_PASSWORD"]]
            .concat(),
        &env,
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(sandbox.state().msp360.user(user).unwrap().password, new_password);
    assert_eq!(sandbox.state().msp360.user(user).unwrap().first_name, "Jo");
    assert!(run.stdout.contains("New password (Password): changed"), "{}", run.stdout);
    assert!(!run.stdout.contains(new_password) && !run.stderr.contains(new_password), "{}", run.stdout);

    // Only --password-env is enough for an update; an unset variable or an operation without a
    // password field is bad input, and nothing is sent.
    sandbox.state().clear_requests();
    let run =
        cli_with_env(&[&["update", "msp360.user"], &base[..], &["--password-env", "NOT_SET_ANYWHERE"]].concat(), &env)
            .await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("NOT_SET_ANYWHERE is not set"), "{}", run.stderr);
    let avepoint = profile_file(&sandbox, &dir).await;
    let run = run_with(
        &["update", "avepoint.account-information", "--profile-file", &avepoint, "--secret-env", "SANDBOX_SECRET"],
        &["--password-env", "SANDBOX_SECRET"],
    )
    .await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("has no password field"), "{}", run.stderr);
    assert!(sandbox.state().requests().iter().all(|r| r.method != "PUT"), "nothing was sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_password_prompt_needs_a_terminal() {
    use switchboard_sandbox::msp360::{sample_user_id, PRACTICE_PASSWORD};
    let sandbox = Sandbox::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = msp360_profile(&sandbox, &dir).await;
    let env = [("MSP_PASSWORD", PRACTICE_PASSWORD)];
    let base = ["--profile-file", file.as_str(), "--secret-env", "MSP_PASSWORD", "--user", sample_user_id()];
    // The test runs the CLI with no terminal (stdin is /dev/null), as CI and scripts do.
    let run = cli_with_env(&[&["update", "msp360.user"], &base[..], &["--password-prompt"]].concat(), &env).await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("needs a terminal") && run.stderr.contains("--password-env"), "{}", run.stderr);
    assert!(sandbox.state().requests().iter().all(|r| r.method != "PUT"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_profile_file_with_the_practice_id_or_an_odd_id_is_refused() {
    let sandbox = Sandbox::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = profile_file(&sandbox, &dir).await;
    let text = std::fs::read_to_string(&file).unwrap();
    let mut profile: Value = serde_json::from_str(&text).unwrap();
    for bad in ["practice", "../x", "a/client-secret"] {
        profile["id"] = Value::String(bad.into());
        std::fs::write(&file, profile.to_string()).unwrap();
        let run = run_with(&["get", "avepoint.account-information", "--profile-file", &file], &[]).await;
        assert_eq!(run.code, 2, "{bad}: {}", run.stderr);
        assert!(run.stderr.contains("can't be used: its id"), "{bad}: {}", run.stderr);
    }
    assert!(sandbox.state().requests().is_empty());
}

/// What a browser does with a sign-in address: a GET that follows redirects (the app's own client
/// never does). rustls's provider is the app's (ring), installed first.
async fn browser_get(url: impl reqwest::IntoUrl) -> reqwest::Result<reqwest::Response> {
    switchboard_core::http::use_ring_for_tls();
    reqwest::get(url).await
}
