// Saved connections: create, edit, duplicate, delete, test, export and import. Secrets are
// write-only here: the page only ever learns whether one is set.
import { useEffect, useState } from "react";
import {
  Button,
  Dialog,
  FieldError,
  Heading,
  Input,
  Label,
  ListBox,
  ListBoxItem,
  Modal,
  ModalOverlay,
  Text,
  TextField,
} from "react-aria-components";
import { BackendError, toBackendError } from "../backend";
import type { ConnectionList } from "../bindings/ConnectionList";
import type { ConnectionSummary } from "../bindings/ConnectionSummary";
import type { ConnectionTestReport } from "../bindings/ConnectionTestReport";
import type { Vendor } from "../bindings/Vendor";
import type { ProfileDraft } from "../bindings/ProfileDraft";
import type { SecretKind } from "../bindings/SecretKind";
import type { SecretKindSpec } from "../bindings/SecretKindSpec";
import type { SettingSpec } from "../bindings/SettingSpec";
import type { VendorSpec } from "../bindings/VendorSpec";
import { useBackend } from "../context";
import { errorsByField } from "../form";
import { ErrorBanner } from "./ErrorBanner";
import { SelectField } from "./SelectField";

const NEW = "__new__";
const EMPTY_DRAFT: ProfileDraft = {
  name: "",
  vendor: "avepoint",
  environment: "commercial",
  clientId: "",
  apiUrl: "",
  identityUrl: "",
  signIn: "client_secret",
};

function draftOf(connection: ConnectionSummary | undefined): ProfileDraft {
  if (!connection?.profile) return EMPTY_DRAFT;
  const { name, vendor, environment, apiUrl, identityUrl, clientId, signIn, cloud, tenant, userName } = connection.profile;
  return { name, vendor, environment, apiUrl, identityUrl, clientId, signIn, cloud, tenant, userName };
}

// Each vendor's settings and secrets come from Rust (`list_vendors`); the rules are checked there too.

/** The vendor picker's names: the spec's label is the short name messages use ("MSP360"). */
const PRODUCT_NAMES: Record<Vendor, string> = {
  avepoint: "AvePoint Elements",
  "partner-center": "Microsoft Partner Center",
  softwareone: "SoftwareOne Marketplace",
  msp360: "MSP360 Managed Backup",
};

/** Where to find each pasted secret; the spec names a secret but does not say where it comes from. */
const SECRET_HELP: Partial<Record<SecretKind, string>> = {
  client_secret: "From the app registration in Elements.",
  api_token: "From Settings > API tokens in the Marketplace portal.",
  password: "From Settings > General > API credentials in MSP360.",
};

/** The secret this draft signs in with: the certificate when "Sign in with" says so, else the vendor's own. */
function activeSecret(vendor: VendorSpec | undefined, draft: ProfileDraft): SecretKindSpec | undefined {
  const kinds = vendor?.secretKinds ?? [];
  return (draft.signIn === "certificate" && kinds.find((k) => k.kind === "certificate_key")) || kinds.find((k) => k.kind !== "certificate_key");
}

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

type Notice = { kind: "success" | "info"; text: string } | { kind: "error"; error: BackendError };

