import { afterAll, describe, expect, it } from "vitest";
import { abortSubscribers, onAbort } from "../../src/engine/abort.ts";
import type { PipelineTaskSpec } from "../../src/ir/index.ts";
import { makeEnv } from "./helpers.ts";
import { IrBuilder, task } from "./ir-builder.ts";

const env = makeEnv();
afterAll(() => env.close());

/** Collects the process warnings emitted while `fn` runs (and shortly after). */
async function warningsDuring(fn: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const listener = (w: Error): void => {
    seen.push(`${w.name}: ${w.message}`);
  };
  process.on("warning", listener);
  try {
    await fn();
    await new Promise((r) => setTimeout(r, 50)); // warnings are emitted on a later tick
  } finally {
    process.off("warning", listener);
  }
  return seen;
}

function wide(n: number, script: string) {
  const tasks: Record<string, PipelineTaskSpec> = {};
  for (let i = 0; i < n; i++) tasks[`t${i}`] = task("work", { name: `t${i}` });
  return new IrBuilder(`wide-${n}`).sh("work", script).root(tasks).build();
}

describe("abort listeners", () => {
  it("calls each subscriber once on abort, and not after it unsubscribed", () => {
    const ac = new AbortController();
    const calls: string[] = [];
    onAbort(ac.signal, () => calls.push("a"));
    const off = onAbort(ac.signal, () => calls.push("b"));
    expect(abortSubscribers(ac.signal)).toBe(2);
    off();
    ac.abort();
    ac.abort();
    expect(calls).toEqual(["a"]);
    expect(abortSubscribers(ac.signal)).toBe(0);
    onAbort(ac.signal, () => calls.push("late"));
    expect(calls).toEqual(["a", "late"]);
  });

  it("runs 40 tasks at once and 40 queued behind maxParallel without a MaxListenersExceededWarning", async () => {
    const running = await warningsDuring(async () => {
      const engine = env.newEngine({ maxParallel: 40 });
      const s = await engine.startRun({ pipeline: wide(40, "sleep 0.2"), enableCache: false }).done;
      expect(s.state).toBe("SUCCEEDED");
      expect(s.tasks.filter((t) => t.state === "SUCCEEDED")).toHaveLength(40);
    });
    const queued = await warningsDuring(async () => {
      const engine = env.newEngine({ maxParallel: 2 });
      const s = await engine.startRun({ pipeline: wide(40, "true"), enableCache: false }).done;
      expect(s.state).toBe("SUCCEEDED");
    });
    expect([...running, ...queued].filter((w) => w.includes("MaxListenersExceeded"))).toEqual([]);
  });

  it("still cancels every running and queued task of a wide run", async () => {
    const engine = env.newEngine({ maxParallel: 20 });
    const warnings = await warningsDuring(async () => {
      const h = engine.startRun({ pipeline: wide(40, "sleep 30"), enableCache: false });
      await new Promise((r) => setTimeout(r, 800));
      h.cancel();
      const s = await h.done;
      expect(s.state).toBe("CANCELED");
      expect(s.tasks.every((t) => t.state === "CANCELED" || t.state === "SKIPPED")).toBe(true);
    });
    expect(warnings.filter((w) => w.includes("MaxListenersExceeded"))).toEqual([]);
  });
});
