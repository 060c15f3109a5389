//! The property the operation model rests on: for every registered operation and any edits, the
//! request an update sends is exactly the request the review planned (method, path and body,
//! secret included) — or, when the plan refuses the edits, the update refuses them the same way
//! and sends nothing. Against the sandbox over real HTTP on 127.0.0.1.

mod common;

use common::vendor_client as client_and_target;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{json, Map, Value};
use switchboard_core::fields::{FieldDef, FieldKind};
use switchboard_core::operations::{self, REGISTRY};
use switchboard_sandbox::{RecordedRequest, Sandbox};

fn word() -> impl Strategy<Value = String> {
    "[A-Z][a-z]{1,9}"
}

/// Values a person might type into `def`: mostly valid, sometimes not (padded, emptied, too
/// long, outside a list), so both the plan's checks and its request are exercised.
fn value_for(def: &FieldDef, upn_domain: &str) -> BoxedStrategy<Value> {
    let text = |options: &[&str]| {
        let options: Vec<String> = options.iter().map(|o| o.to_string()).collect();
        proptest::sample::select(options).prop_map(Value::String).boxed()
    };
    match def.key {
        "settings.cultureCode" => return text(&["en-US", "de-DE", "sv-SE", "english"]),
        "settings.languageCode" => return text(&["en", "de", "sv-SE", "EN"]),
        "phone.prefix" => return text(&["+1", "+46", "+49", ""]),
        "phone.number" => return "[0-9]{4,12}".prop_map(Value::String).boxed(),
        "settings.decimalSeparator" | "settings.groupSeparator" => return text(&[".", ",", " "]),
        "userPrincipalName" => {
            let domain = upn_domain.to_string();
            return "[a-z]{1,8}(\\.[a-z]{1,8})?".prop_map(move |alias| json!(format!("{alias}@{domain}"))).boxed();
        }
        _ => {}
    }
    match def.kind {
        FieldKind::Boolean => any::<bool>().prop_map(Value::Bool).boxed(),
        FieldKind::Email => prop_oneof![
            9 => "[a-z]{1,8}".prop_map(|name| json!(format!("{name}@example.com"))),
            1 => Just(json!("not-an-address")),
        ]
        .boxed(),
        FieldKind::EmailList => proptest::collection::vec("[a-z]{1,6}", 0..3)
            .prop_map(|names| json!(names.iter().map(|n| format!("{n}@example.org")).collect::<Vec<_>>()))
            .boxed(),
        FieldKind::DateTimeUtc => {
            text(&["2030-01-01T00:00:00Z", "2031-06-15T09:30:00Z", "1970-01-01T00:00:00Z", "31.01.2030"])
        }
        FieldKind::Choice => {
            let values: Vec<String> = def
                .allowed
                .map(|list| list.choices().iter().take(25).map(|c| c.value.clone()).collect())
                .unwrap_or_default();
            prop_oneof![9 => proptest::sample::select(values).prop_map(Value::String), 1 => Just(json!("ZZ-not-listed"))]
                .boxed()
        }
        FieldKind::Password => "[A-Za-z0-9]{2,12}".prop_map(|tail| json!(format!("Aa1!{tail}"))).boxed(),
        FieldKind::Text => prop_oneof![
            8 => word().prop_map(Value::String),
            1 => word().prop_map(|w| json!(format!("  {w} "))),
            1 => Just(json!("")),
        ]
        .boxed(),
    }
}

/// Edits to any subset of the operation's fields.
fn edits_for(fields: &'static [FieldDef], upn_domain: &str) -> BoxedStrategy<Value> {
    let per_field: Vec<BoxedStrategy<Option<(String, Value)>>> = fields
        .iter()
        .map(|def| {
            let key = def.key.to_string();
            proptest::option::weighted(0.35, value_for(def, upn_domain))
                .prop_map(move |value| value.map(|value| (key.clone(), value)))
                .boxed()
        })
        .collect();
    per_field
        .prop_map(|entries| {
            let mut edits = Map::new();
            for (key, value) in entries.into_iter().flatten() {
                insert_dotted(&mut edits, &key, value);
            }
            Value::Object(edits)
        })
        .boxed()
}

