import { afterAll, describe, expect, it } from "vitest";
import type { RunSummary } from "../../src/engine/index.ts";
import { makeEnv } from "./helpers.ts";
import { from, IrBuilder, task } from "./ir-builder.ts";

const env = makeEnv();
afterAll(() => env.close());
const byPath = (s: RunSummary, p: string) => s.tasks.find((t) => t.path === p);
const cacheOf = (s: RunSummary, p: string) => env.store.tasks.get(byPath(s, p)?.id ?? "")?.cache;

function pipeline(script = "printf 'rows=%s' {{$.inputs.parameters['rows']}} > {{$.outputs.artifacts['data'].path}}") {
  return new IrBuilder("cached", {
    rows: { type: "NUMBER_INTEGER", default: 200000 },
    tag: { type: "STRING", default: "v1" },
  })
    .sh("make", script, { in: { rows: "NUMBER_INTEGER" }, outArt: ["data"] })
    .sh("same-bytes", "printf constant > {{$.outputs.artifacts['data'].path}}; echo {{$.inputs.parameters['tag']}}", {
      in: { tag: "STRING" },
      outArt: ["data"],
    })
    .sh("use", "cat {{$.inputs.artifacts['data'].path}}", { inArt: ["data"] })
    .root({
      make: task("make", { inputs: { parameters: { rows: from.param("rows") } } }),
      consume: task("use", { name: "consume", inputs: { artifacts: { data: from.artifact("make", "data") } } }),
      "same-bytes": task("same-bytes", { inputs: { parameters: { tag: from.param("tag") } } }),
      "consume-same": task("use", {
        name: "consume-same",
        inputs: { artifacts: { data: from.artifact("same-bytes", "data") } },
      }),
    })
    .build();
}

describe("caching", () => {
  let first: RunSummary;
  it("misses the first time, explaining there is no previous execution", async () => {
    first = await env.engine.startRun({ pipeline: pipeline() }).done;
    expect(first.state).toBe("SUCCEEDED");
    expect(cacheOf(first, "root/make")).toMatchObject({
      hit: false,
      explanation: "no previous execution of this component",
    });
  });

  it("hits on an identical run without running anything, reusing the same artifact URIs", async () => {
    const s = await env.engine.startRun({ pipeline: pipeline() }).done;
    expect(s.state).toBe("SUCCEEDED");
    for (const p of ["root/make", "root/consume", "root/same-bytes", "root/consume-same"]) {
      expect(byPath(s, p)?.state).toBe("CACHED");
      expect(byPath(s, p)?.logPath).toBeUndefined();
    }
    expect(cacheOf(s, "root/make")).toMatchObject({ hit: true, sourceRunId: first.runId });
    const uri = (r: RunSummary) =>
      env.store.artifacts.listByRun(r.runId).find((a) => a.name === "data" && a.taskId === byPath(r, "root/make")?.id)
        ?.uri;
    expect(uri(s)).toBe(uri(first));
  });

  it("explains which input parameter changed, and hits on identical artifact bytes", async () => {
    const s = await env.engine.startRun({ pipeline: pipeline(), parameters: { rows: 20000, tag: "v2" } }).done;
    expect(s.state).toBe("SUCCEEDED");
    expect(cacheOf(s, "root/make")?.explanation).toBe("input parameter 'rows' changed (200000 → 20000)");
    expect(cacheOf(s, "root/consume")?.explanation).toBe("input artifact 'data' content changed");
    expect(byPath(s, "root/same-bytes")?.state).toBe("SUCCEEDED");
    expect(cacheOf(s, "root/same-bytes")?.explanation).toBe("input parameter 'tag' changed (v1 → v2)");
    // same-bytes ran again, wrote the same content to a new URI: its consumer hits by content digest
    expect(byPath(s, "root/consume-same")?.state).toBe("CACHED");
  });

  it("explains a changed component and a disabled cache", async () => {
    const s = await env.engine.startRun({
      pipeline: pipeline("printf 'v2 %s' {{$.inputs.parameters['rows']}} > {{$.outputs.artifacts['data'].path}}"),
    }).done;
    // compared with the nearest earlier execution (same rows=200000), not the newest one
    // (rows=20000): only the command differs from it
    expect(cacheOf(s, "root/make")?.explanation).toBe("component command changed");
    const off = await env.engine.startRun({ pipeline: pipeline(), enableCache: false }).done;
    expect(byPath(off, "root/make")?.state).toBe("SUCCEEDED");
    expect(cacheOf(off, "root/make")?.explanation).toBe("caching disabled for this run");
    const p = pipeline();
    const make = p.pipelineSpec.root.dag?.tasks?.make;
    if (make) make.cachingOptions = { enableCache: false };
    const taskOff = await env.engine.startRun({ pipeline: p }).done;
    expect(cacheOf(taskOff, "root/make")?.explanation).toBe("caching disabled for this task");
  });

  it("ignores entries older than the maximum staleness", async () => {
    const engine = env.newEngine({ cacheMaxStalenessMs: 1 });
    await new Promise((r) => setTimeout(r, 10));
    const s = await engine.startRun({ pipeline: pipeline() }).done;
    expect(byPath(s, "root/make")?.state).toBe("SUCCEEDED");
    expect(cacheOf(s, "root/make")?.explanation).toMatch(/maximum staleness/);
  });
});

