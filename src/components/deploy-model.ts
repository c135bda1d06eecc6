/**
 * `deployModel`: the prebuilt deploy step after the registry's gate. It always writes what a
 * cluster needs — a Triton model repository (`config.pbtxt` with the model's inputs,
 * outputs and dynamic batching, and the ONNX file) and a KServe `InferenceService`
 * manifest — as artifacts; given the URL of a running `weft serve` it also deploys there:
 * asks the server to load the model URI (the model repository extension), waits until the
 * model is ready, sends a smoke test (sample rows and the outputs the pipeline expects,
 * within a tolerance), and when the smoke test fails loads the previous version back and
 * fails with what differed.
 *
 * It talks to the server over HTTP only, and like `registerModel` it is made in a function
 * call marked pure, so that the task bundle of any other component leaves it out.
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, extname } from "node:path";
import { artifact, component, param } from "../sdk/index.ts";
import { definedIn } from "./defined-in.ts";
import {
  checkServedName,
  inferenceServiceManifest,
  tritonConfigOf,
  writeTritonRepository,
} from "./deploy-manifests.ts";
import { ComponentError } from "./errors.ts";
import { readOnnxInfo } from "./onnx-info.ts";
import { errorText, type InferResponse, type JsonTensor, ServeApi } from "./serve-api.ts";

/** A smoke test: an inference request's inputs and the outputs expected for them. */
export interface SmokeTest {
  /** Open Inference Protocol JSON tensors (`data` flat or nested). */
  inputs: JsonTensor[];
  /** Expected elements of each output by name (flat, row-major); a bare list is the model's first output. */
  expected: Record<string, number[]> | number[];
  /** Largest absolute difference allowed per element; default 1e-4. */
  tolerance?: number;
}

/** What {@link deployModelTo} needs. */
export interface DeployRequest {
  /** `models:/NAME/VERSION`, `models:/NAME@ALIAS`, or a model file path the server can read. */
  modelUri: string;
  /** The served model's name; default the registered model's name, else the file's name. */
  servedName?: string;
  /** The running `weft serve`; absent: nothing is deployed. */
  serverUrl?: string;
  smoke?: SmokeTest;
  /** What to load back when the smoke test fails; default `models:/NAME/<previous version>`. */
  rollbackUri?: string;
  /** How long to wait for the load and for readiness; default 120 s. */
  readyTimeoutMs?: number;
  log?: (line: string) => void;
}

/** What {@link deployModelTo} did. */
export interface DeployOutcome {
  servedName: string;
  /** The version the server answered the smoke test with (or the URI's), if known. */
  version?: string;
  /** The version served before, if the model was served. */
  previousVersion?: string;
  /** The infer route of the deployed model. */
  endpoint: string;
  /** Largest |served - expected| of the smoke test, when there was one. */
  smokeMaxAbsDiff?: number;
}

/** A model URI's parts: `models:/NAME/VERSION` or `models:/NAME@ALIAS`, else a file. */
export function parseModelUri(uri: string): { registered?: string; version?: string; alias?: string } {
  const m = /^models:\/([^/@]+)(?:\/([^/@]+)|@([^/@]+))?\/?$/.exec(uri.trim());
  if (!m) return {};
  const name = decodeURIComponent(m[1] as string);
  return { registered: name, version: m[2], alias: m[3] };
}

