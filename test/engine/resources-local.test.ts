/**
 * Resources and Kubernetes settings on this machine: resource fields set from pipeline
 * parameters and upstream outputs (KFP's `set_cpu_limit(param)`), requests this machine
 * cannot meet and Kubernetes-only settings (noted and run by default, as KFP's local
 * runner; failed with `strictResources`), and containers that cannot run as a process.
 */
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { EngineEvent, RunSummary } from "../../src/engine/index.ts";
import { loadPipelineFile, validatePipeline } from "../../src/ir/index.ts";
import { sharedPath } from "../shared-dir.ts";
import { ir, logOf, makeEnv } from "./helpers.ts";

const GiB = 2 ** 30;
const env = makeEnv({ capacity: { cpus: 8000, memoryBytes: 16 * GiB, gpus: ["0", "1"] } });
afterAll(() => env.close());
const byName = (s: RunSummary, n: string) => s.tasks.find((t) => t.name === n);

/** KFP's form of `task.set_cpu_limit(p)` and friends, from pipeline parameters, around a shell step. */
const FROM_PARAMETERS = `
components:
  comp-sized:
    executorLabel: exec-sized
    outputDefinitions:
      parameters:
        dev:
          parameterType: STRING
deploymentSpec:
  executors:
    exec-sized:
      container:
        image: alpine
        command:
        - sh
        - -c
        - printf '%s' "\${CUDA_VISIBLE_DEVICES-unset}" > "$0"
        - "{{$.outputs.parameters['dev'].output_file}}"
        resources:
          accelerator:
            resourceCount: '{{$.inputs.parameters[''pipelinechannel--accelerator_limit'']}}'
            resourceType: '{{$.inputs.parameters[''pipelinechannel--accelerator_type'']}}'
          resourceCpuLimit: '{{$.inputs.parameters[''pipelinechannel--cpu_limit'']}}'
          resourceMemoryLimit: '{{$.inputs.parameters[''pipelinechannel--memory_limit'']}}'
pipelineInfo:
  name: sized
root:
  dag:
    tasks:
      sized:
        componentRef:
          name: comp-sized
        inputs:
          parameters:
            accelerator_count:
              runtimeValue:
                constant: '{{$.inputs.parameters[''pipelinechannel--accelerator_limit'']}}'
            accelerator_type:
              runtimeValue:
                constant: '{{$.inputs.parameters[''pipelinechannel--accelerator_type'']}}'
            cpu_limit:
              runtimeValue:
                constant: '{{$.inputs.parameters[''pipelinechannel--cpu_limit'']}}'
            memory_limit:
              runtimeValue:
                constant: '{{$.inputs.parameters[''pipelinechannel--memory_limit'']}}'
            pipelinechannel--accelerator_limit:
              componentInputParameter: accelerator_limit
            pipelinechannel--accelerator_type:
              componentInputParameter: accelerator_type
            pipelinechannel--cpu_limit:
              componentInputParameter: cpu_limit
            pipelinechannel--memory_limit:
              componentInputParameter: memory_limit
        taskInfo:
          name: sized
  inputDefinitions:
    parameters:
      accelerator_limit:
        defaultValue: '1'
        isOptional: true
        parameterType: STRING
      accelerator_type:
        defaultValue: NVIDIA_TESLA_P4
        isOptional: true
        parameterType: STRING
      cpu_limit:
        defaultValue: 4000m
        isOptional: true
        parameterType: STRING
      memory_limit:
        defaultValue: 15G
        isOptional: true
        parameterType: STRING
schemaVersion: 2.1.0
sdkVersion: kfp-2.14.3
`;

