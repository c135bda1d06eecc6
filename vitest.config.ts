import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const src = fileURLToPath(new URL("./src/", import.meta.url));

export default defineConfig({
  // `weft` imports (the example, tests) load the sources, as bin/weft.js does in a checkout
  resolve: {
    alias: [
      { find: /^weft$/, replacement: `${src}index.ts` },
      { find: /^weft\/(client|compiler|executor)$/, replacement: `${src}$1/index.ts` },
    ],
  },
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts", "examples/**/*.test.ts"],
    // packs the package (rebuilding dist/ and ui/dist/): `npm run test:package`, after this suite
    exclude: ["test/package/**", "**/node_modules/**"],
    // Python environments of tasks go to a folder of this run, not the user's cache
    globalSetup: ["test/global-setup.ts"],
    // Vitest's default is one worker fewer than the cores, which on a 2-core CI machine runs
    // one file at a time; most files spend their time waiting on the task, CLI and server
    // processes they start, so two files at once keep both cores busy
    maxWorkers: Math.max(2, availableParallelism() - 1),
    testTimeout: 60_000,
    hookTimeout: 60_000,
    typecheck: {
      enabled: true,
      include: ["src/**/*.test-d.ts", "test/**/*.test-d.ts"],
      tsconfig: "./tsconfig.json",
    },
  },
});
