// The desk's state and every way it changes, as one pure reducer: no React, no backend. The hook
// in useDesk.ts runs the calls into Rust and reports what they answered as actions.
//
// Answers arrive late and out of order. Each one carries the number of what it answers: `session`
// (the record in the form; a new one whenever the record is dropped) or `check` (the latest check
// of the edits). An answer to anything but the current one changes nothing.
import type { BackendError } from "../backend";
import type { Draft } from "../bindings/Draft";
import type { FieldError } from "../bindings/FieldError";
import type { OperationSpec } from "../bindings/OperationSpec";
import type { OperationSummary } from "../bindings/OperationSummary";
import type { PlanView } from "../bindings/PlanView";
import type { RecentRecord } from "../bindings/RecentRecord";
import type { RetryNotice } from "../bindings/RetryNotice";
import type { UpdateReceipt } from "../bindings/UpdateReceipt";
import { changedKeys, errorsByField, type FieldValue, type FormValues } from "../form";

export type Target = Record<string, string>;
/** The ids picked or pasted, and the names the pickers know for them, changed together. */
export type Picks = { ids: Target; names: Target };

/** A record as Rust keeps it open: edits are checked, reviewed and saved against it. */
export type LoadedRecord = {
  connectionId: string;
  operationId: string;
  recordId: string;
  target: Target;
  labels: Target;
  /** What the vendor holds, as the form holds it. */
  original: FormValues;
};

/** The record in the form and what has been typed into it. */
export type OpenForm = {
  record: LoadedRecord;
  values: FormValues;
  /** The draft whose edits came back into the form, until saved or discarded. */
  restored: Draft | null;
  /** Fields filled in from the last save through Switchboard: said above the form. */
  prefilled: string[];
  /** The edits changed since the draft was last kept (never true right after a load or save). */
  draftPending: boolean;
  /** Inline errors for every field after a save attempt, not only the changed ones. */
  showAllErrors: boolean;
};

export type Outcome =
  | { kind: "saved"; receipt: UpdateReceipt<Record<string, unknown>> }
  | { kind: "unchanged" }
  | { kind: "error"; error: BackendError };

/** What the person asked for that would drop a form with unsaved changes. */
export type LeaveIntent =
  | { kind: "connection"; connectionId: string }
  | { kind: "operation"; operationId: string }
  | { kind: "load" }
  | { kind: "open"; record: RecentRecord };

export type DeskState = {
  operations: OperationSummary[];
  /** The operation picked; null means the connection's first. */
  operationId: string | null;
  spec: OperationSpec | null;
  picks: Picks;
  recent: RecentRecord[];
  drafts: Draft[];
  /** The record session: answers for an older one are ignored. */
  session: number;
  /** The latest check of the edits: older answers are ignored. */
  check: number;
  busy: "loading" | "saving" | null;
  form: OpenForm | null;
  fieldErrors: Record<string, string>;
  outcome: Outcome | null;
  /** The plan under review; Save applies exactly this plan, whatever is typed meanwhile. */
  review: PlanView | null;
  /** While loading or saving: the wait before the vendor is asked again. */
  retry: RetryNotice | null;
  pendingLeave: LeaveIntent | null;
  /** A recent record or draft to open once its operation's definition is here. */
  pendingOpen: RecentRecord | null;
};

export const initialDeskState: DeskState = {
  operations: [],
  operationId: null,
  spec: null,
  picks: { ids: {}, names: {} },
  recent: [],
  drafts: [],
  session: 0,
  check: 0,
  busy: null,
  form: null,
  fieldErrors: {},
  outcome: null,
  review: null,
  retry: null,
  pendingLeave: null,
  pendingOpen: null,
};