/** The CPU request of `consumer` is what `producer` printed. */
const FROM_OUTPUT = `
components:
  comp-producer:
    executorLabel: exec-producer
    outputDefinitions:
      parameters:
        Output:
          parameterType: STRING
  comp-consumer:
    executorLabel: exec-consumer
deploymentSpec:
  executors:
    exec-producer:
      container:
        image: alpine
        command:
        - sh
        - -c
        - printf 1500m > "$0"
        - "{{$.outputs.parameters['Output'].output_file}}"
    exec-consumer:
      container:
        image: alpine
        command:
        - 'true'
        resources:
          resourceCpuRequest: '{{$.inputs.parameters[''pipelinechannel--producer-Output'']}}'
pipelineInfo:
  name: from-output
root:
  dag:
    tasks:
      producer:
        componentRef:
          name: comp-producer
        taskInfo:
          name: producer
      consumer:
        componentRef:
          name: comp-consumer
        dependentTasks:
        - producer
        inputs:
          parameters:
            cpu_request:
              runtimeValue:
                constant: '{{$.inputs.parameters[''pipelinechannel--producer-Output'']}}'
            pipelinechannel--producer-Output:
              taskOutputParameter:
                outputParameterKey: Output
                producerTask: producer
        taskInfo:
          name: consumer
schemaVersion: 2.1.0
sdkVersion: kfp-2.14.3
`;

/** One shell step with constant resources and, optionally, a Kubernetes platform document. */
function step(resources: string, platform = ""): string {
  return `
components:
  comp-step:
    executorLabel: exec-step
deploymentSpec:
  executors:
    exec-step:
      container:
        image: alpine
        command:
        - sh
        - -c
        - echo "devices=\${CUDA_VISIBLE_DEVICES-unset} secret=\${SECRET_VAR-unset}"
        resources:
${resources}
pipelineInfo:
  name: step
root:
  dag:
    tasks:
      step:
        componentRef:
          name: comp-step
        taskInfo:
          name: step
schemaVersion: 2.1.0
sdkVersion: weft-test
${platform}`;
}

const TOO_BIG = step(`          resourceCpuLimit: '64'
          resourceMemoryLimit: 64Gi
          accelerator:
            resourceType: NVIDIA_TESLA_T4
            resourceCount: '4'`);

const K8S = `---
platforms:
  kubernetes:
    deploymentSpec:
      executors:
        exec-step:
          nodeSelector:
            labels:
              accelerator: nvidia-tesla-p4
          tolerations:
          - effect: NoSchedule
            key: example
            operator: Equal
          secretAsEnv:
          - keyToEnv:
            - envVar: SECRET_VAR
              secretKey: password
            secretName: my-secret
`;

describe("resources from placeholders", () => {
  it("validates KFP's form and resolves it from pipeline parameters when the task starts", async () => {
    const pipeline = ir(FROM_PARAMETERS);
    expect(validatePipeline(pipeline)).toEqual([]);
    const s = await env.engine.startRun({
      pipeline,
      parameters: { cpu_limit: "3", memory_limit: "2Gi", accelerator_limit: "2" },
      enableCache: false,
    }).done;
    expect(s.state).toBe("SUCCEEDED");
    const t = env.store.tasks.get(byName(s, "sized")?.id ?? "");
    expect(t?.resources).toMatchObject({ cpus: 3000, memoryBytes: 2 * GiB, gpus: ["0", "1"] });
    expect(t?.outputs.parameters.dev).toBe("0,1");
  });

  it("resolves a resource from an upstream task's output", async () => {
    const pipeline = ir(FROM_OUTPUT);
    expect(validatePipeline(pipeline)).toEqual([]);
    const s = await env.engine.startRun({ pipeline, enableCache: false }).done;
    expect(s.state).toBe("SUCCEEDED");
    expect(env.store.tasks.get(byName(s, "consumer")?.id ?? "")?.resources).toMatchObject({ cpus: 1500 });
    expect(env.engine.plan(pipeline).tasks.find((t) => t.name === "consumer")?.demand).toBeUndefined();
  });

  it("fails the task naming the task, the field, the input and the value when the value is not a quantity", async () => {
    const s = await env.engine.startRun({ pipeline: ir(FROM_PARAMETERS), parameters: { cpu_limit: "lots" } }).done;
    expect(s.state).toBe("FAILED");
    const t = byName(s, "sized");
    expect(t?.errorCode).toBe("INPUT_INVALID");
    expect(t?.error).toBe(
      "task 'root/sized': resourceCpuLimit is set from input 'pipelinechannel--cpu_limit', whose value 'lots' is not a CPU quantity (e.g. \"500m\" or \"2\")",
    );
    expect(t?.errorAction).toContain("pipelinechannel--cpu_limit");
    const gpus = await env.engine.startRun({ pipeline: ir(FROM_PARAMETERS), parameters: { accelerator_limit: "1.5" } })
      .done;
    expect(byName(gpus, "sized")?.error).toContain("accelerator.resourceCount is set from input");
  });

  it("still rejects a constant that is not a quantity, in validation", () => {
    const issues = validatePipeline(
      ir(step("          resourceCpuLimit: 4 cores\n          resourceMemoryLimit: lots")),
    );
    expect(issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      `deploymentSpec.executors.exec-step.container.resources.resourceCpuLimit: '4 cores' is not a CPU quantity such as "500m" or "2"; write one, or the placeholder {{$.inputs.parameters['name']}} to set it from a task input`,
      `deploymentSpec.executors.exec-step.container.resources.resourceMemoryLimit: 'lots' is not a memory quantity such as "512Mi" or "4G"; write one, or the placeholder {{$.inputs.parameters['name']}} to set it from a task input`,
    ]);
  });
});