export function ConnectionsPage({ list, onChanged }: { list: ConnectionList; onChanged(): Promise<void> }) {
  const backend = useBackend();
  const [vendors, setVendors] = useState<VendorSpec[]>([]);
  const [selectedId, setSelectedId] = useState<string>(list.connections[0]?.id ?? NEW);
  const [draft, setDraft] = useState<ProfileDraft>(EMPTY_DRAFT);
  const [secret, setSecret] = useState("");
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [notice, setNotice] = useState<Notice | null>(null);
  const [report, setReport] = useState<ConnectionTestReport | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [certificatePassword, setCertificatePassword] = useState("");

  useEffect(() => {
    backend.listVendors().then(setVendors).catch((reason) => setNotice({ kind: "error", error: toBackendError(reason) }));
  }, [backend]);

  const selected: ConnectionSummary | undefined = list.connections.find((c) => c.id === selectedId);

  function select(id: string) {
    const connection = list.connections.find((c) => c.id === id);
    setSelectedId(id);
    setDraft(draftOf(connection));
    setSecret("");
    setFieldErrors({});
    setNotice(null);
    setReport(null);
  }

  async function run<T>(label: string, action: () => Promise<T>): Promise<T | undefined> {
    setBusy(label);
    setNotice(null);
    try {
      return await action();
    } catch (reason) {
      const error = toBackendError(reason);
      setFieldErrors(errorsByField(error.fieldErrors));
      setNotice({ kind: "error", error });
      return undefined;
    } finally {
      setBusy(null);
    }
  }

  async function save() {
    const id = selectedId === NEW ? null : selectedId;
    const outcome = await run("save", () => backend.saveConnection(id, draft, secret === "" ? null : secret));
    if (!outcome) return;
    setFieldErrors({});
    setSecret("");
    await onChanged();
    setSelectedId(outcome.connection.id);
    setDraft(draftOf(outcome.connection));
    setNotice(
      outcome.secretError
        ? { kind: "error", error: new BackendError({ ...outcome.secretError, message: `The settings were saved, but the secret was not. ${outcome.secretError.message}` }) }
        : { kind: "success", text: `Saved "${outcome.connection.name}".` },
    );
  }

  async function test() {
    if (!selected) return;
    setReport(null);
    const result = await run("test", () => backend.testConnection(selected.id));
    if (result) setReport(result);
  }

  async function duplicate() {
    if (!selected) return;
    const outcome = await run("duplicate", () => backend.duplicateConnection(selected.id));
    if (!outcome) return;
    await onChanged();
    select(outcome.connection.id);
    setDraft(draftOf(outcome.connection));
    setNotice({ kind: "success", text: `Created "${outcome.connection.name}". Rename it and change what differs.` });
  }

  async function remove() {
    if (!selected) return;
    setConfirmDelete(false);
    const name = selected.name;
    const done = await run("delete", () => backend.deleteConnection(selected.id).then(() => true));
    if (!done) return;
    await onChanged();
    select(list.connections[0]?.id ?? NEW);
    setNotice({ kind: "success", text: `Deleted "${name}" and its saved secret.` });
  }

  async function chooseCertificate() {
    if (!selected || selected.isPractice) return;
    const outcome = await run("certificate", () => backend.chooseCertificate(selected.id, certificatePassword || null));
    if (!outcome) return;
    setCertificatePassword("");
    await onChanged();
    setDraft(draftOf(outcome.connection));
    setNotice({ kind: "success", text: `Certificate ${outcome.connection.profile?.certificateThumbprint ?? ""} saved in the system keychain.` });
  }

  async function signInPartnerCenter() {
    if (!selected || selected.isPractice) return;
    setNotice({ kind: "info", text: "Finish the Microsoft sign-in in your browser, then come back here." });
    const outcome = await run("sign-in", () => backend.signInPartnerCenter(selected.id));
    if (!outcome) return;
    await onChanged();
    setNotice({ kind: "success", text: `Signed in to Partner Center. The sign-in is kept in this computer's keychain.` });
  }

  async function exportAll() {
    const path = await run("export", () => backend.exportConnections([]));
    if (path) setNotice({ kind: "success", text: `Exported the saved connections (without secrets) to ${path}.` });
  }

  async function importFile() {
    const summary = await run("import", () => backend.importConnections());
    if (!summary) return;
    await onChanged();
    const needs = summary.needSecret.length > 0 ? ` Enter the secret for: ${summary.needSecret.join(", ")}.` : "";
    const unchanged = summary.unchanged > 0 ? ` ${summary.unchanged} already saved as in the file.` : "";
    const apart = summary.addedAsNew
      .map(
        (c) =>
          ` "${c.nameInFile}" is already saved with other settings${c.differences.length ? ` (${c.differences.join("; ")})` : ""}, so the imported one was added as "${c.name}"; nothing was replaced.`,
      )
      .join("");
    setNotice({ kind: "info", text: `Imported ${summary.added} new connection(s).${unchanged}${apart}${needs}` });
  }

  const editing = selectedId === NEW || (selected != null && !selected.isPractice);
  const vendor = vendors.find((v) => v.id === draft.vendor);
  const setValue = (key: string, value: string) => setDraft((current) => ({ ...current, [key]: value }));
  const valueOf = (key: string) => (draft as Record<string, unknown>)[key] as string | undefined;

  const text = (key: string, label: string, help: string, placeholder: string, isRequired: boolean) => (
    <TextField
      key={key}
      className="field"
      value={valueOf(key) ?? ""}
      onChange={(value) => setValue(key, value)}
      isInvalid={fieldErrors[key] != null}
      validationBehavior="aria"
      isRequired={isRequired}
    >
      <Label className="field-label">{label}</Label>
      <Input className="input" data-field={key} placeholder={placeholder || undefined} spellCheck={false} />
      <Text slot="description" className="help">
        {help}
      </Text>
      <FieldError className="field-error" data-error-for={key}>
        {fieldErrors[key]}
      </FieldError>
    </TextField>
  );

  /** One setting as its spec describes it: a drop-down for a choice, else a text field. */
  const setting = (spec: SettingSpec) => {
    if (spec.kind !== "choice") {
      return text(spec.key, spec.required ? spec.label : `${spec.label} (optional)`, spec.help, spec.placeholder, spec.required);
    }
    const selectedValue = valueOf(spec.key) ?? spec.options[0]?.value ?? null;
    const option = spec.options.find((o) => o.value === selectedValue);
    return (
      <SelectField
        key={spec.key}
        label={spec.label}
        field={spec.key}
        options={spec.options.map((o) => ({ id: o.value, label: o.label }))}
        selected={selectedValue}
        description={option?.detail || spec.help}
        onChange={(value) => setValue(spec.key, value)}
      />
    );
  };

  /** The active secret: a write-only field, the certificate picker, or nothing (Partner Center signs in in the browser). */
  const secretSection = () => {
    const secretKind = activeSecret(vendor, draft);
    if (!secretKind || secretKind.kind === "refresh_token") return null;
    if (secretKind.kind === "certificate_key") {
      return (
        <div key="certificate" className="field certificate-field" data-certificate>
          <span className="field-label">Certificate</span>
          <p className="help">
            {selected?.profile?.certificateThumbprint
              ? `Thumbprint ${selected.profile.certificateThumbprint}, kept in the system keychain.`
              : selectedId === NEW
                ? "Save the connection first, then choose its certificate file."
                : "No certificate chosen yet."}
          </p>
          <TextField className="field" value={certificatePassword} onChange={setCertificatePassword} type="password">
            <Label className="field-label">Certificate password (PFX)</Label>
            <Input className="input" data-field="certificatePassword" autoComplete="off" />
          </TextField>
          <Button className="button" onPress={chooseCertificate} isDisabled={busy != null || selectedId === NEW} data-action="choose-certificate">
            Choose certificate file…
          </Button>
          {fieldErrors.certificate && (
            <span className="field-error" role="alert" data-error-for="certificate">
              {fieldErrors.certificate}
            </span>
          )}
        </div>
      );
    }
    const label = capitalized(secretKind.label);
    return (
      <TextField
        key="secret"
        className="field"
        value={secret}
        onChange={setSecret}
        type="password"
        isInvalid={fieldErrors.clientSecret != null}
        validationBehavior="aria"
      >
        <Label className="field-label">{label}</Label>
        <Input
          className="input"
          data-field="clientSecret"
          autoComplete="off"
          placeholder={selected?.secretState === "set" ? "Saved in the system keychain; type to replace" : `Paste the ${secretKind.label}`}
        />
        <Text slot="description" className="help">
          {SECRET_HELP[secretKind.kind] ?? ""} Kept only in this computer's keychain, never shown again.
        </Text>
        <FieldError className="field-error" data-error-for="clientSecret">
          {fieldErrors.clientSecret}
        </FieldError>
      </TextField>
    );
  };

  // The secret goes before the address overrides (the optional, rarely changed part of the form).
  const settings = vendor?.settings ?? [];
  const addresses = settings.findIndex((s) => s.kind === "url");
  const secretAt = addresses === -1 ? settings.length : addresses;

  return (
    <div className="connections">
      <section className="card connection-list" aria-labelledby="connections-heading">
        <h1 id="connections-heading">Connections</h1>
        <ListBox
          aria-label="Saved connections"
          className="listbox"
          selectionMode="single"
          disallowEmptySelection
          selectedKeys={[selectedId]}
          onSelectionChange={(keys) => {
            const [key] = [...keys];
            if (key != null) select(String(key));
          }}
          items={list.connections}
        >
          {(c) => (
            <ListBoxItem id={c.id} className="option connection-option" textValue={c.name} data-connection={c.name}>
              <span className="connection-name">{c.name}</span>
              <span className={`badge secret-${c.secretState}`}>{secretLabel(c)}</span>
            </ListBoxItem>
          )}
        </ListBox>
        <div className="actions">
          <Button className="button" onPress={() => select(NEW)} data-action="new-connection">
            New connection
          </Button>
          <Button className="button" onPress={importFile} isDisabled={busy != null}>
            Import…
          </Button>
          <Button className="button" onPress={exportAll} isDisabled={busy != null || list.connections.length < 2}>
            Export…
          </Button>
        </div>
      </section>

      <section className="card" aria-labelledby="connection-heading">
        <h2 id="connection-heading">{selectedId === NEW ? "New connection" : selected?.name}</h2>
        {selected?.isPractice && <p className="help">{selected.description} It is built in and can't be changed or deleted.</p>}
        {editing && (
          <form
            noValidate
            onSubmit={(event) => {
              event.preventDefault();
              void save();
            }}
          >
            <div className="form-grid">
              {text("name", "Name", "How this connection appears in the list, e.g. \"Contoso – AvePoint EU\".", "", true)}
              <SelectField
                label="Vendor"
                field="vendor"
                options={vendors.map((v) => ({ id: v.id, label: PRODUCT_NAMES[v.id] ?? v.label }))}
                selected={draft.vendor}
                isDisabled={selectedId !== NEW}
                onChange={(vendor) => setDraft({ ...draft, vendor })}
              />
              {settings.slice(0, secretAt).map(setting)}
              {secretSection()}
              {settings.slice(secretAt).map(setting)}
            </div>
            <div className="actions">
              {activeSecret(vendor, draft)?.kind === "refresh_token" && selected && !selected.isPractice && (
                <Button className="button" onPress={signInPartnerCenter} isDisabled={busy != null} data-action="sign-in-partner-center">
                  {busy === "sign-in" ? "Waiting for the browser…" : selected.secretState === "set" ? "Sign in again…" : "Sign in with Microsoft…"}
                </Button>
              )}
              <Button type="submit" className="button primary" isDisabled={busy != null} data-action="save-connection">
                {busy === "save" ? "Saving…" : "Save"}
              </Button>
              {selected && !selected.isPractice && (
                <>
                  <Button className="button" onPress={duplicate} isDisabled={busy != null} data-action="duplicate-connection">
                    Duplicate
                  </Button>
                  <Button className="button danger" onPress={() => setConfirmDelete(true)} isDisabled={busy != null} data-action="delete-connection">
                    Delete…
                  </Button>
                </>
              )}
            </div>
          </form>
        )}
        {selected && (
          <div className="actions">
            <Button className="button" onPress={test} isDisabled={busy != null} data-action="test-connection">
              {busy === "test" ? "Testing…" : "Test connection"}
            </Button>
          </div>
        )}
        {report && (
          <ul className={report.ok ? "test-report ok" : "test-report failed"} data-test-report={report.ok ? "ok" : "failed"} aria-live="polite">
            {report.steps.map((step) => (
              <li key={step.title}>
                <span aria-hidden="true">{step.ok ? "✓" : "✗"}</span> <strong>{step.title}:</strong> {step.message}
              </li>
            ))}
          </ul>
        )}
        <div aria-live="polite">
          {notice && notice.kind !== "error" && (
            <div className={`banner ${notice.kind}`} role="status" data-outcome="connection-saved">
              {notice.text}
            </div>
          )}
        </div>
        {notice?.kind === "error" && <ErrorBanner error={notice.error} />}
      </section>

      <ModalOverlay isOpen={confirmDelete} onOpenChange={setConfirmDelete} isDismissable className="modal-overlay">
        <Modal className="modal">
          <Dialog role="alertdialog" className="dialog">
            <Heading slot="title">Delete "{selected?.name}"?</Heading>
            <p>
              This removes the connection "{selected?.name}" and its client secret from this computer's keychain. Customers and users at
              the vendor are not touched.
            </p>
            <div className="actions">
              <Button className="button danger" onPress={remove} data-action="confirm-delete" autoFocus>
                Delete "{selected?.name}"
              </Button>
              <Button className="button" onPress={() => setConfirmDelete(false)}>
                Keep it
              </Button>
            </div>
          </Dialog>
        </Modal>
      </ModalOverlay>
    </div>
  );
}

function secretLabel(connection: ConnectionSummary): string {
  switch (connection.secretState) {
    case "built_in":
      return "Practice";
    case "set":
      return "Secret saved";
    case "missing":
      return "Needs secret";
    case "unknown":
      return "Keychain unavailable";
  }
}
