import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "../src/App";
import { BackendError, type Backend } from "../src/backend";
import type { ConnectionSummary } from "../src/bindings/ConnectionSummary";
import { BackendProvider } from "../src/context";
import { fakeBackend, sampleTarget, vendorRefusal } from "./fakeBackend";

function renderApp(backend: Backend) {
  return render(
    <BackendProvider backend={backend}>
      <App />
    </BackendProvider>,
  );
}

async function loadSampleUser(user: ReturnType<typeof userEvent.setup>) {
  await user.click(await screen.findByRole("button", { name: "Load" }));
  return (await screen.findByLabelText(/E-mail \(from spec\)/)) as HTMLInputElement;
}

describe("the account-information desk", () => {
  it("preselects Practice and prefills its sample user", async () => {
    renderApp(fakeBackend());
    // The sample ids are prefilled and shown by the names the pickers found for them.
    expect(await screen.findByDisplayValue("Contoso Ltd")).toBeTruthy();
    expect(await screen.findByDisplayValue("Mark Lee")).toBeTruthy();
    expect(screen.getByText(`ID ${sampleTarget.userId}`)).toBeTruthy();
    expect(screen.getAllByText("Practice").length).toBeGreaterThan(0);
  });

  it("prefills the sample user of another vendor's Practice connection by that vendor's keys", async () => {
    const msp360Practice: ConnectionSummary = {
      id: "practice-msp360",
      name: "Practice (MSP360 sandbox)",
      vendor: "MSP360 Managed Backup",
      vendorId: "msp360",
      description: "Sandbox",
      isPractice: true,
      secretState: "built_in",
      sampleTarget: { userId: "u-2" },
    };
    renderApp(fakeBackend({ listConnections: async () => ({ connections: [msp360Practice], selectedId: msp360Practice.id }) }));
    expect(await screen.findByDisplayValue("Adele Vance")).toBeTruthy();
    expect(screen.getByText("ID u-2")).toBeTruthy();
  });

  it("renders the form from the field definitions with counters", async () => {
    const user = userEvent.setup();
    renderApp(fakeBackend());
    const mail = await loadSampleUser(user);
    expect(mail.value).toBe("mark@contoso.example");
    expect(screen.getByText("20 / 256")).toBeTruthy();
    expect(screen.getByRole("switch", { name: /Enforce a start date/ })).toBeTruthy();
    expect(screen.getByRole("combobox", { name: /Usage location/ })).toBeTruthy();
  });

  it("shows an invalid mail inline and sends nothing", async () => {
    const user = userEvent.setup();
    const backend = fakeBackend();
    renderApp(backend);
    const mail = await loadSampleUser(user);
    await user.clear(mail);
    await user.type(mail, "not-an-address");
    expect(await screen.findByText(/must be an email address/)).toBeTruthy();
    await user.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(backend.checkEdits).toHaveBeenCalled());
    expect(backend.applyPlan).not.toHaveBeenCalled();
    expect(mail.value).toBe("not-an-address");
  });

  it("saves only the changed field and names it", async () => {
    const user = userEvent.setup();
    const backend = fakeBackend();
    renderApp(backend);
    const mail = await loadSampleUser(user);
    await user.clear(mail);
    await user.type(mail, "new@contoso.example");
    await user.click(screen.getByRole("button", { name: "Save" }));
    await user.click(await screen.findByRole("button", { name: "Save 1 change" }));
    const saved = await screen.findByText(/Saved\./);
    expect(saved.parentElement?.textContent).toContain("E-mail (from spec)");
    expect(saved.parentElement?.textContent).toContain("req-42");
    expect(backend.applied).toEqual([
      { connectionId: "practice", operation: "avepoint.account-information", target: sampleTarget, edits: { mail: "new@contoso.example" } },
    ]);
  });

  it("keeps typed values and explains a vendor refusal", async () => {
    const user = userEvent.setup();
    const backend = fakeBackend({ applyPlan: async () => Promise.reject(vendorRefusal()) });
    renderApp(backend);
    const mail = await loadSampleUser(user);
    await user.clear(mail);
    await user.type(mail, "kept@contoso.example");
    await user.click(screen.getByRole("button", { name: "Save" }));
    await user.click(await screen.findByRole("button", { name: "Save 1 change" }));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("The vendor refused the change");
    expect(alert.textContent).toContain("req-9");
    expect(mail.value).toBe("kept@contoso.example");
  });

  it("a record changed at the vendor since the review is not saved, names the field and reloads on request", async () => {
    const user = userEvent.setup();
    const message = "Preferred language changed since the review: it was \"af-NA\", it is now \"de-DE\".";
    const backend = fakeBackend({
      applyPlan: async () =>
        Promise.reject(
          new BackendError({
            code: "changed_since_review",
            message: "Nothing was saved: this record changed at the vendor since you reviewed it (Preferred language). Review the change again.",
            fieldErrors: [{ field: "preferredLanguage", message }],
          }),
        ),
    });
    renderApp(backend);
    const mail = await loadSampleUser(user);
    await user.clear(mail);
    await user.type(mail, "kept@contoso.example");
    await user.click(screen.getByRole("button", { name: "Save" }));
    await user.click(await screen.findByRole("button", { name: "Save 1 change" }));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("The record changed since your review");
    expect(alert.textContent).toContain("(Preferred language)");
    expect(await screen.findByText(message)).toBeTruthy();
    expect(mail.value).toBe("kept@contoso.example");
    await user.click(within(alert).getByRole("button", { name: "Load the current values" }));
    await waitFor(() => expect(backend.openRecord).toHaveBeenCalledTimes(2));
  });

  it("reviews each change as before → after and sends nothing until confirmed", async () => {
    const user = userEvent.setup();
    const backend = fakeBackend();
    renderApp(backend);
    const mail = await loadSampleUser(user);
    await user.clear(mail);
    await user.type(mail, "new@contoso.example");
    await user.click(screen.getByRole("button", { name: "Save" }));
    const dialog = await screen.findByRole("dialog");
    expect(dialog.textContent).toContain("mark@contoso.example → new@contoso.example");
    expect(dialog.textContent).toContain(sampleTarget.userId);
    expect(backend.applyPlan).not.toHaveBeenCalled();
    await user.click(screen.getByRole("button", { name: "Go back" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(backend.applyPlan).not.toHaveBeenCalled();
    expect(mail.value).toBe("new@contoso.example");
  });

  it("says when there is nothing to save", async () => {
    const user = userEvent.setup();
    const backend = fakeBackend();
    renderApp(backend);
    await loadSampleUser(user);
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByText(/Nothing to save/)).toBeTruthy();
    expect(backend.applyPlan).not.toHaveBeenCalled();
  });

  it("turns a plain-string rejection into a readable error", async () => {
    const user = userEvent.setup();
    const backend = fakeBackend({ openRecord: async () => Promise.reject("invalid args `target`") });
    renderApp(backend);
    await user.click(await screen.findByRole("button", { name: "Load" }));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("Something went wrong in Switchboard");
  });
});