describe("requests this machine cannot meet", () => {
  it("run by default, lowered to the machine, and the task's log says what was not honoured", async () => {
    const small = env.newEngine({ capacity: { cpus: 2000, memoryBytes: 4 * GiB, gpus: [] } });
    const h = small.startRun({ pipeline: ir(TOO_BIG), enableCache: false });
    const events: EngineEvent[] = [];
    h.events.on("event", (e) => events.push(e));
    const s = await h.done;
    expect(s.state).toBe("SUCCEEDED");
    const t = env.store.tasks.get(byName(s, "step")?.id ?? "");
    expect(t?.resources).toMatchObject({ cpus: 2000, memoryBytes: 4 * GiB, gpus: [] });
    const log = logOf(t?.logPath);
    expect(log).toContain(
      "weft: resource request not honoured: it requests 4 GPUs (accelerator NVIDIA_TESLA_T4) but this machine has none: it runs without one, as KFP's local runner does\n",
    );
    expect(log).toContain("it requests 64 CPUs but this machine has 2 CPUs");
    expect(log).toContain("it requests 64.00 GiB of memory but this machine has 4.00 GiB");
    expect(log).toContain("devices=unset");
    const lines = events.flatMap((e) => (e.type === "log" && e.stream === "stderr" ? [e.line] : []));
    expect(lines.filter((l) => l.startsWith("weft: resource request not honoured"))).toHaveLength(3);
  });

  it("fail with strictResources, saying why, before anything runs", async () => {
    const small = env.newEngine({ capacity: { cpus: 2000, memoryBytes: 4 * GiB, gpus: [] }, strictResources: true });
    const s = await small.startRun({ pipeline: ir(TOO_BIG) }).done;
    expect(s.state).toBe("FAILED");
    expect(byName(s, "step")?.errorCode).toBe("RESOURCES_UNSATISFIABLE");
    expect(byName(s, "step")?.error).toMatch(/can never run here: it requests 64 CPUs but this machine has 2/);
    expect(byName(s, "step")?.startedAt).toBeUndefined();
    // a run can ask for it on an engine that does not enforce by default
    const perRun = await env
      .newEngine({ capacity: { cpus: 2000, gpus: [] } })
      .startRun({ pipeline: ir(TOO_BIG), strictResources: true }).done;
    expect(byName(perRun, "step")?.errorCode).toBe("RESOURCES_UNSATISFIABLE");
  });
});

