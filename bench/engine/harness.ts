/**
 * Helpers of the engine benchmark: a throw-away `$WEFT_HOME` with store, artifact store
 * and engine; bare process spawns for baselines; RSS sampling.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalArtifactStore } from "../../src/artifacts/index.ts";
import { Engine, type RunSummary } from "../../src/engine/index.ts";
import type { PipelinePackage } from "../../src/ir/index.ts";
import { openStore, type Store } from "../../src/store/index.ts";

/** A temporary home with an open engine. */
export interface BenchHome {
  home: string;
  store: Store;
  engine: Engine;
  /** Runs `pipeline` to the end; throws unless it SUCCEEDED. Returns wall ms and the summary. */
  run(pipeline: PipelinePackage, opts?: { enableCache?: boolean }): Promise<{ wallMs: number; summary: RunSummary }>;
  close(): void;
}

/** Opens a fresh {@link BenchHome}. */
export function benchHome(opts: { maxParallel?: number } = {}): BenchHome {
  const home = mkdtempSync(join(tmpdir(), "weft-bench-"));
  const store = openStore(home);
  const artifacts = new LocalArtifactStore(join(home, "artifacts"));
  const engine = new Engine({
    home,
    store,
    artifacts,
    programRoot: join(home, "programs"),
    ...(opts.maxParallel === undefined ? {} : { maxParallel: opts.maxParallel }),
  });
  return {
    home,
    store,
    engine,
    async run(pipeline, runOpts = {}) {
      const t0 = performance.now();
      const handle = engine.startRun({ pipeline, enableCache: runOpts.enableCache ?? false });
      const summary = await handle.done;
      const wallMs = performance.now() - t0;
      if (summary.state !== "SUCCEEDED") {
        const failed = summary.tasks.find((t) => t.state === "FAILED");
        throw new Error(
          `bench run of ${pipeline.pipelineSpec.pipelineInfo.name} ended ${summary.state}: ${summary.error ?? failed?.error ?? "no error recorded"}`,
        );
      }
      return { wallMs, summary };
    },
    close() {
      store.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Spawns `command` and resolves when it exits (throws on a non-zero exit). */
export function spawnOnce(command: string[]): Promise<void> {
  const [file, ...args] = command;
  return new Promise((resolve, reject) => {
    const child = spawn(file!, args, { stdio: "ignore" });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${command.join(" ")} exited ${code}`))));
  });
}

/** Wall ms of `n` sequential spawns of `command` (each given its index as last arg). */
export async function bareSequential(command: string[], n: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await spawnOnce([...command, String(i)]);
  return performance.now() - t0;
}

/** Samples this process's RSS every `everyMs` until stopped; returns the peak in bytes. */
export function rssSampler(everyMs = 20): { stop(): number } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage().rss);
    },
  };
}
