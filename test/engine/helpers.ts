/**
 * Shared setup for engine tests: a temporary WEFT_HOME with a real SQLite store and an
 * engine over it, plus a tiny builder for hand-written IR.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { LocalArtifactStore } from "../../src/artifacts/index.ts";
import { Engine, type EngineOptions, type RunSummary } from "../../src/engine/index.ts";
import { type PipelinePackage, type PipelineSpec, parsePipelineYaml } from "../../src/ir/index.ts";
import { openStore, type Store } from "../../src/store/index.ts";

/** A temporary home with an open store and an engine; call `close()` when done. */
export interface TestEnv {
  home: string;
  store: Store;
  engine: Engine;
  newEngine(opts?: Partial<EngineOptions>): Engine;
  close(): void;
}

/** Creates a {@link TestEnv}. */
export function makeEnv(opts: Partial<EngineOptions> = {}): TestEnv {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "weft-engine-"));
  const store = openStore(home);
  const artifacts = new LocalArtifactStore(path.join(home, "artifacts"));
  const base = { home, store, artifacts, programRoot: path.join(home, "programs"), killGraceMs: 500 };
  const engine = new Engine({ ...base, ...opts });
  return {
    home,
    store,
    engine,
    newEngine: (o = {}) => new Engine({ ...base, ...opts, ...o }),
    close: () => {
      store.close();
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Parses IR written as YAML in a test. */
export function ir(yaml: string): PipelinePackage {
  return parsePipelineYaml(yaml, "test.yaml");
}

/** Wraps a spec object as a package. */
export function pkg(spec: PipelineSpec): PipelinePackage {
  return { pipelineSpec: spec };
}

/** Reads a task's log file. */
export function logOf(logPath: string | undefined): string {
  return logPath ? fs.readFileSync(logPath, "utf8") : "";
}

/** The task of a run summary at `path`. */
export const byPath = (s: RunSummary, p: string) => s.tasks.find((t) => t.path === p);

/** Throws with the failed tasks' errors unless the run SUCCEEDED. */
export const ok = (s: RunSummary): void => {
  if (s.state !== "SUCCEEDED")
    throw new Error(
      `run ${s.state}: ${s.error}\n${JSON.stringify(s.tasks.filter((t) => t.error).map((t) => [t.path, t.error]))}`,
    );
};
