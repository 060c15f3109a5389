import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "../src/App";
import type { Backend } from "../src/backend";
import { BackendProvider } from "../src/context";
import { progressLine, paceProblem, summary, timeLeft } from "../src/bulk/model";
import { bulkJob, fakeBackend } from "./fakeBackend";
// The app loads this page on demand; loading it here keeps its first transform out of a test's waits.
import "../src/bulk/BulkPage";

function renderApp(backend: Backend) {
  return render(
    <BackendProvider backend={backend}>
      <App />
    </BackendProvider>,
  );
}

async function openBulk(user: ReturnType<typeof userEvent.setup>) {
  await user.click(await screen.findByRole("button", { name: "Bulk" }));
  return await screen.findByRole("heading", { name: "Bulk changes" });
}

describe("the bulk page", () => {
  it("imports a sheet, shows every row's change, runs it with progress and offers undo", async () => {
    const user = userEvent.setup();
    const backend = fakeBackend();
    renderApp(backend);
    await openBulk(user);
    await user.click(screen.getByRole("button", { name: "Import a sheet…" }));
    expect(await screen.findByText(/2 rows will change; 1 row already hold these values/)).toBeTruthy();
    const table = document.querySelector("[data-bulk-rows]") as HTMLElement;
    expect(await within(table).findByText("Email: user1@old.example → user1@new.example")).toBeTruthy();
    expect(backend.bulkRun).not.toHaveBeenCalled();

    await user.click(screen.getByRole("button", { name: "Send 2 changes" }));
    expect(await screen.findByText("Finished: 2 done, 1 unchanged (of 3 rows).")).toBeTruthy();
    expect(backend.bulkRun).toHaveBeenCalledTimes(1);
    expect(backend.bulkImport).toHaveBeenCalledWith("practice", "avepoint.account-information", null, null, expect.any(Function));

    await user.click(screen.getByRole("button", { name: "Undo this job…" }));
    expect(await screen.findByRole("heading", { name: "Undo of mail.csv" })).toBeTruthy();
    expect(await screen.findByText("Email: user1@new.example → user1@old.example")).toBeTruthy();
  });

  it("lists every problem of a refused file by row and column, and sends nothing", async () => {
    const user = userEvent.setup();
    const backend = fakeBackend({
      bulkImport: async () => ({
        status: "refused",
        rows: 12,
        problems: {
          listed: [
            { row: 3, column: "mail", message: "Email must be an email address, like name@example.com." },
            { row: 0, message: "The column \"mial\" is not a field of avepoint.account-information." },
          ],
          more: 4,
        },
      }),
    });
    renderApp(backend);
    await openBulk(user);
    await user.click(screen.getByRole("button", { name: "Import a sheet…" }));
    expect(await screen.findByRole("heading", { name: "Nothing was sent" })).toBeTruthy();
    expect(screen.getByText(/The file has 6 problems in 12 rows/)).toBeTruthy();
    const problems = document.querySelector("[data-bulk-problems]") as HTMLElement;
    expect(within(problems).getByText("Email must be an email address, like name@example.com.").closest("tr")?.textContent).toContain("3mail");
    expect(within(problems).getByText("File")).toBeTruthy();
    expect(screen.getByText("…and 4 more.")).toBeTruthy();
    expect(backend.bulkRun).not.toHaveBeenCalled();
  });

  it("refuses a pace outside the allowed range before importing", async () => {
    const user = userEvent.setup();
    const backend = fakeBackend();
    renderApp(backend);
    await openBulk(user);
    await user.click(screen.getByText("Pace"));
    await user.type(screen.getByLabelText("Requests per second"), "5000");
    expect(screen.getByRole("alert").textContent).toContain("at most 1000");
    expect((screen.getByRole("button", { name: "Import a sheet…" }) as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByLabelText("Requests per second") as HTMLInputElement).value).toBe("5000");
  });

  it("offers an interrupted job for resuming at start", async () => {
    const user = userEvent.setup();
    const interrupted = bulkJob({ state: "running", counts: { total: 3, pending: 1, sending: 1, done: 1, unchanged: 0, refused: 0, failed: 0 } });
    const backend = fakeBackend({ bulkJobs: async () => [interrupted] });
    renderApp(backend);
    const banner = await screen.findByText(/A bulk job did not finish: mail.csv, 2 of 3 rows left/);
    await user.click(within(banner).getByRole("button", { name: "Open Bulk to resume" }));
    await user.click(await screen.findByRole("button", { name: /mail.csv · Practice/ }));
    expect(await screen.findByRole("button", { name: "Resume (2 rows left)" })).toBeTruthy();
  });
});

describe("what the bulk page says", () => {
  it("puts progress in one line and time left in words", () => {
    const line = progressLine({
      jobId: "j",
      state: "running",
      counts: { total: 1000, pending: 590, sending: 10, done: 390, unchanged: 5, refused: 5, failed: 0 },
      rowsPerSecond: 24.96,
      secondsLeft: 24,
      requests: 800,
      throttled: 2,
      pace: 50,
    });
    expect(line).toBe("400 of 1000 rows · 390 done · 5 unchanged · 5 refused · 25.0 rows/s · about 24 s left · the vendor asked to slow down 2×");
    expect(timeLeft(600)).toBe("about 10 min left");
    expect(timeLeft(undefined)).toBe("");
  });

  it("checks the pace a person types", () => {
    expect(paceProblem("", "")).toBeNull();
    expect(paceProblem("12,5", "4")).toBeNull();
    expect(paceProblem("0", "")).toContain("more than 0");
    expect(paceProblem("abc", "")).toContain("more than 0");
    expect(paceProblem("", "2.5")).toContain("whole number");
  });

  it("sums up how a job ended", () => {
    expect(summary(bulkJob({ state: "paused", counts: { total: 10, pending: 4, sending: 0, done: 5, unchanged: 0, refused: 1, failed: 0 } }))).toBe(
      "Paused: 5 done, 1 refused, 4 not sent yet (of 10 rows).",
    );
  });
});
