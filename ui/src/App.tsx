import { useCallback, useEffect, useRef, useState } from "react";
import { Button, FieldError, Form, Input, Label, ListBox, ListBoxItem, Popover, Select, SelectValue, TextField } from "react-aria-components";
import { BackendError, toBackendError } from "./backend";
import type { AccountInformation } from "./bindings/AccountInformation";
import type { ConnectionList } from "./bindings/ConnectionList";
import type { OperationSpec } from "./bindings/OperationSpec";
import type { UpdateReceipt } from "./bindings/UpdateReceipt";
import type { UserTarget } from "./bindings/UserTarget";
import { OperationForm } from "./components/OperationForm";
import { useBackend } from "./context";
import { changedKeys, changesOf, errorsByField, type FieldValue } from "./form";
import { ErrorBanner } from "./components/ErrorBanner";
import { ConnectionsPage } from "./components/ConnectionsPage";

const OPERATION = "avepoint.account-information";
const EMPTY_TARGET: UserTarget = { customerId: "", tenantId: "", userId: "" };
const TARGET_FIELDS: { key: keyof UserTarget; label: string; help: string }[] = [
  { key: "customerId", label: "Customer ID", help: "The customer's ID in AvePoint Elements." },
  { key: "tenantId", label: "Tenant ID", help: "The customer's Microsoft 365 tenant in AvePoint." },
  { key: "userId", label: "User ID", help: "The user's ID in that tenant." },
];

type Loaded = { target: UserTarget; original: AccountInformation };
type Outcome = { kind: "saved"; receipt: UpdateReceipt<AccountInformation> } | { kind: "unchanged" } | { kind: "error"; error: BackendError };

export function App() {
  const backend = useBackend();
  const [list, setList] = useState<ConnectionList | null>(null);
  const [connectionId, setConnectionId] = useState<string | null>(null);
  const [page, setPage] = useState<"desk" | "connections">("desk");
  const [startupError, setStartupError] = useState<BackendError | null>(null);

  const refresh = useCallback(async () => {
    const next = await backend.listConnections();
    setList(next);
    setConnectionId((current) =>
      current && next.connections.some((c) => c.id === current)
        ? current
        : (next.selectedId ?? next.connections.find((c) => c.isPractice)?.id ?? next.connections[0]?.id ?? null),
    );
  }, [backend]);

  useEffect(() => {
    refresh().catch((reason) => setStartupError(toBackendError(reason)));
  }, [refresh]);

  if (startupError) {
    return (
      <main className="app content">
        <ErrorBanner error={startupError} />
      </main>
    );
  }
  const connection = list?.connections.find((c) => c.id === connectionId) ?? null;

  return (
    <div className="app">
      <header className="app-header">
        <div className="brand">Switchboard</div>
        <nav className="nav" aria-label="Sections">
          <Button className="nav-button" aria-current={page === "desk" ? "page" : undefined} onPress={() => setPage("desk")} data-nav="desk">
            Desk
          </Button>
          <Button
            className="nav-button"
            aria-current={page === "connections" ? "page" : undefined}
            onPress={() => setPage("connections")}
            data-nav="connections"
          >
            Connections
          </Button>
        </nav>
        <div className="context" aria-label="Where your changes go">
          {connection && <span className={connection.isPractice ? "pill practice" : "pill"}>{connection.isPractice ? "Practice" : connection.name}</span>}
        </div>
      </header>
      {list?.notice && (
        <div className="content">
          <div className="banner error" role="alert" data-outcome="storage-notice">
            {list.notice.message}
          </div>
        </div>
      )}
      {list && page === "desk" && (
        <Desk
          list={list}
          connectionId={connectionId}
          onConnectionChange={(id) => {
            setConnectionId(id);
            void backend.rememberConnection(id).catch(() => undefined);
          }}
        />
      )}
      {list && page === "connections" && <ConnectionsPage list={list} onChanged={refresh} />}
    </div>
  );
}

