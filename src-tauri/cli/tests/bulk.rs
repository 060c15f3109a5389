//! `switchboard-cli bulk` as a script runs it: a real process against the sandbox over HTTP,
//! killed mid-run and run again.

use std::path::{Path, PathBuf};
use std::time::Duration;
use switchboard_sandbox::{avepoint::sample_user, Sandbox, PRACTICE_CLIENT_ID, PRACTICE_CLIENT_SECRET};

const OPERATION: &str = "avepoint.account-information";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

struct Setup {
    sandbox: Sandbox,
    dir: tempfile::TempDir,
    profile: String,
    /// Generated users of the sample tenant.
    users: Vec<String>,
}

impl Setup {
    async fn new(users: usize) -> Setup {
        let sandbox = Sandbox::start().await.unwrap();
        let (customer, tenant, _) = sample_user();
        let before = Self::tenant_users(&sandbox).len();
        sandbox.state().avepoint.add_generated_users(customer, tenant, users).unwrap();
        let users = Self::tenant_users(&sandbox).split_off(before);
        let dir = tempfile::tempdir().unwrap();
        let mut setup = Setup { sandbox, dir, profile: String::new(), users };
        let run = setup
            .cli(&[
                "profile",
                "new",
                "--vendor",
                "avepoint",
                "--name",
                "Sandbox",
                "--base-url",
                &setup.sandbox.avepoint_api_url(),
                "--identity-url",
                &setup.sandbox.avepoint_identity_url(),
                "--client-id",
                PRACTICE_CLIENT_ID,
            ])
            .await;
        assert_eq!(run.code, 0, "{}", run.stderr);
        let path = setup.dir.path().join("profile.json");
        std::fs::write(&path, &run.stdout).unwrap();
        setup.profile = path.display().to_string();
        setup
    }

    fn tenant_users(sandbox: &Sandbox) -> Vec<String> {
        let (customer, tenant, _) = sample_user();
        let customers = sandbox.state().avepoint.customers();
        let tenant =
            customers.iter().find(|c| c.id == customer).unwrap().tenants.iter().find(|t| t.id == tenant).unwrap();
        tenant.users.iter().map(|u| u.id.clone()).collect()
    }

    fn command(&self, args: &[&str]) -> tokio::process::Command {
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_switchboard-cli"));
        command
            .args(args)
            .env("SWITCHBOARD_DATA_DIR", self.dir.path().join("data"))
            .env("SANDBOX_SECRET", PRACTICE_CLIENT_SECRET)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        command
    }

    async fn cli(&self, args: &[&str]) -> Run {
        let output = self.command(args).output().await.unwrap();
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    fn bulk_args<'a>(&'a self, file: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
        let mut args =
            vec!["bulk", OPERATION, "--profile-file", &self.profile, "--secret-env", "SANDBOX_SECRET", "--file", file];
        args.extend_from_slice(extra);
        args
    }

