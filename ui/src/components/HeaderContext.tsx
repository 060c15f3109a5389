import type { ConnectionSummary } from "../bindings/ConnectionSummary";
import type { Crumb } from "./Desk";

/**
 * Where a save would go (connection › customer › tenant › user), on one line in the header.
 * Long names end in an ellipsis there; hovering or focusing the line shows every name whole.
 */
export function HeaderContext({ connection, crumbs }: { connection: ConnectionSummary | null; crumbs: Crumb[] }) {
  const vendor = connection ? (connection.isPractice ? "Practice" : connection.vendor) : null;
  const whole = crumbs.map((crumb) => `${crumb.label}: ${crumb.value}`).join(", ");
  return (
    <div
      className="context"
      role="group"
      aria-label={whole ? `Where your changes go: ${whole}` : "Where your changes go"}
      aria-describedby={crumbs.length > 0 ? "context-tooltip" : undefined}
      tabIndex={crumbs.length > 0 ? 0 : undefined}
      data-context
    >
      <div className="context-line">
        {vendor && <span className={connection?.isPractice ? "pill practice" : "pill"}>{vendor}</span>}
        {/* Names only, to leave them room; what each one is (customer, tenant, …) is in the tooltip. */}
        {crumbs.map((crumb, index) => (
          <span key={crumb.label} className="crumb" data-crumb={crumb.label}>
            {index > 0 && <span aria-hidden="true">›</span>}
            <strong className="crumb-value">{crumb.value}</strong>
          </span>
        ))}
      </div>
      {crumbs.length > 0 && (
        <div className="context-tooltip" role="tooltip" id="context-tooltip" data-context-tooltip>
          <dl>
            {crumbs.map((crumb) => (
              <div key={crumb.label} style={{ display: "contents" }}>
                <dt>{crumb.label}</dt>
                <dd>{crumb.value}</dd>
              </div>
            ))}
          </dl>
        </div>
      )}
    </div>
  );
}