/** The served name a model URI gets by default. */
export function defaultServedName(uri: string): string {
  const { registered } = parseModelUri(uri);
  if (registered !== undefined) return registered;
  const file = basename(uri.replace(/^file:\/\//, "").replace(/\/+$/, ""));
  return file.slice(0, file.length - extname(file).length) || file;
}

/** Numbers of a JSON tensor's `data`, flattened (nested rows allowed); booleans as 0/1. */
export function flatNumbers(data: unknown, where: string): number[] {
  const out: number[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) for (const x of v) walk(x);
    else if (typeof v === "number") out.push(v);
    else if (typeof v === "boolean") out.push(v ? 1 : 0);
    else {
      throw new ComponentError(
        "DEPLOY_INVALID_INPUT",
        `deployModel: ${where} holds ${JSON.stringify(v)}, not a number; the smoke test compares numeric outputs`,
      );
    }
  };
  walk(data);
  return out;
}

/**
 * Checks a smoke test's shape before anything is deployed.
 *
 * @throws ComponentError `DEPLOY_INVALID_INPUT` naming the field.
 */
export function checkSmokeTest(value: unknown, where: string): SmokeTest {
  const bad = (what: string) =>
    new ComponentError(
      "DEPLOY_INVALID_INPUT",
      `deployModel: ${where} ${what}; a smoke test is {"inputs": [{"name", "datatype", "shape", "data"}], "expected": {"<output>": [numbers]}, "tolerance": 1e-4}`,
    );
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw bad("is not an object");
  const s = value as Record<string, unknown>;
  if (!Array.isArray(s.inputs) || s.inputs.length === 0) throw bad("has no inputs");
  s.inputs.forEach((t, i) => {
    const x = t as Record<string, unknown> | null;
    if (
      x === null ||
      typeof x !== "object" ||
      typeof x.name !== "string" ||
      typeof x.datatype !== "string" ||
      !Array.isArray(x.shape) ||
      !Array.isArray(x.data)
    ) {
      throw bad(`inputs[${i}] is not a tensor with name, datatype, shape and data`);
    }
  });
  const expected = s.expected;
  if (Array.isArray(expected)) flatNumbers(expected, `${where} expected`);
  else if (expected !== null && typeof expected === "object" && Object.keys(expected).length > 0) {
    for (const [k, v] of Object.entries(expected)) flatNumbers(v, `${where} expected.${k}`);
  } else throw bad("has no expected outputs");
  if (s.tolerance !== undefined && !(typeof s.tolerance === "number" && s.tolerance >= 0)) {
    throw bad(`has tolerance ${JSON.stringify(s.tolerance)}, not a number >= 0`);
  }
  return value as SmokeTest;
}

/** What a smoke test found: the largest difference, or what failed. */
interface SmokeResult {
  ok: boolean;
  version?: string;
  maxAbsDiff: number;
  problem?: string;
}

const sortVersions = (vs: string[]) =>
  [...vs].sort((a, b) => {
    const [x, y] = [Number(a), Number(b)];
    return Number.isFinite(x) && Number.isFinite(y) ? x - y : a.localeCompare(b);
  });

async function runSmoke(
  api: ServeApi,
  name: string,
  version: string | undefined,
  smoke: SmokeTest,
): Promise<SmokeResult> {
  const expected = Array.isArray(smoke.expected) ? undefined : smoke.expected;
  const request = {
    inputs: smoke.inputs,
    ...(expected ? { outputs: Object.keys(expected).map((n) => ({ name: n })) } : {}),
  };
  const answer = await api.infer(name, version, request);
  if (answer.status !== 200) {
    return { ok: false, maxAbsDiff: Number.NaN, problem: `the smoke request failed: ${errorText(answer)}` };
  }
  const body = answer.body as InferResponse;
  const outputs = Array.isArray(body?.outputs) ? body.outputs : [];
  const want: Array<[string, number[]]> = expected
    ? Object.entries(expected).map(([k, v]) => [k, flatNumbers(v, `expected.${k}`)])
    : [[outputs[0]?.name ?? "(first output)", flatNumbers(smoke.expected, "expected")]];
  const tolerance = smoke.tolerance ?? 1e-4;
  let max = 0;
  for (const [outName, values] of want) {
    const got = outputs.find((o) => o.name === outName);
    if (!got)
      return {
        ok: false,
        version: body.model_version,
        maxAbsDiff: Number.NaN,
        problem: `the answer has no output '${outName}'`,
      };
    const data = flatNumbers(got.data, `output ${outName}`);
    if (data.length !== values.length) {
      return {
        ok: false,
        version: body.model_version,
        maxAbsDiff: Number.NaN,
        problem: `output '${outName}' has ${data.length} elements, expected ${values.length}`,
      };
    }
    for (let i = 0; i < data.length; i++) {
      const d = Math.abs((data[i] as number) - (values[i] as number));
      if (!(d <= tolerance)) {
        return {
          ok: false,
          version: body.model_version,
          maxAbsDiff: Number.isNaN(d) ? Number.NaN : d,
          problem: `output '${outName}'[${i}] is ${data[i]}, expected ${values[i]} (|difference| ${d.toPrecision(3)} > tolerance ${tolerance})`,
        };
      }
      if (d > max) max = d;
    }
  }
  return { ok: true, version: body.model_version, maxAbsDiff: max };
}

async function waitReady(api: ServeApi, name: string, version: string | undefined, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  let delay = 50;
  for (;;) {
    if (await api.ready(name, version)) return;
    if (Date.now() >= end) {
      throw new ComponentError(
        "DEPLOY_LOAD_FAILED",
        `deployModel: model '${name}'${version ? ` version ${version}` : ""} was not ready after ${Math.round(timeoutMs / 1000)} s; see weft serve's log, or raise ready_timeout_s`,
      );
    }
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 1000);
  }
}

