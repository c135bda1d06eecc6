/**
 * Multi-objective TPE (Optuna's TPESampler with several objectives, after Ozaki et al.'s
 * MOTPE): the "below" trials are the best non-dominated ranks, the last rank cut by greedy
 * hypervolume subset selection, each weighted by its hypervolume contribution; the rest
 * is TPE's (tpe.ts). Univariate by default; `multivariate: "true"` models the parameters
 * of a condition jointly.
 */

import type { SamplerFactory } from "../types.ts";
import { boolSetting, checkSettingNames } from "./common.ts";
import { createTpe, TPE_SETTINGS, tpeConfig } from "./tpe.ts";

export const createMotpeSampler: SamplerFactory = ({ settings, space }) => {
  checkSettingNames("motpe", settings, [...TPE_SETTINGS, "multivariate"]);
  const multivariate = boolSetting(settings, "multivariate", false);
  const { multivariate: _, ...rest } = settings;
  return createTpe(tpeConfig("motpe", rest, { multivariate, multiObjective: true }), space);
};
