//! Bulk changes against the sandbox over real HTTP: check, run, resume after an interrupted
//! send, pause, throttling, undo of a job, and export → import.

mod common;

use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};
use switchboard_core::bulk::{self, Checked, ConnectionRef, Control, RunOptions};
use switchboard_core::history::{History, HistoryFilter, JobState, RowState, Source};
use switchboard_core::operations::VendorClient;
use switchboard_sandbox::Faults;
use switchboard_sandbox::Sandbox;

const OPERATION: &str = "avepoint.account-information";

struct Setup {
    sandbox: Sandbox,
    client: VendorClient,
    history: History,
    dir: tempfile::TempDir,
    customer: String,
    tenant: String,
    /// Generated users of the sample tenant: (id, mail).
    users: Vec<(String, String)>,
}

async fn setup(users: usize) -> Setup {
    let sandbox = Sandbox::start().await.unwrap();
    let (client, target) = common::vendor_client(&sandbox, OPERATION).await;
    let customer = target["customerId"].as_str().unwrap().to_string();
    let tenant = target["tenantId"].as_str().unwrap().to_string();
    let before = tenant_users(&sandbox, &customer, &tenant).len();
    sandbox.state().avepoint.add_generated_users(&customer, &tenant, users).unwrap();
    let users = tenant_users(&sandbox, &customer, &tenant).split_off(before);
    let dir = tempfile::tempdir().unwrap();
    let history = History::open(dir.path()).unwrap();
    Setup { sandbox, client, history, dir, customer, tenant, users }
}

fn tenant_users(sandbox: &Sandbox, customer: &str, tenant: &str) -> Vec<(String, String)> {
    let customers = sandbox.state().avepoint.customers();
    let tenant = customers.iter().find(|c| c.id == customer).unwrap().tenants.iter().find(|t| t.id == tenant).unwrap();
    tenant.users.iter().map(|u| (u.id.clone(), u.mail.clone())).collect()
}

impl Setup {
    fn connection(&self) -> ConnectionRef {
        ConnectionRef { id: "practice".into(), name: "Practice".into() }
    }

    fn file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::File::create(&path).unwrap().write_all(text.as_bytes()).unwrap();
        path
    }

    /// A CSV that gives each of the first `count` users a new address (`n` in it).
    fn new_mail_file(&self, name: &str, count: usize, n: u32) -> PathBuf {
        let mut text = String::from("customer,tenant,user,name,mail\r\n");
        for (index, (id, _)) in self.users.iter().take(count).enumerate() {
            text.push_str(&format!(
                "{},{},{id},User {index},user{index}.v{n}@contoso.example\r\n",
                self.customer, self.tenant
            ));
        }
        self.file(name, &text)
    }

    fn mail_of(&self, user: &str) -> String {
        self.sandbox.state().avepoint.user(&self.customer, &self.tenant, user).unwrap().mail
    }

    fn puts(&self) -> Vec<String> {
        self.sandbox.state().requests().into_iter().filter(|r| r.method == "PUT").map(|r| r.path).collect()
    }

    async fn check(&self, path: &Path, options: RunOptions) -> Checked {
        bulk::check(&self.history, &self.client, &self.connection(), OPERATION, path, options, &|_, _| {})
            .await
            .unwrap()
    }

    async fn ready(&self, path: &Path, options: RunOptions) -> String {
        match self.check(path, options).await {
            Checked::Ready { job } => job.id.clone(),
            Checked::Refused { problems, .. } => panic!("refused: {problems:#?}"),
        }
    }

    async fn run(&self, job: &str) -> switchboard_core::history::JobView {
        let (_control, watch) = bulk::control();
        bulk::run(&self.history, &self.client, job, watch, &|_| {}).await.unwrap()
    }
}

fn fast() -> RunOptions {
    RunOptions { max_rate: 500.0, concurrency: 8 }
}

#[tokio::test]
async fn a_checked_file_runs_every_row_once_and_records_each_as_part_of_the_job() {
    let s = setup(12).await;
    let path = s.new_mail_file("mail.csv", 10, 1);
    // Two more rows that change nothing: their record already holds the value.
    let mut text = std::fs::read_to_string(&path).unwrap();
    for (id, mail) in &s.users[10..12] {
        text.push_str(&format!("{},{},{id},,{mail}\r\n", s.customer, s.tenant));
    }
    let path = s.file("mail.csv", &text);
    let job = s.ready(&path, fast()).await;
    let view = s.history.job(&job).unwrap();
    assert_eq!(view.state, JobState::Ready);
    assert_eq!((view.counts.pending, view.counts.unchanged), (10, 2));
    assert!(s.puts().is_empty(), "checking sends nothing");
    let review = s.history.job_rows(&job, Some(RowState::Pending), 0, 100).unwrap();
    assert_eq!(review[0].changes[0].field, "mail");
    assert_eq!(review[0].changes[0].after, json!("user0.v1@contoso.example"));

    let done = s.run(&job).await;
    assert_eq!(done.state, JobState::Finished);
    assert_eq!((done.counts.done, done.counts.unchanged, done.counts.remaining()), (10, 2, 0));
    assert_eq!(s.puts().len(), 10, "one PUT per changed row");
    assert_eq!(s.mail_of(&s.users[3].0), "user3.v1@contoso.example");
    let entries = s.history.all(&HistoryFilter::default()).unwrap();
    assert_eq!(entries.len(), 10);
    assert!(entries.iter().all(|e| e.group_id.as_deref() == Some(job.as_str()) && e.source == Source::Bulk));
    assert!(entries.iter().any(|e| e.target_names.values().any(|n| n == "User 3")), "the name column names the entry");

    // Running it again sends nothing: the job is finished.
    let (_control, watch) = bulk::control();
    let error = bulk::run(&s.history, &s.client, &job, watch, &|_| {}).await.unwrap_err();
    assert!(error.message.contains("finished"), "{}", error.message);
    assert_eq!(s.puts().len(), 10);
}

