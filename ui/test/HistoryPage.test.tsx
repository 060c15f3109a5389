import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "../src/App";
import type { Backend } from "../src/backend";
import type { UndoStart } from "../src/bindings/UndoStart";
import { BackendProvider } from "../src/context";
import { fakeBackend, sampleTarget } from "./fakeBackend";
// The app loads this page on demand; loading it here keeps its first transform out of a test's waits.
import "../src/components/HistoryPage";

function renderApp(backend: Backend) {
  return render(
    <BackendProvider backend={backend}>
      <App />
    </BackendProvider>,
  );
}

/** Saves a new mail on the desk, then opens the History page. */
async function saveThenOpenHistory(user: ReturnType<typeof userEvent.setup>) {
  await user.click(await screen.findByRole("button", { name: "Load" }));
  const mail = (await screen.findByLabelText(/E-mail \(from spec\)/)) as HTMLInputElement;
  await user.clear(mail);
  await user.type(mail, "new@contoso.example");
  await user.click(screen.getByRole("button", { name: "Save" }));
  await user.click(await screen.findByRole("button", { name: "Save 1 change" }));
  await screen.findByText(/Saved\./);
  await user.click(screen.getByRole("button", { name: "History" }));
  return await screen.findByRole("button", { name: /Mark Lee/ });
}

describe("the history page", () => {
  it("lists a desk save, shows its detail and undoes it through a review", async () => {
    const user = userEvent.setup();
    const backend = fakeBackend();
    renderApp(backend);
    const row = await saveThenOpenHistory(user);
    expect(row.textContent).toContain("Done");
    expect(row.textContent).toContain("mail: mark@contoso.example → new@contoso.example");
    await user.click(row);
    const detail = document.querySelector("[data-entry-detail]") as HTMLElement;
    expect(detail.textContent).toContain("ana on desk-7, from the desk");
    await user.click(within(detail).getByRole("button", { name: "Undo…" }));
    const dialog = await screen.findByRole("dialog");
    expect(dialog.textContent).toContain("Review the undo");
    expect(dialog.textContent).toContain("new@contoso.example → mark@contoso.example");
    await user.click(within(dialog).getByRole("button", { name: "Undo 1 change" }));
    expect(await screen.findByText(/Undone: mail is mark@contoso.example again/)).toBeTruthy();
    expect(backend.applied[1]).toEqual({
      connectionId: "practice",
      operation: "avepoint.account-information",
      target: sampleTarget,
      edits: { mail: "mark@contoso.example" },
    });
  });

  it("a field changed since shows before, after and now, and is only put back when chosen", async () => {
    const user = userEvent.setup();
    const backend = fakeBackend();
    const realOpenUndo = backend.openUndo;
    backend.openUndo = async (entryId: string): Promise<UndoStart> => {
      const start = await realOpenUndo(entryId);
      return {
        ...start,
        check: { ...start.check, fields: start.check.fields.map((f) => ({ ...f, now: "someone@else.example", moved: true })) },
      };
    };
    renderApp(backend);
    await user.click(await saveThenOpenHistory(user));
    await user.click(screen.getByRole("button", { name: "Undo…" }));
    const dialog = await screen.findByRole("dialog");
    expect(dialog.textContent).toContain("The record changed since");
    expect(dialog.textContent).toContain("mail: before mark@contoso.example, after new@contoso.example, now someone@else.example");
    // Keeping what is there now sends nothing.
    await user.click(within(dialog).getByRole("button", { name: "Review" }));
    expect(await screen.findByText(/Nothing to undo/)).toBeTruthy();
    expect(backend.reviewEdits).toHaveBeenCalledTimes(1);

    await user.click(screen.getByRole("button", { name: "Undo…" }));
    const again = await screen.findByRole("dialog");
    await user.click(within(again).getByRole("radio", { name: "Put back mark@contoso.example" }));
    await user.click(within(again).getByRole("button", { name: "Review" }));
    await user.click(await screen.findByRole("button", { name: "Undo 1 change" }));
    await waitFor(() => expect(backend.applied).toHaveLength(2));
    expect(backend.applied[1]!.edits).toEqual({ mail: "mark@contoso.example" });
  });

  it("filters by outcome and exports what is shown", async () => {
    const user = userEvent.setup();
    const backend = fakeBackend();
    renderApp(backend);
    await saveThenOpenHistory(user);
    await user.type(screen.getByRole("searchbox", { name: "Search" }), "nobody-matches");
    await waitFor(() => expect(screen.getByText("0 changes")).toBeTruthy());
    await user.click(screen.getByRole("button", { name: "Export CSV…" }));
    expect(await screen.findByText("Exported to /tmp/history.csv.")).toBeTruthy();
    expect(backend.exportHistory).toHaveBeenCalledWith({ search: "nobody-matches" });
  });
});
