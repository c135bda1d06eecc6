/**
 * The samplers by Katib's algorithm names, and `createSampler`, which checks that the
 * algorithm handles the experiment's number of objectives before making the sampler.
 */

import { TuningError } from "../errors.ts";
import type { AlgorithmName, AlgorithmSpec, Goal, Sampler, SamplerFactory, SearchSpace } from "../types.ts";
import { createAshaSampler } from "./asha.ts";
import { createCmaesSampler } from "./cmaes.ts";
import { createGpSampler } from "./gp.ts";
import { createGridSampler } from "./grid.ts";
import { createHyperbandSampler } from "./hyperband.ts";
import { createMotpeSampler } from "./motpe.ts";
import { createNsga2Sampler } from "./nsga2.ts";
import { createRandomSampler } from "./random.ts";
import { createSobolSampler } from "./sobol.ts";
import { createMultivariateTpeSampler, createTpeSampler } from "./tpe.ts";

/** Every sampler by its algorithm name. */
export const SAMPLERS: Record<AlgorithmName, SamplerFactory> = {
  random: createRandomSampler,
  grid: createGridSampler,
  sobol: createSobolSampler,
  tpe: createTpeSampler,
  "multivariate-tpe": createMultivariateTpeSampler,
  nsga2: createNsga2Sampler,
  motpe: createMotpeSampler,
  hyperband: createHyperbandSampler,
  asha: createAshaSampler,
  cmaes: createCmaesSampler,
  bayesianoptimization: createGpSampler,
};

/** The algorithms that handle two or more objectives. */
export const MULTI_OBJECTIVE_ALGORITHMS: readonly AlgorithmName[] = ["nsga2", "motpe", "random", "grid", "sobol"];

/**
 * The sampler of `spec` for a space and the objectives' directions. An algorithm that
 * handles one objective, given several, is TUNING_SPEC_INVALID naming `spec.algorithm`; a
 * bad setting is TUNING_SETTING_INVALID naming `algorithmSettings.<name>`.
 */
export function createSampler(spec: AlgorithmSpec, space: SearchSpace, directions: readonly Goal[]): Sampler {
  if (directions.length >= 2 && !MULTI_OBJECTIVE_ALGORITHMS.includes(spec.name)) {
    throw new TuningError(
      "TUNING_SPEC_INVALID",
      `spec.algorithm: ${spec.name} optimises one objective and the experiment has ${directions.length}; use one of ${MULTI_OBJECTIVE_ALGORITHMS.join(", ")} for several objectives, or keep one objective.`,
    );
  }
  const factory = SAMPLERS[spec.name];
  if (!factory) {
    throw new TuningError(
      "TUNING_SPEC_UNSUPPORTED",
      `spec.algorithm: ${spec.name} is not available in this build; use one of ${Object.keys(SAMPLERS).join(", ")}.`,
    );
  }
  return factory({ settings: spec.settings, space, directions });
}

export { ashaRungs, createAshaSampler } from "./asha.ts";
export { createCmaesSampler } from "./cmaes.ts";
export { createGpSampler } from "./gp.ts";
export { createGridSampler, gridPoints } from "./grid.ts";
export { createHyperbandSampler, hyperbandBrackets } from "./hyperband.ts";
export { createMotpeSampler } from "./motpe.ts";
export { createNsga2Sampler } from "./nsga2.ts";
export { createRandomSampler } from "./random.ts";
export { createSobolSampler, SOBOL_MAX_DIMENSIONS } from "./sobol.ts";
export { createMultivariateTpeSampler, createTpeSampler, TPE_SETTINGS } from "./tpe.ts";
