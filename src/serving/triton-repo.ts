/**
 * Triton's model repository layout on disk: `<repository>/<model>/config.pbtxt` and
 * `<repository>/<model>/<version>/model.onnx` (or a TensorFlow.js `model.json` with its
 * weight files; `default_model_filename` names another file). Reading lists the models and
 * their numbered version folders (names that are not whole numbers, or start with 0, are
 * not versions, as in Triton); writing lays a model's versions and configuration out for
 * Triton (the `deployModel` component's artifact) or for `weft serve --repository`.
 *
 * No path leaves its root: model names and file names are single path segments, and the
 * real path (symbolic links followed) of every file read lies inside the repository.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { ServingError } from "./errors.ts";
import { type PartialModelConfig, readModelConfig, writeModelConfig } from "./pbtxt.ts";
import type { ModelConfig } from "./types.ts";

/** The configuration file of a model folder. */
export const CONFIG_FILE = "config.pbtxt";

/** A model name that is one path segment: letters, digits, `_`, `-` and `.`, not starting with `.`. */
const MODEL_NAME = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/;

/** Throws `ServingError` INVALID_ARGUMENT unless `name` can name a model folder. */
export function checkModelName(name: string, where: string): void {
  if (typeof name !== "string" || !MODEL_NAME.test(name) || name.length > 200) {
    throw new ServingError(
      "INVALID_ARGUMENT",
      `${where}: model name '${String(name)}' is not a folder name; use letters, digits, '_', '-' and '.' (not first)`,
    );
  }
}

/**
 * Throws `ServingError` INVALID_ARGUMENT unless `name` can name a served model that is not
 * a folder (a file's `--name`, a registry model): 1 to 256 characters, no `/`, `\\` or
 * control characters, not `.` or `..` (names are parts of URLs).
 */
export function checkServedName(name: string, where: string): void {
  const bad =
    typeof name !== "string" ||
    name.length === 0 ||
    name.length > 256 ||
    /[/\\]/.test(name) ||
    [...name].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
  if (bad || name === "." || name === "..") {
    throw new ServingError(
      "INVALID_ARGUMENT",
      `${where}: '${String(name)}' cannot name a served model; use 1 to 256 characters without '/', '\\' or control characters`,
    );
  }
}

/** Whether `path` (already real) lies inside `root` (already real). */
function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !rel.startsWith(sep));
}

/** The real path of `path`, which must lie inside `root`'s real path; throws naming both. */
export function realInside(root: string, path: string): string {
  const realRoot = realpathSync(root);
  const real = realpathSync(path);
  if (!inside(realRoot, real)) {
    throw new ServingError(
      "MODEL_INVALID",
      `${path} leads outside the model repository ${root} (to ${real}); keep model files inside the repository`,
    );
  }
  return real;
}

/** The model folders of a repository, sorted (hidden entries and plain files left out). */
export function listRepositoryModels(repository: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(repository);
  } catch (cause) {
    throw new ServingError(
      "NOT_FOUND",
      `model repository ${repository} cannot be read (${(cause as Error).message}); give a folder holding <model>/config.pbtxt and <model>/<version>/model.onnx`,
      { cause },
    );
  }
  return entries
    .filter((n) => MODEL_NAME.test(n))
    .filter((n) => {
      try {
        return statSync(join(repository, n)).isDirectory();
      } catch {
        return false;
      }
    })
    .sort();
}

/** A Triton version folder name: a whole number above 0 written without leading zeros. */
export function isVersionFolder(name: string): boolean {
  return /^[1-9][0-9]*$/.test(name) && Number.isSafeInteger(Number(name));
}

/** One model folder as it lies on disk. */
export interface TritonModelFolder {
  /** The model folder, absolute. */
  dir: string;
  /** `config.pbtxt` when present. */
  configFile?: string;
  /** What the config says (nothing filled in); absent without a config file. */
  config?: PartialModelConfig;
  /** Version folders holding a model file, ascending: the version number and the file, absolute and real. */
  versions: { version: string; file: string }[];
}

/** The file names a version folder's model may have, in the order they are looked for. */
export function modelFileNames(config: PartialModelConfig | undefined): string[] {
  if (config?.defaultModelFilename) return [config.defaultModelFilename];
  if (config?.platform === "tensorflow_js") return ["model.json"];
  if (config?.platform === "onnxruntime_onnx") return ["model.onnx"];
  return ["model.onnx", "model.json"];
}

/**
 * Reads a model folder (`config.pbtxt` optional, numbered version folders). `root` is the
 * folder no file may lead outside of (the repository; the model folder itself by default).
 * Version folders without the model file are left out, as Triton does. Throws
 * `ServingError` MODEL_INVALID for a bad config or a path leaving `root`.
 */
