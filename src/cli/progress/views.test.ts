import { describe, expect, it } from "vitest";
import type { EngineEvent, RunSummary } from "../../engine/index.ts";
import { colorsFor, stripAnsi } from "../format.ts";
import { JsonView } from "./json-view.ts";
import { PlainView } from "./plain-view.ts";
import { renderSummary } from "./summary.ts";
import { TtyView } from "./tty-view.ts";
import { comparePaths, pathDepth } from "./view.ts";

class Capture {
  text = "";
  isTTY: boolean;
  columns = 100;
  rows = 20;
  constructor(tty: boolean) {
    this.isTTY = tty;
  }
  write(s: string): boolean {
    this.text += s;
    return true;
  }
}

const plain = colorsFor({ isTTY: false });

function task(path: string, state: string, extra: Partial<Extract<EngineEvent, { type: "task" }>> = {}): EngineEvent {
  const name = path.split("/").at(-1) ?? path;
  return {
    type: "task",
    runId: "r1",
    taskId: path,
    path,
    name,
    displayName: name,
    kind: "container",
    state: state as "RUNNING",
    attempt: 1,
    ...extra,
  };
}

function summary(state: RunSummary["state"], tasks: RunSummary["tasks"] = []): RunSummary {
  return {
    runId: "r1",
    state,
    durationMs: 1500,
    tasks,
    metrics: [{ task: "train", name: "accuracy", value: 0.91234567 }],
    outputs: {
      parameters: { rows: 10 },
      artifacts: { model: [{ uri: "file:///x/model", schemaTitle: "system.Model" }] },
    },
    artifactsDir: "/home/.weft/artifacts/r1",
  };
}

