//! One person, every vendor, against the sandbox over real HTTP on 127.0.0.1: Northwind's people
//! are found at all four vendors, grouped (near-misses apart), changed once, saved in parallel
//! under one history group, and a vendor that failed is retried alone.

mod common;

use std::time::Instant;
use switchboard_core::fields::FieldMeaning;
use switchboard_core::history::{History, HistoryFilter, Source};
use switchboard_core::operations::VendorClient;
use switchboard_core::people::change::{self, PeopleSessions, SaveOutcomeKind};
use switchboard_core::people::search::{search_many, Query};
use switchboard_core::people::{self, ConnectionResult, LinkKind, SearchState};
use switchboard_core::secret::Secret;
use switchboard_core::softwareone::{SoftwareOneClient, SoftwareOneSettings};
use switchboard_sandbox::people::{ANNA_BERG, PARTNER_CENTER_CUSTOMER, SOFTWAREONE_ACCOUNT};
use switchboard_sandbox::{Faults, Sandbox};

/// The four vendors' connections to the sandbox, as (id, name, client).
async fn connections(sandbox: &Sandbox) -> Vec<(String, String, VendorClient)> {
    let mut all = Vec::new();
    for (id, operation) in [
        ("avepoint", "avepoint.account-information"),
        ("partner-center", "partner-center.customer-user"),
        ("softwareone", "softwareone.account-user"),
        ("msp360", "msp360.user"),
    ] {
        let (client, _) = common::vendor_client(sandbox, operation).await;
        all.push((id.to_string(), format!("Practice {id}"), client));
    }
    all
}

async fn search_all(
    connections: &[(String, String, VendorClient)],
    query: &str,
) -> (Vec<ConnectionResult>, Vec<people::ReadRecord>) {
    let query = Query::new(query).unwrap();
    let mut results = Vec::new();
    let mut read = Vec::new();
    for (result, records) in search_many(connections, &query).await {
        results.push(result);
        read.extend(records);
    }
    (results, read)
}

#[tokio::test]
async fn a_person_is_found_at_all_four_vendors_and_near_misses_stay_apart() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.state().seed_people();
    let mut connections = connections(&sandbox).await;
    // A fifth connection whose token the vendor refuses: it says so, the others still answer.
    let refused = SoftwareOneClient::new(
        SoftwareOneSettings::new(&sandbox.softwareone_url()).unwrap(),
        Secret::new("idt:TKN-0000-0000:not-a-token"),
    );
    connections.push(("refused".into(), "Old token".into(), VendorClient::SoftwareOne(refused.into())));

    let started = Instant::now();
    let (results, _) = search_all(&connections, "anna.berg@northwind.example").await;
    let took = started.elapsed();
    println!("searched {} connections in {took:?}", results.len());
    for result in &results[..4] {
        assert_eq!(result.state, SearchState::Done, "{}: {:?}", result.connection_id, result.state);
        assert!(!result.records.is_empty(), "{} found nobody", result.connection_id);
    }
    assert!(
        matches!(&results[4].state, SearchState::NeedsSignIn { .. } | SearchState::Failed { .. }),
        "{:?}",
        results[4].state
    );
    let records: Vec<_> = results.iter().flat_map(|r| r.records.clone()).collect();
    let groups = people::group(&records, None);
    let anna = &groups[0];
    assert_eq!(anna.name, "Anna Berg");
    let vendors: Vec<&str> = anna
        .members
        .iter()
        .map(|m| records.iter().find(|r| r.key == m.record_key).unwrap().connection_id.as_str())
        .collect();
    assert_eq!(vendors, ["avepoint", "partner-center", "softwareone", "msp360"], "{groups:#?}");
    assert!(anna.members[1..].iter().all(|m| m.link == LinkKind::Exact), "{anna:#?}");
    let names: Vec<&str> = records.iter().map(|r| r.name.as_str()).collect();
    assert!(!names.iter().any(|n| n.contains("Hanna") || n.contains("Bergström")), "{names:?}");

    // By name: the near-misses are found, but never joined to Anna.
    let (results, _) = search_all(&connections[..4], "Berg").await;
    let records: Vec<_> = results.iter().flat_map(|r| r.records.clone()).collect();
    let groups = people::group(&records, None);
    let anna = groups.iter().find(|g| g.name == "Anna Berg").unwrap();
    assert_eq!(anna.members.len(), 4, "{anna:#?}");
    for other in ["Hanna Berg", "Annabelle Berg"] {
        let group = groups.iter().find(|g| g.name == other).unwrap_or_else(|| panic!("{other}: {groups:#?}"));
        assert_eq!(group.members.len(), 1, "{other} stays apart");
    }
    // MSP360 signs Tom in as "teriksen" but notifies his address: the address links him.
    let (results, _) = search_all(&connections[..4], "tom.eriksen@northwind.example").await;
    let records: Vec<_> = results.iter().flat_map(|r| r.records.clone()).collect();
    let groups = people::group(&records, None);
    assert_eq!(groups.len(), 1, "Tom Eriksson is not Tom Eriksen: {groups:#?}");
    assert_eq!(groups[0].members.len(), 4);
    assert!(groups[0].members.iter().skip(1).all(|m| m.link == LinkKind::Exact), "{groups:#?}");

    // A name spelled differently at SoftwareOne is suggested, with its reason.
    let (results, _) = search_all(&connections[..4], "Maria Lopez").await;
    let records: Vec<_> = results.iter().flat_map(|r| r.records.clone()).collect();
    let groups = people::group(&records, None);
    assert_eq!(groups.len(), 1, "{groups:#?}");
    let suggested = &groups[0].members[1];
    assert_eq!(suggested.link, LinkKind::Suggested);
    assert!(suggested.confidence < 0.5 && suggested.reason.contains("spelled differently"), "{suggested:?}");
}

