//! `switchboard-cli`: the vendor operations from scripts. Same core as the app, no window.
//!
//! Exit codes: 0 done; 2 bad input (nothing sent); 3 sign-in failed; 4 the vendor refused;
//! 5 network; 1 anything else. Errors go to stderr in plain words; `--json` also prints them,
//! and every result, as JSON on stdout.

use clap::{ArgGroup, Args, Parser, Subcommand, ValueEnum};
use serde_json::{json, Value};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use switchboard_core::avepoint::Environment;
use switchboard_core::fields::{FieldKind, FieldSpec};
use switchboard_core::history::{self, EntryContext, History, HistoryFilter, Outcome, Source};
use switchboard_core::operations::{self, VendorClient};
use switchboard_core::profiles::{self, Profile, ProfileDraft, SignInMethod, Vendor};
use switchboard_core::secret::Secret;
use switchboard_core::secrets::{self, KeychainStore, ProfileSecret, SecretKind};
use switchboard_core::{Error, ErrorCode};

#[derive(Parser)]
#[command(name = "switchboard-cli", version, about = "Update users at vendor partner APIs from scripts.")]
struct Cli {
    /// Print one line per request to stderr (method, host, path template, status, duration,
    /// correlation ids; never a token, a password or a body).
    #[arg(long, short, global = true)]
    verbose: bool,
    #[command(subcommand)]
    command: Command,
}

/// Request log lines to stderr, for `--verbose`.
struct StderrLog;

impl log::Log for StderrLog {
    fn enabled(&self, metadata: &log::Metadata) -> bool {
        metadata.level() <= log::Level::Info
    }
    fn log(&self, record: &log::Record) {
        if self.enabled(record.metadata()) {
            eprintln!("[{}] {}", record.level().as_str().to_lowercase(), record.args());
        }
    }
    fn flush(&self) {}
}

#[derive(Subcommand)]
enum Command {
    /// Work with connection profiles (the JSON the app's export writes).
    #[command(subcommand)]
    Profile(ProfileCommand),
    /// Print a user's current values.
    Get(Target),
    /// Change fields of a user: reads, merges, checks, then sends.
    Update(UpdateArgs),
    /// Partner Center: sign in as a partner user in the browser and keep the sign-in in the keychain.
    SignIn(SignInArgs),
    /// List the operations, or describe one: the ids that find its record and the fields `--set` takes.
    Operations(OperationsArgs),
    /// List the changes Switchboard made from this computer (the app's and this tool's), newest first.
    History(HistoryArgs),
    /// Put a change from the history back: only if the record still holds what it set (exit 6 if not).
    Undo(UndoArgs),
    /// Change many records from a spreadsheet (.xlsx or .csv): every row is checked and planned
    /// against the vendor first, and a file with any problem is refused whole. Running the same
    /// command again resumes an unfinished job. Also writes a blank template or exports current
    /// values. Exit 0 all rows done, 2 a bad file (nothing sent), 4 some rows refused or failed.
    Bulk(BulkArgs),
    /// One person at every vendor: find their records across several profiles.
    #[command(subcommand)]
    Person(PersonCommand),
}

