/**
 * KFP's run-level placeholders resolve to the forms a Kubeflow cluster gives them (and
 * kfp.local's where the cluster gives none): in constants KFP lowers into task inputs, on
 * command lines, and in a final status; the same values after a resume in another engine.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { kfpResourceName, utcSeconds } from "../../src/engine/runtime-values.ts";
import { parsePipelineYaml } from "../../src/ir/index.ts";
import { sharedPath } from "../shared-dir.ts";
import { byPath, logOf, makeEnv, ok } from "./helpers.ts";
import { from, IrBuilder, task } from "./ir-builder.ts";

const env = makeEnv({ capacity: { cpus: 4000 } });
afterAll(() => env.close());

const K8S_SUFFIX = "[bcdfghjklmnpqrstvwxz2456789]{5}";

const RUNTIME = [
  "pipeline_job_name",
  "pipeline_job_uuid",
  "pipeline_job_resource_name",
  "pipeline_job_create_time_utc",
  "pipeline_job_schedule_time_utc",
  "pipeline_root",
  "pipeline_task_name",
  "pipeline_task_uuid",
];

describe("kfpResourceName", () => {
  it("is the pipeline name, a dash and 5 characters of Kubernetes' name alphabet, stable per run", () => {
    const a = kfpResourceName("pipeline-with-placeholders", "run-1");
    expect(a).toMatch(new RegExp(`^pipeline-with-placeholders-${K8S_SUFFIX}$`));
    expect(kfpResourceName("pipeline-with-placeholders", "run-1")).toBe(a);
    const suffixes = new Set(Array.from({ length: 20 }, (_, i) => kfpResourceName("p", `run-${i}`)));
    expect(suffixes.size).toBeGreaterThan(15);
  });

  it("cuts the prefix to 58 characters as Kubernetes does, and keeps the last '/' part of the name", () => {
    const long = kfpResourceName("a".repeat(80), "r");
    expect(long).toMatch(new RegExp(`^a{58}${K8S_SUFFIX}$`));
    expect(long).toHaveLength(63);
    expect(kfpResourceName("projects/x/My Pipeline_v2", "r")).toMatch(new RegExp(`^my-pipeline-v2-${K8S_SUFFIX}$`));
  });

  it("prints times as RFC 3339 in whole seconds, in UTC", () => {
    expect(utcSeconds(Date.UTC(2026, 0, 2, 3, 4, 5, 678))).toBe("2026-01-02T03:04:05Z");
  });
});

describe("runtime placeholders in a run", () => {
  it("gives every run-level placeholder its KFP form, in constants and on the command line alike", async () => {
    const inputs = Object.fromEntries(RUNTIME.map((k) => [k, from.constant(`{{$.${k}}}`)]));
    const echoInputs = RUNTIME.map((k) => `${k}={{$.inputs.parameters['${k}']}}`).join("\\n");
    const echoCommand = RUNTIME.map((k) => `${k}={{$.${k}}}`).join("\\n");
    const b = new IrBuilder("pipeline-with-placeholders")
      .sh("print-all", `printf '${echoInputs}\\n---\\n${echoCommand}\\noutput_file={{$.outputs.output_file}}\\n'`, {
        in: Object.fromEntries(RUNTIME.map((k) => [k, "STRING" as const])),
      })
      .root({ "print-all": task("print-all", { inputs: { parameters: inputs } }) });
    const s = await env.engine.startRun({ pipeline: b.build(), runName: "my run", enableCache: false }).done;
    ok(s);
    const run = env.store.runs.get(s.runId);
    const t = byPath(s, "root/print-all");
    const [fromInputs = "", fromCommand = ""] = logOf(t?.logPath).split("---\n");
    const values = (text: string) =>
      Object.fromEntries(
        text
          .trim()
          .split("\n")
          .map((l) => l.split(/=(.*)/s, 2)),
      );
    const expected = {
      pipeline_job_name: "my run",
      pipeline_job_uuid: s.runId,
      pipeline_job_resource_name: kfpResourceName("pipeline-with-placeholders", s.runId),
      pipeline_job_create_time_utc: utcSeconds(run?.createdAt ?? 0),
      pipeline_job_schedule_time_utc: utcSeconds(run?.scheduledAt ?? 0),
      pipeline_root: path.join(env.home, "artifacts"),
      pipeline_task_name: "print-all",
      pipeline_task_uuid: t?.id,
    };
    expect(values(fromInputs)).toEqual(expected);
    const cmd = values(fromCommand);
    expect(cmd.output_file).toMatch(/executor_output\.json$/);
    delete cmd.output_file;
    expect(cmd).toEqual(expected);
    expect(expected.pipeline_job_resource_name).toMatch(new RegExp(`^pipeline-with-placeholders-${K8S_SUFFIX}$`));
    expect(expected.pipeline_job_create_time_utc).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it("names the run by its resource name in a task's final status", async () => {
    const b = new IrBuilder("final-status")
      .sh("work", "true")
      .sh("report", "printf '%s' '{{$.inputs.parameters['status']}}'", { in: { status: "TASK_FINAL_STATUS" } })
      .root({
        work: task("work"),
        report: task("report", {
          dependentTasks: ["work"],
          triggerPolicy: { strategy: "ALL_UPSTREAM_TASKS_COMPLETED" },
          inputs: { parameters: { status: { taskFinalStatus: { producerTask: "work" } } } },
        }),
      });
    const s = await env.engine.startRun({ pipeline: b.build(), enableCache: false }).done;
    ok(s);
    const status = JSON.parse(logOf(byPath(s, "root/report")?.logPath));
    expect(status.pipelineJobResourceName).toBe(kfpResourceName("final-status", s.runId));
    expect(status.pipelineTaskName).toBe("work");
  });

  it("keeps the same values when another engine resumes the run", async () => {
    const marker = path.join(env.home, "second-try");
    const b = new IrBuilder("resumed")
      .sh("flaky", `echo {{$.inputs.parameters['name']}} {{$.pipeline_job_create_time_utc}}; test -e ${marker}`, {
        in: { name: "STRING" },
      })
      .root({
        flaky: task("flaky", { inputs: { parameters: { name: from.constant("{{$.pipeline_job_resource_name}}") } } }),
      });
    const first = await env.engine.startRun({ pipeline: b.build(), enableCache: false }).done;
    expect(first.state).toBe("FAILED");
    fs.writeFileSync(marker, "");
    const second = await env.newEngine().resumeRun(first.runId).done;
    ok(second);
    const lines = logOf(byPath(second, "root/flaky")?.logPath)
      .split("\n")
      .filter((l) => l.startsWith("resumed-"));
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe(lines[0]);
    expect(lines[0]?.split(" ")[0]).toBe(kfpResourceName("resumed", first.runId));
  });
});

const corpus = sharedPath("kfp-conformance");

describe.skipIf(!corpus.present)("critical/pipeline_with_placeholders.yaml", () => {
  it("passes the component's own checks on the values it is given", async () => {
    const file = path.join(corpus.path, "valid/critical/pipeline_with_placeholders.yaml");
    const pkg = parsePipelineYaml(fs.readFileSync(file, "utf8"), file);
    const exec = pkg.pipelineSpec.deploymentSpec?.executors?.["exec-print-all-placeholders"]?.container;
    if (!exec) throw new Error("the corpus file no longer has exec-print-all-placeholders");
    // The component's own function, run by plain python3 (the host need not have kfp):
    // it raises unless every placeholder was replaced, the task name is the task's and the
    // resource name starts with the pipeline's name.
    const source =
      [...(exec.command ?? []), ...(exec.args ?? [])].find((a) => a.includes("def print_all_placeholders")) ?? "";
    const body = source.replace(/^(import kfp|from kfp.*)$/gm, "");
    expect(body).toContain("assert job_resource_name.startswith");
    exec.command = [
      "python3",
      "-c",
      `import json, sys\n${body}\nprint_all_placeholders(**json.loads(sys.argv[1])["inputs"]["parameterValues"])`,
    ];
    exec.args = ["{{$}}"];
    const s = await env.engine.startRun({ pipeline: pkg, enableCache: false }).done;
    ok(s);
    const t = byPath(s, "root/print-all-placeholders");
    const printed = logOf(t?.logPath).trim().split(", ");
    expect(printed[1]).toBe(kfpResourceName("pipeline-with-placeholders", s.runId));
    expect(printed[2]).toBe(s.runId);
    expect(printed[3]).toBe("print-all-placeholders");
    expect(printed[4]).toBe(t?.id);
  });
});
