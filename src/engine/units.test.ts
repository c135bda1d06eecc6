import { describe, expect, it } from "vitest";
import type { JsonValue, OutputDefinitions } from "../ir/index.ts";
import { explainCacheMiss, fingerprint, nearestEntry } from "./cache.ts";
import type { NodeIO } from "./context.ts";
import { ParameterError, PlanError } from "./errors.ts";
import { type PlaceholderContext, resolveArgv } from "./placeholders.ts";
import { demandOf, parseCpu, parseMemory, unsatisfiable } from "./resources.ts";
import { backoffMs, maxAttempts, parseDuration } from "./retry.ts";
import { Scheduler } from "./scheduler.ts";

const ctx = (parameters: PlaceholderContext["parameters"]): PlaceholderContext => ({
  parameters,
  inputArtifacts: { data: [{ uri: "file:///d", path: "/d", metadata: { rows: 3 } }] },
  outputParameterFiles: { n: "/out/n" },
  outputArtifacts: { model: { uri: "file:///m", path: "/m", metadata: {} } },
  executorInputJson: "{}",
  executorOutputFile: "/out/executor_output.json",
  run: {
    jobName: "job",
    jobUuid: "uuid",
    jobResourceName: "p-bcdfg",
    createTimeUtc: "2026-01-02T03:04:05Z",
    scheduleTimeUtc: "2026-01-02T03:04:05Z",
    pipelineRoot: "/root",
  },
  pipelineTaskName: "t",
  pipelineTaskUuid: "tid",
  task: "root/t",
});

describe("placeholders", () => {
  it("substitutes parameters, artifacts, Concat and IfPresent", () => {
    const c = ctx({ a: "x", n: 3, l: [1, 2] });
    expect(
      resolveArgv(
        [
          "--a={{$.inputs.parameters['a']}}",
          "{{$.inputs.parameters['l']}}",
          "{{$.inputs.artifacts['data'].path}}",
          "{{$.outputs.parameters['n'].output_file}}",
          "{{$.outputs.artifacts['model'].uri}}",
          '{"Concat": ["n=", "{{$.inputs.parameters[\'n\']}}"]}',
          '{"IfPresent": {"InputName": "missing", "Then": ["--m"], "Else": ["--no-m"]}}',
          '{"IfPresent": {"InputName": "a", "Then": ["--a", "{{$.inputs.parameters[\'a\']}}"]}}',
        ],
        c,
      ),
    ).toEqual(["--a=x", "[1,2]", "/d", "/out/n", "file:///m", "n=3", "--no-m", "--a", "x"]);
  });
  it("names the task and the input when a value is missing", () => {
    expect(() => resolveArgv(["{{$.inputs.parameters['zz']}}"], ctx({}))).toThrow(/task 'root\/t'.*'zz'/);
  });
});

