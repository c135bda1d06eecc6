/**
 * `weft runs list` and `weft runs get` print through one presentation over a RunSource:
 * the store-backed source and the client-backed source (a real server on 127.0.0.1 over
 * the same store) show the same table, and the remote list carries no pipeline spec.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { storeRunSource } from "../../src/cli/commands/runs-list.ts";
import { clientRunSource } from "../../src/cli/remote/runs-list.ts";
import type { RunSource } from "../../src/cli/run-source.ts";
import { showRun, showRunList } from "../../src/cli/run-views.ts";
import { WeftClient } from "../../src/client/index.ts";
import { sampleSpec } from "../../src/store/index.ts";
import { type Harness, makeHarness } from "../server/harness.ts";

let h: Harness;
let url: string;
let local: RunSource;
let remote: RunSource;
const t0 = Date.parse("2026-01-02T03:04:05Z");

beforeAll(async () => {
  h = makeHarness({ concurrency: 0 });
  url = await h.server.listen(0, "127.0.0.1");
  const fruits = h.store.experiments.create({ name: "fruits" });
  const veg = h.store.experiments.create({ name: "veg" });
  ["apple", "pear", "leek"].forEach((name, i) => {
    const run = h.store.runs.create({
      displayName: `${name}-run`,
      experimentId: (name === "leek" ? veg : fruits).id,
      pipelineSpec: sampleSpec(`${name}-pipeline`),
      parameters: { word: name },
      createdAt: t0 + i * 60_000,
    });
    h.store.runs.updateState(run.id, "RUNNING", { at: t0 + i * 60_000 + 1000 });
    h.store.runs.updateState(run.id, i === 1 ? "FAILED" : "SUCCEEDED", { at: t0 + i * 60_000 + 3500 });
  });
  local = storeRunSource(h.store);
  remote = clientRunSource({ host: url, client: new WeftClient({ host: url }) });
});
afterAll(async () => {
  await h.dispose();
});

/** What `show` wrote to stdout, with its exit code. */
async function printed(show: () => Promise<number>): Promise<{ code: number; out: string }> {
  let out = "";
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    return { code: await show(), out };
  } finally {
    spy.mockRestore();
  }
}

describe("runs list and runs get over a RunSource", () => {
  it("prints the same run table from the store and from the server", async () => {
    for (const opts of [
      { limit: 20 },
      { limit: 1 },
      { limit: 20, state: "failed" },
      { limit: 20, experiment: "veg" },
    ]) {
      const here = await printed(() => showRunList(local, opts));
      const there = await printed(() => showRunList(remote, opts));
      expect(here.code).toBe(0);
      expect(there).toEqual(here);
    }
    const all = (await printed(() => showRunList(local, { limit: 20 }))).out.split("\n");
    expect(all[0]).toMatch(/^RUN ID\s+NAME\s+STATE\s+CREATED\s+DURATION\s+EXPERIMENT/);
    expect(all[1]).toMatch(/leek-run\s+SUCCEEDED\s+\S+ \S+\s+2\.5s\s+veg/);
    expect(all[2]).toMatch(/pear-run\s+FAILED/);
    const one = (await printed(() => showRunList(remote, { limit: 1 }))).out;
    expect(one).toContain("(1 of 3; use --limit to see more)");
  });

  it("lists runs as JSON without their specs, from either source", async () => {
    const here = JSON.parse((await printed(() => showRunList(local, { limit: 20, json: true }))).out);
    const there = JSON.parse((await printed(() => showRunList(remote, { limit: 20, json: true }))).out);
    expect(here.runs.map((r: { id: string }) => r.id)).toEqual(there.runs.map((r: { run_id: string }) => r.run_id));
    expect(there.totalSize).toBe(3);
    for (const r of [...here.runs, ...there.runs]) {
      expect(r).not.toHaveProperty("pipeline_spec");
      expect(r).not.toHaveProperty("pipelineSpec");
      expect(r.metrics).toEqual([]);
    }
  });

  it("shows one run the same way; the remote header names the server", async () => {
    const here = await printed(() => showRun(local, "pear-run", {}));
    const there = await printed(() => showRun(remote, "pear-run", {}));
    expect(here.out).toMatch(/pipeline\s+pear-pipeline/);
    expect(there.out).toMatch(/pipeline\s+pear-pipeline/);
    expect(there.out).toContain(` on ${url}`);
    const lines = (s: string) =>
      s
        .replace(` on ${url}`, "")
        .split("\n")
        .filter((l) => !/^\s+(cache|error)\s/.test(l));
    expect(lines(there.out)).toEqual(lines(here.out));
    expect(here.out).toContain('word="pear"');
  });

  it("says where there are no runs and refuses an unknown experiment or state", async () => {
    await expect(showRunList(local, { limit: 5, experiment: "nope" })).rejects.toThrow(/no experiment "nope"/);
    await expect(showRunList(remote, { limit: 5, experiment: "nope" })).rejects.toThrow(
      new RegExp(`no experiment "nope" on ${url}`),
    );
    await expect(showRunList(remote, { limit: 5, state: "GREEN" })).rejects.toThrow(
      /--state "GREEN" is not a run state/,
    );
    const none = await printed(() => showRunList(remote, { limit: 5, state: "PAUSED" }));
    expect(none.out).toBe(`no runs on ${url}\n`);
  });
});
