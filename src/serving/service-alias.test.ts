/**
 * Alias moves under load: a registry alias (a real store under a temporary WEFT_HOME, two
 * registered ONNX versions) is moved while clients keep sending requests through the REST
 * server; every request is counted and none may fail. The server follows the alias by
 * polling, drains the old version and closes it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ModelArtifact } from "../../examples/fraud-detection/lib/model.ts";
import { buildOnnxModel, ONNX_INPUT, ONNX_OUTPUT } from "../../examples/fraud-detection/lib/onnx.ts";
import { registerModelVersion } from "../registry/index.ts";
import { openStore, type Store } from "../store/index.ts";
import { startRestServer } from "./http-server.ts";
import { resolveSources } from "./repository.ts";
import { createModelService, type WeftModelService } from "./service.ts";
import type { InferEvent } from "./types.ts";

/** A logistic regression over two features, as the fraud example exports it. */
function logreg(weights: [number, number], bias: number): ModelArtifact {
  return {
    format: "weft-fraud-model/1",
    kind: "logreg",
    featureNames: ["a", "b"],
    scaler: { mean: [0, 0], std: [1, 1] },
    layers: [{ weights: [[weights[0]], [weights[1]]], bias: [bias], activation: "sigmoid" }],
    hyperparameters: {},
    training: { trainRows: 0, epochs: 0, seconds: 0, finalLoss: 0, classWeight: 1 },
  };
}

/** What version `v` answers for a row: the two versions have different weights. */
const WEIGHTS: Record<string, { w: [number, number]; b: number }> = {
  "1": { w: [1, 1], b: 0 },
  "2": { w: [2, -1], b: 0.5 },
};
function expected(version: string, row: [number, number]): number {
  const { w, b } = WEIGHTS[version]!;
  return 1 / (1 + Math.exp(-(row[0] * w[0] + row[1] * w[1] + b)));
}

let home: string;
let store: Store;
let service: WeftModelService;
let server: { url: string; close(): Promise<void> };
const events: InferEvent[] = [];

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), "weft-serve-alias-"));
  store = openStore(home);
  store.models.createModel({ name: "fraud" });
  for (const v of ["1", "2"]) {
    const dir = join(home, "models", `v${v}`);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, "model.onnx");
    writeFileSync(file, await buildOnnxModel(logreg(WEIGHTS[v]!.w, WEIGHTS[v]!.b)));
    const registered = await registerModelVersion(store, { name: "fraud", source: file });
    expect(registered.status, registered.statusMessage).toBe("READY");
  }
  store.models.setAlias("fraud", "champion", 1);
  const sources = await resolveSources([{ source: "models:/fraud@champion" }], { home });
  service = await createModelService(sources, {
    followAliases: { intervalMs: 10 },
    home,
    workers: 1,
    observer: { infer: (e) => events.push(e) },
  });
  server = await startRestServer(service, { port: 0 });
});

afterAll(async () => {
  await server?.close();
  await service?.close();
  store?.close();
  rmSync(home, { recursive: true, force: true });
});

/** Rows per request. */
const ROWS = 32;

interface Load {
  ok: number;
  failed: string[];
  /** Answers per version. */
  byVersion: Record<string, number>;
  /** Answers whose value is not what the version that answered computes. */
  wrong: string[];
  stop(): Promise<void>;
}

/** `clients` loops of inference requests through HTTP, each request counted, until `stop`. */
function startLoad(url: string, clients: number): Load {
  let running = true;
  const load: Load = { ok: 0, failed: [], byVersion: {}, wrong: [], stop: async () => {} };
  const loop = async (client: number) => {
    for (let i = 0; running; i++) {
      const row: [number, number] = [((client * 7 + i) % 11) / 4 - 1, ((i * 3) % 5) / 2 - 1];
      // ROWS copies of the row: a request big enough to be running when the alias moves
      try {
        const res = await fetch(`${url}/v2/models/fraud/infer`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            inputs: [{ name: ONNX_INPUT, datatype: "FP32", shape: [ROWS, 2], data: Array(ROWS).fill(row).flat() }],
          }),
        });
        const body = (await res.json()) as {
          model_version?: string;
          outputs?: { name: string; data: number[] }[];
          error?: string;
        };
        if (res.status !== 200) {
          load.failed.push(`${res.status} ${body.error}`);
          continue;
        }
        load.ok++;
        const version = body.model_version ?? "?";
        load.byVersion[version] = (load.byVersion[version] ?? 0) + 1;
        const got = body.outputs?.find((o) => o.name === ONNX_OUTPUT)?.data ?? [];
        if (got.length !== ROWS || got.some((p) => Math.abs(p - expected(version, row)) > 1e-5)) {
          load.wrong.push(`version ${version} answered ${got} for ${row}`);
        }
      } catch (err) {
        load.failed.push(String(err));
      }
    }
  };
  const loops = Array.from({ length: clients }, (_, c) => loop(c));
  load.stop = async () => {
    running = false;
    await Promise.all(loops);
  };
  return load;
}

