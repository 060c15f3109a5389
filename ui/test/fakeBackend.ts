// A fake of the IPC seam for component tests: records calls, answers like the Rust side would.
import { vi } from "vitest";
import { BackendError, type Backend } from "../src/backend";
import type { OperationSummary } from "../src/bindings/OperationSummary";
import type { AccountInformation } from "../src/bindings/AccountInformation";
import type { ConnectionSummary } from "../src/bindings/ConnectionSummary";
import type { OperationSpec } from "../src/bindings/OperationSpec";
import type { ProfileDraft } from "../src/bindings/ProfileDraft";
import type { Draft } from "../src/bindings/Draft";
import type { RecentRecord } from "../src/bindings/RecentRecord";
import type { RecordChoice } from "../src/bindings/RecordChoice";
import type { PlanView } from "../src/bindings/PlanView";

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

export const current: AccountInformation = {
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

function invalidMail(): BackendError {
  const message = "E-mail (from spec) must be an email address, like name@example.com.";
  return new BackendError({ code: "invalid_input", message, field: "mail", fieldErrors: [{ field: "mail", message }] });
}

export function fakeBackend(overrides: Partial<Backend> = {}) {
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
  type Opened = { connectionId: string; operation: string; target: Record<string, string> };
  const records = new Map<string, Opened>();
  const plans = new Map<string, Opened & { edits: Record<string, unknown> }>();
  /** Every plan applied, in order: what a real save would have sent. */
  const applied: (Opened & { edits: Record<string, unknown> })[] = [];
  const backend = {
    applied,
    listConnections: vi.fn(async () => ({ connections: [practice, contoso, ...created] })),
    rememberConnection: vi.fn(async () => undefined),
    listEnvironments: vi.fn(async () => [
      { value: "commercial" as const, label: "Commercial", apiUrl: "https://graph.avepointonlineservices.com", identityUrl: "https://identity.avepointonlineservices.com" },
    ]),
    saveConnection: vi.fn(async (id: string | null, draft: ProfileDraft) => {
      const connection = saved(id ?? `p-new-${created.length}`, draft);
      if (id == null) created.push(connection);
      return { connection };
    }),
    duplicateConnection: vi.fn(async () => ({ connection: { ...contoso, id: "p-2", name: "Contoso EU (copy)" } })),
    deleteConnection: vi.fn(async () => undefined),
    chooseCertificate: vi.fn(async () => null),
    listClouds: vi.fn(async () => [
      { value: "commercial" as const, label: "Commercial", apiUrl: "https://api.partnercenter.microsoft.com", authorityUrl: "https://login.microsoftonline.com" },
    ]),
    signInPartnerCenter: vi.fn(async () => ({ connection: contoso })),
    testConnection: vi.fn(async () => ({ ok: true, steps: [{ title: "Sign in", ok: true, message: "Signed in." }] })),
    exportConnections: vi.fn(async () => "/tmp/out.json"),
    importConnections: vi.fn(async () => ({ added: 1, unchanged: 0, needSecret: ["Imported"], addedAsNew: [] })),
    describeOperation: vi.fn(async () => spec),
    listOperations: vi.fn(async () => operations),
    openRecord: vi.fn(async (connectionId: string, operation: string, target: Record<string, string>, _onRetry?: unknown) => {
      const recordId = `record-${records.size + 1}`;
      records.set(recordId, { connectionId, operation, target });
      return { recordId, values: { ...current } as Record<string, unknown> };
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
      plans.set(id, { ...record, edits });
      const before = current as unknown as Record<string, unknown>;
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
      return {
        before: { ...current } as Record<string, unknown>,
        after: { ...current, ...plan.edits } as Record<string, unknown>,
        changedFields: Object.keys(plan.edits),
        requestId: "req-42",
      };
    }),
    closeRecord: vi.fn(async () => undefined),
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
