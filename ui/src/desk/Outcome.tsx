// What became of the last step: retrying, saved (with the vendor's reference), nothing to save, or
// an error in plain language. Scrolled into view when it changes.
import { useEffect, useRef } from "react";
import type { OperationSpec } from "../bindings/OperationSpec";
import type { RetryNotice } from "../bindings/RetryNotice";
import { ErrorBanner } from "../components/ErrorBanner";
import type { Outcome as OutcomeState } from "./reducer";

export interface OutcomeProps {
  outcome: OutcomeState | null;
  /** Shown while a load or save waits to try again. */
  retry: RetryNotice | null;
  spec: OperationSpec | null;
  /** After `changed_since_review`: read the record again, keeping the form's edits. */
  onReload?(): void;
}

export function Outcome({ outcome, retry, spec, onReload }: OutcomeProps) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (outcome) ref.current?.scrollIntoView?.({ block: "nearest", behavior: "smooth" });
  }, [outcome]);
  const vendor = spec?.vendor;
  const labelOf = (key: string) => spec?.fields.find((f) => f.key === key)?.label ?? key;
  return (
    <div ref={ref} className="outcome-area">
      <div aria-live="polite" className="outcome">
        {retry && (
          <div className="banner info" role="status" data-outcome="retrying">
            {retryMessage(retry)}
          </div>
        )}
        {outcome?.kind === "saved" && (
          <div className="banner success" role="status" data-outcome="saved">
            <strong>Saved.</strong>{" "}
            {outcome.receipt.changedFields.length > 0
              ? `${vendor ?? "The vendor"} now has the new ${outcome.receipt.changedFields.map(labelOf).join(", ")}.`
              : "Nothing needed changing."}
            {outcome.receipt.requestId && (
              <span className="reference">
                {" "}
                Reference: <code>{outcome.receipt.requestId}</code>
              </span>
            )}
          </div>
        )}
        {outcome?.kind === "unchanged" && (
          <div className="banner info" role="status" data-outcome="unchanged">
            Nothing to save: every field still matches what {vendor ?? "the vendor"} holds.
          </div>
        )}
      </div>
      {outcome?.kind === "error" && (
        <ErrorBanner
          error={outcome.error}
          action={
            outcome.error.code === "changed_since_review" && onReload
              ? // The edits come back on top of the fresh values, as a draft would.
                { label: "Load the current values", onPress: onReload }
              : undefined
          }
        />
      )}
    </div>
  );
}

/** "AvePoint is busy; trying again in 2 s (attempt 2 of 4)…" */
export function retryMessage(notice: RetryNotice): string {
  const seconds = Math.max(1, Math.ceil(notice.waitMs / 1000));
  const what = {
    busy: `${notice.vendor} is busy`,
    unavailable: `${notice.vendor} had a problem on its side`,
    unreachable: `Switchboard can't reach ${notice.vendor} right now`,
  }[notice.reason];
  return `${what}; trying again in ${seconds} s (attempt ${notice.nextAttempt} of ${notice.maxAttempts})…`;
}