export type DeskAction =
  | { type: "operationsListed"; operations: OperationSummary[] }
  | { type: "specRequested" }
  | { type: "specDescribed"; spec: OperationSpec }
  /** A call outside any record failed (listing or describing operations). */
  | { type: "failed"; error: BackendError }
  | { type: "recentListed"; recent: RecentRecord[] }
  | { type: "draftsListed"; drafts: Draft[] }
  | { type: "picksSet"; picks: Picks }
  /** One picker's id changed: the ids after it (`later`) go when the id is a different one. */
  | { type: "picked"; key: string; id: string; label?: string; later: string[] }
  | { type: "operationChosen"; operationId: string }
  /** Another connection: nothing picked or loaded through the old one stays. */
  | { type: "connectionLeft" }
  | { type: "openRequested"; record: RecentRecord }
  | { type: "pendingOpenTaken" }
  | { type: "leaveAsked"; intent: LeaveIntent }
  | { type: "leaveCancelled" }
  | { type: "loadStarted"; picks: Picks }
  | { type: "retryNoticed"; session: number; notice: RetryNotice }
  | {
      type: "recordOpened";
      session: number;
      record: LoadedRecord;
      values: FormValues;
      restored: Draft | null;
      /** Fields filled in from the last save through Switchboard (the vendor's read lacked them). */
      prefilled: string[];
      carried: boolean;
      recent: RecentRecord[] | null;
    }
  | { type: "loadFailed"; session: number; error: BackendError }
  | { type: "fieldChanged"; key: string; value: FieldValue }
  | { type: "checkStarted" }
  | { type: "checked"; check: number; errors: FieldError[] }
  | { type: "saveAsked" }
  /** The checks a save runs found errors: they show inline, not as an outcome. */
  | { type: "saveBlocked" }
  | { type: "nothingToSave" }
  | { type: "reviewReady"; session: number; plan: PlanView }
  | { type: "reviewFailed"; session: number; error: BackendError }
  | { type: "reviewClosed" }
  | { type: "saveStarted" }
  | { type: "saved"; session: number; receipt: UpdateReceipt<Record<string, unknown>>; original: FormValues }
  | { type: "saveFailed"; session: number; error: BackendError }
  | { type: "discarded" };

/** The load or save in flight has answered: nothing is busy or waiting to try again. */
function answered(state: DeskState): DeskState {
  return { ...state, busy: null, retry: null };
}

/**
 * The form, its errors, review and outcome go; answers for the record dropped are ignored from now
 * on, so nothing is left waiting for them either.
 */
function dropRecord(state: DeskState): DeskState {
  return {
    ...answered(state),
    session: state.session + 1,
    check: state.check + 1,
    review: null,
    form: null,
    outcome: null,
    fieldErrors: {},
  };
}

