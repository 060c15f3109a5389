// The one IPC seam: every call into Rust goes through here, typed by the generated bindings.
// Components receive a `Backend` (see BackendProvider), so tests can hand them a fake.
import { Channel, invoke } from "@tauri-apps/api/core";
import type { AppError } from "./bindings/AppError";
import type { ConnectionList } from "./bindings/ConnectionList";
import type { ConnectionTestReport } from "./bindings/ConnectionTestReport";
import type { ImportSummary } from "./bindings/ImportSummary";
import type { VendorSpec } from "./bindings/VendorSpec";
import type { ProfileDraft } from "./bindings/ProfileDraft";
import type { SaveOutcome } from "./bindings/SaveOutcome";
import type { ErrorCode } from "./bindings/ErrorCode";
import type { FieldError } from "./bindings/FieldError";
import type { OperationSpec } from "./bindings/OperationSpec";
import type { OperationSummary } from "./bindings/OperationSummary";
import type { OpenedRecord } from "./bindings/OpenedRecord";
import type { PlanView } from "./bindings/PlanView";
import type { HistoryFilter } from "./bindings/HistoryFilter";
import type { HistoryPage } from "./bindings/HistoryPage";
import type { UndoStart } from "./bindings/UndoStart";
import type { UpdateReceipt } from "./bindings/UpdateReceipt";
import type { ChoicePage } from "./bindings/ChoicePage";
import type { Draft } from "./bindings/Draft";
import type { RecentRecord } from "./bindings/RecentRecord";
import type { RetryNotice } from "./bindings/RetryNotice";
import type { BulkAction } from "./bindings/BulkAction";
import type { Checked } from "./bindings/Checked";
import type { Count } from "./bindings/Count";
import type { JobRowView } from "./bindings/JobRowView";
import type { JobView } from "./bindings/JobView";
import type { Progress } from "./bindings/Progress";
import type { RowState } from "./bindings/RowState";
import type { Saved } from "./bindings/Saved";
import type { ConnectionResult } from "./bindings/ConnectionResult";
import type { PersonGroup } from "./bindings/PersonGroup";
import type { PersonView } from "./bindings/PersonView";
import type { PersonReview } from "./bindings/PersonReview";
import type { PersonSaveResult } from "./bindings/PersonSaveResult";
import type { Decision } from "./bindings/Decision";

