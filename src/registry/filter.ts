/**
 * MLflow's search grammar for the model registry, as the registry's routes and commands
 * use it: the `filter` of search-registered-models and search-model-versions (comparisons
 * such as `name LIKE '%fraud%'`, `tags.team = 'risk'`, `run_id IN ('a', 'b')`,
 * `version_number >= 3`, joined by AND), `order_by` entries and page tokens.
 *
 * The grammar is implemented in the store (`store/registry-filter.ts`), which compiles it
 * to parameterized SQL for `store.models.searchModels` / `searchVersions`; this file checks
 * a search without running it (a route can refuse a bad filter before anything else) and
 * names MLflow's vocabulary.
 */
import {
  type FilterClause,
  type OrderTerm,
  parseRegistryFilter,
  parseRegistryOrderBy,
  REGISTRY_MAX_RESULTS,
  type RegistryEntity,
} from "../store/index.ts";

export type { FilterClause, FilterComparator, OrderTerm, RegistryEntity } from "../store/index.ts";
export { decodePageToken, encodePageToken, REGISTRY_MAX_RESULTS } from "../store/index.ts";

/** The comparisons of a registered-model filter (`name`, `tags.KEY`); throws `InvalidQueryError`. */
export function parseModelFilter(filter: string | undefined): FilterClause[] {
  return parseRegistryFilter(filter, "models");
}

/**
 * The comparisons of a model-version filter (`name`, `version_number`, `run_id`,
 * `source_path`, `tags.KEY`); throws `InvalidQueryError`.
 */
export function parseVersionFilter(filter: string | undefined): FilterClause[] {
  return parseRegistryFilter(filter, "versions");
}

/** The parsed `order_by` of a search, with MLflow's tie-breakers; throws `InvalidQueryError`. */
export function parseOrderBy(orderBy: readonly string[] | undefined, entity: RegistryEntity): OrderTerm[] {
  return parseRegistryOrderBy(orderBy, entity);
}

/** The default and largest `max_results` MLflow accepts for a search of `entity`. */
export function maxResultsLimits(entity: RegistryEntity): { default: number; max: number } {
  return REGISTRY_MAX_RESULTS[entity];
}
