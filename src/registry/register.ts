/**
 * Registering a model version (MLflow's `model-versions/create`): the version is recorded
 * PENDING_REGISTRATION, then what Weft knows about its source is derived and recorded with
 * it: the artifact behind the source and its content digest, the producing task, the run's
 * pipeline version, the upstream Dataset artifacts, the metrics snapshot, the format and
 * the input/output signature. The version ends READY, or FAILED_REGISTRATION with a
 * status message that says what failed. A source that is not a Weft artifact or a local
 * file (`s3://...`) registers READY with no lineage, as MLflow records any URI.
 */
import { readdirSync, statSync } from "node:fs";
import { basename, extname, join } from "node:path";
import { digestArtifact } from "../artifacts/index.ts";
import type { Artifact, ModelDataset, ModelVersion, Store, ModelSignature as StoredSignature } from "../store/index.ts";
import { locateSource, storeLineage } from "./lineage.ts";
import { type ModelSignature, readOnnxSignature, readTfjsModel, type TensorSignature } from "./onnx-signature.ts";

/** What a client gives to register a version. */
export interface RegisterVersionInput {
  name: string;
  source: string;
  /** MLflow's run_id: a Weft run id, or a task id (a task's MLflow run). */
  runId?: string;
  runLink?: string;
  description?: string;
  /** Kept as given, `weft.*` keys included. */
  tags?: Record<string, string>;
  userId?: string;
}

/** What the model file says about itself. */
export interface ModelFileFacts {
  digest?: string;
  format?: string;
  signature?: ModelSignature;
}

/** A registration that cannot complete; its message becomes the version's status_message. */
class RegistrationFailure extends Error {}

/** `tensorflow.js`, `tfjs` and `tfjs-layers` name one format; anything else is kept, lower case. */
function normalizeFormat(value: string): string {
  const v = value.trim().toLowerCase();
  if (v === "tensorflow.js" || v === "tfjs" || v === "tfjs-layers" || v === "tfjs_layers") return "tfjs-layers";
  return v;
}

/** The format an artifact's metadata declares (`format`, else `framework`). */
function declaredFormat(a: Artifact | undefined): string | undefined {
  for (const key of ["format", "framework"]) {
    const v = a?.metadata?.[key];
    if (typeof v === "string" && v.trim() !== "") return normalizeFormat(v);
  }
  return undefined;
}

/** The model file to read inside a folder: its one `.onnx` file, else its `model.json`. */
function fileInFolder(dir: string): { file: string; format: string } | undefined {
  const names = readdirSync(dir).sort();
  const onnx = names.filter((n) => n.endsWith(".onnx"));
  if (onnx.length === 1) return { file: join(dir, onnx[0]!), format: "onnx" };
  if (names.includes("model.json")) return { file: join(dir, "model.json"), format: "tfjs-layers" };
  return undefined;
}

/**
 * Digest, format and signature of the model at `path` (a file or a folder). The digest is
 * the artifact record's when the source is the artifact itself and has one, else the
 * file's or folder's own. The format comes from the artifact's metadata, else from the
 * file (`.onnx`; a tfjs `model.json`). Throws {@link RegistrationFailure} saying what failed.
 */
export async function readModelFile(path: string, artifact?: Artifact, exact = true): Promise<ModelFileFacts> {
  const found = await digestArtifact(path);
  if (!found) throw new RegistrationFailure(`the model file ${path} is missing; write it before registering`);
  if (found.kind === "symlink" || found.kind === "other") {
    throw new RegistrationFailure(
      `${path} is ${found.kind === "symlink" ? "a symbolic link" : "not a regular file or folder"}; register the model file itself`,
    );
  }
  const facts: ModelFileFacts = { digest: (exact ? artifact?.digest : undefined) ?? found.digest };
  let file = path;
  let fromFile: string | undefined;
  if (found.kind === "directory") {
    const inside = fileInFolder(path);
    if (inside) ({ file, format: fromFile } = inside);
  } else if (extname(path).toLowerCase() === ".onnx") fromFile = "onnx";
  else if (basename(path) === "model.json") fromFile = "tfjs-layers";
  let format = (exact ? declaredFormat(artifact) : undefined) ?? fromFile;
  // A format is read only where the file is of that kind: an ONNX file, or a model.json that
  // is a TensorFlow.js model (layers or graph; any other JSON registers without a format).
  try {
    if (format === "onnx" && statSync(file).isFile()) facts.signature = readOnnxSignature(file);
    else if (format?.startsWith("tfjs") && basename(file) === "model.json") {
      const tfjs = readTfjsModel(file);
      if (tfjs) {
        format = tfjs.format;
        if (tfjs.signature) facts.signature = tfjs.signature;
      } else if (format === fromFile) format = undefined;
    }
  } catch (cause) {
    throw new RegistrationFailure((cause as Error).message);
  }
  if (format) facts.format = format;
  return facts;
}

