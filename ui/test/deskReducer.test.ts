// The desk's state machine on its own: no React, no backend, just actions in and state out.
import { describe, expect, it } from "vitest";
import { BackendError } from "../src/backend";
import type { Draft } from "../src/bindings/Draft";
import type { PlanView } from "../src/bindings/PlanView";
import { formValuesOf } from "../src/form";
import {
  deskReducer,
  dirtyKeysOf,
  editsOf,
  initialDeskState,
  openDraftsOf,
  visibleErrorsOf,
  type DeskAction,
  type DeskState,
  type LoadedRecord,
} from "../src/desk/reducer";
import { current, operations, spec } from "./fakeBackend";

const target = { customerId: "c-1", tenantId: "t-1", userId: "u-1" };
const original = formValuesOf(spec.fields, current as unknown as Record<string, unknown>);
const record = (recordId = "r-1"): LoadedRecord => ({
  connectionId: "practice",
  operationId: spec.id,
  recordId,
  target,
  labels: { userId: "Mark Lee" },
  original,
});
const notice = { vendor: "AvePoint", reason: "busy", waitMs: 2000, nextAttempt: 2, maxAttempts: 4 } as const;
const refusal = new BackendError({ code: "vendor_rejected", message: "No.", fieldErrors: [] });
const plan: PlanView = { id: "plan-1", operation: spec.id, target, changes: [], warnings: [] };

function run(...actions: DeskAction[]): DeskState {
  return actions.reduce(deskReducer, { ...initialDeskState, operations, spec });
}

/** The state after loading `record()` (session 1). */
function opened(...then: DeskAction[]): DeskState {
  return run(
    { type: "loadStarted", picks: { ids: target, names: {} } },
    { type: "recordOpened", session: 1, record: record(), values: original, restored: null, prefilled: [], carried: false, recent: null },
    ...then,
  );
}

