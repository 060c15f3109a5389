import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { BackendError } from "../src/backend";
import { ErrorBanner } from "../src/components/ErrorBanner";

describe("ErrorBanner", () => {
  it("gives an answer too large to read its own headline and keeps the vendor's words for support", () => {
    render(
      <ErrorBanner
        error={
          new BackendError({
            code: "response_too_large",
            message: "AvePoint sent an answer larger than Switchboard reads (4 MiB), so it was not read.",
            fieldErrors: [],
            vendorMessage: "Content-Length: 5242880 bytes",
          })
        }
      />,
    );
    const alert = screen.getByRole("alert");
    expect(alert.dataset.code).toBe("response_too_large");
    expect(alert.textContent).toContain("The vendor's reply was too large.");
    expect(alert.textContent).toContain("AvePoint sent an answer larger than Switchboard reads");
    expect(screen.getByText("Content-Length: 5242880 bytes")).toBeTruthy();
  });
});
