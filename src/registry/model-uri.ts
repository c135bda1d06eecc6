/**
 * Model URIs, as MLflow writes them: `models:/NAME/VERSION`, `models:/NAME@ALIAS`,
 * `models:/NAME/STAGE` (the newest version in that stage) and `models:/NAME/latest` (the
 * newest version). Everything that takes a model URI (CLI, components, serving) resolves
 * it here.
 */
import {
  canonicalStage,
  InvalidInputError,
  type ModelStage,
  type ModelVersion,
  NotFoundError,
  type Store,
} from "../store/index.ts";

/** A parsed model URI: exactly one of `version`, `alias`, `stage` or `latest` is set. */
export type ModelUri =
  | { uri: string; name: string; version: number }
  | { uri: string; name: string; alias: string }
  | { uri: string; name: string; stage: ModelStage }
  | { uri: string; name: string; latest: true };

const FORMS =
  "models:/NAME/VERSION, models:/NAME@ALIAS, models:/NAME/STAGE (None, Staging, Production, Archived) or models:/NAME/latest";

function bad(uri: string, why: string): InvalidInputError {
  return new InvalidInputError(`model URI '${uri}': ${why}; write ${FORMS}`);
}

/** Parses a model URI; throws `InvalidInputError` naming the URI and the accepted forms. */
export function parseModelUri(uri: string): ModelUri {
  if (typeof uri !== "string" || !uri.startsWith("models:")) {
    throw bad(String(uri), "a model URI starts with models:/");
  }
  const rest = uri.slice("models:".length);
  if (rest.startsWith("//")) {
    throw bad(uri, "a registry host (models://HOST/...) is not supported; name the model after models:/");
  }
  if (!rest.startsWith("/")) throw bad(uri, "the model name follows models:/");
  const path = rest.slice(1);
  const at = path.indexOf("@");
  if (at >= 0) {
    const name = path.slice(0, at);
    const alias = path.slice(at + 1);
    if (name === "" || name.includes("/")) throw bad(uri, "expected models:/NAME@ALIAS with a model name before '@'");
    if (alias === "" || !/^[\w-]+$/.test(alias)) {
      throw bad(uri, `'${alias}' is not an alias name (letters, digits, '_' and '-')`);
    }
    return { uri, name, alias };
  }
  const parts = path.split("/");
  const [name, ref] = parts;
  if (parts.length !== 2 || name === undefined || name === "" || ref === undefined || ref === "") {
    throw bad(uri, "expected a model name and a version, stage or 'latest' after models:/");
  }
  if (/^[0-9]+$/.test(ref)) {
    const version = Number(ref);
    if (!Number.isSafeInteger(version) || version < 1)
      throw bad(uri, `version ${ref} is not a version number (from 1)`);
    return { uri, name, version };
  }
  if (ref.toLowerCase() === "latest") return { uri, name, latest: true };
  try {
    return { uri, name, stage: canonicalStage(ref) };
  } catch {
    throw bad(uri, `'${ref}' is neither a version number, a stage nor 'latest'`);
  }
}

/** A `NotFoundError` whose message names the URI. */
function missing(uri: string, message: string): NotFoundError {
  const err = new NotFoundError("model version", uri, "uri");
  err.message = `model URI '${uri}': ${message}`;
  return err;
}

/**
 * The version a model URI stands for. Throws `InvalidInputError` for a malformed URI and
 * `NotFoundError` (naming the URI) when the model, version, alias or a version in the
 * stage does not exist.
 */
export function resolveModelUri(store: Store, uri: string): ModelVersion {
  const parsed = parseModelUri(uri);
  const { name } = parsed;
  if (store.models.getModel(name) === undefined) {
    throw missing(uri, `no registered model is named '${name}'; check the name (weft models list)`);
  }
  if ("version" in parsed) {
    const found = store.models.getVersion(name, parsed.version);
    if (found === undefined) {
      throw missing(uri, `model '${name}' has no version ${parsed.version}; see weft models versions ${name}`);
    }
    return found;
  }
  if ("alias" in parsed) {
    try {
      return store.models.getByAlias(name, parsed.alias);
    } catch (err) {
      if (err instanceof NotFoundError) {
        throw missing(
          uri,
          `model '${name}' has no alias '${parsed.alias}'; set it with weft models alias, or check its name`,
        );
      }
      throw err;
    }
  }
  if ("stage" in parsed) {
    const [found] = store.models.latestVersions(name, [parsed.stage]);
    if (found === undefined) throw missing(uri, `no version of model '${name}' is in stage ${parsed.stage}`);
    return found;
  }
  // The newest version is the newest of the latest version in each stage.
  const newest = store.models
    .latestVersions(name)
    .reduce<ModelVersion | undefined>(
      (best, v) => (best === undefined || v.version > best.version ? v : best),
      undefined,
    );
  if (newest === undefined) throw missing(uri, `model '${name}' has no versions yet`);
  return newest;
}
