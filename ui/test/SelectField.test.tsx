import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { SelectField } from "../src/components/SelectField";

describe("the shared select", () => {
  it("names itself, shows the choice and its help, and reports a pick by id", async () => {
    const user = userEvent.setup();
    const onChange = vi.fn();
    const options = [
      { id: "commercial", label: "Commercial" },
      { id: "gov", label: "US Government" },
    ];
    render(<SelectField label="Environment" field="environment" options={options} selected="commercial" description="Where it runs." onChange={onChange} />);
    const button = screen.getByRole("button", { name: /Environment/ });
    expect(button.getAttribute("data-field")).toBe("environment");
    expect(button.textContent).toContain("Commercial");
    expect(screen.getByText("Where it runs.")).toBeTruthy();
    await user.click(button);
    await user.click(await screen.findByRole("option", { name: "US Government" }));
    expect(onChange).toHaveBeenCalledWith("gov");
  });
});
