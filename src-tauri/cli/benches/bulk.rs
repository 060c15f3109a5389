//! Bulk benchmarks (issue #13), against the sandbox in this process:
//!
//! 1. A 100,000-row CSV read and checked without the vendor: time and peak memory.
//! 2. 1,000 rows of `avepoint.account-information` with the sandbox at 100 ms latency and a
//!    limit of 50 requests/s (429 with `Retry-After` past it): a run is one read and one write per
//!    row, 2,000 requests, so 40 s is the physical limit. Reports the run's time, its share of
//!    that limit, the requests throttled, and the speed-up over one row at a time (measured on
//!    100 rows).
//! 3. `switchboard-cli bulk` on 1,000 rows killed with SIGKILL at 10 random points, run again
//!    each time, then to the end: rows sent twice and rows lost (both must be 0).
//!
//! `cargo bench -p switchboard-cli --bench bulk` (parts 1 and 2), `BULK_PARTS=3 cargo bench --profile
//! dev -p switchboard-cli --bench bulk` (part 3: an optimised CLI refuses a plain-http profile);
//! `BULK_ROWS`, `BULK_BIG_ROWS` and `BULK_KILLS` change the sizes.

use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use switchboard_core::avepoint::{AvePointClient, AvePointSettings};
use switchboard_core::bulk::{self, Checked, ConnectionRef, RunOptions};
use switchboard_core::history::History;
use switchboard_core::operations::VendorClient;
use switchboard_core::secret::Secret;
use switchboard_sandbox::{avepoint::sample_user, Faults, Sandbox, PRACTICE_CLIENT_ID, PRACTICE_CLIENT_SECRET};

const OPERATION: &str = "avepoint.account-information";

