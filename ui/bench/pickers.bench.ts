// Filtering a 10,000-user picker as the user types: `npx vitest bench --run` (scripts/bench.sh).
import { bench, describe } from "vitest";
import { filterChoices, searchable } from "../src/pickers";

const FIRST = ["Ada", "Bo", "Chen", "Dana", "Emil", "Fatima", "Goran", "Hana"];
const LAST = ["Novak", "Okafor", "Silva", "Tanaka", "Weber", "Young"];
const raw = Array.from({ length: 10_000 }, (_, n) => {
  const first = FIRST[n % FIRST.length]!;
  const last = `${LAST[Math.floor(n / FIRST.length) % LAST.length]}${n}`;
  return { id: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`, label: `${first} ${last}`, detail: `${first.toLowerCase()}.${last.toLowerCase()}@contoso.example` };
});
const users = searchable(raw);

describe("10,000 users", () => {
  bench("index the list once it has loaded", () => {
    searchable(raw);
  });
  bench("first keystroke: 'a' (most users match)", () => {
    filterChoices(users, "a", 50);
  });
  bench("a name: 'fatima silva'", () => {
    filterChoices(users, "fatima silva", 50);
  });
  bench("an id fragment: '8000-000000009'", () => {
    filterChoices(users, "8000-000000009", 50);
  });
  bench("no match: 'zzz'", () => {
    filterChoices(users, "zzz", 50);
  });
});
