//! Running a bulk job: each open row's reviewed plan is applied as the desk applies one — read the
//! record, refuse if a field moved since the review, write the history entry, send the planned
//! request exactly — `concurrency` rows at a time, every request paced by one token bucket per run
//! ([`crate::http::Pace`]). Rows are independent: a refused row does not stop the others. The
//! job's state lives in the history database, so a run stopped by a pause, a crash or a kill
//! resumes where it was: rows settled are never sent again, and a row whose send had no answer is
//! read first and counted done if the vendor holds its new values.

use crate::error::{Error, ErrorCode, Result};
use crate::history::{EntryContext, History, JobCounts, JobRow, JobState, JobView, Outcome, RowState, Source};
use crate::operations::{self, Operation, VendorClient};
use crate::plan::{self, Call, Plan};
use crate::profiles::Vendor;
use futures_util::stream::{FuturesUnordered, StreamExt};
use serde::Serialize;
use std::collections::{BTreeMap, VecDeque};
use tokio::sync::watch;
use ts_rs::TS;

/// Rows read from the database at a time while running.
const SLICE: u32 = 256;

/// How fast a run may go.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunOptions {
    /// Requests per second to the vendor, reads included.
    pub max_rate: f64,
    /// Rows in flight at once.
    pub concurrency: usize,
}

impl RunOptions {
    /// The defaults for a vendor: none publishes its limits (`vendors.md`, "Limits and update
    /// semantics"), so these are conservative; Partner Center throttles writes sooner than reads
    /// and MSP360 documents nothing at all, hence the lower rate. 429s slow a run down further.
    pub fn for_vendor(vendor: Vendor) -> RunOptions {
        let max_rate = match vendor {
            Vendor::Avepoint | Vendor::Softwareone => 10.0,
            Vendor::PartnerCenter | Vendor::Msp360 => 5.0,
        };
        RunOptions { max_rate, concurrency: super::DEFAULT_CONCURRENCY }
    }

    /// These options with a person's overrides.
    pub fn with(self, max_rate: Option<f64>, concurrency: Option<usize>) -> RunOptions {
        RunOptions { max_rate: max_rate.unwrap_or(self.max_rate), concurrency: concurrency.unwrap_or(self.concurrency) }
    }

    /// Checks a person's values: a rate above 0 and at most 1,000 per second, 1 to 64 rows at once.
    pub fn checked(self) -> Result<RunOptions> {
        if !(self.max_rate.is_finite() && self.max_rate > 0.0 && self.max_rate <= 1000.0) {
            return Err(Error::new(
                ErrorCode::InvalidInput,
                format!("The rate must be more than 0 and at most 1000 requests per second, not {}.", self.max_rate),
            )
            .with_field("maxRate", "More than 0, at most 1000.".into()));
        }
        if !(1..=64).contains(&self.concurrency) {
            return Err(Error::new(
                ErrorCode::InvalidInput,
                format!("Rows at once must be between 1 and 64, not {}.", self.concurrency),
            )
            .with_field("concurrency", "Between 1 and 64.".into()));
        }
        Ok(self)
    }
}

/// What a person asks of a running job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    Run,
    /// Finish the rows in flight, then stop; the job stays open to resume.
    Pause,
    /// Finish the rows in flight, then stop for good.
    Cancel,
}

/// Where a run is, told after every row.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    pub job_id: String,
    pub state: JobState,
    pub counts: JobCounts,
    /// Rows settled per second in this run.
    pub rows_per_second: f64,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seconds_left: Option<u32>,
    /// Requests sent in this run, and how many of them the vendor throttled (429).
    #[ts(type = "number")]
    pub requests: u64,
    #[ts(type = "number")]
    pub throttled: u64,
    /// The pace now, requests per second (lower than the job's after a 429).
    pub pace: f64,
}

