// The desk: pick a connection and an operation, find the record by its ids, edit the form the
// Rust field definitions describe, save. Works for every operation by name.
import { useCallback, useEffect, useRef, useState } from "react";
import {
  Button,
  Dialog,
  FieldError,
  Form,
  Heading,
  Input,
  Label,
  ListBox,
  ListBoxItem,
  Modal,
  ModalOverlay,
  Popover,
  Select,
  SelectValue,
  TextField,
} from "react-aria-components";
import { BackendError, toBackendError } from "../backend";
import type { ConnectionList } from "../bindings/ConnectionList";
import type { OperationSpec } from "../bindings/OperationSpec";
import type { OperationSummary } from "../bindings/OperationSummary";
import type { PlannedChange } from "../bindings/PlannedChange";
import type { UpdateReceipt } from "../bindings/UpdateReceipt";
import { useBackend } from "../context";
import { changedKeys, errorsByField, formValuesOf, nestedChangesOf, type FieldValue, type FormValues } from "../form";
import { ErrorBanner } from "./ErrorBanner";
import { OperationForm } from "./OperationForm";

type Target = Record<string, string>;
type Loaded = { target: Target; raw: Record<string, unknown>; original: FormValues };
type Outcome =
  | { kind: "saved"; receipt: UpdateReceipt<Record<string, unknown>> }
  | { kind: "unchanged" }
  | { kind: "error"; error: BackendError };