/** Resolves once `check` holds, checking every few milliseconds (the test's own timeout bounds it). */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 5));
}

describe("alias moves under load", () => {
  it("follows champion between versions 1 and 2 four times while requests run: none fails, each answer is its version's", async () => {
    expect(service.describe()[0]).toMatchObject({ name: "fraud", versions: ["1"], primary: "1" });
    const load = startLoad(server.url, 16);
    try {
      await until(() => (load.byVersion["1"] ?? 0) >= 40);
      for (const to of ["2", "1", "2", "1"]) {
        const at = load.byVersion[to] ?? 0;
        store.models.setAlias("fraud", "champion", Number(to));
        await until(() => (load.byVersion[to] ?? 0) >= at + 60);
        // the version moved from is drained and closed: only the alias's version stays loaded
        await until(() => service.describe()[0]!.versions.join() === to);
      }
    } finally {
      await load.stop();
    }
    console.log(
      `alias move under load: ${load.ok} requests answered (${JSON.stringify(load.byVersion)}), ${load.failed.length} failed`,
    );
    expect(load.failed).toEqual([]);
    expect(load.wrong).toEqual([]);
    expect(service.describe()[0]).toMatchObject({ versions: ["1"], primary: "1", state: "READY" });
    expect(events.filter((e) => !e.ok)).toEqual([]);
    expect(events.length).toBe(load.ok);
    expect(new Set(events.map((e) => e.version))).toEqual(new Set(["1", "2"]));
  });

  it("a load through the repository extension moves to the alias at once, without waiting for the poll", async () => {
    store.models.setAlias("fraud", "champion", 2);
    const res = await fetch(`${server.url}/v2/repository/models/fraud/load`, { method: "POST", body: "{}" });
    expect(res.status).toBe(200);
    expect(service.describe()[0]).toMatchObject({ versions: ["2"], primary: "2" });
  });

  it("a load naming a version holds it (a rollback) against alias moves; a plain load follows the alias again", async () => {
    store.models.setAlias("fraud", "champion", 2);
    await service.load("fraud");
    await service.load("fraud", { version: "1" });
    expect(service.describe()[0]).toMatchObject({ versions: ["1"], primary: "1" });
    store.models.setAlias("fraud", "champion", 1);
    store.models.setAlias("fraud", "champion", 2);
    await service.refreshAliases();
    expect(service.describe()[0]).toMatchObject({ versions: ["1"], primary: "1" });
    await service.load("fraud");
    expect(service.describe()[0]).toMatchObject({ versions: ["2"], primary: "2" });
  });

  it("a load with a models:/ URI serves a new model from the registry under the name it is loaded as", async () => {
    const res = await fetch(`${server.url}/v2/repository/models/fraud-first/load`, {
      method: "POST",
      body: JSON.stringify({ parameters: { uri: "models:/fraud/1" } }),
    });
    expect(res.status, await res.text()).toBe(200);
    expect(service.modelReady("fraud-first")).toBe(true);
    const infer = await fetch(`${server.url}/v2/models/fraud-first/infer`, {
      method: "POST",
      body: JSON.stringify({ inputs: [{ name: ONNX_INPUT, datatype: "FP32", shape: [1, 2], data: [1, 0.5] }] }),
    });
    const body = (await infer.json()) as { model_name: string; model_version: string; outputs: { data: number[] }[] };
    expect(body).toMatchObject({ model_name: "fraud-first", model_version: "1" });
    expect(Math.abs(body.outputs[0]!.data[0]! - expected("1", [1, 0.5]))).toBeLessThan(1e-6);
    const missing = await service.load("fraud-none", { uri: "models:/fraud/9" }).catch((e: Error) => e);
    expect(missing).toBeInstanceOf(Error);
    expect((missing as Error).message).toContain("9");
    await service.unload("fraud-first");
  });

  it("an alias moved to a version that cannot be served leaves the current version serving, and says why", async () => {
    const broken = join(home, "models", "broken");
    mkdirSync(broken, { recursive: true });
    writeFileSync(join(broken, "model.onnx"), "not an onnx model");
    const v3 = await registerModelVersion(store, { name: "fraud", source: join(broken, "model.onnx") });
    store.models.setAlias("fraud", "champion", v3.version);
    await service.refreshAliases();
    const served = service.describe()[0]!;
    expect(served).toMatchObject({ versions: ["2"], primary: "2", state: "READY" });
    expect(served.reason).toContain("3");
    expect(service.repositoryIndex().filter((r) => r.name === "fraud")).toEqual([
      { name: "fraud", version: "2", state: "READY" },
      { name: "fraud", version: "3", state: "UNAVAILABLE", reason: served.reason },
    ]);
    const res = await fetch(`${server.url}/v2/models/fraud/infer`, {
      method: "POST",
      body: JSON.stringify({ inputs: [{ name: ONNX_INPUT, datatype: "FP32", shape: [1, 2], data: [0, 0] }] }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { model_version: string }).model_version).toBe("2");
  });
});

describe("canary and shadow that follow the challenger alias", () => {
  it("splits by the routing key header between champion and challenger, and follows the challenger when it moves", async () => {
    store.models.setAlias("fraud", "champion", 1);
    store.models.setAlias("fraud", "challenger", 2);
    const sources = await resolveSources([{ source: "models:/fraud@champion" }], { home });
    const own = await createModelService(sources, {
      canary: { model: "fraud", target: "challenger", percent: 50 },
      workers: 1,
      home,
    });
    const rest = await startRestServer(own, { port: 0 });
    try {
      expect(own.describe()[0]).toMatchObject({ versions: ["1", "2"], primary: "1", canary: { version: "2" } });
      const ask = async (key: string) => {
        const res = await fetch(`${rest.url}/v2/models/fraud/infer`, {
          method: "POST",
          headers: { "x-weft-routing-key": key },
          body: JSON.stringify({ inputs: [{ name: ONNX_INPUT, datatype: "FP32", shape: [1, 2], data: [0.5, -1] }] }),
        });
        expect(res.status).toBe(200);
        const body = (await res.json()) as { model_version: string; outputs: { data: number[] }[] };
        expect(Math.abs(body.outputs[0]!.data[0]! - expected(body.model_version, [0.5, -1]))).toBeLessThan(1e-6);
        return body.model_version;
      };
      const first = new Map<string, string>();
      for (let k = 0; k < 40; k++) first.set(`card-${k}`, await ask(`card-${k}`));
      for (let k = 0; k < 40; k += 4) expect(await ask(`card-${k}`)).toBe(first.get(`card-${k}`));
      expect(new Set(first.values())).toEqual(new Set(["1", "2"]));
      // the challenger becomes the champion's version: one version serves everything, the other is closed
      store.models.setAlias("fraud", "challenger", 1);
      await own.refreshAliases();
      expect(own.describe()[0]).toMatchObject({ versions: ["1"], primary: "1", canary: { version: "1" } });
      for (let k = 0; k < 8; k++) expect(await ask(`card-${k}`)).toBe("1");
    } finally {
      await rest.close();
      await own.close();
    }
  });

  it("shadow mode answers from the champion and records the challenger's answers beside them", async () => {
    store.models.setAlias("fraud", "champion", 1);
    store.models.setAlias("fraud", "challenger", 2);
    const sources = await resolveSources([{ source: "models:/fraud@champion" }], { home });
    const mirrored: InferEvent[] = [];
    let notify = () => {};
    const own = await createModelService(sources, {
      shadow: { model: "fraud", target: "challenger" },
      workers: 1,
      home,
      observer: {
        infer: (e) => {
          if (e.role === "shadow") {
            mirrored.push(e);
            notify();
          }
        },
      },
    });
    const rest = await startRestServer(own, { port: 0 });
    try {
      const done = new Promise<void>((r) => {
        notify = () => mirrored.length === 3 && r();
      });
      for (const row of [
        [1, 1],
        [0, 0],
        [-1, 2],
      ] as [number, number][]) {
        const res = await fetch(`${rest.url}/v2/models/fraud/infer`, {
          method: "POST",
          body: JSON.stringify({ inputs: [{ name: ONNX_INPUT, datatype: "FP32", shape: [1, 2], data: row }] }),
        });
        expect(((await res.json()) as { model_version: string }).model_version).toBe("1");
      }
      await done;
      const records = own.shadowRecords("fraud");
      expect(records.map((r) => [r.primaryVersion, r.shadowVersion, r.ok])).toEqual([
        ["1", "2", true],
        ["1", "2", true],
        ["1", "2", true],
      ]);
      // version 2 answers differently; the record says by how much
      const [first] = records;
      expect(first!.outputs![0]!.data[0]).toBeCloseTo(expected("2", [1, 1]), 5);
      expect(first!.maxAbsDiff).toBeCloseTo(Math.abs(expected("2", [1, 1]) - expected("1", [1, 1])), 5);
      expect(first!.agree).toBe(false);
      expect(own.shadowSummary("fraud")).toMatchObject({ mirrored: 3, failed: 0, disagreed: 3, shadowVersion: "2" });
    } finally {
      await rest.close();
      await own.close();
    }
  });
});
