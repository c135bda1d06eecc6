/**
 * `tune` as a KFP component file: a pipeline of one task whose inputs and outputs are the
 * component's, which is how the KFP compiler writes a component. Regenerate `tune.yaml`
 * beside it with `node bin/weft.js compile components/tune.ts -o components/tune.yaml`
 * (src/tuning/steps/tune-yaml.test.ts checks that it is current).
 */
import { pipeline } from "weft";
import { tune } from "../src/tuning/steps/tune.ts";

/** The one-task pipeline that `tune.yaml` is compiled from. */
export const tuneComponent = pipeline(
  { name: "tune", description: tune.description, params: tune.inputs },
  (p) => tune(p).outputs,
);
