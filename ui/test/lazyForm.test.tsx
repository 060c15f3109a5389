// The record form is a chunk of its own, loaded on the first Load (issue #17). Vitest gives each
// test file a fresh module graph, so the Load below is this graph's very first: the form mounts a
// moment after the record arrives, and keyboard focus must still land in its first field.
import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { expect, it } from "vitest";
import { App } from "../src/App";
import { BackendProvider } from "../src/context";
import { fakeBackend } from "./fakeBackend";

it("the first Load puts focus in the form's first field, though the form's code loads only then", async () => {
  const user = userEvent.setup();
  render(
    <BackendProvider backend={fakeBackend()}>
      <App />
    </BackendProvider>,
  );
  const load = await screen.findByRole("button", { name: "Load" });
  await waitFor(() => expect((load as HTMLButtonElement).disabled).toBe(false));
  load.focus();
  await user.keyboard("{Enter}");
  const mail = await screen.findByLabelText(/E-mail \(from spec\)/);
  await waitFor(() => expect(document.activeElement).toBe(mail));
});
