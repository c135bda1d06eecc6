/**
 * `weft models` prints through one presentation over a ModelSource: the store-backed
 * source and the client-backed source (a real server on 127.0.0.1 over the same store)
 * print the same tables and JSON, refuse the same things, and a download checks the
 * copy's digest against the registered one (a model changed since registration is refused).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { digestArtifact, LocalArtifactStore } from "../../src/artifacts/index.ts";
import { storeModelSource } from "../../src/cli/commands/models-store.ts";
import type { ModelSource } from "../../src/cli/model-source.ts";
import {
  aliasCommand,
  compareCommand,
  downloadCommand,
  showModel,
  showModelList,
  showVersions,
  stageCommand,
} from "../../src/cli/model-views.ts";
import { clientModelSource } from "../../src/cli/remote/models.ts";
import { WeftClient } from "../../src/client/index.ts";
import { type Store, sampleSpec } from "../../src/store/index.ts";
import { type Harness, makeHarness } from "../server/harness.ts";
import { weft } from "./helpers.ts";

let h: Harness;
let url: string;
let local: ModelSource;
let remote: ModelSource;
let out: string;
const t0 = Date.parse("2026-03-04T05:06:07Z");

/** What `show` wrote to stdout, with its exit code, or the error it threw. */
async function printed(show: () => Promise<number>): Promise<{ code: number; out: string } | { error: string }> {
  let text = "";
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    text += String(chunk);
    return true;
  });
  try {
    return { code: await show(), out: text };
  } catch (err) {
    const e = err as { code?: string; exitCode?: number; message?: string };
    return { error: `${e.code} ${e.exitCode}: ${e.message}` };
  } finally {
    spy.mockRestore();
  }
}

/** Writes a model file as a task's output artifact and records it; returns its URI and digest. */
async function modelArtifact(store: Store, runId: string, taskId: string, content: string | Record<string, string>) {
  const artifacts = new LocalArtifactStore(join(h.home, "artifacts"));
  const uri = artifacts.uriFor(runId, "train", "model");
  const path = artifacts.localPath(uri);
  if (typeof content === "string") {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  } else {
    for (const [name, text] of Object.entries(content)) {
      mkdirSync(dirname(join(path, name)), { recursive: true });
      writeFileSync(join(path, name), text);
    }
  }
  const d = await digestArtifact(path);
  const digest = d && d.kind !== "symlink" && d.kind !== "other" ? d.digest : undefined;
  store.artifacts.create({
    runId,
    taskId,
    name: "model",
    uri,
    schemaTitle: "system.Model",
    ...(digest ? { digest } : {}),
  });
  return { uri, path, digest: digest as string };
}

async function seed(store: Store): Promise<void> {
  const exp = store.experiments.create({ name: "fraud" });
  store.models.createModel({
    name: "fraud-detector",
    description: "card fraud",
    tags: { team: "risk" },
    createdAt: t0,
  });
  store.models.createModel({ name: "churn", createdAt: t0 + 1000 });
  const metrics = [
    { roc_auc: 0.91, p99_latency_ms: 4 },
    { roc_auc: 0.93, p99_latency_ms: 4.5 },
    { roc_auc: 0.92, p99_latency_ms: 3 },
  ];
  for (let i = 0; i < 3; i++) {
    const run = store.runs.create({
      displayName: `train-${i + 1}`,
      experimentId: exp.id,
      pipelineSpec: sampleSpec("fraud-pipeline"),
      parameters: { seed: i },
      createdAt: t0 + i * 60_000,
    });
    const task = store.tasks.upsert({ runId: run.id, path: "root/train", name: "train", kind: "container" });
    const model = await modelArtifact(
      store,
      run.id,
      task.id,
      i === 2 ? { "model.json": `{"v":${i}}`, "weights/w.bin": "0123" } : `onnx-model-${i}`,
    );
    store.models.createVersion({
      name: "fraud-detector",
      source: model.uri,
      digest: model.digest,
      format: i === 2 ? "tfjs-layers" : "onnx",
      signature: {
        inputs: [{ name: "features", dtype: "float32", shape: [-1, i === 1 ? 31 : 30] }],
        outputs: [{ name: "score", dtype: "float32", shape: [-1, 1] }],
      },
      runId: run.id,
      taskId: task.id,
      taskName: "train",
      datasets: [
        {
          name: "transactions",
          uri: `file:///data/tx-${i === 0 ? "a" : "b"}.csv`,
          digest: "sha256:abc",
          task: "generate",
        },
      ],
      metrics: metrics[i] as Record<string, number>,
      status: "READY",
      tags: { seed: String(i) },
      createdAt: t0 + i * 60_000 + 5000,
    });
  }
  store.models.setAlias("fraud-detector", "champion", 1, "ana");
  store.models.setAlias("fraud-detector", "champion", 2, "bo");
  store.models.setAlias("fraud-detector", "challenger", 3, "bo");
  store.models.transitionStage("fraud-detector", 2, "Production");
}

