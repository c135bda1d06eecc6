/**
 * Tasks whose `sh -c` script starts with KFP's pip install prelude run in a cached
 * virtual environment: made once (under a lock, one install for concurrent tasks),
 * reused by later runs, never touching the host's Python. The package installed is a
 * tiny wheel built here, found through PIP_FIND_LINKS with PIP_NO_INDEX=1.
 */
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readPipPrelude } from "../../src/engine/pip-prelude.ts";
import { needsHostKfp, pythonEnvPlan, withDirLock } from "../../src/engine/python-env.ts";
import { loadPipelineFile, type PipelinePackage } from "../../src/ir/index.ts";
import { sharedPath } from "../shared-dir.ts";
import { logOf, makeEnv, type TestEnv } from "./helpers.ts";
import { IrBuilder, task } from "./ir-builder.ts";

const python = spawnSync("python3", ["-c", "import venv, ensurepip"]).status === 0;
if (!python) console.log("python-env tests skipped: python3 with the venv and ensurepip modules is not on PATH");

/** Making a venv takes seconds, and much longer on a loaded machine. */
const SLOW = 240_000;

/** KFP's install of itself, the last command of its prelude (kfp here is a stand-in wheel built below). */
const KFP_INSTALL = `python3 -m pip install --quiet --no-warn-script-location 'kfp==2.14.3' '--no-deps' 'typing-extensions>=3.7.4,<5; python_version<"3.9"'`;

/** KFP's prelude for `packages_to_install=[...]`, as the SDK writes it. */
function prelude(pkgs: string[]): string {
  const quoted = pkgs.map((p) => `'${p}'`).join(" ");
  return `
if ! [ -x "$(command -v pip)" ]; then
    python3 -m ensurepip || python3 -m ensurepip --user || apt-get install python3-pip
fi

PIP_DISABLE_PIP_VERSION_CHECK=1 python3 -m pip install --quiet --no-warn-script-location ${quoted}  &&  ${KFP_INSTALL} && "$0" "$@"
`;
}

/**
 * KFP's prelude with `use_venv=True`: the script makes a venv of its own and installs kfp
 * there. Its venv is made `--without-pip` to keep the test short; the `python3 -m pip` in
 * it imports pip from PYTHONPATH either way, as PYTHONPATH comes first.
 */
function venvPrelude(pkgs: string[]): string {
  const quoted = pkgs.map((p) => `'${p}'`).join(" ");
  return `
PIP_DISABLE_PIP_VERSION_CHECK=1 python3 -m pip install --quiet --no-warn-script-location ${quoted}  &&  
export PIP_DISABLE_PIP_VERSION_CHECK=1
tmp=$(mktemp -d)
python3 -m venv "$tmp/venv" --system-site-packages --without-pip
. "$tmp/venv/bin/activate"
 ${KFP_INSTALL} && "$0" "$@"
`;
}

/** The program after the prelude: KFP's entry point, which here writes weftprobe's value and sys.prefix. */
const PROGRAM = `python3 -m kfp.dsl.executor_main "$0"`;

/** A pipeline of `n` tasks of one component run by `script`. */
function pipeline(name: string, script: string, n: number): PipelinePackage {
  const b = new IrBuilder(name).executor(
    "probe",
    {
      container: {
        image: "python:3.11",
        command: ["sh", "-c", script, "sh", "-ec", PROGRAM],
        args: ["{{$.outputs.parameters['out'].output_file}}"],
      },
    },
    { out: { out: "STRING" } },
  );
  const tasks = Object.fromEntries(Array.from({ length: n }, (_, i) => [`p${i}`, task("probe", { name: `p${i}` })]));
  return b.root(tasks).build();
}

/**
 * Writes two wheels into `dir` (each a zip of its modules and dist-info): `weftprobe` 1.0,
 * and a stand-in `kfp` 2.14.3 whose `kfp.dsl.executor_main` writes weftprobe's value and
 * sys.prefix to the file it is given.
 */
