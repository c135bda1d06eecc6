/** Vitest for the UI alone: unit tests beside the code and the browser end-to-end tests. */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  root: fileURLToPath(new URL("..", import.meta.url)),
  test: {
    include: ["ui/src/**/*.test.ts", "ui/e2e/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // A browser on a busy 2-core CI machine can report an event after the page was read:
    // there a failed test runs once more, and fails the suite only when it fails twice.
    retry: process.env.CI === "true" ? 1 : 0,
  },
});