export interface Backend {
  listConnections(): Promise<ConnectionList>;
  rememberConnection(id: string): Promise<void>;
  /** Every vendor, in the order to offer them: its connection settings (keyed as in ProfileDraft) and secrets. */
  listVendors(): Promise<VendorSpec[]>;
  /** Partner Center: signs in in the system browser; the sign-in is kept in the keychain. */
  signInPartnerCenter(id: string): Promise<SaveOutcome>;
  /** Creates (id null) or updates a connection; a non-empty secret goes to the OS keychain. */
  saveConnection(id: string | null, draft: ProfileDraft, clientSecret: string | null): Promise<SaveOutcome>;
  duplicateConnection(id: string): Promise<SaveOutcome>;
  deleteConnection(id: string): Promise<void>;
  testConnection(id: string): Promise<ConnectionTestReport>;
  /** Asks for a PEM/PFX file and keeps its key in the keychain; null if cancelled. */
  chooseCertificate(id: string, password: string | null): Promise<SaveOutcome | null>;
  /** Asks where to save; resolves to the path written, or null if cancelled. */
  exportConnections(ids: string[]): Promise<string | null>;
  /** Asks for a file; resolves to what was imported, or null if cancelled. */
  importConnections(): Promise<ImportSummary | null>;
  listOperations(): Promise<OperationSummary[]>;
  describeOperation(operation: string): Promise<OperationSpec>;
  /**
   * Reads the record and keeps it open in Rust: its values (the vendor's JSON keys) and the id to
   * check, review and save edits with. `onRetry` hears each wait before a retry.
   */
  openRecord(
    connectionId: string,
    operation: string,
    target: Record<string, string>,
    onRetry?: (notice: RetryNotice) => void,
    /** Readable names of the ids (customer, user), for the change history. */
    labels?: Record<string, string>,
  ): Promise<OpenedRecord>;
  /** Every rule the edits break, against the open record as read; rejects with the field errors. Sends nothing. */
  checkEdits(recordId: string, edits: Record<string, unknown>): Promise<void>;
  /** Plans the edits (before → after and the exact request) and keeps the plan for `applyPlan`. Sends nothing. */
  reviewEdits(recordId: string, edits: Record<string, unknown>, onRetry?: (notice: RetryNotice) => void): Promise<PlanView>;
  /** Sends the reviewed plan exactly; rejects with `changed_since_review` if the record changed at the vendor since. */
  applyPlan(planId: string, onRetry?: (notice: RetryNotice) => void): Promise<UpdateReceipt<Record<string, unknown>>>;
  /** The desk moved on from a record. */
  closeRecord(recordId: string): Promise<void>;
  /** One page of the change history, newest first; pass `next` back as `cursor`. */
  listHistory(filter: HistoryFilter, cursor: string | null, limit?: number): Promise<HistoryPage>;
  /** Said once: the history was unreadable and moved aside, or can't be used at all. */
  historyNotice(): Promise<string | null>;
  /**
   * Opens the record of a history entry to undo it (read now): what the undo would do, field by
   * field, and whether anything changed since. Review and apply its edits like the desk's.
   */
  openUndo(entryId: string, onRetry?: (notice: RetryNotice) => void): Promise<UndoStart>;
  /** Asks where to save and writes the matching entries as CSV; the path, or null if cancelled. */
  exportHistory(filter: HistoryFilter): Promise<string | null>;
  /** One page of a picker's choices for `key`, given the ids picked before it; pass `next` back as `cursor`. */
  listChoices(connectionId: string, operation: string, key: string, target: Record<string, string>, cursor: string | null): Promise<ChoicePage>;
  /** Records opened lately through this connection, latest first. */
  recentRecords(connectionId: string): Promise<RecentRecord[]>;
  rememberRecord(connectionId: string, record: RecentRecord): Promise<RecentRecord[]>;
  /** Unsent edits kept for this connection, latest first. */
  listDrafts(connectionId: string): Promise<Draft[]>;
  /** Keeps unsent edits (password fields are dropped in Rust); empty values remove the draft. */
  saveDraft(draft: Draft): Promise<Draft | null>;
  discardDraft(connectionId: string, operation: string, target: Record<string, string>): Promise<void>;
  /** Asks where to save and writes a blank sheet for the operation; the path, or null if cancelled. */
  bulkTemplate(operation: string): Promise<string | null>;
  /** Asks where to save and writes the current values of every record under `parent`; null if cancelled. */
  bulkExport(connectionId: string, operation: string, parent: Record<string, string>, onProgress?: (count: Count) => void): Promise<Saved | null>;
  /**
   * Asks for a spreadsheet and checks every row against its record now: refused with every problem
   * (nothing sent), or a job ready to review and run. Null if cancelled.
   */
  bulkImport(connectionId: string, operation: string, maxRate: number | null, concurrency: number | null, onProgress?: (count: Count) => void): Promise<Checked | null>;
  /** Bulk jobs, newest first; `openOnly` for those that may still send something. */
  bulkJobs(openOnly: boolean): Promise<JobView[]>;
  bulkJobRows(jobId: string, rowState: RowState | null, offset: number, limit: number): Promise<JobRowView[]>;
  /** Runs or resumes a job until done, paused or cancelled; `onProgress` hears after every row. */
  bulkRun(jobId: string, maxRate: number | null, concurrency: number | null, onProgress?: (progress: Progress) => void): Promise<JobView>;
  bulkControl(jobId: string, action: BulkAction): Promise<void>;
  /** Forgets a checked job that never ran. */
  bulkDiscard(jobId: string): Promise<void>;
  /** Plans the undo of a job (rows whose record moved since are refused); the new job, to review and run. */
  bulkPlanUndo(jobId: string): Promise<JobView>;
  bulkSaveResults(jobId: string): Promise<Saved | null>;
  /** People: searches one connection for a person by email address or name (its records, or why not). */
  searchPerson(connectionId: string, query: string): Promise<ConnectionResult>;
  /** People: the records found (by key) grouped into people, with the reason each belongs. */
  groupPeople(recordKeys: string[]): Promise<PersonGroup[]>;
  /** People: reads the records again and lines them up by meaning. */
  openPerson(recordKeys: string[]): Promise<PersonView>;
  /** People: one edit per meaning (`surname` → "Lind") planned for every record. Sends nothing. */
  reviewPerson(recordKeys: string[], edits: Record<string, string>): Promise<PersonReview>;
  /** People: saves the review's parts in parallel; `only` retries just those keys. */
  savePerson(reviewId: string, only: string[] | null): Promise<PersonSaveResult>;
  /** People: undoes a saved group at every vendor together; rejects with `changed_since_review` (nothing sent) if any record moved. */
  undoPersonSave(groupId: string): Promise<PersonSaveResult>;
  /** People: remembers that records are (or are not) the same person. */
  linkPeople(recordKeys: string[], same: boolean): Promise<Decision>;
  undoLink(id: string): Promise<Decision>;
}

/** A failed call, always in the backend's `{ code, message, field?, ... }` shape. */
export class BackendError extends Error implements AppError {
  readonly code: ErrorCode;
  readonly field?: string;
  readonly fieldErrors: FieldError[];
  readonly vendorMessage?: string;
  readonly reference?: string;

  constructor(payload: AppError) {
    super(payload.message);
    this.name = "BackendError";
    this.code = payload.code;
    this.field = payload.field;
    this.fieldErrors = payload.fieldErrors ?? [];
    this.vendorMessage = payload.vendorMessage;
    this.reference = payload.reference;
  }
}