#[tokio::test]
async fn a_surname_changed_once_is_saved_everywhere_and_a_failed_vendor_is_retried_alone() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.state().seed_people();
    let connections = connections(&sandbox).await;
    let data = tempfile::tempdir().unwrap();
    let history = History::open(data.path()).unwrap();
    let sessions = PeopleSessions::default();

    let (results, read) = search_all(&connections, "anna.berg@northwind.example").await;
    let records: Vec<_> = results.iter().flat_map(|r| r.records.clone()).collect();
    let anna = people::group(&records, None).remove(0);
    sessions.keep(read);
    let keys: Vec<String> = anna.members.iter().map(|m| m.record_key.clone()).collect();
    let review = sessions.review(&keys, &vec![(FieldMeaning::Surname, "Lind".to_string())]).unwrap();
    let sending: Vec<&str> = review.changes.iter().filter(|c| c.sends).map(|c| c.vendor_label.as_str()).collect();
    assert_eq!(sending, ["Microsoft Partner Center", "SoftwareOne", "MSP360"], "{review:#?}");
    let flagged: Vec<&str> =
        review.changes.iter().filter(|c| c.problem.is_some()).map(|c| c.vendor_label.as_str()).collect();
    assert_eq!(flagged, ["AvePoint"], "AvePoint's operations hold no name: flagged for it alone");

    // MSP360 fails for now: the other two are saved anyway.
    sandbox.state().set_faults(Faults { fail_next: 50, only_paths_containing: "/msp360/".into(), ..Faults::default() });
    let client_for = |id: &str| {
        connections
            .iter()
            .find(|(cid, _, _)| cid == id)
            .map(|(_, _, c)| c.clone())
            .ok_or_else(|| switchboard_core::Error::internal("no such connection"))
    };
    let first = sessions.save(&review.id, None, client_for, Some(&history), Source::People).await.unwrap();
    let outcomes: Vec<(&str, SaveOutcomeKind)> =
        first.results.iter().map(|r| (r.vendor_label.as_str(), r.outcome)).collect();
    assert_eq!(
        outcomes,
        [
            ("Microsoft Partner Center", SaveOutcomeKind::Saved),
            ("SoftwareOne", SaveOutcomeKind::Saved),
            ("MSP360", SaveOutcomeKind::Failed)
        ]
    );
    assert_eq!(first.failed.len(), 1);
    let pc = sandbox.state().partner_center.user(PARTNER_CENTER_CUSTOMER, ANNA_BERG.1).unwrap();
    assert_eq!((pc.last_name.as_deref(), pc.display_name.as_str()), (Some("Lind"), "Anna Lind"));
    assert_eq!(sandbox.state().softwareone.user(SOFTWAREONE_ACCOUNT, ANNA_BERG.2).unwrap().last_name, "Lind");
    assert_eq!(sandbox.state().msp360.user(ANNA_BERG.3).unwrap().last_name, "Berg");

    // The retry sends MSP360's change alone.
    sandbox.state().set_faults(Faults::default());
    sandbox.state().clear_requests();
    let retry =
        sessions.save(&review.id, Some(&first.failed), client_for, Some(&history), Source::People).await.unwrap();
    assert!(retry.failed.is_empty(), "{retry:#?}");
    assert_eq!(retry.results.len(), 1);
    assert_eq!(sandbox.state().msp360.user(ANNA_BERG.3).unwrap().last_name, "Lind");
    let writes: Vec<String> = sandbox
        .state()
        .requests()
        .into_iter()
        .filter(|r| matches!(r.method.as_str(), "PUT" | "PATCH"))
        .map(|r| r.path)
        .collect();
    assert_eq!(writes, ["/msp360/api/Users"], "only the failed vendor is sent again");
    // Saving the whole review again sends nothing twice.
    let again = sessions.save(&review.id, None, client_for, Some(&history), Source::People).await.unwrap();
    assert!(again.results.iter().all(|r| r.outcome == SaveOutcomeKind::AlreadySaved), "{again:#?}");

    // One group in the history, one entry per vendor.
    let entries = history.all(&HistoryFilter::default()).unwrap();
    assert_eq!(entries.len(), 3, "{entries:#?}");
    assert!(entries.iter().all(|e| e.group_id.as_deref() == Some(review.group_id.as_str())));
    assert!(entries.iter().all(|e| e.changes.iter().any(|c| c.after == "Lind")));

    // Undone together, with the usual check: a record changed at its vendor since stops them all.
    sandbox.state().msp360.edit_user(ANNA_BERG.3, |user| user.last_name = "Lind-Berg".into());
    sandbox.state().clear_requests();
    let moved = change::undo_group(&history, &review.group_id, client_for).await.unwrap_err();
    assert_eq!(moved.code, switchboard_core::ErrorCode::ChangedSinceReview);
    assert!(moved.message.starts_with("MSP360"), "{}", moved.message);
    let writes = sandbox
        .state()
        .requests()
        .into_iter()
        .filter(|r| r.method != "GET" && !r.path.contains("token") && !r.path.contains("Login"))
        .count();
    assert_eq!(writes, 0, "nothing is sent anywhere");
    sandbox.state().msp360.edit_user(ANNA_BERG.3, |user| user.last_name = "Lind".into());
    let undone = change::undo_group(&history, &review.group_id, client_for).await.unwrap();
    assert!(undone.failed.is_empty(), "{undone:#?}");
    assert_eq!(undone.results.len(), 3);
    assert_eq!(sandbox.state().msp360.user(ANNA_BERG.3).unwrap().last_name, "Berg");
    let pc = sandbox.state().partner_center.user(PARTNER_CENTER_CUSTOMER, ANNA_BERG.1).unwrap();
    assert_eq!((pc.last_name.as_deref(), pc.display_name.as_str()), (Some("Berg"), "Anna Berg"));
    assert_eq!(sandbox.state().softwareone.user(SOFTWAREONE_ACCOUNT, ANNA_BERG.2).unwrap().last_name, "Berg");
    let undos: Vec<_> =
        history.all(&HistoryFilter::default()).unwrap().into_iter().filter(|e| e.undoes.is_some()).collect();
    assert_eq!(undos.len(), 3);
    assert!(undos.iter().all(|e| e.group_id.as_deref() == Some(undone.group_id.as_str())));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_tenant_is_listed_in_parallel_pages() {
    use switchboard_sandbox::people::{AVEPOINT_CUSTOMER, AVEPOINT_TENANT};
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.state().seed_people();
    let added = sandbox.state().avepoint.add_generated_users(AVEPOINT_CUSTOMER, AVEPOINT_TENANT, 2_000).unwrap();
    let connections = connections(&sandbox).await;
    let avepoint = &connections[..1];
    // Each answer takes 25 ms more, as a distant vendor's would. The pages overlap (four at a time
    // per connection), and the search keeps a bulk run's pace for the vendor (10 requests/s for
    // AvePoint), so the 28 pages take about 3 s however fast the vendor answers.
    sandbox.state().set_faults(Faults {
        latency: std::time::Duration::from_millis(25),
        only_paths_containing: "/graph/".into(),
        ..Faults::default()
    });
    let started = Instant::now();
    let (results, _) = search_all(avepoint, "Anna Berg").await;
    let took = started.elapsed();
    let result = &results[0];
    assert_eq!(result.state, SearchState::Done, "{:?}", result.state);
    let names: Vec<&str> = result.records.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["Anna Berg"], "near-misses are not even read");
    // One customer list, one per customer for its tenants, then every tenant's users.
    let user_pages = added.div_ceil(100) as u32;
    assert_eq!(result.pages, 1 + 3 + 3 + user_pages, "{result:?}");
    println!("{} users, {} list pages, searched in {took:?}", added + 7, result.pages);
}
