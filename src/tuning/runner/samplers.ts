/**
 * The sampler of an experiment's algorithm. The samplers' own registry
 * (`samplers/index.ts`, `createSampler`) replaces this table once it is there; until then
 * the runner names the factories it can find.
 */
import { TuningError } from "../errors.ts";
import { createAshaSampler } from "../samplers/asha.ts";
import { createGridSampler } from "../samplers/grid.ts";
import { createHyperbandSampler } from "../samplers/hyperband.ts";
import { createMotpeSampler } from "../samplers/motpe.ts";
import { createRandomSampler } from "../samplers/random.ts";
import { createSobolSampler } from "../samplers/sobol.ts";
import { createMultivariateTpeSampler, createTpeSampler } from "../samplers/tpe.ts";
import type { AlgorithmName, ExperimentSpec, Sampler, SamplerFactory } from "../types.ts";

const FACTORIES: Partial<Record<AlgorithmName, SamplerFactory>> = {
  random: createRandomSampler,
  grid: createGridSampler,
  sobol: createSobolSampler,
  tpe: createTpeSampler,
  "multivariate-tpe": createMultivariateTpeSampler,
  motpe: createMotpeSampler,
  hyperband: createHyperbandSampler,
  asha: createAshaSampler,
};

/** The sampler `spec.algorithm` names, its settings checked by its factory. */
export function samplerFor(spec: ExperimentSpec): Sampler {
  const factory = FACTORIES[spec.algorithm.name];
  if (factory === undefined) {
    throw new TuningError(
      "TUNING_SPEC_UNSUPPORTED",
      `${spec.file ?? "experiment"}: spec.algorithm.algorithmName "${spec.algorithm.name}" is not available in this build; use one of ${Object.keys(FACTORIES).join(", ")}`,
    );
  }
  return factory({
    settings: spec.algorithm.settings,
    space: spec.space,
    directions: spec.objective.metrics.map((m) => m.goal),
  });
}
