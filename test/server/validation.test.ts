/**
 * The API refuses pipelines with unsafe names, negative retry counts, mistyped defaults
 * and components that run themselves: 400 naming the IR path, and nothing stored. Talks
 * to a real server listening on 127.0.0.1.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { listeningHarnessPerTest } from "./harness.ts";

const API = "/apis/v2beta1";

/** A one-task pipeline, with `edit` applied. */
function spec(edit: (s: { components: Record<string, unknown>; root: Record<string, unknown> }) => void = () => {}) {
  const s = {
    pipelineInfo: { name: "checked" },
    schemaVersion: "2.1.0",
    deploymentSpec: { executors: { "exec-a": { container: { image: "alpine", command: ["echo", "a"] } } } },
    components: { "comp-a": { executorLabel: "exec-a" } } as Record<string, unknown>,
    root: {
      inputDefinitions: { parameters: { n: { parameterType: "NUMBER_INTEGER", defaultValue: 1 } } },
      dag: { tasks: { a: { taskInfo: { name: "a" }, componentRef: { name: "comp-a" } } } as Record<string, unknown> },
    } as Record<string, unknown>,
  };
  edit(s);
  return s;
}

const CASES: [string, ReturnType<typeof spec>, string][] = [
  [
    "a task name with '../'",
    spec((s) => {
      (s.root.dag as { tasks: Record<string, unknown> }).tasks["../x"] = {
        taskInfo: { name: "x" },
        componentRef: { name: "comp-a" },
      };
    }),
    "root.dag.tasks['../x']: task name contains '/'",
  ],
  [
    "a negative retry count",
    spec((s) => {
      (s.root.dag as { tasks: Record<string, Record<string, unknown>> }).tasks.a = {
        taskInfo: { name: "a" },
        componentRef: { name: "comp-a" },
        retryPolicy: { maxRetryCount: -1 },
      };
    }),
    "root.dag.tasks.a.retryPolicy.maxRetryCount: is -1",
  ],
  [
    "a mistyped default",
    spec((s) => {
      s.root.inputDefinitions = { parameters: { n: { parameterType: "NUMBER_INTEGER", defaultValue: "one" } } };
    }),
    "root.inputDefinitions.parameters.n.defaultValue: expected an integer (NUMBER_INTEGER)",
  ],
  [
    "a component that runs itself",
    spec((s) => {
      s.components["comp-self"] = {
        dag: { tasks: { again: { taskInfo: { name: "again" }, componentRef: { name: "comp-self" } } } },
      };
    }),
    "components.comp-self: component 'comp-self' runs itself",
  ],
];

describe("the API validates pipelines before storing them", () => {
  const server = listeningHarnessPerTest({ concurrency: 0 });

  async function post(url: string, body: BodyInit, headers: Record<string, string>) {
    const res = await fetch(`${server.base}${url}`, { method: "POST", body, headers });
    return { status: res.status, body: (await res.json()) as { message?: string } };
  }

  function nothingStored(): void {
    expect(server.h.store.runs.list().totalSize).toBe(0);
    expect(server.h.store.pipelines.list().totalSize).toBe(0);
    const files = readdirSync(server.h.home, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && !e.name.startsWith("weft.db"))
      .map((e) => join(e.parentPath, e.name));
    expect(files).toEqual([]);
  }

  it.each(CASES)("refuses a run with %s (400, no run)", async (_what, pipeline, expected) => {
    const res = await post(`${API}/runs`, JSON.stringify({ display_name: "r", pipeline_spec: pipeline }), {
      "content-type": "application/json",
    });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain(`run.pipeline_spec: ${expected}`);
    nothingStored();
  });

  it.each(CASES)("refuses an uploaded pipeline with %s (400, no pipeline)", async (_what, pipeline, expected) => {
    const form = new FormData();
    form.append("uploadfile", new Blob([stringify(pipeline)], { type: "application/x-yaml" }), "bad.yaml");
    const res = await fetch(`${server.base}${API}/pipelines/upload`, { method: "POST", body: form });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toContain(`bad.yaml: ${expected}`);
    nothingStored();
  });

  it("accepts the same pipeline without the fault", async () => {
    const res = await post(`${API}/runs`, JSON.stringify({ display_name: "r", pipeline_spec: spec() }), {
      "content-type": "application/json",
    });
    expect(res.status).toBe(200);
    expect(server.h.store.runs.list().totalSize).toBe(1);
  });
});
