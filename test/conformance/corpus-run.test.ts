/**
 * Acceptance of issue 12: every pipeline of the KFP conformance corpus's `valid/` folder
 * that uses only what this machine has runs to SUCCEEDED with `weft run` (the CLI, in a
 * child process), and afterwards the store holds every declared output of every task that
 * ran, each artifact's file or directory at the path the store records.
 *
 * KFP lightweight Python components install `kfp==<pin>` (and sometimes more) before they
 * run. Whether those installs can succeed here is probed once per distinct install with
 * pip itself, honouring pip's configuration (PIP_FIND_LINKS, PIP_INDEX_URL, pip.conf).
 * Where they can, the file runs for real, in the Python environments Weft makes for its
 * tasks (one WEFT_PYTHON_ENVS for the whole file, so each is made once). Where they cannot
 * (CI has no PyPI), the test says why and runs the file with a stand-in `python3` first on
 * PATH that records what Weft launches and writes the declared outputs as KFP's executor
 * would; it then checks the launches (module, artifact URIs, output files, parameter types)
 * as well as the store.
 *
 * To run the Python components for real on a machine without PyPI, build KFP wheels from
 * source into a folder and point pip at it:
 * `PIP_FIND_LINKS="/path/to/kfp-wheels /opt/wheels" npx vitest run test/conformance/corpus-run.test.ts`.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadPipelineFile, type PipelineSpec } from "../../src/ir/index.ts";
import { CORPUS, CORPUS_DIR, corpusFiles } from "./corpus.ts";
import {
  type FakeOutputs,
  fakeOutputsOf,
  isKfpPython,
  launchProblems,
  pipInstalls,
  probeInstall,
  readLaunches,
  readStoredRun,
  realPython,
  writeFakePython,
} from "./corpus-run-support.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");

/** Files that cannot run here, with the reason: they need a Kubeflow cluster, the internet, or a newer kfp than they pin. */
const CANNOT_RUN: Record<string, string> = {
  "valid/critical/pipeline_with_volume_long_name.yaml":
    "creates a Kubernetes PersistentVolumeClaim (argostub/createpvc): only a cluster can",
  "valid/parallel_and_nested/parallel_for_mount_pvc.yaml":
    "creates a Kubernetes PersistentVolumeClaim (argostub/createpvc) and mounts it in each iteration",
  "valid/critical/pipeline_with_artifact_custom_path.yaml":
    "calls Artifact.set_path, which its pinned kfp==2.14.6 lacks (added in 2.15; KFP's own tests install the SDK from source)",
  "valid/essential/embedded_artifact.yaml":
    "reads dsl.EmbeddedInput artifacts, which its pinned kfp==2.14.3 lacks (added in 2.15; KFP's own tests install the SDK from source)",
  "valid/critical/pipeline_with_secret_as_env.yaml":
    "asserts the values of Kubernetes secrets (test-secret-1, -2, -3) that the cluster passes as environment variables",
  "valid/critical/pipeline_with_pod_metadata.yaml":
    "asserts the pod's labels and annotations, which Kubernetes passes through the downward API (fieldPathAsEnv)",
  "valid/critical/modelcar.yaml":
    "imports a model from an OCI registry (oci://registry.domain.local/modelcar:test) that a cluster mounts as a modelcar",
  "valid/critical/pipeline_with_artifact_upload_download.yaml":
    "downloads a data set from the Hugging Face Hub (datasets.load_dataset): needs the internet",
};

/** `weft run -p` values for the root parameters that have no default. */
const PARAMETERS: Record<string, string[]> = {
  "valid/critical/add_numbers.yaml": ["a=2", "b=3"],
  "valid/essential/concat_message.yaml": ["message1=Hello, ", "message2=world"],
  "valid/essential/dict_input.yaml": ['struct={"a": 1, "b": "two"}'],
  "valid/essential/lightweight_python_functions_pipeline.yaml": ["message=Hello"],
  "valid/essential/lightweight_python_functions_with_outputs.yaml": [
    "first_message=Hello",
    "first_number=1",
    "second_message=world",
    "second_number=2",
  ],
};

/**
 * What the stand-in python3 returns where a type's default would hide work, by file and
 * function name, as the functions compute them: the lists that loops iterate over (an empty
 * list would run no iteration) and the URIs that importers import.
 */
const FAKE_VALUES: Record<string, FakeOutputs["values"]> = {
  "valid/critical/pipeline_with_importer_workspace.yaml": { get_uri: { Output: { uriOf: "d" } } },
  "valid/critical/collected_parameters.yaml": { split_ids: { Output: ["s1", "s2", "s3"] } },
  "valid/parallel_and_nested/loop_consume_upstream.yaml": {
    split_input: { Output: ["component1", "component2", "component3"] },
  },
  "valid/parallel_and_nested/pipeline_with_loops.yaml": {
    args_generator_op: {
      Output: [
        { A_a: "1", B_b: "2" },
        { A_a: "10", B_b: "20" },
      ],
    },
  },
};

const files = corpusFiles("valid");
const runnable = files.filter((f) => !(f in CANNOT_RUN));

