// The desk's calls into Rust: each step dispatches what it starts and what was answered, tagged
// with the session or check it belongs to (see reducer.ts). The components only render.
import { useCallback, useEffect, useMemo, useReducer, useRef } from "react";
import { toBackendError } from "../backend";
import type { ConnectionList } from "../bindings/ConnectionList";
import type { Draft } from "../bindings/Draft";
import type { FieldError } from "../bindings/FieldError";
import type { RecentRecord } from "../bindings/RecentRecord";
import type { RetryNotice } from "../bindings/RetryNotice";
import { useBackend } from "../context";
import { formValuesOf, nestedChangesOf, type FieldValue, type FormValues } from "../form";
import {
  deskReducer,
  dirtyKeysOf,
  editsOf,
  initialDeskState,
  openDraftsOf,
  sameTarget,
  visibleErrorsOf,
  type DeskAction,
  type LeaveIntent,
  type LoadedRecord,
  type Target,
} from "./reducer";

/** One part of "where your changes go", for the app header. */
export type Crumb = { label: string; value: string };

export interface DeskProps {
  list: ConnectionList;
  connectionId: string | null;
  onConnectionChange(id: string): void;
  /** Where changes would go now (connection, customer, tenant, user), for the header. */
  onContextChange?(crumbs: Crumb[]): void;
}

