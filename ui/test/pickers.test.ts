import { describe, expect, it } from "vitest";
import { filterChoices, searchable } from "../src/pickers";

const users = searchable(
  Array.from({ length: 10_000 }, (_, n) => ({ id: `id-${n}`, label: `User ${n} ${n % 2 ? "Novak" : "Silva"}`, detail: `user${n}@contoso.example` })),
);

describe("filterChoices", () => {
  it("matches every word in name, detail or id, in any case and order", () => {
    const { shown, matches } = filterChoices(users, "silva USER12", 50);
    expect(matches).toBe(56); // user12, user120..129, user1200..1299 with even numbers: 1 + 5 + 50
    expect(shown.every((u) => u.label.includes("Silva") && u.detail.startsWith("user12"))).toBe(true);
    expect(filterChoices(users, "id-9999", 50).shown.map((u) => u.id)).toEqual(["id-9999"]);
  });

  it("renders at most the limit but counts every match", () => {
    const all = filterChoices(users, "  ", 50);
    expect(all.shown).toHaveLength(50);
    expect(all.matches).toBe(10_000);
    expect(filterChoices(users, "nobody-like-this", 50)).toEqual({ shown: [], matches: 0 });
  });
});

describe("recentFirst", () => {
  it("lists recent ids first, latest first, and keeps the rest in order", async () => {
    const { recentFirst } = await import("../src/pickers");
    const items = ["a", "b", "c", "d"].map((id) => ({ id }));
    expect(recentFirst(items, ["c", "x", "a"]).map((i) => i.id)).toEqual(["c", "a", "b", "d"]);
    expect(recentFirst(items, [])).toBe(items);
  });
});
