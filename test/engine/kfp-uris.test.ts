/**
 * Artifacts as KFP's runtimes see them. A KFP Python component maps only gs://, minio://,
 * s3:// and oci:// URIs to local mounts (`Artifact._get_path`) and uses any other URI as
 * the path itself, so a task must be handed URIs that are paths into the store. The tasks
 * here are `python3 -c` stand-ins for KFP's executor that apply exactly that rule (the
 * `kfp` package is not needed), and the checks look at the store, not only the run state:
 * every output is recorded under a file:// URI with content at that place, and nothing
 * lands in the task's working folder. Also: a declared output that is never produced fails
 * its task naming it, and bare `{{$.inputs.artifacts['x']}}` placeholders (KFP's list of
 * artifacts) pass the artifacts as JSON.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { uriToLocalPath } from "../../src/executor/index.ts";
import type { PipelinePackage } from "../../src/ir/index.ts";
import { loadPipelineFile } from "../../src/ir/index.ts";
import { sharedPath } from "../shared-dir.ts";
import { ir, logOf, makeEnv } from "./helpers.ts";
import { from, IrBuilder, task } from "./ir-builder.ts";

/**
 * A stand-in for `python3 -m kfp.dsl.executor_main` that resolves artifact paths as KFP's
 * runtime does: it reads every input artifact (printing `<input>=<content>`), writes every
 * output artifact (`<task>:<output>`), returns its one input parameter (if any) as every
 * output parameter, and writes executor_output.json echoing each output's URI, as KFP's
 * executor does. It runs in $SCRATCH, so a URI taken as a relative path lands there.
 */
const KFP_LIKE = `
import json, os, sys

def get_path(uri):  # kfp.dsl.types.artifact_types.Artifact._get_path
    for prefix, mount in (("gs://", "/gcs/"), ("minio://", "/minio/"), ("s3://", "/s3/")):
        if uri.startswith(prefix):
            return mount + uri[len(prefix):]
    if uri.startswith("oci://"):
        return "/oci/" + uri[len("oci://"):].replace("/", "_")
    return uri

os.chdir(os.environ["SCRATCH"])
ei = json.loads(sys.argv[1])
task = sys.argv[2]
for name, lst in sorted(ei["inputs"].get("artifacts", {}).items()):
    for a in lst["artifacts"]:
        with open(get_path(a["uri"])) as f:
            print(name + "=" + f.read().strip())
params = list(ei["inputs"].get("parameterValues", {}).values())
for name, p in ei["outputs"].get("parameters", {}).items():
    os.makedirs(os.path.dirname(p["outputFile"]), exist_ok=True)
    with open(p["outputFile"], "w") as f:
        f.write(str(params[0]) if len(params) == 1 else "")
out = {"artifacts": {}}
for name, lst in ei["outputs"].get("artifacts", {}).items():
    a = lst["artifacts"][0]
    path = get_path(a["uri"])
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(task + ":" + name)
    out["artifacts"][name] = {"artifacts": [{"name": a["name"], "uri": a["uri"], "metadata": {"by": task}}]}
os.makedirs(os.path.dirname(ei["outputs"]["outputFile"]), exist_ok=True)
with open(ei["outputs"]["outputFile"], "w") as f:
    json.dump(out, f)
`;

const env = makeEnv();
afterAll(() => env.close());
let scratch: string;

beforeEach(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "weft-kfp-cwd-"));
  return () => fs.rmSync(scratch, { recursive: true, force: true });
});

/** A container executor running {@link KFP_LIKE} for task `name`. */
function kfpLike(name: string): Record<string, unknown> {
  return {
    container: {
      image: "python:3.11",
      command: ["python3", "-c", KFP_LIKE],
      args: ["{{$}}", name],
      env: [{ name: "SCRATCH", value: scratch }],
    },
  };
}

async function run(pipeline: PipelinePackage) {
  const s = await env.engine.startRun({ pipeline, enableCache: false }).done;
  if (s.state !== "SUCCEEDED") console.error(JSON.stringify(s.tasks, null, 2));
  return s;
}