export function useDesk({ list, connectionId, onConnectionChange, onContextChange }: DeskProps) {
  const backend = useBackend();
  const [state, dispatchToReact] = useReducer(deskReducer, initialDeskState);
  // The same reducer applied at once, for the steps below: they read the state as it is now, not
  // as the last render saw it (Load can run in the same event as a picker's last commit).
  const latest = useRef(state);
  const dispatch = useCallback((action: DeskAction) => {
    latest.current = deskReducer(latest.current, action);
    dispatchToReact(action);
  }, []);
  // The form is a chunk of its own (issue #17): on the first Load it may mount a moment after the
  // record arrives, so "focus its first field" waits for it when it is not there yet.
  const formElement = useRef<HTMLElement | null>(null);
  const focusWhenShown = useRef(false);
  const formRef = useCallback((element: HTMLElement | null) => {
    formElement.current = element;
    if (element && focusWhenShown.current) {
      focusWhenShown.current = false;
      focusFirstField(element);
    }
  }, []);

  const connection = list.connections.find((c) => c.id === connectionId) ?? null;
  // The connection decides the vendor, and so which operations make sense.
  const available = state.operations.filter((o) => o.vendor === connection?.vendorId);
  const operation = available.find((o) => o.id === state.operationId) ?? available[0] ?? null;
  const { spec, form, picks } = state;

  useEffect(() => {
    backend
      .listOperations()
      .then((operations) => dispatch({ type: "operationsListed", operations }))
      .catch((reason) => dispatch({ type: "failed", error: toBackendError(reason) }));
  }, [backend, dispatch]);

  useEffect(() => {
    if (!operation) return;
    let cancelled = false;
    dispatch({ type: "specRequested" });
    backend
      .describeOperation(operation.id)
      .then((next) => !cancelled && dispatch({ type: "specDescribed", spec: next }))
      .catch((reason) => !cancelled && dispatch({ type: "failed", error: toBackendError(reason) }));
    return () => {
      cancelled = true;
    };
  }, [backend, operation?.id]); // eslint-disable-line react-hooks/exhaustive-deps

  // Practice comes with a sample user at each vendor, so a new user can try everything straight
  // away: its ids, by the vendor's target keys, fill the pickers of that vendor's operations.
  const sample = connection?.sampleTarget;
  const sampleKey = sample ? JSON.stringify(sample) : "";
  useEffect(() => {
    if (sample && operation?.vendor === connection?.vendorId && !state.pendingOpen) dispatch({ type: "picksSet", picks: { ids: { ...sample }, names: {} } });
  }, [sampleKey, operation?.vendor]); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    if (!connectionId) return;
    let cancelled = false;
    backend
      .recentRecords(connectionId)
      .catch(() => [])
      .then((recent) => !cancelled && dispatch({ type: "recentListed", recent }));
    backend
      .listDrafts(connectionId)
      .catch(() => [])
      .then((drafts) => !cancelled && dispatch({ type: "draftsListed", drafts }));
    return () => {
      cancelled = true;
    };
  }, [backend, connectionId, dispatch]);

  // The connection can change from outside the desk (deleted on the Connections page): a form
  // loaded through another connection must not be saved through this one.
  useEffect(() => {
    if (form && form.record.connectionId !== connectionId) dispatch({ type: "connectionLeft" });
  }, [connectionId]); // eslint-disable-line react-hooks/exhaustive-deps

  // Rust keeps the record open until the desk moves on from it.
  const recordId = form?.record.recordId;
  useEffect(() => {
    if (!recordId) return;
    return () => void backend.closeRecord(recordId).catch(() => undefined);
  }, [backend, recordId]);

  // A recent record or draft opens once its operation's form definition is here.
  useEffect(() => {
    const wanted = state.pendingOpen;
    if (wanted && spec?.id === wanted.operationId) {
      dispatch({ type: "pendingOpenTaken" });
      void loadRecord(wanted.target, wanted.labels);
    }
  }, [state.pendingOpen, spec?.id]); // eslint-disable-line react-hooks/exhaustive-deps

  // Unsent edits are kept as a draft shortly after each change (never a password: Rust drops those).
  useEffect(() => {
    if (!form?.draftPending || !spec) return;
    const { record } = form;
    const timer = setTimeout(() => {
      // A save or discard may have landed after this timer was set but before React re-rendered
      // (which clears it): the state as of the last action decides, or a saved edit comes back
      // as a draft.
      const now = latest.current;
      if (!now.form?.draftPending || now.form.record.recordId !== record.recordId) return;
      const values = editsOf(now);
      backend
        .saveDraft({ connectionId: record.connectionId, operationId: record.operationId, target: record.target, labels: record.labels, values, savedAt: "" })
        .then(() => backend.listDrafts(record.connectionId))
        .then((drafts) => dispatch({ type: "draftsListed", drafts }))
        .catch(() => undefined);
    }, 400);
    return () => clearTimeout(timer);
  }, [form?.values]); // eslint-disable-line react-hooks/exhaustive-deps

  // The header always says where a save would go.
  const crumbs = useMemo<Crumb[]>(() => {
    const parts: Crumb[] = connection ? [{ label: "Connection", value: connection.name }] : [];
    for (const t of operation?.targets ?? []) {
      const id = form?.record.target[t.key] ?? picks.ids[t.key];
      if (id) parts.push({ label: t.noun, value: (form?.record.labels[t.key] ?? picks.names[t.key]) || id });
    }
    return parts;
  }, [connection, operation, form?.record, picks]);
  useEffect(() => onContextChange?.(crumbs), [crumbs]); // eslint-disable-line react-hooks/exhaustive-deps

  /** Checks run in Rust (the same checks a save runs); resolves to the fields' errors. */
  async function revalidate(values: FormValues, record: LoadedRecord): Promise<FieldError[]> {
    const fields = latest.current.spec?.fields;
    if (!fields) return [];
    dispatch({ type: "checkStarted" });
    const check = latest.current.check;
    try {
      await backend.checkEdits(record.recordId, nestedChangesOf(fields, record.original, values));
      dispatch({ type: "checked", check, errors: [] });
      return [];
    } catch (reason) {
      const error = toBackendError(reason);
      dispatch({ type: "checked", check, errors: error.fieldErrors });
      if (error.fieldErrors.length === 0) throw error;
      return error.fieldErrors;
    }
  }

  /** Loads the record; `carry` (edits in the form now) goes on top of the vendor's values, like a draft. */
  async function loadRecord(wanted?: Target, wantedLabels?: Target, carry?: FormValues) {
    const { spec: current, operations, picks: picked } = latest.current;
    const op = operations.find((o) => o.id === current?.id);
    if (!connectionId || !current || !op) return;
    const from = wanted ?? picked.ids;
    const fromNames = wantedLabels ?? picked.names;
    // Only this operation's ids: a field left from another operation must not ride along.
    const ids = Object.fromEntries(op.targets.map(({ key }) => [key, (from[key] ?? "").trim()]));
    const names = Object.fromEntries(op.targets.filter(({ key }) => fromNames[key]).map(({ key }) => [key, fromNames[key]!]));
    dispatch({ type: "loadStarted", picks: { ids, names } });
    const session = latest.current.session;
    try {
      const onRetry = (notice: RetryNotice) => dispatch({ type: "retryNoticed", session, notice });
      const opened = await backend.openRecord(connectionId, op.id, ids, onRetry, names);
      const record: LoadedRecord = {
        connectionId,
        operationId: op.id,
        recordId: opened.recordId,
        target: ids,
        labels: names,
        original: formValuesOf(current.fields, opened.values),
      };
      // Unsent edits to this record from an earlier session come back on top of the vendor's values.
      const draft = (await backend.listDrafts(connectionId).catch(() => [] as Draft[])).find(
        (d) => d.operationId === op.id && sameTarget(d.target, ids),
      );
      // Recent is updated in the same render that shows the form: a row added above the form
      // later would shift the page while the person types (and a shift closes an open list).
      const recent = await backend.rememberRecord(connectionId, { operationId: op.id, target: ids, labels: names }).catch(() => null);
      if (session !== latest.current.session) {
        // Another record was asked for meanwhile: this one is not shown, so Rust need not keep it.
        void backend.closeRecord(opened.recordId).catch(() => undefined);
        return;
      }
      // A value the vendor did not return comes from the last save through Switchboard, under
      // the person's own draft or carried edits.
      const prefilled = Object.fromEntries(
        Object.entries(opened.prefilled ?? {}).filter(([key]) => key in record.original && !(key in (draft?.values ?? {})) && !(carry && key in carry)),
      );
      const known = Object.fromEntries(
        Object.entries({ ...prefilled, ...draft?.values, ...carry }).filter(([key]) => key in record.original),
      ) as FormValues;
      const restoredValues = Object.keys(known).length > 0 ? { ...record.original, ...known } : null;
      dispatch({
        type: "recordOpened",
        session,
        record,
        values: restoredValues ?? record.original,
        restored: restoredValues && draft ? draft : null,
        prefilled: Object.keys(prefilled),
        carried: carry != null,
        recent,
      });
      if (restoredValues) revalidate(restoredValues, record).catch(() => undefined);
      // Keyboard users continue in the form, at its first field (unless they have moved on).
      requestAnimationFrame(() => {
        if (formElement.current) focusFirstField(formElement.current);
        else focusWhenShown.current = true;
      });
    } catch (reason) {
      dispatch({ type: "loadFailed", session, error: toBackendError(reason) });
    }
  }

  function perform(intent: LeaveIntent) {
    switch (intent.kind) {
      case "connection":
        onConnectionChange(intent.connectionId);
        dispatch({ type: "connectionLeft" });
        return;
      case "operation":
        dispatch({ type: "operationChosen", operationId: intent.operationId });
        return;
      case "load":
        void loadRecord();
        return;
      case "open":
        dispatch({ type: "openRequested", record: intent.record });
        return;
    }
  }

  /** Does what was asked now, or after the person agrees to leave a form with unsaved changes. */
  function guarded(intent: LeaveIntent) {
    if (dirtyKeysOf(latest.current).length > 0) dispatch({ type: "leaveAsked", intent });
    else perform(intent);
  }

  function discardDraftOf(record: LoadedRecord) {
    backend
      .discardDraft(record.connectionId, record.operationId, record.target)
      .then(() => backend.listDrafts(record.connectionId))
      .then((drafts) => dispatch({ type: "draftsListed", drafts }))
      .catch(() => undefined);
  }

  const actions = {
    chooseConnection(id: string) {
      if (id !== connectionId) guarded({ kind: "connection", connectionId: id });
    },
    chooseOperation(id: string) {
      if (id !== operation?.id) guarded({ kind: "operation", operationId: id });
    },
    /** A picker's id changed; a different id empties what was picked below it. */
    pick(key: string, id: string, label?: string) {
      const targets = operation?.targets ?? [];
      const later = targets.slice(targets.findIndex((t) => t.key === key) + 1).map((t) => t.key);
      dispatch({ type: "picked", key, id, label, later });
    },
    load() {
      guarded({ kind: "load" });
    },
    open(record: RecentRecord) {
      guarded({ kind: "open", record });
    },
    stay() {
      dispatch({ type: "leaveCancelled" });
    },
    leave() {
      const intent = latest.current.pendingLeave;
      dispatch({ type: "leaveCancelled" });
      if (intent) perform(intent);
    },
    changeField(key: string, value: FieldValue) {
      dispatch({ type: "fieldChanged", key, value });
      const next = latest.current.form;
      if (next) revalidate(next.values, next.record).catch(() => undefined);
    },
    async save() {
      const { spec: current, form: open } = latest.current;
      if (!current || !open) return;
      dispatch({ type: "saveAsked" });
      const session = latest.current.session;
      let errors;
      try {
        errors = await revalidate(open.values, open.record);
      } catch (reason) {
        dispatch({ type: "reviewFailed", session, error: toBackendError(reason) });
        return;
      }
      if (errors.length > 0) {
        dispatch({ type: "saveBlocked" });
        formElement.current?.querySelector<HTMLElement>(`[data-field="${errors[0]!.field}"]`)?.focus();
        return;
      }
      const changes = nestedChangesOf(current.fields, open.record.original, open.values);
      if (Object.keys(changes).length === 0) {
        dispatch({ type: "nothingToSave" });
        return;
      }
      // Nothing is sent before the person has seen each change as before → after.
      try {
        const plan = await backend.reviewEdits(open.record.recordId, changes);
        dispatch({ type: "reviewReady", session, plan });
      } catch (reason) {
        dispatch({ type: "reviewFailed", session, error: toBackendError(reason) });
      }
    },
    closeReview() {
      dispatch({ type: "reviewClosed" });
    },
    async confirmSave() {
      const { spec: current, form: open, review } = latest.current;
      if (!current || !open || !review) return;
      dispatch({ type: "saveStarted" });
      const session = latest.current.session;
      try {
        const receipt = await backend.applyPlan(review.id, (notice) => dispatch({ type: "retryNoticed", session, notice }));
        if (session !== latest.current.session) return;
        dispatch({ type: "saved", session, receipt, original: formValuesOf(current.fields, receipt.after) });
        discardDraftOf(open.record);
      } catch (reason) {
        dispatch({ type: "saveFailed", session, error: toBackendError(reason) });
      }
    },
    discard() {
      const open = latest.current.form;
      if (!open) return;
      // The draft goes now, not after the save delay: the window may close right after.
      dispatch({ type: "discarded" });
      discardDraftOf(open.record);
    },
    /** After `changed_since_review`: the vendor's values now, with the form's edits on top. */
    reloadCurrent() {
      const open = latest.current.form;
      if (open) void loadRecord(open.record.target, open.record.labels, editsOf(latest.current));
    },
  };

  return {
    state,
    connection,
    available,
    operation,
    crumbs,
    dirtyKeys: dirtyKeysOf(state),
    visibleErrors: visibleErrorsOf(state),
    openDrafts: openDraftsOf(state, available),
    formRef,
    actions,
  };
}

/** Focuses the form's first field, unless the person has moved on from where Load was started. */
function focusFirstField(form: HTMLElement) {
  const active = document.activeElement;
  if (active == null || active === document.body || active.closest("[data-action='load'], [data-recent], [data-draft]")) {
    form.querySelector<HTMLElement>("input:not([type=hidden]), [role=spinbutton]")?.focus();
  }
}
