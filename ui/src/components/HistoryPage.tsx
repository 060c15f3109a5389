// The change history: every change Switchboard made from this computer, newest first, with
// filters, search, a detail view, CSV export and Undo. Undo reads the record now and goes through
// the same review and save as the desk; a field changed since is shown before / after / now and
// nothing is sent for it unless the person chooses to put it back.
import { useCallback, useEffect, useMemo, useState } from "react";
import {
  Button,
  Dialog,
  Heading,
  Label,
  ListBox,
  ListBoxItem,
  Modal,
  ModalOverlay,
  Popover,
  Radio,
  RadioGroup,
  SearchField,
  Input,
  Select,
  SelectValue,
  TextField,
} from "react-aria-components";
import { BackendError, toBackendError } from "../backend";
import type { ConnectionList } from "../bindings/ConnectionList";
import type { Entry } from "../bindings/Entry";
import type { HistoryFilter } from "../bindings/HistoryFilter";
import type { OperationSummary } from "../bindings/OperationSummary";
import type { Outcome } from "../bindings/Outcome";
import type { PlanView } from "../bindings/PlanView";
import type { UndoStart } from "../bindings/UndoStart";
import { useBackend } from "../context";
import { ErrorBanner } from "./ErrorBanner";

const PAGE = 100;
const ANY = "__any__";

export const outcomeLabels: Record<Outcome, string> = {
  done: "Done",
  refused: "Refused",
  failed: "Failed",
  unknown: "Not confirmed",
};

const sourceLabels: Record<Entry["source"], string> = {
  desk: "desk",
  command_line: "command line",
  bulk: "bulk run",
  undo: "undo",
  people: "People page",
};

