import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { App } from "../src/App";
import type { Backend } from "../src/backend";
import { BackendError } from "../src/backend";
import { BackendProvider } from "../src/context";
import { fakeBackend, vendors } from "./fakeBackend";

async function openConnections(backend: Backend) {
  const user = userEvent.setup();
  render(
    <BackendProvider backend={backend}>
      <App />
    </BackendProvider>,
  );
  await user.click(await screen.findByRole("button", { name: "Connections" }));
  return user;
}

// Testing Library does not resolve this password field's label in jsdom; the e2e test uses the real one.
const secretInput = () => document.querySelector<HTMLInputElement>('[data-field="clientSecret"]')!;

describe("the connections page", () => {
  it("creates a connection and sends the secret only on save", async () => {
    const backend = fakeBackend();
    const user = await openConnections(backend);
    await user.click(await screen.findByRole("button", { name: "New connection" }));
    await user.type(screen.getByLabelText(/^Name/), "Fabrikam");
    await user.type(screen.getByLabelText(/^Client ID/), "app-9");
    await user.type(secretInput(), "s3cret");
    await user.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(backend.saveConnection).toHaveBeenCalled());
    const [id, draft, secret] = vi.mocked(backend.saveConnection).mock.calls[0]!;
    expect(id).toBeNull();
    expect(draft).toMatchObject({ name: "Fabrikam", clientId: "app-9", environment: "commercial", vendor: "avepoint" });
    expect(secret).toBe("s3cret");
    expect(await screen.findByText(/Saved "Fabrikam"/)).toBeTruthy();
    expect(secretInput().value).toBe("");
    expect(secretInput().type).toBe("password");
  });

  it("shows each field's error and keeps what was typed", async () => {
    const backend = fakeBackend({
      saveConnection: async () =>
        Promise.reject(
          new BackendError({
            code: "invalid_input",
            message: "2 fields need attention.",
            fieldErrors: [
              { field: "name", message: "Name is required." },
              { field: "apiUrl", message: "API address must use https://." },
            ],
          }),
        ),
    });
    const user = await openConnections(backend);
    await user.click(await screen.findByRole("button", { name: "New connection" }));
    await user.type(screen.getByLabelText(/^API address/), "http://example.com");
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByText("Name is required.")).toBeTruthy();
    expect(screen.getByText("API address must use https://.")).toBeTruthy();
    expect((screen.getByLabelText(/^API address/) as HTMLInputElement).value).toBe("http://example.com");
  });

  it("asks for the secret again, at the secret field, when the address changed", async () => {
    const message = "This connection's address changed; enter the secret again. The client secret saved for \"Contoso EU\" is kept for its old address and is never sent to a new one; type it here to save the change.";
    const backend = fakeBackend({
      saveConnection: async () =>
        Promise.reject(new BackendError({ code: "invalid_input", message, field: "clientSecret", fieldErrors: [{ field: "clientSecret", message }] })),
    });
    const user = await openConnections(backend);
    await user.click(await screen.findByRole("option", { name: /Contoso EU/ }));
    await user.click(screen.getByRole("button", { name: "Save" }));
    const error = await waitFor(() => {
      const shown = document.querySelector('[data-error-for="clientSecret"]');
      expect(shown).not.toBeNull();
      return shown!;
    });
    expect(error.textContent).toBe(message);
    expect(secretInput().getAttribute("aria-invalid")).toBe("true");
  });

  it("says which imported connections were added beside a saved one instead of replacing it", async () => {
    const backend = fakeBackend({
      importConnections: vi.fn(async () => ({
        added: 1,
        unchanged: 1,
        needSecret: ["Contoso EU (imported)"],
        addedAsNew: [{ nameInFile: "Contoso EU", name: "Contoso EU (imported)", id: "p-9", differences: ["API address: https://a.example → https://b.example"] }],
      })),
    });
    const user = await openConnections(backend);
    await user.click(await screen.findByRole("button", { name: /^Import/ }));
    const notice = await screen.findByText(/Imported 1 new connection/);
    expect(notice.textContent).toContain("1 already saved as in the file.");
    expect(notice.textContent).toContain(
      '"Contoso EU" is already saved with other settings (API address: https://a.example → https://b.example), so the imported one was added as "Contoso EU (imported)"; nothing was replaced.',
    );
    expect(notice.textContent).toContain("Enter the secret for: Contoso EU (imported).");
  });

  it("asks before deleting, naming the connection", async () => {
    const backend = fakeBackend();
    const user = await openConnections(backend);
    await user.click(await screen.findByRole("option", { name: /Contoso EU/ }));
    await user.click(screen.getByRole("button", { name: "Delete…" }));
    const dialog = await screen.findByRole("alertdialog");
    expect(dialog.textContent).toContain('Delete "Contoso EU"?');
    expect(backend.deleteConnection).not.toHaveBeenCalled();
    await user.click(within(dialog).getByRole("button", { name: 'Delete "Contoso EU"' }));
    await waitFor(() => expect(backend.deleteConnection).toHaveBeenCalledWith("p-1"));
  });

  it("reports each step of a connection test", async () => {
    const backend = fakeBackend({
      testConnection: async () => ({
        ok: false,
        steps: [{ title: "Sign in", ok: false, message: "AvePoint rejected the saved sign-in." }],
      }),
    });
    const user = await openConnections(backend);
    await user.click(await screen.findByRole("option", { name: /Contoso EU/ }));
    await user.click(screen.getByRole("button", { name: "Test connection" }));
    expect(await screen.findByText(/AvePoint rejected the saved sign-in/)).toBeTruthy();
  });

  it("never offers to delete or edit Practice", async () => {
    const backend = fakeBackend();
    await openConnections(backend);
    expect(await screen.findByText(/built in and can't be changed/)).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Delete…" })).toBeNull();
  });
});

