/**
 * `weft serve` as a real child process: it prints the URLs it bound (port 0), answers an
 * Open Inference Protocol infer with what the model computes, counts it in `/metrics` and
 * the request log, refuses a source it cannot serve with exit 2, and stops on SIGTERM.
 */
import type { ChildProcess } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { registerModelVersion } from "../../src/registry/index.ts";
import { createServingClient } from "../../src/serving/client/index.ts";
import { openStore } from "../../src/store/index.ts";
import { denseModel, denseReference } from "../serving/onnx-models.ts";
import { collect, ROOT, type Sandbox, sandbox, spawnWeft, waitFor, weft } from "./helpers.ts";

const box: Sandbox = sandbox();
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGKILL");
      await exited;
    }
  }
  box.cleanup();
});

function hasOnnxRuntime(): boolean {
  try {
    createRequire(import.meta.url).resolve("onnxruntime-node");
    return true;
  } catch {
    return false;
  }
}
const ORT = hasOnnxRuntime();
if (!ORT) console.log("test/cli/serve.test.ts: onnxruntime-node is not installed; the serving tests are skipped");

interface Started {
  child: ChildProcess;
  url: string;
  grpcPort?: number;
  out: () => string;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** Starts `weft serve ...args` and resolves once it printed its REST URL (and gRPC port when asked). */
async function startServe(args: string[], grpc = false): Promise<Started> {
  const child = spawnWeft(box.home, ["serve", ...args]);
  children.push(child);
  let out = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const done = collect(child);
  const url = await waitFor(
    "weft serve to print its URL",
    async () => {
      if (child.exitCode !== null) throw new Error(`weft serve exited ${child.exitCode}: ${(await done).stderr}`);
      const m = /weft serve: REST (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      return m && (!grpc || /weft serve: gRPC /.test(out)) ? m[1] : undefined;
    },
    60_000,
  );
  const g = /weft serve: gRPC 127\.0\.0\.1:(\d+)/.exec(out);
  return { child, url, ...(g ? { grpcPort: Number(g[1]) } : {}), out: () => out, done };
}

describe.skipIf(!ORT)("weft serve", () => {
  it("serves a model file on free ports, infers, counts the request, logs it and stops on SIGTERM", async () => {
    const log = join(box.dir, "requests.log");
    const s = await startServe(
      [denseModel(), "--name", "dense", "--port", "0", "--grpc-port", "0", "--request-log", log, "--workers", "1"],
      true,
    );
    expect(s.out()).toMatch(/weft serve: model dense version \S+ READY from /);
    // the printed gRPC port serves the same model (through weft/serving-client's gRPC transport)
    expect(s.grpcPort).toBeGreaterThan(0);
    const grpc = createServingClient({ url: `grpc://127.0.0.1:${s.grpcPort}`, retries: false });
    try {
      const viaGrpc = await grpc.infer("dense", { x: { datatype: "FP32", shape: [1, 4], data: [1, 2, 3, 4] } });
      expect(viaGrpc.answeredBy).toBe("remote");
      const y0 = viaGrpc.result.outputs.find((o) => o.name === "y")?.data as Float32Array;
      expect(y0[0]).toBeCloseTo(denseReference([1, 2, 3, 4])[0] as number, 6);
    } finally {
      grpc.close();
    }

    expect((await fetch(`${s.url}/v2/health/ready`)).status).toBe(200);
    const rows = [0.5, 1, -2, 0.25, 3, 0, 1, -1];
    const res = await fetch(`${s.url}/v2/models/dense/infer`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ id: "r-1", inputs: [{ name: "x", datatype: "FP32", shape: [2, 4], data: rows }] }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      model_name: string;
      model_version: string;
      id: string;
      outputs: { name: string; shape: number[]; data: number[] }[];
    };
    expect(body.model_name).toBe("dense");
    expect(body.id).toBe("r-1");
    const y = body.outputs.find((o) => o.name === "y");
    expect(y?.shape).toEqual([2, 1]);
    const expected = denseReference(rows);
    y?.data.forEach((v, i) => {
      expect(v).toBeCloseTo(expected[i] as number, 6);
    });

    // a bad request fails alone, and is counted as a failure
    const bad = await fetch(`${s.url}/v2/models/dense/infer`, {
      method: "POST",
      body: JSON.stringify({ inputs: [{ name: "x", datatype: "FP32", shape: [1, 3], data: [1, 2, 3] }] }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain("x");

    const version = body.model_version;
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    const labels = `model="dense",role="primary",version="${version}"`;
    const sample = (name: string) => {
      for (const line of metrics.split("\n")) {
        const m = /^(\w+)\{([^}]*)\} (\S+)$/.exec(line);
        if (m && m[1] === name && m[2]?.split(",").sort().join(",") === labels) return Number(m[3]);
      }
      return undefined;
    };
    expect(sample("weft_inference_requests_total")).toBe(3);
    expect(sample("weft_inference_failures_total")).toBe(1);
    expect(metrics).toContain(`weft_model_ready{model="dense",version="${version}"} 1`);

    s.child.kill("SIGTERM");
    const result = await s.done;
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("weft serve: stopped");
    // the log file is complete once the process has exited
    const lines = readFileSync(log, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l.id, l.model, l.version, l.role, l.ok])).toEqual([
      [undefined, "dense", version, "primary", true],
      ["r-1", "dense", version, "primary", true],
      [undefined, "dense", version, "primary", false],
    ]);
  });

  it("serves a registry alias from the home's store, mirrors to a shadow and follows the alias when it moves", async () => {
    const store = openStore(box.home);
    try {
      store.models.createModel({ name: "dense-reg" });
      for (const v of [1, 2, 3]) {
        const dir = join(box.dir, "registry", `v${v}`);
        mkdirSync(dir, { recursive: true });
        copyFileSync(denseModel(), join(dir, "model.onnx"));
        const registered = await registerModelVersion(store, { name: "dense-reg", source: join(dir, "model.onnx") });
        expect(registered.status, registered.statusMessage).toBe("READY");
      }
      store.models.setAlias("dense-reg", "champion", 1);
      store.models.setAlias("dense-reg", "challenger", 2);
    } finally {
      store.close();
    }
    const s = await startServe([
      "models:/dense-reg@champion",
      "--shadow",
      "challenger",
      "--follow-alias",
      "--alias-interval",
      "100",
      "--port",
      "0",
      "--no-grpc",
      "--workers",
      "1",
    ]);
    expect(s.out()).toContain("weft serve: model dense-reg version 1 READY from models:/dense-reg@champion");
    const infer = async () => {
      const res = await fetch(`${s.url}/v2/models/dense-reg/infer`, {
        method: "POST",
        body: JSON.stringify({ inputs: [{ name: "x", datatype: "FP32", shape: [1, 4], data: [1, 0, 0, 1] }] }),
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as { model_version: string }).model_version;
    };
    expect(await infer()).toBe("1");
    // the shadow's answer is recorded after the primary's: wait for it in /metrics
    await waitFor("the shadow request in /metrics", async () => {
      const text = await (await fetch(`${s.url}/metrics`)).text();
      return /weft_inference_requests_total\{model="dense-reg",version="2",role="shadow"\} 1/.test(text) || undefined;
    });

    const again = openStore(box.home);
    try {
      again.models.setAlias("dense-reg", "champion", 3);
    } finally {
      again.close();
    }
    await waitFor("the primary to follow champion to version 3", async () =>
      (await infer()) === "3" ? true : undefined,
    );
    const text = await (await fetch(`${s.url}/metrics`)).text();
    expect(text).toContain('weft_model_ready{model="dense-reg",version="3"} 1');
    expect(text).not.toContain('weft_model_ready{model="dense-reg",version="1"} 1');
    s.child.kill("SIGTERM");
    expect((await s.done).code).toBe(0);
  });

  it("puts a TypeScript transformer in front of a model (KServe v1 :predict with raw rows)", async () => {
    // a transformer lives in an ES module project, as a pipeline does
    const project = join(box.dir, "transformer-project");
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, "package.json"), '{"type": "module"}\n');
    const file = join(project, "rows-transformer.ts");
    writeFileSync(
      file,
      `import type { InferRequest, InferResult } from "${join(ROOT, "src/serving/types.ts")}";
const width: number = 4;
export default {
  preprocess(payload: { instances: { amounts: number[] }[] }): InferRequest {
    const rows = payload.instances.map((i) => i.amounts);
    return { inputs: [{ name: "x", datatype: "FP32", shape: [rows.length, width], data: Float32Array.from(rows.flat()) }] };
  },
  postprocess(result: InferResult) {
    return { fraud: Array.from(result.outputs[0]?.data as Float32Array, (p) => p > 0.5) };
  },
};
`,
    );
    const s = await startServe([denseModel(), "--name", "dense", "--transformer", file, "--port", "0", "--no-grpc"]);
    const rows = [
      [0, 0, 0, 0],
      [4, 0, 0, 4],
    ];
    const res = await fetch(`${s.url}/v1/models/dense:predict`, {
      method: "POST",
      body: JSON.stringify({ instances: rows.map((amounts) => ({ amounts })) }),
    });
    expect(res.status).toBe(200);
    const expected = denseReference(rows.flat()).map((p) => p > 0.5);
    expect(await res.json()).toEqual({ fraud: expected });
    expect(expected).toEqual([false, true]);
    s.child.kill("SIGTERM");
    expect((await s.done).code).toBe(0);
  });

  it("refuses a transformer outside an ES module project as weft run refuses such a pipeline, saying what to change", async () => {
    const transformer = "export default { preprocess(payload: unknown) { return payload; } };\n";
    // a package.json without "type": "module" makes a .ts file CommonJS: said before importing it
    const cjs = join(box.dir, "cjs-transformer");
    mkdirSync(cjs, { recursive: true });
    writeFileSync(join(cjs, "package.json"), '{"name": "cjs-transformer"}\n');
    writeFileSync(join(cjs, "t.ts"), transformer);
    const r = await weft(box.home, [
      "serve",
      denseModel(),
      "--name",
      "dense",
      "--transformer",
      `dense=${join(cjs, "t.ts")}`,
      "--port",
      "0",
      "--no-grpc",
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error[MODEL_INVALID]: transformer ${join(cjs, "t.ts")}: was loaded as CommonJS`);
    expect(r.stderr).toContain(`add "type": "module" to ${join(cjs, "package.json")}, or rename the file to .mts`);
    expect(r.stdout).not.toContain("weft serve: REST");

    // no package.json at all: Node 20 and 22 refuse the import with a require() cycle error
    if (Number(process.versions.node.split(".")[0]) >= 23) {
      console.log(`skipped the no-package.json case: Node ${process.versions.node} loads such a module`);
      return;
    }
    const bare = join(box.dir, "bare-transformer");
    mkdirSync(bare, { recursive: true });
    writeFileSync(join(bare, "t.ts"), transformer);
    const b = await weft(box.home, [
      "serve",
      denseModel(),
      "--transformer",
      join(bare, "t.ts"),
      "--port",
      "0",
      "--no-grpc",
    ]);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain(`error[MODEL_INVALID]: transformer ${join(bare, "t.ts")}: was loaded as CommonJS`);
    expect(b.stderr).toContain(
      `create ${join(bare, "package.json")} with {"type": "module"}, or rename the file to .mts`,
    );
  });

  it("refuses a model file that is not there, naming it, with exit 2 and nothing listening", async () => {
    const missing = join(box.dir, "no-such-model.onnx");
    const r = await weft(box.home, ["serve", missing, "--port", "0", "--no-grpc"]);
    expect(r.code).toBe(2);
    // the serving error's own code, not the one of a bad flag
    expect(r.stderr).toContain(`error[NOT_FOUND]: ${missing} does not exist`);
    expect(r.stdout).not.toContain("weft serve: REST");
  });

  it("refuses a repository whose config.pbtxt cannot be served with error[MODEL_INVALID], exit 2", async () => {
    const repo = join(box.dir, "bad-repository");
    mkdirSync(join(repo, "m", "1"), { recursive: true });
    copyFileSync(denseModel(), join(repo, "m", "1", "model.onnx"));
    writeFileSync(join(repo, "m", "config.pbtxt"), 'name: "m"\nbogus_field: 3\n');
    const r = await weft(box.home, ["serve", "--repository", repo, "--port", "0", "--no-grpc"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error[MODEL_INVALID]: ${join(repo, "m", "config.pbtxt")}:2: 'bogus_field'`);
    expect(r.stderr).not.toContain("BAD_OPTION");
    expect(r.stdout).not.toContain("weft serve: REST");
  });

  it("refuses bad options with exit 2 before loading anything", async () => {
    const r = await weft(box.home, ["serve", denseModel(), "--canary", "challenger", "--port", "0"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error[BAD_OPTION]");
    expect(r.stderr).toContain("--canary challenger=10%");
  });
});
