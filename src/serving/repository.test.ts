import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ModelArtifact } from "../../examples/fraud-detection/lib/model.ts";
import {
  buildOnnxModel,
  writeTritonRepository as writeFraudRepository,
} from "../../examples/fraud-detection/lib/onnx.ts";
import { denseModel, denseReference, identityModel, twoInputModel } from "../../test/serving/onnx-models.ts";
import { saveLayersModel } from "../../test/serving/tfjs-models.ts";
import { tritonConfigOf, writeTritonRepository as writeDeployed } from "../components/deploy-manifests.ts";
import { readOnnxInfo } from "../components/onnx-info.ts";
import { openStore, type Store } from "../store/index.ts";
import { ServingError } from "./errors.ts";
import { parseModelConfig } from "./pbtxt.ts";
import { DEFAULT_MAX_BATCH_SIZE, type ModelSource, resolveSources } from "./repository.ts";
import { loadBackend } from "./runtime/index.ts";
import { writeTritonRepository } from "./triton-repo.ts";
import type { ModelConfig } from "./types.ts";

const dir = mkdtempSync(join(tmpdir(), "weft-serving-repo-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
const fresh = (name: string): string => {
  const d = join(dir, `${name}-${++n}`);
  mkdirSync(d, { recursive: true });
  return d;
};

async function rejection(p: Promise<unknown>): Promise<ServingError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ServingError);
    return err as ServingError;
  }
  throw new Error("expected a rejection");
}

const denseTriton = (policy: ModelConfig["versionPolicy"]): ModelConfig => ({
  name: "ignored",
  platform: "onnxruntime_onnx",
  maxBatchSize: 8,
  inputs: [{ name: "x", datatype: "FP32", shape: [4] }],
  outputs: [{ name: "y", datatype: "FP32", shape: [1] }],
  dynamicBatching: { preferredBatchSize: [4], maxQueueDelayMicroseconds: 100 },
  versionPolicy: policy,
});

describe("model files", () => {
  it("an .onnx file serves as version 1 under its folder's name, its config derived from the file", async () => {
    const [source] = await resolveSources([{ source: denseModel() }]);
    expect(source).toMatchObject({ name: "dense", kind: "file", policy: { kind: "specific", versions: [1] } });
    const [v] = await source!.served();
    expect(v).toEqual({
      version: "1",
      file: denseModel(),
      config: {
        name: "dense",
        platform: "onnxruntime_onnx",
        maxBatchSize: DEFAULT_MAX_BATCH_SIZE,
        inputs: [{ name: "x", datatype: "FP32", shape: [4] }],
        outputs: [{ name: "y", datatype: "FP32", shape: [1] }],
        dynamicBatching: { preferredBatchSize: [], maxQueueDelayMicroseconds: 0 },
        versionPolicy: { kind: "specific", versions: [1] },
      },
    });
    expect((await rejection(source!.version("2"))).code).toBe("NOT_FOUND");
  });

  it("--name names it; a named file keeps its stem; a folder with one .onnx serves that file", async () => {
    const d = fresh("files");
    copyFileSync(denseModel(), join(d, "fraud.onnx"));
    const sources = await resolveSources([
      { source: denseModel(), name: "scorer" },
      { source: join(d, "fraud.onnx") },
      { source: d, name: "folder" },
    ]);
    expect(sources.map((s) => s.name)).toEqual(["scorer", "fraud", "folder"]);
    expect((await sources[2]!.served())[0]!.file).toBe(join(d, "fraud.onnx"));
  });

  it("refuses a missing file, a bad name, two sources under one name, and a file that is no model", async () => {
    expect((await rejection(resolveSources([{ source: join(dir, "nope.onnx") }]))).message).toMatch(
      /nope\.onnx does not exist; give a models:\/ URI, an \.onnx file/,
    );
    expect((await rejection(resolveSources([{ source: denseModel(), name: "../up" }]))).code).toBe("INVALID_ARGUMENT");
    const twice = await rejection(resolveSources([{ source: denseModel() }, { source: denseModel() }]));
    expect(twice.message).toMatch(/two sources serve model 'dense'.*another --name/);
    const d = fresh("not-a-model");
    writeFileSync(join(d, "model.onnx"), "id,amount\n1,2\n");
    const [bad] = await resolveSources([{ source: join(d, "model.onnx") }]);
    const err = await rejection(bad!.served());
    expect(err.code).toBe("MODEL_INVALID");
    expect(err.message).toContain(join(d, "model.onnx"));
    const empty = fresh("empty");
    expect((await rejection(resolveSources([{ source: empty }]))).message).toMatch(/holds no \.onnx file, model\.json/);
  });
});

