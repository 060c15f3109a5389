//! Property tests (proptest): the parsers and checks that take outside input — every field
//! validator, each vendor's error-body reader, the RQL quoting, the path-id check and the
//! spreadsheet reader — hold their promises for generated inputs, not only the examples in their
//! own tests.
//!
//! Bounded: `CASES` inputs per property in every `cargo test` (about a second for all four, debug
//! build); scripts/test.sh runs them again with `PROPTEST_CASES=10000` (1,700 to 2,300 inputs a
//! second each, so about 5 s each). A failing input is shrunk and its seed saved under
//! `src-tauri/core/proptest-regressions/` (kept in the repository, replayed first on every run;
//! the two seeds there are the shrunk inputs that caught deliberately broken versions of the
//! path-id check, `/`, and the RQL quoting, `&`, while these properties were written).

use crate::fields::{FieldDef, FieldKind};
use crate::http::path_segment;
use crate::softwareone::rql::Rql;
use proptest::prelude::*;
use serde_json::{json, Value};

const CASES: u32 = 512;

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(CASES);
    ProptestConfig { cases, ..ProptestConfig::default() }
}

fn all_fields() -> Vec<&'static FieldDef> {
    [
        crate::avepoint::account_information::FIELDS,
        crate::avepoint::office_information::FIELDS,
        crate::partner_center::customer_user::FIELDS,
        crate::softwareone::account_user::FIELDS,
        crate::msp360::user::FIELDS,
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Any text, with the characters that matter here (quotes, separators, dots, `%`, whitespace,
/// control characters, characters outside the BMP) made likely.
fn text() -> impl Strategy<Value = String> {
    let special = prop::sample::select(vec![
        "\"", "'", "/", "\\", "?", "#", "%", "&", "+", "*", ".", "..", " ", "\t", "\n", "\u{0}", "@", ",", "(", ")",
        "é", "🔑", "\u{2028}", "%2F", "%2e%2e",
    ]);
    let piece = prop_oneof![any::<String>(), "[a-zA-Z0-9._-]{0,12}", special.prop_map(str::to_string)];
    prop::collection::vec(piece, 0..8).prop_map(|pieces| pieces.concat())
}

/// Any JSON value a webview or a script could send for a field.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        text().prop_map(Value::String),
        "[a-z]{1,20}@[a-z]{1,10}\\.[a-z]{2,4}".prop_map(Value::String),
        "20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]Z".prop_map(Value::String),
    ];
    leaf.prop_recursive(2, 8, 4, |inner| prop::collection::vec(inner, 0..4).prop_map(Value::Array))
}

/// Decodes `%XX` escapes (the inverse of the percent-encoding under test).
fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text).decode_utf8().expect("encoded from UTF-8").into_owned()
}

