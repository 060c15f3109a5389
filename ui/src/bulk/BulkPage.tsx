// Bulk changes from a spreadsheet: choose the connection and operation, get a blank sheet or
// the current values, import the edited sheet, review every row's change, run it at the vendor's
// pace with progress, pause, resume or cancel, then save the results or undo the job. Every row
// is checked and planned in Rust exactly as the desk plans one change; a file with any problem
// is refused whole with each problem listed, and nothing is sent.
import { useCallback, useEffect, useMemo, useState } from "react";
import { Button, Input, Label, ProgressBar, TextField } from "react-aria-components";
import { BackendError, toBackendError } from "../backend";
import type { ConnectionList } from "../bindings/ConnectionList";
import type { JobRowView } from "../bindings/JobRowView";
import type { JobView } from "../bindings/JobView";
import type { OperationSummary } from "../bindings/OperationSummary";
import type { Problems } from "../bindings/Problems";
import type { Progress } from "../bindings/Progress";
import type { RowState } from "../bindings/RowState";
import { useBackend } from "../context";
import { ErrorBanner } from "../components/ErrorBanner";
import { RecordPicker } from "../components/RecordPicker";
import { SelectField } from "../components/SelectField";
import { changeLine, isOpen, jobStateLabels, optionalNumber, paceProblem, progressLine, remaining, rowStateLabels, rows, summary } from "./model";

const PAGE = 100;

type Stage =
  | { step: "start" }
  | { step: "checking"; done: number; total?: number }
  | { step: "refused"; problems: Problems; rows: number }
  | { step: "job"; job: JobView }
  | { step: "running"; job: JobView; progress: Progress | null; stopping: boolean };

