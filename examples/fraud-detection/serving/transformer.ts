/**
 * The fraud model's transformer for `weft serve`:
 *
 *   FRAUD_ENCODERS=<the preprocess step's test split> \
 *     weft serve models:/fraud-detector@champion \
 *     --transformer fraud-detector=examples/fraud-detection/serving/transformer.ts
 *
 * `FRAUD_ENCODERS` names a feature split written by the preprocess step (or a JSON file of
 * its encoders): the target encodings the model was trained with. See fraud-transformer.ts.
 */
import { ServingError } from "weft";
import { createFraudTransformer, readEncoders } from "./fraud-transformer.ts";

const path = process.env.FRAUD_ENCODERS?.trim();
if (!path) {
  throw new ServingError(
    "MODEL_INVALID",
    "FRAUD_ENCODERS is not set; set it to the preprocess step's train or test split (the run's `test` artifact) so the transformer uses the encoders the model was trained with",
  );
}

export default createFraudTransformer({ encoders: readEncoders(path) });
