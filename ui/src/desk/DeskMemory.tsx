// What the desk remembers for this connection: unsent edits (drafts) and records opened lately,
// each one click from the form.
import { Button } from "react-aria-components";
import type { Draft } from "../bindings/Draft";
import type { OperationSummary } from "../bindings/OperationSummary";
import type { RecentRecord } from "../bindings/RecentRecord";

export interface DeskMemoryProps {
  drafts: Draft[];
  recent: RecentRecord[];
  operations: OperationSummary[];
  /** The operations of the connection's vendor: records of others are not offered. */
  available: OperationSummary[];
  disabled: boolean;
  onOpen(record: RecentRecord): void;
}

export function DeskMemory({ drafts, recent, operations, available, disabled, onOpen }: DeskMemoryProps) {
  if (recent.length === 0 && drafts.length === 0) return null;
  const recordName = (record: RecentRecord) => recordNameOf(record, operations);
  const titleOf = (operationId: string) => operations.find((o) => o.id === operationId)?.title ?? operationId;
  const keyOf = (record: RecentRecord) => `${record.operationId}|${JSON.stringify(record.target)}`;
  return (
    <div className="memory">
      {drafts.length > 0 && (
        <div className="memory-row" role="group" aria-label="Unsent edits">
          <span className="memory-title">Unsent edits</span>
          {drafts.map((draft) => {
            const { name, where } = recordName(draft);
            const count = Object.keys(draft.values).length;
            return (
              <Button key={keyOf(draft)} className="chip draft" onPress={() => onOpen(draft)} isDisabled={disabled} data-draft={name}>
                <strong>{name}</strong> · {titleOf(draft.operationId)} · {count} change{count === 1 ? "" : "s"}
                {where && <span className="chip-detail"> · {where}</span>}
              </Button>
            );
          })}
        </div>
      )}
      {recent.length > 0 && (
        <div className="memory-row" role="group" aria-label="Recent records">
          <span className="memory-title">Recent</span>
          {recent
            .filter((r) => available.some((o) => o.id === r.operationId))
            .map((record) => {
              const { name, where } = recordName(record);
              return (
                <Button key={keyOf(record)} className="chip" onPress={() => onOpen(record)} isDisabled={disabled} data-recent={name}>
                  <strong>{name}</strong>
                  {where && <span className="chip-detail"> · {where}</span>}
                </Button>
              );
            })}
        </div>
      )}
    </div>
  );
}

/** The record's own name (its last id's), and where it lives (the names of the ids before it). */
function recordNameOf(record: RecentRecord, operations: OperationSummary[]): { name: string; where: string } {
  const keys = operations.find((o) => o.id === record.operationId)?.targets.map((t) => t.key) ?? Object.keys(record.target);
  const last = keys[keys.length - 1] ?? "";
  const parents = keys.slice(0, -1).map((key) => record.labels[key] ?? record.target[key]).filter(Boolean);
  return { name: record.labels[last] ?? record.target[last] ?? "", where: parents.join(" · ") };
}
