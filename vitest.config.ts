import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const src = fileURLToPath(new URL("./src/", import.meta.url));

export default defineConfig({
  // `weft` imports (the example, tests) load the sources, as bin/weft.js does in a checkout
  resolve: {
    alias: [
      { find: /^weft$/, replacement: `${src}index.ts` },
      { find: /^weft\/(client|compiler|executor|tuning)$/, replacement: `${src}$1/index.ts` },
      { find: /^weft\/serving-client$/, replacement: `${src}serving/client/index.ts` },
    ],
  },
  test: {
    // packs the package (rebuilding dist/ and ui/dist/): `npm run test:package`, after this suite.
    // WEFT_TEST_CORPUS_RUN=0 leaves out the KFP corpus run (CI's second pass, on another Node:
    // see .ci/run)
    exclude: [
      "test/package/**",
      "**/node_modules/**",
      ...(process.env.WEFT_TEST_CORPUS_RUN === "0" ? ["test/conformance/corpus-run.test.ts"] : []),
    ],
    // which files run: the two projects below, the unit tests under src/ and the rest
    // Python environments of tasks go to a folder of this run, not the user's cache
    globalSetup: ["test/global-setup.ts"],
    // Vitest's default is one worker fewer than the cores, which on a 2-core CI machine runs
    // one file at a time; most files spend their time waiting on the task, CLI and server
    // processes they start, so two files at once keep both cores busy
    maxWorkers: Math.max(2, availableParallelism() - 1),
    testTimeout: 60_000,
    hookTimeout: 60_000,
    typecheck: {
      // WEFT_TEST_TYPES=0 leaves the type tests out (CI's second pass, on another Node:
      // tsc's verdict does not depend on the Node version)
      enabled: process.env.WEFT_TEST_TYPES !== "0",
      include: ["src/**/*.test-d.ts", "test/**/*.test-d.ts"],
      tsconfig: "./tsconfig.json",
    },
    projects: [
      {
        // the unit tests beside the sources share one module graph per worker instead of
        // loading the sources again for every file: none of them leaves global state
        // behind (environment, exit code and spies are restored where they are changed)
        extends: true,
        test: {
          name: "unit",
          include: ["src/**/*.test.ts"],
          isolate: false,
          setupFiles: ["test/setup/ort-float16.ts"],
        },
      },
      {
        // the integration tests each get a fresh module graph
        extends: true,
        test: {
          name: "integration",
          include: ["test/**/*.test.ts", "examples/**/*.test.ts"],
          typecheck: { enabled: false },
        },
      },
    ],
  },
});
