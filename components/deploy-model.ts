/**
 * `deployModel` as a KFP component file: a pipeline of one task whose inputs and outputs
 * are the component's, which is how the KFP compiler writes a component. Regenerate
 * `deploy-model.yaml` beside it with
 * `node bin/weft.js compile components/deploy-model.ts -o components/deploy-model.yaml`
 * (src/components/deploy-model-yaml.test.ts checks that it is current).
 */
import { deployModel, pipeline } from "weft";

/** The one-task pipeline that `deploy-model.yaml` is compiled from. */
export const deployModelComponent = pipeline(
  { name: "deploy-model", description: deployModel.description, params: deployModel.inputs },
  (p) => deployModel(p).outputs,
);