/// Runs (or resumes) job `job_id` until every row is settled, or `control` says pause or
/// cancel. Returns the job as it ends. An error means the history could not be written: the
/// run stops, and what was sent is recorded up to that point.
pub async fn run(
    history: &History,
    client: &VendorClient,
    job_id: &str,
    mut control: watch::Receiver<Control>,
    progress: &(dyn Fn(&Progress) + Send + Sync),
) -> Result<JobView> {
    let job = history.job(job_id)?;
    if !job.state.is_open() {
        return Err(Error::new(
            ErrorCode::InvalidInput,
            format!("This job is {}; there is nothing left to run.", job.state.key()),
        ));
    }
    let operation = operations::find(&job.operation)?;
    if client.vendor() != operation.vendor() {
        return Err(operations::wrong_vendor(operation.id()));
    }
    history.set_job_state(job_id, JobState::Running)?;
    let pace = crate::http::Pace::new(job.max_rate);
    let started = std::time::Instant::now();
    let mut counts = job.counts;
    let mut settled = 0u32;
    let report = |counts: &JobCounts, settled: u32, state: JobState| {
        let elapsed = started.elapsed().as_secs_f64();
        let rows_per_second = if elapsed > 0.0 { f64::from(settled) / elapsed } else { 0.0 };
        let stats = pace.stats();
        progress(&Progress {
            job_id: job_id.to_string(),
            state,
            counts: *counts,
            rows_per_second,
            seconds_left: (rows_per_second > 0.0)
                .then(|| (f64::from(counts.remaining()) / rows_per_second).ceil().min(f64::from(u32::MAX)) as u32),
            requests: stats.sent,
            throttled: stats.throttled,
            pace: stats.rate,
        })
    };
    report(&counts, 0, JobState::Running);
    let mut stop: Option<JobState> = None;
    // Later passes take the rows a pass left open: those the vendor was too busy for, and those
    // whose send had no answer (read first, sent again only if the vendor holds the old values).
    // A pass that settles nothing ends the run, open, to resume later.
    loop {
        let settled_before = settled;
        let outcome = crate::http::paced(pace.clone(), async {
            let mut in_flight = FuturesUnordered::new();
            let mut queue: VecDeque<JobRow> = VecDeque::new();
            let mut last_row = 0;
            let mut exhausted = false;
            let mut control_open = true;
            loop {
                while stop.is_none() && in_flight.len() < job.concurrency.max(1) as usize {
                    if queue.is_empty() && !exhausted {
                        let slice = history.open_rows(job_id, last_row, SLICE)?;
                        exhausted = slice.len() < SLICE as usize;
                        if let Some(last) = slice.last() {
                            last_row = last.row;
                        }
                        queue.extend(slice);
                    }
                    let Some(row) = queue.pop_front() else { break };
                    let before = row.state;
                    let job = &job;
                    in_flight.push(async move { (before, run_row(history, client, operation, job, row).await) });
                }
                if in_flight.is_empty() {
                    return Ok::<(), Error>(());
                }
                tokio::select! {
                    Some((before, result)) = in_flight.next() => {
                        let after = result?;
                        if after != before {
                            counts.move_row(before, after);
                            if super::is_settled(after) {
                                settled += 1;
                            }
                        }
                        report(&counts, settled, JobState::Running);
                    }
                    changed = control.changed(), if control_open => {
                        if changed.is_err() {
                            control_open = false;
                            continue;
                        }
                        stop = match *control.borrow() {
                            Control::Run => None,
                            Control::Pause => Some(JobState::Paused),
                            Control::Cancel => Some(JobState::Cancelled),
                        };
                    }
                }
            }
        })
        .await;
        if let Err(error) = outcome {
            let _ = history.set_job_state(job_id, JobState::Paused);
            return Err(error);
        }
        if stop.is_some() || counts.remaining() == 0 || settled == settled_before {
            break;
        }
    }
    let end = match stop {
        Some(state) => state,
        None if counts.remaining() == 0 => JobState::Finished,
        // Rows whose outcome is still unknown (the vendor kept not answering): open, to resume.
        None => JobState::Paused,
    };
    history.set_job_state(job_id, end)?;
    let job = history.job(job_id)?;
    report(&job.counts, settled, end);
    Ok(job)
}