export function readModelFolder(dir: string, root: string = dir): TritonModelFolder {
  const out: TritonModelFolder = { dir: resolve(dir), versions: [] };
  const configFile = join(dir, CONFIG_FILE);
  if (existsSync(configFile)) {
    realInside(root, configFile);
    out.configFile = resolve(configFile);
    out.config = readModelConfig(readFileSync(configFile, "utf8"), out.configFile);
  }
  const names = modelFileNames(out.config);
  for (const entry of readdirSync(dir)) {
    if (!isVersionFolder(entry)) continue;
    const versionDir = join(dir, entry);
    // existsSync follows links: a dangling one, or a plain file named like a version, holds no model
    const found = names.map((n) => join(versionDir, n)).find((f) => existsSync(f));
    if (found) out.versions.push({ version: entry, file: realInside(root, found) });
  }
  out.versions.sort((a, b) => Number(a.version) - Number(b.version));
  return out;
}

/** What {@link writeTritonRepository} lays out. */
export interface TritonModelLayout {
  name: string;
  /** Each version's number and model file (an `.onnx` file or a tfjs `model.json` with its weights beside it). */
  versions: { version: string; file: string }[];
  /** Written as `config.pbtxt` with `name` set to the model's name. */
  config: ModelConfig;
}

/** The weight files a tfjs `model.json` names (relative to its folder), checked to stay in it. */
function tfjsWeightFiles(modelJson: string): string[] {
  let doc: { weightsManifest?: { paths?: unknown }[] };
  try {
    doc = JSON.parse(readFileSync(modelJson, "utf8")) as typeof doc;
  } catch (cause) {
    throw new ServingError("MODEL_INVALID", `${modelJson} is not readable JSON (${(cause as Error).message})`, {
      cause,
    });
  }
  const files: string[] = [];
  for (const group of Array.isArray(doc.weightsManifest) ? doc.weightsManifest : []) {
    for (const p of Array.isArray(group?.paths) ? group.paths : []) {
      if (typeof p !== "string" || p === "" || p.includes("..") || p.startsWith("/") || p.includes("\\")) {
        throw new ServingError(
          "MODEL_INVALID",
          `${modelJson}: weight path '${String(p)}' leaves the model's folder; weights must lie beside model.json`,
        );
      }
      files.push(p);
    }
  }
  return files;
}

/**
 * Writes `<dir>/<name>/config.pbtxt` and each version's model as
 * `<dir>/<name>/<version>/model.onnx` (a file named `model.json` is a tfjs model: it is
 * copied with its weight files). Returns the files written, absolute. Throws `ServingError` INVALID_ARGUMENT for a
 * name or version that is not a folder name, MODEL_INVALID for a model file that is not
 * there.
 */
export function writeTritonRepository(dir: string, layout: TritonModelLayout): string[] {
  checkModelName(layout.name, "Triton repository");
  const modelDir = resolve(dir, layout.name);
  const written: string[] = [];
  for (const { version, file } of layout.versions) {
    if (!isVersionFolder(version)) {
      throw new ServingError(
        "INVALID_ARGUMENT",
        `Triton repository: version '${version}' of model '${layout.name}' is not a version number (1, 2, ...)`,
      );
    }
    if (!existsSync(file) || !statSync(file).isFile()) {
      throw new ServingError("MODEL_INVALID", `model file ${file} (version ${version} of '${layout.name}') is missing`);
    }
    const versionDir = join(modelDir, version);
    mkdirSync(versionDir, { recursive: true });
    if (basename(file) === "model.json") {
      const target = join(versionDir, "model.json");
      copyFileSync(file, target);
      written.push(target);
      for (const weights of tfjsWeightFiles(file)) {
        const to = join(versionDir, weights);
        mkdirSync(dirname(to), { recursive: true });
        copyFileSync(join(dirname(file), weights), to);
        written.push(to);
      }
    } else {
      const target = join(versionDir, "model.onnx");
      copyFileSync(file, target);
      written.push(target);
    }
  }
  const configFile = join(modelDir, CONFIG_FILE);
  mkdirSync(modelDir, { recursive: true });
  writeFileSync(configFile, writeModelConfig({ ...layout.config, name: layout.name }));
  written.unshift(configFile);
  return written;
}

/** The served name a model file gives by default: its stem, or its folder's name for `model.onnx` / `model.json`. */
export function defaultModelName(file: string): string {
  const base = basename(file);
  const stem = base.replace(/\.(onnx|json)$/i, "");
  const name = stem === "model" || stem === "" ? basename(dirname(resolve(file))) : stem;
  return name.replace(/[^A-Za-z0-9_.-]/g, "_").replace(/^\.+/, "") || "model";
}