describe("Triton model repositories", () => {
  let repo: string;
  beforeAll(() => {
    repo = fresh("triton");
    writeTritonRepository(repo, {
      name: "dense",
      versions: ["1", "2", "3"].map((version) => ({ version, file: denseModel() })),
      config: denseTriton({ kind: "latest", numVersions: 2 }),
    });
    writeTritonRepository(repo, {
      name: "two_input",
      versions: [{ version: "1", file: twoInputModel() }],
      config: {
        name: "two_input",
        platform: "onnxruntime_onnx",
        maxBatchSize: 0,
        inputs: [],
        outputs: [],
        versionPolicy: { kind: "all" },
      },
    });
    // Not versions, as in Triton: names that are no whole number, or start with 0.
    for (const skip of ["0", "01", "latest"]) {
      mkdirSync(join(repo, "dense", skip));
      copyFileSync(denseModel(), join(repo, "dense", skip, "model.onnx"));
    }
    mkdirSync(join(repo, "dense", "4")); // no model file: left out
    writeFileSync(join(repo, "dense", "5"), "a file, not a folder");
    symlinkSync(join(dir, "gone"), join(repo, "dense", "6")); // a dangling link
    symlinkSync(join(dir, "gone"), join(repo, "dangling-model"));
    writeFileSync(join(repo, "README.md"), "not a model");
  });

  it("lays a model out as Triton reads it: config.pbtxt and <version>/model.onnx", () => {
    const config = parseModelConfig(readFileSync(join(repo, "dense", "config.pbtxt"), "utf8"), "config.pbtxt");
    expect(config).toEqual({ ...denseTriton({ kind: "latest", numVersions: 2 }), name: "dense" });
    expect(readFileSync(join(repo, "dense", "3", "model.onnx"))).toEqual(readFileSync(denseModel()));
  });

  it("gives one source per model folder; the version policy picks what is served", async () => {
    const sources = await resolveSources([{ source: repo, repository: true }]);
    expect(sources.map((s) => [s.name, s.kind])).toEqual([
      ["dense", "repository"],
      ["two_input", "repository"],
    ]);
    const [dense, two] = sources as [ModelSource, ModelSource];
    expect((await dense.versions()).map((v) => v.version)).toEqual(["1", "2", "3"]);
    expect((await dense.served()).map((v) => v.version)).toEqual(["2", "3"]);
    expect(dense.policy).toEqual({ kind: "latest", numVersions: 2 });
    const v1 = await dense.version("1");
    expect(v1.file).toBe(join(repo, "dense", "1", "model.onnx"));
    expect(v1.config).toEqual({ ...denseTriton({ kind: "latest", numVersions: 2 }), name: "dense" });
    const missing = await rejection(dense.version("4"));
    expect(missing.code).toBe("NOT_FOUND");
    expect(missing.message).toMatch(/model 'dense' has no version 4 .*\(it has 1, 2, 3\)/);
    // No max_batch_size and no inputs in its config: the file's own dims, batch dimension kept.
    const [t] = await two.served();
    expect(t!.config).toMatchObject({
      maxBatchSize: 0,
      inputs: [
        { name: "a", shape: [-1, 2] },
        { name: "b", shape: [-1, 2] },
      ],
      outputs: [{ name: "sum" }, { name: "diff" }],
      versionPolicy: { kind: "all" },
    });
    expect(t!.config.dynamicBatching).toBeUndefined();
  });

  it("reads the folder again on each call: a new version folder and a changed policy are seen", async () => {
    const r = fresh("triton-live");
    writeTritonRepository(r, {
      name: "dense",
      versions: [{ version: "1", file: denseModel() }],
      config: denseTriton({ kind: "latest", numVersions: 1 }),
    });
    const [dense] = await resolveSources([{ source: r, repository: true, models: ["dense"] }]);
    expect((await dense!.served()).map((v) => v.version)).toEqual(["1"]);
    mkdirSync(join(r, "dense", "7"));
    copyFileSync(denseModel(), join(r, "dense", "7", "model.onnx"));
    expect((await dense!.served()).map((v) => v.version)).toEqual(["7"]);
    writeTritonRepository(r, {
      name: "dense",
      versions: [],
      config: denseTriton({ kind: "specific", versions: [1, 9] }),
    });
    expect((await rejection(dense!.served())).message).toMatch(/has no version 9, which its version_policy names/);
  });

  it("a model folder named on its own serves like a repository model", async () => {
    const [dense] = await resolveSources([{ source: join(repo, "dense") }]);
    expect(dense).toMatchObject({ name: "dense", kind: "repository" });
    expect((await dense!.served()).map((v) => v.version)).toEqual(["2", "3"]);
  });

  it("checks the config against the model file, naming both and what to fix", async () => {
    const r = fresh("triton-bad");
    const cases: [Partial<ModelConfig>, RegExp][] = [
      [
        { inputs: [{ name: "features", datatype: "FP32", shape: [4] }] },
        /input 'features' is not an input of .* \(it has x\)/,
      ],
      [{ inputs: [{ name: "x", datatype: "FP64", shape: [4] }] }, /input 'x' is FP64 in the config but FP32 in/],
      [
        { inputs: [{ name: "x", datatype: "FP32", shape: [5] }] },
        /input 'x' has dims \[5\] in the config but \[4\] in .*after the batch dimension/,
      ],
      [{ outputs: [{ name: "z", datatype: "FP32", shape: [1] }] }, /output 'z' is not an output of/],
    ];
    for (const [change, message] of cases) {
      writeTritonRepository(r, {
        name: "dense",
        versions: [{ version: "1", file: denseModel() }],
        config: { ...denseTriton({ kind: "latest", numVersions: 1 }), ...change },
      });
      const [dense] = await resolveSources([{ source: r, repository: true }]);
      const err = await rejection(dense!.served());
      expect(err.code).toBe("MODEL_INVALID");
      expect(err.message).toContain(join(r, "dense", "config.pbtxt"));
      expect(err.message).toMatch(message);
    }
    writeFileSync(join(r, "dense", "config.pbtxt"), `platform: "tensorflow_js"\n`);
    const [tfjs] = await resolveSources([{ source: r, repository: true }]);
    expect((await rejection(tfjs!.served())).message).toMatch(/no numbered folder of .*dense holds model\.json/);
    writeFileSync(
      join(r, "dense", "config.pbtxt"),
      `default_model_filename: "model.onnx"\nplatform: "tensorflow_js"\n`,
    );
    expect((await rejection(tfjs!.served())).message).toMatch(/platform tensorflow_js does not match the model file/);
    writeFileSync(join(r, "dense", "config.pbtxt"), `name: "other"\n`);
    const [renamed] = await resolveSources([{ source: r, repository: true }]);
    expect((await rejection(renamed!.served())).message).toMatch(
      /name 'other' differs from the model folder's name 'dense'/,
    );
  });

  it("no name or path leaves the repository", async () => {
    const r = fresh("triton-escape");
    const outside = fresh("outside");
    copyFileSync(denseModel(), join(outside, "model.onnx"));
    mkdirSync(join(r, "dense"));
    symlinkSync(outside, join(r, "dense", "1"));
    const [dense] = await resolveSources([{ source: r, repository: true }]);
    const err = await rejection(dense!.served());
    expect(err.message).toMatch(/leads outside the model repository/);
    for (const name of ["..", "../outside", "a/b", ".hidden"]) {
      const bad = await rejection(resolveSources([{ source: r, repository: true, models: [name] }]));
      expect(bad.code).toBe("INVALID_ARGUMENT");
    }
    const unknown = await rejection(resolveSources([{ source: r, repository: true, models: ["nope"] }]));
    expect(unknown.message).toMatch(/has no model 'nope' \(it has dense\)/);
    expect(() =>
      writeTritonRepository(r, { name: "../x", versions: [], config: denseTriton({ kind: "all" }) }),
    ).toThrow(/not a folder name/);
    expect(() =>
      writeTritonRepository(r, {
        name: "x",
        versions: [{ version: "../1", file: denseModel() }],
        config: denseTriton({ kind: "all" }),
      }),
    ).toThrow(/is not a version number/);
  });
});

