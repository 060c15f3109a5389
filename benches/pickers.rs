//! How long the desk's user picker takes to page through a 10,000-user tenant from the sandbox
//! over real HTTP on 127.0.0.1 (100 pages of 100, as AvePoint allows). `cargo bench --bench pickers`.

use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};
use switchboard_core::avepoint::{AvePointClient, AvePointSettings};
use switchboard_core::operations::VendorClient;
use switchboard_core::pickers;
use switchboard_core::secret::Secret;
use switchboard_sandbox::{avepoint::sample_user, Sandbox, PRACTICE_CLIENT_ID, PRACTICE_CLIENT_SECRET};

const USERS: usize = 10_000;
const RUNS: usize = 5;

#[tokio::main]
async fn main() {
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    let (customer, tenant, _) = sample_user();
    let total = sandbox.state().avepoint.add_generated_users(customer, tenant, USERS - 3).expect("the sample tenant");
    let settings =
        AvePointSettings::new(&sandbox.avepoint_api_url(), &sandbox.avepoint_identity_url(), PRACTICE_CLIENT_ID)
            .expect("sandbox settings");
    let client = VendorClient::AvePoint(Arc::new(AvePointClient::new(settings, Secret::new(PRACTICE_CLIENT_SECRET))));
    let target = json!({ "customerId": customer, "tenantId": tenant });

    let mut times = Vec::new();
    for _ in 0..RUNS {
        let started = Instant::now();
        let (mut loaded, mut pages, mut first_page) = (0, 0, Duration::ZERO);
        let mut cursor: Option<String> = None;
        loop {
            let page = pickers::list(&client, "avepoint.account-information", "userId", &target, cursor.as_deref())
                .await
                .expect("a page of users");
            pages += 1;
            if pages == 1 {
                first_page = started.elapsed();
            }
            loaded += page.items.len();
            match page.next {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        assert_eq!(loaded, total);
        times.push((started.elapsed(), first_page, pages));
    }
    times.sort();
    let (median, first, pages) = times[RUNS / 2];
    println!(
        "picker: {total} users in {pages} pages over HTTP: median {:.0} ms in all (first page shown after {:.1} ms), {RUNS} runs, min {:.0} ms, max {:.0} ms",
        median.as_secs_f64() * 1000.0,
        first.as_secs_f64() * 1000.0,
        times[0].0.as_secs_f64() * 1000.0,
        times[RUNS - 1].0.as_secs_f64() * 1000.0
    );
}
