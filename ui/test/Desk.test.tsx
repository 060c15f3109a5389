// The desk's find → edit flow around the form: pickers, recent records, drafts and the guard.
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { App } from "../src/App";
import type { Backend } from "../src/backend";
import { BackendProvider } from "../src/context";
import { contoso, current, fakeBackend } from "./fakeBackend";
import type { OpenedRecord } from "../src/bindings/OpenedRecord";
import type { RetryNotice } from "../src/bindings/RetryNotice";

function renderApp(backend: Backend) {
  return render(
    <BackendProvider backend={backend}>
      <App />
    </BackendProvider>,
  );
}

/** A backend whose only connection is a saved one: no sample ids are prefilled. */
function savedConnectionBackend() {
  return fakeBackend({ listConnections: async () => ({ connections: [contoso], selectedId: contoso.id }) });
}

describe("the record pickers", () => {
  it("find customer, tenant and user by name, then load exactly those ids", async () => {
    const user = userEvent.setup();
    const backend = savedConnectionBackend();
    renderApp(backend);
    const userInput = await screen.findByPlaceholderText("Search users or paste an ID");
    expect((userInput as HTMLInputElement).disabled).toBe(true);
    expect(screen.getAllByText("Pick the customer first.")).toHaveLength(2);

    const customer = screen.getByPlaceholderText("Search customers or paste an ID");
    await user.click(customer);
    await user.type(customer, "fab");
    const listbox = await screen.findByRole("listbox");
    expect(within(listbox).queryByText("Contoso Ltd")).toBeNull();
    await user.clear(customer);
    await user.type(customer, "contoso");
    await user.click(await screen.findByRole("option", { name: /Contoso Ltd/ }));
    expect((customer as HTMLInputElement).value).toBe("Contoso Ltd");

    const tenant = screen.getByPlaceholderText("Search tenants or paste an ID");
    await waitFor(() => expect((tenant as HTMLInputElement).disabled).toBe(false));
    await user.click(tenant);
    await user.click(await screen.findByRole("option", { name: /contoso\.onmicrosoft\.com/ }));

    await user.click(userInput);
    await user.type(userInput, "ADELE");
    await user.click(await screen.findByRole("option", { name: /Adele Vance/ }));
    expect(backend.listChoices).toHaveBeenCalledWith("p-1", "avepoint.account-information", "userId", { customerId: "c-1", tenantId: "t-1" }, null);

    // The header names where a save would go.
    const context = screen.getByRole("group", { name: /^Where your changes go/ });
    expect(context.textContent).toContain("Contoso Ltd");
    expect(context.textContent).toContain("Adele Vance");

    await user.click(screen.getByRole("button", { name: "Load" }));
    await screen.findByLabelText(/E-mail \(from spec\)/);
    expect(backend.openRecord).toHaveBeenCalledWith(
      "p-1",
      "avepoint.account-information",
      { customerId: "c-1", tenantId: "t-1", userId: "u-2" },
      expect.any(Function),
    );
  });

  it("take a pasted id and say it will be used as typed", async () => {
    const user = userEvent.setup();
    const backend = savedConnectionBackend();
    renderApp(backend);
    const customer = await screen.findByPlaceholderText("Search customers or paste an ID");
    await user.click(customer);
    await user.paste("966f35cc-61f4-4070-819c-25cdbcf82a07");
    expect(await screen.findByText(/If it is an ID, Load uses it as typed/)).toBeTruthy();
    const tenant = screen.getByPlaceholderText("Search tenants or paste an ID");
    await waitFor(() => expect((tenant as HTMLInputElement).disabled).toBe(false));
  });

  it("say when a list can't be loaded and still take an id", async () => {
    const user = userEvent.setup();
    const backend = fakeBackend({
      listConnections: async () => ({ connections: [contoso], selectedId: contoso.id }),
      listChoices: async () => {
        throw { code: "forbidden", message: "AvePoint says this app may not list customers.", fieldErrors: [] };
      },
    });
    renderApp(backend);
    expect(await screen.findByText("AvePoint says this app may not list customers.")).toBeTruthy();
    expect(screen.getByText("The customer list could not be loaded. You can still paste an ID.")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Try again" })).toBeTruthy();
    void user;
  });
});

describe("recent records and drafts", () => {
  it("a loaded record comes back in one click from Recent", async () => {
    const user = userEvent.setup();
    const backend = fakeBackend();
    renderApp(backend);
    await screen.findByDisplayValue("Contoso Ltd");
    await screen.findByDisplayValue("Mark Lee");
    await user.click(await screen.findByRole("button", { name: "Load" }));
    await screen.findByLabelText(/E-mail \(from spec\)/);
    const recent = await screen.findByRole("group", { name: "Recent records" });
    expect(recent.textContent).toContain("Mark Lee");
    expect(recent.textContent).toContain("Contoso Ltd");
    await user.click(within(recent).getByRole("button", { name: /Mark Lee/ }));
    await waitFor(() => expect(backend.openRecord).toHaveBeenCalledTimes(2));
  });

  it("unsent edits survive a restart, and leaving a dirty form asks first", async () => {
    const user = userEvent.setup();
    const backend = fakeBackend();
    const first = renderApp(backend);
    await user.click(await screen.findByRole("button", { name: "Load" }));
    const mail = (await screen.findByLabelText(/E-mail \(from spec\)/)) as HTMLInputElement;
    await user.clear(mail);
    await user.type(mail, "new@contoso.example");
    await waitFor(() => expect(backend.saveDraft).toHaveBeenCalled(), { timeout: 2000 });
    await waitFor(() => expect((vi.mocked(backend.saveDraft).mock.lastCall?.[0].values as Record<string, unknown>).mail).toBe("new@contoso.example"), {
      timeout: 2000,
    });

    // Loading another record with unsaved changes asks first; "Stay" keeps the form as it is.
    await user.click(screen.getByRole("button", { name: "Load" }));
    const guard = await screen.findByRole("alertdialog");
    expect(guard.textContent).toContain("1 unsaved change to Mark Lee");
    await user.click(within(guard).getByRole("button", { name: "Stay and keep editing" }));
    expect(mail.value).toBe("new@contoso.example");
    expect(backend.openRecord).toHaveBeenCalledTimes(1);

    // A new window (after a crash or restart) loads the record with the edits back in.
    first.unmount();
    renderApp(backend);
    const drafts = await screen.findByRole("group", { name: "Unsent edits" });
    await user.click(within(drafts).getByRole("button", { name: /Mark Lee/ }));
    await screen.findByText(/Your unsent edits from/);
    const restored = (await screen.findByLabelText(/E-mail \(from spec\)/)) as HTMLInputElement;
    expect(restored.value).toBe("new@contoso.example");
    expect(screen.getByText("1 unsaved change")).toBeTruthy();

    // Saving sends the change and forgets the draft.
    await user.click(screen.getByRole("button", { name: "Save" }));
    await user.click(await screen.findByRole("button", { name: /Save 1 change/ }));
    await screen.findByText(/Saved\./);
    await waitFor(() => expect(backend.discardDraft).toHaveBeenCalledWith("practice", "avepoint.account-information", expect.objectContaining({ userId: "u-1" })));
    expect(await backend.listDrafts("practice")).toEqual([]);
  });

  it("discarding changes forgets the draft at once", async () => {
    const user = userEvent.setup();
    const backend = fakeBackend();
    renderApp(backend);
    await user.click(await screen.findByRole("button", { name: "Load" }));
    const mail = (await screen.findByLabelText(/E-mail \(from spec\)/)) as HTMLInputElement;
    await user.type(mail, "x");
    await waitFor(() => expect(backend.saveDraft).toHaveBeenCalled(), { timeout: 2000 });
    await user.click(screen.getByRole("button", { name: "Discard changes" }));
    expect(backend.discardDraft).toHaveBeenCalledWith("practice", "avepoint.account-information", expect.objectContaining({ userId: "u-1" }));
    expect(mail.value).toBe("mark@contoso.example");
    await waitFor(async () => expect(await backend.listDrafts("practice")).toEqual([]));
  });

  it("a save the vendor throttles says it is retrying and when", async () => {
    const user = userEvent.setup();
    let finish: () => void = () => undefined;
    const backend = fakeBackend();
    const realApply = backend.applyPlan;
    backend.applyPlan = vi.fn(async (planId: string, onRetry?: (notice: RetryNotice) => void) => {
      onRetry?.({ vendor: "AvePoint", reason: "busy", waitMs: 2000, nextAttempt: 2, maxAttempts: 4 });
      await new Promise<void>((resolve) => (finish = resolve));
      return realApply(planId);
    });
    renderApp(backend);
    await user.click(await screen.findByRole("button", { name: "Load" }));
    const mail = (await screen.findByLabelText(/E-mail \(from spec\)/)) as HTMLInputElement;
    await user.type(mail, "x");
    await user.click(screen.getByRole("button", { name: "Save" }));
    await user.click(await screen.findByRole("button", { name: /Save 1 change/ }));
    expect(await screen.findByText("AvePoint is busy; trying again in 2 s (attempt 2 of 4)…")).toBeTruthy();
    finish();
    await screen.findByText(/Saved\./);
    expect(screen.queryByText(/trying again/)).toBeNull();
  });

  it("the whole task works from the keyboard alone", async () => {
    const user = userEvent.setup();
    const backend = savedConnectionBackend();
    renderApp(backend);
    const customer = await screen.findByPlaceholderText("Search customers or paste an ID");
    customer.focus();
    await user.keyboard("fab");
    await user.keyboard("{ArrowDown}{Enter}");
    expect((customer as HTMLInputElement).value).toBe("Fabrikam Inc");
    const tenant = screen.getByPlaceholderText("Search tenants or paste an ID");
    await waitFor(() => expect((tenant as HTMLInputElement).disabled).toBe(false));
    await user.tab(); // a combo box's list button is reached by arrow keys, not Tab
    expect(document.activeElement).toBe(tenant);
    await user.keyboard("{ArrowDown}{Enter}");
    const userInput = screen.getByPlaceholderText("Search users or paste an ID");
    await waitFor(() => expect((userInput as HTMLInputElement).disabled).toBe(false));
    await user.tab();
    expect(document.activeElement).toBe(userInput);
    await user.keyboard("mark{ArrowDown}{Enter}");
    await user.tab();
    expect(document.activeElement).toBe(screen.getByRole("button", { name: "Load" }));
    await user.keyboard("{Enter}");
    const mail = await screen.findByLabelText(/E-mail \(from spec\)/);
    await waitFor(() => expect(document.activeElement).toBe(mail));
    await user.keyboard("{End}x{Enter}");
    await screen.findByRole("dialog");
    await user.keyboard("{Enter}");
    await screen.findByText(/Saved\./);
    expect(backend.applied).toEqual([
      { connectionId: "p-1", operation: "avepoint.account-information", target: { customerId: "c-2", tenantId: "t-1", userId: "u-1" }, edits: { mail: "mark@contoso.examplex" } },
    ]);
  });

  it("a half-typed search asks the vendor for nothing below it", async () => {
    const user = userEvent.setup();
    const backend = savedConnectionBackend();
    renderApp(backend);
    const customer = await screen.findByPlaceholderText("Search customers or paste an ID");
    await user.click(customer);
    await user.type(customer, "contoso ltd");
    const asked = vi.mocked(backend.listChoices).mock.calls.filter(([, , key]) => key !== "customerId");
    expect(asked).toEqual([]);
  });

  it("a read that answers late never replaces the record opened after it", async () => {
    const user = userEvent.setup();
    const backend = fakeBackend();
    const pending = new Map<string, (value: Record<string, unknown>) => void>();
    backend.openRecord = vi.fn(
      (_connection: string, _operation: string, target: Record<string, string>) =>
        new Promise<OpenedRecord>((resolve) => pending.set(target.userId!, (values) => resolve({ recordId: `r-${target.userId}`, values }))),
    );
    await backend.rememberRecord("practice", {
      operationId: "avepoint.account-information",
      target: { customerId: "c-1", tenantId: "t-1", userId: "u-2" },
      labels: { userId: "Adele Vance" },
    });
    renderApp(backend);
    await user.click(await screen.findByRole("button", { name: "Load" }));
    await waitFor(() => expect(pending.has("u-1")).toBe(true));
    await user.click(within(await screen.findByRole("group", { name: "Recent records" })).getByRole("button", { name: /Adele Vance/ }));
    await waitFor(() => expect(pending.has("u-2")).toBe(true));
    pending.get("u-2")!({ ...current, mail: "adele@contoso.example" });
    const mail = (await screen.findByLabelText(/E-mail \(from spec\)/)) as HTMLInputElement;
    expect(mail.value).toBe("adele@contoso.example");
    pending.get("u-1")!({ ...current, mail: "mark@contoso.example" });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((screen.getByLabelText(/E-mail \(from spec\)/) as HTMLInputElement).value).toBe("adele@contoso.example");
    expect(screen.getByRole("group", { name: /^Where your changes go/ }).textContent).toContain("Adele Vance");
  });
});
