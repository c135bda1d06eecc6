/**
 * A TypeScript component that throws: its task's stack trace names the component's `.ts`
 * file and line (the bundle carries a source map of the project's sources and the
 * launcher runs node with --enable-source-maps), in the log, `weft runs get` and the
 * summary of `weft run`.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compilePipelineFile } from "../../src/compiler/index.ts";
import { ROOT, type Sandbox, sandbox, weft } from "./helpers.ts";

const weftIndex = JSON.stringify(join(ROOT, "src/index.ts"));

/** Line 9 throws (counted from 1), from a helper so the trace has two user frames. */
const componentSource = `import { component, param } from ${weftIndex};
import { checkRows } from "../lib/check.ts";

export const train = component({
  name: "train",
  inputs: { rows: param.int() },
  outputs: { n: param.int() },
  run: ({ rows }) => {
    return { n: checkRows(rows) };
  },
});
`;

const helperSource = `/** Some text first, so lines differ from the bundle's. */
export function checkRows(rows: number): number {
  const doubled = rows * 2;
  if (doubled > 10) {
    throw new Error(\`too many rows: \${doubled} (from {{$.inputs.parameters['rows']}})\`);
  }
  return doubled;
}
`;

const pipelineSource = `import { param, pipeline } from ${weftIndex};
import { train } from "./components/train.ts";
export { train };

export const p = pipeline({ name: "maps", params: { rows: param.int({ default: 50 }) } }, (p) => {
  train({ rows: p.rows });
});
`;

describe("stack traces of TypeScript components", () => {
  let box: Sandbox;
  let file = "";
  beforeAll(() => {
    box = sandbox();
    writeFileSync(join(box.dir, "package.json"), JSON.stringify({ type: "module" }));
    mkdirSync(join(box.dir, "components"));
    mkdirSync(join(box.dir, "lib"));
    writeFileSync(join(box.dir, "components", "train.ts"), componentSource);
    writeFileSync(join(box.dir, "lib", "check.ts"), helperSource);
    file = join(box.dir, "pipeline.ts");
    writeFileSync(file, pipelineSource);
  });
  afterAll(() => box.cleanup());

  it("embeds a map of the project's sources only, without their text or absolute paths", async () => {
    const pkg = await compilePipelineFile(file);
    const bundle = pkg.pipelineSpec.deploymentSpec?.executors?.["exec-train"]?.container?.command?.[3] ?? "";
    const data = /\/\/# sourceMappingURL=data:application\/json;base64,(\S+)\n$/.exec(bundle)?.[1];
    expect(data, "an inline source map at the end of the bundle").toBeDefined();
    const map = JSON.parse(Buffer.from(data ?? "", "base64").toString("utf8"));
    expect(map.sources).toEqual(["components/train.ts", "lib/check.ts"]);
    expect(map.sourcesContent).toBeUndefined();
    expect(bundle).not.toContain(box.dir);
    expect(pkg.pipelineSpec.deploymentSpec?.executors?.["exec-train"]?.container?.command?.[2]).toContain(
      "node --enable-source-maps",
    );
  });

  it("names the .ts files and lines in the task's stderr, its log, runs get and the run summary", async () => {
    const r = await weft(box.home, ["run", file]);
    expect(r.code).toBe(1);
    // the summary's stderr tail
    expect(r.stdout).toContain("too many rows: 100");
    expect(r.stdout).toMatch(/at checkRows \(lib\/check\.ts:5:\d+\)/);
    const runId = /Run ([0-9a-f-]{36})/.exec(r.stdout)?.[1] ?? "";
    const logs = await weft(box.home, ["runs", "logs", runId, "train"]);
    expect(logs.stdout).toMatch(/at checkRows \(lib\/check\.ts:5:\d+\)/);
    expect(logs.stdout).toMatch(/components\/train\.ts:9:\d+/);
    // frames in weft's own code keep their bundle positions, never a user line
    expect(logs.stdout).not.toMatch(/\(\/[^)]*\/(components\/train|lib\/check)\.ts/);
    const get = await weft(box.home, ["runs", "get", runId]);
    expect(get.stdout).toMatch(/\| +at checkRows \(lib\/check\.ts:5:\d+\)/);
    const json = await weft(box.home, ["runs", "get", runId, "--json"]);
    const task = (JSON.parse(json.stdout) as { tasks: { stderrTail?: string }[] }).tasks[0];
    expect(task?.stderrTail).toMatch(/at checkRows \(lib\/check\.ts:5:\d+\)/);
  });
});
