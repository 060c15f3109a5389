import { cleanup, configure } from "@testing-library/react";
import { afterEach } from "vitest";

afterEach(() => cleanup());

// findBy*/waitFor wait for a condition, not a duration: 1 s (the default) is shorter than a
// whole page's first render on a busy 2-core machine, so the bound is generous; a passing test
// is as fast as before.
configure({ asyncUtilTimeout: 10_000 });

// jsdom lacks CSS.escape, which React Aria's collections use.
if (typeof globalThis.CSS === "undefined" || typeof globalThis.CSS.escape !== "function") {
  const escape = (value: string) => value.replace(/[^a-zA-Z0-9_-]/g, (c) => `\\${c}`);
  Object.defineProperty(globalThis, "CSS", { value: { ...(globalThis.CSS ?? {}), escape }, configurable: true });
}