fn parameter(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn part(n: u32) -> bool {
    std::env::var("BULK_PARTS").map(|parts| parts.split(',').any(|p| p.trim() == n.to_string())).unwrap_or(true)
}

/// The process's peak and current resident memory in KiB (Linux; elsewhere 0).
fn memory_kib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kib| kib.parse().ok())
            .unwrap_or(0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

/// Users added to the sample tenant: their ids.
fn add_users(sandbox: &Sandbox, count: usize) -> Vec<String> {
    let (customer, tenant, _) = sample_user();
    let ids = |sandbox: &Sandbox| -> Vec<String> {
        let customers = sandbox.state().avepoint.customers();
        let tenant =
            customers.iter().find(|c| c.id == customer).unwrap().tenants.iter().find(|t| t.id == tenant).unwrap();
        tenant.users.iter().map(|u| u.id.clone()).collect()
    };
    let before = ids(sandbox).len();
    sandbox.state().avepoint.add_generated_users(customer, tenant, count).unwrap();
    ids(sandbox).split_off(before)
}

/// A CSV giving each user a new address with `version` in it, written row by row.
fn mail_file(path: &Path, users: &[String], version: u32) {
    let (customer, tenant, _) = sample_user();
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(file, "customer,tenant,user,name,mail").unwrap();
    for (index, id) in users.iter().enumerate() {
        writeln!(file, "{customer},{tenant},{id},User {index},user{index}.v{version}@contoso.example").unwrap();
    }
}

/// A client as the app builds its Practice connection: the default retry policy.
fn client(sandbox: &Sandbox) -> VendorClient {
    let settings = AvePointSettings::for_practice(
        &sandbox.avepoint_api_url(),
        &sandbox.avepoint_identity_url(),
        PRACTICE_CLIENT_ID,
    )
    .unwrap();
    VendorClient::AvePoint(Arc::new(AvePointClient::new(settings, Secret::new(PRACTICE_CLIENT_SECRET))))
}

fn connection() -> ConnectionRef {
    ConnectionRef { id: "bench".into(), name: "Bench".into() }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let mut summary = Vec::new();
    if part(1) {
        summary.push(big_file(dir.path()));
    }
    if part(2) {
        summary.extend(throughput(dir.path()).await);
    }
    if part(3) {
        if cfg!(debug_assertions) {
            summary.push(kills(dir.path()).await);
        } else {
            // An optimised switchboard-cli sends to plain http only for the app's Practice
            // connection, so the sandbox can't be a profile file's address.
            println!(
                "3. skipped: run it with `cargo bench --profile dev -p switchboard-cli --bench bulk` and BULK_PARTS=3"
            );
        }
    }
    println!("\n== Summary");
    for line in summary {
        println!("{line}");
    }
}

/// Part 1: a big file read and checked without the vendor.
fn big_file(dir: &Path) -> String {
    let rows = parameter("BULK_BIG_ROWS", 100_000);
    let users: Vec<String> = (0..rows).map(|n| format!("00000000-0000-4000-8000-{n:012}")).collect();
    let path = dir.join("big.csv");
    mail_file(&path, &users, 1);
    drop(users);
    let size = std::fs::metadata(&path).unwrap().len();
    let (peak_before, _) = memory_kib();
    let started = Instant::now();
    // What checking a file does before it reads a record: every row, none kept.
    let scanned = bulk::scan(OPERATION, &path).unwrap();
    let elapsed = started.elapsed();
    let (peak_after, now) = memory_kib();
    assert!(scanned.problems.is_empty(), "{:?}", scanned.problems.listed.first());
    assert_eq!(scanned.rows as usize, rows);
    println!(
        "1. {rows} rows ({:.1} MB CSV) read and checked in {:.2} s ({:.0} rows/s); peak RSS {:.1} MB before, {:.1} MB after (now {:.1} MB)",
        size as f64 / 1e6,
        elapsed.as_secs_f64(),
        rows as f64 / elapsed.as_secs_f64(),
        peak_before as f64 / 1024.0,
        peak_after as f64 / 1024.0,
        now as f64 / 1024.0
    );
    format!(
        "import+check {rows} rows: {:.2} s, peak RSS {:.1} MB (+{:.1} MB while checking)",
        elapsed.as_secs_f64(),
        peak_after as f64 / 1024.0,
        peak_after.saturating_sub(peak_before) as f64 / 1024.0
    )
}

/// Part 2: a run against a rate-limited, slow vendor, and one row at a time.
async fn throughput(dir: &Path) -> Vec<String> {
    let rows = parameter("BULK_ROWS", 1_000);
    let sequential_rows = (rows / 10).max(10);
    let sandbox = Sandbox::start().await.unwrap();
    let users = add_users(&sandbox, rows);
    let client = client(&sandbox);
    let history = History::open(&dir.join("throughput")).unwrap();
    let limit = 50u32;
    sandbox.state().set_faults(Faults {
        latency: Duration::from_millis(100),
        rate_limit: limit,
        only_paths_containing: "/graph/".into(),
        ..Faults::default()
    });
    let mut lines = Vec::new();
    for (label, count, options, version) in [
        ("paced", rows, RunOptions { max_rate: f64::from(limit), concurrency: 16 }, 2),
        ("one row at a time", sequential_rows, RunOptions { max_rate: f64::from(limit), concurrency: 1 }, 3),
    ] {
        let path = dir.join(format!("run-{version}.csv"));
        mail_file(&path, &users[..count], version);
        let started = Instant::now();
        let checked =
            bulk::check(&history, &client, &connection(), OPERATION, &path, options, &|_, _| {}).await.unwrap();
        let check_time = started.elapsed();
        let Checked::Ready { job } = checked else { panic!("the file was refused") };
        let last = Mutex::new(None);
        let (_control, watch) = bulk::control();
        let started = Instant::now();
        let done =
            bulk::run(&history, &client, &job.id, watch, &|p| *last.lock().unwrap() = Some(p.clone())).await.unwrap();
        let run_time = started.elapsed().as_secs_f64();
        let last = last.into_inner().unwrap().unwrap();
        assert_eq!(done.counts.done as usize, count, "{:?}", done.counts);
        let physical = (2 * count) as f64 / f64::from(limit);
        let throttled = last.throttled as f64 / last.requests.max(1) as f64 * 100.0;
        println!(
            "2. {label}: {count} rows checked in {:.1} s, run in {run_time:.1} s ({:.1} rows/s); physical limit {physical:.0} s → {:.1} % of it; {} requests, {} throttled ({throttled:.2} %)",
            check_time.as_secs_f64(),
            count as f64 / run_time,
            physical / run_time * 100.0,
            last.requests,
            last.throttled,
        );
        lines.push((label, count, run_time, physical, throttled));
    }
    let (_, rows_paced, paced, physical, throttled) = lines[0];
    let (_, rows_one, one, _, _) = lines[1];
    let one_per_row = one / rows_one as f64;
    let speedup = one_per_row * rows_paced as f64 / paced;
    vec![
        format!(
            "{rows_paced} rows at 100 ms and 50 req/s: {paced:.1} s = {:.1} % of the {physical:.0} s limit, {throttled:.2} % throttled",
            physical / paced * 100.0
        ),
        format!(
            "one row at a time: {:.0} ms per row ({rows_one} rows) → {:.0} s for {rows_paced}; paced is {speedup:.1}× faster",
            one_per_row * 1000.0,
            one_per_row * rows_paced as f64
        ),
    ]
}

/// Part 3: the CLI killed at random points and run again.
async fn kills(dir: &Path) -> String {
    let rows = parameter("BULK_ROWS", 1_000);
    let kills = parameter("BULK_KILLS", 10);
    let sandbox = Sandbox::start().await.unwrap();
    let users = add_users(&sandbox, rows);
    // Answers come 30 ms after each change is made, so many kills land between the two.
    sandbox.state().set_faults(Faults { answer_latency: Duration::from_millis(30), ..Faults::default() });
    let data = dir.join("kills-data");
    let profile = dir.join("kills-profile.json");
    // The profile file as a person makes it: `profile new`.
    let new_profile = std::process::Command::new(env!("CARGO_BIN_EXE_switchboard-cli"))
        .args(["profile", "new", "--vendor", "avepoint", "--name", "Bench", "--base-url"])
        .arg(sandbox.avepoint_api_url())
        .arg("--identity-url")
        .arg(sandbox.avepoint_identity_url())
        .args(["--client-id", PRACTICE_CLIENT_ID])
        .output()
        .unwrap();
    assert!(new_profile.status.success());
    std::fs::write(&profile, &new_profile.stdout).unwrap();
    let file = dir.join("kills.csv");
    mail_file(&file, &users, 4);
    let command = || {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_switchboard-cli"));
        command
            .args(["bulk", OPERATION, "--profile-file"])
            .arg(&profile)
            .args(["--secret-env", "BENCH_SECRET", "--file"])
            .arg(&file)
            .args(["--max-rate", "400", "--concurrency", "8"])
            .env("SWITCHBOARD_DATA_DIR", &data)
            .env("BENCH_SECRET", PRACTICE_CLIENT_SECRET)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        command
    };
    let puts = |sandbox: &Sandbox| sandbox.state().requests().iter().filter(|r| r.method == "PUT").count();
    let mut killed_at = Vec::new();
    for round in 0..kills {
        let before = puts(&sandbox);
        if before >= rows {
            break;
        }
        // A random moment: once 1 to 60 more rows went out, plus up to 30 ms.
        let random = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos() as u128
            * 2_654_435_761;
        let more = 1 + (random % 60) as usize;
        let extra = Duration::from_millis(((random >> 16) % 30) as u64);
        let mut child = command().spawn().unwrap();
        let started = Instant::now();
        while puts(&sandbox) < before + more && started.elapsed() < Duration::from_secs(60) {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        tokio::time::sleep(extra).await;
        let _ = child.kill();
        let _ = child.wait();
        killed_at.push(puts(&sandbox));
        println!("3. kill {}: SIGKILL after {} PUTs in all", round + 1, puts(&sandbox));
    }
    let status = command().status().unwrap();
    assert!(status.success(), "the final run ends with every row done: {status}");
    let (customer, tenant, _) = sample_user();
    let requests = sandbox.state().requests();
    let mut twice = 0;
    let mut lost = 0;
    for (index, user) in users.iter().enumerate() {
        let sent = requests.iter().filter(|r| r.method == "PUT" && r.path.contains(user.as_str())).count();
        if sent > 1 {
            twice += 1;
        }
        let mail = sandbox.state().avepoint.user(customer, tenant, user).unwrap().mail;
        if sent == 0 || mail != format!("user{index}.v4@contoso.example") {
            lost += 1;
        }
    }
    println!(
        "3. {} kills at {killed_at:?} PUTs; then a run to the end: {twice} rows sent twice, {lost} rows lost",
        killed_at.len()
    );
    assert_eq!((twice, lost), (0, 0), "no row may be sent twice or lost");
    format!("{} SIGKILLs in a {rows}-row CLI run: {twice} rows sent twice, {lost} lost", killed_at.len())
}
