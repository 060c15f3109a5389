// The desk: pick a connection and an operation, find the record by its ids, edit the form the
// Rust field definitions describe, save. Works for every operation by name.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import {
  Button,
  Dialog,
  Form,
  Heading,
  Label,
  ListBox,
  ListBoxItem,
  Modal,
  ModalOverlay,
  Popover,
  Select,
  SelectValue,
} from "react-aria-components";
import { BackendError, toBackendError } from "../backend";
import type { ConnectionList } from "../bindings/ConnectionList";
import type { Draft } from "../bindings/Draft";
import type { FieldSpec } from "../bindings/FieldSpec";
import type { RecentRecord } from "../bindings/RecentRecord";
import type { RetryNotice } from "../bindings/RetryNotice";
import type { OperationSpec } from "../bindings/OperationSpec";
import type { OperationSummary } from "../bindings/OperationSummary";
import type { PlanView } from "../bindings/PlanView";
import type { UpdateReceipt } from "../bindings/UpdateReceipt";
import { useBackend } from "../context";
import { changedKeys, errorsByField, formValuesOf, nestedChangesOf, type FieldValue, type FormValues } from "../form";
import { ErrorBanner } from "./ErrorBanner";
import { isUnsetDate } from "./FieldInput";
import { OperationForm } from "./OperationForm";
import { RecordPicker } from "./RecordPicker";

type Target = Record<string, string>;
type Loaded = {
  connectionId: string;
  operationId: string;
  /** The record as Rust keeps it open: edits are checked, reviewed and saved against it. */
  recordId: string;
  target: Target;
  labels: Target;
  original: FormValues;
};
type Picks = { ids: Target; names: Target };
/** One part of "where your changes go", for the app header. */
export type Crumb = { label: string; value: string };
type Outcome =
  | { kind: "saved"; receipt: UpdateReceipt<Record<string, unknown>> }
  | { kind: "unchanged" }
  | { kind: "error"; error: BackendError };

