import { describe, expect, it } from "vitest";
import { ComponentError } from "./errors.ts";
import { decide, parsePolicy } from "./policy.ts";

function errorOf(fn: () => unknown): ComponentError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ComponentError) return err;
    throw err;
  }
  throw new Error("expected a ComponentError");
}

describe("parsePolicy", () => {
  it("reads thresholds as strings and objects, and the comparison with its defaults", () => {
    const p = parsePolicy({
      thresholds: ["roc_auc >= 0.90", "p99_latency_ms<=5", { metric: "f1", op: ">", value: 0.2 }, "loss < 1e-2"],
      compare: { metric: "roc_auc" },
    });
    expect(p.thresholds).toEqual([
      { metric: "roc_auc", op: ">=", value: 0.9, text: "roc_auc >= 0.9" },
      { metric: "p99_latency_ms", op: "<=", value: 5, text: "p99_latency_ms <= 5" },
      { metric: "f1", op: ">", value: 0.2, text: "f1 > 0.2" },
      { metric: "loss", op: "<", value: 0.01, text: "loss < 0.01" },
    ]);
    expect(p.compare).toMatchObject({ metric: "roc_auc", minDelta: 0, direction: "max" });
    expect(parsePolicy({ compare: { metric: "latency", min_delta: 1, direction: "min" } }).compare).toMatchObject({
      minDelta: 1,
      direction: "min",
    });
    expect(parsePolicy({})).toEqual({ thresholds: [] });
  });

  it.each([
    [{ thresholds: ["roc_auc => 0.9"] }, 'policy.thresholds[0] "roc_auc => 0.9": is not a rule'],
    [{ thresholds: ["roc_auc >= high"] }, 'policy.thresholds[0] "roc_auc >= high": is not a rule'],
    [{ thresholds: ["f1 > 0.1", ">= 0.9"] }, 'policy.thresholds[1] ">= 0.9": is not a rule'],
    [{ thresholds: [{ metric: "f1", op: "!=", value: 1 }] }, 'policy.thresholds[0].op: "!=" is not an operator'],
    [{ thresholds: [{ metric: "f1", op: ">", value: "x" }] }, 'policy.thresholds[0].value: "x" is not a number'],
    [{ thresholds: [{ metric: "f1", op: ">", value: 1, extra: 1 }] }, 'unknown field "extra"'],
    [{ thresholds: "roc_auc >= 0.9" }, "policy.thresholds: must be a list"],
    [{ threshold: ["roc_auc >= 0.9"] }, 'policy: unknown field "threshold"'],
    [{ compare: { metric: "roc_auc", minDelta: "0.1" } }, 'policy.compare.minDelta: "0.1" is not a number'],
    [{ compare: { metric: "roc_auc", direction: "up" } }, 'policy.compare.direction: "up" is neither "max" nor "min"'],
    [{ compare: { minDelta: 1 } }, "policy.compare.metric: must be a metric name"],
    [["roc_auc >= 0.9"], "policy: must be an object"],
  ])("refuses %j, naming the rule and the accepted form", (raw, message) => {
    const err = errorOf(() => parsePolicy(raw));
    expect(err.code).toBe("POLICY_INVALID");
    expect(err.message).toContain(message);
    expect(err.message).toContain('"metric op number"');
  });
});

describe("decide", () => {
  const metrics = { roc_auc: 0.93, p99_latency_ms: 4, f1: 0.4 };

  it("promotes when every threshold holds and there is no champion yet", () => {
    const d = decide(
      parsePolicy({ thresholds: ["roc_auc >= 0.9", "p99_latency_ms <= 5"], compare: { metric: "roc_auc" } }),
      metrics,
      undefined,
    );
    expect(d.promoted).toBe(true);
    expect(d.thresholdFailed).toBe(false);
    expect(d.results.map((r) => [r.rule, r.passed])).toEqual([
      ["roc_auc >= 0.9", true],
      ["p99_latency_ms <= 5", true],
      ["roc_auc higher than the champion's by at least 0", true],
    ]);
    expect(d.decidedBy).toContain("no current champion");
  });

  it("lets the first failing threshold decide, with the metric, the value and the threshold", () => {
    const d = decide(
      parsePolicy({ thresholds: ["f1 >= 0.1", "roc_auc >= 0.95", "p99_latency_ms <= 1"], compare: { metric: "f1" } }),
      metrics,
      { version: "1", metrics: { f1: 0.1 } },
    );
    expect(d).toMatchObject({ promoted: false, thresholdFailed: true });
    expect(d.decidedBy).toBe('threshold "roc_auc >= 0.95" failed: roc_auc is 0.93, which is not >= 0.95');
    // every threshold is reported; the comparison is not evaluated after a failed threshold
    expect(d.results.map((r) => r.passed)).toEqual([true, false, false]);
  });

  it("keeps a version that is not better than the champion by minDelta as challenger", () => {
    const policy = parsePolicy({ compare: { metric: "roc_auc", minDelta: 0.01 } });
    const worse = decide(policy, metrics, { version: "3", metrics: { roc_auc: 0.925 } });
    expect(worse).toMatchObject({ promoted: false, thresholdFailed: false });
    expect(worse.results[0]).toMatchObject({ value: 0.93, threshold: 0.935, passed: false });
    expect(worse.decidedBy).toContain("not >= the champion's (version 3) 0.925 + 0.01");
    const better = decide(policy, metrics, { version: "3", metrics: { roc_auc: 0.91 } });
    expect(better.promoted).toBe(true);
  });

  it("compares downwards for direction min, and a tie passes minDelta 0", () => {
    const policy = parsePolicy({ compare: { metric: "p99_latency_ms", direction: "min" } });
    expect(decide(policy, metrics, { version: "1", metrics: { p99_latency_ms: 4 } }).promoted).toBe(true);
    expect(decide(policy, metrics, { version: "1", metrics: { p99_latency_ms: 3.5 } }).promoted).toBe(false);
  });

  it("does not promote over a champion without the metric, and says so", () => {
    const d = decide(parsePolicy({ compare: { metric: "roc_auc" } }), metrics, { version: "2", metrics: { f1: 1 } });
    expect(d.promoted).toBe(false);
    expect(d.decidedBy).toContain("the champion (version 2) has no recorded roc_auc (its metrics: f1)");
  });

  it("fails on a metric the model does not have, listing the metrics present", () => {
    const err = errorOf(() => decide(parsePolicy({ thresholds: ["auc >= 0.9"] }), metrics, undefined));
    expect(err.code).toBe("POLICY_METRIC_MISSING");
    expect(err.message).toContain('needs metric "auc"');
    expect(err.message).toContain("present: f1, p99_latency_ms, roc_auc");
  });

  it("shows values to 6 significant digits, unless that would make them look equal", () => {
    const d = decide(
      parsePolicy({ compare: { metric: "auc" } }),
      { auc: 0.9141008478357876 },
      {
        version: "1",
        metrics: { auc: 0.9241008478357876 },
      },
    );
    expect(d.decidedBy).toContain("not >= the champion's (version 1) 0.924101");
    const close = decide(parsePolicy({ thresholds: ["auc >= 0.8"] }), { auc: 0.79999999 }, undefined);
    expect(close.decidedBy).toContain("auc is 0.79999999, which is not >= 0.8");
  });

  it("promotes under a policy without rules, and says why", () => {
    expect(decide(parsePolicy({}), {}, undefined)).toMatchObject({
      promoted: true,
      decidedBy: "the policy has no rules",
    });
  });
});