#[derive(Args)]
struct BulkArgs {
    /// The operation, e.g. avepoint.office-information.
    operation: String,
    /// The profile file (the JSON `profile new` or the app's export writes).
    #[arg(long, required_unless_present = "template")]
    profile_file: Option<PathBuf>,
    /// Which profile in the file, by name or id (needed when it holds several).
    #[arg(long)]
    profile: Option<String>,
    /// Read the secret from this environment variable instead of the OS keychain.
    #[arg(long)]
    secret_env: Option<String>,
    /// The spreadsheet to apply: a row per record, the columns `--template` writes.
    #[arg(long, value_name = "PATH", required_unless_present_any = ["template", "export", "undo_job"])]
    file: Option<PathBuf>,
    /// Check every row against the vendor and print what would change; send nothing. The same
    /// command without --dry-run then sends exactly what this printed.
    #[arg(long)]
    dry_run: bool,
    /// Requests per second at most, reads included (default: a safe rate for the vendor).
    #[arg(long, value_name = "REQUESTS_PER_SECOND")]
    max_rate: Option<f64>,
    /// Records worked on at once (default 8).
    #[arg(long, value_name = "N")]
    concurrency: Option<usize>,
    /// Save each row's outcome to this file (.csv or .xlsx).
    #[arg(long, value_name = "PATH")]
    results: Option<PathBuf>,
    /// Write a blank sheet for the operation to PATH (with a "Read me" sheet in .xlsx) and stop.
    #[arg(long, value_name = "PATH", conflicts_with_all = ["file", "export", "undo_job"])]
    template: Option<PathBuf>,
    /// Write the current values of every record under --customer / --tenant / --account to PATH.
    #[arg(long, value_name = "PATH", conflicts_with_all = ["file", "undo_job"])]
    export: Option<PathBuf>,
    /// Undo a bulk job (its id as this command printed it): each row it changed goes back,
    /// unless its record changed again since.
    #[arg(long, value_name = "JOB", conflicts_with = "file")]
    undo_job: Option<String>,
    /// For --export: the customer's id (AvePoint, Partner Center).
    #[arg(long)]
    customer: Option<String>,
    /// For --export: the customer's tenant id (AvePoint).
    #[arg(long)]
    tenant: Option<String>,
    /// For --export: the account's id (SoftwareOne).
    #[arg(long)]
    account: Option<String>,
    /// Print machine-readable JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
enum PersonCommand {
    /// Find a person by email address (or sign-in name) or by name in every profile given, and
    /// group the records that are the same person (same address; similar names as suggestions).
    Find(PersonFindArgs),
}

#[derive(Args)]
#[command(group(ArgGroup::new("who").required(true).args(["email", "name"])))]
struct PersonFindArgs {
    /// The person's email address or sign-in name.
    #[arg(long)]
    email: Option<String>,
    /// The person's name, or part of it ("Anna Berg", "Berg").
    #[arg(long)]
    name: Option<String>,
    /// A profile file (the JSON `profile new` or the app's export writes); repeat for several.
    /// Every profile in each file is searched.
    #[arg(long = "profile-file", required = true)]
    profile_files: Vec<PathBuf>,
    /// PROFILE=VARIABLE: read that profile's secret (by name or id) from this environment
    /// variable instead of the OS keychain; repeat for several.
    #[arg(long = "secret-env", value_name = "PROFILE=VARIABLE")]
    secret_env: Vec<String>,
    /// Print machine-readable JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct HistoryArgs {
    /// Print machine-readable JSON.
    #[arg(long)]
    json: bool,
    /// How many changes to list (newest first).
    #[arg(long, default_value_t = 50)]
    limit: u32,
}

#[derive(Args)]
struct UndoArgs {
    /// The change's id, as `history` lists it.
    id: String,
    /// The profile file (the JSON `profile new` or the app's export writes).
    #[arg(long)]
    profile_file: PathBuf,
    /// Which profile in the file, by name or id (by default the change's connection, or the only one).
    #[arg(long)]
    profile: Option<String>,
    /// Read the secret from this environment variable instead of the OS keychain.
    #[arg(long)]
    secret_env: Option<String>,
    /// Print the way back as before → after and send nothing.
    #[arg(long)]
    dry_run: bool,
    /// Print machine-readable JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct SignInArgs {
    /// The profile file (the JSON `profile new` or the app's export writes).
    #[arg(long)]
    profile_file: PathBuf,
    /// Which profile in the file, by name or id (needed when it holds several).
    #[arg(long)]
    profile: Option<String>,
}

#[derive(Args)]
struct OperationsArgs {
    /// The operation to describe, e.g. avepoint.account-information; every operation when left out.
    operation: Option<String>,
    /// Print machine-readable JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
enum ProfileCommand {
    /// Print a new profile as JSON (no secret in it) to save with `> profile.json`.
    New(NewProfile),
}

#[derive(Clone, Copy, ValueEnum)]
enum VendorName {
    Avepoint,
    PartnerCenter,
    Softwareone,
    Msp360,
}

#[derive(Args)]
struct NewProfile {
    /// Whose API the connection reaches.
    #[arg(long, value_enum)]
    vendor: VendorName,
    /// The connection's name, as people will pick it ("Contoso AvePoint").
    #[arg(long)]
    name: String,
    /// AvePoint: commercial, us_government, aos2 or fed_ramp. Partner Center: commercial,
    /// us_government or china.
    #[arg(long, default_value = "commercial")]
    environment: String,
    /// The vendor's API host (defaults to the environment's). https only; a development build also
    /// takes plain http to this computer by IP address (127.0.0.1 or [::1]), for the sandbox.
    #[arg(long)]
    base_url: Option<String>,
    /// The vendor's sign-in host (defaults to the environment's).
    #[arg(long)]
    identity_url: Option<String>,
    /// The app (client) id registered at the vendor (AvePoint, Partner Center).
    #[arg(long)]
    client_id: Option<String>,
    /// Partner Center: the partner's own tenant (id or domain) to sign in to.
    #[arg(long)]
    tenant: Option<String>,
    /// MSP360: the API login's user name.
    #[arg(long)]
    username: Option<String>,
    /// Sign in with a certificate instead of a client secret (AvePoint).
    #[arg(long)]
    certificate: bool,
}

#[derive(Args)]
struct Target {
    /// The operation, e.g. avepoint.account-information.
    operation: String,
    /// The profile file (the JSON `profile new` or the app's export writes).
    #[arg(long)]
    profile_file: PathBuf,
    /// Which profile in the file, by name or id (needed when it holds several).
    #[arg(long)]
    profile: Option<String>,
    /// Read the secret from this environment variable instead of the OS keychain. For
    /// certificate sign-in it holds the PEM text (private key and certificate).
    #[arg(long)]
    secret_env: Option<String>,
    /// The customer's id (AvePoint, Partner Center); `operations OPERATION` lists which ids it needs.
    #[arg(long)]
    customer: Option<String>,
    /// The customer's tenant id (AvePoint).
    #[arg(long)]
    tenant: Option<String>,
    /// The account's id (SoftwareOne).
    #[arg(long)]
    account: Option<String>,
    /// The user's id.
    #[arg(long)]
    user: Option<String>,
    /// Print machine-readable JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
#[command(group(ArgGroup::new("change").required(true).multiple(true).args(["set", "password_env", "password_prompt"])))]
struct UpdateArgs {
    #[command(flatten)]
    target: Target,
    /// FIELD=VALUE, the vendor's JSON field name (dotted for nested; lists separated by commas or
    /// semicolons). Not for a password field: see --password-env and --password-prompt.
    #[arg(long = "set", value_name = "FIELD=VALUE")]
    set: Vec<String>,
    /// Set the user's new password (the operation's password field) from this environment
    /// variable, so it never appears in the process list or the shell history.
    #[arg(long, value_name = "VARIABLE", conflicts_with = "password_prompt")]
    password_env: Option<String>,
    /// Set the user's new password, typed twice at a prompt that doesn't show it (needs a terminal).
    #[arg(long)]
    password_prompt: bool,
    /// Print the change as before → after and send nothing.
    #[arg(long)]
    dry_run: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if cli.verbose && log::set_logger(&StderrLog).is_ok() {
        log::set_max_level(log::LevelFilter::Info);
    }
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => return fail(&Error::internal(format!("Could not start: {error}")), false),
    };
    let json_output = match &cli.command {
        Command::Profile(_) | Command::SignIn(_) => false,
        Command::Operations(args) => args.json,
        Command::Get(target) => target.json,
        Command::Update(args) => args.target.json,
        Command::History(args) => args.json,
        Command::Undo(args) => args.json,
        Command::Person(PersonCommand::Find(args)) => args.json,
        Command::Bulk(args) => args.json,
    };
    if let Command::Bulk(args) = cli.command {
        // A bulk run ends with a report and its own exit code (4: some rows refused or failed).
        return match runtime.block_on(bulk_command(args)) {
            Ok((output, code)) => {
                let _ = writeln!(std::io::stdout(), "{output}");
                ExitCode::from(code)
            }
            Err(error) => fail(&error, json_output),
        };
    }
    match runtime.block_on(run(cli)) {
        Ok(output) => {
            // A reader that stops early (`| head`) is not an error worth a panic.
            let _ = writeln!(std::io::stdout(), "{output}");
            ExitCode::SUCCESS
        }
        Err(error) => fail(&error, json_output),
    }
}

async fn run(cli: Cli) -> Result<String, Error> {
    match cli.command {
        Command::Profile(ProfileCommand::New(args)) => new_profile(args),
        Command::SignIn(args) => sign_in(args).await,
        Command::Operations(args) => match args.operation {
            None => list_operations(args.json),
            Some(operation) => describe_operation(&operation, args.json),
        },
        Command::Get(target) => {
            let (client, target_json, profile) = connect(&target)?;
            let values = operations::read(&client, &target.operation, &target_json).await?;
            // A read through a connection settles changes a crash left unconfirmed.
            if let Ok(history) = History::open_default() {
                let _ = history.reconcile(&profile.id, &target.operation, &target_json, &values);
            }
            Ok(if target.json { pretty(&values) } else { describe_values(&target.operation, &values)? })
        }
        Command::Update(args) => {
            let spec = operations::spec(&args.target.operation)?;
            refuse_passwords_in_set(&spec.fields, &args.set)?;
            let assignments = parse_assignments(&args.set)?;
            let mut changes = operations::changes_from_assignments(&args.target.operation, &assignments)?;
            if let Some((key, password)) = new_password(&args, &spec.fields)? {
                if let Value::Object(changes) = &mut changes {
                    changes.insert(key, Value::String(password.expose().to_string()));
                }
            }
            let (client, target_json, profile) = connect(&args.target)?;
            let history = if args.dry_run { None } else { Some(History::open_default()?) };
            let operation = &args.target.operation;
            // One plan: what the dry run prints is exactly what an update sends.
            let plan = operations::plan(&client, operation, &target_json, &changes).await?;
            if let Some(history) = &history {
                history.reconcile(&profile.id, operation, &target_json, &plan.basis)?;
            }
            if args.dry_run {
                return Ok(describe_plan(&plan, args.target.json));
            }
            let context = command_line_context(&profile, Source::CommandLine, None);
            let receipt = history::send_recorded(history.as_ref(), &client, &plan, &context).await?;
            let receipt = serde_json::to_value(receipt)
                .map_err(|e| Error::internal(format!("Could not encode the receipt: {e}")))?;
            Ok(if args.target.json { pretty(&receipt) } else { describe_receipt(operation, &receipt)? })
        }
        Command::History(args) => list_history(&args),
        Command::Undo(args) => undo(&args).await,
        Command::Person(PersonCommand::Find(args)) => find_person(&args).await,
        Command::Bulk(_) => unreachable!("bulk is run by bulk_command"),
    }
}

/// `person find`: every profile of every file searched at once; people grouped.
async fn find_person(args: &PersonFindArgs) -> Result<String, Error> {
    use switchboard_core::people::{self, search, SearchState};
    let text = args.email.as_deref().or(args.name.as_deref()).unwrap_or_default();
    let query = search::Query::new(text)?;
    let mut secret_env = std::collections::BTreeMap::new();
    for item in &args.secret_env {
        let (profile, variable) = item.split_once('=').ok_or_else(|| {
            Error::new(ErrorCode::InvalidInput, format!("--secret-env takes PROFILE=VARIABLE, not \"{item}\"."))
        })?;
        secret_env.insert(profile.trim().to_string(), variable.trim().to_string());
    }
    let mut usable = Vec::new();
    let mut unusable = Vec::new();
    for file in &args.profile_files {
        for profile in checked_profiles(file)? {
            let variable = secret_env.get(&profile.name).or_else(|| secret_env.get(&profile.id));
            match signed_in(&profile, variable.map(String::as_str)) {
                Ok(client) => usable.push((profile.id.clone(), profile.name.clone(), client)),
                Err(error) => unusable.push(people::ConnectionResult::unusable(&profile.id, &profile.name, error)),
            }
        }
    }
    let mut results: Vec<people::ConnectionResult> =
        search::search_many(&usable, &query).await.into_iter().map(|(result, _)| result).collect();
    results.extend(unusable);
    let records: Vec<people::PersonRecord> = results.iter().flat_map(|r| r.records.clone()).collect();
    let links = history::data_dir().ok().map(|dir| people::Links::open(&dir));
    let groups = people::group(&records, links.as_ref());
    if args.json {
        return Ok(pretty(&json!({ "query": query.text(), "connections": results, "people": groups })));
    }
    let mut lines = Vec::new();
    if groups.is_empty() {
        lines.push(format!("No one found for \"{}\".", query.text()));
    }
    for group in &groups {
        lines.push(format!(
            "{} ({} record{})",
            group.name,
            group.members.len(),
            if group.members.len() == 1 { "" } else { "s" }
        ));
        for member in &group.members {
            let Some(record) = records.iter().find(|r| r.key == member.record_key) else { continue };
            let confidence = if member.link == people::LinkKind::Suggested {
                format!(", suggested: {:.0} %", member.confidence * 100.0)
            } else {
                String::new()
            };
            lines.push(format!(
                "  {} · {} · {}: {} <{}> — {}{confidence}",
                record.vendor_label, record.connection_name, record.context, record.name, record.detail, member.reason
            ));
        }
    }
    for result in &results {
        match &result.state {
            SearchState::Done => {}
            SearchState::TooMany { shown } => {
                lines.push(format!("{}: more matches than {shown}; only the first are shown.", result.connection_name))
            }
            SearchState::NeedsSignIn { message } => {
                lines.push(format!("{}: needs sign-in: {message}", result.connection_name))
            }
            SearchState::Failed { error } => {
                lines.push(format!("{}: failed: {}", result.connection_name, error.message))
            }
        }
    }
    Ok(lines.join("\n"))
}

/// Every profile in `file`, each id checked (as [`pick`] does).
fn checked_profiles(file: &std::path::Path) -> Result<Vec<Profile>, Error> {
    let profiles = profiles::read_profile_file(file)?;
    for profile in &profiles {
        profiles::check_id(&profile.id).map_err(|reason| {
            Error::new(
                ErrorCode::InvalidInput,
                format!("The profile \"{}\" in {} can't be used: {reason}", profile.name, file.display()),
            )
        })?;
    }
    Ok(profiles)
}

/// The review of a plan as `--dry-run` prints it.
fn describe_plan(plan: &switchboard_core::plan::Plan, json_output: bool) -> String {
    let view = plan.view();
    if json_output {
        return pretty(
            &json!({ "dryRun": true, "changes": view.changes, "warnings": view.warnings, "request": view.request }),
        );
    }
    if view.changes.is_empty() {
        return "Nothing would change: every field already has that value. Nothing was sent.".to_string();
    }
    let mut lines: Vec<String> = view
        .changes
        .iter()
        .map(|c| format!("  {} ({}): {} → {}", c.label, c.field, show(&c.before), show(&c.after)))
        .collect();
    lines.extend(view.warnings.iter().map(|w| format!("  note, {}: {}", w.field, w.message)));
    if let Some(request) = &view.request {
        let method = serde_json::to_value(request.method).unwrap_or_default();
        lines.push(format!("Would send {} {}:", method.as_str().unwrap_or_default(), request.path));
        lines.push(pretty(&request.body));
    }
    format!("Would change (dry run, nothing sent):\n{}", lines.join("\n"))
}

fn command_line_context(profile: &Profile, source: Source, undoes: Option<String>) -> EntryContext {
    EntryContext {
        source,
        connection_id: profile.id.clone(),
        connection_name: profile.name.clone(),
        target_names: Default::default(),
        undoes,
        group_id: None,
    }
}

/// A target's ids under the CLI's flag names (`customer`, `user`), as `history --json` shows them.
fn target_by_flag(operation: &str, target: &std::collections::BTreeMap<String, String>) -> Value {
    let ids = operations::target_ids(operation).unwrap_or(&[]);
    let by_flag: serde_json::Map<String, Value> = target
        .iter()
        .map(|(key, id)| {
            let flag = ids.iter().find(|t| t.key == key).map(|t| t.flag).unwrap_or(key.as_str());
            (flag.to_string(), Value::String(id.clone()))
        })
        .collect();
    Value::Object(by_flag)
}

fn list_history(args: &HistoryArgs) -> Result<String, Error> {
    let history = History::open_default()?;
    let page = history.list(&HistoryFilter::default(), None, args.limit)?;
    if args.json {
        let entries: Vec<Value> = page
            .entries
            .iter()
            .map(|entry| {
                let mut json = serde_json::to_value(entry).unwrap_or_default();
                json["target"] = target_by_flag(&entry.operation, &entry.target);
                json["changes"] = Value::Array(
                    entry
                        .changes
                        .iter()
                        .map(|c| json!({ "field": c.field, "label": c.label, "before": c.before, "after": c.after }))
                        .collect(),
                );
                json
            })
            .collect();
        return Ok(pretty(&Value::Array(entries)));
    }
    if page.entries.is_empty() {
        return Ok("No changes yet.".to_string());
    }
    let lines: Vec<String> = page
        .entries
        .iter()
        .map(|entry| {
            let changes: Vec<String> = entry
                .changes
                .iter()
                .map(|c| format!("{}: {} → {}", c.field, show(&c.before), show(&c.after)))
                .collect();
            let outcome = match entry.outcome {
                Outcome::Unknown => "not confirmed",
                Outcome::Done => "done",
                Outcome::Refused => "refused",
                Outcome::Failed => "failed",
            };
            format!(
                "{}  {}  {:13}  {}  {}  {}  [{}]",
                entry.id,
                &entry.at[..19.min(entry.at.len())].replace('T', " "),
                outcome,
                entry.operation,
                entry.target_title(),
                changes.join("; "),
                entry.person
            )
        })
        .collect();
    Ok(format!("{}\n({} of {} change(s), newest first)", lines.join("\n"), page.entries.len(), page.total))
}

/// Undoes a change from the history: reads the record now; if every field still holds what the
/// change set, plans the way back and sends it (exit 6 and nothing sent if a field moved since).
async fn undo(args: &UndoArgs) -> Result<String, Error> {
    let history = History::open_default()?;
    let entry = history.get(&args.id)?;
    let ids = operations::target_ids(&entry.operation)?;
    let id_of = |flag: &str| ids.iter().find(|t| t.flag == flag).and_then(|t| entry.target.get(t.key)).cloned();
    let target = Target {
        operation: entry.operation.clone(),
        profile_file: args.profile_file.clone(),
        // By default the change's own connection, when the file holds it.
        profile: args.profile.clone().or_else(|| Some(entry.connection_id.clone())),
        secret_env: args.secret_env.clone(),
        customer: id_of("customer"),
        tenant: id_of("tenant"),
        account: id_of("account"),
        user: id_of("user"),
        json: args.json,
    };
    let (client, target_json, profile) = match connect(&target) {
        // The file may name the connection differently: with one profile in it, use that one.
        Err(error) if args.profile.is_none() && error.message.starts_with("No profile named") => {
            connect(&Target { profile: None, ..target })?
        }
        other => other?,
    };
    let operation = operations::find(&entry.operation)?;
    let call = switchboard_core::plan::Call::new();
    let now = operation.read(&client, &target_json, &call).await?;
    history.reconcile(&profile.id, &entry.operation, &target_json, &now.values)?;
    let entry = history.get(&args.id)?;
    let check = history::undo_check(&entry, &now.values)?;
    if !check.moved().is_empty() {
        return Err(history::moved_error(&check));
    }
    let plan = operations::plan_from(&entry.operation, &target_json, &now, &check.edits(), call)?;
    if args.dry_run {
        return Ok(describe_plan(&plan, args.json));
    }
    let context = command_line_context(&profile, Source::Undo, Some(entry.id.clone()));
    let receipt = history::send_recorded(Some(&history), &client, &plan, &context).await?;
    if args.json {
        return Ok(pretty(&json!({ "undid": entry.id, "receipt": receipt, "note": check.note })));
    }
    let fields: Vec<String> = check.fields.iter().map(|f| format!("{} back to {}", f.label, show(&f.before))).collect();
    let mut text = format!("Undone: {}.", fields.join(", "));
    if let Some(note) = &check.note {
        text.push_str(&format!("\n{note}"));
    }
    Ok(text)
}

/// `bulk`: template, export, check (`--dry-run`), run or resume, undo a job.
async fn bulk_command(args: BulkArgs) -> Result<(String, u8), Error> {
    use switchboard_core::bulk::{self, Checked, ConnectionRef, RunOptions};
    let operation = operations::find(&args.operation)?;
    if let Some(path) = &args.template {
        bulk::save_template(operation.id(), path)?;
        return Ok((format!("Wrote a blank sheet for {} to {}.", operation.id(), path.display()), 0));
    }
    let profile_file = args
        .profile_file
        .as_deref()
        .ok_or_else(|| Error::new(ErrorCode::InvalidInput, "bulk needs --profile-file (the connection to use)."))?;
    let (client, profile) =
        connect_profile(operation.id(), profile_file, args.profile.as_deref(), args.secret_env.as_deref())?;
    let options = RunOptions::for_vendor(operation.vendor()).with(args.max_rate, args.concurrency).checked()?;
    let connection = ConnectionRef { id: profile.id.clone(), name: profile.name.clone() };
    let progress = ProgressLine::new();
    if let Some(path) = &args.export {
        let mut parent = serde_json::Map::new();
        let (_, parents) = operation.targets().split_last().unwrap_or((&operation.targets()[0], &[]));
        for id in parents {
            let value = match id.flag {
                "customer" => &args.customer,
                "tenant" => &args.tenant,
                _ => &args.account,
            };
            let value = value.clone().ok_or_else(|| {
                Error::new(ErrorCode::InvalidInput, format!("--export for {} needs --{}.", operation.id(), id.flag))
            })?;
            parent.insert(id.key.to_string(), Value::String(value));
        }
        let count = bulk::export(&client, operation.id(), &Value::Object(parent), path, options, &|done, total| {
            progress.show(&format!("read {done} of {}", total.map(|t| t.to_string()).unwrap_or("?".into())))
        })
        .await?;
        progress.finish();
        return Ok((format!("Exported the current values of {count} records to {}.", path.display()), 0));
    }
    let history = History::open_default()?;
    let job = if let Some(undone) = &args.undo_job {
        let job = bulk::plan_undo(&history, &client, undone, options).await?;
        eprintln!("Planned the undo of job {undone} as job {}.", job.id);
        job
    } else {
        let path = args.file.as_deref().ok_or_else(|| Error::new(ErrorCode::InvalidInput, "bulk needs --file."))?;
        let digest = bulk::digest(path)?;
        match history.resumable_job(operation.id(), &profile.id, &digest)? {
            Some(job) => {
                eprintln!(
                    "Resuming job {} for this file (checked {}): {} of {} rows left.",
                    job.id,
                    job.created_at,
                    job.counts.remaining(),
                    job.counts.total
                );
                if args.max_rate.is_some() || args.concurrency.is_some() {
                    history.set_job_pace(&job.id, options.max_rate, options.concurrency as u32)?;
                }
                job
            }
            None => {
                let checked =
                    bulk::check(&history, &client, &connection, operation.id(), path, options, &|done, total| {
                        progress.show(&format!("checked {done} of {total} rows"))
                    })
                    .await?;
                progress.finish();
                match checked {
                    Checked::Ready { job } => *job,
                    Checked::Refused { problems, rows } => {
                        let mut error = problems.into_error();
                        error.message = format!("{} ({rows} rows read)", error.message);
                        return Err(error);
                    }
                }
            }
        }
    };
    if args.dry_run {
        return Ok((describe_job_review(&history, &job, args.json)?, 0));
    }
    let (_control, watch) = bulk::control();
    let finished = bulk::run(&history, &client, &job.id, watch, &|p| {
        progress.show(&format!(
            "{} of {} rows · {} done, {} unchanged, {} refused, {} failed · {:.1} rows/s{}",
            p.counts.total - p.counts.remaining(),
            p.counts.total,
            p.counts.done,
            p.counts.unchanged,
            p.counts.refused,
            p.counts.failed,
            p.rows_per_second,
            p.seconds_left.map(|s| format!(" · about {s} s left")).unwrap_or_default()
        ))
    })
    .await?;
    progress.finish();
    if let Some(path) = &args.results {
        bulk::save_results(&history, &finished.id, path)?;
    }
    let counts = finished.counts;
    let code = if counts.refused + counts.failed + counts.remaining() > 0 { 4 } else { 0 };
    let problems = history
        .job_rows(&finished.id, None, 0, u32::MAX)?
        .into_iter()
        .filter(|row| !matches!(row.state, history::RowState::Done | history::RowState::Unchanged))
        .collect::<Vec<_>>();
    if args.json {
        return Ok((pretty(&json!({ "job": finished, "notDone": problems })), code));
    }
    let mut text = format!(
        "Job {}: {} done, {} unchanged, {} refused, {} failed, {} left (of {} rows).",
        finished.id,
        counts.done,
        counts.unchanged,
        counts.refused,
        counts.failed,
        counts.remaining(),
        counts.total
    );
    for row in problems.iter().take(50) {
        text.push_str(&format!(
            "\n  row {} ({}): {} — {}",
            row.row,
            row_name(row),
            row.state.label(),
            row.message.as_deref().unwrap_or("")
        ));
    }
    if problems.len() > 50 {
        text.push_str(&format!("\n  … and {} more rows; see --results.", problems.len() - 50));
    }
    if counts.remaining() > 0 {
        text.push_str("\nRun the same command again to finish the rows left.");
    }
    Ok((text, code))
}

/// A row's name for people: its name column, else its last id.
fn row_name(row: &history::JobRowView) -> String {
    if row.name.is_empty() {
        row.target.values().last().cloned().unwrap_or_default()
    } else {
        row.name.clone()
    }
}

/// A checked job as `--dry-run` prints it: per row, what will change.
fn describe_job_review(history: &History, job: &history::JobView, json_output: bool) -> Result<String, Error> {
    let rows = history.job_rows(&job.id, None, 0, u32::MAX)?;
    if json_output {
        return Ok(pretty(&json!({ "dryRun": true, "job": job, "rows": rows })));
    }
    let counts = job.counts;
    let mut text = format!(
        "Checked job {}: {} rows will change, {} already hold these values. Nothing was sent.",
        job.id, counts.pending, counts.unchanged
    );
    let changing: Vec<_> = rows.iter().filter(|row| row.state == history::RowState::Pending).collect();
    for row in changing.iter().take(50) {
        let changes: Vec<String> =
            row.changes.iter().map(|c| format!("{}: {} → {}", c.label, show(&c.before), show(&c.after))).collect();
        text.push_str(&format!("\n  row {} ({}): {}", row.row, row_name(row), changes.join("; ")));
    }
    if changing.len() > 50 {
        text.push_str(&format!("\n  … and {} more rows.", changing.len() - 50));
    }
    text.push_str("\nRun the same command without --dry-run to send exactly this.");
    Ok(text)
}

/// Progress on stderr: rewritten in place on a terminal, a line every few seconds otherwise.
struct ProgressLine {
    terminal: bool,
    last: std::sync::Mutex<Option<std::time::Instant>>,
}

impl ProgressLine {
    fn new() -> ProgressLine {
        ProgressLine { terminal: std::io::stderr().is_terminal(), last: std::sync::Mutex::new(None) }
    }

