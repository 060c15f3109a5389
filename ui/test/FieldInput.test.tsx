import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it } from "vitest";
import type { FieldSpec } from "../src/bindings/FieldSpec";
import { FieldInput } from "../src/components/FieldInput";
import type { FieldValue } from "../src/form";

const country: FieldSpec = {
  key: "countryRegion",
  label: "Country or region",
  help: "As the vendor shows it.",
  kind: "text",
  meaning: "country",
  required: true,
  maxLength: 255,
  suggestions: [
    { value: "Germany", label: "Germany (DE)" },
    { value: "United States", label: "United States (US)" },
  ],
};

function Harness({ field, initial }: { field: FieldSpec; initial: FieldValue }) {
  const [value, setValue] = useState<FieldValue>(initial);
  return (
    <>
      <FieldInput field={field} value={value} dirty={false} onChange={setValue} />
      <output data-testid="value">{String(value)}</output>
    </>
  );
}

describe("a text field with suggestions", () => {
  it("offers the list as you type, sends the vendor's spelling, and still takes any text", async () => {
    const user = userEvent.setup();
    render(<Harness field={country} initial="United States" />);
    const input = screen.getByRole("combobox") as HTMLInputElement;
    await user.clear(input);
    await user.type(input, "Germ");
    await user.click(await screen.findByRole("option", { name: "Germany (DE)" }));
    expect(screen.getByTestId("value").textContent).toBe("Germany");
    await user.clear(input);
    await user.type(input, "Atlantis");
    await user.keyboard("{Escape}");
    expect(screen.getByTestId("value").textContent).toBe("Atlantis");
  });
});