/** A value as the history shows it. */
export function shownValue(value: unknown): string {
  if (value == null || value === "") return "(empty)";
  if (typeof value === "boolean") return value ? "On" : "Off";
  if (Array.isArray(value)) return value.length === 0 ? "(none)" : value.join(", ");
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function entryTitle(entry: Entry): string {
  const key = "userId" in entry.target ? "userId" : Object.keys(entry.target).pop() ?? "";
  return entry.targetNames[key] ?? entry.target[key] ?? "";
}

/** `phone.number` edits as the nested object the backend takes. */
function nestedEdits(fields: { field: string; value: unknown }[]): Record<string, unknown> {
  const edits: Record<string, unknown> = {};
  for (const { field, value } of fields) {
    const parts = field.split(".");
    let node = edits;
    for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
    node[parts[parts.length - 1]!] = value;
  }
  return edits;
}

type Undo =
  | { step: "loading"; entry: Entry }
  | { step: "choose"; start: UndoStart; keep: Record<string, "back" | "now"> }
  | { step: "review"; start: UndoStart; plan: PlanView }
  | { step: "saving"; start: UndoStart; plan: PlanView };

export default function HistoryPage({ list }: { list: ConnectionList }) {
  const backend = useBackend();
  const [filter, setFilter] = useState<HistoryFilter>({});
  const [entries, setEntries] = useState<Entry[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [total, setTotal] = useState(0);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<BackendError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [operations, setOperations] = useState<OperationSummary[]>([]);
  const [undo, setUndo] = useState<Undo | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  useEffect(() => {
    backend.listOperations().then(setOperations).catch(() => undefined);
    backend.historyNotice().then(setNotice).catch(() => undefined);
  }, [backend]);

  const load = useCallback(
    async (cursor: string | null) => {
      setLoading(true);
      try {
        const page = await backend.listHistory(filter, cursor, PAGE);
        setEntries((shown) => (cursor ? [...shown, ...page.entries] : page.entries));
        setNext(page.next ?? null);
        setTotal(page.total);
        setError(null);
      } catch (reason) {
        setError(toBackendError(reason));
      } finally {
        setLoading(false);
      }
    },
    [backend, filter],
  );

  useEffect(() => {
    void load(null);
  }, [load]);

  // Typing in the search waits for a pause; the other filters apply at once.
  const [search, setSearch] = useState("");
  useEffect(() => {
    const timer = setTimeout(() => setFilter((current) => ((current.search ?? "") === search ? current : { ...current, search: search || undefined })), 250);
    return () => clearTimeout(timer);
  }, [search]);

  const titleOf = (id: string) => operations.find((o) => o.id === id)?.title ?? id;
  const vendors = useMemo(() => [...new Set(list.connections.map((c) => c.vendor))].sort(), [list]);
  const set = (patch: Partial<HistoryFilter>) => setFilter((current) => ({ ...current, ...patch }));

  async function startUndo(entry: Entry) {
    setMessage(null);
    setUndo({ step: "loading", entry });
    try {
      const start = await backend.openUndo(entry.id);
      const keep = Object.fromEntries(start.check.fields.map((f) => [f.field, f.moved ? "now" : "back"])) as Record<string, "back" | "now">;
      if (start.check.fields.some((f) => f.moved)) setUndo({ step: "choose", start, keep });
      else await review(start, keep);
    } catch (reason) {
      setUndo(null);
      setError(toBackendError(reason));
    }
  }

  async function review(start: UndoStart, keep: Record<string, "back" | "now">) {
    const back = start.check.fields.filter((f) => keep[f.field] === "back");
    if (back.length === 0) {
      setUndo(null);
      setMessage("Nothing to undo: every field keeps its current value.");
      return;
    }
    try {
      const plan = await backend.reviewEdits(start.recordId, nestedEdits(back.map((f) => ({ field: f.field, value: f.before }))));
      setUndo({ step: "review", start, plan });
    } catch (reason) {
      setUndo(null);
      setError(toBackendError(reason));
    }
  }

  async function confirmUndo() {
    if (undo?.step !== "review") return;
    const { start, plan } = undo;
    setUndo({ step: "saving", start, plan });
    try {
      await backend.applyPlan(plan.id);
      setUndo(null);
      setMessage(`Undone: ${plan.changes.map((c) => `${c.label} is ${shownValue(c.after)} again`).join(", ")}.`);
      await load(null);
    } catch (reason) {
      setUndo(null);
      setError(toBackendError(reason));
    }
  }

  async function exportCsv() {
    try {
      const path = await backend.exportHistory(filter);
      if (path) setMessage(`Exported to ${path}.`);
    } catch (reason) {
      setError(toBackendError(reason));
    }
  }

  const select = (label: string, key: keyof HistoryFilter, options: { id: string; name: string }[], field: string) => (
    <Select
      className="field"
      selectedKey={(filter[key] as string | undefined) ?? ANY}
      onSelectionChange={(value) => set({ [key]: value === ANY ? undefined : String(value) })}
      data-filter={field}
    >
      <Label>{label}</Label>
      <Button className="select-button">
        <SelectValue />
        <span aria-hidden="true">▾</span>
      </Button>
      <Popover className="popover">
        <ListBox className="listbox" items={[{ id: ANY, name: "Any" }, ...options]}>
          {(item) => (
            <ListBoxItem className="option" id={item.id} textValue={item.name}>
              {item.name}
            </ListBoxItem>
          )}
        </ListBox>
      </Popover>
    </Select>
  );

  return (
    <main className="content">
      <section className="card" aria-labelledby="history-heading">
        <div className="history-head">
          <h1 id="history-heading">History</h1>
          <Button className="button" onPress={() => void exportCsv()} data-action="export-history">
            Export CSV…
          </Button>
        </div>
        <p className="help">Every change Switchboard made from this computer, in the app and on the command line. Newest first.</p>
        {notice && (
          <div className="banner error" role="alert" data-outcome="history-notice">
            {notice}
          </div>
        )}
        <div className="history-filters">
          <SearchField className="field" value={search} onChange={setSearch} data-filter="search">
            <Label>Search</Label>
            <Input placeholder="Person, name, id or value" />
          </SearchField>
          {select("Connection", "connectionId", list.connections.map((c) => ({ id: c.id, name: c.name })), "connection")}
          {select("Vendor", "vendor", vendors.map((v) => ({ id: v, name: v })), "vendor")}
          {select("Operation", "operation", operations.map((o) => ({ id: o.id, name: o.title })), "operation")}
          {select(
            "Outcome",
            "outcome",
            (Object.keys(outcomeLabels) as Outcome[]).map((o) => ({ id: o, name: outcomeLabels[o] })),
            "outcome",
          )}
          <TextField className="field" value={filter.from ?? ""} onChange={(from) => set({ from: from || undefined })} data-filter="from">
            <Label>From</Label>
            <Input type="date" />
          </TextField>
          <TextField className="field" value={filter.to ?? ""} onChange={(to) => set({ to: to || undefined })} data-filter="to">
            <Label>To</Label>
            <Input type="date" />
          </TextField>
        </div>
      </section>

      <div aria-live="polite">
        {message && (
          <div className="banner success" role="status" data-outcome="history-message">
            {message}
          </div>
        )}
      </div>
      {error && <ErrorBanner error={error} />}

      <section className="card" aria-label="Changes">
        <p className="help" data-history-count>
          {loading && entries.length === 0 ? "Loading…" : `${total} change${total === 1 ? "" : "s"}`}
        </p>
        <ul className="history-list">
          {entries.map((entry) => (
            <li key={entry.id} className="history-entry" data-entry={entry.id} data-outcome-kind={entry.outcome}>
              <Button
                className="history-row"
                aria-expanded={open === entry.id}
                onPress={() => setOpen((current) => (current === entry.id ? null : entry.id))}
                data-action="open-entry"
              >
                <span className={`badge outcome-${entry.outcome}`}>{outcomeLabels[entry.outcome]}</span>
                <span className="history-what">
                  <strong>{entryTitle(entry)}</strong> · {entry.vendor} {titleOf(entry.operation)}
                </span>
                <span className="history-changes">
                  {entry.changes.map((c) => `${c.label}: ${shownValue(c.before)} → ${shownValue(c.after)}`).join("; ")}
                </span>
                <span className="history-when">{new Date(entry.at).toLocaleString()}</span>
              </Button>
              {open === entry.id && (
                <div className="history-detail" data-entry-detail>
                  <dl>
                    <dt>When</dt>
                    <dd>{new Date(entry.at).toLocaleString()}</dd>
                    <dt>Who</dt>
                    <dd>
                      {entry.person} on {entry.computer}, from the {sourceLabels[entry.source]}
                    </dd>
                    <dt>Connection</dt>
                    <dd>{entry.connectionName}</dd>
                    <dt>Record</dt>
                    <dd className="mono">
                      {Object.entries(entry.target)
                        .map(([key, id]) => `${entry.targetNames[key] ? `${entry.targetNames[key]} ` : ""}(${id})`)
                        .join(" › ")}
                    </dd>
                    <dt>Outcome</dt>
                    <dd>
                      {outcomeLabels[entry.outcome]}
                      {entry.message ? ` — ${entry.message}` : ""}
                      {entry.outcome === "unknown" && " Open the record once and Switchboard checks whether the vendor has it."}
                    </dd>
                    {entry.requestId && (
                      <>
                        <dt>Reference</dt>
                        <dd className="mono">{entry.requestId}</dd>
                      </>
                    )}
                    {entry.undoes && (
                      <>
                        <dt>Undoes</dt>
                        <dd className="mono">{entry.undoes}</dd>
                      </>
                    )}
                    {entry.undoneBy && (
                      <>
                        <dt>Undone by</dt>
                        <dd className="mono">{entry.undoneBy}</dd>
                      </>
                    )}
                  </dl>
                  <ul className="review-list">
                    {entry.changes.map((c) => (
                      <li key={c.field} data-change={c.field}>
                        <strong>{c.label}:</strong> {shownValue(c.before)} → {shownValue(c.after)}
                      </li>
                    ))}
                  </ul>
                  {entry.outcome === "done" && !entry.undoneBy && (
                    <Button className="button" onPress={() => void startUndo(entry)} data-action="undo" isDisabled={undo != null}>
                      Undo…
                    </Button>
                  )}
                </div>
              )}
            </li>
          ))}
        </ul>
        {next && (
          <Button className="button" onPress={() => void load(next)} isDisabled={loading} data-action="more-history">
            Show more
          </Button>
        )}
      </section>

      <ModalOverlay isOpen={undo != null && undo.step !== "loading"} onOpenChange={(isOpen) => !isOpen && setUndo(null)} isDismissable className="modal-overlay">
        <Modal className="modal">
          <Dialog className="dialog" data-undo>
            {undo?.step === "choose" && (
              <>
                <Heading slot="title">The record changed since</Heading>
                <p>
                  Someone changed {undo.start.check.fields.filter((f) => f.moved).map((f) => f.label).join(", ")} after this change. Nothing is
                  sent for a field unless you choose to put it back.
                </p>
                {undo.start.check.fields.map((f) => (
                  <RadioGroup
                    key={f.field}
                    className="undo-field"
                    value={undo.keep[f.field]}
                    onChange={(value) => setUndo({ ...undo, keep: { ...undo.keep, [f.field]: value as "back" | "now" } })}
                    data-undo-field={f.field}
                  >
                    <Label>
                      {f.label}: before {shownValue(f.before)}, after {shownValue(f.after)}, now {shownValue(f.now)}
                    </Label>
                    <Radio value="back">Put back {shownValue(f.before)}</Radio>
                    <Radio value="now">Keep {shownValue(f.now)}</Radio>
                  </RadioGroup>
                ))}
                <div className="actions">
                  <Button className="button primary" onPress={() => void review(undo.start, undo.keep)} data-action="undo-review">
                    Review
                  </Button>
                  <Button className="button" onPress={() => setUndo(null)} data-action="undo-cancel">
                    Cancel
                  </Button>
                </div>
              </>
            )}
            {(undo?.step === "review" || undo?.step === "saving") && (
              <>
                <Heading slot="title">Review the undo</Heading>
                <p>
                  {undo.start.check.entry.vendor} · {titleOf(undo.start.check.entry.operation)} for{" "}
                  <strong>{entryTitle(undo.start.check.entry)}</strong> via {undo.start.check.entry.connectionName}.
                </p>
                <ul className="review-list">
                  {undo.plan.changes.map((c) => (
                    <li key={c.field} data-change={c.field}>
                      <strong>{c.label}:</strong> {shownValue(c.before)} → {shownValue(c.after)}
                    </li>
                  ))}
                </ul>
                {undo.start.check.note && <p className="help">{undo.start.check.note}</p>}
                <div className="actions">
                  <Button
                    className="button primary"
                    onPress={() => void confirmUndo()}
                    isDisabled={undo.step === "saving"}
                    data-action="confirm-undo"
                    autoFocus
                  >
                    Undo {undo.plan.changes.length} change{undo.plan.changes.length === 1 ? "" : "s"}
                  </Button>
                  <Button className="button" onPress={() => setUndo(null)} data-action="undo-cancel">
                    Go back
                  </Button>
                </div>
              </>
            )}
          </Dialog>
        </Modal>
      </ModalOverlay>
    </main>
  );
}
