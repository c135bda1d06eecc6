/**
 * The `registry` module: Weft's model registry over the store's `models` repository.
 * MLflow's search grammar, model URIs and the framework-free HTTP route tables.
 */

export {
  decodePageToken,
  encodePageToken,
  type FilterClause,
  type FilterComparator,
  maxResultsLimits,
  type OrderTerm,
  parseModelFilter,
  parseOrderBy,
  parseVersionFilter,
  REGISTRY_MAX_RESULTS,
  type RegistryEntity,
} from "./filter.ts";
export { type ModelUri, parseModelUri, resolveModelUri } from "./model-uri.ts";
