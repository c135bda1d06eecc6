/**
 * Checks an inference request against a model's configuration before it reaches a batcher
 * or a runtime: input names (unknown, repeated, missing), datatypes, shapes (the batch
 * dimension first when the model batches, at most `max_batch_size` rows and the same in every
 * input), element counts, and requested output names. Each error names the model, the
 * input and what was expected.
 */
import type { InferRequest, ModelConfig, TensorSpec } from "../types.ts";
import { elementCount, invalid } from "./tensors.ts";

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(",")}]`;
}

function names(specs: readonly TensorSpec[]): string {
  return specs.map((s) => `"${s.name}"`).join(", ");
}

/** The shape a request must give for `spec`: the batch dimension (-1) first when the model batches. */
export function expectedShape(spec: TensorSpec, config: ModelConfig): number[] {
  return config.maxBatchSize > 0 ? [-1, ...spec.shape] : spec.shape;
}

/** Throws INVALID_ARGUMENT naming the input and what was expected when `request` does not fit `config`. */
export function validateInferRequest(request: InferRequest, config: ModelConfig): void {
  const model = `model "${config.name}"`;
  const batching = config.maxBatchSize > 0;
  let batch = -1;
  let batchFrom = "";
  const seen = new Set<string>();
  for (const input of request.inputs) {
    const where = `input "${input.name}"`;
    const spec = config.inputs.find((s) => s.name === input.name);
    if (spec === undefined) {
      throw invalid(`${where} is not an input of ${model}: its inputs are ${names(config.inputs)}`);
    }
    if (seen.has(input.name)) throw invalid(`${where} is given twice: give each input of ${model} once`);
    seen.add(input.name);
    if (input.datatype !== spec.datatype) {
      throw invalid(`${where} has datatype ${input.datatype} but ${model} expects ${spec.datatype}`);
    }
    const expected = expectedShape(spec, config);
    const shape = input.shape;
    const batchNote = batching ? ` (the first dimension is the batch, 1 to ${config.maxBatchSize})` : "";
    if (shape.length !== expected.length) {
      throw invalid(`${where} has shape ${shapeText(shape)} but ${model} expects ${shapeText(expected)}${batchNote}`);
    }
    for (let d = 0; d < shape.length; d++) {
      const e = expected[d]!;
      if (e >= 0 && shape[d] !== e) {
        throw invalid(
          `${where} has shape ${shapeText(shape)} but ${model} expects ${shapeText(expected)}${batchNote}: dimension ${d} must be ${e}`,
        );
      }
    }
    if (batching) {
      const rows = shape[0]!;
      if (rows < 1 || rows > config.maxBatchSize) {
        throw invalid(
          `${where} has a batch of ${rows} rows but ${model} takes 1 to ${config.maxBatchSize} (its max_batch_size): split the request`,
        );
      }
      if (batch < 0) {
        batch = rows;
        batchFrom = input.name;
      } else if (rows !== batch) {
        throw invalid(
          `${where} has a batch of ${rows} rows but input "${batchFrom}" has ${batch}: every input needs the same batch size`,
        );
      }
    }
    const count = elementCount(shape);
    if (input.data.length !== count) {
      throw invalid(
        `${where}: shape ${shapeText(shape)} holds ${count} elements but its data has ${input.data.length}`,
      );
    }
  }
  for (const spec of config.inputs) {
    if (!seen.has(spec.name)) {
      throw invalid(
        `${model} needs input "${spec.name}" (${spec.datatype} ${shapeText(expectedShape(spec, config))}) but the request does not give it`,
      );
    }
  }
  if (request.outputs !== undefined) {
    for (const o of request.outputs) {
      if (!config.outputs.some((s) => s.name === o.name)) {
        throw invalid(
          `requested output "${o.name}" is not an output of ${model}: its outputs are ${names(config.outputs)}`,
        );
      }
    }
  }
}