function isAppError(value: unknown): value is AppError {
  return typeof value === "object" && value !== null && "code" in value && "message" in value;
}

/** Tauri rejects with our payload, or with a plain string when arguments don't deserialize. */
export function toBackendError(reason: unknown): BackendError {
  if (reason instanceof BackendError) return reason;
  if (isAppError(reason)) return new BackendError(reason);
  const message = typeof reason === "string" ? reason : reason instanceof Error ? reason.message : String(reason);
  return new BackendError({ code: "internal", message: `Switchboard hit an unexpected problem: ${message}`, fieldErrors: [] });
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (reason) {
    throw toBackendError(reason);
  }
}

function channel<T>(listener?: (message: T) => void): Channel<T> {
  const channel = new Channel<T>();
  channel.onmessage = listener ?? (() => undefined);
  return channel;
}

function retryChannel(onRetry?: (notice: RetryNotice) => void): Channel<RetryNotice> {
  return channel(onRetry);
}

export const tauriBackend: Backend = {
  listConnections: () => call("list_connections"),
  rememberConnection: (id) => call("remember_connection", { id }),
  listVendors: () => call("list_vendors"),
  signInPartnerCenter: (id) => call("sign_in_partner_center", { id }),
  saveConnection: (id, draft, clientSecret) => call("save_connection", { id, draft, clientSecret }),
  duplicateConnection: (id) => call("duplicate_connection", { id }),
  deleteConnection: (id) => call("delete_connection", { id }),
  testConnection: (id) => call("test_connection", { id }),
  chooseCertificate: (id, password) => call("choose_certificate", { id, password }),
  exportConnections: (ids) => call("export_connections", { ids }),
  importConnections: () => call("import_connections"),
  listOperations: () => call("list_operations"),
  describeOperation: (operation) => call("describe_operation", { operation }),
  openRecord: (connectionId, operation, target, onRetry, labels) =>
    call("open_record", { connectionId, operation, target, labels: labels ?? null, onRetry: retryChannel(onRetry) }),
  checkEdits: (recordId, edits) => call("check_edits", { recordId, edits }),
  reviewEdits: (recordId, edits, onRetry) => call("review_edits", { recordId, edits, onRetry: retryChannel(onRetry) }),
  applyPlan: (planId, onRetry) => call("apply_plan", { planId, onRetry: retryChannel(onRetry) }),
  closeRecord: (recordId) => call("close_record", { recordId }),
  listHistory: (filter, cursor, limit) => call("list_history", { filter, cursor, limit }),
  historyNotice: () => call("history_notice"),
  openUndo: (entryId, onRetry) => call("open_undo", { entryId, onRetry: retryChannel(onRetry) }),
  exportHistory: (filter) => call("export_history", { filter }),
  listChoices: (connectionId, operation, key, target, cursor) => call("list_choices", { connectionId, operation, key, target, cursor }),
  recentRecords: (connectionId) => call("recent_records", { connectionId }),
  rememberRecord: (connectionId, record) => call("remember_record", { connectionId, record }),
  listDrafts: (connectionId) => call("list_drafts", { connectionId }),
  saveDraft: (draft) => call("save_draft", { draft }),
  discardDraft: (connectionId, operation, target) => call("discard_draft", { connectionId, operation, target }),
  bulkTemplate: (operation) => call("bulk_template", { operation }),
  bulkExport: (connectionId, operation, parent, onProgress) =>
    call("bulk_export", { connectionId, operation, parent, onProgress: channel(onProgress) }),
  bulkImport: (connectionId, operation, maxRate, concurrency, onProgress) =>
    call("bulk_import", { connectionId, operation, maxRate, concurrency, onProgress: channel(onProgress) }),
  bulkJobs: (openOnly) => call("bulk_jobs", { openOnly }),
  bulkJobRows: (jobId, rowState, offset, limit) => call("bulk_job_rows", { jobId, rowState, offset, limit }),
  bulkRun: (jobId, maxRate, concurrency, onProgress) => call("bulk_run", { jobId, maxRate, concurrency, onProgress: channel(onProgress) }),
  bulkControl: (jobId, action) => call("bulk_control", { jobId, action }),
  bulkDiscard: (jobId) => call("bulk_discard", { jobId }),
  bulkPlanUndo: (jobId) => call("bulk_plan_undo", { jobId }),
  bulkSaveResults: (jobId) => call("bulk_save_results", { jobId }),
  searchPerson: (connectionId, query) => call("search_person", { connectionId, query }),
  groupPeople: (recordKeys) => call("group_people", { recordKeys }),
  openPerson: (recordKeys) => call("open_person", { recordKeys }),
  reviewPerson: (recordKeys, edits) => call("review_person", { recordKeys, edits }),
  savePerson: (reviewId, only) => call("save_person", { reviewId, only }),
  undoPersonSave: (groupId) => call("undo_person_save", { groupId }),
  linkPeople: (recordKeys, same) => call("link_people", { recordKeys, same }),
  undoLink: (id) => call("undo_link", { id }),
};
