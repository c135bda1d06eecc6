#!/usr/bin/env node
// The `weft` command. tsx is what lets `weft run pipeline.ts` import a user's TypeScript
// pipeline. Which copy of the CLI runs:
// - the published package has no `src/`: the built JavaScript in `dist/` runs, and tsx is
//   registered only when a command first imports a `.ts` pipeline (src/cli/ts-loader.ts),
//   so commands that need none start as fast as plain Node;
// - a checkout (with `src/` beside `bin/`) registers tsx at once and runs the TypeScript
//   sources, and imports of `weft` resolve with the `weft-source` export condition (to
//   `src/`), so a pipeline in the repository and the CLI share one copy of the SDK.
//   `npm run build` is not needed. WEFT_CLI=dist runs the built copy in a checkout.
import { existsSync } from "node:fs";
import { register as registerHooks } from "node:module";

const source = new URL("../src/cli/main.ts", import.meta.url);
let entry = new URL("../dist/cli/main.js", import.meta.url);
if (existsSync(source) && process.env.WEFT_CLI !== "dist") {
  const { register } = await import("tsx/esm/api");
  register();
  // registered after tsx, so it runs before tsx's resolver and passes the condition on
  const hook =
    "export async function resolve(s, c, next) { return next(s, { ...c, conditions: [...c.conditions, 'weft-source'] }); }";
  registerHooks(`data:text/javascript,${encodeURIComponent(hook)}`);
  entry = source;
} else {
  globalThis[Symbol.for("weft.cli.typeScriptLoaderPending")] = true;
}
const { main } = await import(entry.href);
await main(process.argv);
