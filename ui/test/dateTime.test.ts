import { describe, expect, it } from "vitest";
import { localOf, utcOf } from "../src/components/FieldInput";

describe("date-time fields", () => {
  it("show the vendor's UTC instant in local time and send a pick back as UTC", () => {
    const winter = localOf("2026-01-15T12:00:00Z", "Europe/Berlin")!;
    expect([winter.hour, winter.minute]).toEqual([13, 0]);
    const summer = localOf("2026-07-15T12:00:00+00:00", "Europe/Berlin")!;
    expect(summer.hour).toBe(14);
    expect(utcOf(summer.set({ hour: 9, minute: 30 }))).toBe("2026-07-15T07:30:00Z");
    expect(utcOf(localOf("2026-03-01T23:30:00Z", "America/New_York")!)).toBe("2026-03-01T23:30:00Z");
  });

  it("leave what is not an instant to the text field", () => {
    expect(localOf("next tuesday")).toBeNull();
    expect(localOf("")).toBeNull();
  });
});