/** Every artifact the run recorded has a file:// URI inside the store and content there. */
function expectAllInStore(runId: string): void {
  const arts = env.store.artifacts.listByRun(runId);
  expect(arts.length).toBeGreaterThan(0);
  const root = path.join(env.home, "artifacts", runId);
  for (const a of arts) {
    expect(a.uri.startsWith("file://")).toBe(true);
    const local = uriToLocalPath(a.uri);
    expect(local.startsWith(`${root}/`)).toBe(true);
    expect(fs.existsSync(local)).toBe(true);
    expect(a.digest).toMatch(/^sha256:/);
  }
}

describe("artifact URIs handed to tasks", () => {
  it("are local paths into the store, so a KFP runtime writes and reads outputs there", async () => {
    const b = new IrBuilder("kfp-paths")
      .executor("produce", kfpLike("produce"), { outArt: ["data"] })
      .executor("consume", kfpLike("consume"), { inArt: ["data"], outArt: ["model"] })
      .sh(
        "show",
        "printf '%s\\n%s\\n%s\\n' '{{$.inputs.artifacts['m'].uri}}' '{{$.inputs.artifacts['m'].path}}' '{{$.outputs.artifacts['o'].uri}}' > {{$.outputs.artifacts['o'].path}}",
        { inArt: ["m"], outArt: ["o"] },
      )
      .root({
        produce: task("produce"),
        consume: task("consume", { inputs: { artifacts: { data: from.artifact("produce", "data") } } }),
        show: task("show", { inputs: { artifacts: { m: from.artifact("consume", "model") } } }),
      });
    const s = await run(b.build());
    expect(s.state).toBe("SUCCEEDED");
    expect(logOf(s.tasks.find((t) => t.name === "consume")?.logPath)).toContain("data=produce:data");
    expectAllInStore(s.runId);
    // nothing was written relative to the working folder (file:/... from a file:// URI)
    expect(fs.readdirSync(scratch)).toEqual([]);

    const arts = env.store.artifacts.listByRun(s.runId);
    const model = arts.find((a) => a.name === "model");
    // the store keeps file:// URIs and the metadata the task gave
    expect(model?.metadata).toEqual({ by: "consume" });
    const modelPath = uriToLocalPath(model?.uri ?? "");
    expect(fs.readFileSync(modelPath, "utf8")).toBe("consume:model");
    // .uri placeholders give the same absolute path as .path
    const out = arts.find((a) => a.name === "o");
    const lines = fs
      .readFileSync(uriToLocalPath(out?.uri ?? ""), "utf8")
      .trim()
      .split("\n");
    expect(lines).toEqual([modelPath, modelPath, uriToLocalPath(out?.uri ?? "")]);
  });

  it("puts absolute paths in the executor input, for outputs and inputs alike", async () => {
    const b = new IrBuilder("kfp-executor-input")
      .sh("make", "echo x > {{$.outputs.artifacts['d'].path}}", { outArt: ["d"] })
      .sh("read", "cat <<'X'\n{{$}}\nX", { inArt: ["d"], outArt: ["metrics"] })
      .root({
        make: task("make"),
        read: task("read", { inputs: { artifacts: { d: from.artifact("make", "d") } } }),
      });
    const s = await run(b.build());
    expect(s.state).toBe("SUCCEEDED");
    const ei = JSON.parse(logOf(s.tasks.find((t) => t.name === "read")?.logPath));
    const stored = env.store.artifacts.listByRun(s.runId).find((a) => a.name === "d");
    expect(ei.inputs.artifacts.d.artifacts[0].uri).toBe(uriToLocalPath(stored?.uri ?? ""));
    const metricsUri: string = ei.outputs.artifacts.metrics.artifacts[0].uri;
    expect(path.isAbsolute(metricsUri)).toBe(true);
    expect(metricsUri).toBe(path.join(env.home, "artifacts", s.runId, "read", "metrics"));
  });

  it("keeps a remote importer URI as it is (KFP maps gs:// itself)", async () => {
    const b = new IrBuilder("kfp-remote")
      .executor(
        "imp",
        {
          importer: {
            artifactUri: { constant: "gs://bucket/data.csv" },
            typeSchema: { schemaTitle: "system.Dataset" },
          },
        },
        { outArt: ["artifact"] },
      )
      .sh("show", "echo '{{$.inputs.artifacts['d'].uri}}'", { inArt: ["d"] })
      .root({
        imp: task("imp"),
        show: task("show", { inputs: { artifacts: { d: from.artifact("imp", "artifact") } } }),
      });
    const s = await run(b.build());
    expect(s.state).toBe("SUCCEEDED");
    expect(logOf(s.tasks.find((t) => t.name === "show")?.logPath).trim()).toBe("gs://bucket/data.csv");
  });

  it("records a URI that executor_output.json moves within the store as a file:// URI", async () => {
    const b = new IrBuilder("kfp-moved")
      .sh(
        "m",
        `o={{$.outputs.artifacts['o'].path}}; echo moved > "$o-2"; f=$(printf '%s' '{{$}}' | sed -n 's/.*"outputFile":"\\([^"]*\\)".*/\\1/p'); printf '{"artifacts":{"o":{"artifacts":[{"uri":"%s-2"}]}}}' "$o" > "$f"`,
        { outArt: ["o"] },
      )
      .root({ m: task("m") });
    const s = await run(b.build());
    expect(s.state).toBe("SUCCEEDED");
    const o = env.store.artifacts.listByRun(s.runId)[0];
    expect(o?.uri).toBe(`file://${path.join(env.home, "artifacts", s.runId, "m", "o-2")}`);
    expectAllInStore(s.runId);
  });
});

