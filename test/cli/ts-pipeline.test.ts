import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, type Sandbox, sandbox, weft } from "./helpers.ts";

/** A TypeScript pipeline written with the SDK: `weft run` compiles it, then runs the IR. */
function tsPipelineSource(): string {
  return `import { artifact, component, param, pipeline } from ${JSON.stringify(join(ROOT, "src/index.ts"))};

export const double = component({
  name: "double",
  inputs: { x: param.int() },
  outputs: { y: param.int() },
  run: ({ x }) => {
    console.log("doubling " + x);
    return { y: x * 2 };
  },
});

export const score = component({
  name: "score",
  inputs: { value: param.int() },
  outputs: { metrics: artifact.Metrics },
  run: ({ value }, { metrics }) => {
    metrics.logMetric("value", value);
    metrics.logMetric("half", value / 2);
  },
});

export const twice = pipeline({ name: "twice", params: { n: param.int({ default: 2 }) } }, (p) => {
  const a = double({ x: p.n });
  const b = double({ x: a.outputs.y });
  score({ value: b.outputs.y });
});
`;
}

describe("weft run on a TypeScript pipeline", () => {
  let box: Sandbox;
  let file = "";
  beforeAll(() => {
    box = sandbox();
    writeFileSync(join(box.dir, "package.json"), JSON.stringify({ type: "module" }));
    file = join(box.dir, "twice.ts");
    writeFileSync(file, tsPipelineSource());
  });
  afterAll(() => box.cleanup());

  it("compiles, runs and reports the output metrics", async () => {
    const r = await weft(box.home, ["run", file, "--param", "n=3"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Run [0-9a-f-]{36} SUCCEEDED/);
    expect(r.stdout).toMatch(/Tasks: 3 succeeded/);
    expect(r.stdout).toMatch(/score\s+value\s+12/);
    expect(r.stdout).toMatch(/score\s+half\s+6/);
    const runId = /Run ([0-9a-f-]{36})/.exec(r.stdout)?.[1] ?? "";
    const logs = await weft(box.home, ["runs", "logs", runId]);
    expect(logs.stdout).toContain("[double] doubling 3");
    expect(logs.stdout).toContain("[double-2] doubling 6");
  });

  it("rejects a bad parameter before anything runs", async () => {
    const r = await weft(box.home, ["run", file, "--param", "n=three"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/parameter "n" expects integer \(NUMBER_INTEGER\), got "three"/);
  });
});
