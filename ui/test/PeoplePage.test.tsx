import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { ConnectionList } from "../src/bindings/ConnectionList";
import type { ConnectionSummary } from "../src/bindings/ConnectionSummary";
import type { PersonSaveResult } from "../src/bindings/PersonSaveResult";
import { BackendProvider } from "../src/context";
import PeoplePage from "../src/people/PeoplePage";
import {
  cellText,
  memberReason,
  mergeSaveResults,
  pendingEdits,
  retryKeys,
  reviewSummary,
  searchStatus,
  valueText,
} from "../src/people/logic";
import { contoso, fakeBackend, practice } from "./fakeBackend";
import { annaRecords, peopleBackend } from "./peopleFake";

const practiceAt = (id: string, name: string, vendorId: ConnectionSummary["vendorId"]): ConnectionSummary => ({
  ...practice,
  id,
  name,
  vendorId,
  sampleTarget: undefined,
});

const list: ConnectionList = {
  connections: [
    practice,
    practiceAt("practice-partner-center", "Practice (Microsoft Partner Center sandbox)", "partner-center"),
    practiceAt("practice-softwareone", "Practice (SoftwareOne sandbox)", "softwareone"),
    practiceAt("practice-msp360", "Practice (MSP360 sandbox)", "msp360"),
    contoso,
  ],
};

describe("the people page's logic", () => {
  it("says how each connection's search went", () => {
    const base = { connectionId: "x", connectionName: "X" };
    expect(searchStatus({ ...base, result: null }).tone).toBe("busy");
    const done = { connectionId: "x", connectionName: "X", state: { type: "done" as const }, records: annaRecords.slice(0, 1), pages: 1, tookMs: 1 };
    expect(searchStatus({ ...base, result: done }).text).toBe("1 record found");
    expect(searchStatus({ ...base, result: { ...done, records: [] } }).text).toBe("No one found");
    const signIn = searchStatus({ ...base, result: { ...done, records: [], state: { type: "needs_sign_in", message: "Sign in again." } } });
    expect(signIn).toEqual({ text: "Needs sign-in: Sign in again.", tone: "warn" });
    const failed = { type: "failed" as const, error: { code: "unreachable" as const, message: "Offline.", fieldErrors: [] } };
    expect(searchStatus({ ...base, result: { ...done, state: failed } }).tone).toBe("error");
  });

  it("shows a suggestion's confidence and reason, values in the vendor's form", () => {
    expect(memberReason({ recordKey: "k", link: "suggested", reason: "Similar name", confidence: 0.7 })).toBe("Suggested (70 % sure): Similar name");
    expect(memberReason({ recordKey: "k", link: "exact", reason: "Same email address a@b.example", confidence: 1 })).toBe("Same email address a@b.example");
    expect(valueText(["a@b.example", "team@b.example"])).toBe("a@b.example, team@b.example");
    expect(valueText("")).toBe("—");
    const cells = annaRecords[1]!.cells.filter((c) => c.meaning !== "email");
    expect(cellText(cells)).toBe("First name: Anna · Last name: Berg");
  });

  it("reviews only the rows given a new value, trimmed", async () => {
    const view = await peopleBackend().openPerson(annaRecords.map((r) => r.key));
    expect(pendingEdits(view, { surname: "  Lind ", given_name: "   ", display_name: "Ignored: read only" })).toEqual({ surname: "Lind" });
  });

  it("counts the review and retries only the failed parts, keeping the others' results", async () => {
    const fake = peopleBackend();
    const review = await fake.reviewPerson(annaRecords.map((r) => r.key), { surname: "Lind" });
    expect(reviewSummary(review)).toEqual({ sends: 3, fields: 3, flagged: 1 });
    const first = await fake.savePerson(review.id, null);
    expect(retryKeys(first)).toEqual(["practice-msp360|userId=u#op"]);
    const retry = await fake.savePerson(review.id, retryKeys(first));
    const merged: PersonSaveResult = mergeSaveResults(first, retry);
    expect(merged.results.map((r) => r.outcome)).toEqual(["saved", "saved", "saved"]);
    expect(merged.failed).toEqual([]);
    expect(retryKeys(null)).toEqual([]);
  });
});

describe("the people page", () => {
  it("finds Anna at four vendors, shows them side by side, changes the surname once and retries the failed vendor alone", async () => {
    const user = userEvent.setup();
    const backend = fakeBackend();
    render(
      <BackendProvider backend={backend}>
        <PeoplePage list={list} />
      </BackendProvider>,
    );
    await user.type(screen.getByLabelText("Name or email address"), "anna.berg@northwind.example");
    await user.click(screen.getByRole("button", { name: "Search" }));
    const status = await screen.findByRole("list", { name: "Search status per connection" });
    await waitFor(() => expect(status.textContent).toContain("Contoso EU: Needs sign-in"));
    expect(status.textContent).toContain("Practice (MSP360 sandbox): 1 record found");
    expect(backend.searchPerson).toHaveBeenCalledTimes(5);

    const person = await screen.findByText("Anna Berg", { selector: "strong" });
    const group = person.closest("li") as HTMLElement;
    expect(group.textContent).toContain("Same email address anna.berg@northwind.example");
    await user.click(within(group).getByRole("button", { name: "Side by side (4)" }));

    const table = await screen.findByRole("table");
    const given = table.querySelector("[data-row='given_name']") as HTMLElement;
    expect(given.getAttribute("data-differs")).toBe("true");
    expect(given.textContent).toContain("(differs)");
    expect(table.querySelector("[data-row='display_name'] [data-edit]")).toBeNull();
    await user.type(screen.getByLabelText("New last name"), "Lind");
    await user.click(screen.getByRole("button", { name: "Review changes" }));
    expect(backend.reviewPerson).toHaveBeenCalledWith(annaRecords.map((r) => r.key), { surname: "Lind" });

    const review = (await screen.findByRole("heading", { name: /Review: every vendor's change/ })).closest("section") as HTMLElement;
    expect(review.textContent).toContain("Last name: Berg → Lind");
    expect(review.textContent).toContain("can't change last name at AvePoint");
    expect(review.textContent).toContain("The display name follows the name");
    await user.click(within(review).getByRole("button", { name: "Save 3 changes at 3 places" }));
    await waitFor(() => expect(review.textContent).toContain("MSP360 (Practice (MSP360 sandbox)): Not saved. MSP360 is not answering."));
    expect(review.querySelectorAll("[data-result='saved']").length).toBe(2);

    await user.click(within(review).getByRole("button", { name: "Retry the failed (1)" }));
    await waitFor(() => expect(review.querySelectorAll("[data-result='saved']").length).toBe(3));
    expect(backend.savePerson).toHaveBeenLastCalledWith("review-1", ["practice-msp360|userId=u#op"]);
    expect(within(review).queryByRole("button", { name: /Retry the failed/ })).toBeNull();

    // Undone together, as one group.
    await user.click(within(review).getByRole("button", { name: "Undo these changes" }));
    expect(await within(review).findByRole("status")).toHaveProperty("textContent", "Undone at 3 of 3 places.");
    expect(backend.undoPersonSave).toHaveBeenCalledWith("group-1");
  });
});
