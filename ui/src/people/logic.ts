// The People page's logic, apart from React so it is tested on its own: what each connection's
// search says, which records make up a person, what a row shows, which edits go to the review and
// which parts a retry sends again.
import type { ConnectionResult } from "../bindings/ConnectionResult";
import type { GroupMember } from "../bindings/GroupMember";
import type { PersonCell } from "../bindings/PersonCell";
import type { PersonGroup } from "../bindings/PersonGroup";
import type { PersonRecord } from "../bindings/PersonRecord";
import type { PersonRow } from "../bindings/PersonRow";
import type { PersonReview } from "../bindings/PersonReview";
import type { PersonSaveResult } from "../bindings/PersonSaveResult";
import type { PersonView } from "../bindings/PersonView";

/** A connection being searched, or its answer. */
export type Search = { connectionId: string; connectionName: string; result: ConnectionResult | null };

/** One line on how the search went at a connection. */
export function searchStatus(search: Search): { text: string; tone: "busy" | "ok" | "warn" | "error" } {
  const result = search.result;
  if (!result) return { text: "Searching…", tone: "busy" };
  const found = result.records.length;
  const count = found === 1 ? "1 record" : `${found} records`;
  switch (result.state.type) {
    case "done":
      return { text: found === 0 ? "No one found" : `${count} found`, tone: "ok" };
    case "too_many":
      return { text: `Many matches: the first ${result.state.shown} are shown. Type more of the name or the whole address.`, tone: "warn" };
    case "needs_sign_in":
      return { text: `Needs sign-in: ${result.state.message}`, tone: "warn" };
    case "failed":
      return { text: `Failed: ${result.state.error.message}`, tone: "error" };
  }
}

/** Every record found so far, in connection order. */
export function foundRecords(searches: Search[]): PersonRecord[] {
  return searches.flatMap((s) => s.result?.records ?? []);
}

/** The records of a person, in the group's order (records not found are left out). */
export function groupRecords(group: PersonGroup, records: PersonRecord[]): PersonRecord[] {
  return group.members.flatMap((m) => records.filter((r) => r.key === m.recordKey));
}

/** How a member joined its person, in words: "Same email address …", "Suggested (70 %): …". */
export function memberReason(member: GroupMember): string {
  switch (member.link) {
    case "first":
      return "Found by the search";
    case "suggested":
      return `Suggested (${Math.round(member.confidence * 100)} % sure): ${member.reason}`;
    default:
      return member.reason;
  }
}

/** A value as the vendor holds it, as text ("—" when empty). */
export function valueText(value: unknown): string {
  if (value === null || value === undefined || value === "") return "—";
  if (Array.isArray(value)) return value.length === 0 ? "—" : value.map(valueText).join(", ");
  if (typeof value === "boolean") return value ? "On" : "Off";
  return String(value);
}

/** What one record shows in a row: its cells' values, each with the vendor's own label when there are several. */
export function cellText(cells: PersonCell[]): string {
  if (cells.length === 0) return "";
  if (cells.length === 1) return valueText(cells[0]!.value);
  return cells.map((c) => `${c.label}: ${valueText(c.value)}`).join(" · ");
}

/** A column heading: the vendor and the connection, the record's name and where it is. */
export function columnTitle(record: PersonRecord): { vendor: string; connection: string; name: string; context: string } {
  return { vendor: record.vendorLabel, connection: record.connectionName, name: record.name, context: record.context };
}

/** The edits to review: rows whose new value was typed (trimmed), by meaning. */
export function pendingEdits(view: PersonView, typed: Record<string, string>): Record<string, string> {
  const edits: Record<string, string> = {};
  for (const row of view.rows) {
    const value = typed[row.meaning]?.trim();
    if (row.editable && value) edits[row.meaning] = value;
  }
  return edits;
}

/** Rows that differ between the records, for a summary line. */
export function differingRows(view: PersonView): PersonRow[] {
  return view.rows.filter((r) => r.differs);
}

/** The review in numbers: parts that will be sent, fields they change, vendors flagged. */
export function reviewSummary(review: PersonReview): { sends: number; fields: number; flagged: number } {
  const sending = review.changes.filter((c) => c.sends);
  return {
    sends: sending.length,
    fields: sending.reduce((n, c) => n + c.changes.length, 0),
    flagged: review.changes.filter((c) => c.problem).length,
  };
}

/** The parts to send again: the failed ones, nothing else. */
export function retryKeys(result: PersonSaveResult | null): string[] {
  return result?.failed ?? [];
}

/** Results from a retry replace those of the same parts; the others stay as they were. */
export function mergeSaveResults(previous: PersonSaveResult | null, next: PersonSaveResult): PersonSaveResult {
  if (!previous || previous.reviewId !== next.reviewId) return next;
  const byKey = new Map(previous.results.map((r) => [r.key, r]));
  for (const r of next.results) byKey.set(r.key, r);
  const results = [...byKey.values()];
  return { ...next, results, failed: results.filter((r) => r.outcome === "failed").map((r) => r.key) };
}

/** Keys of a person's records that are not rejected suggestions (all of them, until one is). */
export function memberKeys(group: PersonGroup): string[] {
  return group.members.map((m) => m.recordKey);
}