/** The fraud example's logistic regression over 3 features. */
const fraudModel: ModelArtifact = {
  format: "weft-fraud-model/1",
  kind: "logreg",
  featureNames: ["a", "b", "c"],
  scaler: { mean: [0, 1, 0], std: [1, 2, 1] },
  layers: [{ weights: [[0.5], [-1], [0.25]], bias: [0.1], activation: "sigmoid" }],
  hyperparameters: {},
  training: { trainRows: 0, epochs: 0, seconds: 0, finalLoss: 0, classWeight: 1 },
};

describe("models:/ URIs", () => {
  let store: Store;
  let onnxFile: string;
  let tritonFolder: string;
  beforeAll(async () => {
    store = openStore(fresh("home"));
    const bytes = await buildOnnxModel(fraudModel);
    // As the fraud pipeline records them: the export step's `onnx_model` (a file with no
    // extension, format onnx) and its `triton_repository` folder.
    const exportDir = fresh("export");
    onnxFile = join(exportDir, "onnx_model");
    writeFileSync(onnxFile, bytes);
    tritonFolder = join(exportDir, "triton_repository");
    writeFraudRepository(tritonFolder, bytes, fraudModel.featureNames.length);
    store.models.createModel({ name: "fraud-detector" });
    store.models.createVersion({
      name: "fraud-detector",
      source: `file://${onnxFile}`,
      format: "onnx",
      status: "READY",
    });
    store.models.createVersion({ name: "fraud-detector", source: `file://${tritonFolder}`, status: "READY" });
    store.models.createVersion({ name: "fraud-detector", source: "s3://bucket/model", status: "READY" });
    store.models.createVersion({ name: "fraud-detector", source: `file://${onnxFile}`, status: "FAILED_REGISTRATION" });
    store.models.setAlias("fraud-detector", "champion", 1);
  });
  afterAll(() => store.close());

  it("serves the version an alias points at, and follows the alias when it moves", async () => {
    const [source] = await resolveSources([{ source: "models:/fraud-detector@champion" }], { store });
    expect(source).toMatchObject({ name: "fraud-detector", kind: "registry", alias: "champion" });
    expect(source!.policy).toEqual({ kind: "specific", versions: [1] });
    const [v1] = await source!.served();
    expect(v1).toMatchObject({ version: "1", file: onnxFile, aliases: ["champion"] });
    expect(v1!.config).toMatchObject({
      name: "fraud-detector",
      maxBatchSize: DEFAULT_MAX_BATCH_SIZE,
      inputs: [{ name: "features", datatype: "FP32", shape: [3] }],
      outputs: [{ name: "fraud_probability", datatype: "FP32", shape: [1] }],
      versionPolicy: { kind: "specific", versions: [1] },
    });
    store.models.setAlias("fraud-detector", "champion", 2);
    expect(source!.resolveAlias("champion")).toBe("2");
    expect(source!.resolveAlias("nobody")).toBeUndefined();
    const [v2] = await source!.served();
    // The Triton repository form: its config.pbtxt (batch 1024), the model served under the registry's name.
    expect(v2).toMatchObject({ version: "2", file: join(tritonFolder, "fraud_detection", "1", "model.onnx") });
    expect(v2!.config).toMatchObject({ name: "fraud-detector", maxBatchSize: 1024, instanceCount: 1 });
    expect((await source!.versions()).map((v) => v.version)).toEqual(["1", "2"]);
    const s3 = await rejection(source!.version("3"));
    expect(s3.message).toMatch(
      /version 3 of registered model 'fraud-detector' has source 's3:\/\/bucket\/model', which is not a local file/,
    );
    expect((await rejection(source!.version("4"))).message).toMatch(/is FAILED_REGISTRATION/);
    expect((await rejection(source!.version("9"))).code).toBe("NOT_FOUND");
    store.models.setAlias("fraud-detector", "champion", 1);
    source!.close();
  });

  it("both registered forms run in ONNX Runtime with the same scores", async () => {
    const [a, b] = await resolveSources(
      [
        { source: "models:/fraud-detector/1", name: "file-form" },
        { source: "models:/fraud-detector/2", name: "triton-form" },
      ],
      { store },
    );
    const rows = new Float32Array([1, 2, 3, -1, 0, 0.5]);
    const scores: number[][] = [];
    for (const source of [a!, b!]) {
      const [v] = await source.served();
      const backend = await loadBackend(v!.file, v!.config, { workers: 1 });
      try {
        const [y] = await backend.run([{ name: "features", datatype: "FP32", shape: [2, 3], data: rows }]);
        scores.push(Array.from(y!.data as Float32Array));
      } finally {
        await backend.close();
      }
      source.close();
    }
    expect(scores[0]).toHaveLength(2);
    expect(scores[1]).toEqual(scores[0]);
  });

  it("a wrong model, version or alias fails at resolve time with the registry's message", async () => {
    const cases: [string, string, RegExp][] = [
      ["models:/nobody@champion", "NOT_FOUND", /no registered model is named 'nobody'/],
      ["models:/fraud-detector@ghost", "NOT_FOUND", /has no alias 'ghost'/],
      ["models:/fraud-detector/12", "NOT_FOUND", /has no version 12/],
      ["models:/fraud-detector", "INVALID_ARGUMENT", /write models:\/NAME\/VERSION/],
    ];
    for (const [uri, code, message] of cases) {
      const err = await rejection(resolveSources([{ source: uri }], { store }));
      expect(err.code).toBe(code);
      expect(err.message).toMatch(message);
    }
    const home = join(dir, "no-home");
    expect((await rejection(resolveSources([{ source: "models:/m/1" }], { home }))).message).toMatch(
      /home .*no-home does not exist/,
    );
  });

  it("lists the versions of a model whose name has quotes and backslashes", async () => {
    const name = `Ann's "fraud" \\ model`;
    store.models.createModel({ name });
    store.models.createVersion({ name, source: `file://${onnxFile}`, format: "onnx", status: "READY" });
    const [source] = await resolveSources([{ source: `models:/${name}/latest`, name: "quoted" }], { store });
    expect((await source!.versions()).map((v) => v.version)).toEqual(["1"]);
    expect((await source!.served())[0]!.file).toBe(onnxFile);
  });

  it("opens the store under the home itself when given none", async () => {
    const [source] = await resolveSources([{ source: "models:/fraud-detector/1" }], { home: store.home });
    expect((await source!.served())[0]!.version).toBe("1");
    source!.close();
    source!.close();
  });
});

