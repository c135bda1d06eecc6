/**
 * Grid search, as Katib's: every parameter must have finitely many values (categorical,
 * discrete, int, or a double with a step). The points are the product of the values, the
 * first parameter varying slowest; a conditional parameter takes part only where it is
 * active. A point some trial already has (of any state), or that breaks a constraint, is
 * skipped; after the last one the sampler answers `done`.
 */

import { TuningError } from "../errors.ts";
import { finiteValues, isActive } from "../space.ts";
import type { Assignment, ParamValue, SamplerFactory, SearchSpace } from "../types.ts";
import { assignmentKey, checkSettingNames } from "./common.ts";

/** The grid's points in order (lazily: a grid may be large and only its start used). */
export function* gridPoints(
  space: SearchSpace,
  values: ReadonlyMap<string, readonly ParamValue[]>,
): Generator<Assignment> {
  const params = space.parameters;
  function* walk(i: number, acc: Record<string, ParamValue>): Generator<Assignment> {
    if (i === params.length) {
      yield { ...acc };
      return;
    }
    const p = params[i]!;
    if (!isActive(p, acc)) {
      yield* walk(i + 1, acc);
      return;
    }
    for (const v of values.get(p.name)!) {
      acc[p.name] = v;
      yield* walk(i + 1, acc);
    }
    delete acc[p.name];
  }
  yield* walk(0, {});
}

export const createGridSampler: SamplerFactory = ({ settings, space }) => {
  // Katib's grid takes random_state; the order here is fixed, so it changes nothing
  checkSettingNames("grid", settings, ["random_state"]);
  const values = new Map<string, readonly ParamValue[]>();
  for (const [i, p] of space.parameters.entries()) {
    const v = finiteValues(p);
    if (!v || v.length === 0) {
      throw new TuningError(
        "TUNING_SPEC_INVALID",
        `spec.parameters[${i}].feasibleSpace.step: grid search needs finitely many values of every parameter, and "${p.name}" (${p.type} from ${p.min} to ${p.max}) has no step; give feasibleSpace.step, or use another algorithm (random, sobol, tpe).`,
      );
    }
    values.set(p.name, v);
  }
  return {
    name: "grid",
    suggest(ctx) {
      const used = new Set(ctx.history.map((t) => assignmentKey(space, t.params)));
      // an attempt after a broken constraint takes the next unused point
      let skip = ctx.attempt;
      for (const point of gridPoints(space, values)) {
        const key = assignmentKey(space, point);
        if (used.has(key)) continue;
        // a point breaking a constraint would only be rejected: pass over it
        if (space.constraints?.some((c) => !c.test(point))) continue;
        if (skip-- > 0) continue;
        return { kind: "trial", params: point };
      }
      return { kind: "done", reason: "grid exhausted: every point of the grid has a trial" };
    },
  };
};