export function Desk({
  list,
  connectionId,
  onConnectionChange,
  onContextChange,
}: {
  list: ConnectionList;
  connectionId: string | null;
  onConnectionChange(id: string): void;
  /** Where changes would go now (connection, customer, tenant, user), for the header. */
  onContextChange?(crumbs: Crumb[]): void;
}) {
  const backend = useBackend();
  const connection = list.connections.find((c) => c.id === connectionId) ?? null;
  const [operations, setOperations] = useState<OperationSummary[]>([]);
  const [operationId, setOperationId] = useState<string | null>(null);
  const [spec, setSpec] = useState<OperationSpec | null>(null);
  // The ids picked or pasted, and the names the pickers know for them, updated together.
  const [picks, setPicksState] = useState<Picks>({ ids: {}, names: {} });
  // Load may run in the same event as a picker's last commit (Enter): it reads the ref, never a stale render.
  const picksRef = useRef<Picks>(picks);
  const setPicks = useCallback((next: Picks | ((previous: Picks) => Picks)) => {
    picksRef.current = typeof next === "function" ? next(picksRef.current) : next;
    setPicksState(picksRef.current);
  }, []);
  const target = picks.ids;
  const labels = picks.names;
  const [recent, setRecent] = useState<RecentRecord[]>([]);
  const [drafts, setDrafts] = useState<Draft[]>([]);
  const [restored, setRestored] = useState<Draft | null>(null);
  const [pendingLeave, setPendingLeave] = useState<(() => void) | null>(null);
  const [pendingOpen, setPendingOpen] = useState<RecentRecord | null>(null);
  const draftTouched = useRef(false);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [values, setValues] = useState<FormValues | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [showAllErrors, setShowAllErrors] = useState(false);
  const [busy, setBusy] = useState<"loading" | "saving" | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  // The review shows the plan; Save applies exactly that plan, whatever is typed meanwhile.
  const [review, setReview] = useState<PlanView | null>(null);
  const [retry, setRetry] = useState<RetryNotice | null>(null);
  const checkSequence = useRef(0);
  // Bumped whenever the record in the form is dropped: a late read or save for it is ignored.
  const recordSequence = useRef(0);
  const formRef = useRef<HTMLDivElement>(null);
  const outcomeRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    backend
      .listOperations()
      .then(setOperations)
      .catch((reason) => setOutcome({ kind: "error", error: toBackendError(reason) }));
  }, [backend]);

  // The connection decides the vendor, and so which operations make sense.
  const available = operations.filter((o) => o.vendor === connection?.vendorId);
  const operation = available.find((o) => o.id === operationId) ?? available[0] ?? null;

  useEffect(() => {
    if (!operation) return;
    let cancelled = false;
    setSpec(null);
    backend
      .describeOperation(operation.id)
      .then((next) => !cancelled && setSpec(next))
      .catch((reason) => !cancelled && setOutcome({ kind: "error", error: toBackendError(reason) }));
    return () => {
      cancelled = true;
    };
  }, [backend, operation?.id]); // eslint-disable-line react-hooks/exhaustive-deps

  // Practice comes with a sample user, so a new user can try everything straight away.
  const sample = connection?.sampleTarget;
  useEffect(() => {
    if (sample && operation?.vendor === "avepoint" && !pendingOpen) setPicks({ ids: { ...sample }, names: {} });
  }, [sample?.customerId, sample?.tenantId, sample?.userId, operation?.vendor]); // eslint-disable-line react-hooks/exhaustive-deps

  const refreshMemory = useCallback(() => {
    if (!connectionId) return;
    backend.recentRecords(connectionId).then(setRecent).catch(() => setRecent([]));
    backend.listDrafts(connectionId).then(setDrafts).catch(() => setDrafts([]));
  }, [backend, connectionId]);
  useEffect(refreshMemory, [refreshMemory]);

  // The connection can change from outside the desk (deleted on the Connections page): a form
  // loaded through another connection must not be saved through this one.
  useEffect(() => {
    if (loaded && loaded.connectionId !== connectionId) {
      resetRecord();
      setPicks({ ids: {}, names: {} });
      setOperationId(null);
    }
  }, [connectionId]); // eslint-disable-line react-hooks/exhaustive-deps

  // A recent record or draft opens once its operation's form definition is here.
  useEffect(() => {
    if (pendingOpen && spec?.id === pendingOpen.operationId) {
      setPendingOpen(null);
      void loadRecord(pendingOpen.target, pendingOpen.labels);
    }
  }, [pendingOpen, spec?.id]); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    if (outcome) outcomeRef.current?.scrollIntoView?.({ block: "nearest", behavior: "smooth" });
  }, [outcome]);

  const dirtyKeys = spec && loaded && values ? changedKeys(spec.fields, loaded.original, values) : [];

  /** Runs `leave` now, or after the user agrees to leave a form with unsaved changes. */
  function guarded(leave: () => void) {
    if (dirtyKeys.length > 0) setPendingLeave(() => leave);
    else leave();
  }

  // Unsent edits are kept as a draft shortly after each change (never a password: Rust drops those).
  useEffect(() => {
    if (!draftTouched.current || !spec || !loaded || !values) return;
    const timer = setTimeout(() => {
      const changed = editsNow();
      backend
        .saveDraft({
          connectionId: loaded.connectionId,
          operationId: loaded.operationId,
          target: loaded.target,
          labels: loaded.labels,
          values: changed,
          savedAt: "",
        })
        .then(() => backend.listDrafts(loaded.connectionId))
        .then(setDrafts)
        .catch(() => undefined);
    }, 400);
    return () => clearTimeout(timer);
  }, [values]); // eslint-disable-line react-hooks/exhaustive-deps

  // The header always says where a save would go.
  const crumbs = useMemo<Crumb[]>(() => {
    const parts: Crumb[] = connection ? [{ label: "Connection", value: connection.name }] : [];
    for (const t of operation?.targets ?? []) {
      const id = loaded?.target[t.key] ?? target[t.key];
      if (id) parts.push({ label: t.noun, value: (loaded?.labels[t.key] ?? labels[t.key]) || id });
    }
    return parts;
  }, [connection, operation, loaded, target, labels]);
  useEffect(() => onContextChange?.(crumbs), [crumbs]); // eslint-disable-line react-hooks/exhaustive-deps

  // Checks run in Rust (the same checks a save runs): a preview that fails names the fields.
  const revalidate = useCallback(
    async (next: FormValues, current: Loaded) => {
      if (!spec) return [];
      const sequence = ++checkSequence.current;
      try {
        await backend.checkEdits(current.recordId, nestedChangesOf(spec.fields, current.original, next));
        if (sequence === checkSequence.current) setFieldErrors({});
        return [];
      } catch (reason) {
        const error = toBackendError(reason);
        if (sequence === checkSequence.current) setFieldErrors(errorsByField(error.fieldErrors));
        if (error.fieldErrors.length === 0) throw error;
        return error.fieldErrors;
      }
    },
    [backend, spec],
  );

  function resetRecord() {
    if (loaded) backend.closeRecord(loaded.recordId).catch(() => undefined);
    recordSequence.current += 1;
    checkSequence.current += 1;
    draftTouched.current = false;
    setRestored(null);
    setLoaded(null);
    setValues(null);
    setOutcome(null);
    setFieldErrors({});
    setShowAllErrors(false);
  }

  /** Loads the record; `carry` (edits in the form now) goes on top of the vendor's values, like a draft. */
  async function loadRecord(wanted?: Target, wantedLabels?: Target, carry?: FormValues) {
    if (!connectionId || !spec) return;
    const op = operations.find((o) => o.id === spec.id);
    if (!op) return;
    const from = wanted ?? picksRef.current.ids;
    const fromNames = wantedLabels ?? picksRef.current.names;
    resetRecord();
    const sequence = recordSequence.current;
    const current = () => sequence === recordSequence.current;
    setBusy("loading");
    // Only this operation's ids: a field left from another operation must not ride along.
    const ids = Object.fromEntries(op.targets.map(({ key }) => [key, (from[key] ?? "").trim()]));
    const names = Object.fromEntries(op.targets.filter(({ key }) => fromNames[key]).map(({ key }) => [key, fromNames[key]!]));
    setPicks({ ids, names });
    try {
      const opened = await backend.openRecord(connectionId, op.id, ids, (notice) => current() && setRetry(notice));
      const record: Loaded = {
        connectionId,
        operationId: op.id,
        recordId: opened.recordId,
        target: ids,
        labels: names,
        original: formValuesOf(spec.fields, opened.values),
      };
      // Unsent edits to this record from an earlier session come back on top of the vendor's values.
      const draft = (await backend.listDrafts(connectionId).catch(() => [] as Draft[])).find(
        (d) => d.operationId === op.id && sameTarget(d.target, ids),
      );
      // Recent is updated before the form appears, in the same render: a row added above the form
      // later would shift the page while the person types (and a shift closes an open list).
      const nextRecent = await backend
        .rememberRecord(connectionId, { operationId: op.id, target: ids, labels: names })
        .catch(() => null);
      if (!current()) return;
      if (nextRecent) setRecent(nextRecent);
      const known = Object.fromEntries(
        Object.entries({ ...draft?.values, ...carry }).filter(([key]) => key in record.original),
      ) as FormValues;
      const restoredValues = Object.keys(known).length > 0 ? { ...record.original, ...known } : null;
      setLoaded(record);
      setValues(restoredValues ?? record.original);
      setRestored(restoredValues && draft ? draft : null);
      if (carry) draftTouched.current = true;
      if (restoredValues) revalidate(restoredValues, record).catch(() => undefined);
      // Keyboard users continue in the form, at its first field (unless they have moved on).
      requestAnimationFrame(() => {
        const active = document.activeElement;
        if (active == null || active === document.body || active.closest("[data-action='load'], [data-recent], [data-draft]")) {
          formRef.current?.querySelector<HTMLElement>("input:not([type=hidden]), [role=spinbutton]")?.focus();
        }
      });
    } catch (reason) {
      if (!current()) return;
      const error = toBackendError(reason);
      setFieldErrors(errorsByField(error.fieldErrors));
      setOutcome({ kind: "error", error });
    } finally {
      if (current()) {
        setBusy(null);
        setRetry(null);
      }
    }
  }

  function changeField(key: string, value: FieldValue) {
    if (!values || !loaded) return;
    draftTouched.current = true;
    const next = { ...values, [key]: value };
    setValues(next);
    if (outcome?.kind !== "error") setOutcome(null);
    revalidate(next, loaded).catch(() => undefined);
  }

  async function save() {
    if (!spec || !loaded || !values) return;
    setShowAllErrors(true);
    let errors;
    try {
      errors = await revalidate(values, loaded);
    } catch (reason) {
      setOutcome({ kind: "error", error: toBackendError(reason) });
      return;
    }
    if (errors.length > 0) {
      setOutcome(null);
      formRef.current?.querySelector<HTMLElement>(`[data-field="${errors[0]!.field}"]`)?.focus();
      return;
    }
    const changes = nestedChangesOf(spec.fields, loaded.original, values);
    if (Object.keys(changes).length === 0) {
      setOutcome({ kind: "unchanged" });
      return;
    }
    // Nothing is sent before the user has seen each change as before → after.
    const sequence = recordSequence.current;
    try {
      const plan = await backend.reviewEdits(loaded.recordId, changes);
      if (sequence === recordSequence.current) setReview(plan);
    } catch (reason) {
      if (sequence === recordSequence.current) setOutcome({ kind: "error", error: toBackendError(reason) });
    }
  }

  async function confirmSave() {
    if (!spec || !loaded || !review) return;
    const plan = review;
    setReview(null);
    const sequence = recordSequence.current;
    const current = () => sequence === recordSequence.current;
    setBusy("saving");
    setOutcome(null);
    try {
      const receipt = await backend.applyPlan(plan.id, (notice) => current() && setRetry(notice));
      if (!current()) return;
      const original = formValuesOf(spec.fields, receipt.after);
      draftTouched.current = false;
      setLoaded({ ...loaded, original });
      setValues(original);
      setShowAllErrors(false);
      setRestored(null);
      setOutcome({ kind: "saved", receipt });
      backend
        .discardDraft(loaded.connectionId, loaded.operationId, loaded.target)
        .then(() => backend.listDrafts(loaded.connectionId))
        .then(setDrafts)
        .catch(() => undefined);
    } catch (reason) {
      if (!current()) return;
      const error = toBackendError(reason);
      if (error.fieldErrors.length > 0) setFieldErrors(errorsByField(error.fieldErrors));
      setOutcome({ kind: "error", error });
    } finally {
      if (current()) {
        setBusy(null);
        setRetry(null);
      }
    }
  }

  function discard() {
    if (!loaded) return;
    // The draft goes now, not after the save delay: the window may close right after.
    draftTouched.current = false;
    checkSequence.current += 1;
    backend
      .discardDraft(loaded.connectionId, loaded.operationId, loaded.target)
      .then(() => backend.listDrafts(loaded.connectionId))
      .then(setDrafts)
      .catch(() => undefined);
    setRestored(null);
    setValues(loaded.original);
    setShowAllErrors(false);
    setOutcome(null);
    setFieldErrors({});
  }

  /** The fields changed in the form now (never a password: a reload asks for it again). */
  function editsNow(): FormValues {
    if (!spec || !loaded || !values) return {};
    return Object.fromEntries(
      changedKeys(spec.fields, loaded.original, values)
        .filter((key) => spec.fields.find((f) => f.key === key)?.kind !== "password")
        .map((key) => [key, values[key]]),
    ) as FormValues;
  }

  // Inline errors appear for fields the user changed; all of them after a save attempt.
  const visibleErrors = Object.fromEntries(Object.entries(fieldErrors).filter(([key]) => showAllErrors || dirtyKeys.includes(key)));
  const labelOf = (key: string) => spec?.fields.find((f) => f.key === key)?.label ?? key;
  const fieldOf = (key: string) => spec?.fields.find((f) => f.key === key);

  function openRecord(record: RecentRecord) {
    guarded(() => {
      setOperationId(record.operationId);
      resetRecord();
      setPicks({ ids: { ...record.target }, names: { ...record.labels } });
      setPendingOpen(record);
    });
  }

  const recordName = (record: RecentRecord) => {
    const keys = operations.find((o) => o.id === record.operationId)?.targets.map((t) => t.key) ?? Object.keys(record.target);
    const last = keys[keys.length - 1] ?? "";
    const parents = keys.slice(0, -1).map((key) => record.labels[key] ?? record.target[key]).filter(Boolean);
    return { name: record.labels[last] ?? record.target[last] ?? "", where: parents.join(" · ") };
  };
  const titleOf = (operationId: string) => operations.find((o) => o.id === operationId)?.title ?? operationId;
  const openDrafts = drafts.filter(
    (d) => available.some((o) => o.id === d.operationId) && !(loaded && d.operationId === loaded.operationId && sameTarget(d.target, loaded.target)),
  );

  return (
    <main className="content">
      <section className="card" aria-labelledby="find-heading">
        <h1 id="find-heading">Find the record</h1>
        <div className="target-grid">
          <Select
            className="field connection-select"
            selectedKey={connectionId}
            isDisabled={busy === "saving"}
            onSelectionChange={(key) => {
              if (key == null || key === connectionId) return;
              guarded(() => {
                onConnectionChange(String(key));
                setOperationId(null);
                setPicks({ ids: {}, names: {} });
                resetRecord();
              });
            }}
          >
            <Label className="field-label">Connection</Label>
            <Button className="select-button" data-field="connection">
              <SelectValue />
              <span aria-hidden="true">▾</span>
            </Button>
            <Popover className="popover">
              <ListBox className="listbox" items={list.connections}>
                {(c) => (
                  <ListBoxItem className="option" id={c.id} textValue={c.name}>
                    {c.name}
                  </ListBoxItem>
                )}
              </ListBox>
            </Popover>
          </Select>
          <Select
            className="field"
            selectedKey={operation?.id ?? null}
            isDisabled={busy === "saving"}
            onSelectionChange={(key) => {
              if (key == null || key === operation?.id) return;
              guarded(() => {
                setOperationId(String(key));
                resetRecord();
              });
            }}
          >
            <Label className="field-label">What to change</Label>
            <Button className="select-button" data-field="operation">
              <SelectValue />
              <span aria-hidden="true">▾</span>
            </Button>
            <Popover className="popover">
              <ListBox className="listbox" items={available}>
                {(o) => (
                  <ListBoxItem className="option" id={o.id} textValue={o.title}>
                    {o.title}
                  </ListBoxItem>
                )}
              </ListBox>
            </Popover>
          </Select>
        </div>
        {connection && <p className="help">{connection.description}</p>}
        {(recent.length > 0 || openDrafts.length > 0) && (
          <div className="memory">
            {openDrafts.length > 0 && (
              <div className="memory-row" role="group" aria-label="Unsent edits">
                <span className="memory-title">Unsent edits</span>
                {openDrafts.map((draft) => {
                  const { name, where } = recordName(draft);
                  const count = Object.keys(draft.values).length;
                  return (
                    <Button
                      key={`${draft.operationId}|${JSON.stringify(draft.target)}`}
                      className="chip draft"
                      onPress={() => openRecord(draft)}
                      isDisabled={busy === "saving"}
                      data-draft={name}
                    >
                      <strong>{name}</strong> · {titleOf(draft.operationId)} · {count} change{count === 1 ? "" : "s"}
                      {where && <span className="chip-detail"> · {where}</span>}
                    </Button>
                  );
                })}
              </div>
            )}
            {recent.length > 0 && (
              <div className="memory-row" role="group" aria-label="Recent records">
                <span className="memory-title">Recent</span>
                {recent
                  .filter((r) => available.some((o) => o.id === r.operationId))
                  .map((record) => {
                    const { name, where } = recordName(record);
                    return (
                      <Button
                        key={`${record.operationId}|${JSON.stringify(record.target)}`}
                        className="chip"
                        onPress={() => openRecord(record)}
                        isDisabled={busy === "saving"}
                        data-recent={name}
                      >
                        <strong>{name}</strong>
                        {where && <span className="chip-detail"> · {where}</span>}
                      </Button>
                    );
                  })}
              </div>
            )}
          </div>
        )}
        <Form
          className="target-grid"
          validationBehavior="aria"
          onSubmit={(event) => {
            event.preventDefault();
            guarded(() => void loadRecord());
          }}
        >
          {connectionId &&
            operation?.targets.map((field, index) => {
              const before = operation.targets.slice(0, index);
              const missing = before.find(({ key }) => !(target[key] ?? "").trim());
              return (
                <RecordPicker
                  // Not keyed on the operation: AvePoint's two operations share their pickers' lists.
                  key={`${connectionId}|${field.key}`}
                  disabled={busy === "saving"}
                  connectionId={connectionId}
                  operationId={operation.id}
                  field={field}
                  parentTarget={missing ? null : Object.fromEntries(before.map(({ key }) => [key, target[key]!.trim()]))}
                  waitingFor={missing?.noun}
                  recentIds={[
                    ...new Set(
                      recent
                        .filter((r) => r.operationId === operation.id || operations.find((o) => o.id === r.operationId)?.vendor === operation.vendor)
                        .filter((r) => before.every(({ key }) => r.target[key] === target[key]))
                        .map((r) => r.target[field.key])
                        .filter((id): id is string => !!id),
                    ),
                  ]}
                  value={target[field.key] ?? ""}
                  valueLabel={labels[field.key]}
                  error={fieldErrors[field.key]}
                  onChange={(id, label) => {
                    // A different id empties what was picked below it. Functional: several
                    // pickers may name their picks in one render.
                    const later = operation.targets.slice(index + 1).map(({ key }) => key);
                    setPicks(({ ids, names }) => {
                      const changedId = id !== (ids[field.key] ?? "");
                      const keep = ([key]: [string, string]) => !(changedId && later.includes(key));
                      const nextIds = Object.fromEntries(Object.entries(ids).filter(keep));
                      const nextNames = Object.fromEntries(Object.entries(names).filter(keep));
                      nextIds[field.key] = id;
                      if (label) nextNames[field.key] = label;
                      else delete nextNames[field.key];
                      return { ids: nextIds, names: nextNames };
                    });
                  }}
                />
              );
            })}
          <div className="actions">
            <Button type="submit" className="button primary" isDisabled={busy != null || !operation || !spec} data-action="load">
              {busy === "loading" ? "Loading…" : "Load"}
            </Button>
          </div>
        </Form>
      </section>

      {restored && (
        <div className="banner info" role="status" data-outcome="draft-restored">
          Your unsent edits from {new Date(restored.savedAt).toLocaleString()} are back in the form. Review them and save, or{" "}
          <Button className="link-button" onPress={discard} data-action="discard-draft">
            discard them
          </Button>
          .
        </div>
      )}

      {spec && loaded && values && (
        <section className="card" aria-labelledby="form-heading" ref={formRef}>
          <h2 id="form-heading">
            {spec.vendor} · {spec.title}
          </h2>
          <p className="help">Fields marked * are required.</p>
          <form
            onSubmit={(event) => {
              event.preventDefault();
              void save();
            }}
            noValidate
          >
            <OperationForm
              spec={spec}
              values={values}
              original={loaded.original}
              errors={visibleErrors}
              disabled={busy === "saving"}
              onChange={changeField}
            />
            <div className="actions">
              <Button type="submit" className="button primary" isDisabled={busy != null} data-action="save">
                {busy === "saving" ? "Saving…" : "Save"}
              </Button>
              <Button className="button" onPress={discard} isDisabled={busy != null || dirtyKeys.length === 0}>
                Discard changes
              </Button>
              <span className="dirty-summary" aria-live="polite">
                {dirtyKeys.length === 0 ? "No unsaved changes" : `${dirtyKeys.length} unsaved change${dirtyKeys.length === 1 ? "" : "s"}`}
              </span>
            </div>
          </form>
        </section>
      )}

      <ModalOverlay isOpen={pendingLeave != null} onOpenChange={(open) => !open && setPendingLeave(null)} isDismissable className="modal-overlay">
        <Modal className="modal">
          <Dialog className="dialog" data-leave-guard role="alertdialog">
            <Heading slot="title">Leave this form?</Heading>
            <p>
              {dirtyKeys.length} unsaved change{dirtyKeys.length === 1 ? "" : "s"} to {crumbs[crumbs.length - 1]?.value ?? "this record"}{" "}
              {dirtyKeys.length === 1 ? "has" : "have"} not been sent. They stay under “Unsent edits” (passwords excepted) until you save or discard them.
            </p>
            <div className="actions">
              <Button className="button primary" onPress={() => setPendingLeave(null)} data-action="stay" autoFocus>
                Stay and keep editing
              </Button>
              <Button
                className="button"
                onPress={() => {
                  const leave = pendingLeave;
                  setPendingLeave(null);
                  leave?.();
                }}
                data-action="leave"
              >
                Leave, keep the edits
              </Button>
            </div>
          </Dialog>
        </Modal>
      </ModalOverlay>

      <ModalOverlay isOpen={review != null} onOpenChange={(open) => !open && setReview(null)} isDismissable className="modal-overlay">
        <Modal className="modal">
          <Dialog className="dialog" data-review>
            <Heading slot="title">Review the change</Heading>
            <p>
              {spec?.vendor} · {spec?.title} for{" "}
              <strong data-review-target>
                {recordTitle(crumbs.slice(1).map((c) => c.value))}
              </strong>{" "}
              via {connection?.name}.
            </p>
            <p className="help mono">
              {Object.entries(loaded?.target ?? {})
                .map(([key, value]) => `${operation?.targets.find((t) => t.key === key)?.label ?? key} ${value}`)
                .join(" · ")}
            </p>
            <ul className="review-list">
              {review?.changes.map((change) => (
                <li key={change.field} data-change={change.field}>
                  <strong>{change.label}:</strong> {shown(change.before, fieldOf(change.field))} → {shown(change.after, fieldOf(change.field))}
                </li>
              ))}
            </ul>
            {review && review.warnings.length > 0 && (
              <ul className="review-warnings" data-review-warnings>
                {review.warnings.map((warning) => (
                  <li key={warning.field}>
                    <strong>{labelOf(warning.field)}:</strong> {warning.message}
                  </li>
                ))}
              </ul>
            )}
            {review?.request && (
              <details className="review-request" data-review-request>
                <summary>The exact request</summary>
                <p className="help mono">
                  {review.request.method} {review.request.path}
                </p>
                <pre className="mono">{JSON.stringify(review.request.body, null, 2)}</pre>
              </details>
            )}
            <div className="actions">
              <Button className="button primary" onPress={() => void confirmSave()} data-action="confirm-save" autoFocus>
                Save {review?.changes.length ?? 0} change{review?.changes.length === 1 ? "" : "s"}
              </Button>
              <Button className="button" onPress={() => setReview(null)} data-action="back-to-form">
                Go back
              </Button>
            </div>
          </Dialog>
        </Modal>
      </ModalOverlay>

      <div ref={outcomeRef} className="outcome-area">
        <div aria-live="polite" className="outcome">
          {busy && retry && (
            <div className="banner info" role="status" data-outcome="retrying">
              {retryMessage(retry)}
            </div>
          )}
          {outcome?.kind === "saved" && (
            <div className="banner success" role="status" data-outcome="saved">
              <strong>Saved.</strong>{" "}
              {outcome.receipt.changedFields.length > 0
                ? `${spec?.vendor ?? "The vendor"} now has the new ${outcome.receipt.changedFields.map(labelOf).join(", ")}.`
                : "Nothing needed changing."}
              {outcome.receipt.requestId && (
                <span className="reference">
                  {" "}
                  Reference: <code>{outcome.receipt.requestId}</code>
                </span>
              )}
            </div>
          )}
          {outcome?.kind === "unchanged" && (
            <div className="banner info" role="status" data-outcome="unchanged">
              Nothing to save: every field still matches what {spec?.vendor ?? "the vendor"} holds.
            </div>
          )}
        </div>
        {outcome?.kind === "error" && (
          <ErrorBanner
            error={outcome.error}
            action={
              outcome.error.code === "changed_since_review" && loaded
                ? // The edits come back on top of the fresh values, as a draft would.
                  { label: "Load the current values", onPress: () => void loadRecord(loaded.target, loaded.labels, editsNow()) }
                : undefined
            }
          />
        )}
      </div>
    </main>
  );
}