describe("the dense test model through a derived config", () => {
  it("scores as the reference computes", async () => {
    const [source] = await resolveSources([{ source: denseModel() }]);
    const [v] = await source!.served();
    const backend = await loadBackend(v!.file, v!.config, { workers: 1 });
    try {
      const rows = [0.5, 1, -1, 2, 0, 0, 0, 0];
      const [y] = await backend.run([{ name: "x", datatype: "FP32", shape: [2, 4], data: new Float32Array(rows) }]);
      const want = denseReference(rows);
      const got = Array.from(y!.data as Float32Array);
      for (const [i, value] of got.entries()) expect(value).toBeCloseTo(want[i]!, 6);
    } finally {
      await backend.close();
    }
  });
});

describe("TensorFlow.js layers models", () => {
  /** A small layers model (4 → 1 sigmoid) saved as model.save() writes it: model.json and weights.bin. */
  async function saveScorer(folder: string): Promise<string> {
    const { model, file } = await saveLayersModel(folder, (tf) => [
      tf.layers.dense({ inputShape: [4], units: 1, activation: "sigmoid", name: "score" }),
    ]);
    model.dispose();
    return file;
  }

  it("a model.json folder serves with a config from the model; a Triton layout carries its weights", async () => {
    const file = await saveScorer(join(fresh("tfjs"), "scorer"));
    const [source] = await resolveSources([{ source: join(file, "..") }]);
    expect(source!.name).toBe("scorer");
    const [v] = await source!.served();
    expect(v!.config).toEqual({
      name: "scorer",
      platform: "tensorflow_js",
      maxBatchSize: DEFAULT_MAX_BATCH_SIZE,
      inputs: [{ name: "score_input", datatype: "FP32", shape: [4] }],
      outputs: [{ name: "score", datatype: "FP32", shape: [1] }],
      dynamicBatching: { preferredBatchSize: [], maxQueueDelayMicroseconds: 0 },
      versionPolicy: { kind: "specific", versions: [1] },
    });
    const repo = fresh("tfjs-repo");
    const config: ModelConfig = { ...v!.config, versionPolicy: { kind: "latest", numVersions: 1 } };
    const written = writeTritonRepository(repo, { name: "scorer", versions: [{ version: "3", file }], config });
    expect(written).toEqual(
      ["config.pbtxt", "3/model.json", "3/weights.bin"].map((f) => join(repo, "scorer", ...f.split("/"))),
    );
    const [fromRepo] = await resolveSources([{ source: repo, repository: true }]);
    const [r] = await fromRepo!.served();
    expect(r!.file).toBe(join(repo, "scorer", "3", "model.json"));
    expect(r!.config).toEqual(config);
  });
});

