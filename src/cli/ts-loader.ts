/**
 * The TypeScript loader of the built CLI. `bin/weft.js` registers tsx at start only in a
 * checkout (the CLI itself is TypeScript there); the built CLI registers it here, the
 * first time a command imports a `.ts` pipeline, so `weft --help`, `weft runs list` and
 * the server start without it.
 */

/** Set by `bin/weft.js` when it runs the built JavaScript: tsx is still to be registered. */
const PENDING = Symbol.for("weft.cli.typeScriptLoaderPending");

/** Registers tsx once, when `bin/weft.js` left it for the first TypeScript import. */
export async function ensureTypeScriptLoader(): Promise<void> {
  const g = globalThis as Record<symbol, unknown>;
  if (g[PENDING] !== true) return;
  g[PENDING] = false;
  const { register } = await import("tsx/esm/api");
  register();
}