fn insert_dotted(object: &mut Map<String, Value>, key: &str, value: Value) {
    match key.split_once('.') {
        None => {
            object.insert(key.to_string(), value);
        }
        Some((head, rest)) => {
            let child = object.entry(head.to_string()).or_insert_with(|| Value::Object(Map::new()));
            insert_dotted(child.as_object_mut().unwrap(), rest, value);
        }
    }
}

fn writes(sandbox: &Sandbox) -> Vec<RecordedRequest> {
    sandbox.state().requests().into_iter().filter(|r| r.method == "PUT" || r.method == "PATCH").collect()
}

#[test]
fn every_operation_sends_exactly_the_request_its_review_planned() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let sandbox = runtime.block_on(Sandbox::start()).unwrap();
    for operation in REGISTRY {
        let id = operation.id();
        let (client, target) = runtime.block_on(client_and_target(&sandbox, id));
        let current = runtime.block_on(operations::read(&client, id, &target)).unwrap();
        let upn_domain = current["userPrincipalName"]
            .as_str()
            .and_then(|upn| upn.split_once('@'))
            .map(|(_, domain)| domain.to_string())
            .unwrap_or_default();
        let (planned, refused) = (std::cell::Cell::new(0), std::cell::Cell::new(0));
        let mut runner = TestRunner::new(Config { cases: 40, failure_persistence: None, ..Config::default() });
        runner
            .run(&edits_for(operation.fields(), &upn_domain), |edits| {
                let outcome = runtime.block_on(async {
                    let plan = operations::plan(&client, id, &target, &edits).await;
                    sandbox.state().clear_requests();
                    let update = operations::update(&client, id, &target, &edits).await;
                    (plan, update)
                });
                let sent = writes(&sandbox);
                match outcome {
                    (Err(plan_error), update) => {
                        refused.set(refused.get() + 1);
                        let update_error = update.err().ok_or_else(|| {
                            TestCaseError::fail(format!("{id}: the plan refused {edits}, the update did not"))
                        })?;
                        prop_assert_eq!(plan_error.code, update_error.code, "{}: {}", id, edits);
                        prop_assert_eq!(plan_error.field_errors, update_error.field_errors, "{}: {}", id, edits);
                        prop_assert!(sent.is_empty(), "{}: a refused edit sent {:?}", id, sent);
                    }
                    (Ok(plan), update) => {
                        planned.set(planned.get() + 1);
                        match &plan.request {
                            None => prop_assert!(sent.is_empty(), "{}: nothing planned, yet sent {:?}", id, sent),
                            Some(request) => {
                                prop_assert_eq!(sent.len(), 1, "{}: {}", id, edits);
                                let method = serde_json::to_value(request.method).unwrap();
                                prop_assert_eq!(json!(sent[0].method), method);
                                prop_assert!(
                                    sent[0].path.ends_with(&request.path),
                                    "{} vs {}",
                                    sent[0].path,
                                    request.path
                                );
                                prop_assert_eq!(sent[0].json().unwrap(), request.body_to_send(), "{}: {}", id, edits);
                            }
                        }
                        // The vendor may still refuse (its own rules); the request was the plan's either way.
                        if let Ok(receipt) = update {
                            prop_assert_eq!(receipt.changed_fields, plan.changed_fields());
                        }
                    }
                }
                Ok(())
            })
            .unwrap_or_else(|failure| panic!("{id}: {failure}"));
        let (planned, refused) = (planned.get(), refused.get());
        println!("{id}: {planned} planned and sent as planned, {refused} refused before sending");
        assert!(planned >= 10, "{id}: too few valid edits ({planned}) to say much");
    }
}
