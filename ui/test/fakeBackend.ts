// A fake of the IPC seam for component tests: records calls, answers like the Rust side would.
import { vi } from "vitest";
import { BackendError, type Backend } from "../src/backend";
import type { OperationSummary } from "../src/bindings/OperationSummary";
import type { ConnectionSummary } from "../src/bindings/ConnectionSummary";
import type { OperationSpec } from "../src/bindings/OperationSpec";
import type { ProfileDraft } from "../src/bindings/ProfileDraft";
import type { SettingSpec } from "../src/bindings/SettingSpec";
import type { VendorSpec } from "../src/bindings/VendorSpec";
import type { Draft } from "../src/bindings/Draft";
import type { RecentRecord } from "../src/bindings/RecentRecord";
import type { RecordChoice } from "../src/bindings/RecordChoice";
import type { PlanView } from "../src/bindings/PlanView";
import type { Entry } from "../src/bindings/Entry";
import type { HistoryFilter } from "../src/bindings/HistoryFilter";
import type { HistoryPage } from "../src/bindings/HistoryPage";
import type { UndoStart } from "../src/bindings/UndoStart";
import type { JobView } from "../src/bindings/JobView";
import type { JobRowView } from "../src/bindings/JobRowView";
import type { Progress } from "../src/bindings/Progress";
import type { RowState } from "../src/bindings/RowState";
import { peopleBackend } from "./peopleFake";

/** What the fake pickers offer, by target key. */
export const choices: Record<string, RecordChoice[]> = {
  customerId: [
    { id: "c-1", label: "Contoso Ltd", detail: "2 tenants" },
    { id: "c-2", label: "Fabrikam Inc", detail: "1 tenant" },
  ],
  tenantId: [{ id: "t-1", label: "contoso.onmicrosoft.com", detail: "t-1" }],
  userId: [
    { id: "u-1", label: "Mark Lee", detail: "mark@contoso.example" },
    { id: "u-2", label: "Adele Vance", detail: "adele@contoso.example" },
  ],
};

export const sampleTarget = { customerId: "c-1", tenantId: "t-1", userId: "u-1" };

/** The sample user's account information, as the record's values (the vendor's keys). */
export const current: Record<string, unknown> = {
  mail: "mark@contoso.example",
  usageLocation: "AF",
  preferredLanguage: "af-NA",
  enforceStart: false,
  enforceStartDateTime: "1970-01-01T00:00:00Z",
  enforceEnd: false,
  enforceEndDateTime: "1970-01-01T00:00:00Z",
};

// Shaped like the Rust definitions; labels are deliberately unusual so a test proves they come from the spec.
export const spec: OperationSpec = {
  id: "avepoint.account-information",
  vendor: "AvePoint",
  title: "Account information",
  fields: [
    { key: "mail", label: "E-mail (from spec)", help: "Mail help", kind: "email", meaning: "email", required: true, maxLength: 256 },
    {
      key: "usageLocation",
      label: "Usage location",
      help: "Where",
      kind: "choice",
      meaning: "country",
      required: true,
      maxLength: 128,
      choices: [
        { value: "AF", label: "Afghanistan" },
        { value: "DE", label: "Germany" },
      ],
    },
    { key: "preferredLanguage", label: "Preferred language", help: "Lang", kind: "choice", meaning: "language", required: true, choices: [{ value: "af-NA", label: "Afrikaans (Namibia)" }] },
    { key: "enforceStart", label: "Enforce a start date", help: "x", kind: "boolean", meaning: "access_start_enforced", required: true },
    { key: "enforceStartDateTime", label: "Start", help: "x", kind: "date_time_utc", meaning: "access_start", required: true },
    { key: "enforceEnd", label: "Enforce an end date", help: "x", kind: "boolean", meaning: "access_end_enforced", required: true },
    { key: "enforceEndDateTime", label: "End", help: "x", kind: "date_time_utc", meaning: "access_end", required: true },
  ],
};

export const practice: ConnectionSummary = {
  id: "practice",
  name: "Practice (AvePoint sandbox)",
  vendor: "AvePoint",
  vendorId: "avepoint",
  description: "Sandbox",
  isPractice: true,
  secretState: "built_in",
  sampleTarget,
};

