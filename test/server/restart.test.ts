import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { corpusFile, makeHarness, multipartBody, SHARED_CORPUS } from "./harness.ts";

const API = "/apis/v2beta1";
let home: string | undefined;

afterEach(() => {
  if (home) rmSync(home, { recursive: true, force: true });
  home = undefined;
});

async function waitFor<T>(fn: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(!SHARED_CORPUS.present)("server restart", () => {
  it("executes runs queued before the restart and marks runs whose process died", async () => {
    home = mkdtempSync(join(tmpdir(), "weft-restart-"));
    // first server: execution paused, so the runs stay queued (PENDING) when it stops
    const first = makeHarness({ concurrency: 0 }, home);
    const { body, contentType } = multipartBody(
      "uploadfile",
      "p.yaml",
      corpusFile("valid/essential/container_no_input.yaml"),
    );
    const up = await first.server.app.inject({
      method: "POST",
      url: `${API}/pipelines/upload?name=hello`,
      payload: body,
      headers: { "content-type": contentType },
    });
    const pipelineId = JSON.parse(up.body).pipeline_id;
    const queued: string[] = [];
    for (const name of ["q1", "q2", "q3"]) {
      const res = await first.server.app.inject({
        method: "POST",
        url: `${API}/runs`,
        payload: { display_name: name, pipeline_version_reference: { pipeline_id: pipelineId } },
      });
      queued.push(JSON.parse(res.body).run_id);
    }
    // a run that was RUNNING in a process that has since died
    const dead = spawnSync(process.execPath, ["-e", "process.pid"]).pid ?? 999_999;
    const spec = first.store.pipelines.listVersions().items[0]?.spec;
    if (!spec) throw new Error("no version");
    const orphan = first.store.runs.create({ displayName: "orphan", pipelineSpec: spec });
    first.store.runs.setOwner(orphan.id, dead, hostname());
    first.store.runs.updateState(orphan.id, "RUNNING");
    await first.dispose();

    const second = makeHarness({ concurrency: 2 }, home);
    try {
      second.server.start();
      for (const id of queued) {
        const state = await waitFor(() => {
          const s = second.store.runs.get(id)?.state;
          return s === "SUCCEEDED" || s === "FAILED" || s === "CANCELED" ? s : undefined;
        });
        expect(state).toBe("SUCCEEDED");
      }
      const recovered = second.store.runs.get(orphan.id);
      expect(recovered?.state).toBe("FAILED");
      expect(recovered?.error?.code).toBe("OWNER_DIED");
      // nothing was lost or duplicated
      expect(second.store.runs.list({ pageSize: 100 }).totalSize).toBe(4);
    } finally {
      await second.dispose();
    }
  });
});
