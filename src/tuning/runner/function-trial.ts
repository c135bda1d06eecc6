/** Function trials (`tune()` only): the function runs in this process with `ctx.report` and `ctx.signal`. */
import type { TrialOutcome, TrialRunner } from "./types.ts";

function describeReturn(returned: unknown): string {
  if (returned === undefined || returned === null) return "returned nothing";
  if (typeof returned !== "object") return `returned ${typeof returned} ${String(returned)}`;
  const keys = Object.keys(returned);
  return keys.length === 0 ? "returned an empty object" : `returned { ${keys.join(", ")} }`;
}

/** Runs a function trial; a throw is the trial's failure, with the error's message. */
export const runFunctionTrial: TrialRunner = async (trial) => {
  if (trial.spec.trial.kind !== "function") throw new Error("runFunctionTrial: not a function trial");
  const fn = trial.spec.trial.run;
  const reported = new Set<string>();
  let returned: unknown;
  try {
    returned = await fn(trial.params, {
      trialName: trial.name,
      number: trial.number,
      signal: trial.signal,
      report(metric, value, step) {
        reported.add(metric);
        trial.report(metric, value, step);
      },
    });
  } catch (err) {
    if (trial.signal.aborted) return { kind: "completed", explainMissing: () => "" };
    const e = err as Error;
    return {
      kind: "failed",
      reason: "TrialFailed",
      message: `the trial function threw: ${e?.stack ?? String(err)}`.slice(0, 4000),
    };
  }
  const final: Record<string, number> = {};
  if (returned !== null && typeof returned === "object") {
    for (const [k, v] of Object.entries(returned as Record<string, unknown>)) {
      if (typeof v === "number") final[k] = v;
    }
  }
  const outcome: TrialOutcome = {
    kind: "completed",
    final,
    explainMissing: (metric) =>
      `Metric "${metric}" was not reported: the trial function ${describeReturn(returned)} and reported ${
        reported.size === 0 ? "no metric" : [...reported].map((m) => `"${m}"`).join(", ")
      }. Return { ${metric}: <number> } or call ctx.report("${metric}", value, step).`,
  };
  return outcome;
};