export function Desk({
  list,
  connectionId,
  onConnectionChange,
}: {
  list: ConnectionList;
  connectionId: string | null;
  onConnectionChange(id: string): void;
}) {
  const backend = useBackend();
  const connection = list.connections.find((c) => c.id === connectionId) ?? null;
  const [operations, setOperations] = useState<OperationSummary[]>([]);
  const [operationId, setOperationId] = useState<string | null>(null);
  const [spec, setSpec] = useState<OperationSpec | null>(null);
  const [target, setTarget] = useState<Target>({});
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [values, setValues] = useState<FormValues | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [showAllErrors, setShowAllErrors] = useState(false);
  const [busy, setBusy] = useState<"loading" | "saving" | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [review, setReview] = useState<PlannedChange[] | null>(null);
  const checkSequence = useRef(0);
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
    setSpec(null);
    backend
      .describeOperation(operation.id)
      .then(setSpec)
      .catch((reason) => setOutcome({ kind: "error", error: toBackendError(reason) }));
  }, [backend, operation?.id]); // eslint-disable-line react-hooks/exhaustive-deps

  // Practice comes with a sample user, so a new user can try everything straight away.
  const sample = connection?.sampleTarget;
  useEffect(() => {
    if (sample && operation?.vendor === "avepoint") setTarget({ ...sample });
  }, [sample?.customerId, sample?.tenantId, sample?.userId, operation?.vendor]); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    if (outcome) outcomeRef.current?.scrollIntoView?.({ block: "nearest", behavior: "smooth" });
  }, [outcome]);

  const dirtyKeys = spec && loaded && values ? changedKeys(spec.fields, loaded.original, values) : [];

  // Checks run in Rust (the same checks a save runs): a preview that fails names the fields.
  const revalidate = useCallback(
    async (next: FormValues, current: Loaded) => {
      if (!spec || !operation) return [];
      const sequence = ++checkSequence.current;
      try {
        await backend.previewOperation(operation.id, current.raw, nestedChangesOf(spec.fields, current.original, next));
        if (sequence === checkSequence.current) setFieldErrors({});
        return [];
      } catch (reason) {
        const error = toBackendError(reason);
        if (sequence === checkSequence.current) setFieldErrors(errorsByField(error.fieldErrors));
        if (error.fieldErrors.length === 0) throw error;
        return error.fieldErrors;
      }
    },
    [backend, spec, operation],
  );

  function resetRecord() {
    setLoaded(null);
    setValues(null);
    setOutcome(null);
    setFieldErrors({});
    setShowAllErrors(false);
  }

  async function loadRecord() {
    if (!connectionId || !operation || !spec) return;
    setBusy("loading");
    resetRecord();
    // Only this operation's ids: a field left from another operation must not ride along.
    const ids = Object.fromEntries(operation.targets.map(({ key }) => [key, (target[key] ?? "").trim()]));
    try {
      const raw = await backend.readOperation(connectionId, operation.id, ids);
      const current = { target: ids, raw, original: formValuesOf(spec.fields, raw) };
      setLoaded(current);
      setValues(current.original);
    } catch (reason) {
      const error = toBackendError(reason);
      setFieldErrors(errorsByField(error.fieldErrors));
      setOutcome({ kind: "error", error });
    } finally {
      setBusy(null);
    }
  }

  function changeField(key: string, value: FieldValue) {
    if (!values || !loaded) return;
    const next = { ...values, [key]: value };
    setValues(next);
    if (outcome?.kind !== "error") setOutcome(null);
    revalidate(next, loaded).catch(() => undefined);
  }

  async function save() {
    if (!spec || !loaded || !values || !connectionId || !operation) return;
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
    try {
      setReview(await backend.previewOperation(operation.id, loaded.raw, changes));
    } catch (reason) {
      setOutcome({ kind: "error", error: toBackendError(reason) });
    }
  }

  async function confirmSave() {
    if (!spec || !loaded || !values || !connectionId || !operation) return;
    setReview(null);
    const changes = nestedChangesOf(spec.fields, loaded.original, values);
    setBusy("saving");
    setOutcome(null);
    try {
      const receipt = await backend.updateOperation(connectionId, operation.id, loaded.target, changes);
      const original = formValuesOf(spec.fields, receipt.after);
      setLoaded({ target: loaded.target, raw: receipt.after, original });
      setValues(original);
      setShowAllErrors(false);
      setOutcome({ kind: "saved", receipt });
    } catch (reason) {
      const error = toBackendError(reason);
      if (error.fieldErrors.length > 0) setFieldErrors(errorsByField(error.fieldErrors));
      setOutcome({ kind: "error", error });
    } finally {
      setBusy(null);
    }
  }

  function discard() {
    if (!loaded) return;
    setValues(loaded.original);
    setShowAllErrors(false);
    setOutcome(null);
    setFieldErrors({});
  }

  // Inline errors appear for fields the user changed; all of them after a save attempt.
  const visibleErrors = Object.fromEntries(Object.entries(fieldErrors).filter(([key]) => showAllErrors || dirtyKeys.includes(key)));
  const labelOf = (key: string) => spec?.fields.find((f) => f.key === key)?.label ?? key;

  return (
    <main className="content">
      {loaded && (
        <p className="context-target" aria-label="Editing">
          {connection?.name} ·{" "}
          {Object.entries(loaded.target).map(([key, value]) => (
            <span key={key}>
              {operation?.targets.find((t) => t.key === key)?.label ?? key} <code>{value}</code>{" "}
            </span>
          ))}
        </p>
      )}
      <section className="card" aria-labelledby="find-heading">
        <h1 id="find-heading">Find the record</h1>
        <div className="target-grid">
          <Select
            className="field connection-select"
            selectedKey={connectionId}
            onSelectionChange={(key) => {
              if (key == null) return;
              onConnectionChange(String(key));
              setOperationId(null);
              resetRecord();
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
            onSelectionChange={(key) => {
              if (key == null) return;
              setOperationId(String(key));
              resetRecord();
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
        <Form
          className="target-grid"
          validationBehavior="aria"
          onSubmit={(event) => {
            event.preventDefault();
            void loadRecord();
          }}
        >
          {operation?.targets.map(({ key, label }) => (
            <TextField
              key={key}
              className="field"
              value={target[key] ?? ""}
              onChange={(text) => setTarget({ ...target, [key]: text })}
              isRequired
              isInvalid={fieldErrors[key] != null}
              validationBehavior="aria"
            >
              <Label className="field-label">{label}</Label>
              <Input className="input mono" data-field={key} spellCheck={false} />
              <FieldError className="field-error" data-error-for={key}>
                {fieldErrors[key]}
              </FieldError>
            </TextField>
          ))}
          <div className="actions">
            <Button type="submit" className="button primary" isDisabled={busy != null || !operation || !spec} data-action="load">
              {busy === "loading" ? "Loading…" : "Load"}
            </Button>
          </div>
        </Form>
      </section>

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

      <ModalOverlay isOpen={review != null} onOpenChange={(open) => !open && setReview(null)} isDismissable className="modal-overlay">
        <Modal className="modal">
          <Dialog className="dialog" data-review>
            <Heading slot="title">Review the change</Heading>
            <p>
              {spec?.vendor} · {spec?.title} for{" "}
              {Object.entries(loaded?.target ?? {}).map(([key, value]) => (
                <span key={key}>
                  {operation?.targets.find((t) => t.key === key)?.label ?? key} <code>{value}</code>{" "}
                </span>
              ))}
              via {connection?.name}.
            </p>
            <ul className="review-list">
              {review?.map((change) => (
                <li key={change.field} data-change={change.field}>
                  <strong>{change.label}:</strong> {shown(change.before)} → {shown(change.after)}
                </li>
              ))}
            </ul>
            <div className="actions">
              <Button className="button primary" onPress={() => void confirmSave()} data-action="confirm-save" autoFocus>
                Save {review?.length ?? 0} change{review?.length === 1 ? "" : "s"}
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
        {outcome?.kind === "error" && <ErrorBanner error={outcome.error} />}
      </div>
    </main>
  );
}

/** A value as the review shows it. */
function shown(value: unknown): string {
  if (value == null) return "(none)";
  if (value === "") return "(empty)";
  if (typeof value === "boolean") return value ? "On" : "Off";
  if (Array.isArray(value)) return value.length === 0 ? "(none)" : value.join(", ");
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}