describe("the task root (KFP's dsl.get_uri)", () => {
  it("is the folder of the executor output file, beside the task's outputs in the store", async () => {
    // KFP's executor takes dirname(outputs.outputFile) as the task root and dsl.get_uri(suffix)
    // joins the suffix to it: an output placed there must be in the store, not refused
    const GET_URI = [
      "import json, os, sys",
      "ei = json.loads(sys.argv[1])",
      'root = os.path.split(ei["outputs"]["outputFile"])[0]',
      'uri = os.path.join(root, "model")',
      'open(uri, "w").write("weights")',
      'json.dump({"artifacts": {"m": {"artifacts": [{"name": "m", "uri": uri}]}}}, open(ei["outputs"]["outputFile"], "w"))',
    ].join("\n");
    const b = new IrBuilder("kfp-task-root")
      .executor(
        "train",
        { container: { image: "python:3.11", command: ["python3", "-c", GET_URI], args: ["{{$}}"] } },
        { outArt: ["m"] },
      )
      .root({ train: task("train") });
    const s = await run(b.build());
    expect(s.state).toBe("SUCCEEDED");
    const m = env.store.artifacts.listByRun(s.runId)[0];
    expect(m?.uri).toBe(`file://${path.join(env.home, "artifacts", s.runId, "train", "model")}`);
    expect(fs.readFileSync(uriToLocalPath(m?.uri ?? ""), "utf8")).toBe("weights");
    expectAllInStore(s.runId);
  });
});

describe("a container component handing an artifact to a Python component", () => {
  const corpus = sharedPath("kfp-conformance/valid/parallel_and_nested/pipeline_in_pipeline_loaded_from_yaml.yaml");

  it.skipIf(!corpus.present)(
    "runs the corpus pipeline, its Python components under KFP's path rule, to SUCCEEDED",
    async () => {
      const p = loadPipelineFile(corpus.path);
      const executors = p.pipelineSpec.deploymentSpec?.executors ?? {};
      let replaced = 0;
      for (const [label, exec] of Object.entries(executors)) {
        const argv = [...(exec.container?.command ?? []), ...(exec.container?.args ?? [])];
        if (!argv.some((a) => a.includes("kfp.dsl.executor_main"))) continue;
        executors[label] = kfpLike(label) as never;
        replaced++;
      }
      expect(replaced).toBe(3);
      const s = await run(p);
      expect(s.state).toBe("SUCCEEDED");
      // the root print-op1 read what the inner container component print-op2 wrote
      expect(logOf(s.tasks.find((t) => t.path === "root/print-op1")?.logPath)).toContain("data=world");
      expectAllInStore(s.runId);
      expect(fs.readdirSync(scratch)).toEqual([]);
    },
  );
});

