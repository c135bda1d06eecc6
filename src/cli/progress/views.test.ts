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
      "  [train] hi",
    ]);
  });

  it("plain view prints task output lines under their task as they come, unless quiet", () => {
    const log = (path: string, line: string, stream: "stdout" | "stderr" = "stdout"): EngineEvent => ({
      type: "log",
      runId: "r1",
      taskId: path,
      path,
      stream,
      line,
    });
    const out = new Capture(false);
    const view = new PlainView(out, plain, () => Date.UTC(2026, 0, 1, 12, 0, 0));
    view.onEvent(task("root/for-loop-1/iteration-0/train", "RUNNING"));
    view.onEvent(log("root/for-loop-1/iteration-0/train", "epoch 1"));
    view.onEvent(log("root/for-loop-1/iteration-0/train", "warning: slow", "stderr"));
    expect(out.text).toBe(
      "12:00:00 for-loop-1/iteration-0/train RUNNING\n  [for-loop-1/iteration-0/train] epoch 1\n  [for-loop-1/iteration-0/train] warning: slow\n",
    );
    const quiet = new Capture(false);
    const quietView = new PlainView(quiet, plain, () => Date.UTC(2026, 0, 1, 12, 0, 0), false);
    quietView.onEvent(task("root/train", "RUNNING"));
    quietView.onEvent(log("root/train", "epoch 1"));
    expect(quiet.text).toBe("12:00:00 train RUNNING\n");
  });

  it("tty view prints task output above the tree and redraws the tree below it", async () => {
    const out = new Capture(true);
    const view = new TtyView(out, plain, "demo r1", () => 10_000);
    view.onEvent(task("root/train", "RUNNING", { startedAt: 10_000 }));
    view.onEvent({
      type: "log",
      runId: "r1",
      taskId: "root/train",
      path: "root/train",
      stream: "stdout",
      line: "\x1b[32mepoch 1\x1b[0m\rdone",
    });
    await new Promise((r) => setTimeout(r, 150)); // the throttled redraw
    const frames = out.text.split("\x1b[0J");
    expect(frames).toHaveLength(2);
    // the task's own escape sequences and carriage returns cannot move the cursor
    expect(stripAnsi(frames[1] ?? "").split("\n")).toEqual([
      "  [train] epoch 1 done",
      "? demo r1  STARTING  0ms",
      "  ◐ train  running  0ms",
      "",
    ]);
    view.finish(summary("SUCCEEDED"));
    // printed once: the next frame redraws only the tree
    expect(stripAnsi(out.text).split("[train] epoch 1").length).toBe(2);
    const quiet = new Capture(true);
    const quietView = new TtyView(quiet, plain, "demo r1", () => 10_000, false);
    quietView.onEvent({ type: "log", runId: "r1", taskId: "root/t", path: "root/t", stream: "stdout", line: "x" });
    quietView.finish(summary("SUCCEEDED"));
    expect(quiet.text).not.toContain("[t]");
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
