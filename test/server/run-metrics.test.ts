/**
 * Run metrics over HTTP: a runs page carries each run's metrics, and `sort_by` and
 * `filter` take `metric:NAME` (answered by the store in SQL).
 */
import { describe, expect, it } from "vitest";
import { sampleSpec } from "../../src/store/index.ts";
import { listeningHarnessPerTest } from "./harness.ts";

const API = "/apis/v2beta1";
const l = listeningHarnessPerTest();

/** Seeds runs `r0`, `r1`, ... with `evaluate.f1` (none where undefined). */
function seed(values: Array<number | undefined>): void {
  const { store } = l.h;
  values.forEach((v, i) => {
    const run = store.runs.create({ displayName: `r${i}`, pipelineSpec: sampleSpec() });
    const task = store.tasks.upsert({ runId: run.id, path: "root/evaluate", name: "evaluate", kind: "container" });
    const rows = [{ runId: run.id, taskId: task.id, name: "evaluate.loss", value: 1 - i }];
    if (v !== undefined) rows.push({ runId: run.id, taskId: task.id, name: "evaluate.f1", value: v });
    store.metrics.recordMany([], rows);
  });
}

async function get(query: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${l.base}${API}/runs?${query}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

type Listed = { display_name: string; metrics: Array<{ name: string; number_value: number }> };
const names = (body: Record<string, unknown>) => ((body.runs ?? []) as Listed[]).map((r) => r.display_name);

describe("runs by metric", () => {
  it("lists each run with its metrics in the page", async () => {
    seed([0.5, undefined]);
    const { body } = await get("sort_by=display_name");
    const runs = body.runs as Listed[];
    expect(runs[0]?.metrics).toEqual([
      { name: "evaluate.f1", number_value: 0.5 },
      { name: "evaluate.loss", number_value: 1 },
    ]);
    expect(runs[1]?.metrics).toEqual([{ name: "evaluate.loss", number_value: 0 }]);
    // a run's GET says the same
    const one = await fetch(`${l.base}${API}/runs/${(runs[0] as unknown as { run_id: string }).run_id}`);
    expect(((await one.json()) as Listed).metrics).toEqual(runs[0]?.metrics);
  });

  it("sorts by a metric, highest first, runs without it last; pages follow the order", async () => {
    seed([0.7, 0.9, undefined, 0.8]);
    expect(names((await get(`sort_by=${encodeURIComponent("metric:evaluate.f1 desc")}`)).body)).toEqual([
      "r1",
      "r3",
      "r0",
      "r2",
    ]);
    expect(names((await get(`sort_by=${encodeURIComponent("metric:evaluate.f1")}`)).body)).toEqual([
      "r2",
      "r0",
      "r3",
      "r1",
    ]);
    const first = await get(`page_size=3&sort_by=${encodeURIComponent("metric:evaluate.f1 desc")}`);
    expect(names(first.body)).toEqual(["r1", "r3", "r0"]);
    const rest = await get(
      `page_size=3&sort_by=${encodeURIComponent("metric:evaluate.f1 desc")}&page_token=${first.body.next_page_token}`,
    );
    expect(names(rest.body)).toEqual(["r2"]);
  });

  it("filters by a metric with numeric operations", async () => {
    seed([0.7, 0.9, undefined, 0.8]);
    const filter = (p: object) =>
      `filter=${encodeURIComponent(JSON.stringify({ predicates: [p] }))}&sort_by=display_name`;
    const ge = await get(filter({ key: "metric:evaluate.f1", operation: "GREATER_THAN_EQUALS", double_value: 0.75 }));
    expect(names(ge.body)).toEqual(["r1", "r3"]);
    expect(ge.body.total_size).toBe(2);
    const lt = await get(filter({ key: "metric:evaluate.f1", operation: "LESS_THAN", string_value: "0.8" }));
    expect(names(lt.body)).toEqual(["r0"]);
    const bad = await get(filter({ key: "metric:evaluate.f1", operation: "LESS_THAN", string_value: "high" }));
    expect(bad.status).toBe(400);
    expect(String(bad.body.message)).toContain("metric:evaluate.f1");
    const unknown = await get("sort_by=f1");
    expect(unknown.status).toBe(400);
    expect(String(unknown.body.message)).toContain("metric:NAME");
  });
});