describe("resources", () => {
  it("parses Kubernetes quantities and KFP's fields", () => {
    expect(parseCpu("500m")).toBe(500);
    expect(parseCpu("2")).toBe(2000);
    expect(parseCpu(1.5)).toBe(1500);
    expect(parseMemory("4Gi")).toBe(4 * 2 ** 30);
    expect(parseMemory("1G")).toBe(1e9);
    expect(demandOf({ cpuLimit: 2, memoryLimit: 1, resourceCpuRequest: "250m" })).toEqual({
      cpus: 250,
      memoryBytes: 1e9,
      gpus: 0,
    });
    expect(demandOf({ accelerator: { count: "1", type: "NVIDIA_TESLA_T4" } }).gpus).toBe(1);
    expect(() => parseCpu("lots")).toThrow(/not a CPU quantity/);
    expect(unsatisfiable({ cpus: 0, memoryBytes: 0, gpus: 1 }, { cpus: 1000, memoryBytes: 1, gpus: [] })).toMatch(
      /1 GPUs/,
    );
  });
  it("admits tasks only while they fit", async () => {
    const s = new Scheduler({ cpus: 2000, memoryBytes: 1e9, gpus: ["0"] });
    const a = await s.acquire({ cpus: 2000, memoryBytes: 0, gpus: 1 });
    let second = false;
    const p = s.acquire({ cpus: 1000, memoryBytes: 0, gpus: 0 }).then((l) => {
      second = true;
      return l;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(second).toBe(false);
    a.release();
    const b = await p;
    expect(second).toBe(true);
    expect(s.active).toBe(1);
    b.release();
  });
});

describe("retry and cache helpers", () => {
  it("computes backoff like KFP", () => {
    expect(parseDuration("1m30s")).toBe(90_000);
    expect(parseDuration("100ms")).toBe(100);
    expect(parseDuration("7d")).toBe(7 * 86_400_000);
    expect(() => parseDuration("soon")).toThrow(/not a duration/);
    const policy = { maxRetryCount: 4, backoffDuration: "1s", backoffFactor: 3, backoffMaxDuration: "5s" };
    expect(maxAttempts(policy)).toBe(5);
    expect([2, 3, 4].map((n) => backoffMs(policy, n))).toEqual([1000, 3000, 5000]);
  });
  it("explains misses part by part", () => {
    const base = {
      image: "a",
      command: "c",
      args: "x",
      env: "e",
      outputs: "o",
      "param:rows": "200000",
      "artifact:raw": "sha256:1",
    };
    expect(explainCacheMiss(undefined, base)).toBe("no previous execution of this component");
    expect(explainCacheMiss(base, { ...base, image: "b", "artifact:raw": "sha256:2" })).toBe(
      "component image changed (a → b); input artifact 'raw' content changed",
    );
    expect(explainCacheMiss(base, { ...base, outputs: "o2", command: "c2" })).toBe(
      "component command changed; output definitions changed",
    );
  });
  it("keys a task the same however the keys of its definitions and values are ordered", () => {
    const container = { image: "node:22", command: ["node", "-e", "1"], args: ["--x"] };
    const declared = {
      parameters: { zeta: { parameterType: "NUMBER_INTEGER" }, alpha: { parameterType: "STRING" } },
      artifacts: { data: { artifactType: { schemaTitle: "system.Dataset", schemaVersion: "0.0.1" } } },
    } as OutputDefinitions;
    const sorted = {
      artifacts: { data: { artifactType: { schemaVersion: "0.0.1", schemaTitle: "system.Dataset" } } },
      parameters: { alpha: { parameterType: "STRING" }, zeta: { parameterType: "NUMBER_INTEGER" } },
    } as OutputDefinitions;
    const io = (cfg: JsonValue): NodeIO => ({
      parameters: { cfg, rows: 3 },
      artifacts: {
        raw: [
          {
            id: "a1",
            name: "raw",
            uri: "file:///a",
            schemaTitle: "system.Dataset",
            schemaVersion: "0.0.1",
            metadata: {},
            digest: "sha256:1",
          },
        ],
      },
    });
    const a = fingerprint("p/c", container, declared, io({ slope: 3, kind: "mlp", nested: { b: 1, a: 2 } }));
    const b = fingerprint("p/c", { ...container }, sorted, {
      artifacts: io(null).artifacts,
      parameters: { rows: 3, cfg: { nested: { a: 2, b: 1 }, kind: "mlp", slope: 3 } },
    });
    expect(b.key).toBe(a.key);
    expect(b.parts).toEqual(a.parts);
    // an undefined member (an SDK object's absent option) is the same as no member
    const withUndefined = { ...declared, description: undefined } as unknown as OutputDefinitions;
    expect(fingerprint("p/c", container, withUndefined, io({ slope: 3 })).key).toBe(
      fingerprint("p/c", container, sorted, io({ slope: 3 })).key,
    );
    // a real difference still misses, and says what differs
    const renamed = { ...sorted, parameters: { alpha: { parameterType: "STRING" } } } as OutputDefinitions;
    const c = fingerprint("p/c", container, renamed, io({ slope: 3, kind: "mlp", nested: { b: 1, a: 2 } }));
    expect(c.key).not.toBe(a.key);
    expect(explainCacheMiss(a.parts, c.parts)).toBe("output definitions changed");
  });
  it("explains a miss against the nearest previous execution, the newest on a tie", () => {
    const current = { image: "a", "param:kind": "logreg", "param:epochs": "2" };
    const mlp = { key: "mlp", parts: { image: "a", "param:kind": "mlp", "param:epochs": "5" } };
    const logreg = { key: "logreg", parts: { image: "a", "param:kind": "logreg", "param:epochs": "5" } };
    const olderLogreg = { key: "older", parts: { ...logreg.parts } };
    expect(nearestEntry([mlp, logreg, olderLogreg], current)?.key).toBe("logreg");
    expect(explainCacheMiss(nearestEntry([mlp, logreg], current)?.parts, current)).toBe(
      "input parameter 'epochs' changed (5 → 2)",
    );
    expect(nearestEntry([], current)).toBeUndefined();
  });
  it("errors carry stable codes", () => {
    expect(new ParameterError("rows", "bad").code).toBe("PARAMETER_INVALID");
    expect(new PlanError("root/x", "bad").message).toBe("task 'root/x': bad");
    expect(new PlanError("root/x", "bad").name).toBe("PlanError");
  });
});