function buildWheels(dir: string): void {
  const script = `
import sys, zipfile
def wheel(name, version, modules):
    dist = f"{name}-{version}.dist-info"
    files = dict(modules)
    files[dist + "/METADATA"] = f"Metadata-Version: 2.1\\nName: {name}\\nVersion: {version}\\n"
    files[dist + "/WHEEL"] = "Wheel-Version: 1.0\\nGenerator: weft-test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"
    files[dist + "/RECORD"] = "".join(f"{n},,\\n" for n in files) + dist + "/RECORD,,\\n"
    with zipfile.ZipFile(f"{sys.argv[1]}/{name}-{version}-py3-none-any.whl", "w") as z:
        for n, t in files.items():
            z.writestr(n, t)
wheel("weftprobe", "1.0", {"weftprobe/__init__.py": 'VALUE = "probe-ok"\\n'})
main = 'import sys, weftprobe\\nopen(sys.argv[1], "w").write(weftprobe.VALUE + " " + sys.prefix)\\n'
wheel("kfp", "2.14.3", {"kfp/__init__.py": "", "kfp/dsl/__init__.py": "", "kfp/dsl/executor_main.py": main})
`;
  const r = spawnSync("python3", ["-c", script, dir], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`building the test wheels failed: ${r.stderr}`);
}

/** Environment directories under the cache root (not locks or their leftovers). */
function envDirs(root: string): string[] {
  return fs.existsSync(root) ? fs.readdirSync(root).filter((f) => /^[0-9a-f]{32}$/.test(f)) : [];
}

