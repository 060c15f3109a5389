//! `switchboard-cli person find` as a script would run it, against the sandbox over HTTP.

use serde_json::Value;
use switchboard_sandbox::{Sandbox, PRACTICE_CLIENT_ID, PRACTICE_CLIENT_SECRET};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

async fn cli(args: &[&str], data: &std::path::Path) -> Run {
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_switchboard-cli"))
        .args(args)
        .env("SWITCHBOARD_DATA_DIR", data)
        .env("AVEPOINT_SECRET", PRACTICE_CLIENT_SECRET)
        .env("SOFTWAREONE_TOKEN", switchboard_sandbox::softwareone::PRACTICE_TOKEN)
        .env("MSP360_PASSWORD", switchboard_sandbox::msp360::PRACTICE_PASSWORD)
        .env("WRONG_PASSWORD", "not-the-password")
        .output()
        .await
        .unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// `profile new ARGS` for each profile, written together into one file.
async fn profile_file(dir: &std::path::Path, file: &str, profiles: &[Vec<&str>]) -> String {
    let mut all = Vec::new();
    for args in profiles {
        let run = cli(&[&["profile", "new"], &args[..]].concat(), dir).await;
        assert_eq!(run.code, 0, "{}", run.stderr);
        all.push(serde_json::from_str::<Value>(&run.stdout).unwrap());
    }
    let path = dir.join(file);
    std::fs::write(&path, serde_json::to_string_pretty(&Value::Array(all)).unwrap()).unwrap();
    path.display().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn person_find_groups_one_person_across_profile_files_and_names_a_connection_that_failed() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.state().seed_people();
    let dir = tempfile::tempdir().unwrap();
    let (avepoint, identity, softwareone, msp360) =
        (sandbox.avepoint_api_url(), sandbox.avepoint_identity_url(), sandbox.softwareone_url(), sandbox.msp360_url());
    let user = switchboard_sandbox::msp360::PRACTICE_USER_NAME;
    let first = profile_file(
        dir.path(),
        "first.json",
        &[
            vec!["--vendor", "avepoint", "--name", "Elements", "--base-url", &avepoint, "--identity-url", &identity]
                .into_iter()
                .chain(["--client-id", PRACTICE_CLIENT_ID])
                .collect(),
            vec!["--vendor", "softwareone", "--name", "Marketplace", "--base-url", &softwareone],
        ],
    )
    .await;
    let second = profile_file(
        dir.path(),
        "second.json",
        &[
            vec!["--vendor", "msp360", "--name", "Backups", "--base-url", &msp360, "--username", user],
            vec!["--vendor", "msp360", "--name", "Old backups", "--base-url", &msp360, "--username", user],
        ],
    )
    .await;
    let args = [
        "person",
        "find",
        "--email",
        "anna.berg@northwind.example",
        "--profile-file",
        &first,
        "--profile-file",
        &second,
        "--secret-env",
        "Elements=AVEPOINT_SECRET",
        "--secret-env",
        "Marketplace=SOFTWAREONE_TOKEN",
        "--secret-env",
        "Backups=MSP360_PASSWORD",
        "--secret-env",
        "Old backups=WRONG_PASSWORD",
    ];
    let run = cli(&[&args[..], &["--json"]].concat(), dir.path()).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let found: Value = serde_json::from_str(&run.stdout).unwrap();
    let anna = &found["people"][0];
    assert_eq!(anna["name"], "Anna Berg");
    assert_eq!(anna["members"].as_array().unwrap().len(), 3, "{anna:#}");
    let states: Vec<&str> =
        found["connections"].as_array().unwrap().iter().map(|c| c["state"]["type"].as_str().unwrap()).collect();
    assert_eq!(states, ["done", "done", "done", "needs_sign_in"], "{:#}", found["connections"]);

    let run = cli(&args, dir.path()).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with("Anna Berg (3 records)"), "{}", run.stdout);
    assert!(run.stdout.contains("Same email address anna.berg@northwind.example"), "{}", run.stdout);
    assert!(run.stdout.contains("Old backups: needs sign-in"), "{}", run.stdout);
    assert!(!run.stdout.contains("Hanna") && !run.stdout.contains("Bergström"), "{}", run.stdout);

    // Neither an email nor a name: refused before anything is sent.
    let run = cli(&["person", "find", "--profile-file", &first], dir.path()).await;
    assert_eq!(run.code, 2, "{}", run.stderr);
}