describe("progress views", () => {
  it("plain view prints one line per state change, without repeats", () => {
    const out = new Capture(false);
    const view = new PlainView(out, plain, () => Date.UTC(2026, 0, 1, 12, 0, 0));
    view.onEvent({ type: "run", runId: "r1", state: "RUNNING", at: Date.UTC(2026, 0, 1, 12, 0, 0) });
    view.onEvent(task("root/train", "RUNNING", { startedAt: 1000 }));
    view.onEvent(task("root/train", "RUNNING", { startedAt: 1000 }));
    view.onEvent(task("root/train", "RUNNING", { attempt: 2, startedAt: 3000 }));
    view.onEvent(task("root/train", "SUCCEEDED", { attempt: 2, finishedAt: 4500 }));
    view.onEvent(task("root/prep", "CACHED", { cached: true }));
    view.onEvent(task("root/loop", "RUNNING", { kind: "loop" }));
    view.onEvent(task("root/loop", "SUCCEEDED", { kind: "loop" }));
    view.onEvent(task("root/when", "SKIPPED", { kind: "condition" }));
    view.onEvent({ type: "log", runId: "r1", taskId: "root/train", path: "root/train", stream: "stdout", line: "hi" });
    expect(out.text.split("\n").filter(Boolean)).toEqual([
      "12:00:00 run r1 RUNNING",
      "12:00:00 train RUNNING",
      "12:00:00 train RUNNING attempt 2",
      "12:00:00 train SUCCEEDED attempt 2 1.5s",
      "12:00:00 prep CACHED",
      "12:00:00 when SKIPPED",
    ]);
  });

  it("tty view draws a tree in place and folds finished tasks to fit the terminal", async () => {
    const out = new Capture(true);
    let now = 10_000;
    const view = new TtyView(out, plain, "demo r1", () => now);
    view.onEvent(task("root/prep", "SUCCEEDED", { startedAt: 10_000, finishedAt: 11_000 }));
    view.onEvent(task("root/for-loop-1", "RUNNING", { kind: "loop" }));
    view.onEvent(task("root/for-loop-1/iteration-10", "RUNNING", { kind: "iteration" }));
    view.onEvent(task("root/for-loop-1/iteration-2", "RUNNING", { kind: "iteration" }));
    view.onEvent(task("root/for-loop-1/iteration-2/train", "RUNNING", { startedAt: 10_000, attempt: 3 }));
    view.onEvent(task("root/cached-one", "CACHED", { cached: true }));
    now = 12_500;
    const frame = view.render().map(stripAnsi);
    expect(frame[0]).toBe("? demo r1  STARTING  2.5s");
    expect(frame.slice(1)).toEqual([
      "  ✔ cached-one  cached  cached",
      "  ◐ for-loop-1  running",
      "    ◐ iteration-2  running",
      "      ◐ train  running  2.5s  retry 2",
      "    ◐ iteration-10  running",
      "  ✔ prep  succeeded  1.0s",
    ]);
    for (let i = 0; i < 40; i++) view.onEvent(task(`root/many-${i}`, i < 30 ? "SUCCEEDED" : "PENDING"));
    const folded = view.render().map(stripAnsi);
    expect(folded.length).toBeLessThanOrEqual(out.rows);
    expect(folded.at(-1)).toBe("  … and 1 cached, 31 succeeded, 10 pending");
    // running leaves stay visible with the groups they sit in; idle groups fold away
    expect(folded.slice(1, -1)).toEqual([
      "  ◐ for-loop-1  running",
      "    ◐ iteration-2  running",
      "      ◐ train  running  2.5s  retry 2",
    ]);
    await new Promise((r) => setTimeout(r, 150)); // the throttled redraw
    const ESC = "\x1b";
    expect(out.text.split(`${ESC}[0J`)).toHaveLength(2);
    view.finish(summary("SUCCEEDED"));
    expect(out.text).toContain("\x1b[?25l");
    expect(out.text).toMatch(new RegExp(`${ESC}\\[\\d+F${ESC}\\[0J`));
    expect(out.text).toContain("\x1b[?25h");
    expect(stripAnsi(out.text)).toContain("Run r1 SUCCEEDED in 1.5s");
  });

  it("json view prints events and a final summary line", () => {
    const out = new Capture(false);
    const view = new JsonView(out);
    view.onEvent(task("root/a", "RUNNING"));
    view.finish(summary("FAILED"));
    const lines = out.text
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ type: "task", path: "root/a", state: "RUNNING" });
    expect(lines[1]).toMatchObject({ type: "summary", runId: "r1", state: "FAILED", durationMs: 1500 });
  });

  it("summary shows metrics, outputs, artifacts and the failing task's stderr tail", () => {
    const text = renderSummary(
      summary("FAILED", [
        {
          id: "t1",
          path: "root/train",
          name: "train",
          displayName: "train",
          kind: "container",
          state: "FAILED",
          attempt: 2,
          cached: false,
          error: "exited with code 3",
          stderrTail: [...Array.from({ length: 25 }, (_, i) => `e${i + 1}`), "x".repeat(1000)],
        },
      ]),
      plain,
    );
    expect(text).toContain("Run r1 FAILED in 1.5s");
    expect(text).toContain("Tasks: 1 failed");
    expect(text).toMatch(/train\s+accuracy\s+0\.912346/);
    expect(text).toMatch(/rows\s+10/);
    expect(text).toMatch(/model\s+system\.Model\s+file:\/\/\/x\/model/);
    expect(text).toContain("Artifacts: /home/.weft/artifacts/r1");
    expect(text).toContain("Task train (root/train) failed after 2 attempt(s)");
    expect(text).toContain("last 20 line(s) of stderr:");
    expect(text).toContain("| e25");
    expect(text).toContain("| e7\n");
    expect(text).not.toContain("| e6\n");
    expect(text).toContain(`| ${"x".repeat(400)}… (1000 chars)`);
  });

  it("orders paths naturally and measures depth", () => {
    expect(["root/l/iteration-10", "root/l/iteration-2", "root/a"].sort(comparePaths)).toEqual([
      "root/a",
      "root/l/iteration-2",
      "root/l/iteration-10",
    ]);
    expect(pathDepth("root/a")).toBe(0);
    expect(pathDepth("root/l/iteration-1/a")).toBe(2);
  });
});
