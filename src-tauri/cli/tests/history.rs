//! The change history through the command line, against the sandbox over real HTTP: every
//! update is recorded (done, refused, failed, and unknown when the process is killed mid-send),
//! reconciled by a later read, listed by `history`, and undone by `undo` with its conflict check.

use serde_json::Value;
use std::path::Path;
use std::time::Duration;
use switchboard_core::history::{History, HistoryFilter, Outcome, Source};
use switchboard_sandbox::{avepoint::sample_user, Faults, Sandbox, PRACTICE_CLIENT_ID, PRACTICE_CLIENT_SECRET};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// A data folder of its own and a profile file for the sandbox's AvePoint.
struct Setup {
    sandbox: Sandbox,
    data: tempfile::TempDir,
    profile: String,
}

fn command(data: &Path, args: &[&str]) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_switchboard-cli"));
    command
        .args(args)
        .env("SWITCHBOARD_DATA_DIR", data)
        .env("SANDBOX_SECRET", PRACTICE_CLIENT_SECRET)
        .kill_on_drop(true);
    command
}

impl Setup {
    async fn new() -> Setup {
        let sandbox = Sandbox::start().await.unwrap();
        let data = tempfile::tempdir().unwrap();
        let (api, identity) = (sandbox.avepoint_api_url(), sandbox.avepoint_identity_url());
        let args = [
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
        ];
        let output = command(data.path(), &args).output().await.unwrap();
        let profile = data.path().join("profile.json");
        std::fs::write(&profile, &output.stdout).unwrap();
        Setup { sandbox, profile: profile.display().to_string(), data }
    }

