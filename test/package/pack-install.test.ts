/**
 * The package as a user gets it: `npm pack` (which builds `dist/` and the UI), then a fresh
 * project with its own package.json and a strict NodeNext tsconfig installs the tarball,
 * type-checks a pipeline that imports from "weft" with its own `tsc`, and compiles and runs
 * it with `npx weft`. Slow (a build and an install): run by `npm run test:package`. The
 * install skips install scripts; the one native addon the runtime needs is provided apart.
 */
import { execFileSync, spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const TSC = join(ROOT, "node_modules", "typescript", "bin", "tsc");

const PIPELINE = `import { artifact, component, param, pipeline } from "weft";

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
  },
});

export const twice = pipeline({ name: "twice", params: { n: param.int({ default: 2 }) } }, (p) => {
  const a = double({ x: p.n });
  const b = double({ x: a.outputs.y });
  score({ value: b.outputs.y });
});
`;

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Result {
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, WEFT_HOME: "", WEFT_HOST: "", ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const versionOf = (dir: string): string | undefined =>
  existsSync(join(dir, "package.json"))
    ? (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version?: string }).version
    : undefined;

/**
 * Node < 24 opens the store with better-sqlite3 (an optional dependency): its addon is
 * copied from this repository's install when the versions match, else built (`npm rebuild`).
 * Node 24 uses the built-in node:sqlite and needs neither.
 */
function provideSqliteAddon(app: string): void {
  if (Number(process.versions.node.split(".")[0]) >= 24) return;
  const installed = join(app, "node_modules", "better-sqlite3");
  const ours = join(ROOT, "node_modules", "better-sqlite3");
  const addon = join("build", "Release", "better_sqlite3.node");
  if (versionOf(installed) !== undefined && versionOf(installed) === versionOf(ours) && existsSync(join(ours, addon))) {
    mkdirSync(join(installed, "build", "Release"), { recursive: true });
    copyFileSync(join(ours, addon), join(installed, addon));
    return;
  }
  const rebuilt = run("npm", ["rebuild", "better-sqlite3"], app);
  if (rebuilt.code !== 0) throw new Error(`npm rebuild better-sqlite3 failed:\n${rebuilt.stderr}`);
}

describe("the packed package installed into a fresh project", () => {
  let dir = "";
  let app = "";
  let tarball = "";

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "weft-pack-"));
    const packDir = join(dir, "pack");
    mkdirSync(packDir);
    execFileSync("npm", ["pack", "--pack-destination", packDir, "--no-audit", "--no-fund"], {
      cwd: ROOT,
      stdio: ["ignore", "ignore", "inherit"],
    });
    const name = readdirSync(packDir).find((f) => f.endsWith(".tgz"));
    if (!name) throw new Error(`npm pack wrote no tarball into ${packDir}`);
    tarball = join(packDir, name);

    app = join(dir, "app");
    mkdirSync(app);
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }, null, 2));
    writeFileSync(
      join(app, "tsconfig.json"),
      JSON.stringify(
        {
          compilerOptions: {
            target: "ES2022",
            module: "NodeNext",
            moduleResolution: "NodeNext",
            strict: true,
            noEmit: true,
          },
        },
        null,
        2,
      ),
    );
    writeFileSync(join(app, "pipeline.ts"), PIPELINE);
    // Install scripts are skipped: the only native build is better-sqlite3's (compiling SQLite
    // takes minutes where its prebuilt binary cannot be downloaded), provided below instead.
    const install = run(
      "npm",
      ["install", tarball, "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts"],
      app,
    );
    if (install.code !== 0) throw new Error(`npm install ${tarball} failed:\n${install.stdout}\n${install.stderr}`);
    provideSqliteAddon(app);
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("ships built JavaScript with declarations, and neither sources nor tests", () => {
    const pkg = join(app, "node_modules", "weft");
    expect(existsSync(join(pkg, "dist", "index.js"))).toBe(true);
    expect(existsSync(join(pkg, "dist", "index.d.ts"))).toBe(true);
    expect(existsSync(join(pkg, "dist", "cli", "main.js"))).toBe(true);
    expect(existsSync(join(pkg, "ui", "dist", "index.html"))).toBe(true);
    expect(existsSync(join(pkg, "src"))).toBe(false);
    const listing = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" }).split("\n");
    expect(listing.filter((f) => /\.test\.|(^|\/)(test|e2e)\//.test(f))).toEqual([]);
    // nothing the package loads imports a test tool
    const withVitest = listing
      .filter((f) => f.endsWith(".js"))
      .filter((f) =>
        /from "vitest"|import\("vitest"\)/.test(readFileSync(join(pkg, f.replace(/^package\//, "")), "utf8")),
      );
    expect(withVitest).toEqual([]);
  });

  it("installs only the runtime dependencies (no TensorFlow.js, ONNX Runtime, React or Vite)", () => {
    const installed = readdirSync(join(app, "node_modules"));
    for (const heavy of ["@tensorflow", "onnxruntime-node", "react", "react-dom", "vite", "typescript"]) {
      expect(installed, heavy).not.toContain(heavy);
    }
  });

  it("type-checks a pipeline importing from weft with a strict NodeNext tsconfig", () => {
    const r = run(process.execPath, [TSC, "--noEmit", "-p", "tsconfig.json"], app);
    expect(`${r.stdout}${r.stderr}`).toBe("");
    expect(r.code).toBe(0);
  });

  it("reports a type error of the pipeline through the package's declarations", () => {
    writeFileSync(join(app, "broken.ts"), `import { param } from "weft";\nexport const n: string = param.int();\n`);
    try {
      const r = run(process.execPath, [TSC, "--noEmit", "-p", "tsconfig.json"], app);
      expect(r.stdout).toMatch(/broken\.ts\(2,14\): error TS2322/);
    } finally {
      rmSync(join(app, "broken.ts"));
    }
  });

  it("loads weft/serving-client (REST and gRPC) without ONNX Runtime, which only its fallback needs", () => {
    const script = `import { createServingClient, loadLocalOnnxModel } from "weft/serving-client";
const client = createServingClient({ url: "http://127.0.0.1:9", retries: false, timeoutMs: 2000 });
try {
  await client.infer("m", { x: { datatype: "FP32", shape: [1], data: [1] } });
} catch (e) {
  console.log(e.code);
}
await client.close();
const overGrpc = createServingClient({ url: "grpc://127.0.0.1:9", retries: false, timeoutMs: 2000 });
await overGrpc.infer("m", { x: { datatype: "FP32", shape: [1], data: [1] } }).catch((e) => console.log("grpc", e.code));
await overGrpc.close();
await loadLocalOnnxModel("model.onnx").catch((e) => console.log(e.message));
`;
    writeFileSync(join(app, "serving-client.mjs"), script);
    const r = run(process.execPath, ["serving-client.mjs"], app);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("SERVING_UNREACHABLE");
    expect(r.stdout).toContain("grpc SERVING_UNREACHABLE");
    expect(r.stdout).toContain("the fallback model model.onnx needs onnxruntime-node");
  });

  it("tunes with weft/tuning from the built package: the samplers, loaded on use, resolve as .js", () => {
    const script = `import { double, tune } from "weft/tuning";
const result = await tune(
  {
    name: "pkg-quadratic",
    space: { x: double(0, 1) },
    objective: { metric: "loss", goal: "minimize" },
    algorithm: { name: "tpe", seed: 3 },
    budget: { trials: 12 },
    trial: (p) => ({ loss: (p.x - 0.3) ** 2 }),
  },
  { store: false, handleSigint: false },
);
console.log(result.state, result.trials.length, result.best.values[0] < 0.05);
`;
    writeFileSync(join(app, "tune.mjs"), script);
    const r = run(process.execPath, ["tune.mjs"], app);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe("SUCCEEDED 12 true");
  });

  it("compiles the pipeline with npx weft compile", () => {
    const r = run("npx", ["weft", "compile", "pipeline.ts", "-o", "pipeline.yaml"], app);
    expect(r.stderr).toContain("compiled pipeline.ts to pipeline.yaml");
    // typescript is an optional peer dependency, not installed here
    expect(r.stderr).toContain("weft: type-checking skipped: TypeScript is not installed");
    expect(r.code).toBe(0);
    const yaml = readFileSync(join(app, "pipeline.yaml"), "utf8");
    expect(yaml).toContain("# Name: twice");
    expect(yaml).toContain("ephemeral_component.mjs");
  });

  it("runs the pipeline with npx weft run, executing the bundled components", () => {
    const r = run("npx", ["weft", "run", "pipeline.ts", "--param", "n=3"], app);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Run [0-9a-f-]{36} SUCCEEDED/);
    expect(r.stdout).toMatch(/Tasks: 3 succeeded/);
    expect(r.stdout).toMatch(/score\s+value\s+12/);
    expect(existsSync(join(app, ".weft"))).toBe(true);
  });
});
