/**
 * The `store` module: Weft's metadata database (SQLite). One repository per aggregate
 * (pipelines, experiments, runs, tasks, artifacts, events, metrics, cache, recurring
 * runs, registered models); integrity enforced by SQLite and reported as `StoreError`s
 * with stable codes.
 *
 * SQLite is reached through a small driver layer (`driver.ts`). On Node >= 24 it is the
 * built-in `node:sqlite`: better-sqlite3 12 aborts the process there (Node 24 changed
 * `node::ObjectWrap`, and collecting a statement trips an assertion), while
 * better-sqlite3 13, which fixes that, no longer runs on Node 20. On Node 20 and 22 it
 * is better-sqlite3, since `node:sqlite` is missing or experimental there. Each module is
 * loaded only where it is used. `WEFT_SQLITE_DRIVER=better-sqlite3|node:sqlite` overrides
 * the choice (for tests).
 *
 * The shared store contract suite (`contract.ts`, run by `store.test.ts`) imports vitest,
 * so it is not exported here: the published package must load without test tools. Its
 * fixture (`sampleSpec`) loads nothing and is.
 */

export type { ContractApi, ContractFixture } from "./contract-fixture.ts";
export { sampleSpec } from "./contract-fixture.ts";

export { DATABASE_FILE, schemaVersion } from "./db.ts";
export type {
  SqliteDatabase,
  SqliteDriverName,
  SqliteRunResult,
  SqliteStatement,
  SqliteTransaction,
} from "./driver.ts";
export { selectedDriver } from "./driver.ts";
export type { StoreErrorCode } from "./errors.ts";
export {
  AlreadyExistsError,
  CorruptDataError,
  IntegrityError,
  InvalidInputError,
  InvalidQueryError,
  NotFoundError,
  SchemaTooNewError,
  StoreError,
} from "./errors.ts";
export { CONFIG_FILE, describeHome, type HomeResolution, type HomeSource, resolveHome } from "./home.ts";
export {
  type LineageGraph,
  type LineageGraphEdge,
  type LineageGraphNode,
  type LineageNodeId,
  type LineageStart,
  MAX_LINEAGE_NODES,
  walkLineage,
} from "./lineage-graph.ts";
export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, METRIC_FIELD_PREFIX, splitSortText } from "./list-query.ts";
export { LATEST_SCHEMA_VERSION } from "./migrations/migration.ts";
export {
  type CompiledFilter,
  compileRegistryFilter,
  decodePageToken,
  encodePageToken,
  type FilterClause,
  type FilterComparator,
  likeToGlob,
  type OrderTerm,
  parseRegistryFilter,
  parseRegistryOrderBy,
  REGISTRY_MAX_RESULTS,
  type RegistryEntity,
} from "./registry-filter.ts";
export { DEFAULT_EXPERIMENT_NAME } from "./repos/experiments.ts";
export {
  canonicalStage,
  checkAliasName,
  checkModelName,
  MAX_ALIAS_LENGTH,
  MAX_MODEL_NAME_LENGTH,
} from "./repos/models.ts";
export { defaultVersionName } from "./repos/pipelines.ts";
export {
  CacheOutputsSchema,
  RunErrorSchema,
  RuntimeStateSchema,
  TaskAttemptSchema,
  TaskCacheInfoSchema,
  TaskInputsSchema,
  TaskOutputsSchema,
  TaskStateSchema,
  TriggerSchema,
} from "./schemas.ts";
export { openStore } from "./store.ts";
export type { ColumnDecl, FieldsOf, ListDecl, RowOf, TableDecl } from "./table.ts";
export { timeFields, wireFields } from "./table.ts";
export {
  ARTIFACTS_TABLE,
  EXPERIMENTS_TABLE,
  MODEL_STAGES,
  MODEL_VERSION_STATUSES,
  MODEL_VERSIONS_TABLE,
  ModelDatasetSchema,
  ModelSignatureSchema,
  PIPELINE_VERSIONS_TABLE,
  PIPELINES_TABLE,
  RECURRING_RUNS_TABLE,
  REGISTERED_MODELS_TABLE,
  RUNS_TABLE,
  STORAGE_STATES,
  TABLES,
  TUNING_EXPERIMENTS_TABLE,
  TUNING_TRIALS_TABLE,
} from "./tables/index.ts";
export type * from "./types.ts";