    async fn cli(&self, args: &[&str]) -> Run {
        let output = command(self.data.path(), args).output().await.unwrap();
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// `update avepoint.account-information` of the sample user with `--set` each of `sets`.
    fn update_args<'a>(&'a self, sets: &[&'a str]) -> Vec<&'a str> {
        let (customer, tenant, user) = sample_user();
        let mut args = vec![
            "update",
            "avepoint.account-information",
            "--profile-file",
            &self.profile,
            "--secret-env",
            "SANDBOX_SECRET",
            "--customer",
            customer,
            "--tenant",
            tenant,
            "--user",
            user,
        ];
        for set in sets {
            args.extend(["--set", set]);
        }
        args
    }

    async fn update(&self, sets: &[&str]) -> Run {
        self.cli(&self.update_args(sets)).await
    }

    async fn undo(&self, id: &str) -> Run {
        self.cli(&["undo", id, "--profile-file", &self.profile, "--secret-env", "SANDBOX_SECRET"]).await
    }

    fn history(&self) -> History {
        History::open(self.data.path()).unwrap()
    }

    fn entries(&self) -> Vec<switchboard_core::history::Entry> {
        self.history().list(&HistoryFilter::default(), None, 100).unwrap().entries
    }

    fn usage_location(&self) -> String {
        let (customer, tenant, user) = sample_user();
        self.sandbox.state().avepoint.user(customer, tenant, user).unwrap().usage_location
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_update_is_recorded_and_listed_newest_first() {
    let setup = Setup::new().await;
    let before = setup.usage_location();
    let run = setup.update(&["usageLocation=SE"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = setup.update(&["preferredLanguage=sv-SE"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);

    let run = setup.cli(&["history", "--json"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let listed: Value = serde_json::from_str(&run.stdout).unwrap();
    let entries = listed.as_array().unwrap();
    assert_eq!(entries.len(), 2);
    let (newest, oldest) = (&entries[0], &entries[1]);
    assert_eq!(newest["changes"][0]["field"], "preferredLanguage", "newest first");
    assert_eq!(oldest["operation"], "avepoint.account-information");
    assert_eq!(oldest["outcome"], "done");
    assert_eq!(oldest["source"], "command_line");
    assert!(oldest["id"].is_string() && oldest["at"].as_str().unwrap().ends_with('Z'));
    let (customer, tenant, user) = sample_user();
    assert_eq!(oldest["target"], serde_json::json!({ "customer": customer, "tenant": tenant, "user": user }));
    assert_eq!(
        oldest["changes"],
        serde_json::json!([{ "field": "usageLocation", "label": "Usage location", "before": before, "after": "SE" }])
    );
    assert!(oldest["requestId"].is_string(), "the vendor's reference is kept: {oldest}");
    assert!(oldest["person"].is_string() && oldest["computer"].is_string());

    let run = setup.cli(&["history", "--limit", "1"]).await;
    assert!(run.stdout.contains("preferredLanguage") && !run.stdout.contains("usageLocation"), "{}", run.stdout);
    assert!(run.stdout.contains("(1 of 2 change(s), newest first)"), "{}", run.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_and_failures_are_recorded_with_the_vendors_words() {
    let setup = Setup::new().await;
    let puts = "/account-information".to_string();
    setup.sandbox.state().set_faults(Faults {
        throttle_next: 50,
        retry_after_seconds: 0,
        only_paths_containing: puts.clone(),
        ..Faults::default()
    });
    let run = setup.update(&["usageLocation=SE"]).await;
    assert_eq!(run.code, 4, "{}", run.stderr);
    setup.sandbox.state().set_faults(Faults { fail_next: 50, only_paths_containing: puts, ..Faults::default() });
    let run = setup.update(&["usageLocation=NO"]).await;
    assert_eq!(run.code, 4, "{}", run.stderr);
    setup.sandbox.state().set_faults(Faults::default());
    // Refused before anything was sent: nothing to record.
    let run = setup.update(&["usageLocation=Sweden"]).await;
    assert_eq!(run.code, 2, "{}", run.stderr);

    let entries = setup.entries();
    assert_eq!(entries.len(), 2, "{entries:?}");
    assert_eq!(entries[0].outcome, Outcome::Failed);
    assert!(entries[0].message.as_deref().unwrap().contains("problem on its side"), "{:?}", entries[0].message);
    assert_eq!(entries[1].outcome, Outcome::Refused);
    assert!(entries[1].message.as_deref().unwrap().contains("busy"), "{:?}", entries[1].message);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_killed_mid_send_stays_unknown_until_a_read_settles_it() {
    let setup = Setup::new().await;
    let before = setup.usage_location();
    // The PUT is held long enough to kill the process while it waits for the answer.
    setup.sandbox.state().set_faults(Faults {
        latency: Duration::from_secs(60),
        only_paths_containing: "/account-information".into(),
        ..Faults::default()
    });
    let mut child = command(setup.data.path(), &setup.update_args(&["usageLocation=SE"])).spawn().unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while setup.entries().is_empty() {
        assert!(std::time::Instant::now() < deadline, "no entry was written before the send");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // SIGKILL: no chance to write anything more.
    child.start_kill().unwrap();
    child.wait().await.unwrap();
    setup.sandbox.state().set_faults(Faults::default());
    let entries = setup.entries();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].outcome, Outcome::Unknown, "sent, no answer seen: not confirmed");
    assert!(entries[0].finished_at.is_none());

    // The next read through the connection settles it: the vendor still holds the old value.
    let (customer, tenant, user) = sample_user();
    let run = setup
        .cli(&[
            "get",
            "avepoint.account-information",
            "--profile-file",
            &setup.profile,
            "--secret-env",
            "SANDBOX_SECRET",
            "--customer",
            customer,
            "--tenant",
            tenant,
            "--user",
            user,
        ])
        .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(setup.usage_location(), before);
    let entry = &setup.entries()[0];
    assert_eq!(entry.outcome, Outcome::Failed);
    assert_eq!(entry.message.as_deref(), Some("Not applied: a later read found the old values."));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undo_puts_a_change_back_and_an_undo_can_be_undone() {
    let setup = Setup::new().await;
    let before = setup.usage_location();
    assert_eq!(setup.update(&["usageLocation=SE"]).await.code, 0);
    let change = setup.entries()[0].clone();

    let dry = setup
        .cli(&["undo", &change.id, "--profile-file", &setup.profile, "--secret-env", "SANDBOX_SECRET", "--dry-run"])
        .await;
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    assert!(dry.stdout.contains(&format!("\"SE\" → \"{before}\"")) || dry.stdout.contains("SE →"), "{}", dry.stdout);
    assert_eq!(setup.usage_location(), "SE", "a dry run sends nothing");

    let run = setup.undo(&change.id).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("Undone: Usage location back to"), "{}", run.stdout);
    assert_eq!(setup.usage_location(), before);
    let entries = setup.entries();
    let undo = &entries[0];
    assert_eq!((undo.source, undo.undoes.as_deref()), (Source::Undo, Some(change.id.as_str())));
    assert_eq!(entries[1].undone_by.as_deref(), Some(undo.id.as_str()), "the change names its undo");
    let again = setup.undo(&change.id).await;
    assert_eq!(again.code, 2, "{}", again.stderr);
    assert!(again.stderr.contains("already undone"), "{}", again.stderr);

    // The undo is a change like any other: undoing it sets SE again.
    let run = setup.undo(&undo.id).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(setup.usage_location(), "SE");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undo_sends_nothing_when_the_record_changed_since_and_names_the_field() {
    let setup = Setup::new().await;
    assert_eq!(setup.update(&["usageLocation=SE", "preferredLanguage=sv-SE"]).await.code, 0);
    let change = setup.entries()[0].clone();
    let (customer, tenant, user) = sample_user();
    setup.sandbox.state().avepoint.edit_user(customer, tenant, user, |u| u.usage_location = "DE".into());
    setup.sandbox.state().clear_requests();

    let run = setup.undo(&change.id).await;
    assert_eq!(run.code, 6, "{}", run.stderr);
    assert!(run.stderr.contains("(Usage location)"), "{}", run.stderr);
    assert!(run.stderr.contains("now \"DE\""), "before / after / now per field: {}", run.stderr);
    assert!(setup.sandbox.state().requests().iter().all(|r| r.method != "PUT"), "nothing was sent");
    assert_eq!(setup.usage_location(), "DE");
    let run = setup.undo("no-such-change").await;
    assert_eq!(run.code, 2, "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_change_is_recorded_without_the_password_and_cannot_be_undone() {
    use switchboard_sandbox::msp360::{sample_user_id, PRACTICE_PASSWORD, PRACTICE_USER_NAME};
    let setup = Setup::new().await;
    let url = setup.sandbox.msp360_url();
    let output = command(
        setup.data.path(),
        &[
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
        ],
    )
    .output()
    .await
    .unwrap();
    let file = setup.data.path().join("msp360.json");
    std::fs::write(&file, &output.stdout).unwrap();
    let file = file.display().to_string();
    let new_password = "Brand-New-Secret-42";
    let base = ["--profile-file", file.as_str(), "--secret-env", "MSP_PASSWORD"];
    let output = command(
        setup.data.path(),
        &[&["update", "msp360.user", "--user", sample_user_id(), "--password-env", "NEW_PASSWORD"], &base[..]].concat(),
    )
    .env("MSP_PASSWORD", PRACTICE_PASSWORD)
    .env("NEW_PASSWORD", new_password)
    .output()
    .await
    .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let entry = setup.entries()[0].clone();
    assert_eq!(entry.changes[0].after, "(changed)");

    let output = command(setup.data.path(), &[&["undo", entry.id.as_str()], &base[..]].concat())
        .env("MSP_PASSWORD", PRACTICE_PASSWORD)
        .output()
        .await
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("A password change cannot be undone"));

    // No file this run wrote holds a secret: not the history, not its journal, not a profile.
    for file in std::fs::read_dir(setup.data.path()).unwrap() {
        let path = file.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        for secret in [new_password, PRACTICE_PASSWORD, PRACTICE_CLIENT_SECRET] {
            assert!(!text.contains(secret), "{} holds a secret", path.display());
        }
    }
}