describe("declared output artifacts that are not produced", () => {
  it("fail the task naming the output, and its consumers are skipped", async () => {
    const b = new IrBuilder("kfp-missing")
      .sh("train", "echo trained, but wrote nothing", { outArt: ["model"] })
      .sh("use", "cat {{$.inputs.artifacts['m'].path}}", { inArt: ["m"] })
      .root({
        train: task("train"),
        use: task("use", { inputs: { artifacts: { m: from.artifact("train", "model") } } }),
      });
    const s = await env.engine.startRun({ pipeline: b.build(), enableCache: false }).done;
    expect(s.state).toBe("FAILED");
    const train = s.tasks.find((t) => t.name === "train");
    expect(train?.state).toBe("FAILED");
    expect(train?.errorCode).toBe("OUTPUT_MISSING");
    expect(train?.error).toMatch(/^task 'root\/train' succeeded but did not produce output artifact 'model'/);
    expect(train?.errorAction).toMatch(/write each output/);
    expect(s.tasks.find((t) => t.name === "use")?.state).toBe("SKIPPED");
    expect(env.store.artifacts.listByRun(s.runId)).toEqual([]);
  });

  it("are fine for metrics, whose content is their metadata, and a directory counts as produced", async () => {
    const b = new IrBuilder("kfp-metrics-dir")
      .sh(
        "t",
        `o={{$.outputs.artifacts['d'].path}}; mkdir -p "$o"; echo a > "$o/part-0"; f=$(printf '%s' '{{$}}' | sed -n 's/.*"outputFile":"\\([^"]*\\)".*/\\1/p'); printf '{"artifacts":{"metrics":{"artifacts":[{"name":"metrics","metadata":{"acc":0.9}}]}}}' > "$f"`,
        { outArt: ["d", "metrics"] },
      )
      .sh("quiet", "true", { outArt: ["metrics"] })
      .root({ t: task("t"), quiet: task("quiet") });
    const s = await run(b.build());
    expect(s.state).toBe("SUCCEEDED");
    const arts = env.store.artifacts.listByRun(s.runId);
    expect(arts.find((a) => a.name === "d")?.sizeBytes).toBe(2);
    expect(arts.filter((a) => a.name === "metrics").map((a) => a.metadata)).toEqual(
      expect.arrayContaining([{ acc: 0.9 }, {}]),
    );
  });
});

