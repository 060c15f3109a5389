// What the Bulk page says about jobs and rows: plain functions, tested on their own.
import type { JobCounts } from "../bindings/JobCounts";
import type { JobState } from "../bindings/JobState";
import type { JobView } from "../bindings/JobView";
import type { PlannedChange } from "../bindings/PlannedChange";
import type { Progress } from "../bindings/Progress";
import type { RowState } from "../bindings/RowState";

export const rowStateLabels: Record<RowState, string> = {
  pending: "To send",
  sending: "Not confirmed",
  done: "Done",
  unchanged: "Unchanged",
  refused: "Refused",
  failed: "Failed",
};

export const jobStateLabels: Record<JobState, string> = {
  checking: "Being checked",
  ready: "Reviewed, not run",
  running: "Interrupted",
  paused: "Paused",
  cancelled: "Cancelled",
  finished: "Finished",
};

/** Rows that still need sending or settling. */
export function remaining(counts: JobCounts): number {
  return counts.pending + counts.sending;
}

/** Whether a job can still send something (resume, run). */
export function isOpen(job: JobView): boolean {
  return job.state === "ready" || job.state === "running" || job.state === "paused";
}

/** "1 row" / "3 rows". */
export function rows(count: number): string {
  return `${count} row${count === 1 ? "" : "s"}`;
}

/** A duration in words for a person waiting: "about 40 s", "about 3 min". */
export function timeLeft(seconds: number | undefined): string {
  if (seconds == null) return "";
  if (seconds < 90) return `about ${Math.max(1, Math.round(seconds))} s left`;
  if (seconds < 5400) return `about ${Math.round(seconds / 60)} min left`;
  return `about ${Math.round(seconds / 360) / 10} h left`;
}

/** The one line a running job shows under its bar. */
export function progressLine(progress: Progress): string {
  const { counts } = progress;
  const settled = counts.total - remaining(counts);
  const parts = [
    `${settled} of ${rows(counts.total)}`,
    `${counts.done} done`,
    counts.unchanged ? `${counts.unchanged} unchanged` : null,
    counts.refused ? `${counts.refused} refused` : null,
    counts.failed ? `${counts.failed} failed` : null,
    progress.rowsPerSecond > 0 ? `${progress.rowsPerSecond.toFixed(1)} rows/s` : null,
    timeLeft(progress.secondsLeft) || null,
    progress.throttled > 0 ? `the vendor asked to slow down ${progress.throttled}×` : null,
  ];
  return parts.filter(Boolean).join(" · ");
}

/** How a job ended, in one sentence. */
export function summary(job: JobView): string {
  const { counts } = job;
  const left = remaining(counts);
  const parts = [`${counts.done} done`];
  if (counts.unchanged) parts.push(`${counts.unchanged} unchanged`);
  if (counts.refused) parts.push(`${counts.refused} refused`);
  if (counts.failed) parts.push(`${counts.failed} failed`);
  if (left) parts.push(`${left} not sent yet`);
  return `${jobStateLabels[job.state]}: ${parts.join(", ")} (of ${rows(counts.total)}).`;
}

/** A value as a row shows it. */
export function shown(value: unknown): string {
  if (value == null || value === "") return "(empty)";
  if (typeof value === "boolean") return value ? "On" : "Off";
  if (Array.isArray(value)) return value.length === 0 ? "(none)" : value.join(", ");
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

export function changeLine(change: PlannedChange): string {
  return `${change.label}: ${shown(change.before)} → ${shown(change.after)}`;
}

/** A typed number, or null for empty; NaN for text that is not a number. */
export function optionalNumber(text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === "") return null;
  return Number(trimmed.replace(",", "."));
}

/** What is wrong with the pace a person typed, or null. */
export function paceProblem(maxRate: string, concurrency: string): string | null {
  const rate = optionalNumber(maxRate);
  if (rate != null && !(rate > 0 && rate <= 1000)) return "Requests per second: more than 0, at most 1000.";
  const atOnce = optionalNumber(concurrency);
  if (atOnce != null && !(Number.isInteger(atOnce) && atOnce >= 1 && atOnce <= 64)) return "Records at once: a whole number from 1 to 64.";
  return null;
}