#[tokio::test]
async fn a_file_with_a_record_the_vendor_does_not_have_is_refused_whole_and_nothing_is_sent() {
    let s = setup(3).await;
    let text = format!(
        "customer,tenant,user,mail\n{c},{t},{u0},a0@contoso.example\n{c},{t},00000000-0000-4000-8000-999999999999,a1@contoso.example\n",
        c = s.customer,
        t = s.tenant,
        u0 = s.users[0].0
    );
    let path = s.file("missing.csv", &text);
    match s.check(&path, fast()).await {
        Checked::Refused { problems, rows } => {
            assert_eq!(rows, 2);
            assert_eq!(problems.listed.len(), 1, "{problems:#?}");
            assert_eq!(problems.listed[0].row, 3);
            assert!(problems.listed[0].message.contains("no such record"), "{problems:#?}");
        }
        Checked::Ready { .. } => panic!("a row naming a missing user must refuse the file"),
    }
    assert!(s.puts().is_empty());
    assert!(s.history.jobs(false, 10).unwrap().is_empty(), "a refused file leaves no job behind");
    assert_eq!(s.mail_of(&s.users[0].0), s.users[0].1);
}

#[tokio::test]
async fn after_an_interrupted_send_a_row_the_vendor_holds_is_counted_done_and_never_sent_again() {
    let s = setup(4).await;
    let job = s.ready(&s.new_mail_file("crash.csv", 4, 2), fast()).await;
    // Simulate a crash mid-run: rows 2 and 3 got their entries (state `sending`); row 2's
    // request reached the vendor, row 3's never did. Then the process died.
    let rows = s.history.open_rows(&job, 0, 10).unwrap();
    for row in &rows[..2] {
        let plan = switchboard_core::plan::Plan {
            id: "p".into(),
            operation: OPERATION,
            target: row.target.clone(),
            basis: row.basis.clone(),
            after: row.after.clone(),
            changes: row.changes.clone(),
            warnings: vec![],
            request: row.request.as_ref().map(|r| r.planned()),
            call: switchboard_core::plan::Call::new(),
        };
        let context = switchboard_core::history::EntryContext {
            source: Source::Bulk,
            connection_id: "practice".into(),
            connection_name: "Practice".into(),
            target_names: Default::default(),
            undoes: None,
            group_id: Some(job.clone()),
        };
        s.history.begin_row(&job, row.row, &plan, &context).unwrap();
    }
    s.history.set_job_state(&job, JobState::Running).unwrap();
    let arrived = &s.users[0].0;
    s.sandbox
        .state()
        .avepoint
        .edit_user(&s.customer, &s.tenant, arrived, |u| u.mail = "user0.v2@contoso.example".into());

    assert_eq!(
        s.history
            .resumable_job(OPERATION, "practice", &bulk::digest(&s.dir.path().join("crash.csv")).unwrap())
            .unwrap()
            .unwrap()
            .id,
        job
    );
    let done = s.run(&job).await;
    assert_eq!(done.state, JobState::Finished);
    assert_eq!(done.counts.done, 4);
    let puts = s.puts();
    assert_eq!(puts.len(), 3, "rows 3, 4 and 5 sent, row 2 confirmed by a read: {puts:#?}");
    assert!(!puts.iter().any(|p| p.ends_with(arrived.as_str()) || p.contains(&format!("{arrived}/"))), "{puts:#?}");
    for (index, (id, _)) in s.users.iter().enumerate() {
        assert_eq!(s.mail_of(id), format!("user{index}.v2@contoso.example"));
    }
    let confirmed = s.history.job_rows(&job, None, 0, 1).unwrap();
    assert!(confirmed[0].message.as_deref().unwrap_or_default().contains("Confirmed"), "{confirmed:?}");
}