describe("caching metadata-only outputs", () => {
  // Writes only executor_output.json: the Metrics output has metadata and no file.
  const script = [
    "const fs = require('node:fs');",
    "const ei = JSON.parse(process.argv[1]);",
    "const acc = ei.inputs.parameterValues.acc;",
    "fs.writeFileSync(ei.outputs.outputFile, JSON.stringify({ artifacts: { metrics: { artifacts: [{ metadata: { accuracy: acc, split: 'test' } }] } } }));",
  ].join("\n");
  const pipeline = (acc: number) => {
    const p = new IrBuilder("metadata-only", { acc: { type: "NUMBER_DOUBLE", default: acc } })
      .executor(
        "evaluate",
        { container: { image: "node", command: ["node", "-e", script, "{{$}}"] } },
        { in: { acc: "NUMBER_DOUBLE" }, outArt: ["metrics"] },
      )
      .sh("report", "echo {{$.inputs.artifacts['metrics'].metadata}}", { inArt: ["metrics"] })
      .root({
        evaluate: task("evaluate", { inputs: { parameters: { acc: from.param("acc") } } }),
        report: task("report", { inputs: { artifacts: { metrics: from.artifact("evaluate", "metrics") } } }),
      })
      .build();
    return p;
  };
  const metricsOf = (s: RunSummary) =>
    env.store.artifacts
      .listByRun(s.runId)
      .find((a) => a.name === "metrics" && a.taskId === byPath(s, "root/evaluate")?.id);

  it("records a Metrics output with no file under a digest of its metadata, and serves it from cache", async () => {
    const first = await env.engine.startRun({ pipeline: pipeline(0.9) }).done;
    expect(first.state).toBe("SUCCEEDED");
    const m1 = metricsOf(first);
    expect(m1?.metadata).toEqual({ accuracy: 0.9, split: "test" });
    expect(m1?.digest).toMatch(/^sha256:[0-9a-f]{64}$/);

    const second = await env.engine.startRun({ pipeline: pipeline(0.9) }).done;
    expect(second.state).toBe("SUCCEEDED");
    expect(byPath(second, "root/evaluate")?.state).toBe("CACHED");
    expect(cacheOf(second, "root/evaluate")).toMatchObject({ hit: true, sourceRunId: first.runId });
    expect(byPath(second, "root/report")?.state).toBe("CACHED");
    const m2 = metricsOf(second);
    expect(m2?.metadata).toEqual(m1?.metadata);
    expect(m2?.digest).toBe(m1?.digest);
  });

  it("keys a consumer by the metadata: changed metrics change the downstream key", async () => {
    const s = await env.engine.startRun({ pipeline: pipeline(0.8) }).done;
    expect(s.state).toBe("SUCCEEDED");
    expect(byPath(s, "root/evaluate")?.state).toBe("SUCCEEDED");
    expect(cacheOf(s, "root/report")?.explanation).toBe("input artifact 'metrics' content changed");
    expect(metricsOf(s)?.digest).not.toBe(
      metricsOf(await env.engine.startRun({ pipeline: pipeline(0.9) }).done)?.digest,
    );
  });
});
