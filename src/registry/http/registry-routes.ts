/**
 * MLflow's model registry REST API (`mlflow/protos/model_registry.proto`, MLflow 2.x) under
 * `/api/2.0/mlflow/`: registered models, model versions, tags, aliases and stages, with
 * MLflow's paths, methods, field names and error codes. Store errors that these handlers
 * do not check first are mapped by the dispatcher (`dispatch.ts`); the checks here give
 * MLflow's own messages ("Registered Model with name=x not found").
 */
import type { ModelVersion, RegisteredModel, Store } from "../../store/index.ts";
import { modelVersionJson, registeredModelJson } from "../mlflow-json.ts";
import { registerModelVersion } from "../register.ts";
import { MlflowError, type RegistryRoute, type RouteRequest } from "./route.ts";

/** The prefix of MLflow's REST API. */
const MLFLOW_API = "/api/2.0/mlflow";

/** MLflow's legacy stages, in MLflow's order. */
const STAGES = ["None", "Staging", "Production", "Archived"] as const;

// ---------------------------------------------------------------- parameters

const missing = (name: string): MlflowError =>
  new MlflowError(
    "INVALID_PARAMETER_VALUE",
    `Missing value for required parameter '${name}'. See the API docs for more information about request parameters.`,
  );

const invalid = (name: string, value: unknown, expected: string): MlflowError =>
  new MlflowError(
    "INVALID_PARAMETER_VALUE",
    `Invalid value ${JSON.stringify(value)} for parameter '${name}' supplied: expected ${expected}.`,
  );