impl JobCounts {
    fn move_row(&mut self, from: RowState, to: RowState) {
        for (state, delta) in [(from, -1i64), (to, 1)] {
            let slot = match state {
                RowState::Pending => &mut self.pending,
                RowState::Sending => &mut self.sending,
                RowState::Done => &mut self.done,
                RowState::Unchanged => &mut self.unchanged,
                RowState::Refused => &mut self.refused,
                RowState::Failed => &mut self.failed,
            };
            *slot = (i64::from(*slot) + delta).max(0) as u32;
        }
    }
}

/// One row: read, settle an earlier unanswered send, check nothing moved, record, send exactly
/// what was reviewed. Returns the row's new state; an error only when the history can't be
/// written (then nothing more is sent).
async fn run_row(
    history: &History,
    client: &VendorClient,
    operation: &dyn Operation,
    job: &JobView,
    row: JobRow,
) -> Result<RowState> {
    let call = Call::new();
    let now = match operation.read(client, &row.target, &call).await {
        Ok(now) => now,
        Err(error) => {
            if row.state == RowState::Sending || error.code == ErrorCode::RateLimited {
                // Still unknown whether an earlier send arrived, or the vendor is busy: stays
                // open for a later pass.
                return Ok(row.state);
            }
            let state = match Outcome::of_error(&error) {
                Outcome::Refused => RowState::Refused,
                _ => RowState::Failed,
            };
            history.settle_row(&job.id, row.row, state, Some(&format!("Nothing was sent: {}", error.message)))?;
            return Ok(state);
        }
    };
    if let (RowState::Sending, Some(entry)) = (row.state, &row.entry_id) {
        history.reconcile(&job.connection_id, operation.id(), &row.target, &now.values)?;
        if history.outcome_of(entry)? == Outcome::Done {
            let message = "Confirmed after the run was interrupted: the vendor holds the new values.";
            history.settle_row(&job.id, row.row, RowState::Done, Some(message))?;
            return Ok(RowState::Done);
        }
    }
    if let Err(error) = plan::check_unchanged(operation.fields(), &row.basis, &now.values) {
        history.settle_row(&job.id, row.row, RowState::Refused, Some(&error.message))?;
        return Ok(RowState::Refused);
    }
    let Some(request) = &row.request else {
        history.settle_row(&job.id, row.row, RowState::Unchanged, None)?;
        return Ok(RowState::Unchanged);
    };
    let plan = Plan {
        id: uuid::Uuid::new_v4().to_string(),
        operation: operation.id(),
        target: row.target.clone(),
        basis: row.basis.clone(),
        after: row.after.clone(),
        changes: row.changes.clone(),
        warnings: Vec::new(),
        request: Some(request.planned()),
        call,
    };
    let mut target_names = BTreeMap::new();
    if let (Some(last), false) = (operation.targets().last(), row.name.is_empty()) {
        target_names.insert(last.key.to_string(), row.name.clone());
    }
    let context = EntryContext {
        source: if row.undoes.is_some() { Source::Undo } else { Source::Bulk },
        connection_id: job.connection_id.clone(),
        connection_name: job.connection_name.clone(),
        target_names,
        undoes: row.undoes.clone(),
        group_id: Some(job.id.clone()),
    };
    let entry = history.begin_row(&job.id, row.row, &plan, &context)?;
    let result = operations::send_plan(client, &plan).await;
    history.finish_row(&job.id, row.row, &entry, &result)
}

/// A control for one run, and the receiver the run watches.
pub fn control() -> (watch::Sender<Control>, watch::Receiver<Control>) {
    watch::channel(Control::Run)
}
