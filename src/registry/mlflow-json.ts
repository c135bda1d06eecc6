/**
 * Registry entities as MLflow's REST API writes them (`mlflow/protos/model_registry.proto`:
 * `RegisteredModel`, `ModelVersion`): snake_case field names, timestamps in milliseconds
 * since the epoch as numbers, `version` as a string, tags as `[{key, value}]`. Every field
 * of the message is written, empty strings and lists included, so a client sees one shape.
 * Weft's own records (digest, lineage, signature, metrics) are not MLflow fields: the Weft
 * extension routes serve them (`weft-json.ts`).
 */
import type { ModelVersion, RegisteredModel } from "../store/index.ts";

/** `RegisteredModelTag` / `ModelVersionTag`. */
export interface MlflowTag {
  key: string;
  value: string;
}

/** `RegisteredModelAlias`. */
export interface MlflowAlias {
  alias: string;
  version: string;
}

/** `ModelVersion`. */
export interface MlflowModelVersion {
  name: string;
  version: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  user_id: string;
  current_stage: string;
  description: string;
  source: string;
  run_id: string;
  status: string;
  status_message: string;
  tags: MlflowTag[];
  run_link: string;
  aliases: string[];
}

/** `RegisteredModel`. */
export interface MlflowRegisteredModel {
  name: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  user_id: string;
  description: string;
  latest_versions: MlflowModelVersion[];
  tags: MlflowTag[];
  aliases: MlflowAlias[];
}

/** Tags sorted by key, as `[{key, value}]`. */
export function tagsJson(tags: Record<string, string>): MlflowTag[] {
  return Object.keys(tags)
    .sort()
    .map((key) => ({ key, value: tags[key]! }));
}

/** A model version as MLflow writes it. */
export function modelVersionJson(v: ModelVersion): MlflowModelVersion {
  return {
    name: v.name,
    version: String(v.version),
    creation_timestamp: v.createdAt,
    last_updated_timestamp: v.updatedAt,
    user_id: v.userId ?? "",
    current_stage: v.currentStage,
    description: v.description ?? "",
    source: v.source,
    run_id: v.runId ?? "",
    status: v.status,
    status_message: v.statusMessage ?? "",
    tags: tagsJson(v.tags),
    run_link: v.runLink ?? "",
    aliases: [...v.aliases].sort(),
  };
}

/** A registered model as MLflow writes it; `latest` is its latest version per stage (get-latest-versions). */
export function registeredModelJson(m: RegisteredModel, latest: readonly ModelVersion[]): MlflowRegisteredModel {
  return {
    name: m.name,
    creation_timestamp: m.createdAt,
    last_updated_timestamp: m.updatedAt,
    user_id: m.userId ?? "",
    description: m.description ?? "",
    latest_versions: latest.map(modelVersionJson),
    tags: tagsJson(m.tags),
    aliases: Object.keys(m.aliases)
      .sort()
      .map((alias) => ({ alias, version: String(m.aliases[alias]) })),
  };
}
