// A fake of the IPC seam for component tests: records calls, answers like the Rust side would.
import { vi } from "vitest";
import { BackendError, type Backend } from "../src/backend";
import type { AccountInformation } from "../src/bindings/AccountInformation";
import type { OperationSpec } from "../src/bindings/OperationSpec";

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

export function fakeBackend(overrides: Partial<Backend> = {}) {
  const backend = {
    listConnections: vi.fn(async () => [
      { id: "practice", name: "Practice (AvePoint sandbox)", vendor: "AvePoint", description: "Sandbox", isPractice: true, sampleTarget },
    ]),
    describeOperation: vi.fn(async () => spec),
    checkAccountInformation: vi.fn(async (values: AccountInformation) =>
      values.mail.includes("@") ? [] : [{ field: "mail", message: "E-mail (from spec) must be an email address, like name@example.com." }],
    ),
    readAccountInformation: vi.fn(async () => ({ ...current })),
    updateAccountInformation: vi.fn(async (_connection, _target, changes) => ({
      before: current,
      after: { ...current, ...changes },
      changedFields: Object.keys(changes),
      requestId: "req-42",
    })),
    ...overrides,
  } satisfies Backend;
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
