/**
 * `registerModel` as a KFP component file: a pipeline of one task whose inputs and outputs
 * are the component's, which is how the KFP compiler writes a component. Regenerate
 * `register-model.yaml` beside it with
 * `node bin/weft.js compile components/register-model.ts -o components/register-model.yaml`
 * (src/components/register-model-yaml.test.ts checks that it is current).
 */
import { pipeline, registerModel } from "weft";

/** The one-task pipeline that `register-model.yaml` is compiled from. */
export const registerModelComponent = pipeline(
  { name: "register-model", description: registerModel.description, params: registerModel.inputs },
  (p) => registerModel(p).outputs,
);
