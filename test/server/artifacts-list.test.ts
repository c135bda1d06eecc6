/**
 * The artifacts list, directory archives, download names and the multi-hop lineage graph
 * over a real HTTP server on 127.0.0.1, after a real four-task run (load → features →
 * train → evaluate) and a second run of the same pipeline.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Artifact } from "../../src/store/index.ts";
import { type Harness, makeHarness } from "./harness.ts";
import { FEATURE_FILES, lineageChainPipeline } from "./lineage-chain.ts";

let h: Harness;
let base: string;
let runA: string;
let runB: string;
let artifactsA: Artifact[];

const byName = (name: string): Artifact => {
  const a = artifactsA.find((x) => x.name === name);
  if (!a) throw new Error(`no artifact ${name}`);
  return a;
};

async function getJson<T>(url: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base}${url}`);
  return { status: res.status, body: (await res.json()) as T };
}

interface ListBody {
  artifacts?: {
    artifact_id: string;
    name: string;
    schema_title: string;
    run_id: string;
    task?: string;
    run_name?: string;
  }[];
  total_size: number;
  next_page_token?: string;
}

beforeAll(async () => {
  h = makeHarness({ concurrency: 1 });
  const a = await h.engine.startRun({ pipeline: lineageChainPipeline(), runName: "chain a" }).done;
  expect(a.state).toBe("SUCCEEDED");
  const b = await h.engine.startRun({ pipeline: lineageChainPipeline(), runName: "chain b", enableCache: false }).done;
  expect(b.state).toBe("SUCCEEDED");
  runA = a.runId;
  runB = b.runId;
  artifactsA = h.store.artifacts.listByRun(runA);
  base = await h.server.listen(0, "127.0.0.1");
}, 120_000);

afterAll(async () => {
  await h.dispose();
});

describe("GET /apis/weft/v1/artifacts", () => {
  it("pages through every artifact newest first and filters by run, type and name", async () => {
    const all = await getJson<ListBody>("/apis/weft/v1/artifacts");
    expect(all.body.total_size).toBe(10);
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page: { body: ListBody } = await getJson<ListBody>(
        `/apis/weft/v1/artifacts?page_size=3${token ? `&page_token=${token}` : ""}`,
      );
      expect((page.body.artifacts ?? []).length).toBeLessThanOrEqual(3);
      seen.push(...(page.body.artifacts ?? []).map((x) => x.artifact_id));
      token = page.body.next_page_token;
    } while (token);
    expect(seen).toEqual((all.body.artifacts ?? []).map((x) => x.artifact_id));
    expect(new Set(seen).size).toBe(10);

    const ofRun = await getJson<ListBody>(`/apis/weft/v1/artifacts?run_id=${runA}`);
    expect(ofRun.body.total_size).toBe(5);
    expect(ofRun.body.artifacts?.every((x) => x.run_id === runA && x.run_name === "chain a")).toBe(true);

    const models = await getJson<ListBody>("/apis/weft/v1/artifacts?type=system.Model");
    expect(models.body.artifacts?.map((x) => [x.name, x.task])).toEqual([
      ["model", "root/train"],
      ["model", "root/train"],
    ]);
    const short = await getJson<ListBody>(`/apis/weft/v1/artifacts?type=Markdown&run_id=${runB}`);
    expect(short.body.artifacts?.map((x) => x.name)).toEqual(["report"]);
    const named = await getJson<ListBody>(`/apis/weft/v1/artifacts?name=feat&run_id=${runA}`);
    expect(named.body.artifacts?.map((x) => x.name)).toEqual(["features"]);

    const filter = encodeURIComponent(
      JSON.stringify({ predicates: [{ key: "type", operation: "EQUALS", string_value: "system.Dataset" }] }),
    );
    const kfp = await getJson<ListBody>(`/apis/weft/v1/artifacts?filter=${filter}&sort_by=name`);
    expect(kfp.body.total_size).toBe(6);
    expect(kfp.body.artifacts?.map((x) => x.name)).toEqual([
      "features",
      "features",
      "scaler",
      "scaler",
      "transactions",
      "transactions",
    ]);
  });

  it("answers a bad filter or page token with a 400 that says what to send", async () => {
    const bad = await getJson<{ message: string }>(
      `/apis/weft/v1/artifacts?filter=${encodeURIComponent('{"predicates":[{"key":"metadata","operation":"EQUALS","string_value":"x"}]}')}`,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain("is not a artifact field");
    const first = await getJson<ListBody>("/apis/weft/v1/artifacts?page_size=2");
    const other = await getJson<{ message: string }>(
      `/apis/weft/v1/artifacts?page_size=2&run_id=${runA}&page_token=${first.body.next_page_token}`,
    );
    expect(other.status).toBe(400);
    expect(other.body.message).toContain("different filter");
  });
});

describe("downloads", () => {
  it("streams a directory artifact as a tar named NAME.tar; tar lists its files and leaves links out", async () => {
    const features = byName("features");
    const dir = path.join(h.home, "artifacts", runA, "features", "features");
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), "weft-tar-outside-"));
    fs.writeFileSync(path.join(outside, "secret.txt"), "outside secret\n");
    fs.symlinkSync(path.join(outside, "secret.txt"), path.join(dir, "leak.txt"));
    fs.symlinkSync(outside, path.join(dir, "leakdir"));
    try {
      const res = await fetch(`${base}/apis/weft/v1/artifacts/${features.id}/content?archive=tar`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("application/x-tar");
      expect(res.headers.get("content-disposition")).toBe('attachment; filename="features.tar"');
      const bytes = Buffer.from(await res.arrayBuffer());
      const work = fs.mkdtempSync(path.join(os.tmpdir(), "weft-tar-"));
      const file = path.join(work, "features.tar");
      fs.writeFileSync(file, bytes);
      const listed = execFileSync("tar", ["-tf", file], { encoding: "utf8" }).split("\n").filter(Boolean);
      expect(listed).toEqual(FEATURE_FILES);
      execFileSync("tar", ["-xf", file, "-C", work]);
      expect(fs.readFileSync(path.join(work, "features", "part-0.csv"), "utf8")).toBe("amount,label\n12.5,0\n990,1\n");
      expect(bytes.includes(Buffer.from("outside secret"))).toBe(false);
      fs.rmSync(work, { recursive: true, force: true });
    } finally {
      fs.rmSync(path.join(dir, "leak.txt"));
      fs.rmSync(path.join(dir, "leakdir"));
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });

  it("says whether an artifact is a file or a directory, and download=true sends each as a file", async () => {
    const features = byName("features");
    const model = byName("model");
    expect((await getJson<{ content_kind: string }>(`/apis/weft/v1/artifacts/${features.id}`)).body.content_kind).toBe(
      "directory",
    );
    expect((await getJson<{ content_kind: string }>(`/apis/weft/v1/artifacts/${model.id}`)).body.content_kind).toBe(
      "file",
    );
    const dir = await fetch(`${base}/apis/weft/v1/artifacts/${features.id}/content?download=true`);
    expect(dir.headers.get("content-type")).toBe("application/x-tar");
    expect(
      Buffer.from(await dir.arrayBuffer())
        .subarray(257, 262)
        .toString("latin1"),
    ).toBe("ustar");
    const sub = await fetch(`${base}/apis/weft/v1/artifacts/${features.id}/content?path=meta&archive=tar`);
    expect(sub.headers.get("content-disposition")).toBe('attachment; filename="meta.tar"');
    const file = await fetch(`${base}/apis/weft/v1/artifacts/${model.id}/content?download=true`);
    expect(file.headers.get("content-type")).toBe("application/octet-stream");
    expect(
      Buffer.from(await file.arrayBuffer())
        .subarray(4)
        .toString("latin1"),
    ).toBe("weft");
  });

  it("archives long and unicode names with pax headers that tar reads back", async () => {
    const features = byName("features");
    const dir = path.join(h.home, "artifacts", runA, "features", "features");
    const deep = path.join(dir, "d".repeat(90), "e".repeat(90));
    fs.mkdirSync(deep, { recursive: true });
    const long = `${"f".repeat(120)}-ünï.txt`;
    fs.writeFileSync(path.join(deep, long), "x");
    try {
      const res = await fetch(`${base}/apis/weft/v1/artifacts/${features.id}/content?archive=tar`);
      const work = fs.mkdtempSync(path.join(os.tmpdir(), "weft-tar-"));
      const file = path.join(work, "a.tar");
      fs.writeFileSync(file, Buffer.from(await res.arrayBuffer()));
      const listed = execFileSync("tar", ["-tf", file], { encoding: "utf8" }).split("\n");
      expect(listed).toContain(`features/${"d".repeat(90)}/${"e".repeat(90)}/${long}`);
      fs.rmSync(work, { recursive: true, force: true });
    } finally {
      fs.rmSync(path.join(dir, "d".repeat(90)), { recursive: true, force: true });
    }
  });

  it("names files by their metadata, type or content: model.onnx, report.md, transactions.csv, scaler.json", async () => {
    const model = byName("model");
    h.store.artifacts.updateMetadata(model.id, { framework: "onnx" }, { merge: true });
    const disposition = async (id: string, query = "") =>
      (await fetch(`${base}/apis/weft/v1/artifacts/${id}/content${query}`)).headers.get("content-disposition");
    expect(await disposition(model.id)).toBe('attachment; filename="model.onnx"');
    expect(await disposition(byName("report").id)).toBe('attachment; filename="report.md"');
    expect(await disposition(byName("transactions").id)).toBe('attachment; filename="transactions.csv"');
    expect(await disposition(byName("scaler").id)).toBe('attachment; filename="scaler.json"');
    expect(await disposition(byName("features").id, "?path=meta/schema.json")).toBe(
      'attachment; filename="schema.json"',
    );
    const dirJson = await getJson<{ items: { name: string; kind: string; size_bytes?: number }[] }>(
      `/apis/weft/v1/artifacts/${byName("features").id}/content`,
    );
    expect(dirJson.body.items).toEqual([
      { name: "meta", kind: "dir" },
      { name: "part-0.csv", kind: "file", size_bytes: 26 },
    ]);
    const fileAsTar = await getJson<{ message: string }>(`/apis/weft/v1/artifacts/${model.id}/content?archive=tar`);
    expect(fileAsTar.status).toBe(400);
    expect(fileAsTar.body.message).toContain("archive=tar is for directories");
  });
});

interface GraphBody {
  root: string;
  nodes: {
    id: string;
    kind: string;
    hop: number;
    more?: boolean;
    artifact?: { name: string };
    execution?: { task: string };
  }[];
  edges: { from: string; to: string; type: string; name: string }[];
  truncated: boolean;
}

describe("lineage graph", () => {
  it("walks three executions upstream from the report and downstream from the transactions", async () => {
    const report = byName("report");
    const up = await getJson<GraphBody>(`/apis/weft/v1/lineage/graph?artifact_id=${report.id}&upstream=3&downstream=0`);
    expect(up.status).toBe(200);
    const label = (n: GraphBody["nodes"][number]) =>
      `${n.hop} ${n.kind === "artifact" ? n.artifact?.name : n.execution?.task}`;
    expect(up.body.nodes.map(label).sort()).toEqual(
      [
        "0 report",
        "-1 root/evaluate",
        "-1 model",
        "-1 features",
        "-2 root/train",
        "-2 root/features",
        "-2 transactions",
        "-3 root/load",
      ].sort(),
    );
    const names = new Map(up.body.nodes.map((n) => [n.id, n.artifact?.name ?? n.execution?.task]));
    const edge = (e: GraphBody["edges"][number]) => `${names.get(e.from)} -${e.type}-> ${names.get(e.to)}`;
    expect(up.body.edges.map(edge).sort()).toEqual(
      [
        "root/evaluate -OUTPUT-> report",
        "model -INPUT-> root/evaluate",
        "features -INPUT-> root/evaluate",
        "root/train -OUTPUT-> model",
        "features -INPUT-> root/train",
        "root/features -OUTPUT-> features",
        "transactions -INPUT-> root/features",
        "root/load -OUTPUT-> transactions",
      ].sort(),
    );

    const one = await getJson<GraphBody>(
      `/apis/weft/v1/lineage/graph?artifact_id=${report.id}&upstream=1&downstream=0`,
    );
    expect(one.body.nodes.map(label).sort()).toEqual(["-1 features", "-1 model", "-1 root/evaluate", "0 report"]);
    expect(one.body.nodes.find((n) => n.artifact?.name === "model")?.more).toBe(true);

    const down = await getJson<GraphBody>(
      `/apis/weft/v1/lineage/graph?artifact_id=${byName("transactions").id}&upstream=0&downstream=3`,
    );
    expect(
      down.body.nodes
        .filter((n) => n.kind === "execution")
        .map((n) => `${n.hop} ${n.execution?.task}`)
        .sort(),
    ).toEqual(["1 root/features", "2 root/evaluate", "2 root/train"]);
  });

  it("starts from an execution, and refuses unknown ids and bad hop counts", async () => {
    const train = byName("model").taskId;
    const g = await getJson<GraphBody>(`/apis/weft/v1/lineage/graph?execution_id=${train}&upstream=0&downstream=0`);
    expect(g.body.root).toBe(`execution:${train}`);
    expect(g.body.nodes.map((n) => n.artifact?.name ?? n.execution?.task).sort()).toEqual([
      "features",
      "model",
      "root/train",
    ]);
    expect((await getJson(`/apis/weft/v1/lineage/graph?artifact_id=nope`)).status).toBe(404);
    expect((await getJson(`/apis/weft/v1/lineage/graph?artifact_id=${byName("model").id}&upstream=11`)).status).toBe(
      400,
    );
    expect((await getJson("/apis/weft/v1/lineage/graph")).status).toBe(400);
  });

  it("searches artifacts by name, id and uri", async () => {
    const model = byName("model");
    const byText = await getJson<{ artifacts: { artifact_id: string; run_name?: string }[] }>(
      "/apis/weft/v1/lineage/search?q=MODEL",
    );
    expect(byText.body.artifacts).toHaveLength(2);
    const byId = await getJson<{ artifacts: { artifact_id: string }[] }>(`/apis/weft/v1/lineage/search?q=${model.id}`);
    expect(byId.body.artifacts.map((a) => a.artifact_id)).toEqual([model.id]);
    const byUri = await getJson<{ artifacts: { artifact_id: string }[] }>(
      `/apis/weft/v1/lineage/search?q=${encodeURIComponent(model.uri)}`,
    );
    expect(byUri.body.artifacts.map((a) => a.artifact_id)).toEqual([model.id]);
    expect((await getJson("/apis/weft/v1/lineage/search?q=")).status).toBe(400);
  });
});