function Desk({
  list,
  connectionId,
  onConnectionChange,
}: {
  list: ConnectionList;
  connectionId: string | null;
  onConnectionChange(id: string): void;
}) {
  const backend = useBackend();
  const connections = list.connections;
  const [spec, setSpec] = useState<OperationSpec | null>(null);
  const [startupError, setStartupError] = useState<BackendError | null>(null);
  const [target, setTarget] = useState<UserTarget>(EMPTY_TARGET);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [values, setValues] = useState<AccountInformation | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [showAllErrors, setShowAllErrors] = useState(false);
  const [busy, setBusy] = useState<"loading" | "saving" | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const checkSequence = useRef(0);
  const formRef = useRef<HTMLDivElement>(null);
  const outcomeRef = useRef<HTMLDivElement>(null);

  // Bring a new result into view: after Save it appears below the form.
  useEffect(() => {
    if (outcome) outcomeRef.current?.scrollIntoView?.({ block: "nearest", behavior: "smooth" });
  }, [outcome]);

  useEffect(() => {
    backend
      .describeOperation(OPERATION)
      .then(setSpec)
      .catch((reason) => setStartupError(toBackendError(reason)));
  }, [backend]);

  // Practice comes with a sample user, so a new user can try everything straight away.
  const sample = connections.find((c) => c.id === connectionId)?.sampleTarget;
  useEffect(() => {
    if (sample) setTarget(sample);
  }, [sample?.customerId, sample?.tenantId, sample?.userId]); // eslint-disable-line react-hooks/exhaustive-deps

  const connection = connections.find((c) => c.id === connectionId) ?? null;
  const dirtyKeys = spec && loaded && values ? changedKeys(spec.fields, loaded.original, values) : [];

  const revalidate = useCallback(
    async (next: AccountInformation) => {
      const sequence = ++checkSequence.current;
      const errors = await backend.checkAccountInformation(next);
      if (sequence === checkSequence.current) setFieldErrors(errorsByField(errors));
      return errors;
    },
    [backend],
  );

  async function loadUser() {
    if (!connectionId) return;
    setBusy("loading");
    setOutcome(null);
    setFieldErrors({});
    setShowAllErrors(false);
    try {
      const current = await backend.readAccountInformation(connectionId, target);
      setLoaded({ target, original: current });
      setValues(current);
      void revalidate(current);
    } catch (reason) {
      const error = toBackendError(reason);
      setFieldErrors(errorsByField(error.fieldErrors));
      setOutcome({ kind: "error", error });
    } finally {
      setBusy(null);
    }
  }

  function changeField(key: keyof AccountInformation, value: FieldValue) {
    if (!values) return;
    const next = { ...values, [key]: value } as AccountInformation;
    setValues(next);
    if (outcome?.kind !== "error") setOutcome(null);
    void revalidate(next);
  }

  async function save() {
    if (!spec || !loaded || !values || !connectionId) return;
    setShowAllErrors(true);
    const errors = await revalidate(values);
    if (errors.length > 0) {
      setOutcome(null);
      focusField(errors[0]!.field);
      return;
    }
    const changes = changesOf(spec.fields, loaded.original, values);
    if (Object.keys(changes).length === 0) {
      setOutcome({ kind: "unchanged" });
      return;
    }
    setBusy("saving");
    setOutcome(null);
    try {
      const receipt = await backend.updateAccountInformation(connectionId, loaded.target, changes);
      setLoaded({ target: loaded.target, original: receipt.after });
      setValues(receipt.after);
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
    void revalidate(loaded.original);
  }

  function focusField(key: string) {
    formRef.current?.querySelector<HTMLElement>(`[data-field="${key}"]`)?.focus();
  }

  // Inline errors appear for fields the user changed; all of them after a save attempt.
  const visibleErrors = Object.fromEntries(
    Object.entries(fieldErrors).filter(([key]) => showAllErrors || dirtyKeys.includes(key)),
  );
  const labelOf = (key: string) => spec?.fields.find((f) => f.key === key)?.label ?? key;

  if (startupError) {
    return (
      <main className="content">
        <ErrorBanner error={startupError} />
      </main>
    );
  }

  return (
    <>
      <main className="content">
        {loaded && (
          <p className="context-target" aria-label="Editing">
            {connection?.name} · Customer <code>{loaded.target.customerId}</code> · Tenant <code>{loaded.target.tenantId}</code>
          </p>
        )}
        <section className="card" aria-labelledby="find-heading">
          <h1 id="find-heading">Find the user</h1>
          <Select
            className="field connection-select"
            selectedKey={connectionId}
            onSelectionChange={(key) => {
              if (key == null) return;
              onConnectionChange(String(key));
              setLoaded(null);
              setValues(null);
              setOutcome(null);
            }}
          >
            <Label className="field-label">Connection</Label>
            <Button className="select-button">
              <SelectValue />
              <span aria-hidden="true">▾</span>
            </Button>
            <Popover className="popover">
              <ListBox className="listbox" items={connections}>
                {(c) => (
                  <ListBoxItem className="option" id={c.id} textValue={c.name}>
                    {c.name}
                  </ListBoxItem>
                )}
              </ListBox>
            </Popover>
          </Select>
          {connection && <p className="help">{connection.description}</p>}
          <Form
            className="target-grid"
            validationBehavior="aria"
            onSubmit={(event) => {
              event.preventDefault();
              void loadUser();
            }}
          >
            {TARGET_FIELDS.map(({ key, label, help }) => (
              <TextField
                key={key}
                className="field"
                value={target[key]}
                onChange={(text) => setTarget({ ...target, [key]: text })}
                isRequired
                isInvalid={fieldErrors[key] != null}
                validationBehavior="aria"
              >
                <Label className="field-label">{label}</Label>
                <Input className="input mono" data-field={key} spellCheck={false} />
                <span className="help">{help}</span>
                <FieldError className="field-error" data-error-for={key}>
                  {fieldErrors[key]}
                </FieldError>
              </TextField>
            ))}
            <div className="actions">
              <Button type="submit" className="button primary" isDisabled={busy != null || !connectionId} data-action="load">
                {busy === "loading" ? "Loading…" : "Load user"}
              </Button>
            </div>
          </Form>
        </section>

        {spec && loaded && values && (
          <section className="card" aria-labelledby="form-heading" ref={formRef}>
            <h2 id="form-heading">
              {spec.vendor} · {spec.title}
            </h2>
            <p className="help">
              User <code>{loaded.target.userId}</code>. Fields marked * are required.
            </p>
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
    </>
  );
}
