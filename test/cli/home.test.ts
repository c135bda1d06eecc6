/**
 * Where state lives: `weft` run as a real child process from a nested directory of a
 * temporary project, without `$WEFT_HOME`, keeps its runs in the project's `.weft`;
 * `$WEFT_HOME` wins; a `weft.config.json` wins over a `package.json`; with neither
 * above the working directory, `./.weft`. `weft runs list` and the server banner say
 * where.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { resolveHome } from "../../src/store/index.ts";
import { collect, ROOT, shPipeline, type WeftResult } from "./helpers.ts";

const hello = shPipeline("home-hello", [{ name: "hi", script: "echo hi" }]);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "weft-home-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Writes `text` to `dir/rel`, creating its directories. */
function put(rel: string, text: string): string {
  const path = join(dir, rel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return path;
}

/** Starts `weft ...args` in `cwd`, with `WEFT_HOME` unset unless `home` is given. */
function spawnIn(cwd: string, args: string[], home?: string): ChildProcess {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" };
  delete env.WEFT_HOME;
  if (home !== undefined) env.WEFT_HOME = home;
  mkdirSync(cwd, { recursive: true });
  return spawn(process.execPath, [join(ROOT, "bin/weft.js"), ...args], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
}

function weftIn(cwd: string, args: string[], home?: string): Promise<WeftResult> {
  return collect(spawnIn(cwd, args, home));
}

/** Runs the hello pipeline from `cwd` and expects it to succeed. */
async function runHello(cwd: string, home?: string): Promise<void> {
  const file = put("pipelines/hello.yaml", stringify(hello));
  const r = await weftIn(cwd, ["run", file], home);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
}

/** A directory above the temporary directory with a project file makes the "no project" case meaningless. */
function projectAboveTmp(): string | undefined {
  const r = resolveHome({}, tmpdir());
  return r.source === "cwd" ? undefined : r.file;
}

describe("the home (where state lives)", () => {
  it("from a nested directory of a project, runs land in the project's .weft and runs list says so", async () => {
    put("app/package.json", '{ "name": "app" }');
    const nested = join(dir, "app/src/deep/er");
    await runHello(nested);
    expect(existsSync(join(dir, "app/.weft/weft.db"))).toBe(true);
    expect(existsSync(join(nested, ".weft"))).toBe(false);
    // task programs live under the project's node_modules, not the working directory's
    expect(existsSync(join(nested, "node_modules"))).toBe(false);
    expect(existsSync(join(dir, "app/node_modules/.cache/weft/programs"))).toBe(true);
    // another directory of the same project sees the same runs
    const list = await weftIn(join(dir, "app/src"), ["runs", "list"]);
    expect(list.code).toBe(0);
    expect(list.stderr).toBe(`state in ${join(dir, "app/.weft")} (from ${join(dir, "app/package.json")})\n`);
    expect(list.stdout).toMatch(/home-hello.*SUCCEEDED/);
    // --json prints the runs only, and no line on stderr
    const json = await weftIn(join(dir, "app/src"), ["runs", "list", "--json"]);
    expect(json.stderr).toBe("");
    expect(JSON.parse(json.stdout).runs).toHaveLength(1);
  });

  it("$WEFT_HOME wins over the project", async () => {
    put("app/package.json", "{}");
    const home = join(dir, "elsewhere");
    await runHello(join(dir, "app/src"), home);
    expect(existsSync(join(home, "weft.db"))).toBe(true);
    expect(existsSync(join(dir, "app/.weft"))).toBe(false);
    const list = await weftIn(join(dir, "app"), ["runs", "list"], home);
    expect(list.stderr).toBe(`state in ${home} (from $WEFT_HOME)\n`);
    expect(list.stdout).toMatch(/home-hello/);
  });

  it("a weft.config.json wins over a package.json and names a home relative to itself", async () => {
    put("repo/weft.config.json", '{ "home": "var/weft-state" }');
    put("repo/package.json", "{}");
    await runHello(join(dir, "repo/lib"));
    expect(existsSync(join(dir, "repo/var/weft-state/weft.db"))).toBe(true);
    expect(existsSync(join(dir, "repo/.weft"))).toBe(false);
    const list = await weftIn(join(dir, "repo"), ["runs", "list"]);
    expect(list.stderr).toContain(`(from ${join(dir, "repo/weft.config.json")})`);
  });

  it("a broken weft.config.json is refused with its path and what to write, and nothing is created", async () => {
    const config = put("repo/weft.config.json", '{ "home": 3 }');
    const r = await weftIn(join(dir, "repo"), ["runs", "list"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${config}: "home" must be a non-empty string`);
    expect(existsSync(join(dir, "repo/.weft"))).toBe(false);
  });

  it("with no project file above the working directory, ./.weft", async (ctx) => {
    const above = projectAboveTmp();
    if (above) {
      console.log(`skipped: ${above} lies above ${tmpdir()}, so no directory there is outside a project`);
      ctx.skip();
    }
    const cwd = join(dir, "loose");
    await runHello(cwd);
    expect(existsSync(join(cwd, ".weft/weft.db"))).toBe(true);
    const list = await weftIn(cwd, ["runs", "list"]);
    expect(list.stderr).toMatch(/^state in .*\/loose\/\.weft \(no package\.json or weft\.config\.json above/);
  });

  it("the server banner says where state lives", async () => {
    put("app/package.json", "{}");
    const child = spawnIn(join(dir, "app/web"), ["server", "--port", "0"]);
    const done = collect(child);
    let out = "";
    await new Promise<void>((res, rej) => {
      child.stdout?.on("data", (d: Buffer) => {
        out += d.toString();
        if (out.includes("state in")) res();
      });
      child.on("exit", (code) => rej(new Error(`weft server exited early with ${code}: ${out}`)));
    });
    child.kill("SIGTERM");
    await done;
    expect(out).toContain(`weft server: state in ${join(dir, "app/.weft")} (from ${join(dir, "app/package.json")})`);
  });
});

describe("resolveHome", () => {
  it("takes the nearest project file: a package.json nearer than a weft.config.json wins", () => {
    put("mono/weft.config.json", "{}");
    put("mono/packages/a/package.json", "{}");
    expect(resolveHome({}, join(dir, "mono/packages/a/src")).home).toBe(join(dir, "mono/packages/a/.weft"));
    expect(resolveHome({}, join(dir, "mono/packages")).home).toBe(join(dir, "mono/.weft"));
    expect(resolveHome({ WEFT_HOME: "  " }, join(dir, "mono")).source).toBe("weft.config.json");
    expect(resolveHome({ WEFT_HOME: "rel" }, join(dir, "mono")).home).toBe(join(dir, "mono/rel"));
  });

  it("refuses a config file that is not a JSON object", () => {
    put("bad/weft.config.json", "[1]");
    expect(() => resolveHome({}, join(dir, "bad"))).toThrow(/weft\.config\.json: is not a JSON object/);
    put("worse/weft.config.json", "{ home: ");
    expect(() => resolveHome({}, join(dir, "worse"))).toThrow(/cannot be read as JSON/);
  });
});
