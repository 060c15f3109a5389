//! The change history with 100,000 entries: how long writing them takes (each as a save writes
//! it: an entry before the send, its outcome after), and how long the History page waits for its
//! first rows, a filter, a search and a page deep in the list. `cargo bench --bench history`.

use serde_json::{json, Value};
use std::time::{Duration, Instant};
use switchboard_core::error::{Error, ErrorCode};
use switchboard_core::fields::UpdateReceipt;
use switchboard_core::history::{EntryContext, History, HistoryFilter, Outcome, Source};
use switchboard_core::plan::{Call, Plan, PlannedChange, PlannedRequest, WriteMethod};

const ENTRIES: usize = 100_000;
const RUNS: usize = 5;

fn plan(n: usize) -> Plan {
    let (before, after) = (format!("user{n}@old.example"), format!("user{n}@new.example"));
    Plan {
        id: n.to_string(),
        operation: "avepoint.account-information",
        target: json!({ "customerId": format!("c{}", n % 40), "tenantId": "t1", "userId": format!("u{n}") }),
        basis: json!({ "mail": before }),
        after: json!({ "mail": after }),
        changes: vec![PlannedChange {
            field: "mail".into(),
            label: "Email".into(),
            before: json!(before),
            after: json!(after),
        }],
        warnings: vec![],
        request: Some(PlannedRequest { method: WriteMethod::Put, path: "/x".into(), body: Value::Null, secret: None }),
        call: Call::new(),
    }
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn time(history: &History, filter: &HistoryFilter, cursor: Option<&str>) -> (Duration, u64) {
    let mut times = Vec::new();
    let mut total = 0;
    for _ in 0..RUNS {
        let started = Instant::now();
        let page = history.list(filter, cursor, 100).expect("a page");
        times.push(started.elapsed());
        total = page.total;
    }
    (median(times), total)
}

fn main() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let history = History::open(dir.path()).expect("the history opens");
    let started = Instant::now();
    for n in 0..ENTRIES {
        let context = EntryContext {
            source: Source::Desk,
            connection_id: format!("conn-{}", n % 8),
            connection_name: format!("Connection {}", n % 8),
            target_names: [("userId".to_string(), format!("Person {n}"))].into(),
            undoes: None,
            group_id: None,
        };
        let id = history.begin(&plan(n), &context).expect("an entry");
        let result = if n % 50 == 0 {
            Err(Error::new(ErrorCode::VendorRejected, "AvePoint refused the change."))
        } else {
            Ok(UpdateReceipt { before: Value::Null, after: Value::Null, changed_fields: vec![], request_id: None })
        };
        history.finish(&id, &result).expect("an outcome");
    }
    let written = started.elapsed();
    println!(
        "wrote {ENTRIES} entries (before + after each send) in {:.1} s: {:.0} µs per save",
        written.as_secs_f64(),
        written.as_micros() as f64 / ENTRIES as f64
    );
    let size = std::fs::metadata(history.path()).map(|m| m.len()).unwrap_or(0);
    println!("history file: {:.1} MB", size as f64 / 1e6);

    let all = HistoryFilter::default();
    let (first, total) = time(&history, &all, None);
    println!("first page (100 newest of {total}): median {:.2} ms", first.as_secs_f64() * 1e3);
    let refused = HistoryFilter { outcome: Some(Outcome::Refused), ..Default::default() };
    let (filtered, total) = time(&history, &refused, None);
    println!("filter outcome = refused ({total} match): median {:.2} ms", filtered.as_secs_f64() * 1e3);
    let connection = HistoryFilter { connection_id: Some("conn-3".into()), ..Default::default() };
    let (filtered, total) = time(&history, &connection, None);
    println!("filter one connection ({total} match): median {:.2} ms", filtered.as_secs_f64() * 1e3);
    let search = HistoryFilter { search: Some("person 4242".into()), ..Default::default() };
    let (searched, total) = time(&history, &search, None);
    println!("search \"person 4242\" ({total} match): median {:.2} ms", searched.as_secs_f64() * 1e3);
    let mut cursor = None;
    for _ in 0..500 {
        cursor = history.list(&all, cursor.as_deref(), 100).expect("a page").next;
    }
    let (deep, _) = time(&history, &all, cursor.as_deref());
    println!("page 501 (entries 50,001–50,100): median {:.2} ms", deep.as_secs_f64() * 1e3);
}
