/**
 * The local fallback model: an ONNX model run in this process through onnxruntime-node
 * (imported when the fallback is first used, so that a client without one never loads it),
 * or any {@link LocalModel} the caller brings (a runtime `Backend` fits). It answers when
 * the remote call failed in the way `when` names.
 */
import type { InferRequest, InferResult, Tensor, TensorData } from "../types.ts";
import { datatypeOf, keepFloat16AsUint16, ORT_TYPE } from "../wire/dtypes.ts";
import { ServingClientError } from "./errors.ts";

/** A model the client runs itself: a runtime `Backend` fits. */
export interface LocalModel {
  run(inputs: Tensor[], outputNames?: string[]): Promise<Tensor[]>;
  close?(): Promise<void>;
}

/**
 * When the fallback answers instead of the server:
 * - `"unreachable"`: no connection, no answer in time, or 503, after the retries;
 * - `"slow"`: as `"unreachable"`, and also when the server has not answered within
 *   `slowMs` (the remote call is then abandoned);
 * - `"error"`: any failed remote call (4xx and 5xx answers too).
 */
export type FallbackWhen = "unreachable" | "slow" | "error";

/** The client's local fallback. */
export interface FallbackOptions {
  /** An ONNX model file run in-process with onnxruntime-node. */
  modelFile?: string;
  /** A model the caller loaded (instead of `modelFile`). */
  backend?: LocalModel;
  /** Default `"unreachable"`. */
  when?: FallbackWhen;
  /** With `when: "slow"`: how long the server may take (default: the client's `timeoutMs`). */
  slowMs?: number;
  /** The `modelVersion` a fallback result reports. Default `"local"`. */
  version?: string;
}

/** The part of onnxruntime-node the fallback uses. */
interface Ort {
  Tensor: new (type: string, data: unknown, dims: readonly number[]) => OrtTensor;
  InferenceSession: {
    create(path: string): Promise<OrtSession>;
  };
}
interface OrtTensor {
  type: string;
  dims: readonly number[];
  data: unknown;
}
interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>, fetches?: string[]): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}

async function importOrt(file: string): Promise<Ort> {
  try {
    const name = "onnxruntime-node";
    const ort = (await import(name)) as Ort;
    keepFloat16AsUint16(ort);
    return ort;
  } catch (cause) {
    throw new ServingClientError(
      "SERVING_BAD_INPUT",
      `the fallback model ${file} needs onnxruntime-node: run ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node`,
      { cause },
    );
  }
}

const textDecoder = new TextDecoder();
const textEncoder = new TextEncoder();

/**
 * Loads an ONNX model file into an in-process onnxruntime-node session. A file that is
 * missing or not an ONNX model is a `SERVING_BAD_INPUT` naming it.
 */
export async function loadLocalOnnxModel(
  file: string,
): Promise<LocalModel & { inputNames: string[]; outputNames: string[]; close(): Promise<void> }> {
  const ort = await importOrt(file);
  let session: OrtSession;
  try {
    session = await ort.InferenceSession.create(file);
  } catch (cause) {
    throw new ServingClientError(
      "SERVING_BAD_INPUT",
      `the fallback model ${file} cannot be loaded (${(cause as Error).message}): give fallback.modelFile an ONNX model file`,
      { cause },
    );
  }
  let closed = false;
  return {
    inputNames: [...session.inputNames],
    outputNames: [...session.outputNames],
    async run(inputs, outputNames) {
      if (closed) throw new ServingClientError("SERVING_FALLBACK_FAILED", `the fallback model ${file} is closed`);
      const feeds: Record<string, OrtTensor> = {};
      for (const t of inputs) {
        const data = t.datatype === "BYTES" ? (t.data as Uint8Array[]).map((b) => textDecoder.decode(b)) : t.data;
        feeds[t.name] = new ort.Tensor(ORT_TYPE[t.datatype], data, t.shape);
      }
      const out = await session.run(feeds, outputNames ?? [...session.outputNames]);
      return Object.entries(out).map(([name, value]) => {
        const datatype = datatypeOf(value.type);
        if (!datatype) {
          throw new ServingClientError(
            "SERVING_FALLBACK_FAILED",
            `output "${name}" of the fallback model ${file} is of ONNX type ${value.type}, which the protocol has no datatype for`,
          );
        }
        const data =
          datatype === "BYTES"
            ? (value.data as string[]).map((s) => textEncoder.encode(s))
            : (value.data as TensorData);
        return { name, datatype, shape: value.dims.map(Number), data };
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      await session.release();
    },
  };
}

/** Runs a request on the local model, as the server would: the requested outputs, a result named like the model. */
export async function runLocal(
  local: LocalModel,
  model: string,
  version: string,
  request: InferRequest,
): Promise<InferResult> {
  const outputs = await local.run(
    request.inputs,
    request.outputs?.map((o) => o.name),
  );
  const result: InferResult = { modelName: model, modelVersion: version, outputs };
  if (request.id !== undefined) result.id = request.id;
  return result;
}
