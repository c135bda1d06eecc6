/**
 * A real server for tests: a fresh `$WEFT_HOME` in a temporary directory, the SQLite
 * store, the local artifact store and the engine, wired into `createServer`.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach } from "vitest";
import { LocalArtifactStore } from "../../src/artifacts/index.ts";
import { Engine } from "../../src/engine/index.ts";
import { createServer, type ServerOptions, type WeftServer } from "../../src/server/index.ts";
import { openStore, type Store } from "../../src/store/index.ts";
import { sharedPath } from "../shared-dir.ts";

/** The KFP conformance corpus shared by all modules; tests that read it skip where it is absent. */
export const SHARED_CORPUS = sharedPath("kfp-conformance");
/** The corpus's path. */
export const CORPUS = SHARED_CORPUS.path;

/** The text of a corpus file, e.g. `valid/critical/add_numbers.yaml`. */
export function corpusFile(rel: string): string {
  return readFileSync(join(CORPUS, rel), "utf8");
}

/** A server over a temporary home. */
export interface Harness {
  home: string;
  store: Store;
  engine: Engine;
  server: WeftServer;
  /** Closes the server and the store and removes the home. */
  dispose(): Promise<void>;
}

/** Builds a server over a fresh temporary `$WEFT_HOME` (not listening; `server.start()` is not called). */
export function makeHarness(overrides: Partial<ServerOptions> = {}, home?: string): Harness {
  const dir = home ?? mkdtempSync(join(tmpdir(), "weft-server-"));
  const store = openStore(dir);
  const artifactsRoot = join(dir, "artifacts");
  const engine = new Engine({
    home: dir,
    store,
    artifacts: new LocalArtifactStore(artifactsRoot),
    capacity: { cpus: 4000, memoryBytes: 4 * 1024 ** 3, gpus: [] },
  });
  const server = createServer({ store, engine, artifactsRoot, schedulerIntervalMs: false, ...overrides });
  return {
    home: dir,
    store,
    engine,
    server,
    async dispose() {
      await server.close();
      store.close();
      if (!home) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** What {@link listeningHarnessPerTest} gives each test: the harness and its base URL. */
export interface Listening {
  h: Harness;
  base: string;
}

/**
 * A fresh harness listening on 127.0.0.1 for every test of the calling suite, disposed
 * after each; read `h` and `base` inside the tests.
 */
export function listeningHarnessPerTest(overrides: Partial<ServerOptions> = {}): Listening {
  const current = {} as Listening;
  beforeEach(async () => {
    current.h = makeHarness(overrides);
    current.base = await current.h.server.listen(0, "127.0.0.1");
  });
  afterEach(async () => {
    await current.h.dispose();
  });
  return current;
}

/** A multipart/form-data body with one file field. */
export function multipartBody(field: string, filename: string, content: string): { body: Buffer; contentType: string } {
  const boundary = `----weft${Math.random().toString(16).slice(2)}`;
  const body = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: application/x-yaml\r\n\r\n`,
    ),
    Buffer.from(content),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}
