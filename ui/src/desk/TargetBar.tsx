// "Find the record": the connection, what to change, and the pickers for the ids it needs.
import type { ReactNode } from "react";
import { Button, Form } from "react-aria-components";
import type { ConnectionSummary } from "../bindings/ConnectionSummary";
import type { OperationSummary } from "../bindings/OperationSummary";
import type { RecentRecord } from "../bindings/RecentRecord";
import { RecordPicker } from "../components/RecordPicker";
import { SelectField } from "../components/SelectField";
import type { Picks } from "./reducer";

export interface TargetBarProps {
  connections: ConnectionSummary[];
  connectionId: string | null;
  connection: ConnectionSummary | null;
  operations: OperationSummary[];
  /** The operations of the connection's vendor, and the one picked. */
  available: OperationSummary[];
  operation: OperationSummary | null;
  picks: Picks;
  recent: RecentRecord[];
  fieldErrors: Record<string, string>;
  busy: "loading" | "saving" | null;
  /** Load waits for the operation's form definition. */
  canLoad: boolean;
  /** Recent records and unsent edits, between the choices and the pickers. */
  memory: ReactNode;
  onConnection(id: string): void;
  onOperation(id: string): void;
  onPick(key: string, id: string, label?: string): void;
  onLoad(): void;
}

export function TargetBar(props: TargetBarProps) {
  const { connections, connectionId, connection, operations, available, operation, picks, recent, fieldErrors, busy } = props;
  const saving = busy === "saving";
  return (
    <section className="card" aria-labelledby="find-heading">
      <h1 id="find-heading">Find the record</h1>
      <div className="target-grid">
        <SelectField
          className="connection-select"
          label="Connection"
          field="connection"
          options={connections.map((c) => ({ id: c.id, label: c.name }))}
          selected={connectionId}
          isDisabled={saving}
          onChange={props.onConnection}
        />
        <SelectField
          label="What to change"
          field="operation"
          options={available.map((o) => ({ id: o.id, label: o.title }))}
          selected={operation?.id ?? null}
          isDisabled={saving}
          onChange={props.onOperation}
        />
      </div>
      {connection && <p className="help">{connection.description}</p>}
      {props.memory}
      <Form
        className="target-grid"
        validationBehavior="aria"
        onSubmit={(event) => {
          event.preventDefault();
          props.onLoad();
        }}
      >
        {connectionId &&
          operation?.targets.map((field, index) => {
            const before = operation.targets.slice(0, index);
            const missing = before.find(({ key }) => !(picks.ids[key] ?? "").trim());
            return (
              <RecordPicker
                // Not keyed on the operation: AvePoint's two operations share their pickers' lists.
                key={`${connectionId}|${field.key}`}
                disabled={saving}
                connectionId={connectionId}
                operationId={operation.id}
                field={field}
                parentTarget={missing ? null : Object.fromEntries(before.map(({ key }) => [key, picks.ids[key]!.trim()]))}
                waitingFor={missing?.noun}
                recentIds={[
                  ...new Set(
                    recent
                      .filter((r) => r.operationId === operation.id || operations.find((o) => o.id === r.operationId)?.vendor === operation.vendor)
                      .filter((r) => before.every(({ key }) => r.target[key] === picks.ids[key]))
                      .map((r) => r.target[field.key])
                      .filter((id): id is string => !!id),
                  ),
                ]}
                value={picks.ids[field.key] ?? ""}
                valueLabel={picks.names[field.key]}
                error={fieldErrors[field.key]}
                onChange={(id, label) => props.onPick(field.key, id, label)}
              />
            );
          })}
        <div className="actions">
          <Button type="submit" className="button primary" isDisabled={busy != null || !props.canLoad} data-action="load">
            {busy === "loading" ? "Loading…" : "Load"}
          </Button>
        </div>
      </Form>
    </section>
  );
}