/** A string parameter, or undefined when absent. A GET parameter given twice is refused. */
function optionalString(req: RouteRequest, name: string): string | undefined {
  const v = req.params[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw invalid(name, v, "a string");
  return v;
}

/** A required, non-empty string parameter. */
function requiredString(req: RouteRequest, name: string): string {
  const v = optionalString(req, name);
  if (v === undefined || v === "") throw missing(name);
  return v;
}

/** A list of strings: a JSON array, or a GET parameter given once or repeated. */
function stringList(req: RouteRequest, name: string): string[] {
  const v = req.params[name];
  if (v === undefined || v === null) return [];
  const list = Array.isArray(v) ? v : [v];
  for (const item of list) if (typeof item !== "string") throw invalid(name, v, "a list of strings");
  return list as string[];
}

/** A boolean: JSON true/false, or `true`/`false` in a query string. */
function optionalBool(req: RouteRequest, name: string): boolean | undefined {
  const v = req.params[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v === "boolean") return v;
  if (v === "true" || v === "True") return true;
  if (v === "false" || v === "False") return false;
  throw invalid(name, v, "true or false");
}

/** A positive integer (`max_results`): a JSON number or a decimal string. */
function optionalInt(req: RouteRequest, name: string): number | undefined {
  const v = req.params[name];
  if (v === undefined || v === null || v === "") return undefined;
  const n = typeof v === "number" ? v : typeof v === "string" && /^-?\d+$/.test(v) ? Number(v) : Number.NaN;
  if (!Number.isSafeInteger(n)) throw invalid(name, v, "an integer");
  return n;
}

/** The version number of `version` (MLflow sends it as a string). */
function versionOf(req: RouteRequest): number {
  const raw = req.params.version;
  if (raw === undefined || raw === null || raw === "") throw missing("version");
  const text = typeof raw === "number" ? String(raw) : typeof raw === "string" ? raw.trim() : undefined;
  if (text === undefined || !/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new MlflowError("INVALID_PARAMETER_VALUE", `Model version must be an integer, got '${String(raw)}'`);
  }
  return Number(text);
}

/** `tags: [{key, value}]` of a create request. */
function tagList(req: RouteRequest): Record<string, string> | undefined {
  const v = req.params.tags;
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw invalid("tags", v, "a list of {key, value}");
  const out: Record<string, string> = {};
  for (const t of v) {
    const tag = t as { key?: unknown; value?: unknown };
    if (typeof tag?.key !== "string" || tag.key === "")
      throw invalid("tags", t, "each tag to have a non-empty string key");
    if (tag.value !== undefined && tag.value !== null && typeof tag.value !== "string") {
      throw invalid("tags", t, "each tag's value to be a string");
    }
    out[tag.key] = (tag.value as string | undefined) ?? "";
  }
  return out;
}

/** A stage name in any case, as MLflow's canonical form. */
function canonicalStage(stage: string): string {
  const s = STAGES.find((x) => x.toLowerCase() === stage.toLowerCase());
  if (!s) {
    throw new MlflowError(
      "INVALID_PARAMETER_VALUE",
      `Invalid Model Version stage: ${stage}. Value must be one of ${STAGES.join(", ")}.`,
    );
  }
  return s;
}

// ---------------------------------------------------------------- lookups with MLflow's messages

function requireModel(store: Store, name: string): RegisteredModel {
  const m = store.models.getModel(name);
  if (!m) throw new MlflowError("RESOURCE_DOES_NOT_EXIST", `Registered Model with name=${name} not found`);
  return m;
}

function requireVersion(store: Store, name: string, version: number): ModelVersion {
  requireModel(store, name);
  const v = store.models.getVersion(name, version);
  if (!v) {
    throw new MlflowError("RESOURCE_DOES_NOT_EXIST", `Model Version (name=${name}, version=${version}) not found`);
  }
  return v;
}

function modelJson(store: Store, m: RegisteredModel) {
  return registeredModelJson(m, store.models.latestVersions(m.name));
}

// ---------------------------------------------------------------- routes

const route = (method: RegistryRoute["method"], path: string, handle: RegistryRoute["handle"]): RegistryRoute => ({
  method,
  path: `${MLFLOW_API}${path}`,
  handle,
});

/** The MLflow model registry routes. */
export const MLFLOW_REGISTRY_ROUTES: readonly RegistryRoute[] = [
  // ------------------------------------------------ registered models
  route("POST", "/registered-models/create", (req, { store }) => {
    const name = requiredString(req, "name");
    if (store.models.getModel(name)) {
      throw new MlflowError("RESOURCE_ALREADY_EXISTS", `Registered Model (name=${name}) already exists.`);
    }
    const description = optionalString(req, "description");
    const tags = tagList(req);
    const m = store.models.createModel({
      name,
      ...(description !== undefined ? { description } : {}),
      ...(tags ? { tags } : {}),
      ...(req.user ? { userId: req.user } : {}),
    });
    return { registered_model: modelJson(store, m) };
  }),
  route("GET", "/registered-models/get", (req, { store }) => {
    const m = requireModel(store, requiredString(req, "name"));
    return { registered_model: modelJson(store, m) };
  }),
  route("POST", "/registered-models/rename", (req, { store }) => {
    const name = requiredString(req, "name");
    const newName = requiredString(req, "new_name");
    requireModel(store, name);
    if (newName !== name && store.models.getModel(newName)) {
      throw new MlflowError("RESOURCE_ALREADY_EXISTS", `Registered Model (name=${newName}) already exists.`);
    }
    return { registered_model: modelJson(store, store.models.renameModel(name, newName)) };
  }),
  route("PATCH", "/registered-models/update", (req, { store }) => {
    const name = requiredString(req, "name");
    const description = optionalString(req, "description");
    requireModel(store, name);
    const m = store.models.updateModel(name, description !== undefined ? { description } : {});
    return { registered_model: modelJson(store, m) };
  }),
  route("DELETE", "/registered-models/delete", (req, { store }) => {
    const name = requiredString(req, "name");
    requireModel(store, name);
    store.models.deleteModel(name);
    return {};
  }),
  route("GET", "/registered-models/search", (req, { store }) => {
    const maxResults = optionalInt(req, "max_results");
    const filter = optionalString(req, "filter");
    const pageToken = optionalString(req, "page_token");
    const orderBy = stringList(req, "order_by");
    const page = store.models.searchModels({
      ...(filter ? { filter } : {}),
      ...(orderBy.length > 0 ? { orderBy } : {}),
      ...(maxResults !== undefined ? { maxResults } : {}),
      ...(pageToken ? { pageToken } : {}),
    });
    return {
      registered_models: page.items.map((m) => modelJson(store, m)),
      ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}),
    };
  }),
  ...(["POST", "GET"] as const).map((method) =>
    route(method, "/registered-models/get-latest-versions", (req, { store }) => {
      const name = requiredString(req, "name");
      requireModel(store, name);
      const stages = stringList(req, "stages").map(canonicalStage);
      const versions = store.models.latestVersions(name, stages.length > 0 ? stages : undefined);
      return { model_versions: versions.map(modelVersionJson) };
    }),
  ),
  route("POST", "/registered-models/set-tag", (req, { store }) => {
    const name = requiredString(req, "name");
    const key = requiredString(req, "key");
    const value = optionalString(req, "value");
    if (value === undefined) throw missing("value");
    requireModel(store, name);
    store.models.setModelTag(name, key, value);
    return {};
  }),
  route("DELETE", "/registered-models/delete-tag", (req, { store }) => {
    const name = requiredString(req, "name");
    const key = requiredString(req, "key");
    // As MLflow: the model must exist; a tag that is not set is nothing to delete.
    if (key in requireModel(store, name).tags) store.models.deleteModelTag(name, key);
    return {};
  }),
  route("POST", "/registered-models/alias", (req, { store }) => {
    const name = requiredString(req, "name");
    const alias = requiredString(req, "alias");
    const version = versionOf(req);
    requireVersion(store, name, version);
    store.models.setAlias(name, alias, version, req.user);
    return {};
  }),
  route("DELETE", "/registered-models/alias", (req, { store }) => {
    const name = requiredString(req, "name");
    const alias = requiredString(req, "alias");
    requireModel(store, name);
    store.models.deleteAlias(name, alias, req.user);
    return {};
  }),
  route("GET", "/registered-models/alias", (req, { store }) => {
    const name = requiredString(req, "name");
    const alias = requiredString(req, "alias");
    const m = requireModel(store, name);
    if (m.aliases[alias] === undefined) {
      throw new MlflowError("RESOURCE_DOES_NOT_EXIST", `Registered model alias ${alias} not found.`);
    }
    return { model_version: modelVersionJson(store.models.getByAlias(name, alias)) };
  }),

  // ------------------------------------------------ model versions
  route("POST", "/model-versions/create", async (req, { store }) => {
    const name = requiredString(req, "name");
    const source = requiredString(req, "source");
    const runId = optionalString(req, "run_id");
    const runLink = optionalString(req, "run_link");
    const description = optionalString(req, "description");
    const tags = tagList(req);
    requireModel(store, name);
    const v = await registerModelVersion(store, {
      name,
      source,
      ...(runId ? { runId } : {}),
      ...(runLink ? { runLink } : {}),
      ...(description !== undefined ? { description } : {}),
      ...(tags ? { tags } : {}),
      ...(req.user ? { userId: req.user } : {}),
    });
    return { model_version: modelVersionJson(v) };
  }),
  route("GET", "/model-versions/get", (req, { store }) => {
    const name = requiredString(req, "name");
    return { model_version: modelVersionJson(requireVersion(store, name, versionOf(req))) };
  }),
  route("PATCH", "/model-versions/update", (req, { store }) => {
    const name = requiredString(req, "name");
    const version = versionOf(req);
    const description = optionalString(req, "description");
    requireVersion(store, name, version);
    const v = store.models.updateVersion(name, version, description !== undefined ? { description } : {});
    return { model_version: modelVersionJson(v) };
  }),
  route("DELETE", "/model-versions/delete", (req, { store }) => {
    const name = requiredString(req, "name");
    const version = versionOf(req);
    requireVersion(store, name, version);
    store.models.deleteVersion(name, version);
    return {};
  }),
  route("GET", "/model-versions/search", (req, { store }) => {
    const maxResults = optionalInt(req, "max_results");
    const filter = optionalString(req, "filter");
    const pageToken = optionalString(req, "page_token");
    const orderBy = stringList(req, "order_by");
    const page = store.models.searchVersions({
      ...(filter ? { filter } : {}),
      ...(orderBy.length > 0 ? { orderBy } : {}),
      ...(maxResults !== undefined ? { maxResults } : {}),
      ...(pageToken ? { pageToken } : {}),
    });
    return {
      model_versions: page.items.map(modelVersionJson),
      ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}),
    };
  }),
  route("POST", "/model-versions/transition-stage", (req, { store }) => {
    const name = requiredString(req, "name");
    const version = versionOf(req);
    const stage = canonicalStage(requiredString(req, "stage"));
    const archive = optionalBool(req, "archive_existing_versions");
    if (archive === undefined) throw missing("archive_existing_versions");
    requireVersion(store, name, version);
    const v = store.models.transitionStage(name, version, stage, {
      archiveExistingVersions: archive,
      ...(req.user ? { userId: req.user } : {}),
    });
    return { model_version: modelVersionJson(v) };
  }),
  route("GET", "/model-versions/get-download-uri", (req, { store }) => {
    const name = requiredString(req, "name");
    const v = requireVersion(store, name, versionOf(req));
    return { artifact_uri: v.source };
  }),
  route("POST", "/model-versions/set-tag", (req, { store }) => {
    const name = requiredString(req, "name");
    const version = versionOf(req);
    const key = requiredString(req, "key");
    const value = optionalString(req, "value");
    if (value === undefined) throw missing("value");
    requireVersion(store, name, version);
    store.models.setVersionTag(name, version, key, value);
    return {};
  }),
  route("DELETE", "/model-versions/delete-tag", (req, { store }) => {
    const name = requiredString(req, "name");
    const version = versionOf(req);
    const key = requiredString(req, "key");
    if (key in requireVersion(store, name, version).tags) store.models.deleteVersionTag(name, version, key);
    return {};
  }),
];