/**
 * Deploys a model URI to a running `weft serve` and smoke-tests it; rolls back on failure.
 *
 * @throws ComponentError `DEPLOY_SERVER_UNREACHABLE`, `DEPLOY_LOAD_FAILED`,
 *   `DEPLOY_SMOKE_FAILED` (after loading the previous version back, or unloading the model
 *   when none was served), `DEPLOY_ROLLBACK_FAILED`.
 */
export async function deployModelTo(req: DeployRequest & { serverUrl: string }): Promise<DeployOutcome> {
  const log = req.log ?? (() => undefined);
  const name = checkServedName(req.servedName || defaultServedName(req.modelUri));
  const api = new ServeApi(req.serverUrl);
  const timeoutMs = req.readyTimeoutMs ?? 120_000;
  const { registered, version: uriVersion } = parseModelUri(req.modelUri);
  await api.live();

  // the version served now: the one that answers an unversioned request, else the highest loaded
  const before = await api.versions(name);
  let previousVersion: string | undefined;
  if (before !== undefined && before.length > 0) {
    if (req.smoke) previousVersion = (await runSmoke(api, name, undefined, req.smoke)).version;
    previousVersion ??= sortVersions(before).at(-1);
  }
  // what a failed smoke test loads back, known before anything changes on the server
  const back =
    previousVersion === undefined
      ? undefined
      : req.rollbackUri ||
        (registered !== undefined ? `models:/${encodeURIComponent(registered)}/${previousVersion}` : undefined);
  if (req.smoke && previousVersion !== undefined && back === undefined) {
    throw new ComponentError(
      "DEPLOY_INVALID_INPUT",
      `deployModel: '${name}' version ${previousVersion} is served now, and a failed smoke test could not load it back: ${req.modelUri} is not a models:/ URI; pass rollback_uri (what the server loaded it from); nothing was deployed`,
    );
  }
  log(
    `deployModel: loading ${req.modelUri} as '${name}' on ${api.base}${previousVersion ? ` (serving version ${previousVersion} now)` : ""}`,
  );
  await api.load(name, { uri: req.modelUri }, timeoutMs);
  await waitReady(api, name, uriVersion, timeoutMs);
  const endpoint = `${api.base}${api.modelPath(name)}/infer`;
  if (!req.smoke) {
    log(`deployModel: '${name}' is ready at ${endpoint} (no smoke test given)`);
    return { servedName: name, version: uriVersion, previousVersion, endpoint };
  }

  const smoke = await runSmoke(api, name, uriVersion, req.smoke);
  if (smoke.ok) {
    log(
      `deployModel: smoke test passed on '${name}' version ${smoke.version ?? "?"}: max |served - expected| = ${smoke.maxAbsDiff.toExponential(2)}`,
    );
    return {
      servedName: name,
      version: smoke.version ?? uriVersion,
      previousVersion,
      endpoint,
      smokeMaxAbsDiff: smoke.maxAbsDiff,
    };
  }

  const failed = `${req.modelUri} (served as '${name}'${smoke.version ? ` version ${smoke.version}` : ""}) failed its smoke test: ${smoke.problem}`;
  log(`deployModel: ${failed}; rolling back`);
  let rolledBack: string;
  try {
    if (back !== undefined) {
      await api.load(name, { uri: back }, timeoutMs);
      await waitReady(api, name, undefined, timeoutMs);
      rolledBack = `loaded ${back} back`;
    } else {
      await api.unload(name);
      rolledBack = `no version was served before, so '${name}' was unloaded`;
    }
  } catch (cause) {
    throw new ComponentError(
      "DEPLOY_ROLLBACK_FAILED",
      `deployModel: ${failed}; rolling back failed too: ${cause instanceof Error ? cause.message : String(cause)}; check '${name}' on ${api.base} by hand`,
      { cause },
    );
  }
  throw new ComponentError("DEPLOY_SMOKE_FAILED", `deployModel: ${failed}; ${rolledBack}`);
}

/** The smoke test from the component's inputs: the artifact's JSON file, else the object. */
function smokeOf(file: string | undefined, value: unknown): SmokeTest | undefined {
  if (file !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, "utf8"));
    } catch (cause) {
      throw new ComponentError(
        "DEPLOY_INVALID_INPUT",
        `deployModel: smoke_test ${file} is not a JSON file: ${cause instanceof Error ? cause.message : String(cause)}`,
        { cause },
      );
    }
    return checkSmokeTest(parsed, `smoke_test ${file}`);
  }
  if (value === undefined || value === null || (typeof value === "object" && Object.keys(value).length === 0))
    return undefined;
  return checkSmokeTest(value, "smoke");
}

