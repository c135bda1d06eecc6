/**
 * Asynchronous successive halving (ASHA; Li et al., "A System for Massively Parallel
 * Hyperparameter Tuning", MLSys 2020). Rung k runs trials with budget
 * `min_resource * reduction_factor^k`, up to the largest that does not exceed
 * `max_resource`. Each time a trial is asked for, the highest rung first: a configuration
 * among the best floor(n / eta) of the n finished trials of rung k that has not been
 * promoted yet is promoted to rung k + 1 (a new trial with the same parameters and the
 * larger budget); when none can be, a new configuration starts at rung 0. It never waits
 * and never ends (the experiment's maxTrialCount or goal ends it).
 *
 * Settings: `resource_name` (the budget parameter, int or double), `min_resource` and
 * `max_resource` (default: the parameter's min and max), `reduction_factor` (eta, an
 * integer >= 2, default 3), `base_algorithm` (how new configurations are drawn: `random`,
 * the prior of the search space, or `tpe`, which learns from the rung-0 trials only, whose
 * values were all measured with the same budget), `random_state` (the seed, read by the
 * experiment). Suggestions carry `meta` {bracket: 0, rung: k, parent: the promoted
 * trial's number}.
 */

import { TuningError } from "../errors.ts";
import { Rng } from "../rng.ts";
import { sampleAssignment } from "../space.ts";
import type { Sampler, SamplerContext, SamplerFactory, Suggestion } from "../types.ts";
import { checkSettingNames } from "./common.ts";
import {
  metaNumber,
  numberSetting,
  rankBest,
  requireSingleObjective,
  resourceParameter,
  resourceValue,
} from "./fidelity.ts";
import { createTpeSampler } from "./tpe.ts";

/** The random stream of new configurations ("As"). */
const STREAM = 0x4173;

const SETTINGS = [
  "resource_name",
  "min_resource",
  "max_resource",
  "reduction_factor",
  "base_algorithm",
  "random_state",
];
const BASE_ALGORITHMS = ["random", "tpe"];

/** The budgets of ASHA's rungs: min * eta^k for every k with a budget at most max. */
export function ashaRungs(minResource: number, maxResource: number, eta: number): number[] {
  const out: number[] = [];
  for (let r = minResource; r <= maxResource * (1 + 1e-12); r *= eta) out.push(r);
  return out;
}

export const createAshaSampler: SamplerFactory = ({ settings, space, directions }) => {
  requireSingleObjective("asha", directions);
  checkSettingNames("asha", settings, SETTINGS);
  const resource = resourceParameter("asha", settings, space);
  const lo = resource.min as number;
  const hi = resource.max as number;
  const eta = numberSetting("asha", settings, "reduction_factor", { min: 2, integer: true, fallback: 3 }) as number;
  const minResource = numberSetting("asha", settings, "min_resource", { min: 0, exclusiveMin: true, fallback: lo });
  const maxResource = numberSetting("asha", settings, "max_resource", { min: 0, exclusiveMin: true, fallback: hi });
  if (minResource === undefined || minResource <= 0) {
    throw new TuningError(
      "TUNING_SETTING_INVALID",
      `algorithmSettings.min_resource: asha needs a smallest budget above 0; the parameter "${resource.name}" starts at ${lo}, so set min_resource`,
    );
  }
  const range = `the parameter "${resource.name}" allows [${lo}, ${hi}]`;
  if (minResource < lo || minResource > hi) {
    throw new TuningError(
      "TUNING_SETTING_INVALID",
      `algorithmSettings.min_resource: ${minResource} is outside ${range}`,
    );
  }
  if ((maxResource as number) < minResource || (maxResource as number) > hi) {
    throw new TuningError(
      "TUNING_SETTING_INVALID",
      `algorithmSettings.max_resource: ${maxResource} must be at least min_resource (${minResource}) and inside ${range}`,
    );
  }
  const base = settings.base_algorithm ?? "random";
  if (!BASE_ALGORITHMS.includes(base)) {
    throw new TuningError(
      "TUNING_SETTING_INVALID",
      `algorithmSettings.base_algorithm: asha draws new configurations with ${BASE_ALGORITHMS.join(", ")}, not "${base}"`,
    );
  }
  // the base sampler sees the space without the budget and the rung-0 trials
  const baseSpace = { ...space, parameters: space.parameters.filter((p) => p !== resource) };
  const baseSampler: Sampler | undefined =
    base === "tpe" ? createTpeSampler({ settings: {}, space: baseSpace, directions }) : undefined;
  const budgets = ashaRungs(minResource, maxResource as number, eta).map((r) => resourceValue(resource, r));
  const goal = directions[0] ?? "minimize";

  return {
    name: "asha",
    suggest(ctx: SamplerContext): Suggestion {
      const mine = ctx.history.filter((t) => metaNumber(t, "rung") !== undefined);
      for (let k = budgets.length - 2; k >= 0; k--) {
        const ranked = rankBest(
          mine.filter((t) => metaNumber(t, "rung") === k),
          goal,
        );
        const top = ranked.slice(0, Math.floor(ranked.length / eta));
        if (top.length === 0) continue;
        const promoted = new Set(
          mine.filter((t) => metaNumber(t, "rung") === k + 1).map((t) => metaNumber(t, "parent")),
        );
        const next = top.find((t) => !promoted.has(t.number));
        if (next) {
          return {
            kind: "trial",
            params: { ...next.params, [resource.name]: budgets[k + 1] as number },
            meta: { bracket: 0, rung: k + 1, parent: next.number },
          };
        }
      }
      let params: Record<string, number | string>;
      if (baseSampler) {
        const history = mine.filter((t) => metaNumber(t, "rung") === 0);
        const s = baseSampler.suggest({ ...ctx, space: baseSpace, history });
        if (s.kind !== "trial") return s;
        params = { ...s.params };
      } else {
        params = sampleAssignment(ctx.space, new Rng(ctx.seed, ctx.trialNumber, ctx.attempt, STREAM));
      }
      params[resource.name] = budgets[0] as number;
      return { kind: "trial", params, meta: { bracket: 0, rung: 0 } };
    },
  };
};