describe("certificate sign-in", () => {
  it("asks the backend to pick the file, passing the PFX password once", async () => {
    const backend = fakeBackend();
    const user = await openConnections(backend);
    await user.click(await screen.findByRole("option", { name: /Contoso EU/ }));
    await user.click(screen.getByRole("button", { name: /Sign in with/ }));
    await user.click(await screen.findByRole("option", { name: /Certificate/ }));
    await user.type(document.querySelector<HTMLInputElement>('[data-field="certificatePassword"]')!, "pfx-pass");
    await user.click(screen.getByRole("button", { name: "Choose certificate file…" }));
    await waitFor(() => expect(backend.chooseCertificate).toHaveBeenCalledWith("p-1", "pfx-pass"));
  });
});

describe("other vendors", () => {
  it("asks an MSP360 connection for its API login and password", async () => {
    const backend = fakeBackend();
    const user = await openConnections(backend);
    await user.click(await screen.findByRole("button", { name: "New connection" }));
    await user.click(screen.getByRole("button", { name: /Vendor/ }));
    await user.click(await screen.findByRole("option", { name: "MSP360 Managed Backup" }));
    await user.type(screen.getByLabelText(/^Name/), "Backups");
    await user.type(screen.getByLabelText(/^API login/), "api-user");
    await user.type(secretInput(), "pw");
    await user.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(backend.saveConnection).toHaveBeenCalled());
    const [, draft, secret] = vi.mocked(backend.saveConnection).mock.calls[0]!;
    expect(draft).toMatchObject({ vendor: "msp360", userName: "api-user" });
    expect(secret).toBe("pw");
  });

  it("renders a vendor's form from what Rust describes, secret and all", async () => {
    // A setting Rust adds appears without a UI change, keyed as the ProfileDraft field it fills.
    const extra = { key: "tenant", label: "Workspace", help: "The workspace to use.", kind: "text" as const, required: true, placeholder: "", options: [] };
    const backend = fakeBackend({
      listVendors: vi.fn(async () => vendors.map((v) => (v.id === "softwareone" ? { ...v, settings: [extra, ...v.settings] } : v))),
    });
    const user = await openConnections(backend);
    await user.click(await screen.findByRole("button", { name: "New connection" }));
    await user.click(screen.getByRole("button", { name: /Vendor/ }));
    await user.click(await screen.findByRole("option", { name: "SoftwareOne Marketplace" }));
    await user.type(screen.getByLabelText(/^Name/), "Market");
    await user.type(screen.getByLabelText(/^Workspace/), "ws-1");
    expect(screen.getByLabelText(/^API address \(optional\)/)).toBeTruthy();
    await user.type(secretInput(), "tok");
    await user.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(backend.saveConnection).toHaveBeenCalled());
    const [, draft, secret] = vi.mocked(backend.saveConnection).mock.calls[0]!;
    expect(draft).toMatchObject({ vendor: "softwareone", name: "Market", tenant: "ws-1" });
    expect(secret).toBe("tok");
  });

  it("asks Partner Center for no pasted secret: it signs in in the browser", async () => {
    const backend = fakeBackend();
    const user = await openConnections(backend);
    await user.click(await screen.findByRole("button", { name: "New connection" }));
    await user.click(screen.getByRole("button", { name: /Vendor/ }));
    await user.click(await screen.findByRole("option", { name: "Microsoft Partner Center" }));
    expect(screen.getByLabelText(/^Application \(client\) ID/)).toBeTruthy();
    expect(screen.getByRole("button", { name: /Microsoft cloud/ })).toBeTruthy();
    expect(document.querySelector('[data-field="clientSecret"]')).toBeNull();
  });
});