export const contoso: ConnectionSummary = {
  id: "p-1",
  name: "Contoso EU",
  vendor: "AvePoint",
  vendorId: "avepoint",
  description: "AvePoint Elements at graph.avepointonlineservices.com, app app-1.",
  isPractice: false,
  secretState: "set",
  profile: { id: "p-1", name: "Contoso EU", vendor: "avepoint", environment: "commercial", clientId: "app-1", signIn: "client_secret" },
};

export const operations: OperationSummary[] = [
  {
    id: "avepoint.account-information",
    vendor: "avepoint",
    title: "Account information",
    targets: [
      { key: "customerId", label: "Customer ID", noun: "customer" },
      { key: "tenantId", label: "Tenant ID", noun: "tenant" },
      { key: "userId", label: "User ID", noun: "user" },
    ],
  },
  { id: "msp360.user", vendor: "msp360", title: "Backup user", targets: [{ key: "userId", label: "User ID", noun: "user" }] },
];

/** What `list_vendors` returns, copied from each vendor's `vendor.rs` (labels, keys, order). */
const setting = (key: string, label: string, help: string, more: Partial<SettingSpec> = {}): SettingSpec => ({
  key,
  label,
  help,
  kind: "text",
  required: false,
  placeholder: "",
  options: [],
  ...more,
});
const url = (key: string, label: string, help: string) => setting(key, label, help, { kind: "url", placeholder: "https://…" });
export const vendors: VendorSpec[] = [
  {
    id: "avepoint",
    label: "AvePoint",
    settings: [
      setting("environment", "Environment", "The AvePoint cloud your Elements tenant is in.", {
        kind: "choice",
        options: [
          { value: "commercial", label: "Commercial", detail: "https://graph.avepointonlineservices.com" },
          { value: "us_government", label: "U.S. Government", detail: "https://graph-gov.avepointonlineservices.com" },
          { value: "aos2", label: "AOS2", detail: "https://graph-aos2.avepointonlineservices.com" },
          { value: "fed_ramp", label: "FedRAMP (Project Hosts)", detail: "https://graphusgovapi.online15.net" },
        ],
      }),
      setting("clientId", "Client ID", "From Elements > Settings > API app registration.", { required: true }),
      setting("signIn", "Sign in with", "How the app registration proves who it is.", {
        kind: "choice",
        options: [
          { value: "client_secret", label: "Client secret", detail: "" },
          {
            value: "certificate",
            label: "Certificate (recommended by AvePoint)",
            detail: "A PFX or PEM file; its private key is kept in the system keychain.",
          },
        ],
      }),
      url("apiUrl", "API address", "Leave empty to use the environment's address."),
      url("identityUrl", "Sign-in address", "Leave empty to use the environment's sign-in service."),
    ],
    secretKinds: [
      { kind: "client_secret", label: "client secret" },
      { kind: "certificate_key", label: "certificate" },
    ],
  },
  {
    id: "partner-center",
    label: "Microsoft Partner Center",
    settings: [
      setting("cloud", "Microsoft cloud", "The Microsoft cloud your partner tenant is in.", {
        kind: "choice",
        options: [
          { value: "commercial", label: "Commercial", detail: "https://api.partnercenter.microsoft.com" },
          { value: "us_government", label: "Microsoft Cloud for US Government", detail: "https://api.partnercenter.microsoft.com" },
          { value: "china", label: "Operated by 21Vianet (China)", detail: "https://partner.partnercenterapi.microsoftonline.cn" },
        ],
      }),
      setting("tenant", "Partner tenant", "Your partner tenant's ID or domain; leave empty to pick at sign-in."),
      setting("clientId", "Application (client) ID", "The Entra app registration Switchboard signs in with.", { required: true }),
      url("apiUrl", "API address", "Leave empty to use the cloud's Partner Center address."),
      url("identityUrl", "Sign-in address", "Leave empty to use the cloud's Microsoft sign-in."),
    ],
    secretKinds: [{ kind: "refresh_token", label: "Microsoft sign-in" }],
  },
  {
    id: "softwareone",
    label: "SoftwareOne",
    settings: [url("apiUrl", "API address", "Leave empty for https://api.platform.softwareone.com.")],
    secretKinds: [{ kind: "api_token", label: "API token" }],
  },
  {
    id: "msp360",
    label: "MSP360",
    settings: [
      setting("userName", "API login", "The user name from Settings > General > API credentials in MSP360.", { required: true }),
      url("apiUrl", "API address", "Leave empty for https://api.mspbackups.com."),
    ],
    secretKinds: [{ kind: "password", label: "API password" }],
  },
];

