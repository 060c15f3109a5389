// Every command the app registers (`generate_handler!` in lib.rs), by name. build.rs turns this
// list into the app manifest (an `allow-<command>` and `deny-<command>` permission each, with `_`
// written as `-`), and capabilities/main-window.json grants the main window exactly those.
// With an app manifest, Tauri refuses any command a window's capability does not grant.
//
// To add a command: register it in lib.rs, add its name here, and add `allow-<its-name>` to
// capabilities/main-window.json. `tests/permissions.rs` fails until all three agree.
//
// Included by build.rs and lib.rs (`include!`), so it holds only this constant.
pub const APP_COMMANDS: &[&str] = &[
    "list_connections",
    "remember_connection",
    "save_connection",
    "duplicate_connection",
    "delete_connection",
    "test_connection",
    "export_connections",
    "import_connections",
    "choose_certificate",
    "sign_in_partner_center",
    "list_vendors",
    "list_operations",
    "describe_operation",
    "open_record",
    "check_edits",
    "review_edits",
    "apply_plan",
    "close_record",
    "list_history",
    "history_notice",
    "open_undo",
    "export_history",
    "list_choices",
    "recent_records",
    "remember_record",
    "list_drafts",
    "save_draft",
    "discard_draft",
    "bulk_template",
    "bulk_export",
    "bulk_import",
    "bulk_jobs",
    "bulk_job_rows",
    "bulk_run",
    "bulk_control",
    "bulk_discard",
    "bulk_plan_undo",
    "bulk_save_results",
    "search_person",
    "group_people",
    "open_person",
    "review_person",
    "save_person",
    "undo_person_save",
    "link_people",
    "undo_link",
];
