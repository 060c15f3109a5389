// WCAG contrast of the colour pairs the UI actually uses, in both themes, read from styles.css
// (jsdom has no layout, so axe can't check contrast; this can).
import { describe, expect, it } from "vitest";
import css from "../src/styles.css?raw";

function variables(block: string): Record<string, string> {
  return Object.fromEntries([...block.matchAll(/--([\w-]+):\s*(#[0-9a-fA-F]{6})/g)].map((m) => [m[1]!, m[2]!]));
}

const light = variables(css.slice(0, css.indexOf("@media (prefers-color-scheme: dark)")));
const dark = { ...light, ...variables(css.slice(css.indexOf("@media (prefers-color-scheme: dark)"))) };

function luminance(hex: string): number {
  const channel = (i: number) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

function ratio(a: string, b: string): number {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p) as [number, number];
  return (x + 0.05) / (y + 0.05);
}

// [foreground, background, minimum]: 4.5 for text, 3 for focus rings and borders of controls.
const pairs: [string, string, number][] = [
  ["text", "bg", 4.5],
  ["text", "surface", 4.5],
  ["muted", "surface", 4.5],
  ["muted", "bg", 4.5],
  ["accent", "surface", 4.5],
  ["accent-text", "accent-fill", 4.5],
  ["accent", "bg", 4.5],
  ["accent", "info-bg", 4.5],
  ["error", "error-bg", 4.5],
  ["error", "surface", 4.5],
  ["success", "success-bg", 4.5],
  ["text", "info-bg", 4.5],
  ["practice", "practice-bg", 4.5],
  ["focus", "surface", 3],
];

describe.each([
  ["light", light],
  ["dark", dark],
])("%s theme", (_, theme) => {
  it.each(pairs)("%s on %s meets %s:1", (fg, bg, minimum) => {
    expect(theme[fg], `--${fg}`).toBeDefined();
    expect(theme[bg], `--${bg}`).toBeDefined();
    expect(ratio(theme[fg]!, theme[bg]!)).toBeGreaterThanOrEqual(minimum);
  });
});
