use super::*;
use serde_json::json;
use std::io::Write;

fn sheet(dir: &tempfile::TempDir, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.path().join(name);
    std::fs::File::create(&path).unwrap().write_all(text.as_bytes()).unwrap();
    path
}

const ACCOUNT: &str = "avepoint.account-information";

#[test]
fn rows_become_targets_and_typed_edits_and_empty_cells_leave_values_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = sheet(
        &dir,
        "a.csv",
        "customer;tenant;user;name;mail;enforceEnd;usageLocation\r\nc1;t1;u1;Adele;adele@new.example;yes;\r\nc1;t1;u2;Alex;;;DE\r\nc1;t1;u3;Nobody;;;\r\n",
    );
    let parsed = read_rows(ACCOUNT, &path).unwrap();
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
    assert_eq!(parsed.blank_rows, 1, "a row with no field cell changes nothing");
    assert_eq!(parsed.rows.len(), 2);
    assert_eq!(parsed.rows[0].target, json!({"customerId": "c1", "tenantId": "t1", "userId": "u1"}));
    assert_eq!(parsed.rows[0].name, "Adele");
    assert_eq!(parsed.rows[0].edits, json!({"mail": "adele@new.example", "enforceEnd": true}));
    assert_eq!(parsed.rows[1].edits, json!({"usageLocation": "DE"}));
    assert_eq!(parsed.rows[1].number, 3);
}

#[test]
fn every_bad_cell_is_listed_with_its_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = sheet(
        &dir,
        "bad.csv",
        "customer,tenant,user,mail,enforceEnd,usageLocation\nc1,t1,u1,not-an-address,,\nc1,t1,,a@b.example,,\nc1,t1,u3,,maybe,\nc1,t1,u4,,,Atlantis\nc1,t1,u5,,,DE\nc1,t1,u5,,,FR\nc1,t1,u6,(clear),,\n",
    );
    let parsed = read_rows(ACCOUNT, &path).unwrap();
    let listed: Vec<(u32, Option<&str>)> =
        parsed.problems.listed.iter().map(|p| (p.row, p.column.as_deref())).collect();
    assert_eq!(
        listed,
        vec![
            (2, Some("mail")),
            (3, Some("user")),
            (4, Some("enforceEnd")),
            (5, Some("usageLocation")),
            (7, None),
            (8, Some("mail"))
        ],
        "{:#?}",
        parsed.problems
    );
    assert!(parsed.problems.listed[4].message.contains("same record as row 6"));
    assert!(parsed.problems.listed[5].message.contains("required"), "a required value can't be cleared");
    let error = parsed.problems.into_error();
    assert!(error.message.starts_with("Nothing was sent: the file has 6 problems"), "{}", error.message);
}

#[test]
fn unknown_missing_or_password_columns_refuse_the_file_naming_them() {
    let dir = tempfile::tempdir().unwrap();
    let unknown = sheet(&dir, "u.csv", "customer,tenant,user,mial,city\nc1,t1,u1,x,y\n");
    let parsed = read_rows(ACCOUNT, &unknown).unwrap();
    let messages: Vec<String> = parsed.problems.listed.iter().map(|p| p.to_string()).collect();
    assert!(messages[0].contains("\"mial\" is not a field"), "{messages:?}");
    assert!(messages[1].contains("\"city\" is not a field"), "{messages:?}");
    assert!(messages[2].contains("can use are: customer, tenant, user, name, mail"), "{messages:?}");
    let missing = sheet(&dir, "m.csv", "tenant,user,mail\nt1,u1,a@b.example\n");
    let parsed = read_rows(ACCOUNT, &missing).unwrap();
    assert!(parsed.problems.listed[0].message.contains("no \"customer\" column"), "{:?}", parsed.problems);
    let password = sheet(&dir, "p.csv", "user,Password\nu1,hunter2hunter2\n");
    let parsed = read_rows("msp360.user", &password).unwrap();
    assert!(
        parsed.problems.listed[0].message.contains("passwords are never taken from a file"),
        "{:?}",
        parsed.problems
    );
}

#[test]
fn a_switch_cannot_be_cleared_and_a_list_clears_to_empty() {
    let dir = tempfile::tempdir().unwrap();
    let path = sheet(&dir, "l.csv", "user,NotificationEmails,Enabled\nu1,(clear),\nu2,,(clear)\n");
    let parsed = read_rows("msp360.user", &path).unwrap();
    assert_eq!(parsed.rows[0].edits, json!({"NotificationEmails": []}));
    assert_eq!(parsed.problems.listed.len(), 1);
    assert_eq!(parsed.problems.listed[0].column.as_deref(), Some("Enabled"));
}

#[test]
fn problems_past_the_limit_are_counted_not_kept() {
    let mut problems = Problems::default();
    for row in 0..(MAX_PROBLEMS as u32 + 7) {
        problems.push(Problem { row, column: None, message: "x".into() });
    }
    assert_eq!(problems.listed.len(), MAX_PROBLEMS);
    assert_eq!(problems.more, 7);
    assert_eq!(problems.count(), MAX_PROBLEMS + 7);
}

#[test]
fn no_field_is_named_like_a_target_or_the_name_column() {
    for operation in operations::REGISTRY {
        let columns = columns_of(*operation);
        let mut lower: Vec<String> = columns.iter().map(|c| c.to_lowercase()).collect();
        lower.sort();
        lower.dedup();
        assert_eq!(lower.len(), columns.len(), "{}: {columns:?}", operation.id());
    }
}

#[test]
fn a_template_has_the_columns_and_says_how_to_clear_a_value() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.xlsx");
    save_template(ACCOUNT, &path).unwrap();
    let header = sheet::open(&path).unwrap().next().unwrap().unwrap();
    assert_eq!(header.cells, columns_of(operations::find(ACCOUNT).unwrap()));
    let notes = instructions(operations::find(ACCOUNT).unwrap()).join("\n");
    assert!(notes.contains("write (clear)"), "{notes}");
}
