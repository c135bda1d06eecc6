import { describe, expect, it } from "vitest";
import { TuningError } from "./errors.ts";
import { chooseBest, crowdingDistance, dominates, hypervolume, nonDominatedSort, paretoFront } from "./pareto.ts";
import type { ObjectiveMetric, TrialObservation } from "./types.ts";

function trial(number: number, values: number[] | undefined, state: TrialObservation["state"] = "SUCCEEDED") {
  return { number, params: { x: number }, state, ...(values ? { values } : {}), intermediate: [] } as TrialObservation;
}

describe("pareto", () => {
  it("dominates only when no worse everywhere and better somewhere", () => {
    expect(dominates([1, 2], [2, 2])).toBe(true);
    expect(dominates([1, 2], [1, 2])).toBe(false);
    expect(dominates([1, 3], [2, 2])).toBe(false);
  });

  it("sorts points into non-dominated fronts", () => {
    const points = [
      [1, 5],
      [2, 2],
      [5, 1],
      [3, 3],
      [6, 6],
      [2, 2],
      [4, 4],
    ];
    expect(nonDominatedSort(points)).toEqual([[0, 1, 2, 5], [3], [6], [4]]);
    expect(nonDominatedSort([])).toEqual([]);
  });

  it("gives the extremes infinite crowding distance and the inner points the normalised gaps", () => {
    const d = crowdingDistance([
      [0, 4],
      [1, 2],
      [3, 1],
      [4, 0],
    ]);
    expect(d[0]).toBe(Number.POSITIVE_INFINITY);
    expect(d[3]).toBe(Number.POSITIVE_INFINITY);
    expect(d[1]).toBeCloseTo(3 / 4 + 3 / 4);
    expect(d[2]).toBeCloseTo(3 / 4 + 2 / 4);
  });

  it("takes the front of the observed trials, turning maximised objectives around", () => {
    const history = [
      trial(0, [0.9, 10]),
      trial(1, [0.8, 5]),
      trial(2, [0.7, 20]),
      trial(3, [0.95, 30]),
      trial(4, undefined, "RUNNING"),
      trial(5, [0.99, 1], "FAILED"),
      trial(6, [0.8, 5], "EARLY_STOPPED"),
    ];
    const front = paretoFront(history, ["maximize", "minimize"]);
    expect(front.map((t) => t.number)).toEqual([0, 1, 3, 6]);
  });

  it("chooses one best configuration by the declared rule", () => {
    const objectives: ObjectiveMetric[] = [
      { name: "accuracy", goal: "maximize" },
      { name: "seconds", goal: "minimize" },
    ];
    const front = [trial(0, [0.9, 100]), trial(1, [0.85, 10]), trial(2, [0.8, 5]), trial(3, [0.9, 100])];
    expect(chooseBest(front, { rule: "first" }, objectives)?.number).toBe(0);
    expect(chooseBest(front, { rule: "lexicographic", order: ["seconds", "accuracy"] }, objectives)?.number).toBe(2);
    // normalised: accuracy 0.9→0, 0.85→0.5, 0.8→1; seconds 100→1, 10→0.0526, 5→0
    expect(chooseBest(front, { rule: "weighted", weights: { accuracy: 1, seconds: 1 } }, objectives)?.number).toBe(1);
    expect(chooseBest(front, { rule: "weighted", weights: { accuracy: 1, seconds: 0.1 } }, objectives)?.number).toBe(0);
    expect(chooseBest([], { rule: "first" }, objectives)).toBeUndefined();
    expect(() => chooseBest(front, { rule: "lexicographic", order: ["loss"] }, objectives)).toThrow(
      /best\.order\[0\]: "loss" is not an objective/,
    );
    expect(() => chooseBest(front, { rule: "weighted", weights: { loss: 1 } }, objectives)).toThrow(TuningError);
  });

  it("computes hypervolume in 2-D and in more dimensions", () => {
    expect(hypervolume([[1, 1]], [2, 2])).toBe(1);
    expect(
      hypervolume(
        [
          [0, 2],
          [1, 1],
          [2, 0],
          [1.5, 1.5],
        ],
        [3, 3],
      ),
    ).toBeCloseTo(3 + 2 + 1);
    expect(hypervolume([[4, 0]], [3, 3])).toBe(0);
    // 3-D: boxes of volume 4 and 2 that share a unit cube
    expect(
      hypervolume(
        [
          [0, 0, 1],
          [1, 1, 0],
        ],
        [2, 2, 2],
      ),
    ).toBeCloseTo(4 + 2 - 1);
    // 3-D against a brute-force count on a grid
    const pts = [
      [0.1, 0.5, 0.7],
      [0.4, 0.2, 0.3],
      [0.6, 0.6, 0.1],
      [0.3, 0.3, 0.9],
    ];
    let inside = 0;
    const k = 40;
    for (let a = 0; a < k; a++)
      for (let b = 0; b < k; b++)
        for (let c = 0; c < k; c++) {
          const q = [(a + 0.5) / k, (b + 0.5) / k, (c + 0.5) / k];
          if (pts.some((p) => p.every((x, i) => x <= q[i]!))) inside++;
        }
    expect(hypervolume(pts, [1, 1, 1])).toBeCloseTo(inside / k ** 3, 2);
  });
});
