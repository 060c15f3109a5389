import { describe, expect, it } from "vitest";
import { changedKeys, changesOf, errorsByField, parseList, sameValue } from "../src/form";
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

describe("list and password values", () => {
  it("compares lists by content", () => {
    expect(sameValue(["a@x.example"], ["a@x.example"])).toBe(true);
    expect(sameValue(["a@x.example"], ["b@x.example"])).toBe(false);
    expect(sameValue("", "")).toBe(true);
  });

  it("parses typed address lists", () => {
    expect(parseList(" a@x.example, b@x.example;c@x.example ,, ")).toEqual(["a@x.example", "b@x.example", "c@x.example"]);
    expect(parseList("")).toEqual([]);
  });
});