describe("bare artifact placeholders", () => {
  /** KFP's artifacts_simple sample: a container component reading a list of artifacts as JSON. */
  const sample = (script: string) =>
    ir(`
components:
  comp-double:
    executorLabel: exec-double
    inputDefinitions:
      parameters:
        num: {parameterType: NUMBER_INTEGER}
    outputDefinitions:
      artifacts:
        out_dataset: {artifactType: {schemaTitle: system.Dataset, schemaVersion: 0.0.1}}
  comp-add-container:
    executorLabel: exec-add-container
    inputDefinitions:
      artifacts:
        in_datasets:
          artifactType: {schemaTitle: system.Dataset, schemaVersion: 0.0.1}
          isArtifactList: true
    outputDefinitions:
      artifacts:
        out_dataset: {artifactType: {schemaTitle: system.Dataset, schemaVersion: 0.0.1}}
  comp-for-loop-2:
    dag:
      outputs:
        artifacts:
          pipelinechannel--double-out_dataset:
            artifactSelectors:
            - {outputArtifactKey: out_dataset, producerSubtask: double}
      tasks:
        double:
          componentRef: {name: comp-double}
          inputs:
            parameters:
              num: {componentInputParameter: pipelinechannel--loop-item-param-1}
          taskInfo: {name: double}
    inputDefinitions:
      parameters:
        pipelinechannel--loop-item-param-1: {parameterType: NUMBER_INTEGER}
    outputDefinitions:
      artifacts:
        pipelinechannel--double-out_dataset:
          artifactType: {schemaTitle: system.Dataset, schemaVersion: 0.0.1}
          isArtifactList: true
deploymentSpec:
  executors:
    exec-double:
      container:
        image: alpine
        command: [sh, -c, "echo $((2 * $0)) > \\"$1\\"", "{{$.inputs.parameters['num']}}", "{{$.outputs.artifacts['out_dataset'].path}}"]
    exec-add-container:
      container:
        image: registry.access.redhat.com/ubi9/python-311:latest
        command: [python3, -c]
        args:
        - ${JSON.stringify(script)}
        - "{{$.inputs.artifacts['in_datasets']}}"
        - "{{$.outputs.artifacts['out_dataset'].uri}}"
pipelineInfo: {name: math-pipeline}
root:
  dag:
    tasks:
      add-container:
        componentRef: {name: comp-add-container}
        dependentTasks: [for-loop-2]
        inputs:
          artifacts:
            in_datasets:
              taskOutputArtifact: {outputArtifactKey: pipelinechannel--double-out_dataset, producerTask: for-loop-2}
        taskInfo: {name: add-container}
      for-loop-2:
        componentRef: {name: comp-for-loop-2}
        parameterIterator:
          itemInput: pipelinechannel--loop-item-param-1
          items: {raw: '[1, 2, 3]'}
        taskInfo: {name: for-loop-2}
schemaVersion: 2.1.0
sdkVersion: kfp-2.14.6
`);

  // exec-add-container's program, as KFP's sample writes it
  const KFP_SAMPLE = `
import argparse
import json
import os

def main(in_datasets, out_dataset_uri):
    in_dicts = json.loads(in_datasets)
    uris = [d['uri'] for d in in_dicts]
    total = 0
    for uri in uris:
        with open(uri.replace('gs://', '/gcs/')) as f:
            total += int(f.read())

    outpath = out_dataset_uri.replace('gs://', '/gcs/')
    os.makedirs(os.path.dirname(outpath), exist_ok=True)
    with open(outpath, 'w') as f:
        f.write(str(total))

parser = argparse.ArgumentParser()
parser.add_argument('in_datasets')
parser.add_argument('out_dataset_uri')
args = parser.parse_args()

main(args.in_datasets, args.out_dataset_uri)
`;

  it("pass the list of artifacts as JSON, which KFP's own sample reads", async () => {
    const s = await run(sample(KFP_SAMPLE));
    expect(s.state).toBe("SUCCEEDED");
    const sum = env.store.artifacts
      .listByRun(s.runId)
      .find((a) => a.taskId === s.tasks.find((t) => t.name === "add-container")?.id);
    expect(fs.readFileSync(uriToLocalPath(sum?.uri ?? ""), "utf8")).toBe("12");
    expectAllInStore(s.runId);
  });

  it("give each artifact as the executor input lists it: name, uri, metadata and type", async () => {
    const s = await run(sample("import sys; print(sys.argv[1]); open(sys.argv[2], 'w').write('x')"));
    expect(s.state).toBe("SUCCEEDED");
    const log = logOf(s.tasks.find((t) => t.name === "add-container")?.logPath).trim();
    const list = JSON.parse(log) as { name: string; uri: string; metadata: unknown; type: unknown }[];
    const doubles = env.store.artifacts
      .listByRun(s.runId)
      .filter((a) => a.name === "out_dataset" && a.taskId !== s.tasks.find((t) => t.name === "add-container")?.id);
    expect(list.map((a) => a.uri).sort()).toEqual(doubles.map((a) => uriToLocalPath(a.uri)).sort());
    expect(list[0]).toEqual({
      name: "out_dataset",
      uri: expect.stringMatching(/^\//),
      metadata: {},
      type: { schemaTitle: "system.Dataset", schemaVersion: "0.0.1" },
    });
  });

  it("are accepted by the dry run", () => {
    const plan = env.engine.plan(sample(KFP_SAMPLE));
    const add = plan.tasks.find((t) => t.name === "add-container");
    expect(add?.command?.at(-2)).toBe('[{"uri":"<input:in_datasets>","metadata":{}}]');
  });
});
