/**
 * What every route handler needs: the store, the run queue, the scheduler and a few
 * lookups shared by several routes.
 */
import type { Engine } from "../engine/index.ts";
import type { Scheduler } from "../schedule/index.ts";
import type { Experiment, PipelineVersion, Store } from "../store/index.ts";
import { notFound } from "./errors.ts";
import type { RunExecutor, RunQueue } from "./run-queue.ts";

/** Options of {@link createServer}. */
export interface ServerOptions {
  /** The metadata store (`openStore(home)`). */
  store: Store;
  /** Root of the local artifact store; downloads never leave it. */
  artifactsRoot: string;
  /** Executes queued runs. Give `engine` or `executor`. */
  engine?: Engine;
  /** A custom executor of recorded runs (defaults to one over `engine`). */
  executor?: RunExecutor;
  /** Runs executed at once; default 4. */
  concurrency?: number;
  /** Epoch ms clock of the scheduler; default `Date.now`. */
  clock?: () => number;
  /** Tick the recurring-run scheduler every this many ms; `false` disables ticking. Default 1000. */
  schedulerIntervalMs?: number | false;
  /** The built web UI served at `/`; default `ui/dist` of this package. */
  uiDir?: string;
  /** Fastify request logging; default off. */
  logger?: boolean;
  /** Host names (`name` or `name:port`) accepted in `Host` besides localhost, the loopback and the bound addresses. */
  allowedHosts?: readonly string[];
  /** Origins (`http://host:port`) besides the server's own whose pages may change state. */
  allowedOrigins?: readonly string[];
  /** Lets {@link WeftServer.listen} bind an address other machines reach, without authentication. */
  allowRemoteUnauthenticated?: boolean;
}

/** Shared state of the routes of one server. */
export interface ServerContext {
  store: Store;
  queue: RunQueue;
  scheduler: Scheduler;
  executor: RunExecutor;
  artifactsRoot: string;
  clock: () => number;
}

/** The experiment by id, or a 404. */
export function requireExperiment(ctx: ServerContext, id: string): Experiment {
  const e = ctx.store.experiments.get(id);
  if (!e) throw notFound("experiment", id, "experiment_id");
  return e;
}

/**
 * The pipeline version a `pipeline_version_reference` names: the given version (which must
 * belong to the pipeline), or the pipeline's latest version when only `pipeline_id` is set.
 */
export function resolveVersion(
  ctx: ServerContext,
  ref: { pipeline_id?: string | undefined; pipeline_version_id?: string | undefined },
): PipelineVersion {
  if (ref.pipeline_version_id) {
    const v = ctx.store.pipelines.getVersion(ref.pipeline_version_id);
    if (!v) throw notFound("pipeline version", ref.pipeline_version_id, "pipeline_version_id");
    if (ref.pipeline_id && v.pipelineId !== ref.pipeline_id) {
      throw notFound(
        "pipeline version",
        `${ref.pipeline_id}/${ref.pipeline_version_id}`,
        "pipeline_id/pipeline_version_id",
      );
    }
    return v;
  }
  if (!ref.pipeline_id) throw notFound("pipeline", "(empty)", "pipeline_id");
  if (!ctx.store.pipelines.get(ref.pipeline_id)) throw notFound("pipeline", ref.pipeline_id, "pipeline_id");
  const latest = ctx.store.pipelines.listVersions({
    filter: [{ field: "pipelineId", op: "EQUALS", value: ref.pipeline_id }],
    sort: { field: "createdAt", desc: true },
    pageSize: 1,
  }).items[0];
  if (!latest) throw notFound("pipeline version of pipeline", ref.pipeline_id, "pipeline_id");
  return latest;
}

/** The pipeline id of a version, for `pipeline_version_reference` in responses. */
export function pipelineIdOf(ctx: ServerContext, versionId: string | undefined): string | undefined {
  return versionId ? ctx.store.pipelines.getVersion(versionId)?.pipelineId : undefined;
}
