/**
 * The `store` module: Weft's metadata database (SQLite through better-sqlite3). One
 * repository per aggregate (pipelines, experiments, runs, tasks, artifacts, events,
 * metrics, cache, recurring runs); integrity enforced by SQLite and reported as
 * `StoreError`s with stable codes.
 */

export { runStoreContract, sampleSpec } from "./contract.ts";
export type { ContractApi, ContractFixture } from "./contract-fixture.ts";
export { DATABASE_FILE, schemaVersion } from "./db.ts";
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
export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from "./list-query.ts";
export { LATEST_SCHEMA_VERSION } from "./migrations/migration.ts";
export { DEFAULT_EXPERIMENT_NAME } from "./repos/experiments.ts";
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
export type * from "./types.ts";
