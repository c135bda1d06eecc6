/**
 * Early stopping: the rules the runner asks after each intermediate value of a running
 * trial's first objective (Katib's `earlyStopping`). `medianstop` is Katib's.
 */

import { TuningError } from "../errors.ts";
import type { EarlyStopper, EarlyStopperFactory, EarlyStoppingName, EarlyStoppingSpec } from "../types.ts";
import { EARLY_STOPPING_NAMES } from "../types.ts";
import { createMedianStopper } from "./medianstop.ts";

export { createMedianStopper, type MedianStopSettings, medianStop, medianStopSettings } from "./medianstop.ts";

export const EARLY_STOPPERS: Record<EarlyStoppingName, EarlyStopperFactory> = { medianstop: createMedianStopper };

/** The early stopper an experiment names, its settings checked. */
export function createEarlyStopper(spec: EarlyStoppingSpec): EarlyStopper {
  const factory = EARLY_STOPPERS[spec.name];
  if (!factory) {
    throw new TuningError(
      "TUNING_SPEC_UNSUPPORTED",
      `earlyStopping.algorithmName: "${spec.name}" is not an early-stopping algorithm Weft runs; use ${EARLY_STOPPING_NAMES.join(", ")}`,
    );
  }
  return factory(spec.settings);
}
