import { describe, expect, it } from "vitest";
import type { DagNode } from "../dag/model.ts";
import { firstErrorLine } from "./log-view.tsx";
import { displayMessage, firstFailedTask, statusInfo } from "./run-error.tsx";

const node = (id: string, state: string, children: DagNode[] = []): DagNode => ({
  id,
  name: id,
  label: id,
  kind: children.length ? "dag" : "container",
  state,
  path: `root/${id}`,
  attempt: 1,
  cached: false,
  ghost: false,
  children,
});

describe("run and task errors in the UI", () => {
  it("reads the code and action from a run's weft.ErrorInfo detail", () => {
    expect(
      statusInfo({
        code: 2,
        message: "task 'root/a' exited with 1",
        details: [
          { "@type": "type.googleapis.com/weft.ErrorInfo", reason: "TASK_FAILED", metadata: { action: "retry it" } },
        ],
      }),
    ).toEqual({ code: "TASK_FAILED", action: "retry it" });
    expect(statusInfo({ message: "old record" })).toEqual({});
    expect(statusInfo(undefined)).toEqual({});
  });

  it("leaves the server's log path out of messages recorded before it was dropped", () => {
    expect(displayMessage("task 'root/a' exited with 1; see its log /home/me/.weft/logs/r/a.log")).toBe(
      "task 'root/a' exited with 1",
    );
    expect(displayMessage("task 'root/a' timed out")).toBe("task 'root/a' timed out");
    expect(displayMessage(undefined)).toBe("");
  });

  it("finds the first failed task with a process, inside groups first", () => {
    const roots = [
      node("prep", "SUCCEEDED"),
      node("for-loop-1", "FAILED", [node("iteration-0", "FAILED", [node("train", "FAILED")])]),
      node("late", "FAILED"),
    ];
    expect(firstFailedTask(roots)?.id).toBe("train");
    expect(firstFailedTask([node("a", "SKIPPED")])).toBeUndefined();
  });

  it("finds a log's first error line", () => {
    expect(firstErrorLine(["loading", "epoch 1", "Error: no label column", "TypeError: x"])).toBe(2);
    expect(firstErrorLine(["Traceback (most recent call last):"])).toBe(0);
    expect(firstErrorLine(["0 errors found", "done"])).toBe(-1);
  });
});
