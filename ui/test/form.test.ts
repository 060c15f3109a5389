import { describe, expect, it } from "vitest";
import { changedKeys, changesOf, errorsByField } from "../src/form";
import { current, spec } from "./fakeBackend";

describe("change tracking", () => {
  it("marks only fields whose value differs", () => {
    expect(changedKeys(spec.fields, current, { ...current })).toEqual([]);
    expect(changedKeys(spec.fields, current, { ...current, mail: "x@y.example", enforceEnd: true })).toEqual(["mail", "enforceEnd"]);
  });

  it("a value typed back to the original is no longer a change", () => {
    const edited = { ...current, mail: "other@y.example" };
    expect(changesOf(spec.fields, current, { ...edited, mail: current.mail })).toEqual({});
  });

  it("sends only the changed fields", () => {
    expect(changesOf(spec.fields, current, { ...current, usageLocation: "DE", enforceStart: true })).toEqual({
      usageLocation: "DE",
      enforceStart: true,
    });
  });

  it("keeps the first message per field", () => {
    expect(errorsByField([{ field: "a", message: "one" }, { field: "a", message: "two" }])).toEqual({ a: "one" });
  });
});