describe.skipIf(!python)("cached Python environments for pip install preludes", () => {
  const saved = { ...process.env };
  let tmp = "";
  let root = "";
  let env: TestEnv;

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "weft-pyenv-"));
    root = path.join(tmp, "envs");
    const wheels = path.join(tmp, "wheels");
    env = makeEnv();
    fs.mkdirSync(wheels);
    buildWheels(wheels);
    process.env.WEFT_PYTHON_ENVS = root;
    process.env.PIP_FIND_LINKS = wheels;
    process.env.PIP_NO_INDEX = "1";
    delete process.env.WEFT_PYTHON_VENV;
  });
  afterAll(() => {
    for (const k of ["WEFT_PYTHON_ENVS", "PIP_FIND_LINKS", "PIP_NO_INDEX", "WEFT_PYTHON_VENV"]) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    env.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const probe = pipeline("probe", prelude(["weftprobe==1.0"]), 2);

  it(
    "runs two concurrent KFP-shaped tasks in one environment made once, without kfp or the packages on the host",
    async () => {
      const s = await env.engine.startRun({ pipeline: probe, enableCache: false }).done;
      expect(s.state, JSON.stringify(s.tasks.map((t) => [t.path, t.error]))).toBe("SUCCEEDED");
      const dirs = envDirs(root);
      expect(dirs).toHaveLength(1);
      const dir = path.join(root, dirs[0] as string);
      const venv = path.join(dir, "venv");
      // one venv and each of the prelude's two installs once, however many tasks asked at once
      const installLog = fs.readFileSync(path.join(dir, "install.log"), "utf8");
      expect(installLog.match(/ -m venv /g)).toHaveLength(1);
      expect(installLog.match(/ -m pip install /g)).toHaveLength(2);
      const key = JSON.parse(fs.readFileSync(path.join(dir, "key.json"), "utf8"));
      expect(key.installs.map((i: { args: string[] }) => i.args[0])).toEqual(["weftprobe==1.0", "kfp==2.14.3"]);
      const tasks = s.tasks.filter((t) => t.kind === "container");
      // each log starts by saying which environment, the one that made it first that it was not ready
      const logs = tasks.map((t) => logOf(t.logPath));
      for (const l of logs) {
        expect(l).toMatch(/^\[weft\] python environment /);
        expect(l).toMatch(
          /^\[weft\] python environment \S+ \((created in [\d.]+ s|reused)\): cpython 3\.\d+\.\d+ at /m,
        );
        expect(l).toContain(`[weft] python environment ${dir} (`);
      }
      const creator = logs.find((l) => l.includes("(created in ")) ?? "";
      expect(creator).toMatch(
        /^\[weft\] python environment \S+: not ready yet, installing weftprobe==1\.0 kfp==2\.14\.3 .*\n\[weft\] python environment \S+ \(created in /,
      );
      expect(logs.filter((l) => l.includes("(created in ")).length).toBe(1);
      for (const t of tasks) {
        const rec = env.store.tasks.get(t.id);
        expect(rec?.outputs.parameters.out).toBe(`probe-ok ${venv}`);
        expect((rec?.resources as { pythonEnv?: { path: string } } | undefined)?.pythonEnv?.path).toBe(dir);
      }
      expect(spawnSync(path.join(venv, "bin", "python"), ["-c", "import weftprobe, kfp"]).status).toBe(0);
      expect(spawnSync("python3", ["-c", "import weftprobe"]).status).not.toBe(0);
      expect(fs.readdirSync(root).filter((f) => f.includes(".lock"))).toEqual([]);
    },
    SLOW,
  );

  it(
    "reuses the environment in a later run without installing again",
    async () => {
      const dir = path.join(root, envDirs(root)[0] as string);
      const ready = fs.statSync(path.join(dir, "ready")).mtimeMs;
      const installLog = fs.readFileSync(path.join(dir, "install.log"), "utf8");
      const s = await env.engine.startRun({ pipeline: probe, enableCache: false }).done;
      expect(s.state).toBe("SUCCEEDED");
      for (const t of s.tasks.filter((x) => x.kind === "container"))
        expect(logOf(t.logPath).split("\n")[0]).toMatch(/^\[weft\] python environment .* \(reused\): /);
      expect(fs.statSync(path.join(dir, "ready")).mtimeMs).toBe(ready);
      expect(fs.readFileSync(path.join(dir, "install.log"), "utf8")).toBe(installLog);
      expect(envDirs(root)).toHaveLength(1);
    },
    SLOW,
  );

  it(
    "gives a script that makes its own venv (KFP's use_venv) the same environment's packages, its pip finding them installed",
    async () => {
      const s = await env.engine.startRun({ pipeline: pipeline("own-venv", venvPrelude(["weftprobe==1.0"]), 1) }).done;
      const t = s.tasks.find((x) => x.path === "root/p0");
      expect(s.state, logOf(t?.logPath)).toBe("SUCCEEDED");
      // the same packages as the plain prelude's, written differently: the same environment
      const dir = path.join(root, envDirs(root)[0] as string);
      expect(envDirs(root)).toHaveLength(1);
      expect(logOf(t?.logPath).split("\n")[0]).toContain(`[weft] python environment ${dir} (reused)`);
      // the script's own venv ran the program; kfp and weftprobe came from the cached environment
      const [value, prefix] = String(env.store.tasks.get(t?.id ?? "")?.outputs.parameters.out).split(" ");
      expect(value).toBe("probe-ok");
      expect(prefix).not.toBe(path.join(dir, "venv"));
      expect(fs.existsSync(path.join(prefix ?? "", "pyvenv.cfg"))).toBe(true);
      const own = fs.readdirSync(path.join(prefix ?? "", "lib"), { recursive: true }).map(String);
      expect(own.filter((f) => /kfp|weftprobe/.test(f))).toEqual([]);
      fs.rmSync(path.dirname(prefix ?? ""), { recursive: true, force: true });
    },
    SLOW,
  );

  it(
    "fails a task whose packages cannot be installed with PYTHON_ENV_FAILED, naming them, and marks nothing ready",
    async () => {
      const s = await env.engine.startRun({ pipeline: pipeline("missing", prelude(["weftmissing==1.0"]), 1) }).done;
      expect(s.state).toBe("FAILED");
      const t = s.tasks.find((x) => x.path === "root/p0");
      expect(t?.errorCode).toBe("PYTHON_ENV_FAILED");
      expect(t?.error).toContain("task 'root/p0'");
      expect(t?.error).toContain("weftmissing==1.0");
      expect(t?.error).toMatch(/No matching distribution found for weftmissing==1\.0/);
      expect(t?.errorAction).toContain("PIP_FIND_LINKS");
      expect(t?.stderrTail?.join("\n")).toContain("weftmissing");
      const failed = envDirs(root)
        .map((d) => path.join(root, d))
        .filter((d) => fs.readFileSync(path.join(d, "key.json"), "utf8").includes("weftmissing"));
      expect(failed).toHaveLength(1);
      expect(fs.existsSync(path.join(failed[0] as string, "ready"))).toBe(false);
      expect(fs.existsSync(path.join(failed[0] as string, "venv"))).toBe(false);
      expect(fs.readFileSync(path.join(failed[0] as string, "install.log"), "utf8")).toContain("weftmissing");
      // the attempt is recorded with the failure, and no task process ran
      const rec = env.store.tasks.get(t?.id ?? "");
      expect(rec?.attempts.at(-1)?.error?.code).toBe("PYTHON_ENV_FAILED");
      expect(rec?.pid).toBeUndefined();
    },
    SLOW,
  );
});

describe("which tasks get an environment", () => {
  const kfpTask = ["sh", "-c", prelude(["pandas"]), "sh", "-ec", "python3 -m kfp.dsl.executor_main"];

  it("installs a prelude's kfp into the environment, so the host needs none unless the user opts out", () => {
    const plan = pythonEnvPlan(kfpTask, {});
    expect(plan && "prelude" in plan && plan.prelude.installs.map((i) => i.args.at(-1))).toEqual([
      "pandas",
      'typing-extensions>=3.7.4,<5; python_version<"3.9"',
    ]);
    expect(needsHostKfp(kfpTask)).toBe(false);
    expect(needsHostKfp(["sh", "-ec", "python3 -m kfp.dsl.executor_main"])).toBe(true);
    expect(pythonEnvPlan(kfpTask, { WEFT_PYTHON_VENV: "0" })).toEqual({ skip: "WEFT_PYTHON_VENV=0 is set" });
    const noKfp = [
      "sh",
      "-c",
      `python3 -m pip install 'pandas' && "$0" "$@"`,
      "sh",
      "-ec",
      "python3 -m kfp.dsl.executor_main",
    ];
    expect(pythonEnvPlan(noKfp, {})).toEqual({
      skip: "its installs do not include kfp, which kfp.dsl.executor_main needs",
    });
  });

  const SHARED = sharedPath("kfp-conformance/valid/essential");
  it.skipIf(!SHARED.present)("reads the prelude of every pip install component of the corpus", () => {
    for (const f of [
      "component_with_pip_install",
      "component_with_pip_index_urls",
      "component_with_pip_install_in_venv",
    ]) {
      const p = loadPipelineFile(path.join(SHARED.path, `${f}.yaml`));
      const execs = Object.values(p.pipelineSpec.deploymentSpec?.executors ?? {});
      expect(execs.length, f).toBeGreaterThan(0);
      for (const e of execs) {
        const c = (e as { container?: { command?: string[]; args?: string[] } }).container;
        const argv = [...(c?.command ?? []), ...(c?.args ?? [])];
        const plan = pythonEnvPlan(argv, {});
        expect(plan && "prelude" in plan && plan.prelude.installs.length, f).toBe(2);
        expect(plan && "prelude" in plan && plan.prelude.ownVenv, f).toBe(f.endsWith("_in_venv"));
        expect(readPipPrelude(argv) && needsHostKfp(argv), f).toBe(false);
      }
    }
  });
});

describe("the environment lock", () => {
  let tmp = "";
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "weft-pylock-"));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("lets one holder in at a time within a process", async () => {
    const lock = path.join(tmp, "a.lock");
    let inside = 0;
    let most = 0;
    const hold = () =>
      withDirLock(lock, async () => {
        most = Math.max(most, ++inside);
        await new Promise((r) => setTimeout(r, 50));
        inside--;
      });
    await Promise.all([hold(), hold(), hold()]);
    expect(most).toBe(1);
    expect(fs.existsSync(lock)).toBe(false);
  });

  it("waits for a live holder in another process and takes over once it has died", async () => {
    const lock = path.join(tmp, "b.lock");
    const holder = spawn("sleep", ["60"], { stdio: "ignore" });
    const pid = holder.pid as number;
    const exited = new Promise((r) => holder.on("exit", r));
    fs.mkdirSync(lock);
    fs.writeFileSync(path.join(lock, "owner.json"), JSON.stringify({ pid, host: os.hostname() }));
    let ran = false;
    const waiting = withDirLock(lock, async () => {
      ran = true;
    });
    await new Promise((r) => setTimeout(r, 600));
    expect(ran).toBe(false);
    holder.kill("SIGKILL");
    await exited;
    await waiting;
    expect(ran).toBe(true);
    expect(fs.existsSync(lock)).toBe(false);
  });
});
