//! switchboard-cli as a script would run it: a real process against the sandbox over HTTP.

use serde_json::Value;
use switchboard_sandbox::{avepoint::sample_user, Sandbox, PRACTICE_CLIENT_ID, PRACTICE_CLIENT_SECRET};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

async fn cli(args: &[&str]) -> Run {
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_switchboard-cli"))
        .args(args)
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
