/**
 * Loop iterations and conditions carry their meaning in the CLI: `weft run` progress,
 * its metrics, `weft runs get` and `weft runs logs` show an iteration by its item and a
 * condition by its expression (real `bin/weft.js` child processes).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, type Sandbox, sandbox, weft } from "./helpers.ts";

function source(): string {
  return `import { artifact, component, param, parallelFor, pipeline, when } from ${JSON.stringify(join(ROOT, "src/index.ts"))};

export const say = component({
  name: "say",
  inputs: { text: param.string() },
  outputs: { metrics: artifact.Metrics },
  run: ({ text }, { metrics }) => {
    console.log("saying " + text);
    metrics.logMetric("len", text.length);
  },
});

export default pipeline({ name: "labels", params: { model: param.string({ default: "mlp" }) } }, (p) => {
  parallelFor([{ slope: 3, kind: "mlp" }, { slope: 5, kind: "tree" }], (item) => {
    say({ text: item.field("kind") });
  });
  when(p.model.eq("mlp"), () => {
    say({ text: "chosen" });
  });
});
`;
}

describe("labels in the CLI", () => {
  let box: Sandbox;
  let file = "";
  beforeAll(() => {
    box = sandbox();
    writeFileSync(join(box.dir, "package.json"), JSON.stringify({ type: "module" }));
    file = join(box.dir, "labels.ts");
    writeFileSync(file, source());
  });
  afterAll(() => box.cleanup());

  it("shows iterations by item and conditions by expression in progress, runs get and logs", async () => {
    const r = await weft(box.home, ["run", file]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ for-loop-\d+\[kind=mlp, slope=3\]\/say SUCCEEDED/);
    expect(r.stdout).toMatch(/ for-loop-\d+\[kind=tree, slope=5\]\/say SUCCEEDED/);
    expect(r.stdout).toMatch(/ condition-\d+\[model == "mlp"\]\/say-\d+ SUCCEEDED/);
    // metrics are named by the labelled task, so two iterations' metrics are told apart by meaning
    expect(r.stdout).toMatch(/^for-loop-\d+\[kind=mlp, slope=3\]\/say +len +3$/m);
    expect(r.stdout).toMatch(/^for-loop-\d+\[kind=tree, slope=5\]\/say +len +4$/m);
    const runId = /Run ([0-9a-f-]{36})/.exec(r.stdout)?.[1] ?? "";

    const got = await weft(box.home, ["runs", "get", runId]);
    expect(got.code).toBe(0);
    expect(got.stdout).toMatch(/^for-loop-\d+\[kind=mlp, slope=3\] +SUCCEEDED/m);
    expect(got.stdout).toMatch(/^for-loop-\d+\[kind=tree, slope=5\]\/say +SUCCEEDED/m);
    expect(got.stdout).toMatch(/^condition-\d+\[model == "mlp"\] +SUCCEEDED/m);
    const json = JSON.parse((await weft(box.home, ["runs", "get", runId, "--json"])).stdout) as {
      tasks: { kind: string; displayName?: string }[];
    };
    expect(json.tasks.filter((t) => t.kind === "iteration").map((t) => t.displayName)).toEqual([
      "kind=mlp, slope=3",
      "kind=tree, slope=5",
    ]);

    const logs = await weft(box.home, ["runs", "logs", runId]);
    expect(logs.stdout).toMatch(/^\[for-loop-\d+\[kind=mlp, slope=3\]\/say\] saying mlp$/m);
    expect(logs.stdout).toMatch(/^\[condition-\d+\[model == "mlp"\]\/say-\d+\] saying chosen$/m);
    // a task is named by its path as shown, too
    const loop = /(for-loop-\d+)\[/.exec(r.stdout)?.[1] ?? "";
    const one = await weft(box.home, ["runs", "logs", runId, `${loop}[kind=tree, slope=5]/say`]);
    expect(one.code).toBe(0);
    expect(one.stdout).toBe("saying tree\n");
  });
});