/**
 * Deploys a model: writes a Triton model repository and a KServe InferenceService manifest,
 * and, given `server_url`, loads the model into a running `weft serve`, smoke-tests it and
 * rolls back when the test fails. See "Prebuilt components" in docs/sdk.md.
 *
 * @example
 * deployModel({
 *   model: exported.outputs.onnx_model,
 *   model_uri: reg.outputs.model_uri,
 *   server_url: p.serve_url,
 *   smoke_test: sample.outputs.smoke_test,
 * });
 */
export const deployModel = /* @__PURE__ */ (() =>
  definedIn(
    component({
      name: "deploy_model",
      description:
        "Writes a Triton model repository and a KServe InferenceService manifest for an ONNX model; given a weft serve URL, loads the model there, smoke-tests it and rolls back on failure.",
      inputs: {
        model: artifact.Model,
        model_uri: param.string({ optional: true }),
        served_name: param.string({ optional: true }),
        server_url: param.string({ optional: true }),
        smoke_test: artifact.optional(artifact.Artifact),
        smoke: param.object<Record<string, unknown>>({ optional: true }),
        rollback_uri: param.string({ optional: true }),
        storage_uri: param.string({ optional: true }),
        namespace: param.string({ optional: true }),
        max_batch_size: param.int({ default: 1024 }),
        max_queue_delay_us: param.int({ default: 100 }),
        ready_timeout_s: param.float({ default: 120 }),
      },
      outputs: {
        deployed: param.bool(),
        served_name: param.string(),
        served_version: param.string(),
        endpoint: param.string(),
        manifest: artifact.Artifact,
        triton_repository: artifact.Artifact,
      },
      async run(inputs, outputs) {
        const modelUri = inputs.model_uri?.trim() || inputs.model.uri;
        const servedName = checkServedName(inputs.served_name?.trim() || defaultServedName(modelUri));
        const smoke = smokeOf(inputs.smoke_test?.path, inputs.smoke);
        const modelFile = inputs.model.path;
        if (!statSync(modelFile, { throwIfNoEntry: false })?.isFile()) {
          throw new ComponentError(
            "DEPLOY_INVALID_INPUT",
            `deployModel: the model artifact ${modelFile} is not a file; pass the ONNX model the export step wrote`,
          );
        }
        const info = readOnnxInfo(readFileSync(modelFile), modelFile);
        const config = tritonConfigOf(servedName, info, {
          maxBatchSize: inputs.max_batch_size,
          maxQueueDelayMicroseconds: inputs.max_queue_delay_us,
        });

        let outcome: DeployOutcome | undefined;
        const serverUrl = inputs.server_url?.trim();
        if (serverUrl) {
          outcome = await deployModelTo({
            modelUri,
            servedName,
            serverUrl,
            smoke,
            rollbackUri: inputs.rollback_uri?.trim() || undefined,
            readyTimeoutMs: inputs.ready_timeout_s * 1000,
            log: (line) => console.log(line),
          });
        }
        const version = outcome?.version ?? parseModelUri(modelUri).version ?? "1";
        const tritonVersion = /^[1-9][0-9]*$/.test(version) ? version : "1";
        mkdirSync(outputs.triton_repository.path, { recursive: true });
        const files = writeTritonRepository(outputs.triton_repository.path, config, tritonVersion, modelFile);
        const storageUri = inputs.storage_uri?.trim() || outputs.triton_repository.uri;
        writeFileSync(
          outputs.manifest.path,
          inferenceServiceManifest({
            name: servedName,
            storageUri,
            namespace: inputs.namespace?.trim() || undefined,
            modelUri,
            version,
          }),
        );
        Object.assign(outputs.triton_repository.metadata, { model_name: servedName, version: tritonVersion });
        Object.assign(outputs.manifest.metadata, { kind: "InferenceService", storage_uri: storageUri });
        console.log(`deployModel: Triton repository ${files.join(", ")}`);
        console.log(`deployModel: KServe InferenceService ${outputs.manifest.path} (storageUri ${storageUri})`);
        if (!outcome) console.log("deployModel: no server_url given; nothing deployed");
        return {
          deployed: outcome !== undefined,
          served_name: servedName,
          served_version: outcome?.version ?? "",
          endpoint: outcome?.endpoint ?? "",
        };
      },
    }),
    import.meta.url,
  ))();