/** A signature as the store keeps it: numeric shapes (-1 for a named dimension), the names beside them in `dimParams`. */
export function toStoredSignature(sig: ModelSignature): StoredSignature {
  const tensor = (t: TensorSignature) => {
    const named = t.shape.some((d) => typeof d === "string");
    return {
      name: t.name,
      dtype: t.dtype,
      shape: t.shape.map((d) => (typeof d === "number" ? d : -1)),
      ...(named ? { dimParams: t.shape.map((d) => (typeof d === "string" ? d : null)) } : {}),
    };
  };
  return { inputs: sig.inputs.map(tensor), outputs: sig.outputs.map(tensor) };
}

/** The signature with named dimensions back in their places (`["batch", 3]`). */
export function fromStoredSignature(sig: StoredSignature): ModelSignature {
  const tensor = (t: StoredSignature["inputs"][number]): TensorSignature => {
    const params = Array.isArray(t.dimParams) ? (t.dimParams as unknown[]) : [];
    return {
      name: t.name,
      dtype: t.dtype,
      shape: (t.shape ?? []).map((d, i) => {
        const p = params[i];
        return typeof p === "string" ? p : (d ?? -1);
      }),
    };
  };
  return { inputs: sig.inputs.map(tensor), outputs: sig.outputs.map(tensor) };
}

/**
 * Registers a version of the registered model `input.name` (which must exist): records it
 * PENDING_REGISTRATION, derives its digest, format, signature and lineage, and records
 * READY or FAILED_REGISTRATION. Returns the final record.
 */
export async function registerModelVersion(store: Store, input: RegisterVersionInput): Promise<ModelVersion> {
  const location = locateSource(store, input.source);
  const lineage = storeLineage(store, location.artifact, input.runId);
  const created = store.models.createVersion({
    name: input.name,
    source: input.source,
    status: "PENDING_REGISTRATION",
    ...(input.runId ? { runId: input.runId } : lineage.runId ? { runId: lineage.runId } : {}),
    ...(input.runLink ? { runLink: input.runLink } : {}),
    ...(input.description !== undefined ? { description: input.description } : {}),
    ...(input.tags ? { tags: input.tags } : {}),
    ...(input.userId ? { userId: input.userId } : {}),
  });
  const datasets: ModelDataset[] = lineage.datasets.map((d) => ({ ...d }));
  const known = {
    datasets,
    metrics: lineage.metrics,
    ...(lineage.taskId ? { taskId: lineage.taskId } : {}),
    ...(lineage.taskName ? { taskName: lineage.taskName } : {}),
    ...(lineage.pipelineVersionId ? { pipelineVersionId: lineage.pipelineVersionId } : {}),
  };
  try {
    if (location.problem) throw new RegistrationFailure(location.problem);
    let facts: ModelFileFacts = {};
    if (location.path !== undefined) facts = await readModelFile(location.path, location.artifact, location.exact);
    else if (location.artifact) {
      const format = declaredFormat(location.artifact);
      facts = {
        ...(location.artifact.digest ? { digest: location.artifact.digest } : {}),
        ...(format ? { format } : {}),
      };
    }
    return store.models.updateVersion(created.name, created.version, {
      ...known,
      status: "READY",
      statusMessage: null,
      ...(facts.digest ? { digest: facts.digest } : {}),
      ...(facts.format ? { format: facts.format } : {}),
      ...(facts.signature ? { signature: toStoredSignature(facts.signature) } : {}),
    });
  } catch (cause) {
    // Any failure (a store error included) ends the version FAILED_REGISTRATION, never PENDING forever.
    const what = cause instanceof RegistrationFailure ? cause.message : `unexpected error: ${(cause as Error).message}`;
    return store.models.updateVersion(created.name, created.version, {
      ...known,
      status: "FAILED_REGISTRATION",
      statusMessage: `registration of ${input.name} version ${created.version} failed: ${what}`,
    });
  }
}