    fn show(&self, line: &str) {
        let every =
            if self.terminal { std::time::Duration::from_millis(200) } else { std::time::Duration::from_secs(5) };
        let mut last = self.last.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if last.is_some_and(|at| at.elapsed() < every) {
            return;
        }
        *last = Some(std::time::Instant::now());
        if self.terminal {
            eprint!("\r\x1b[2K{line}");
        } else {
            eprintln!("{line}");
        }
    }

    fn finish(&self) {
        if self.terminal && self.last.lock().map(|last| last.is_some()).unwrap_or(false) {
            eprintln!();
        }
    }
}

/// Every operation: `{id, vendor, label}` each with `--json`, else one line each.
fn list_operations(json_output: bool) -> Result<String, Error> {
    let operations = operations::summaries();
    if json_output {
        let list: Vec<Value> =
            operations.iter().map(|o| json!({ "id": o.id, "vendor": o.vendor, "label": o.title })).collect();
        return Ok(pretty(&Value::Array(list)));
    }
    let width = operations.iter().map(|o| o.id.len()).max().unwrap_or(0);
    let lines: Vec<String> =
        operations.iter().map(|o| format!("{:width$}  {} · {}", o.id, o.vendor.label(), o.title)).collect();
    Ok(format!("{}\n\nDescribe one with: switchboard-cli operations OPERATION", lines.join("\n")))
}

/// One operation from its definitions: the ids (as CLI flags) and every field with what `--set` takes.
fn describe_operation(id: &str, json_output: bool) -> Result<String, Error> {
    let spec = operations::spec(id)?;
    let vendor = operations::vendor(id)?;
    let targets = operations::target_ids(id)?;
    if json_output {
        let fields: Vec<Value> = spec
            .fields
            .iter()
            .map(|f| {
                let mut field = json!({
                    "key": f.key, "label": f.label, "kind": f.kind, "meaning": f.meaning,
                    "required": f.required, "help": f.help,
                });
                if let Some(max) = f.max_length {
                    field["maxLength"] = json!(max);
                }
                if let Some(choices) = &f.choices {
                    field["allowed"] = json!(choices.iter().map(|c| &c.value).collect::<Vec<_>>());
                }
                if let Some(switch) = &f.applies_when {
                    field["appliesWhen"] = json!(switch);
                }
                field
            })
            .collect();
        let targets: Vec<Value> = targets
            .iter()
            .map(|t| json!({ "key": t.flag, "flag": format!("--{}", t.flag), "label": t.label }))
            .collect();
        return Ok(pretty(&json!({
            "id": spec.id, "vendor": vendor, "label": spec.title, "targets": targets, "fields": fields,
        })));
    }
    let flags: Vec<String> = targets.iter().map(|t| format!("  --{} ID   {}", t.flag, t.label)).collect();
    let fields: Vec<String> = spec
        .fields
        .iter()
        .map(|f| {
            let mut rules = vec![serde_json::to_value(f.kind)
                .ok()
                .and_then(|k| k.as_str().map(str::to_string))
                .unwrap_or_default()];
            if f.required {
                rules.push("required".into());
            }
            if let Some(max) = f.max_length {
                rules.push(format!("at most {max} characters"));
            }
            if let Some(choices) = &f.choices {
                let sample: Vec<&str> = choices.iter().take(4).map(|c| c.value.as_str()).collect();
                let more = if choices.len() > sample.len() { ", …" } else { "" };
                rules.push(format!("one of {} values ({}{more})", choices.len(), sample.join(", ")));
            }
            if let Some(switch) = &f.applies_when {
                rules.push(format!("only while {switch} is on"));
            }
            let meaning =
                serde_json::to_value(f.meaning).ok().and_then(|m| m.as_str().map(str::to_string)).unwrap_or_default();
            format!("  {}  {} [{}; means: {}]\n      {}", f.key, f.label, rules.join(", "), meaning, f.help)
        })
        .collect();
    Ok(format!(
        "{id} · {} · {}\n\nFinds its record with:\n{}\n\nFields (--set KEY=VALUE):\n{}",
        vendor.label(),
        spec.title,
        flags.join("\n"),
        fields.join("\n")
    ))
}

fn new_profile(args: NewProfile) -> Result<String, Error> {
    let vendor = match args.vendor {
        VendorName::Avepoint => Vendor::Avepoint,
        VendorName::PartnerCenter => Vendor::PartnerCenter,
        VendorName::Softwareone => Vendor::Softwareone,
        VendorName::Msp360 => Vendor::Msp360,
    };
    let environment_value = Value::String(args.environment.replace('-', "_"));
    let bad_environment = |allowed: &str| {
        Error::new(ErrorCode::InvalidInput, format!("--environment must be {allowed}, not \"{}\".", args.environment))
    };
    let (environment, cloud) = match vendor {
        Vendor::Avepoint => (
            serde_json::from_value::<Environment>(environment_value)
                .map_err(|_| bad_environment("commercial, us_government, aos2 or fed_ramp"))?,
            None,
        ),
        Vendor::PartnerCenter => (
            Environment::Commercial,
            Some(
                serde_json::from_value::<switchboard_core::partner_center::Cloud>(environment_value)
                    .map_err(|_| bad_environment("commercial, us_government or china"))?,
            ),
        ),
        _ => (Environment::Commercial, None),
    };
    let draft = ProfileDraft {
        name: args.name,
        vendor,
        environment,
        api_url: args.base_url,
        identity_url: args.identity_url,
        client_id: args.client_id.unwrap_or_default(),
        sign_in: if args.certificate { SignInMethod::Certificate } else { SignInMethod::ClientSecret },
        cloud,
        tenant: args.tenant,
        user_name: args.username,
    };
    let profile = draft.checked(&[])?.into_profile(uuid::Uuid::new_v4().to_string());
    Ok(pretty(&serde_json::to_value(&profile).map_err(|e| Error::internal(e.to_string()))?))
}

async fn sign_in(args: SignInArgs) -> Result<String, Error> {
    let profile = pick(&args.profile_file, args.profile.as_deref())?;
    if profile.vendor() != Vendor::PartnerCenter {
        return Err(Error::new(ErrorCode::InvalidInput, "Only Partner Center connections sign in in the browser."));
    }
    let pending = switchboard_core::partner_center::begin_sign_in(&profile.partner_center_settings()?).await?;
    eprintln!(
        "Open this address in your browser and sign in as the partner user (MFA applies):\n\n  {}\n",
        pending.authorize_url
    );
    let tokens = pending.finish().await?;
    // Bound to this profile's hosts and client id: only a profile that goes there can use it.
    secrets::write_for_profile(
        &KeychainStore::for_this_build(),
        &profile,
        SecretKind::RefreshToken,
        &tokens.refresh_token,
    )?;
    Ok(format!("Signed in. The sign-in for \"{}\" is kept in the system keychain.", profile.name))
}

/// The profile, its signed-in client and the target ids as JSON.
fn connect(target: &Target) -> Result<(VendorClient, Value, Profile), Error> {
    let ids = operations::target_ids(&target.operation)?;
    let mut target_json = serde_json::Map::new();
    let mut missing = Vec::new();
    for id in ids {
        let value = match id.flag {
            "customer" => &target.customer,
            "tenant" => &target.tenant,
            "account" => &target.account,
            _ => &target.user,
        };
        match value {
            Some(value) => {
                target_json.insert(id.key.to_string(), Value::String(value.clone()));
            }
            None => missing.push(format!("--{}", id.flag)),
        }
    }
    if !missing.is_empty() {
        return Err(Error::new(
            ErrorCode::InvalidInput,
            format!("{} needs {} (missing: {}).", target.operation, flags(ids), missing.join(", ")),
        ));
    }
    let (client, profile) = connect_profile(
        &target.operation,
        &target.profile_file,
        target.profile.as_deref(),
        target.secret_env.as_deref(),
    )?;
    Ok((client, Value::Object(target_json), profile))
}

/// A signed-in client for `operation`'s vendor from a profile file, with the profile.
fn connect_profile(
    operation: &str,
    profile_file: &std::path::Path,
    wanted: Option<&str>,
    secret_env: Option<&str>,
) -> Result<(VendorClient, Profile), Error> {
    let profile = pick(profile_file, wanted)?;
    let needed = operations::vendor(operation)?;
    if profile.vendor() != needed {
        return Err(Error::new(
            ErrorCode::InvalidInput,
            format!(
                "{} needs a {} profile; \"{}\" is a {} profile.",
                operation,
                needed.label(),
                profile.name,
                profile.vendor().label()
            ),
        ));
    }
    let client = signed_in(&profile, secret_env)?;
    Ok((client, profile))
}

/// A signed-in client for `profile`: its secret from the environment variable `secret_env`, or
/// from the OS keychain (only when saved for this profile's address).
fn signed_in(profile: &Profile, secret_env: Option<&str>) -> Result<VendorClient, Error> {
    let kind = profile.secret_kind();
    let from_keychain = secret_env.is_none();
    let secret = match secret_env {
        Some(variable) => Secret::new(std::env::var(variable).map_err(|_| {
            Error::new(ErrorCode::InvalidInput, format!("The environment variable {variable} is not set."))
        })?),
        None => {
            let how = format!(
                "Save it in the app{}, or pass --secret-env VARIABLE.",
                if profile.vendor() == Vendor::PartnerCenter { " or run switchboard-cli sign-in" } else { "" }
            );
            let missing = |why: String| Err(Error::new(ErrorCode::SecretMissing, format!("{why} {how}")));
            // The keychain entry is found by the profile's id, but only handed out when the
            // profile file's hosts and client id or login are the ones it was saved for.
            match secrets::read_for_profile(&KeychainStore::for_this_build(), profile, kind)? {
                ProfileSecret::Usable(secret) => secret,
                ProfileSecret::Missing => {
                    return missing(format!("No {} for \"{}\" in the system keychain.", kind.label(), profile.name))
                }
                ProfileSecret::AddressChanged => {
                    return missing(format!(
                        "{} The {} in the system keychain for \"{}\" was saved for another address, client id or login than this profile file gives, so it is not sent.",
                        secrets::ADDRESS_CHANGED,
                        kind.label(),
                        profile.name
                    ))
                }
                ProfileSecret::Unbound => {
                    return missing(format!(
                        "The {} in the system keychain for \"{}\" was saved by an older Switchboard and isn't tied to an address, so it is not sent.",
                        kind.label(),
                        profile.name
                    ))
                }
            }
        }
    };
    // A rotated Partner Center sign-in replaces the stored one, when it came from the keychain.
    let bound_to = profile.clone();
    let keep_rotated: Option<switchboard_core::connection::RotationListener> = from_keychain.then(|| {
        Box::new(move |token: &Secret| {
            let _ = secrets::write_for_profile(
                &KeychainStore::for_this_build(),
                &bound_to,
                SecretKind::RefreshToken,
                token,
            );
        }) as switchboard_core::connection::RotationListener
    });
    switchboard_core::connection::client_for_profile(profile, secret, keep_rotated)
}

fn pick(file: &std::path::Path, wanted: Option<&str>) -> Result<Profile, Error> {
    let mut profiles = profiles::read_profile_file(file)?;
    // The id names the keychain entries the profile may use: refuse Practice's and odd ones.
    for profile in &profiles {
        profiles::check_id(&profile.id).map_err(|reason| {
            Error::new(
                ErrorCode::InvalidInput,
                format!("The profile \"{}\" in {} can't be used: {reason}", profile.name, file.display()),
            )
        })?;
    }
    match (wanted, profiles.len()) {
        (None, 1) => Ok(profiles.remove(0)),
        (None, 0) => Err(Error::new(ErrorCode::InvalidInput, "The profile file holds no profiles.")),
        (None, n) => Err(Error::new(
            ErrorCode::InvalidInput,
            format!("The profile file holds {n} profiles; pick one with --profile NAME."),
        )),
        (Some(wanted), _) => profiles
            .into_iter()
            .find(|p| p.name == wanted || p.id == wanted)
            .ok_or_else(|| Error::new(ErrorCode::InvalidInput, format!("No profile named \"{wanted}\" in the file."))),
    }
}

fn flags(ids: &[operations::TargetId]) -> String {
    ids.iter().map(|id| format!("--{}", id.flag)).collect::<Vec<_>>().join(", ")
}

/// A password given as `--set FIELD=VALUE` would sit in the process list, the shell history and
/// CI logs: refused before anything else, without repeating the value.
fn refuse_passwords_in_set(fields: &[FieldSpec], items: &[String]) -> Result<(), Error> {
    for item in items {
        let key = item.split_once('=').map_or(item.as_str(), |(key, _)| key).trim();
        if fields.iter().any(|field| field.key == key && field.kind == FieldKind::Password) {
            let message = format!(
                "{key} is a password field and isn't taken from --set, where it would show in the process list and \
                 shell history. Put the new password in an environment variable and pass --password-env VARIABLE, \
                 or pass --password-prompt to type it in a terminal. Nothing was sent."
            );
            return Err(Error::new(ErrorCode::InvalidInput, message.clone()).with_field(key, message));
        }
    }
    Ok(())
}

/// The new password for the operation's password field, from `--password-env` or a no-echo
/// prompt (`--password-prompt`, on a terminal only); `None` when neither was asked for.
fn new_password(args: &UpdateArgs, fields: &[FieldSpec]) -> Result<Option<(String, Secret)>, Error> {
    if args.password_env.is_none() && !args.password_prompt {
        return Ok(None);
    }
    let operation = &args.target.operation;
    let field = fields.iter().find(|field| field.kind == FieldKind::Password).ok_or_else(|| {
        Error::new(
            ErrorCode::InvalidInput,
            format!("{operation} has no password field, so --password-env and --password-prompt don't apply."),
        )
    })?;
    let password = match &args.password_env {
        Some(variable) => match std::env::var(variable) {
            Ok(value) if !value.is_empty() => value,
            Ok(_) => {
                return Err(Error::new(
                    ErrorCode::InvalidInput,
                    format!("The environment variable {variable} is empty; it should hold the new password."),
                ))
            }
            Err(std::env::VarError::NotPresent) => {
                return Err(Error::new(
                    ErrorCode::InvalidInput,
                    format!("The environment variable {variable} is not set."),
                ))
            }
            Err(std::env::VarError::NotUnicode(_)) => {
                return Err(Error::new(
                    ErrorCode::InvalidInput,
                    format!("The environment variable {variable} does not hold valid text."),
                ))
            }
        },
        None => prompt_password(&field.label)?,
    };
    Ok(Some((field.key.clone(), Secret::new(password))))
}

/// Asks twice at a prompt that doesn't echo what is typed.
fn prompt_password(label: &str) -> Result<String, Error> {
    if !std::io::stdin().is_terminal() {
        return Err(Error::new(
            ErrorCode::InvalidInput,
            "--password-prompt needs a terminal to type the new password in. In a script, put it in an environment \
             variable and pass --password-env VARIABLE.",
        ));
    }
    let read = |prompt: &str| {
        rpassword::prompt_password(prompt)
            .map_err(|error| Error::new(ErrorCode::InvalidInput, format!("Could not read the new password: {error}")))
    };
    let first = read(&format!("{label} (not shown as you type): "))?;
    if first.is_empty() {
        return Err(Error::new(ErrorCode::InvalidInput, "No password was typed. Nothing was sent."));
    }
    if read("Type it again: ")? != first {
        return Err(Error::new(ErrorCode::InvalidInput, "The two passwords typed differ. Nothing was sent."));
    }
    Ok(first)
}

fn parse_assignments(items: &[String]) -> Result<Vec<(String, String)>, Error> {
    items
        .iter()
        .map(|item| match item.split_once('=') {
            Some((field, value)) if !field.trim().is_empty() => Ok((field.trim().to_string(), value.to_string())),
            _ => Err(Error::new(ErrorCode::InvalidInput, format!("--set needs FIELD=VALUE, not \"{item}\"."))),
        })
        .collect()
}

fn describe_values(operation: &str, values: &Value) -> Result<String, Error> {
    let spec = operations::spec(operation)?;
    let lines: Vec<String> = spec
        .fields
        .iter()
        .map(|field| {
            format!("  {} ({}): {}", field.label, field.key, show(values.get(&field.key).unwrap_or(&Value::Null)))
        })
        .collect();
    Ok(format!("{} · {}\n{}", spec.vendor, spec.title, lines.join("\n")))
}

fn describe_receipt(operation: &str, receipt: &Value) -> Result<String, Error> {
    let changed: Vec<&str> =
        receipt["changedFields"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    if changed.is_empty() {
        return Ok("Nothing changed: every field already had that value. Nothing was sent.".to_string());
    }
    let spec = operations::spec(operation)?;
    let lines: Vec<String> = changed
        .iter()
        .map(|key| {
            let field = spec.fields.iter().find(|f| f.key == *key);
            let label = field.map(|f| f.label.as_str()).unwrap_or(key);
            if field.is_some_and(|f| f.kind == FieldKind::Password) {
                // Never read back or shown.
                return format!("  {label} ({key}): changed");
            }
            format!("  {label} ({key}): {} → {}", show(&receipt["before"][key]), show(&receipt["after"][key]))
        })
        .collect();
    let reference = receipt["requestId"].as_str().map(|id| format!("\nVendor reference: {id}")).unwrap_or_default();
    Ok(format!("Saved at {}:\n{}{reference}", spec.vendor, lines.join("\n")))
}

fn show(value: &Value) -> String {
    match value {
        Value::String(text) if text.is_empty() => "(empty)".to_string(),
        Value::String(text) => text.clone(),
        Value::Null => "(none)".to_string(),
        other => other.to_string(),
    }
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
}

fn exit_code(error: &Error) -> u8 {
    match error.code {
        ErrorCode::InvalidInput
        | ErrorCode::InvalidConnection
        | ErrorCode::SecretMissing
        | ErrorCode::ProfileStorage => 2,
        ErrorCode::SignInRejected | ErrorCode::KeychainUnavailable => 3,
        ErrorCode::Forbidden
        | ErrorCode::NotFound
        | ErrorCode::VendorRejected
        | ErrorCode::RateLimited
        | ErrorCode::VendorUnavailable
        | ErrorCode::MalformedResponse
        | ErrorCode::ResponseTooLarge => 4,
        // Nothing was sent: the record changed since the change (undo) or the review.
        ErrorCode::ChangedSinceReview => 6,
        ErrorCode::Unreachable => 5,
        ErrorCode::Internal => 1,
    }
}

fn fail(error: &Error, json_output: bool) -> ExitCode {
    eprintln!("switchboard-cli: {}", error.message);
    for field_error in error.field_errors.iter().filter(|e| e.message != error.message) {
        match field_error.field.as_str() {
            "" => eprintln!("  {}", field_error.message),
            field => eprintln!("  {field}: {}", field_error.message),
        }
    }
    if let Some(reference) = &error.reference {
        eprintln!("  vendor reference: {reference}");
    }
    if json_output {
        println!("{}", pretty(&json!({ "error": error })));
    }
    ExitCode::from(exit_code(error))
}
