import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WeftClient } from "../../src/client/index.ts";
import { type Harness, makeHarness } from "./harness.ts";

/** Two tasks: `write` produces a Dataset artifact and logs; `read` consumes it. */
const SPEC = {
  pipelineInfo: { name: "artifact-pair" },
  schemaVersion: "2.1.0",
  sdkVersion: "kfp-2.14.6",
  root: {
    dag: {
      tasks: {
        write: { taskInfo: { name: "write" }, componentRef: { name: "comp-write" } },
        read: {
          taskInfo: { name: "read" },
          componentRef: { name: "comp-read" },
          dependentTasks: ["write"],
          inputs: { artifacts: { data: { taskOutputArtifact: { producerTask: "write", outputArtifactKey: "out" } } } },
        },
      },
    },
  },
  components: {
    "comp-write": {
      executorLabel: "exec-write",
      outputDefinitions: {
        artifacts: { out: { artifactType: { schemaTitle: "system.Dataset", schemaVersion: "0.0.1" } } },
      },
    },
    "comp-read": {
      executorLabel: "exec-read",
      inputDefinitions: {
        artifacts: { data: { artifactType: { schemaTitle: "system.Dataset", schemaVersion: "0.0.1" } } },
      },
    },
  },
  deploymentSpec: {
    executors: {
      "exec-write": {
        container: {
          image: "busybox",
          command: [
            "sh",
            "-c",
            'echo line-one; echo line-two; mkdir -p "$(dirname "$0")"; printf "a,b\\n1,2\\n" > "$0"',
          ],
          args: ["{{$.outputs.artifacts['out'].path}}"],
        },
      },
      "exec-read": {
        container: {
          image: "busybox",
          command: ["sh", "-c", 'cat "$0"'],
          args: ["{{$.inputs.artifacts['data'].path}}"],
        },
      },
    },
  },
};

let h: Harness;
let client: WeftClient;
let runId: string;

beforeAll(async () => {
  h = makeHarness({ concurrency: 1 });
  client = new WeftClient({ host: await h.server.listen(0) });
  const run = await client.createRun({ displayName: "artifacts", pipeline: SPEC as never });
  runId = run.run_id;
  const done = await client.waitForRunCompletion(runId, { timeoutMs: 60_000, pollIntervalMs: 100 });
  expect(done.state, JSON.stringify(done.error)).toBe("SUCCEEDED");
});
afterAll(async () => {
  await h.dispose();
});

describe("Weft extension endpoints", () => {
  it("serves the graph with an edge from producer to consumer", async () => {
    const graph = await client.weft.runGraph(runId);
    const write = graph.nodes.find((n) => n.name === "write");
    const read = graph.nodes.find((n) => n.name === "read");
    expect(graph.edges).toContainEqual({ from: write?.task_id, to: read?.task_id });
  });

  it("serves task logs by id and by path", async () => {
    const byPath = await client.weft.taskLogs(runId, "root/write");
    expect(byPath).toEqual(expect.arrayContaining(["line-one", "line-two"]));
    expect(await client.weft.taskLogs(runId, "root/write", 1)).toHaveLength(1);
  });

  it("downloads an artifact, lists its lineage, and refuses paths outside the store", async () => {
    const artifacts = await client.weft.runArtifacts(runId);
    const out = artifacts.find((a) => a.name === "out");
    expect(out).toBeDefined();
    const id = String(out?.artifact_id);
    expect(new TextDecoder().decode(await client.weft.downloadArtifact(id))).toBe("a,b\n1,2\n");
    const lineage = await client.weft.artifactLineage(id);
    expect(lineage).toMatchObject({ producer: { task: "root/write" } });
    expect((lineage.consumers as { task: string }[]).map((c) => c.task)).toContain("root/read");

    const base = `/apis/weft/v1/artifacts/${id}/content?path=`;
    for (const evil of ["../../../../etc/passwd", "/etc/passwd", "../../../../../../../../../etc/hosts"]) {
      const res = await h.server.app.inject({ method: "GET", url: base + encodeURIComponent(evil) });
      expect(res.statusCode, `${evil}: ${res.body}`).toBe(400);
    }
    // a doubly encoded name is a literal file name inside the artifact: not found, nothing leaks
    const encoded = await h.server.app.inject({
      method: "GET",
      url: base + encodeURIComponent("..%2f..%2fetc%2fpasswd"),
    });
    expect(encoded.statusCode).toBe(404);
    const outside = h.store.artifacts.create({
      runId,
      taskId: String(out?.task_id),
      name: "evil",
      uri: "file:///etc/passwd",
      schemaTitle: "system.Artifact",
    });
    const res = await h.server.app.inject({ method: "GET", url: `/apis/weft/v1/artifacts/${outside.id}/content` });
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body).message).toMatch(/outside the artifact store/);
  });

  it("serves run metrics and the run lineage", async () => {
    const task = (await client.weft.runGraph(runId)).nodes.find((n) => n.name === "read");
    h.store.metrics.recordMany([{ runId, taskId: task?.task_id ?? "", name: "accuracy", value: 0.93 }]);
    expect(await client.weft.runMetrics(runId)).toEqual([
      { task_id: task?.task_id, task: "root/read", task_label: "read", name: "accuracy", value: 0.93 },
    ]);
    const lineage = await client.http.request<{ events: { type: string }[] }>(
      "GET",
      `/apis/weft/v1/runs/${runId}/lineage`,
    );
    expect(lineage.events.map((e) => e.type).sort()).toEqual(["INPUT", "OUTPUT"]);
  });

  it("streams a running task's log live over Server-Sent Events", async () => {
    const slow = {
      pipelineInfo: { name: "slow-log" },
      schemaVersion: "2.1.0",
      root: { dag: { tasks: { talk: { taskInfo: { name: "talk" }, componentRef: { name: "comp-talk" } } } } },
      components: { "comp-talk": { executorLabel: "exec-talk" } },
      deploymentSpec: {
        executors: {
          "exec-talk": { container: { image: "busybox", command: ["sh", "-c", "echo first; sleep 1.5; echo second"] } },
        },
      },
    };
    const run = await client.createRun({ displayName: "live", pipeline: slow as never });
    const deadline = Date.now() + 30_000;
    let taskId: string | undefined;
    while (!taskId && Date.now() < deadline) {
      taskId = (await client.weft.runGraph(run.run_id)).nodes.find(
        (n) => n.name === "talk" && n.state === "RUNNING",
      )?.task_id;
      if (!taskId) await new Promise((r) => setTimeout(r, 50));
    }
    expect(taskId).toBeDefined();
    const seen: { event: string; at: number }[] = [];
    for await (const e of client.weft.followTaskLogs(run.run_id, taskId ?? "")) {
      seen.push({ event: e.type === "log" ? e.line : `end:${e.state}`, at: Date.now() });
    }
    expect(seen.map((s) => s.event)).toEqual(["first", "second", "end:SUCCEEDED"]);
    const first = seen[0]?.at ?? 0;
    const second = seen[1]?.at ?? 0;
    expect(second - first).toBeGreaterThan(700); // "first" arrived while the task was still running
  });
});
