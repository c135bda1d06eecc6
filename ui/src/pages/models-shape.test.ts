import { describe, expect, it } from "vitest";
import { type ModelVersionRecord, versionRecordFromWire, type WireVersion } from "../api/models.ts";
import { aliasBadges, bestInColumn, historyRows, latestVersion, versionTable } from "./models-shape.ts";

const rec = (version: string, metrics: Record<string, number>): ModelVersionRecord =>
  versionRecordFromWire({ name: "m", version: Number(version), metrics, stage: "None" } as WireVersion);

describe("model list and page data", () => {
  it("the latest version is the highest of the latest per stage (numbers, not strings)", () => {
    expect(
      latestVersion({
        latest_versions: [
          { name: "m", version: "9" },
          { name: "m", version: "10" },
        ],
      }),
    ).toBe("10");
    expect(latestVersion({})).toBeUndefined();
  });

  it("alias badges: champion, then challenger, then the rest by name", () => {
    expect(
      aliasBadges([
        { alias: "zeta", version: "1" },
        { alias: "challenger", version: "3" },
        { alias: "beta", version: "2" },
        { alias: "champion", version: "2" },
      ]).map((a) => a.alias),
    ).toEqual(["champion", "challenger", "beta", "zeta"]);
  });

  it("versions newest first with one column per metric, and the best value of each column", () => {
    const { columns, rows } = versionTable(
      { aliases: [{ alias: "champion", version: "1" }] },
      [
        { name: "m", version: "1", status: "READY", current_stage: "Production", run_id: "r1" },
        { name: "m", version: "2", status: "READY", aliases: ["challenger"], run_id: "task-9" },
        { name: "m", version: "10", status: "FAILED_REGISTRATION" },
      ],
      new Map([
        ["1", rec("1", { roc_auc: 0.9, val_loss: 0.3 })],
        [
          "2",
          versionRecordFromWire({
            ...(rec("2", {}) as unknown as WireVersion),
            name: "m",
            version: 2,
            stage: "None",
            metrics: { roc_auc: 0.95, val_loss: 0.35, f1: 0.7 },
            lineage: {
              run: { run_id: "run-2", display_name: "seed 2" },
              task: { task_id: "task-9", name: "train" },
              pipeline_version: null,
              datasets: [],
              upstream: [],
            },
          } as WireVersion),
        ],
      ]),
    );
    expect(columns).toEqual(["f1", "roc_auc", "val_loss"]);
    expect(rows.map((r) => [r.version, r.stage, r.aliases, r.metrics])).toEqual([
      ["10", "None", [], [undefined, undefined, undefined]],
      ["2", "None", ["challenger"], [0.7, 0.95, 0.35]],
      ["1", "Production", ["champion"], [undefined, 0.9, 0.3]],
    ]);
    // a version registered from a task names the task's MLflow run; the row links the Weft run
    expect(rows.map((r) => [r.runId, r.runName])).toEqual([
      [undefined, undefined],
      ["run-2", "seed 2"],
      [undefined, undefined],
    ]);
    // higher is better, except for a loss
    expect(bestInColumn(columns, rows).map((s) => [...s])).toEqual([["2"], ["2"], ["1"]]);
  });

  it("alias history newest first (moves within one millisecond too), each move named set, moved or deleted", () => {
    expect(
      historyRows([
        { alias: "champion", from: undefined, to: "1", movedBy: "a", movedAt: 1 },
        { alias: "champion", from: "1", to: "2", movedBy: "b", movedAt: 1 },
        { alias: "champion", from: "2", to: undefined, movedBy: "c", movedAt: 1 },
      ]).map((r) => [r.action, r.from, r.to]),
    ).toEqual([
      ["deleted", "2", undefined],
      ["moved", "1", "2"],
      ["set", undefined, "1"],
    ]);
  });
});
