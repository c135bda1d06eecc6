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
    testTimeout: 60_000,
    hookTimeout: 60_000,
    typecheck: {
      enabled: true,
      include: ["src/**/*.test-d.ts", "test/**/*.test-d.ts"],
      tsconfig: "./tsconfig.json",
    },
  },
});
