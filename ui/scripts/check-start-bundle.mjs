// Issue #17's rule, checked on every build: what the first screen ("Find the record") does not
// show loads when first used. The page loads one script; the other pages, the record form and the
// review are chunks of their own, fetched only when opened; and the start-up script stays within
// its budget, so a new import on the start path shows here, not months later as a slower start.
// Run after `vite build` (npm run build does).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

// fileURLToPath, not URL.pathname: on Windows the latter is "/D:/…", which no file call accepts.
const dist = fileURLToPath(new URL("../dist/", import.meta.url));
// 468 KB when set (React, React DOM, React Aria's pickers and menus, the desk's finder); was 619 KB
// before the form and the review were split off, 498 KB before React Aria's strings were English only.
const BUDGET = 490_000;
const ON_DEMAND = ["HistoryPage", "BulkPage", "PeoplePage", "ConnectionsPage", "RecordForm", "ReviewDialog", "FieldInput"];

const problems = [];
const html = readFileSync(join(dist, "index.html"), "utf8");
const scripts = [...html.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)].map((m) => m[1]);
const preloads = [...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)].map((m) => m[1]);
if (scripts.length !== 1) problems.push(`index.html loads ${scripts.length} scripts (${scripts.join(", ")}), not one`);
if (preloads.length > 0) problems.push(`index.html preloads ${preloads.join(", ")}: a chunk the first screen does not need`);

const assets = readdirSync(join(dist, "assets"));
for (const name of ON_DEMAND) {
  if (!assets.some((file) => file.startsWith(`${name}-`) && file.endsWith(".js"))) {
    problems.push(`${name} is not a chunk of its own: something on the start path imports it statically`);
  }
}
const entry = scripts[0] ? join(dist, scripts[0].replace(/^\//, "")) : null;
const size = entry ? statSync(entry).size : 0;
if (size > BUDGET) problems.push(`the start-up script is ${size} bytes, over its budget of ${BUDGET}`);

if (problems.length > 0) {
  console.error(`Start-up bundle check failed:\n- ${problems.join("\n- ")}`);
  process.exit(1);
}
console.log(`Start-up bundle: ${size} bytes (budget ${BUDGET}); on demand: ${ON_DEMAND.join(", ")}.`);