describe("Kubernetes platform settings", () => {
  const withK8s = ir(step("          resourceCpuRequest: 500m", K8S));

  it("are noted in the task's log and the task runs without them by default", async () => {
    const s = await env.engine.startRun({ pipeline: withK8s, enableCache: false }).done;
    expect(s.state).toBe("SUCCEEDED");
    const log = logOf(byName(s, "step")?.logPath);
    expect(log).toContain(
      "weft: Kubernetes settings not honoured: env SECRET_VAR from secret 'my-secret'. Only a Kubernetes cluster provides them, so the task runs without them and may fail",
    );
    expect(log).toContain("weft: Kubernetes settings ignored: node selector, tolerations: they place the task's pod");
    expect(log).toContain("secret=unset");
    const planned = env.engine.plan(withK8s).tasks[0];
    expect(planned?.notes?.join("\n")).toContain("env SECRET_VAR from secret 'my-secret'");
  });

  it("that give the task data fail it with strictResources; placement and optional data do not", async () => {
    const strict = env.newEngine({ strictResources: true });
    const s = await strict.startRun({ pipeline: withK8s }).done;
    expect(s.state).toBe("FAILED");
    expect(byName(s, "step")?.errorCode).toBe("KUBERNETES_ONLY");
    expect(byName(s, "step")?.error).toBe(
      "task 'root/step' needs what only a Kubernetes cluster provides: env SECRET_VAR from secret 'my-secret' (--strict-resources)",
    );
    const optionalSecret = K8S.replace(
      "            secretName: my-secret",
      "            secretName: my-secret\n            optional: true",
    );
    const p = await strict.startRun({
      pipeline: ir(step("          resourceCpuRequest: 500m", optionalSecret)),
      enableCache: false,
    }).done;
    expect(p.state).toBe("SUCCEEDED");
    const log = logOf(byName(p, "step")?.logPath);
    expect(log).toContain(
      "weft: optional Kubernetes settings not honoured: env SECRET_VAR from secret 'my-secret'. The task runs without them",
    );
    expect(log).toContain("weft: Kubernetes settings ignored: node selector, tolerations");
  });
});

describe("containers that cannot run as a process here", () => {
  const corpus = sharedPath("kfp-conformance/valid");

  it.skipIf(!corpus.present)("a PVC created by kfp-kubernetes fails saying it needs a cluster", async () => {
    const p = loadPipelineFile(path.join(corpus.path, "critical/pipeline_with_volume_long_name.yaml"));
    // the file's other root task, a KFP Python component that needs none of the volume,
    // would only make a Python environment for `pip install kfp` (a network wait): left out
    const tasks = p.pipelineSpec.root.dag?.tasks ?? {};
    expect(Object.keys(tasks)).toContain("dummy-task");
    delete tasks["dummy-task"];
    const s = await env.engine.startRun({ pipeline: p }).done;
    expect(s.state).toBe("FAILED");
    const t = byName(s, "createpvc");
    expect(t?.errorCode).toBe("KUBERNETES_ONLY");
    expect(t?.error).toBe(
      "task 'root/createpvc' creates a Kubernetes PersistentVolumeClaim (kfp-kubernetes CreatePVC): creating, mounting and deleting Kubernetes volumes needs a Kubeflow cluster, and the local engine does not do it",
    );
    expect(t?.errorAction).toContain("run the pipeline on a Kubeflow cluster");
  });

  it("a container with no command and no args fails with COMMAND_MISSING", async () => {
    const p = ir(step("          resourceCpuRequest: 500m").replace(/ {8}command:\n(?: {8}- .*\n)+/, ""));
    const s = await env.engine.startRun({ pipeline: p }).done;
    expect(byName(s, "step")?.errorCode).toBe("COMMAND_MISSING");
    expect(byName(s, "step")?.error).toContain(
      "task 'root/step': executor 'exec-step' (image 'alpine') has no command and no args",
    );
  });
});