    /// A CSV giving each of the first `count` users a new address (`version` in it).
    fn mail_file(&self, name: &str, count: usize, version: u32) -> PathBuf {
        let (customer, tenant, _) = sample_user();
        let mut text = String::from("\u{feff}customer;tenant;user;name;mail\r\n");
        for (index, id) in self.users.iter().take(count).enumerate() {
            text.push_str(&format!("{customer};{tenant};{id};User {index};user{index}.v{version}@contoso.example\r\n"));
        }
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    fn mail_of(&self, user: &str) -> String {
        let (customer, tenant, _) = sample_user();
        self.sandbox.state().avepoint.user(customer, tenant, user).unwrap().mail
    }

    /// PUTs received per user.
    fn puts_for(&self, user: &str) -> usize {
        self.sandbox.state().requests().iter().filter(|r| r.method == "PUT" && r.path.contains(user)).count()
    }

    fn puts(&self) -> usize {
        self.sandbox.state().requests().iter().filter(|r| r.method == "PUT").count()
    }
}

fn text(path: &Path) -> String {
    path.display().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_template_a_bad_file_a_dry_run_and_a_run() {
    let s = Setup::new(6).await;
    let template = s.dir.path().join("template.csv");
    let run = s.cli(&["bulk", OPERATION, "--template", &text(&template)]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let header = std::fs::read_to_string(&template).unwrap();
    assert!(
        header.starts_with("\u{feff}\"customer\",\"tenant\",\"user\",\"name\",\"mail\",\"usageLocation\""),
        "{header}"
    );

    // A bad cell refuses the whole file: exit 2, each problem with its row and column, nothing sent.
    let (customer, tenant, _) = sample_user();
    let bad = s.dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        format!("customer,tenant,user,mail\n{customer},{tenant},{},ok@contoso.example\n{customer},{tenant},{},not-an-address\n", s.users[0], s.users[1]),
    )
    .unwrap();
    let run = s.cli(&s.bulk_args(&text(&bad), &[])).await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("Nothing was sent: the file has 1 problem"), "{}", run.stderr);
    assert!(run.stderr.contains("Row 3, column mail: Email must be an email address"), "{}", run.stderr);
    assert_eq!(s.puts(), 0);

    // A dry run prints each row's change and sends nothing; the run then sends exactly that.
    let file = s.mail_file("mail.csv", 6, 1);
    let run = s.cli(&s.bulk_args(&text(&file), &["--dry-run"])).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("6 rows will change"), "{}", run.stdout);
    assert!(run.stdout.contains("row 2 (User 0): Email:"), "{}", run.stdout);
    assert_eq!(s.puts(), 0);
    let results = s.dir.path().join("results.csv");
    let run = s.cli(&s.bulk_args(&text(&file), &["--results", &text(&results)])).await;
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("Resuming job"), "the dry run's job is the one run: {}", run.stderr);
    assert!(run.stdout.contains("6 done, 0 unchanged, 0 refused, 0 failed, 0 left"), "{}", run.stdout);
    assert_eq!(s.puts(), 6);
    assert_eq!(s.mail_of(&s.users[4]), "user4.v1@contoso.example");
    let results = std::fs::read_to_string(&results).unwrap();
    assert_eq!(results.lines().count(), 7, "{results}");
    assert!(results.contains(",\"done\","), "{results}");

    // The same file again: every record already holds its values.
    let run = s.cli(&s.bulk_args(&text(&file), &[])).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("0 done, 6 unchanged"), "{}", run.stdout);
    assert_eq!(s.puts(), 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_changed_after_the_review_is_refused_and_the_run_exits_4() {
    let s = Setup::new(3).await;
    let file = s.mail_file("review.csv", 3, 2);
    let run = s.cli(&s.bulk_args(&text(&file), &["--dry-run"])).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let (customer, tenant, _) = sample_user();
    s.sandbox.state().avepoint.edit_user(customer, tenant, &s.users[1], |u| u.mail = "moved@contoso.example".into());
    let run = s.cli(&s.bulk_args(&text(&file), &["--json"])).await;
    assert_eq!(run.code, 4, "{}\n{}", run.stdout, run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["job"]["counts"]["done"], 2);
    assert_eq!(report["job"]["counts"]["refused"], 1);
    assert!(report["notDone"][0]["message"].as_str().unwrap().contains("changed at the vendor since you reviewed it"));
    assert_eq!(s.mail_of(&s.users[1]), "moved@contoso.example", "never overwritten");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_killed_mid_way_resumes_with_no_row_sent_twice_and_none_lost() {
    let s = Setup::new(40).await;
    // Each change is made at once and answered 50 ms later: a kill may land in between.
    s.sandbox
        .state()
        .set_faults(switchboard_sandbox::Faults { answer_latency: Duration::from_millis(50), ..Default::default() });
    let file = s.mail_file("kill.csv", 40, 3);
    let file = text(&file);
    let args = s.bulk_args(&file, &["--max-rate", "40", "--concurrency", "4"]);
    let mut child = s.command(&args).spawn().unwrap();
    // Kill it once some rows went out.
    let started = std::time::Instant::now();
    while s.puts() < 8 {
        assert!(started.elapsed() < Duration::from_secs(60), "the run never got going");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.start_kill().unwrap();
    child.wait().await.unwrap();
    let sent_before = s.puts();
    assert!(sent_before < 40, "killed mid-way: {sent_before}");

    let run = s.cli(&args).await;
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("Resuming job"), "{}", run.stderr);
    assert!(run.stdout.contains("40 done"), "{}", run.stdout);
    for (index, user) in s.users.iter().enumerate() {
        assert_eq!(s.puts_for(user), 1, "user {index} was sent {} times", s.puts_for(user));
        assert_eq!(s.mail_of(user), format!("user{index}.v3@contoso.example"));
    }
}
