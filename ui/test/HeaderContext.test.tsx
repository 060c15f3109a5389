import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { ConnectionSummary } from "../src/bindings/ConnectionSummary";
import { HeaderContext } from "../src/components/HeaderContext";

const practice = { id: "practice", name: "Practice", vendor: "AvePoint", isPractice: true } as ConnectionSummary;
const customer = "Contoso Pharmaceuticals and Medical Devices International Holdings"; // 66 characters

describe("the header's context line", () => {
  it("names every part whole for hover, focus and screen readers, whatever the ellipsis hides", () => {
    render(
      <HeaderContext
        connection={practice}
        crumbs={[
          { label: "Connection", value: "Practice" },
          { label: "customer", value: customer },
          { label: "user", value: "Adele Vance" },
        ]}
      />,
    );
    const group = screen.getByRole("group", { name: /^Where your changes go/ });
    expect(group.getAttribute("aria-label")).toContain(`customer: ${customer}`);
    expect(group.tabIndex).toBe(0);
    const tooltip = screen.getByRole("tooltip", { hidden: true });
    expect(tooltip.textContent).toContain(customer);
    expect(group.getAttribute("aria-describedby")).toBe(tooltip.id);
    // The line itself holds each name once, inside an element that can end in an ellipsis.
    expect(group.querySelector("[data-crumb='customer'] .crumb-value")?.textContent).toBe(customer);
  });

  it("is not a tab stop while there is nothing to name", () => {
    render(<HeaderContext connection={practice} crumbs={[]} />);
    expect(screen.getByRole("group").tabIndex).toBe(-1);
    expect(screen.queryByRole("tooltip", { hidden: true })).toBeNull();
  });
});