function invalidMail(): BackendError {
  const message = "E-mail (from spec) must be an email address, like name@example.com.";
  return new BackendError({ code: "invalid_input", message, field: "mail", fieldErrors: [{ field: "mail", message }] });
}

/** A checked bulk job as the fake's import returns it: two rows to change, one unchanged. */
export function bulkJob(patch: Partial<JobView> = {}): JobView {
  return {
    id: "job-1",
    kind: "import",
    createdAt: "2026-11-29T10:00:00Z",
    updatedAt: "2026-11-29T10:00:00Z",
    operation: "avepoint.account-information",
    connectionId: "practice",
    connectionName: "Practice",
    fileName: "mail.csv",
    state: "ready",
    maxRate: 10,
    concurrency: 8,
    counts: { total: 3, pending: 2, sending: 0, done: 0, unchanged: 1, refused: 0, failed: 0 },
    ...patch,
  };
}

export function bulkRows(): JobRowView[] {
  const change = (n: number) => [{ field: "mail", label: "Email", before: `user${n}@old.example`, after: `user${n}@new.example` }];
  return [
    { row: 2, name: "Ada Novak", target: { customerId: "c-1", tenantId: "t-1", userId: "u-1" }, state: "pending", changes: change(1) },
    { row: 3, name: "Bo Okafor", target: { customerId: "c-1", tenantId: "t-1", userId: "u-2" }, state: "pending", changes: change(2) },
    { row: 4, name: "Chen Silva", target: { customerId: "c-1", tenantId: "t-1", userId: "u-3" }, state: "unchanged", changes: [] },
  ];
}

