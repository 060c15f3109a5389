import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it } from "vitest";
import type { FieldSpec } from "../src/bindings/FieldSpec";
import type { OperationSpec } from "../src/bindings/OperationSpec";
import { OperationForm } from "../src/components/OperationForm";
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

describe("a date governed by a switch", () => {
  const spec = {
    id: "avepoint.account-information",
    vendor: "AvePoint",
    title: "Account information",
    fields: [
      { key: "enforceStart", label: "Enforce a start date", help: "", kind: "boolean", meaning: "access_start_enforced", required: true },
      {
        key: "enforceStartDateTime",
        label: "Start date and time",
        help: "When the user's access starts.",
        kind: "date_time_utc",
        meaning: "access_start",
        required: true,
        appliesWhen: "enforceStart",
      },
    ],
  } satisfies OperationSpec;

  function Form({ initial }: { initial: Record<string, FieldValue> }) {
    const [values, setValues] = useState(initial);
    return <OperationForm spec={spec} values={values} original={initial} errors={{}} onChange={(key, value) => setValues({ ...values, [key]: value })} />;
  }

  it("is not asked for while the switch is off, and the vendor's epoch reads as Not set", async () => {
    const user = userEvent.setup();
    const { container } = render(<Form initial={{ enforceStart: false, enforceStartDateTime: "1970-01-01T00:00:00Z" }} />);
    const date = container.querySelector("[data-field='enforceStartDateTime']")!;
    expect(date.textContent).toBe("Not set");
    expect(date.getAttribute("aria-disabled")).toBe("true");
    expect(container.textContent).not.toContain("1970");
    // Not marked required while off.
    expect(container.querySelectorAll(".required")).toHaveLength(0);

    await user.click(screen.getByRole("switch", { name: /Enforce a start date/ }));
    // On: an empty, editable date picker (no 1/1/1970 to mistake for a real date), now required.
    expect(container.querySelector("[data-not-set]")).toBeNull();
    expect(screen.getAllByRole("spinbutton").length).toBeGreaterThan(0);
    expect(container.querySelectorAll(".required")).toHaveLength(1);
    expect(container.textContent).not.toContain("1970");
  });

  it("shows a real date whether or not the switch is on", () => {
    const { container } = render(<Form initial={{ enforceStart: false, enforceStartDateTime: "2026-03-01T09:00:00Z" }} />);
    expect(container.querySelector("[data-not-set]")).toBeNull();
    expect(container.textContent).toContain("sent as UTC: 2026-03-01T09:00:00Z");
  });
});
