// Filtering for the record pickers, kept apart from React so it can be tested and benchmarked
// (scripts/bench.sh times it on 10,000 users).
import type { RecordChoice } from "./bindings/RecordChoice";

/** A choice with its lower-cased search text, computed once per list rather than per keystroke. */
export type Searchable = RecordChoice & { haystack: string };

export function searchable(items: RecordChoice[]): Searchable[] {
  return items.map((item) => ({ ...item, haystack: `${item.label}\n${item.detail}\n${item.id}`.toLocaleLowerCase() }));
}

export type Filtered = { shown: Searchable[]; matches: number };

/**
 * The first `limit` choices containing every word of `query` (in name, second line or id, any
 * case), and how many match in all. An empty query matches everything.
 */
export function filterChoices(items: Searchable[], query: string, limit: number): Filtered {
  const words = query.toLocaleLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return { shown: items.slice(0, limit), matches: items.length };
  const shown: Searchable[] = [];
  let matches = 0;
  for (const item of items) {
    if (words.every((word) => item.haystack.includes(word))) {
      matches += 1;
      if (shown.length < limit) shown.push(item);
    }
  }
  return { shown, matches };
}

/** "user" / "users", "3,200" with the user's digit grouping. */
export function countOf(count: number, noun: string): string {
  return `${count.toLocaleString()} ${noun}${count === 1 ? "" : "s"}`;
}

/** The same choices with the ids in `recent` first, in that order (the rest keep theirs). */
export function recentFirst<T extends { id: string }>(items: T[], recent: string[]): T[] {
  if (recent.length === 0) return items;
  const rank = new Map(recent.map((id, index) => [id, index]));
  const first = items.filter((item) => rank.has(item.id)).sort((a, b) => rank.get(a.id)! - rank.get(b.id)!);
  return [...first, ...items.filter((item) => !rank.has(item.id))];
}
