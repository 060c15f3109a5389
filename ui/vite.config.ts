import optimizeLocales from "@react-aria/optimize-locales-plugin";
import { defineConfig } from "vitest/config";

// JSX is compiled by esbuild (no React plugin needed; fast refresh is not worth a dependency).
export default defineConfig({
  clearScreen: false,
  esbuild: { jsx: "automatic" },
  // The UI is written in English, so React Aria's own strings (announcements, hidden labels, "Select
  // an item") stay English too rather than follow the system language mid-sentence; dates and
  // numbers still format in the user's locale (Intl). Its other 33 languages stay out of the bundle.
  plugins: [optimizeLocales.vite({ locales: ["en-US"] })],
  // Builds only: `vite dev` pre-bundles dependencies with esbuild, where this does not run (the
  // plugin's esbuild form fails there: "Do not know how to load path: locales-plugin:…"), so a dev
  // window on a non-English system still shows React Aria's translations.
  server: { port: 5173, strictPort: true, host: "127.0.0.1" },
  build: { target: "es2022", sourcemap: false, chunkSizeWarningLimit: 1000 },
  test: {
    environment: "jsdom",
    include: ["test/**/*.test.{ts,tsx}"],
    setupFiles: ["test/setup.ts"],
    // jsdom tests of whole pages take a few seconds on a busy 2-core machine; 5 s was too tight.
    testTimeout: 20_000,
    benchmark: { include: ["bench/**/*.bench.ts"] },
    // The contrast test reads styles.css (?raw); Vitest empties CSS unless told otherwise.
    css: { include: [/styles\.css/] },
  },
});