describe("the desk reducer", () => {
  it("opens the record a load asked for, and shows nothing from a load asked for before it", () => {
    const state = run(
      { type: "loadStarted", picks: { ids: target, names: {} } },
      { type: "loadStarted", picks: { ids: { ...target, userId: "u-2" }, names: {} } },
      { type: "recordOpened", session: 2, record: record("r-2"), values: original, restored: null, prefilled: [], carried: false, recent: null },
      { type: "recordOpened", session: 1, record: record("r-1"), values: original, restored: null, prefilled: [], carried: false, recent: null },
      { type: "loadFailed", session: 1, error: refusal },
    );
    expect(state.form?.record.recordId).toBe("r-2");
    expect(state.outcome).toBeNull();
    expect(state.busy).toBeNull();
  });

  it("keeps only the answer to the latest check", () => {
    const message = "E-mail must be an email address.";
    const state = opened(
      { type: "fieldChanged", key: "mail", value: "x" },
      { type: "checkStarted" },
      { type: "fieldChanged", key: "mail", value: "x@example.com" },
      { type: "checkStarted" },
    );
    const latest = state.check;
    const after = [
      { type: "checked", check: latest, errors: [] },
      { type: "checked", check: latest - 1, errors: [{ field: "mail", message }] },
    ] satisfies DeskAction[];
    expect(after.reduce(deskReducer, state).fieldErrors).toEqual({});
  });

  it("ignores a save's answer once the record is dropped, and leaves nothing busy", () => {
    const saving = opened({ type: "reviewReady", session: 1, plan }, { type: "saveStarted" }, { type: "retryNoticed", session: 1, notice });
    expect(saving.busy).toBe("saving");
    expect(saving.retry).toEqual(notice);
    const left = deskReducer(saving, { type: "connectionLeft" });
    const late = deskReducer(left, { type: "saveFailed", session: 1, error: refusal });
    expect(late).toBe(left);
    expect(left.busy).toBeNull();
    expect(left.retry).toBeNull();
    expect(left.form).toBeNull();
    expect(left.picks).toEqual({ ids: {}, names: {} });
  });

  it("a new id empties the picks below it; the same id keeps them", () => {
    const picked = run({ type: "picksSet", picks: { ids: target, names: { customerId: "Contoso Ltd", userId: "Mark Lee" } } });
    const later = ["tenantId", "userId"];
    const same = deskReducer(picked, { type: "picked", key: "customerId", id: "c-1", label: "Contoso Ltd", later });
    expect(same.picks.ids).toEqual(target);
    const other = deskReducer(picked, { type: "picked", key: "customerId", id: "c-2", label: "Fabrikam Inc", later });
    expect(other.picks).toEqual({ ids: { customerId: "c-2" }, names: { customerId: "Fabrikam Inc" } });
  });

  it("tracks changed fields and the edits a draft keeps", () => {
    const state = opened({ type: "fieldChanged", key: "mail", value: "new@contoso.example" });
    expect(dirtyKeysOf(state)).toEqual(["mail"]);
    expect(editsOf(state)).toEqual({ mail: "new@contoso.example" });
    expect(state.form?.draftPending).toBe(true);
  });

  it("shows a field's error once it is changed, every error after a save attempt", () => {
    const errors = [
      { field: "mail", message: "Bad mail." },
      { field: "usageLocation", message: "Bad place." },
    ];
    const typed = opened({ type: "fieldChanged", key: "mail", value: "x" }, { type: "checkStarted" });
    const checked = deskReducer(typed, { type: "checked", check: typed.check, errors });
    expect(visibleErrorsOf(checked)).toEqual({ mail: "Bad mail." });
    expect(visibleErrorsOf(deskReducer(checked, { type: "saveAsked" }))).toEqual({ mail: "Bad mail.", usageLocation: "Bad place." });
  });

  it("a typed change clears a success but keeps an error, which may say what to do next", () => {
    const saved = opened({ type: "nothingToSave" }, { type: "fieldChanged", key: "mail", value: "a@b.c" });
    expect(saved.outcome).toBeNull();
    const failed = opened({ type: "reviewFailed", session: 1, error: refusal }, { type: "fieldChanged", key: "mail", value: "a@b.c" });
    expect(failed.outcome).toEqual({ kind: "error", error: refusal });
  });

  it("a save starts the form again from what the vendor now holds", () => {
    const after = { ...original, mail: "new@contoso.example" };
    const receipt = { before: {}, after: {}, changedFields: ["mail"], requestId: "req-1" };
    const state = opened(
      { type: "fieldChanged", key: "mail", value: "new@contoso.example" },
      { type: "reviewReady", session: 1, plan },
      { type: "saveStarted" },
      { type: "saved", session: 1, receipt, original: after },
    );
    expect(state.review).toBeNull();
    expect(state.busy).toBeNull();
    expect(state.outcome).toEqual({ kind: "saved", receipt });
    expect(state.form?.record.original).toEqual(after);
    expect(dirtyKeysOf(state)).toEqual([]);
    expect(state.form?.draftPending).toBe(false);
  });

  it("discarding puts back the vendor's values and stops the draft", () => {
    const state = opened({ type: "fieldChanged", key: "mail", value: "x" }, { type: "discarded" });
    expect(state.form?.values).toEqual(original);
    expect(state.form?.draftPending).toBe(false);
    expect(state.fieldErrors).toEqual({});
  });

  it("opening a recent record picks its operation and ids, then waits for its definition", () => {
    const recent = { operationId: "msp360.user", target: { userId: "m-1" }, labels: { userId: "Robin" } };
    const state = opened({ type: "openRequested", record: recent });
    expect(state.operationId).toBe("msp360.user");
    expect(state.picks).toEqual({ ids: { userId: "m-1" }, names: { userId: "Robin" } });
    expect(state.pendingOpen).toBe(recent);
    expect(state.form).toBeNull();
    expect(deskReducer(state, { type: "pendingOpenTaken" }).pendingOpen).toBeNull();
  });

  it("remembers what leaving was asked for until the person answers", () => {
    const state = opened({ type: "leaveAsked", intent: { kind: "operation", operationId: "msp360.user" } });
    expect(state.pendingLeave).toEqual({ kind: "operation", operationId: "msp360.user" });
    expect(state.form).not.toBeNull();
    expect(deskReducer(state, { type: "leaveCancelled" }).pendingLeave).toBeNull();
  });

  it("offers drafts of the connection's operations, except for the record in the form", () => {
    const draft = (userId: string): Draft => ({
      connectionId: "practice",
      operationId: spec.id,
      target: { ...target, userId },
      labels: {},
      values: { mail: "x@example.com" },
      savedAt: "",
    });
    const state = opened({ type: "draftsListed", drafts: [draft("u-1"), draft("u-2")] });
    expect(openDraftsOf(state, operations).map((d) => d.target.userId)).toEqual(["u-2"]);
    expect(openDraftsOf(state, [])).toEqual([]);
  });
});
