/**
 * Opens what the commands work on: the home (`$WEFT_HOME`, else the nearest project's
 * `.weft`, see `store/home.ts`), its store, its artifact store and, for the commands that
 * execute, the engine.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { LocalArtifactStore } from "../artifacts/index.ts";
import type { Engine } from "../engine/index.ts";
import { findOrphanRuns } from "../engine/recovery.ts";
import { type HomeResolution, openStore, resolveHome, type Store } from "../store/index.ts";

/** The store and artifact store of one `$WEFT_HOME`. */
export interface CliContext {
  home: string;
  /** How {@link CliContext.home} was chosen (for the line saying where state lives). */
  resolution: HomeResolution;
  store: Store;
  artifacts: LocalArtifactStore;
  /**
   * The engine, created on first use (it recovers orphaned runs when opened); its module
   * is loaded by {@link loadEngine}, which a command that executes awaits first.
   */
  engine(opts?: { maxParallel?: number; strictResources?: boolean }): Engine;
  close(): void;
}

type EngineModule = typeof import("../engine/index.ts");
let engineModule: EngineModule | undefined;

/**
 * Loads the engine (the executor, CEL, the bundler's runtime...) for the commands that
 * execute; the commands that only read the store start without it.
 */
export async function loadEngine(): Promise<void> {
  engineModule ??= await import("../engine/index.ts");
}

/** Opens (creating if needed) the home and its store. */
export function openContext(resolution: HomeResolution = resolveHome()): CliContext {
  const { home } = resolution;
  mkdirSync(home, { recursive: true });
  const store = openStore(home);
  const artifacts = new LocalArtifactStore(join(home, "artifacts"));
  let engine: Engine | undefined;
  return {
    home,
    resolution,
    store,
    artifacts,
    engine(opts = {}) {
      if (!engine) {
        if (!engineModule) throw new Error("internal: await loadEngine() before ctx.engine()");
        engine = new engineModule.Engine({
          home,
          store,
          artifacts,
          // TypeScript task programs go under the project's node_modules, whose packages
          // they import, not under whichever subdirectory the command ran in
          programRoot: join(resolution.project ?? process.cwd(), "node_modules", ".cache", "weft", "programs"),
          ...(opts.maxParallel === undefined ? {} : { maxParallel: opts.maxParallel }),
          ...(opts.strictResources ? { strictResources: true } : {}),
        });
        engine.recoverOrphans();
      }
      return engine;
    },
    close() {
      store.close();
    },
  };
}

/**
 * Runs `fn` with an open context and closes it afterwards, whatever happens. With
 * `recoverOrphans`, runs whose owning process died are marked first, so what is shown
 * is true.
 */
export async function withContext<T>(
  fn: (ctx: CliContext) => Promise<T> | T,
  opts: { recoverOrphans?: boolean } = {},
): Promise<T> {
  const ctx = openContext();
  try {
    // marks runs whose process died (e.g. a killed `weft run`), as opening the engine
    // does, without loading the engine
    if (opts.recoverOrphans) findOrphanRuns(ctx.store, Date.now, new Set());
    return await fn(ctx);
  } finally {
    ctx.close();
  }
}

/** {@link withContext} with orphaned runs recovered first (for commands that show run states). */
export function withRecoveredContext<T>(fn: (ctx: CliContext) => Promise<T> | T): Promise<T> {
  return withContext(fn, { recoverOrphans: true });
}