#[tokio::test]
async fn a_paused_job_stops_taking_rows_and_resumes_where_it_was() {
    let s = setup(30).await;
    let job = s.ready(&s.new_mail_file("pause.csv", 30, 3), RunOptions { max_rate: 60.0, concurrency: 2 }).await;
    let (control, watch) = bulk::control();
    let paused = {
        let progress = |p: &bulk::Progress| {
            if p.counts.done >= 5 {
                let _ = control.send(Control::Pause);
            }
        };
        bulk::run(&s.history, &s.client, &job, watch, &progress).await.unwrap()
    };
    assert_eq!(paused.state, JobState::Paused);
    assert!(paused.counts.done >= 5 && paused.counts.done < 30, "{:?}", paused.counts);
    let sent = s.puts().len() as u32;
    assert_eq!(sent, paused.counts.done);
    let finished = s.run(&job).await;
    assert_eq!(finished.state, JobState::Finished);
    assert_eq!(finished.counts.done, 30);
    assert_eq!(s.puts().len(), 30, "no row sent twice");
}

#[tokio::test]
async fn a_run_faster_than_the_vendor_allows_slows_down_on_429_and_still_finishes_every_row() {
    let s = setup(40).await;
    let job = s.ready(&s.new_mail_file("fast.csv", 40, 4), fast()).await;
    s.sandbox.state().set_faults(Faults {
        rate_limit: 20,
        only_paths_containing: "/graph/".into(),
        ..Faults::default()
    });
    let last = std::sync::Mutex::new(None);
    let progress = |p: &bulk::Progress| *last.lock().unwrap() = Some(p.clone());
    let (_control, watch) = bulk::control();
    let done = bulk::run(&s.history, &s.client, &job, watch, &progress).await.unwrap();
    assert_eq!(done.counts.done, 40, "{:?}", done.counts);
    let last = last.lock().unwrap().clone().unwrap();
    assert!(last.throttled > 0, "500/s against a limit of 20/s must meet a 429: {last:?}");
    assert!(last.pace < 500.0, "the pace came down: {last:?}");
}

#[tokio::test]
async fn undoing_a_job_restores_each_row_unless_its_record_moved_since() {
    let s = setup(3).await;
    let job = s.ready(&s.new_mail_file("undo.csv", 3, 5), fast()).await;
    s.run(&job).await;
    // Someone changes user 1 at the vendor after the job.
    let moved = &s.users[1].0;
    s.sandbox
        .state()
        .avepoint
        .edit_user(&s.customer, &s.tenant, moved, |u| u.mail = "someone.else@contoso.example".into());
    let undo = bulk::plan_undo(&s.history, &s.client, &job, fast()).await.unwrap();
    assert_eq!((undo.counts.pending, undo.counts.refused), (2, 1), "{:?}", undo.counts);
    let refused = s.history.job_rows(&undo.id, Some(RowState::Refused), 0, 10).unwrap();
    assert!(refused[0].message.as_deref().unwrap().contains("now \"someone.else@contoso.example\""), "{refused:?}");
    let finished = s.run(&undo.id).await;
    assert_eq!(finished.counts.done, 2);
    assert_eq!(s.mail_of(&s.users[0].0), s.users[0].1);
    assert_eq!(s.mail_of(&s.users[2].0), s.users[2].1);
    assert_eq!(s.mail_of(moved), "someone.else@contoso.example", "a moved record is left alone");
    let undone: Vec<_> =
        s.history.all(&HistoryFilter::default()).unwrap().into_iter().filter(|e| e.source == Source::Undo).collect();
    assert_eq!(undone.len(), 2);
    assert!(undone.iter().all(|e| e.undoes.is_some() && e.group_id.as_deref() == Some(undo.id.as_str())));
}

#[tokio::test]
async fn an_export_imports_back_unchanged_and_an_edited_export_changes_only_what_was_edited() {
    let s = setup(5).await;
    let parent = json!({ "customerId": s.customer, "tenantId": s.tenant });
    let path = s.dir.path().join("export.csv");
    let count = bulk::export(&s.client, OPERATION, &parent, &path, fast(), &|_, _| {}).await.unwrap();
    assert!(count >= 5);
    let job = s.ready(&path, fast()).await;
    let view = s.history.job(&job).unwrap();
    assert_eq!(view.counts.unchanged, count, "an export as it is changes nothing");
    assert_eq!(view.counts.pending, 0);

    let text = std::fs::read_to_string(&path).unwrap();
    let edited = text.replacen(&s.users[2].1, "renamed@contoso.example", 1);
    let edited_path = s.file("edited.csv", &edited);
    let job = s.ready(&edited_path, fast()).await;
    let pending = s.history.job_rows(&job, Some(RowState::Pending), 0, 10).unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].changes.len(), 1);
    assert_eq!(pending[0].changes[0].after, Value::String("renamed@contoso.example".into()));
    // The same for a workbook.
    let xlsx = s.dir.path().join("export.xlsx");
    bulk::export(&s.client, OPERATION, &parent, &xlsx, fast(), &|_, _| {}).await.unwrap();
    let job = s.ready(&xlsx, fast()).await;
    assert_eq!(s.history.job(&job).unwrap().counts.unchanged, count);
}
