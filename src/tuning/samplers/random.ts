/**
 * Random search: every parameter active for the values drawn before it is drawn from its
 * prior (uniform, logUniform, normal or logNormal, clipped to the bounds; categorical
 * uniformly), from the stream of the trial's number and attempt.
 */

import { Rng } from "../rng.ts";
import { sampleAssignment } from "../space.ts";
import type { Sampler, SamplerFactory } from "../types.ts";
import { checkSettingNames, STREAM } from "./common.ts";

export const createRandomSampler: SamplerFactory = ({ settings }) => {
  checkSettingNames("random", settings, ["random_state"]);
  const sampler: Sampler = {
    name: "random",
    suggest(ctx) {
      const rng = new Rng(ctx.seed, ctx.trialNumber, ctx.attempt, STREAM.random);
      return { kind: "trial", params: sampleAssignment(ctx.space, rng) };
    },
  };
  return sampler;
};