/** "AvePoint is busy; trying again in 2 s (attempt 2 of 4)…" */
export function retryMessage(notice: RetryNotice): string {
  const seconds = Math.max(1, Math.ceil(notice.waitMs / 1000));
  const what = {
    busy: `${notice.vendor} is busy`,
    unavailable: `${notice.vendor} had a problem on its side`,
    unreachable: `Switchboard can't reach ${notice.vendor} right now`,
  }[notice.reason];
  return `${what}; trying again in ${seconds} s (attempt ${notice.nextAttempt} of ${notice.maxAttempts})…`;
}

/** "Adele Vance (Contoso Ltd › contoso.onmicrosoft.com)": the record, then where it lives. */
function recordTitle(names: string[]): string {
  const record = names[names.length - 1] ?? "";
  return names.length > 1 ? `${record} (${names.slice(0, -1).join(" › ")})` : record;
}

function sameTarget(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((key) => (a[key] ?? "") === (b[key] ?? ""));
}

/** A value as the review shows it: choices by their readable name, passwords never. */
function shown(value: unknown, field?: FieldSpec): string {
  if (field?.kind === "password") return "will be changed";
  const choice = field?.choices?.find((c) => c.value === value);
  if (choice) return choice.label.includes(choice.value) ? choice.label : `${choice.label} (${choice.value})`;
  if (value == null) return "(none)";
  if (field?.kind === "date_time_utc" && typeof value === "string" && isUnsetDate(value)) return "Not set";
  if (value === "") return "(empty)";
  if (typeof value === "boolean") return value ? "On" : "Off";
  if (Array.isArray(value)) return value.length === 0 ? "(none)" : value.join(", ");
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}
