/**
 * What `weft runs archive|unarchive|delete|edit`, `weft experiments archive|unarchive|delete`
 * and `weft pipelines ...` act on: the store of `$WEFT_HOME` ({@link storeCatalog}) or a
 * server (`remote/catalog.ts`), behind one interface, so that both print the same lines
 * and refuse the same things.
 */
import { ACTIVE_RUN_STATES, isActiveRunState } from "../ir/index.ts";
import type { Store } from "../store/index.ts";
import { CliError } from "./errors.ts";
import { resolveRun } from "./resolve.ts";

/** A run as these commands show it. */
export interface CatalogRun {
  id: string;
  displayName: string;
  description: string;
  state: string;
  storageState: string;
  tags: Record<string, string>;
}

/** An experiment as these commands show it. */
export interface CatalogExperiment {
  id: string;
  name: string;
}

/** A pipeline as `weft pipelines list` shows it. */
export interface CatalogPipeline {
  id: string;
  name: string;
  description: string;
  createdAt: number | undefined;
}

/** A pipeline version as `weft pipelines versions` shows it. */
export interface CatalogVersion {
  id: string;
  pipelineId: string;
  name: string;
  description: string;
  createdAt: number | undefined;
}

/** The changes `weft runs edit` makes. */
export interface RunEdit {
  displayName?: string;
  description?: string;
  /** Replaces all tags. */
  tags?: Record<string, string>;
}

/** Runs, experiments and pipelines of a home or a server. */
export interface Catalog {
  /** `in /path/.weft` or `on http://host`: where, for messages. */
  where: string;
  resolveRun(ref: string): Promise<CatalogRun>;
  archiveRun(id: string): Promise<void>;
  unarchiveRun(id: string): Promise<void>;
  /** Refused (by the store's caller or the server) while the run is active. */
  deleteRun(id: string): Promise<void>;
  updateRun(id: string, edit: RunEdit): Promise<CatalogRun>;
  resolveExperiment(ref: string): Promise<CatalogExperiment>;
  archiveExperiment(id: string): Promise<void>;
  unarchiveExperiment(id: string): Promise<void>;
  deleteExperiment(id: string, cascade: boolean): Promise<void>;
  listPipelines(): Promise<CatalogPipeline[]>;
  resolvePipeline(ref: string): Promise<CatalogPipeline>;
  listVersions(pipelineId: string): Promise<CatalogVersion[]>;
  deletePipeline(id: string, cascade: boolean): Promise<void>;
  deleteVersion(pipelineId: string, versionId: string): Promise<void>;
}

/** The refusal of deleting an active run, the same locally and remotely. */
export function activeRunError(run: { id: string; state: string }, cancel: string): CliError {
  return new CliError("RUN_ACTIVE", `run ${run.id} is ${run.state}; cancel it first (${cancel}), then delete it`);
}

/** The catalog of the store of `$WEFT_HOME`. */
export function storeCatalog(store: Store): Catalog {
  const toRun = (r: ReturnType<typeof resolveRun>): CatalogRun => ({
    id: r.id,
    displayName: r.displayName,
    description: r.description,
    state: r.state,
    storageState: r.storageState,
    tags: r.tags,
  });
  const pipelineRow = (p: { id: string; name: string; description: string; createdAt: number }) => ({
    id: p.id,
    name: p.name,
    description: p.description,
    createdAt: p.createdAt,
  });
  return {
    where: `in ${store.home}`,
    async resolveRun(ref) {
      return toRun(resolveRun(store, ref));
    },
    async archiveRun(id) {
      store.runs.archive(id);
    },
    async unarchiveRun(id) {
      store.runs.unarchive(id);
    },
    async deleteRun(id) {
      const run = store.runs.get(id);
      if (run && isActiveRunState(run.state)) throw activeRunError(run, `weft runs cancel ${run.id}`);
      store.runs.delete(id);
    },
    async updateRun(id, edit) {
      return toRun(store.runs.update(id, edit));
    },
    async resolveExperiment(ref) {
      const e = store.experiments.get(ref) ?? store.experiments.getByName(ref);
      if (!e) {
        throw new CliError(
          "EXPERIMENT_NOT_FOUND",
          `no experiment with id or name "${ref}" in ${store.home}; list them with: weft experiments list`,
        );
      }
      return { id: e.id, name: e.name };
    },
    async archiveExperiment(id) {
      // as the API does: the experiment's runs are archived with it
      store.experiments.archive(id);
    },
    async unarchiveExperiment(id) {
      store.experiments.unarchive(id);
    },
    async deleteExperiment(id, cascade) {
      const active = store.runs.listSummaries({
        filter: [
          { field: "experimentId", op: "EQUALS", value: id },
          { field: "state", op: "IN", value: [...ACTIVE_RUN_STATES] },
        ],
        pageSize: 1,
      });
      if (cascade && active.totalSize > 0) {
        throw new CliError(
          "RUN_ACTIVE",
          `experiment ${id} has ${active.totalSize} active run(s); cancel them first (weft runs cancel <run>), then delete it`,
        );
      }
      store.experiments.delete(id, { cascade });
    },
    async listPipelines() {
      return store.pipelines.list({ sort: { field: "createdAt", desc: true }, pageSize: 1000 }).items.map(pipelineRow);
    },
    async resolvePipeline(ref) {
      const p = store.pipelines.get(ref) ?? store.pipelines.getByName(ref);
      if (!p) {
        throw new CliError(
          "PIPELINE_NOT_FOUND",
          `no pipeline with id or name "${ref}" in ${store.home}; list them with: weft pipelines list`,
        );
      }
      return pipelineRow(p);
    },
    async listVersions(pipelineId) {
      const page = store.pipelines.listVersions({
        filter: [{ field: "pipelineId", op: "EQUALS", value: pipelineId }],
        sort: { field: "createdAt", desc: true },
        pageSize: 1000,
      });
      return page.items.map((v) => ({ ...pipelineRow(v), pipelineId: v.pipelineId }));
    },
    async deletePipeline(id, cascade) {
      store.pipelines.delete(id, { cascade });
    },
    async deleteVersion(_pipelineId, versionId) {
      store.pipelines.deleteVersion(versionId);
    },
  };
}