export function fakeBackend(overrides: Partial<Backend> = {}) {
  let jobs: JobView[] = [];
  let jobRows: JobRowView[] = bulkRows();
  const saved = (id: string, draft: ProfileDraft): ConnectionSummary => ({
    ...contoso,
    id,
    name: draft.name,
    profile: { ...draft, id },
  });
  const created: ConnectionSummary[] = [];
  let recent: RecentRecord[] = [];
  const drafts = new Map<string, Draft>();
  const draftKey = (d: { connectionId: string; operationId: string; target: Record<string, string> }) =>
    `${d.connectionId}|${d.operationId}|${JSON.stringify(Object.entries(d.target).sort())}`;
  type Opened = { connectionId: string; operation: string; target: Record<string, string>; values?: Record<string, unknown> };
  const records = new Map<string, Opened>();
  const plans = new Map<string, Opened & { edits: Record<string, unknown> }>();
  /** Every plan applied, in order: what a real save would have sent. */
  const applied: (Opened & { edits: Record<string, unknown> })[] = [];
  /** The change history the fake keeps: one entry per applied plan, newest first. */
  const history: Entry[] = [];
  const backend = {
    applied,
    listConnections: vi.fn(async () => ({ connections: [practice, contoso, ...created] })),
    rememberConnection: vi.fn(async () => undefined),
    saveConnection: vi.fn(async (id: string | null, draft: ProfileDraft) => {
      const connection = saved(id ?? `p-new-${created.length}`, draft);
      if (id == null) created.push(connection);
      return { connection };
    }),
    duplicateConnection: vi.fn(async () => ({ connection: { ...contoso, id: "p-2", name: "Contoso EU (copy)" } })),
    deleteConnection: vi.fn(async () => undefined),
    chooseCertificate: vi.fn(async () => null),
    listVendors: vi.fn(async () => vendors),
    signInPartnerCenter: vi.fn(async () => ({ connection: contoso })),
    testConnection: vi.fn(async () => ({ ok: true, steps: [{ title: "Sign in", ok: true, message: "Signed in." }] })),
    exportConnections: vi.fn(async () => "/tmp/out.json"),
    importConnections: vi.fn(async () => ({ added: 1, unchanged: 0, needSecret: ["Imported"], addedAsNew: [] })),
    describeOperation: vi.fn(async () => spec),
    listOperations: vi.fn(async () => operations),
    openRecord: vi.fn(async (connectionId: string, operation: string, target: Record<string, string>, _onRetry?: unknown) => {
      const recordId = `record-${records.size + 1}`;
      records.set(recordId, { connectionId, operation, target });
      return { recordId, values: { ...current } as Record<string, unknown>, prefilled: {} };
    }),
    checkEdits: vi.fn(async (_recordId: string, edits: Record<string, unknown>) => {
      if (!String({ ...current, ...edits }.mail).includes("@")) throw invalidMail();
    }),
    reviewEdits: vi.fn(async (recordId: string, edits: Record<string, unknown>, _onRetry?: unknown): Promise<PlanView> => {
      const record = records.get(recordId);
      if (!record) throw new BackendError({ code: "invalid_input", message: "This record is no longer open. Load it again.", fieldErrors: [] });
      const after = { ...current, ...edits } as Record<string, unknown>;
      if (!String(after.mail).includes("@")) throw invalidMail();
      const id = `plan-${plans.size + 1}`;
      const { values, ...opened } = record;
      plans.set(id, { ...opened, edits });
      const before = values ?? (current as unknown as Record<string, unknown>);
      return {
        id,
        operation: record.operation,
        target: record.target,
        changes: Object.keys(edits).map((field) => ({ field, label: field, before: before[field], after: edits[field] })),
        warnings: [],
        request: { method: "PUT", path: `/users/${record.target.userId}/account-information`, body: after },
      };
    }),
    applyPlan: vi.fn(async (planId: string, _onRetry?: unknown) => {
      const plan = plans.get(planId);
      if (!plan) throw new BackendError({ code: "invalid_input", message: "This review is no longer current.", fieldErrors: [] });
      plans.delete(planId);
      applied.push(plan);
      const before = current as unknown as Record<string, unknown>;
      history.unshift({
        id: `entry-${history.length + 1}`,
        at: "2026-11-29T10:00:00.000Z",
        person: "ana",
        computer: "desk-7",
        source: "desk",
        connectionId: plan.connectionId,
        connectionName: "Practice (AvePoint sandbox)",
        vendor: "AvePoint",
        operation: plan.operation,
        target: plan.target,
        targetNames: { userId: "Mark Lee" },
        changes: Object.keys(plan.edits).map((field) => ({ field, label: field, before: before[field], after: plan.edits[field] })),
        outcome: "done",
        correlationId: "c-1",
      });
      return {
        before: { ...current } as Record<string, unknown>,
        after: { ...current, ...plan.edits } as Record<string, unknown>,
        changedFields: Object.keys(plan.edits),
        requestId: "req-42",
      };
    }),
    closeRecord: vi.fn(async () => undefined),
    listHistory: vi.fn(async (filter: HistoryFilter, _cursor: string | null, _limit?: number): Promise<HistoryPage> => {
      const words = (filter.search ?? "").toLowerCase().split(/\s+/).filter(Boolean);
      const entries = history.filter(
        (e) => (!filter.outcome || e.outcome === filter.outcome) && words.every((w) => JSON.stringify(e).toLowerCase().includes(w)),
      );
      return { entries, total: entries.length };
    }),
    historyNotice: vi.fn(async () => null),
    openUndo: vi.fn(async (entryId: string): Promise<UndoStart> => {
      const entry = history.find((e) => e.id === entryId)!;
      const recordId = `record-${records.size + 1}`;
      const now = { ...current } as Record<string, unknown>;
      for (const c of entry.changes) now[c.field] = c.after;
      records.set(recordId, { connectionId: entry.connectionId, operation: entry.operation, target: entry.target, values: now });
      return {
        recordId,
        values: now,
        check: { entry, fields: entry.changes.map((c) => ({ ...c, now: c.after, moved: false })) },
      };
    }),
    exportHistory: vi.fn(async () => "/tmp/history.csv"),
    listChoices: vi.fn(async (_connection: string, _operation: string, key: string) => ({ items: choices[key] ?? [], total: (choices[key] ?? []).length })),
    recentRecords: vi.fn(async () => recent),
    rememberRecord: vi.fn(async (_connection: string, record: RecentRecord) => {
      recent = [record, ...recent.filter((r) => JSON.stringify(r.target) !== JSON.stringify(record.target))];
      return recent;
    }),
    listDrafts: vi.fn(async (connectionId: string) => [...drafts.values()].filter((d) => d.connectionId === connectionId)),
    saveDraft: vi.fn(async (draft: Draft) => {
      if (Object.keys(draft.values).length === 0) {
        drafts.delete(draftKey(draft));
        return null;
      }
      const kept = { ...draft, savedAt: "2026-11-25T14:03:00Z" };
      drafts.set(draftKey(draft), kept);
      return kept;
    }),
    discardDraft: vi.fn(async (connectionId: string, operationId: string, target: Record<string, string>) => {
      drafts.delete(draftKey({ connectionId, operationId, target }));
    }),
    bulkTemplate: vi.fn(async (operation: string) => `/tmp/${operation}.xlsx`),
    bulkExport: vi.fn(async () => ({ path: "/tmp/export.xlsx", count: 3 })),
    bulkImport: vi.fn(async (_c: string, _o: string, _r: number | null, _n: number | null, onProgress?: (count: { done: number; total?: number }) => void) => {
      onProgress?.({ done: 3, total: 3 });
      const job = bulkJob();
      jobs = [job, ...jobs.filter((j) => j.id !== job.id)];
      jobRows = bulkRows();
      return { status: "ready" as const, job };
    }),
    bulkJobs: vi.fn(async (openOnly: boolean) => jobs.filter((j) => !openOnly || ["ready", "running", "paused"].includes(j.state))),
    bulkJobRows: vi.fn(async (_job: string, state: RowState | null) => jobRows.filter((r) => state == null || r.state === state)),
    bulkRun: vi.fn(async (jobId: string, _r: number | null, _n: number | null, onProgress?: (progress: Progress) => void) => {
      const job = jobs.find((j) => j.id === jobId)!;
      const counts = { ...job.counts };
      for (const row of jobRows.filter((r) => r.state === "pending")) {
        row.state = "done";
        counts.pending -= 1;
        counts.done += 1;
        onProgress?.({ jobId, state: "running", counts: { ...counts }, rowsPerSecond: 12.5, secondsLeft: counts.pending, requests: 2 * counts.done, throttled: 0, pace: 10 });
      }
      const ended = { ...job, state: "finished" as const, counts };
      jobs = jobs.map((j) => (j.id === jobId ? ended : j));
      return ended;
    }),
    bulkControl: vi.fn(async () => undefined),
    bulkDiscard: vi.fn(async (jobId: string) => {
      jobs = jobs.filter((j) => j.id !== jobId);
    }),
    bulkPlanUndo: vi.fn(async (jobId: string) => {
      const undo = bulkJob({ id: `undo-${jobId}`, kind: "undo", undoesJob: jobId, counts: { total: 2, pending: 2, sending: 0, done: 0, unchanged: 0, refused: 0, failed: 0 } });
      jobs = [undo, ...jobs];
      jobRows = bulkRows()
        .slice(0, 2)
        .map((r) => ({ ...r, changes: r.changes.map((c) => ({ ...c, before: c.after, after: c.before })) }));
      return undo;
    }),
    bulkSaveResults: vi.fn(async () => ({ path: "/tmp/results.xlsx", count: 3 })),
    ...peopleBackend(),
    ...overrides,
  } satisfies Backend & { applied: typeof applied };
  return backend;
}

export function vendorRefusal() {
  return new BackendError({
    code: "vendor_rejected",
    message: "AvePoint refused the change: The mail field is not valid.",
    fieldErrors: [],
    vendorMessage: "HTTP 400: The mail field is not valid.",
    reference: "req-9",
  });
}
