/** The sampler an experiment's algorithm names, from the samplers' registry (loaded by the runner on use). */
import { createSampler } from "../samplers/index.ts";
import type { ExperimentSpec, Sampler } from "../types.ts";

/** The sampler `spec.algorithm` names, its settings checked by its factory. */
export function samplerFor(spec: ExperimentSpec): Sampler {
  return createSampler(
    spec.algorithm,
    spec.space,
    spec.objective.metrics.map((m) => m.goal),
  );
}
