/**
 * The on-disk format of a feature split: a small JSON header (feature names, the fitted
 * scaler and encoders) followed by little-endian float32 blocks for the features, the
 * labels and the generator's true fraud probabilities (NaN when unknown, as for real data).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { FraudPipelineError } from "./errors.ts";

const MAGIC = "WFTFEAT1";

/** A standardising scaler fitted on the training split: x' = (x - mean) / std. */
export interface Scaler {
  mean: number[];
  std: number[];
}

/** What is stored with every split so that downstream steps need no other input. */
export interface SplitHeader {
  split: "train" | "validation" | "test";
  rows: number;
  featureNames: string[];
  scaler: Scaler;
  /** Target encodings (log-odds offsets) fitted on the training split. */
  encoders: { mcc: Record<string, number>; state: Record<string, number> };
  /** Time range of the split, ISO dates. */
  from: string;
  to: string;
}

/** A feature split: row-major features plus labels and true probabilities. */
export interface FeatureSplit {
  header: SplitHeader;
  features: Float32Array;
  labels: Float32Array;
  truth: Float32Array;
}

/** Writes a split to `path`. */
export function writeSplit(path: string, split: FeatureSplit): void {
  const { header } = split;
  const width = header.featureNames.length;
  if (split.features.length !== header.rows * width || split.labels.length !== header.rows) {
    throw new FraudPipelineError(
      "FRAUD_DATASET_FORMAT",
      `writeSplit(${path}): ${header.rows} rows x ${width} features need ${header.rows * width} values, ` +
        `got ${split.features.length} features and ${split.labels.length} labels.`,
    );
  }
  let json = Buffer.from(JSON.stringify(header), "utf8");
  const pad = (4 - ((MAGIC.length + 4 + json.length) % 4)) % 4;
  json = Buffer.concat([json, Buffer.alloc(pad, 0x20)]);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(json.length);
  const blocks = [split.features, split.labels, split.truth].map((a) =>
    Buffer.from(a.buffer, a.byteOffset, a.byteLength),
  );
  writeFileSync(path, Buffer.concat([Buffer.from(MAGIC), len, json, ...blocks]));
}

function f32(buf: Buffer, offset: number, count: number): Float32Array {
  const out = new Float32Array(count);
  new Uint8Array(out.buffer).set(buf.subarray(offset, offset + count * 4));
  return out;
}

/** Reads a split written by {@link writeSplit}. */
export function readSplit(path: string): FeatureSplit {
  const buf = readFileSync(path);
  if (buf.subarray(0, MAGIC.length).toString() !== MAGIC) {
    throw new FraudPipelineError(
      "FRAUD_DATASET_FORMAT",
      `${path} is not a feature split (missing the ${MAGIC} marker); pass an output of the preprocess step.`,
    );
  }
  const len = buf.readUInt32LE(MAGIC.length);
  const start = MAGIC.length + 4;
  const header = JSON.parse(buf.subarray(start, start + len).toString("utf8")) as SplitHeader;
  const width = header.featureNames.length;
  let offset = start + len;
  const need = offset + header.rows * (width + 2) * 4;
  if (buf.length !== need) {
    throw new FraudPipelineError(
      "FRAUD_DATASET_FORMAT",
      `${path} has ${buf.length} bytes, expected ${need} for ${header.rows} rows; the file is truncated or corrupt.`,
    );
  }
  const features = f32(buf, offset, header.rows * width);
  offset += features.byteLength;
  const labels = f32(buf, offset, header.rows);
  offset += labels.byteLength;
  const truth = f32(buf, offset, header.rows);
  return { header, features, labels, truth };
}

/** Applies the scaler to row-major features, returning a new array. */
export function scale(features: Float32Array, scaler: Scaler): Float32Array {
  const width = scaler.mean.length;
  const out = new Float32Array(features.length);
  for (let i = 0; i < features.length; i++) {
    const j = i % width;
    out[i] = ((features[i] as number) - (scaler.mean[j] as number)) / (scaler.std[j] as number);
  }
  return out;
}

const PRED_MAGIC = "WFTPRED1";

/** Model scores for the validation and test splits, in split row order. */
export interface Predictions {
  validation: Float32Array;
  test: Float32Array;
}

/** Writes predictions as a marker, two row counts and two float32 blocks. */
export function writePredictions(path: string, p: Predictions): void {
  const head = Buffer.alloc(PRED_MAGIC.length + 8);
  head.write(PRED_MAGIC);
  head.writeUInt32LE(p.validation.length, PRED_MAGIC.length);
  head.writeUInt32LE(p.test.length, PRED_MAGIC.length + 4);
  const blocks = [p.validation, p.test].map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength));
  writeFileSync(path, Buffer.concat([head, ...blocks]));
}

/** Reads predictions written by {@link writePredictions}. */
export function readPredictions(path: string): Predictions {
  const buf = readFileSync(path);
  const start = PRED_MAGIC.length + 8;
  const nv = buf.length >= start ? buf.readUInt32LE(PRED_MAGIC.length) : 0;
  const nt = buf.length >= start ? buf.readUInt32LE(PRED_MAGIC.length + 4) : 0;
  if (buf.subarray(0, PRED_MAGIC.length).toString() !== PRED_MAGIC || buf.length !== start + (nv + nt) * 4) {
    throw new FraudPipelineError(
      "FRAUD_DATASET_FORMAT",
      `${path} is not a predictions file (${PRED_MAGIC} marker and sizes); pass the predictions output of train.`,
    );
  }
  return { validation: f32(buf, start, nv), test: f32(buf, start + nv * 4, nt) };
}
