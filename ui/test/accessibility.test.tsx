// Automated accessibility checks (axe-core) on the main screens: labels, roles, ARIA states,
// names of buttons and fields. Contrast needs real layout, so it is checked by hand in both themes.
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import axe from "axe-core";
import { describe, expect, it } from "vitest";
import { App } from "../src/App";
import type { Backend } from "../src/backend";
import { BackendProvider } from "../src/context";
import { fakeBackend, vendorRefusal } from "./fakeBackend";

function renderApp(backend: Backend) {
  return render(
    <BackendProvider backend={backend}>
      <App />
    </BackendProvider>,
  );
}

// jsdom has no canvas; axe only uses it to spot icon-font ligatures, which this UI doesn't use.
HTMLCanvasElement.prototype.getContext = (() => null) as typeof HTMLCanvasElement.prototype.getContext;

async function violations(): Promise<string[]> {
  const result = await axe.run(document.body, { rules: { "color-contrast": { enabled: false } } });
  return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join("; ")})`);
}

describe("accessibility", () => {
  it("the desk with a loaded form, a field error and a vendor error", async () => {
    const user = userEvent.setup();
    renderApp(fakeBackend({ applyPlan: async () => Promise.reject(vendorRefusal()) }));
    await user.click(await screen.findByRole("button", { name: "Load" }));
    const mail = await screen.findByLabelText(/E-mail \(from spec\)/);
    expect(await violations()).toEqual([]);
    await user.clear(mail);
    await user.type(mail, "not-an-address");
    await screen.findByText(/must be an email address/);
    expect(await violations()).toEqual([]);
  });

  it("the review dialog", async () => {
    const user = userEvent.setup();
    renderApp(fakeBackend());
    await user.click(await screen.findByRole("button", { name: "Load" }));
    const mail = await screen.findByLabelText(/E-mail \(from spec\)/);
    await user.type(mail, "x");
    await user.click(screen.getByRole("button", { name: "Save" }));
    await screen.findByRole("dialog");
    expect(await violations()).toEqual([]);
  });

  it("the connections page", async () => {
    const user = userEvent.setup();
    renderApp(fakeBackend());
    await user.click(await screen.findByRole("button", { name: "Connections" }));
    await screen.findByRole("button", { name: "New connection" });
    expect(await violations()).toEqual([]);
  });

  it("the people page with results and the side-by-side table", async () => {
    const user = userEvent.setup();
    renderApp(fakeBackend());
    await user.click(await screen.findByRole("button", { name: "People" }));
    await user.type(await screen.findByLabelText("Name or email address"), "anna.berg@northwind.example");
    await user.click(screen.getByRole("button", { name: "Search" }));
    await user.click(await screen.findByRole("button", { name: /Side by side/ }));
    await screen.findByRole("table");
    expect(await violations()).toEqual([]);
  });
});
