/**
 * Hyperband as Katib's suggestion service runs it (pkg/suggestion/v1beta1/hyperband).
 * Settings: `resource_name` (the search-space parameter that holds a trial's budget),
 * `r_l` (the largest budget, R) and `eta` (default 3). With s_max = floor(log_eta(r_l)),
 * the brackets run one after another from s = s_max down to 0; bracket s starts
 * n = ceil((s_max + 1) * eta^s / (s + 1)) random configurations with budget
 * r = r_l * eta^-s, and each next rung i runs the best ceil(ceil(n * eta^-(i-1)) / eta)
 * of the rung before with budget r * eta^i (an int budget is floored, as Katib does).
 *
 * A promotion is a new trial with the same parameters and the larger budget; it waits
 * (`{kind: "wait"}`) until every trial of the rung before has finished. FAILED and
 * CANCELED trials take their place in a rung but are never promoted. Suggestions carry
 * `meta` {bracket: s, rung: i, parent: the promoted trial's number}. A promotion that
 * breaks a constraint is asked again with the next attempt, which promotes the next best
 * configuration in its place. After the last
 * bracket the sampler answers `done`. Unlike Katib, which hands out a whole rung at once
 * and so needs `parallelTrialCount >= eta^s_max`, trials are suggested one at a time and
 * any parallelism works; Katib also ignores the budget parameter's feasible space, and so
 * does this sampler (only its name and type matter). s_max is floor(log_eta(r_l)) with a
 * tolerance for rounding: Katib's `int(log(r_l) / log(eta))` gives 2 for r_l = 1000 and
 * eta = 10 (the quotient is 2.9999999999999996), this sampler 3.
 */

import { TERMINAL_TRIAL_STATES } from "../../ir/states.ts";
import { TuningError } from "../errors.ts";
import { Rng } from "../rng.ts";
import { sampleAssignment } from "../space.ts";
import type { ParameterSpec, SamplerContext, SamplerFactory, Suggestion, TrialObservation } from "../types.ts";
import { checkSettingNames } from "./common.ts";
import {
  metaNumber,
  numberSetting,
  rankBest,
  requireSingleObjective,
  resourceParameter,
  resourceValue,
} from "./fidelity.ts";

/** The random stream of new configurations ("Hb"). */
const STREAM = 0x4862;

/** One rung of a bracket: how many trials it runs and each one's budget. */
export interface HyperbandRung {
  readonly trials: number;
  readonly resource: number;
}

/** One bracket, `s` from s_max down to 0 (Katib's `current_s`). */
export interface HyperbandBracket {
  readonly s: number;
  readonly rungs: readonly HyperbandRung[];
}

/** ceil that forgives the last bit of a floating-point quotient (9 * 3^-1 is 3, not 3.0000000000000004). */
function ceil(x: number): number {
  return Math.ceil(x - 1e-9);
}

/** Katib's brackets for `eta` and `r_l` (budgets before the int floor). */
export function hyperbandBrackets(eta: number, rL: number): HyperbandBracket[] {
  const sMax = Math.floor(Math.log(rL) / Math.log(eta) + 1e-9);
  const out: HyperbandBracket[] = [];
  for (let s = sMax; s >= 0; s--) {
    const n = ceil(((sMax + 1) * eta ** s) / (s + 1));
    const r = rL * eta ** -s;
    const rungs: HyperbandRung[] = [{ trials: n, resource: r }];
    for (let i = 1; i <= s; i++) rungs.push({ trials: ceil(ceil(n * eta ** -(i - 1)) / eta), resource: r * eta ** i });
    out.push({ s, rungs });
  }
  return out;
}

const SETTINGS = ["resource_name", "eta", "r_l", "random_state"];

export const createHyperbandSampler: SamplerFactory = ({ settings, space, directions }) => {
  requireSingleObjective("hyperband", directions);
  checkSettingNames("hyperband", settings, SETTINGS);
  const resource = resourceParameter("hyperband", settings, space);
  const eta = numberSetting("hyperband", settings, "eta", { min: 2, integer: true, fallback: 3 }) as number;
  const rL = numberSetting("hyperband", settings, "r_l", { min: 1 });
  if (rL === undefined) {
    throw new TuningError(
      "TUNING_SETTING_INVALID",
      `algorithmSettings.r_l: hyperband needs r_l, the largest budget a trial gets (e.g. "9" epochs)`,
    );
  }
  const brackets = hyperbandBrackets(eta, rL);
  const goal = directions[0] ?? "minimize";
  const total = brackets.reduce((sum, b) => sum + b.rungs.reduce((k, r) => k + r.trials, 0), 0);

  return {
    name: "hyperband",
    suggest(ctx: SamplerContext): Suggestion {
      const mine = ctx.history.filter((t) => metaNumber(t, "bracket") !== undefined);
      for (const bracket of brackets) {
        let before: TrialObservation[] = [];
        for (let i = 0; i < bracket.rungs.length; i++) {
          const rung = bracket.rungs[i] as HyperbandRung;
          const here = mine.filter((t) => metaNumber(t, "bracket") === bracket.s && metaNumber(t, "rung") === i);
          const budget = resourceValue(resource, rung.resource);
          if (i === 0) {
            if (here.length < rung.trials) return newConfiguration(ctx, resource, budget, bracket.s);
          } else {
            if (before.some((t) => !(TERMINAL_TRIAL_STATES as readonly string[]).includes(t.state))) {
              return { kind: "wait" };
            }
            const ranked = rankBest(before, goal);
            const quota = Math.min(rung.trials, ranked.length);
            const promoted = new Set(here.map((t) => metaNumber(t, "parent")));
            // a promotion that broke a constraint is asked again (attempt + 1): the next best
            const next = here.length < quota ? ranked.filter((t) => !promoted.has(t.number))[ctx.attempt] : undefined;
            if (next) {
              return {
                kind: "trial",
                params: { ...next.params, [resource.name]: budget },
                meta: { bracket: bracket.s, rung: i, parent: next.number },
              };
            }
            // nothing of the rung before can be promoted (all failed): the bracket ends here
            if (here.length === 0) break;
          }
          before = here;
        }
      }
      return {
        kind: "done",
        reason: `hyperband ran its ${brackets.length} brackets (eta ${eta}, r_l ${rL}, up to ${total} trials)`,
      };
    },
  };
};

function newConfiguration(ctx: SamplerContext, resource: ParameterSpec, budget: number, s: number): Suggestion {
  const params = sampleAssignment(ctx.space, new Rng(ctx.seed, ctx.trialNumber, ctx.attempt, STREAM));
  params[resource.name] = budget;
  return { kind: "trial", params, meta: { bracket: s, rung: 0 } };
}