export default function BulkPage({ list, connectionId: deskConnection }: { list: ConnectionList; connectionId: string | null }) {
  const backend = useBackend();
  const [connectionId, setConnectionId] = useState<string | null>(deskConnection ?? list.connections[0]?.id ?? null);
  const [operations, setOperations] = useState<OperationSummary[]>([]);
  const [operationId, setOperationId] = useState<string | null>(null);
  const [parent, setParent] = useState<Record<string, string>>({});
  const [maxRate, setMaxRate] = useState("");
  const [concurrency, setConcurrency] = useState("");
  const [stage, setStage] = useState<Stage>({ step: "start" });
  const [jobs, setJobs] = useState<JobView[]>([]);
  const [error, setError] = useState<BackendError | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const connection = list.connections.find((c) => c.id === connectionId) ?? null;
  const offered = useMemo(() => operations.filter((o) => o.vendor === connection?.vendorId), [operations, connection]);
  const operation = offered.find((o) => o.id === operationId) ?? offered[0] ?? null;
  const parents = operation ? operation.targets.slice(0, -1) : [];
  const pace = paceProblem(maxRate, concurrency);

  const refreshJobs = useCallback(async () => {
    try {
      setJobs(await backend.bulkJobs(false));
    } catch (reason) {
      setError(toBackendError(reason));
    }
  }, [backend]);

  useEffect(() => {
    backend.listOperations().then(setOperations).catch((reason) => setError(toBackendError(reason)));
    void refreshJobs();
  }, [backend, refreshJobs]);

  async function attempt(label: string, work: () => Promise<void>) {
    setBusy(label);
    setError(null);
    setMessage(null);
    try {
      await work();
    } catch (reason) {
      setError(toBackendError(reason));
    } finally {
      setBusy(null);
    }
  }

  const template = () =>
    attempt("template", async () => {
      if (!operation) return;
      const path = await backend.bulkTemplate(operation.id);
      if (path) setMessage(`Saved a blank sheet to ${path}. Fill in a row per record, then import it.`);
    });

  const exportValues = () =>
    attempt("export", async () => {
      if (!operation || !connectionId) return;
      const saved = await backend.bulkExport(connectionId, operation.id, parent, (count) =>
        setMessage(`Reading current values: ${count.done}${count.total != null ? ` of ${count.total}` : ""}…`),
      );
      setMessage(saved ? `Exported ${rows(saved.count)} to ${saved.path}. Edit it in Excel, then import it.` : null);
    });

  const importSheet = () =>
    attempt("import", async () => {
      if (!operation || !connectionId || pace) return;
      setStage({ step: "checking", done: 0 });
      const checked = await backend
        .bulkImport(connectionId, operation.id, optionalNumber(maxRate), optionalNumber(concurrency), (count) =>
          setStage({ step: "checking", done: count.done, total: count.total }),
        )
        .catch((reason) => {
          setStage({ step: "start" });
          throw reason;
        });
      if (!checked) setStage({ step: "start" });
      else if (checked.status === "refused") setStage({ step: "refused", problems: checked.problems, rows: checked.rows });
      else {
        setStage({ step: "job", job: checked.job });
        await refreshJobs();
      }
    });

  const run = (job: JobView) =>
    attempt("run", async () => {
      setStage({ step: "running", job, progress: null, stopping: false });
      try {
        const ended = await backend.bulkRun(job.id, optionalNumber(maxRate), optionalNumber(concurrency), (progress) =>
          setStage((current) => (current.step === "running" ? { ...current, progress } : current)),
        );
        setStage({ step: "job", job: ended });
      } catch (reason) {
        setStage({ step: "job", job: await backend.bulkJobs(false).then((all) => all.find((j) => j.id === job.id) ?? job) });
        throw reason;
      } finally {
        await refreshJobs();
      }
    });

  const control = (job: JobView, action: "pause" | "cancel") => {
    setStage((current) => (current.step === "running" ? { ...current, stopping: true } : current));
    void backend.bulkControl(job.id, action).catch((reason) => setError(toBackendError(reason)));
  };

  const cancelStopped = (job: JobView) =>
    attempt("cancel", async () => {
      await backend.bulkControl(job.id, "cancel");
      await refreshJobs();
      setStage({ step: "start" });
      setMessage("Cancelled: nothing more of that job will be sent.");
    });

  const discard = (job: JobView) =>
    attempt("discard", async () => {
      await backend.bulkDiscard(job.id);
      await refreshJobs();
      setStage({ step: "start" });
      setMessage("Discarded: nothing of that file was sent.");
    });

  const undoJob = (job: JobView) =>
    attempt("undo", async () => {
      const undo = await backend.bulkPlanUndo(job.id);
      setStage({ step: "job", job: undo });
      await refreshJobs();
    });

  const saveResults = (job: JobView) =>
    attempt("results", async () => {
      const saved = await backend.bulkSaveResults(job.id);
      if (saved) setMessage(`Saved the results of ${rows(saved.count)} to ${saved.path}.`);
    });

  const working = busy != null || stage.step === "checking" || stage.step === "running";

  return (
    <main className="content">
      <section className="card" aria-labelledby="bulk-heading">
        <h1 id="bulk-heading">Bulk changes</h1>
        <p className="help">
          Change many records from a spreadsheet. Get a blank sheet or the current values, edit them in Excel, and import the sheet: every row
          is checked and shown before anything is sent. An empty cell leaves a value as it is; <code>(clear)</code> empties it.
        </p>
        <div className="bulk-choices">
          <SelectField
            label="Connection"
            field="bulk-connection"
            options={list.connections.map((c) => ({ id: c.id, label: c.isPractice ? c.name : `${c.name} (${c.vendor})` }))}
            selected={connectionId}
            onChange={(id) => {
              setConnectionId(id);
              setParent({});
            }}
            isDisabled={working}
          />
          <SelectField
            label="Operation"
            field="bulk-operation"
            options={offered.map((o) => ({ id: o.id, label: o.title }))}
            selected={operation?.id ?? null}
            onChange={(id) => {
              setOperationId(id);
              setParent({});
            }}
            isDisabled={working || offered.length === 0}
          />
        </div>
        <div className="actions">
          <Button className="button" onPress={() => void template()} isDisabled={working || !operation} data-action="bulk-template">
            Blank sheet…
          </Button>
          <Button className="button primary" onPress={() => void importSheet()} isDisabled={working || !operation || pace != null} data-action="bulk-import">
            Import a sheet…
          </Button>
        </div>
        {operation && connectionId && parents.length > 0 && (
          <details className="bulk-export">
            <summary>Export the current values of every {operation.targets[operation.targets.length - 1]?.noun}</summary>
            <div className="bulk-parents">
              {parents.map((field, index) => {
                const before = parents.slice(0, index);
                const ready = before.every((p) => parent[p.key]);
                return (
                  <RecordPicker
                    key={`${connectionId}|${field.key}`}
                    connectionId={connectionId}
                    operationId={operation.id}
                    field={field}
                    parentTarget={ready ? Object.fromEntries(before.map((p) => [p.key, parent[p.key]!])) : null}
                    waitingFor={ready ? undefined : before.find((p) => !parent[p.key])?.noun}
                    value={parent[field.key] ?? ""}
                    disabled={working}
                    onChange={(id) => setParent((current) => ({ ...Object.fromEntries(before.map((p) => [p.key, current[p.key]!])), [field.key]: id }))}
                  />
                );
              })}
            </div>
            <Button
              className="button"
              onPress={() => void exportValues()}
              isDisabled={working || parents.some((p) => !parent[p.key])}
              data-action="bulk-export"
            >
              Export current values…
            </Button>
          </details>
        )}
        <details className="bulk-pace">
          <summary>Pace</summary>
          <p className="help">
            No vendor publishes its limits, so Switchboard starts at a safe rate for each and slows down when the vendor asks. Raise it only if the
            vendor allows more.
          </p>
          <div className="bulk-choices">
            <TextField className="field" value={maxRate} onChange={setMaxRate} isInvalid={pace?.startsWith("Requests") ?? false} data-field="bulk-max-rate">
              <Label>Requests per second</Label>
              <Input inputMode="decimal" placeholder="Vendor default" />
            </TextField>
            <TextField className="field" value={concurrency} onChange={setConcurrency} isInvalid={pace?.startsWith("Records") ?? false} data-field="bulk-concurrency">
              <Label>Records at once</Label>
              <Input inputMode="numeric" placeholder="8" />
            </TextField>
          </div>
          {pace && (
            <p className="field-error" role="alert">
              {pace}
            </p>
          )}
        </details>
      </section>

      <div aria-live="polite">
        {message && (
          <div className="banner success" role="status" data-outcome="bulk-message">
            {message}
          </div>
        )}
      </div>
      {error && <ErrorBanner error={error} />}

      {stage.step === "checking" && (
        <section className="card" aria-label="Checking" data-bulk-stage="checking">
          <ProgressBar className="bulk-progress" value={stage.done} maxValue={stage.total ?? Math.max(stage.done, 1)} aria-label="Rows checked">
            {({ percentage }) => <div className="bar" style={{ width: `${percentage ?? 0}%` }} />}
          </ProgressBar>
          <p>Checking every row against the vendor: {stage.done}{stage.total != null ? ` of ${stage.total}` : ""} read. Nothing is sent.</p>
        </section>
      )}

      {stage.step === "refused" && (
        <section className="card" aria-labelledby="refused-heading" data-bulk-stage="refused">
          <h2 id="refused-heading">Nothing was sent</h2>
          <p>
            The file has {stage.problems.listed.length + stage.problems.more} problem{stage.problems.listed.length + stage.problems.more === 1 ? "" : "s"} in{" "}
            {rows(stage.rows)}. Fix {stage.problems.listed.length + stage.problems.more === 1 ? "it" : "them"} in the sheet and import it again.
          </p>
          <table className="bulk-table" data-bulk-problems>
            <thead>
              <tr>
                <th scope="col">Row</th>
                <th scope="col">Column</th>
                <th scope="col">Problem</th>
              </tr>
            </thead>
            <tbody>
              {stage.problems.listed.map((problem, index) => (
                <tr key={index} data-problem-row={problem.row}>
                  <td>{problem.row === 0 ? "File" : problem.row}</td>
                  <td>{problem.column ?? ""}</td>
                  <td>{problem.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {stage.problems.more > 0 && <p className="help">…and {stage.problems.more} more.</p>}
        </section>
      )}

      {(stage.step === "job" || stage.step === "running") && (
        <JobPanel
          key={stage.job.id}
          job={stage.job}
          running={stage.step === "running" ? { progress: stage.progress, stopping: stage.stopping } : null}
          busy={busy}
          onRun={run}
          onControl={control}
          onCancelStopped={cancelStopped}
          onDiscard={discard}
          onUndo={undoJob}
          onSaveResults={saveResults}
        />
      )}

      <section className="card" aria-labelledby="jobs-heading">
        <h2 id="jobs-heading">Jobs</h2>
        {jobs.length === 0 ? (
          <p className="help">No bulk jobs yet.</p>
        ) : (
          <ul className="history-list" data-bulk-jobs>
            {jobs.map((job) => (
              <li key={job.id} className="history-entry" data-job={job.id} data-job-state={job.state}>
                <Button
                  className="history-row"
                  onPress={() => setStage({ step: "job", job })}
                  isDisabled={working}
                  data-action="open-job"
                >
                  <span className={`badge job-${job.state}`}>{jobStateLabels[job.state]}</span>
                  <span className="history-what">
                    <strong>{job.kind === "undo" ? `Undo of ${job.fileName}` : job.fileName}</strong> · {job.connectionName} ·{" "}
                    {operations.find((o) => o.id === job.operation)?.title ?? job.operation}
                  </span>
                  <span className="history-changes">
                    {job.counts.done} done{remaining(job.counts) ? `, ${remaining(job.counts)} left` : ""} of {rows(job.counts.total)}
                  </span>
                  <span className="history-when">{new Date(job.createdAt).toLocaleString()}</span>
                </Button>
              </li>
            ))}
          </ul>
        )}
      </section>
    </main>
  );
}

interface JobPanelProps {
  job: JobView;
  running: { progress: Progress | null; stopping: boolean } | null;
  busy: string | null;
  onRun(job: JobView): void;
  onControl(job: JobView, action: "pause" | "cancel"): void;
  onCancelStopped(job: JobView): void;
  onDiscard(job: JobView): void;
  onUndo(job: JobView): void;
  onSaveResults(job: JobView): void;
}

/** One job: its review before it runs, its progress while it runs, its results after. */
function JobPanel({ job, running, busy, onRun, onControl, onCancelStopped, onDiscard, onUndo, onSaveResults }: JobPanelProps) {
  const counts = running?.progress?.counts ?? job.counts;
  const left = remaining(counts);
  const started = counts.done + counts.refused + counts.failed + counts.sending > 0;
  const [filter, setFilter] = useState<RowState | null>(job.state === "ready" && !started ? "pending" : null);
  const title = job.kind === "undo" ? `Undo of ${job.fileName}` : job.fileName;
  return (
    <section className="card" aria-labelledby="job-heading" data-bulk-stage={running ? "running" : job.state} data-bulk-job={job.id}>
      <h2 id="job-heading">{title}</h2>
      {running ? (
        <>
          <ProgressBar className="bulk-progress" value={counts.total - left} maxValue={Math.max(counts.total, 1)} aria-label="Rows settled">
            {({ percentage }) => <div className="bar" style={{ width: `${percentage ?? 0}%` }} />}
          </ProgressBar>
          <p data-bulk-progress>{running.progress ? progressLine(running.progress) : "Starting…"}</p>
          <div className="actions">
            <Button className="button" onPress={() => onControl(job, "pause")} isDisabled={running.stopping} data-action="bulk-pause">
              Pause
            </Button>
            <Button className="button" onPress={() => onControl(job, "cancel")} isDisabled={running.stopping} data-action="bulk-cancel">
              Cancel
            </Button>
            {running.stopping && <span className="help">Finishing the rows already sent…</span>}
          </div>
        </>
      ) : job.state === "ready" && !started ? (
        <>
          <p data-bulk-review>
            {rows(counts.pending)} will change{counts.unchanged ? `; ${rows(counts.unchanged)} already hold these values and are skipped` : ""}
            {counts.refused ? `; ${rows(counts.refused)} can't be changed (see below)` : ""}. Nothing has been sent yet.
          </p>
          <div className="actions">
            <Button className="button primary" onPress={() => onRun(job)} isDisabled={busy != null || counts.pending === 0} data-action="bulk-run">
              Send {counts.pending} change{counts.pending === 1 ? "" : "s"}
            </Button>
            <Button className="button" onPress={() => onDiscard(job)} isDisabled={busy != null} data-action="bulk-discard">
              Discard
            </Button>
          </div>
        </>
      ) : (
        <>
          <p data-bulk-summary>{summary({ ...job, counts })}</p>
          <div className="actions">
            {isOpen(job) && left > 0 && (
              <Button className="button primary" onPress={() => onRun(job)} isDisabled={busy != null} data-action="bulk-resume">
                Resume ({rows(left)} left)
              </Button>
            )}
            {isOpen(job) && (
              <Button className="button" onPress={() => onCancelStopped(job)} isDisabled={busy != null} data-action="bulk-cancel-stopped">
                Cancel the rest
              </Button>
            )}
            <Button className="button" onPress={() => onSaveResults(job)} isDisabled={busy != null} data-action="bulk-results">
              Save results…
            </Button>
            {job.kind === "import" && counts.done > 0 && (
              <Button className="button" onPress={() => onUndo(job)} isDisabled={busy != null} data-action="bulk-undo">
                Undo this job…
              </Button>
            )}
          </div>
        </>
      )}
      <JobRows jobId={job.id} filter={filter} onFilter={setFilter} refresh={`${job.state}|${counts.total - left}|${running ? "r" : ""}`} />
    </section>
  );
}

const FILTERS: (RowState | null)[] = [null, "pending", "done", "unchanged", "refused", "failed", "sending"];

/** A job's rows, a page at a time, filtered by state. */
function JobRows({ jobId, filter, onFilter, refresh }: { jobId: string; filter: RowState | null; onFilter(state: RowState | null): void; refresh: string }) {
  const backend = useBackend();
  const [shown, setShown] = useState<JobRowView[]>([]);
  const [more, setMore] = useState(false);
  const [error, setError] = useState<BackendError | null>(null);
  // While running, the list refreshes at most once a second, not after every row.
  const [tick, setTick] = useState(refresh);
  useEffect(() => {
    const timer = setTimeout(() => setTick(refresh), 1000);
    return () => clearTimeout(timer);
  }, [refresh]);

  const load = useCallback(
    async (offset: number) => {
      try {
        const page = await backend.bulkJobRows(jobId, filter, offset, PAGE);
        setShown((current) => (offset === 0 ? page : [...current, ...page]));
        setMore(page.length === PAGE);
        setError(null);
      } catch (reason) {
        setError(toBackendError(reason));
      }
    },
    [backend, jobId, filter],
  );

  useEffect(() => {
    void load(0);
  }, [load, tick]);

  return (
    <div className="bulk-rows">
      <div className="bulk-filters" role="group" aria-label="Show rows">
        {FILTERS.map((state) => (
          <Button
            key={state ?? "all"}
            className="chip"
            aria-pressed={filter === state}
            onPress={() => onFilter(state)}
            data-row-filter={state ?? "all"}
          >
            {state ? rowStateLabels[state] : "All"}
          </Button>
        ))}
      </div>
      {error && <ErrorBanner error={error} />}
      <table className="bulk-table" data-bulk-rows>
        <thead>
          <tr>
            <th scope="col">Row</th>
            <th scope="col">Record</th>
            <th scope="col">Change</th>
            <th scope="col">Outcome</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((row) => (
            <tr key={row.row} data-row={row.row} data-row-state={row.state}>
              <td>{row.row}</td>
              <td>
                {row.name || Object.values(row.target).pop()}
                {row.name && <span className="help mono"> {Object.values(row.target).pop()}</span>}
              </td>
              <td>{row.changes.length === 0 ? "—" : row.changes.map(changeLine).join("; ")}</td>
              <td>
                <span className={`badge row-${row.state}`}>{rowStateLabels[row.state]}</span>
                {row.message && <span className="row-message"> {row.message}</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {shown.length === 0 && <p className="help">No rows here.</p>}
      {more && (
        <Button className="button" onPress={() => void load(shown.length)} data-action="bulk-more-rows">
          Show more
        </Button>
      )}
    </div>
  );
}