/** At most `n` files run at once (2 cores; each run starts several processes). */
function limiter(n: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (fn) => {
    if (active >= n) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await fn();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}
const limit = limiter(2);

/** Where the runs of this file write (made before the first run, removed after the last). */
let scratch = "";
/** One cache of Python environments for the whole file: each is made once. */
let pythonEnvs = "";
const python = realPython();
/** The reasons already printed: one line per missing package, not per file. */
const warned = new Set<string>();

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function weftRun(file: string, cwd: string, env: NodeJS.ProcessEnv): Promise<CliResult> {
  const params = (PARAMETERS[file] ?? []).flatMap((p) => ["-p", p]);
  const args = [path.join(ROOT, "bin/weft.js"), "run", path.join(CORPUS_DIR, file), "--json", "-q", ...params];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    // a run that hangs is ended as Ctrl-C would end it, and reads as not SUCCEEDED
    const timer = setTimeout(() => child.kill("SIGINT"), 9 * 60_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Whether the pipeline has KFP lightweight Python components. */
function hasPython(spec: PipelineSpec): boolean {
  return Object.values(spec.deploymentSpec?.executors ?? {}).some(
    (e) => e.container !== undefined && isKfpPython([...(e.container.command ?? []), ...(e.container.args ?? [])]),
  );
}

/** Why the file's Python components cannot be installed here, or undefined when they can. */
async function notInstallable(file: string): Promise<string | undefined> {
  const spec = loadPipelineFile(path.join(CORPUS_DIR, file)).pipelineSpec;
  if (!hasPython(spec)) return undefined;
  const probes = await Promise.all(pipInstalls(spec).map((args) => probeInstall(args)));
  return probes.find((p) => !p.ok)?.reason;
}

function childEnv(home: string, extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, WEFT_HOME: home, ...extra };
  delete env.WEFT_HOST;
  return env;
}

describe.skipIf(!CORPUS.present)("KFP conformance corpus: valid/ runs with weft run", () => {
  beforeAll(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "weft-corpus-run-"));
    pythonEnvs = path.join(scratch, "python-envs");
  });
  afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

  it("lists real corpus files only, and leaves most of them to run", () => {
    for (const f of [...Object.keys(CANNOT_RUN), ...Object.keys(PARAMETERS), ...Object.keys(FAKE_VALUES)]) {
      expect(files, `${f} is named in corpus-run.test.ts but is not a corpus file`).toContain(f);
    }
    for (const [f, why] of Object.entries(CANNOT_RUN)) expect(why.length, f).toBeGreaterThan(20);
    expect(runnable.length).toBeGreaterThanOrEqual(files.length - 10);
  });

  it.concurrent.for(runnable)(
    "%s runs to SUCCEEDED and the store holds every declared output",
    { timeout: 15 * 60_000 },
    (file, { expect }) =>
      limit(async () => {
        const spec = loadPipelineFile(path.join(CORPUS_DIR, file)).pipelineSpec;
        const base = fs.mkdtempSync(path.join(scratch, "run-"));
        const home = path.join(base, "home");
        const cwd = path.join(base, "cwd");
        fs.mkdirSync(cwd);
        const why = await notInstallable(file);
        let fake: string | undefined;
        let env: NodeJS.ProcessEnv;
        if (why === undefined) {
          env = childEnv(home, { WEFT_PYTHON_ENVS: pythonEnvs });
        } else {
          if (!warned.has(why)) {
            warned.add(why);
            console.warn(
              `${why}: ${file} and every other file that needs it are checked through the command lines and executor inputs Weft launches (a stand-in python3 records them) instead of running their Python components`,
            );
          }
          fake = path.join(base, "python");
          const bin = writeFakePython(fake, fakeOutputsOf(spec, FAKE_VALUES[file]), python);
          env = childEnv(home, {
            PATH: `${bin}${path.delimiter}${process.env.PATH ?? ""}`,
            WEFT_PYTHON_ENVS: path.join(base, "python-envs"),
          });
        }
        const r = await weftRun(file, cwd, env);
        const stored = readStoredRun(home, spec);
        const context = `${file}\nexit ${r.code}\ntasks: ${JSON.stringify(stored.tasks, null, 1)}\nstderr: ${r.stderr.slice(-1500)}`;
        expect.soft(stored.state, context).toBe("SUCCEEDED");
        expect.soft(r.code, context).toBe(0);
        expect.soft(stored.problems, context).toEqual([]);
        // tasks write where they are told: a relative path (`file:/...` taken as a path, an
        // unresolved placeholder) would land in the working directory, beside node_modules
        // (where the engine keeps task programs)
        const stray = fs.readdirSync(cwd).filter((n) => n !== "node_modules");
        expect.soft(stray, `${file}: files written under the working directory`).toEqual([]);
        if (fake === undefined && hasPython(spec) && stored.state === "SUCCEEDED") {
          // the tasks ran in the cached environments Weft makes, not in the host's python
          const envs = fs.existsSync(pythonEnvs) ? fs.readdirSync(pythonEnvs) : [];
          expect.soft(envs, `${file}: WEFT_PYTHON_ENVS`).not.toEqual([]);
        }
        if (fake !== undefined && stored.runId !== undefined) {
          const launches = readLaunches(fake);
          const ran = stored.tasks.filter((t) => t.state === "SUCCEEDED").length;
          if (ran > 0) expect.soft(launches.length, `${file}: executor launches`).toBeGreaterThan(0);
          expect.soft(launches.flatMap((l) => launchProblems(spec, l, home, stored.runId as string))).toEqual([]);
        }
        fs.rmSync(base, { recursive: true, force: true });
      }),
  );
});
