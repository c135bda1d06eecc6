/**
 * Vitest for the package tests alone (`npm run test:package`, run by `.ci/run`): they pack
 * the package, which rebuilds `dist/` and `ui/dist/`, so they never run beside the other
 * suites (whose server tests read `ui/dist/`).
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  root: fileURLToPath(new URL("../..", import.meta.url)),
  test: {
    include: ["test/package/**/*.test.ts"],
    testTimeout: 1_200_000,
    hookTimeout: 1_200_000,
  },
});
