import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, type Sandbox, sandbox, shPipeline, weft } from "./helpers.ts";

const SDK = JSON.stringify(join(ROOT, "src/index.ts"));

/** A component module and a pipeline module; `label` is a type error when `bad` is set. */
function project(box: Sandbox, name: string, opts: { bad?: boolean; sdk?: string } = {}): string {
  const dir = join(box.dir, name);
  mkdirSync(dir, { recursive: true });
  const sdk = opts.sdk ?? SDK;
  writeFileSync(
    join(dir, "components.ts"),
    `import { component, param } from ${sdk};

export const double = component({
  name: "double",
  inputs: { x: param.int() },
  outputs: { y: param.int() },
  run: ({ x }) => ({ y: x * 2 }),
});
`,
  );
  writeFileSync(
    join(dir, "pipeline.ts"),
    `import { param, pipeline } from ${sdk};
import { double } from "./components.ts";
${opts.bad ? 'export const label: number = "not a number";\n' : ""}
export const twice = pipeline({ name: "twice", params: { n: param.int({ default: 2 }) } }, (p) => {
  double({ x: p.n });
});
`,
  );
  return dir;
}

/**
 * A `typescript` package in the project that loads the real compiler and appends a line
 * to `loads.log` each time it is loaded: the check prefers the project's TypeScript.
 */
function countingTypeScript(dir: string): string {
  const pkg = join(dir, "node_modules", "typescript");
  mkdirSync(pkg, { recursive: true });
  const real = join(ROOT, "node_modules", "typescript");
  const version = (JSON.parse(readFileSync(join(real, "package.json"), "utf8")) as { version: string }).version;
  writeFileSync(join(pkg, "package.json"), JSON.stringify({ name: "typescript", version, main: "index.js" }));
  const log = join(dir, "loads.log");
  writeFileSync(
    join(pkg, "index.js"),
    `require("node:fs").appendFileSync(${JSON.stringify(log)}, "loaded\\n");\nmodule.exports = require(${JSON.stringify(real)});\n`,
  );
  return log;
}

const loads = (log: string): number => (existsSync(log) ? readFileSync(log, "utf8").split("\n").length - 1 : 0);

// each case starts several weft processes that type-check: generous on a loaded machine
describe("weft run and weft compile type-check a TypeScript pipeline", { timeout: 600_000 }, () => {
  let box: Sandbox;
  beforeAll(() => {
    box = sandbox();
  });
  afterAll(() => box.cleanup());

  it("reports type errors as file:line:col and records nothing", async () => {
    const dir = project(box, "bad", { bad: true });
    writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
    const home = join(box.dir, "bad-home");
    const r = await weft(home, ["run", join(dir, "pipeline.ts")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error[TYPECHECK_FAILED]");
    expect(r.stderr).toContain("1 type error; fix them, or run with --no-typecheck");
    expect(r.stderr).toMatch(/bad\/pipeline\.ts:3:14 Type 'string' is not assignable to type 'number'\. \(TS2322\)/);
    expect(r.stdout).toBe("");
    expect(existsSync(home)).toBe(false);

    const c = await weft(home, ["compile", join(dir, "pipeline.ts")]);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/pipeline\.ts:3:14 .*\(TS2322\)/);
    expect(c.stdout).toBe("");
  });

  it("--no-typecheck skips the check", async () => {
    const dir = join(box.dir, "bad");
    const home = join(box.dir, "skip-home");
    const r = await weft(home, ["run", join(dir, "pipeline.ts"), "--no-typecheck"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Run [0-9a-f-]{36} SUCCEEDED/);
    const c = await weft(home, ["compile", join(dir, "pipeline.ts"), "--no-typecheck"]);
    expect(c.code).toBe(0);
    expect(c.stdout).toContain("# Name: twice");
  });

  it("caches a pass by content: an unchanged re-run does not load the compiler, an edit does", async () => {
    const dir = project(box, "cached");
    writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
    const log = countingTypeScript(dir);
    const home = join(box.dir, "cached-home");
    const file = join(dir, "pipeline.ts");

    const first = await weft(home, ["compile", file]);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(loads(log)).toBe(1);
    expect(existsSync(join(home, "typecheck"))).toBe(true);

    const again = await weft(home, ["run", file]);
    expect(again.code).toBe(0);
    expect(loads(log)).toBe(1);

    // an imported module changes: checked again, and the error there is reported
    writeFileSync(
      join(dir, "components.ts"),
      `${readFileSync(join(dir, "components.ts"), "utf8")}export const broken: string = 1;\n`,
    );
    const edited = await weft(home, ["compile", file]);
    expect(loads(log)).toBe(2);
    expect(edited.code).toBe(2);
    expect(edited.stderr).toMatch(/cached\/components\.ts:9:14 Type 'number' is not assignable to type 'string'/);

    // compiled IR is not type-checked
    const yaml = box.write("plain.yaml", shPipeline("plain", [{ name: "a", script: "true" }]));
    const ir = await weft(home, ["run", yaml]);
    expect(ir.code).toBe(0);
    expect(loads(log)).toBe(2);
  });

  it("says to add type: module when the pipeline is loaded as CommonJS", async () => {
    const dir = project(box, "cjs", { sdk: '"weft"' });
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "cjs" }));
    mkdirSync(join(dir, "node_modules"));
    symlinkSync(ROOT, join(dir, "node_modules", "weft"));
    const home = join(box.dir, "cjs-home");
    // TypeScript 5.8+ accepts require(esm) under NodeNext, so the check passes and the import says it
    const checked = await weft(home, ["compile", join(dir, "pipeline.ts")]);
    expect(checked.code).toBe(2);
    expect(checked.stderr).toContain(`add "type": "module" to ${join(dir, "package.json")}`);

    const r = await weft(home, ["run", join(dir, "pipeline.ts"), "--no-typecheck"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error[COMPILE_MODULE_FORMAT]");
    expect(r.stderr).toContain(`add "type": "module" to ${join(dir, "package.json")}`);
    // the check passed and was cached; no run was recorded
    expect(existsSync(join(home, "typecheck"))).toBe(true);
    expect(existsSync(join(home, "weft.db"))).toBe(false);
  });

  it("says to install weft when the pipeline's project does not have it", async () => {
    const dir = project(box, "no-weft", { sdk: '"weft"' });
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "no-weft", type: "module" }));
    const home = join(box.dir, "no-weft-home");
    const checked = await weft(home, ["run", join(dir, "pipeline.ts")]);
    expect(checked.code).toBe(2);
    expect(checked.stderr).toContain("Cannot find module 'weft'");
    expect(checked.stderr).toContain("run `npm install weft` in its project");

    const r = await weft(home, ["compile", join(dir, "pipeline.ts"), "--no-typecheck"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error[COMPILE_PACKAGE_MISSING]");
    expect(r.stderr).toContain(`imports "weft", which is not installed in ${dir}; run \`npm install weft\` there`);
    expect(existsSync(home)).toBe(false);
  });
});
