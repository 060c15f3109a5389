// The review before saving: the plan Rust made, field by field as before → after, with its
// warnings and the exact request. Save applies exactly this plan.
import { Button, Dialog, Heading, Modal, ModalOverlay } from "react-aria-components";
import type { FieldSpec } from "../bindings/FieldSpec";
import type { OperationSpec } from "../bindings/OperationSpec";
import type { PlanView } from "../bindings/PlanView";
import type { TargetField } from "../bindings/TargetField";
import { isUnsetDate } from "../components/FieldInput";
import type { Target } from "./reducer";

export interface ReviewDialogProps {
  plan: PlanView | null;
  spec: OperationSpec | null;
  connectionName: string;
  /** The names of where the change goes, from the customer down to the record. */
  names: string[];
  target: Target;
  targets: TargetField[];
  onConfirm(): void;
  onClose(): void;
}

export function ReviewDialog({ plan, spec, connectionName, names, target, targets, onConfirm, onClose }: ReviewDialogProps) {
  const fieldOf = (key: string) => spec?.fields.find((f) => f.key === key);
  const count = plan?.changes.length ?? 0;
  return (
    <ModalOverlay isOpen={plan != null} onOpenChange={(open) => !open && onClose()} isDismissable className="modal-overlay">
      <Modal className="modal">
        <Dialog className="dialog" data-review>
          <Heading slot="title">Review the change</Heading>
          <p>
            {spec?.vendor} · {spec?.title} for <strong data-review-target>{recordTitle(names)}</strong> via {connectionName}.
          </p>
          <p className="help mono">
            {Object.entries(target)
              .map(([key, value]) => `${targets.find((t) => t.key === key)?.label ?? key} ${value}`)
              .join(" · ")}
          </p>
          <ul className="review-list">
            {plan?.changes.map((change) => (
              <li key={change.field} data-change={change.field}>
                <strong>{change.label}:</strong> {shown(change.before, fieldOf(change.field))} → {shown(change.after, fieldOf(change.field))}
              </li>
            ))}
          </ul>
          {plan && plan.warnings.length > 0 && (
            <ul className="review-warnings" data-review-warnings>
              {plan.warnings.map((warning) => (
                <li key={warning.field}>
                  <strong>{fieldOf(warning.field)?.label ?? warning.field}:</strong> {warning.message}
                </li>
              ))}
            </ul>
          )}
          {plan?.request && (
            <details className="review-request" data-review-request>
              <summary>The exact request</summary>
              <p className="help mono">
                {plan.request.method} {plan.request.path}
              </p>
              <pre className="mono">{JSON.stringify(plan.request.body, null, 2)}</pre>
            </details>
          )}
          <div className="actions">
            <Button className="button primary" onPress={onConfirm} data-action="confirm-save" autoFocus>
              Save {count} change{count === 1 ? "" : "s"}
            </Button>
            <Button className="button" onPress={onClose} data-action="back-to-form">
              Go back
            </Button>
          </div>
        </Dialog>
      </Modal>
    </ModalOverlay>
  );
}

/** "Adele Vance (Contoso Ltd › contoso.onmicrosoft.com)": the record, then where it lives. */
export function recordTitle(names: string[]): string {
  const record = names[names.length - 1] ?? "";
  return names.length > 1 ? `${record} (${names.slice(0, -1).join(" › ")})` : record;
}

/** A value as the review shows it: choices by their readable name, passwords never. */
export function shown(value: unknown, field?: FieldSpec): string {
  if (field?.kind === "password") return "will be changed";
  const choice = field?.choices?.find((c) => c.value === value);
  if (choice) return choice.label.includes(choice.value) ? choice.label : `${choice.label} (${choice.value})`;
  if (value == null) return "(none)";
  if (field?.kind === "date_time_utc" && typeof value === "string" && isUnsetDate(value)) return "Not set";
  if (value === "") return "(empty)";
  if (typeof value === "boolean") return value ? "On" : "Off";
  if (Array.isArray(value)) return value.length === 0 ? "(none)" : value.join(", ");
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}