proptest! {
    #![proptest_config(config())]

    /// Every field's check takes any JSON without panicking, names its own field, refuses text
    /// over the field's limit, and refuses anything but text for a text field.
    #[test]
    fn field_checks_hold_for_any_value(index in any::<prop::sample::Index>(), value in json_value()) {
        let fields = all_fields();
        let def = fields[index.index(fields.len())];
        let verdict = def.check(&value);
        if let Some(error) = &verdict {
            prop_assert_eq!(error.field.as_str(), def.key);
            prop_assert!(!error.message.is_empty());
        }
        match (&value, def.kind) {
            (Value::String(text), kind) if kind != FieldKind::Boolean && kind != FieldKind::EmailList => {
                if let Some(max) = def.max_length {
                    if text.encode_utf16().count() > max as usize && !text.trim().is_empty() {
                        prop_assert!(verdict.is_some(), "{} accepted {} characters", def.key, text.encode_utf16().count());
                    }
                }
                if text.trim().is_empty() && def.required {
                    prop_assert!(verdict.is_some(), "{} accepted a blank value", def.key);
                }
                if let Some(list) = def.allowed {
                    if !text.trim().is_empty() && !list.contains(text) {
                        prop_assert!(verdict.is_some(), "{} accepted {:?}, not in its list", def.key, text);
                    }
                }
            }
            (Value::Bool(_) | Value::Number(_) | Value::Array(_), FieldKind::Text | FieldKind::Email) => {
                prop_assert!(verdict.is_some(), "{} accepted {}", def.key, value);
            }
            _ => {}
        }
    }

    /// An id is either refused (naming the field) or becomes one segment that decodes back to
    /// exactly the id and can't leave its place in the path.
    #[test]
    fn a_path_id_is_refused_or_stays_one_segment(id in text()) {
        match path_segment("userId", "User ID", &id) {
            Ok(segment) => {
                prop_assert!(!segment.is_empty());
                prop_assert!(segment.chars().all(|c| c.is_ascii_alphanumeric() || "-._~%".contains(c)), "{}", segment);
                prop_assert_eq!(percent_decode(&segment), id.clone());
                prop_assert!(segment != "." && segment != ".." && !id.contains(".."));
                prop_assert!(!id.contains(['/', '\\', '?', '#']));
            }
            Err(error) => {
                prop_assert_eq!(error.field_errors.len(), 1);
                prop_assert_eq!(error.field_errors[0].field.as_str(), "userId");
            }
        }
    }

    /// A value in an RQL filter stays a value: quoted with the quote it doesn't contain, with
    /// nothing in it that ends the literal, the expression or the query parameter.
    #[test]
    fn rql_values_cannot_break_out_of_their_literal(value in text()) {
        match Rql::eq("name", value.clone()).to_query() {
            Ok(query) => {
                let literal = query.strip_prefix("eq(name,").and_then(|rest| rest.strip_suffix(')'));
                prop_assert!(literal.is_some(), "{}", query);
                let literal = literal.unwrap_or_default();
                let quote = literal.chars().next().unwrap_or_default();
                prop_assert!(quote == '"' || quote == '\'', "{}", query);
                prop_assert!(literal.len() >= 2 && literal.ends_with(quote), "{}", query);
                let inner = &literal[1..literal.len() - 1];
                // Raw, only characters that mean nothing in RQL or a query string.
                prop_assert!(inner.chars().all(|c| c.is_ascii_alphanumeric() || "-._~*%".contains(c)), "{}", inner);
                // Decoded (as the vendor decodes before it parses RQL), the closing quote is never inside.
                let decoded = percent_decode(inner);
                prop_assert!(!decoded.contains(quote), "{:?} holds its quote", decoded);
                prop_assert_eq!(decoded, value);
            }
            Err(error) => {
                prop_assert!(value.contains('"') && value.contains('\''), "refused {:?}", value);
                prop_assert_eq!(error.field_errors[0].field.as_str(), "filter");
            }
        }
    }

    /// Each vendor's error body, whatever it holds: read without panicking; the documented
    /// message comes through when the body has the documented shape.
    #[test]
    fn vendor_error_bodies_are_read_whatever_they_hold(body in text(), message in "[^\"\\\\\u{0}-\u{1f}]{1,40}") {
        // Any body at all.
        let _ = crate::avepoint::vendor_text(&body);
        let _ = crate::partner_center::vendor_text(&body);
        let _ = crate::msp360::vendor_text(&body);
        for status in [400u16, 401, 403, 404, 409, 429, 500, 503] {
            let status = reqwest::StatusCode::from_u16(status).unwrap();
            let error = crate::softwareone::problem_error(status, &body);
            prop_assert!(!error.message.is_empty());
        }
        // The documented shapes.
        let trimmed = message.trim();
        prop_assume!(!trimmed.is_empty());
        prop_assert_eq!(crate::avepoint::vendor_text(&json!({ "message": message }).to_string()), message.clone());
        prop_assert_eq!(crate::partner_center::vendor_text(&json!({ "description": message }).to_string()), message.clone());
        let msp360 = crate::msp360::vendor_text(&json!({ "Message": message }).to_string());
        prop_assert!(msp360.contains(trimmed), "{}", msp360);
        let problem = json!({ "title": message, "status": 400, "traceId": "t-1" }).to_string();
        let error = crate::softwareone::problem_error(reqwest::StatusCode::BAD_REQUEST, &problem);
        prop_assert!(error.vendor_message.unwrap_or_default().contains(trimmed), "{}", problem);
    }

    /// Any bytes as a CSV file: rows or a plain error, never a panic.
    #[test]
    fn any_bytes_read_as_csv_give_rows_or_an_error(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        if let Ok(rows) = crate::bulk::sheet::csv_rows(std::io::Cursor::new(bytes)) {
            for row in rows.take(100) {
                let _ = row;
            }
        }
    }

    /// Whatever the cells hold (separators, quotes, line breaks, any Unicode), a sheet written as
    /// CSV reads back cell for cell: the separator detection can't be misled by what is quoted.
    #[test]
    fn a_written_csv_reads_back_cell_for_cell(
        header in prop::collection::vec(text(), 1..5),
        rows in prop::collection::vec(prop::collection::vec(text(), 5), 0..4),
    ) {
        let width = header.len();
        let rows: Vec<Vec<String>> = rows.into_iter().map(|mut row| { row.truncate(width); row }).collect();
        let sheet = crate::bulk::sheet::SheetOut { header: header.clone(), rows: rows.clone(), notes: &[] };
        let bytes = crate::bulk::sheet::csv_bytes(&sheet).unwrap();
        let read: Vec<Vec<String>> = crate::bulk::sheet::csv_rows(std::io::Cursor::new(bytes))
            .unwrap()
            .map(|row| row.unwrap().cells)
            .collect();
        let mut expected = vec![header];
        expected.extend(rows);
        prop_assert_eq!(read, expected);
    }
}
