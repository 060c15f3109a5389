import { defineConfig } from "vitest/config";

// JSX is compiled by esbuild (no React plugin needed; fast refresh is not worth a dependency).
export default defineConfig({
  clearScreen: false,
  esbuild: { jsx: "automatic" },
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