beforeAll(async () => {
  h = makeHarness({ concurrency: 0 });
  url = await h.server.listen(0, "127.0.0.1");
  await seed(h.store);
  local = storeModelSource(h.store, { artifactsRoot: join(h.home, "artifacts"), user: "cli-test" });
  remote = clientModelSource({ host: url, client: new WeftClient({ host: url }) });
  out = mkdtempSync(join(tmpdir(), "weft-models-out-"));
});
afterAll(async () => {
  await h?.dispose();
  rmSync(out, { recursive: true, force: true });
});

/** The text the local source prints, after checking that the server prints the same. */
async function same(show: (s: ModelSource) => Promise<number>): Promise<string> {
  const here = await printed(() => show(local));
  const there = await printed(() => show(remote));
  if ("error" in here) throw new Error(`local: ${here.error}`);
  expect(there).toEqual(here);
  return here.out;
}

describe("weft models over a ModelSource, from the store and from the server", () => {
  it("lists models with their latest version and aliases", async () => {
    const text = await same((s) => showModelList(s, { limit: 100 }));
    const lines = text.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^NAME\s+LATEST\s+ALIASES\s+UPDATED$/);
    expect(lines[1]).toMatch(/^churn\s+-\s+-\s+\S+ \S+$/);
    expect(lines[2]).toMatch(/^fraud-detector\s+3\s+challenger=3, champion=2\s+/);
    const filtered = await same((s) => showModelList(s, { limit: 100, filter: "name LIKE '%fraud%'" }));
    expect(filtered).not.toContain("churn");
    const json = JSON.parse(await same((s) => showModelList(s, { limit: 100, json: true })));
    expect(json.registered_models[1]).toMatchObject({
      name: "fraud-detector",
      latest_version: "3",
      aliases: { champion: "2", challenger: "3" },
      tags: { team: "risk" },
    });
    const one = await same((s) => showModelList(s, { limit: 1 }));
    expect(one).toContain("(first 1; use --limit to see more)");
  });

  it("shows a model with its versions, and one version by number, alias, stage and latest", async () => {
    const model = await same((s) => showModel(s, "fraud-detector", {}));
    expect(model).toMatch(/latest version:\s+3/);
    expect(model).toMatch(/VERSION\s+STATUS\s+STAGE\s+ALIASES\s+CREATED\s+RUN\s+P99_LATENCY_MS\s+ROC_AUC/);
    const byAlias = await same((s) => showModel(s, "models:/fraud-detector@champion", {}));
    expect(byAlias.split("\n")[0]).toBe("models:/fraud-detector/2");
    expect(byAlias).toMatch(/stage:\s+Production/);
    expect(byAlias).toMatch(/run:\s+\S+ \(train-2\)/);
    expect(byAlias).toMatch(/aliases:\s+champion/);
    expect(byAlias).toMatch(/digest:\s+sha256:[0-9a-f]{64}/);
    expect(byAlias).toMatch(/inputs:\s+features float32 \[-1, 31\]/);
    expect(byAlias).toMatch(
      /datasets:\s+transactions {2}file:\/\/\/data\/tx-b\.csv {2}sha256:abc {2}\(task generate\)/,
    );
    expect(byAlias).toMatch(/metrics:\s+p99_latency_ms = 4\.5\n\s+roc_auc = 0\.93/);
    expect(await same((s) => showModel(s, "models:/fraud-detector/Production", {}))).toBe(byAlias);
    expect(await same((s) => showModel(s, "models:/fraud-detector/2", {}))).toBe(byAlias);
    const latest = await same((s) => showModel(s, "models:/fraud-detector/latest", { json: true }));
    expect(JSON.parse(latest)).toMatchObject({ version: "3", format: "tfjs-layers", aliases: ["challenger"] });
  });

  it("lists versions newest first with metrics side by side, filtered as MLflow filters", async () => {
    const text = await same((s) => showVersions(s, "fraud-detector", {}));
    const rows = text.trimEnd().split("\n");
    expect(rows.map((r) => r.split(/\s+/)[0])).toEqual(["VERSION", "3", "2", "1"]);
    expect(rows[2]).toMatch(/^2\s+READY\s+Production\s+champion\s+.*\s+4\.5\s+0\.93$/);
    const one = await same((s) => showVersions(s, "fraud-detector", { filter: "tags.seed = '0'" }));
    expect(one.trimEnd().split("\n")).toHaveLength(2);
  });

  it("compares versions: metrics with differences, and what differs", async () => {
    const text = await same((s) => compareCommand(s, ["fraud-detector", "1", "2"], {}));
    expect(text).toMatch(/METRIC\s+fraud-detector\/1\s+fraud-detector\/2\s+Δ/);
    expect(text).toMatch(/roc_auc\s+0\.91\s+0\.93\s+\+0\.02/);
    expect(text).toMatch(/p99_latency_ms\s+4\s+4\.5\s+\+0\.5/);
    expect(text).toContain("signature:");
    expect(text).toContain("datasets:");
    expect(text).not.toContain("format:");
    const three = await same((s) =>
      compareCommand(
        s,
        ["models:/fraud-detector/1", "models:/fraud-detector@champion", "models:/fraud-detector/3"],
        {},
      ),
    );
    expect(three).toContain("format:");
  });

  it("refuses unknown models, versions and aliases alike, naming them and what to do", async () => {
    for (const [show, code, words] of [
      [(s: ModelSource) => showModel(s, "nope", {}), "MODEL_NOT_FOUND", 'no registered model "nope"'],
      [(s: ModelSource) => showModel(s, "models:/fraud-detector/9", {}), "MODEL_VERSION_NOT_FOUND", "version 9"],
      [(s: ModelSource) => showModel(s, "models:/fraud-detector@gone", {}), "MODEL_ALIAS_NOT_FOUND", 'alias "gone"'],
      [(s: ModelSource) => showModel(s, "models:/churn/Staging", {}), "MODEL_VERSION_NOT_FOUND", "stage Staging"],
      [(s: ModelSource) => showVersions(s, "nope", {}), "MODEL_NOT_FOUND", "models list"],
      [(s: ModelSource) => showVersions(s, "fraud-detector", { filter: "bogus = 1" }), "BAD_OPTION", "'bogus'"],
      [(s: ModelSource) => showModelList(s, { limit: 5, filter: "name ~ 'x'" }), "BAD_OPTION", 'filter "name ~'],
    ] as const) {
      const here = await printed(() => show(local));
      const there = await printed(() => show(remote));
      expect("error" in here && here.error).toMatch(new RegExp(`^${code} 2: .*${words.replace(/[()]/g, "\\$&")}`));
      expect("error" in there && there.error).toMatch(new RegExp(`^${code} 2: `));
      expect(
        there && "error" in there && there.error.replace(`on ${url}`, "").replace(/weft --host \S+/g, "weft"),
      ).toBe("error" in here ? here.error.replace(`in ${h.store.home}`, "") : "");
    }
  });

  it("moves aliases atomically with history, from either source", async () => {
    const moved = await printed(() => aliasCommand(remote, "fraud-detector", "challenger", "1", {}));
    expect(moved).toEqual({ code: 0, out: "fraud-detector@challenger: version 3 -> version 1\n" });
    const back = await printed(() => aliasCommand(local, "fraud-detector", "challenger", "3", {}));
    expect(back).toEqual({ code: 0, out: "fraud-detector@challenger: version 1 -> version 3\n" });
    const history = await same((s) => aliasCommand(s, "fraud-detector", "challenger", undefined, { history: true }));
    expect(
      history
        .trimEnd()
        .split("\n")
        .slice(1)
        .map((l) => l.split(/\s{2,}/).slice(1)),
    ).toEqual([
      ["challenger", "-", "3", "bo"],
      ["challenger", "3", "1", expect.any(String)],
      ["challenger", "1", "3", "cli-test"],
    ]);
    const gone = await printed(() => aliasCommand(local, "fraud-detector", "challenger", undefined, { delete: true }));
    expect(gone).toEqual({ code: 0, out: "fraud-detector@challenger: version 3 -> (deleted)\n" });
    const again = await printed(() =>
      aliasCommand(remote, "fraud-detector", "challenger", undefined, { delete: true }),
    );
    expect(again).toMatchObject({ error: expect.stringMatching(/^MODEL_ALIAS_NOT_FOUND 2: /) });
    await printed(() => aliasCommand(remote, "fraud-detector", "challenger", "3", {}));
  });

  it("moves a version to a stage, archiving the others in it when asked", async () => {
    const staged = await printed(() =>
      stageCommand(remote, "fraud-detector", "3", "production", { archiveExisting: true }),
    );
    expect(staged).toEqual({
      code: 0,
      out: "fraud-detector version 3: None -> Production\narchived version 2 (were Production)\n",
    });
    expect(await printed(() => showModel(local, "models:/fraud-detector/2", {}))).toMatchObject({
      out: expect.stringMatching(/stage:\s+Archived/),
    });
    const back = await printed(() => stageCommand(local, "fraud-detector", "2", "Production", {}));
    expect(back).toMatchObject({ out: "fraud-detector version 2: Archived -> Production\n" });
    await printed(() => stageCommand(local, "fraud-detector", "3", "None", {}));
    const bad = await printed(() => stageCommand(local, "fraud-detector", "2", "Prod", {}));
    expect(bad).toMatchObject({ error: expect.stringMatching(/^BAD_OPTION 2: stage "Prod" is not one of/) });
  });
});

