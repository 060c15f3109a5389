import { Button } from "react-aria-components";
import type { BackendError } from "../backend";
import { errorTitles } from "../messages";

/** A failed call in plain language, with the vendor's words one click away for support. */
export function ErrorBanner({ error, action }: { error: BackendError; action?: { label: string; onPress(): void } }) {
  const hasDetails = error.vendorMessage != null || error.reference != null;
  return (
    <div className="banner error" role="alert" data-outcome="error" data-code={error.code}>
      <strong>{errorTitles[error.code]}.</strong> {error.message}
      <p className="help">Your typed values are kept; nothing was lost.</p>
      {action && (
        <Button className="button" onPress={action.onPress} data-action="error-action">
          {action.label}
        </Button>
      )}
      {hasDetails && (
        <details>
          <summary>Details for support</summary>
          {error.vendorMessage && <p className="mono">{error.vendorMessage}</p>}
          {error.reference && (
            <p>
              Reference: <code>{error.reference}</code>
            </p>
          )}
        </details>
      )}
    </div>
  );
}