export function deskReducer(state: DeskState, action: DeskAction): DeskState {
  switch (action.type) {
    case "operationsListed":
      return { ...state, operations: action.operations };
    case "specRequested":
      return { ...state, spec: null };
    case "specDescribed":
      return { ...state, spec: action.spec };
    case "failed":
      return { ...state, outcome: { kind: "error", error: action.error } };
    case "recentListed":
      return { ...state, recent: action.recent };
    case "draftsListed":
      return { ...state, drafts: action.drafts };
    case "picksSet":
      return { ...state, picks: action.picks };
    case "picked": {
      const { ids, names } = state.picks;
      const changedId = action.id !== (ids[action.key] ?? "");
      const keep = ([key]: [string, string]) => !(changedId && action.later.includes(key));
      const nextIds = Object.fromEntries(Object.entries(ids).filter(keep));
      const nextNames = Object.fromEntries(Object.entries(names).filter(keep));
      nextIds[action.key] = action.id;
      if (action.label) nextNames[action.key] = action.label;
      else delete nextNames[action.key];
      return { ...state, picks: { ids: nextIds, names: nextNames } };
    }
    case "operationChosen":
      return { ...dropRecord(state), operationId: action.operationId };
    case "connectionLeft":
      return { ...dropRecord(state), operationId: null, picks: { ids: {}, names: {} } };
    case "openRequested":
      return {
        ...dropRecord(state),
        operationId: action.record.operationId,
        picks: { ids: { ...action.record.target }, names: { ...action.record.labels } },
        pendingOpen: action.record,
      };
    case "pendingOpenTaken":
      return { ...state, pendingOpen: null };
    case "leaveAsked":
      return { ...state, pendingLeave: action.intent };
    case "leaveCancelled":
      return { ...state, pendingLeave: null };
    case "loadStarted":
      return { ...dropRecord(state), picks: action.picks, busy: "loading" };
    case "retryNoticed":
      return action.session === state.session && state.busy ? { ...state, retry: action.notice } : state;
    case "recordOpened":
      if (action.session !== state.session) return state;
      return {
        ...answered(state),
        recent: action.recent ?? state.recent,
        form: {
          record: action.record,
          values: action.values,
          restored: action.restored,
          prefilled: action.prefilled,
          draftPending: action.carried,
          showAllErrors: false,
        },
      };
    case "loadFailed":
      if (action.session !== state.session) return state;
      return { ...answered(state), fieldErrors: errorsByField(action.error.fieldErrors), outcome: { kind: "error", error: action.error } };
    case "fieldChanged":
      if (!state.form) return state;
      return {
        ...state,
        form: { ...state.form, values: { ...state.form.values, [action.key]: action.value }, draftPending: true },
        // An error stays until something else replaces it: it may say what to do next.
        outcome: state.outcome?.kind === "error" ? state.outcome : null,
      };
    case "checkStarted":
      return { ...state, check: state.check + 1 };
    case "checked":
      return action.check === state.check ? { ...state, fieldErrors: errorsByField(action.errors) } : state;
    case "saveAsked":
      return state.form ? { ...state, form: { ...state.form, showAllErrors: true } } : state;
    case "saveBlocked":
      return { ...state, outcome: null };
    case "nothingToSave":
      return { ...state, outcome: { kind: "unchanged" } };
    case "reviewReady":
      return action.session === state.session ? { ...state, review: action.plan } : state;
    case "reviewFailed":
      return action.session === state.session ? { ...state, outcome: { kind: "error", error: action.error } } : state;
    case "reviewClosed":
      return { ...state, review: null };
    case "saveStarted":
      return { ...state, review: null, busy: "saving", outcome: null };
    case "saved":
      if (action.session !== state.session || !state.form) return state;
      return {
        ...answered(state),
        // The form starts again from what the vendor now holds.
        form: { ...state.form, record: { ...state.form.record, original: action.original }, values: action.original, restored: null, prefilled: [], draftPending: false, showAllErrors: false },
        outcome: { kind: "saved", receipt: action.receipt },
      };
    case "saveFailed":
      if (action.session !== state.session) return state;
      return {
        ...answered(state),
        fieldErrors: action.error.fieldErrors.length > 0 ? errorsByField(action.error.fieldErrors) : state.fieldErrors,
        outcome: { kind: "error", error: action.error },
      };
    case "discarded":
      if (!state.form) return state;
      return {
        ...state,
        check: state.check + 1,
        form: { ...state.form, values: state.form.record.original, restored: null, prefilled: [], draftPending: false, showAllErrors: false },
        outcome: null,
        fieldErrors: {},
      };
  }
}

// What the desk shows, derived from the state.

/** The fields whose value differs from what the vendor holds, in the definition's order. */
export function dirtyKeysOf(state: DeskState): string[] {
  const { spec, form } = state;
  return spec && form ? changedKeys(spec.fields, form.record.original, form.values) : [];
}

/** The fields changed in the form now, never a password (a reload asks for it again). */
export function editsOf(state: DeskState): FormValues {
  const { spec, form } = state;
  if (!spec || !form) return {};
  return Object.fromEntries(
    dirtyKeysOf(state)
      .filter((key) => spec.fields.find((f) => f.key === key)?.kind !== "password")
      .map((key) => [key, form.values[key]]),
  ) as FormValues;
}

/** Inline errors show for the fields the person changed; for all of them after a save attempt. */
export function visibleErrorsOf(state: DeskState): Record<string, string> {
  const dirty = dirtyKeysOf(state);
  const all = state.form?.showAllErrors ?? false;
  return Object.fromEntries(Object.entries(state.fieldErrors).filter(([key]) => all || dirty.includes(key)));
}

export function sameTarget(a: Target, b: Target): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((key) => (a[key] ?? "") === (b[key] ?? ""));
}

/** Drafts for the operations at hand, except the record already in the form. */
export function openDraftsOf(state: DeskState, available: OperationSummary[]): Draft[] {
  const record = state.form?.record;
  return state.drafts.filter(
    (d) => available.some((o) => o.id === d.operationId) && !(record && d.operationId === record.operationId && sameTarget(d.target, record.target)),
  );
}
