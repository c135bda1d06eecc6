#!/usr/bin/env node
// The `weft` command. tsx is registered first: it is what lets `weft run pipeline.ts`
// import a user's TypeScript pipeline. Which copy of the CLI runs:
// - the published package has no `src/`: the built JavaScript in `dist/` runs;
// - a checkout (with `src/` beside `bin/`) runs the TypeScript sources, and imports of
//   `weft` resolve with the `weft-source` export condition (to `src/`), so a pipeline in
//   the repository and the CLI share one copy of the SDK. `npm run build` is not needed.
import { existsSync } from "node:fs";
import { register as registerHooks } from "node:module";
import { register } from "tsx/esm/api";

register();
const source = new URL("../src/cli/main.ts", import.meta.url);
let entry = new URL("../dist/cli/main.js", import.meta.url);
if (existsSync(source)) {
  // registered after tsx, so it runs before tsx's resolver and passes the condition on
  const hook =
    "export async function resolve(s, c, next) { return next(s, { ...c, conditions: [...c.conditions, 'weft-source'] }); }";
  registerHooks(`data:text/javascript,${encodeURIComponent(hook)}`);
  entry = source;
}
const { main } = await import(entry.href);
await main(process.argv);