describe("weft models download", () => {
  it("copies a file and a directory out, checking the digest, from the store and from the server", async () => {
    for (const [name, source] of [
      ["here", local],
      ["there", remote],
    ] as const) {
      const file = join(out, `${name}-v1.onnx`);
      const r = await printed(() => downloadCommand(source, "models:/fraud-detector/1", { output: file }));
      expect(r).toMatchObject({
        code: 0,
        out: expect.stringMatching(/^copied models:\/fraud-detector\/1 \(file, sha256:/),
      });
      expect(readFileSync(file, "utf8")).toBe("onnx-model-0");
      const dir = join(out, `${name}-v3`);
      const d = await printed(() => downloadCommand(source, "models:/fraud-detector/3", { output: dir, json: true }));
      expect("out" in d && JSON.parse(d.out)).toMatchObject({ kind: "directory", checked: true, version: "3" });
      expect(readFileSync(join(dir, "weights", "w.bin"), "utf8")).toBe("0123");
      const exists = await printed(() => downloadCommand(source, "models:/fraud-detector/1", { output: file }));
      expect(exists).toMatchObject({ error: expect.stringMatching(/^OUTPUT_EXISTS 2: /) });
    }
  });

  it("copies a file that lies inside a folder artifact", async () => {
    const v3 = h.store.models.getVersion("fraud-detector", 3);
    const inner = `${v3?.source}/weights/w.bin`;
    const d = await digestArtifact(new LocalArtifactStore(join(h.home, "artifacts")).localPath(inner));
    h.store.models.createModel({ name: "weights-only" });
    h.store.models.createVersion({
      name: "weights-only",
      source: inner,
      digest: d?.kind === "file" ? d.digest : "",
      status: "READY",
    });
    for (const [name, source] of [
      ["here", local],
      ["there", remote],
    ] as const) {
      const dest = join(out, `${name}-w.bin`);
      expect(await printed(() => downloadCommand(source, "weights-only", { output: dest }))).toMatchObject({ code: 0 });
      expect(readFileSync(dest, "utf8")).toBe("0123");
    }
    h.store.models.deleteModel("weights-only");
  });

  it("refuses a model that changed since registration and leaves nothing behind", async () => {
    const v = h.store.models.getVersion("fraud-detector", 1);
    const path = new LocalArtifactStore(join(h.home, "artifacts")).localPath(v?.source as string);
    const before = readFileSync(path, "utf8");
    writeFileSync(path, "tampered");
    try {
      for (const [name, source] of [
        ["here", local],
        ["there", remote],
      ] as const) {
        const dest = join(out, `${name}-tampered.onnx`);
        const r = await printed(() => downloadCommand(source, "models:/fraud-detector@champion", { output: dest }));
        // champion is version 2; version 1 is the changed one
        expect(r).toMatchObject({ code: 0 });
        const bad = await printed(() => downloadCommand(source, "models:/fraud-detector/1", { output: `${dest}.1` }));
        expect(bad).toMatchObject({
          error: expect.stringMatching(
            /^MODEL_DIGEST_MISMATCH 1: models:\/fraud-detector\/1: .*changed since it was registered/,
          ),
        });
        expect(() => readFileSync(`${dest}.1`)).toThrow();
      }
    } finally {
      writeFileSync(path, before);
    }
  });
});

describe("weft models as a command", () => {
  it("prints the list and exits 2 for an unknown model, locally", async () => {
    const list = await weft(h.home, ["models", "list"]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/fraud-detector\s+3/);
    const missing = await weft(h.home, ["models", "get", "models:/nope/1"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('error[MODEL_NOT_FOUND]: no registered model "nope"');
    const remoteGet = await weft(h.home, ["--host", url, "models", "versions", "fraud-detector", "--json"]);
    expect(remoteGet.code).toBe(0);
    expect(JSON.parse(remoteGet.stdout).model_versions).toHaveLength(3);
  });
});