describe("served names", () => {
  it("a registry-style name with spaces serves; path-like and empty names do not", async () => {
    const [s] = await resolveSources([{ source: denseModel(), name: "Fraud Detector" }]);
    expect(s!.name).toBe("Fraud Detector");
    for (const name of ["", ".", "..", "a/b", "a\\b", "tab\there"]) {
      const err = await rejection(resolveSources([{ source: denseModel(), name }]));
      expect(err.code).toBe("INVALID_ARGUMENT");
      expect(err.message).toMatch(/cannot name a served model/);
    }
  });
});

describe("the Triton repository deployModel writes", () => {
  it("serves with the same inputs and outputs as the model file itself", async () => {
    const repo = fresh("deployed");
    for (const [name, file] of [
      ["dense", denseModel()],
      ["two_input", twoInputModel()],
      ["int8", identityModel("INT8", { dims: ["batch", 3, 2] })],
    ] as const) {
      const info = readOnnxInfo(readFileSync(file), file);
      const config = tritonConfigOf(name, info, { maxBatchSize: 16, maxQueueDelayMicroseconds: 100 });
      writeDeployed(repo, config, "2", file);
    }
    const sources = await resolveSources([{ source: repo, repository: true }]);
    for (const source of sources) {
      const [fromRepo] = await source.served();
      const [fromFile] = await (await resolveSources([{ source: fromRepo!.file, name: source.name }]))[0]!.served();
      expect(fromRepo!.version).toBe("2");
      expect(fromRepo!.config).toMatchObject({
        maxBatchSize: 16,
        inputs: fromFile!.config.inputs,
        outputs: fromFile!.config.outputs,
        dynamicBatching: { preferredBatchSize: [], maxQueueDelayMicroseconds: 100 },
      });
    }
  });
});
