/**
 * `weft runs list` and `weft runs get` over the local store: the store-backed
 * {@link RunSource}; `run-views.ts` prints what it reads.
 */
import { labelledPath, labelsByPath } from "../../ir/labels.ts";
import { describeHome, type Predicate, type RunSummary, type Store, type Task } from "../../store/index.ts";
import { withRecoveredContext } from "../context.ts";
import { CliError } from "../errors.ts";
import { elapsed } from "../format.ts";
import { resolveRun } from "../resolve.ts";
import type { RunDetail, RunListPage, RunListRequest, RunSource } from "../run-source.ts";
import { type RunsListOptions, showRun, showRunList } from "../run-views.ts";

export type { RunsListOptions } from "../run-views.ts";

/**
 * Lists runs of the home, newest first; returns the exit code. Without `--json`, one line
 * on stderr says where state lives and why (`$WEFT_HOME`, a project file, or the cwd).
 */
export async function runsList(opts: RunsListOptions): Promise<number> {
  return withRecoveredContext(({ store, resolution }) => {
    if (!opts.json) process.stderr.write(`state in ${describeHome(resolution)}\n`);
    return showRunList(storeRunSource(store), opts);
  });
}

/** Shows one run of `$WEFT_HOME` with its tasks; returns the exit code. */
export async function runsGet(ref: string, opts: { json?: boolean }): Promise<number> {
  return withRecoveredContext(({ store }) => showRun(storeRunSource(store), ref, opts));
}

/** Runs read from the local store. */
export function storeRunSource(store: Store): RunSource {
  const experimentName = (id: string) => store.experiments.get(id)?.name ?? id;
  return {
    where: `in ${store.home}`,
    async listRuns(request: RunListRequest): Promise<RunListPage> {
      const filter: Predicate[] = [];
      if (request.experiment !== undefined) {
        const exp = store.experiments.getByName(request.experiment) ?? store.experiments.get(request.experiment);
        if (!exp) {
          throw new CliError(
            "BAD_OPTION",
            `no experiment "${request.experiment}"; list them with: weft experiments list`,
          );
        }
        filter.push({ field: "experimentId", op: "EQUALS", value: exp.id });
      }
      if (request.state !== undefined) filter.push({ field: "state", op: "EQUALS", value: request.state });
      filter.push({ field: "storageState", op: "EQUALS", value: request.archived ? "ARCHIVED" : "AVAILABLE" });
      for (const [k, v] of Object.entries(request.tags ?? {}))
        filter.push({ field: `tags.${k}`, op: "EQUALS", value: v });
      // summaries: a list neither reads nor parses the runs' specs
      const sort = request.sort ?? { field: "createdAt", desc: true };
      const page = store.runs.listSummaries({
        filter,
        sort: { field: sort.field === "created_at" ? "createdAt" : sort.field, desc: sort.desc },
        pageSize: request.limit,
      });
      const metrics = store.metrics.runMetricsOf(page.items.map((r) => r.id));
      const names = new Map<string, string>();
      const nameOf = (id: string) => names.get(id) ?? names.set(id, experimentName(id)).get(id) ?? id;
      const items = page.items.map((r) => ({
        id: r.id,
        name: r.displayName,
        state: r.state,
        createdAt: r.createdAt,
        durationMs: elapsed(r.startedAt, r.finishedAt),
        experiment: nameOf(r.experimentId),
        metrics: metrics[r.id] ?? [],
        doc: runBrief(r),
      }));
      return { items, totalSize: page.totalSize };
    },
    async getRun(ref: string): Promise<RunDetail> {
      const run = resolveRun(store, ref);
      const tasks = store.tasks.listByRun(run.id);
      const artifacts = store.artifacts.listByRun(run.id);
      const metrics = store.metrics.listByRun(run.id);
      const { pipelineSpec, ...rest } = run;
      const labels = labelsByPath(tasks);
      const detail: RunDetail = {
        id: run.id,
        name: run.displayName,
        state: run.state,
        cancelRequested: run.cancelRequested,
        experiment: experimentName(run.experimentId),
        pipeline: pipelineSpec.pipelineInfo.name,
        createdAt: run.createdAt,
        durationMs: elapsed(run.startedAt, run.finishedAt),
        cacheEnabled: run.enableCache,
        description: run.description,
        tags: run.tags,
        parameters: run.parameters,
        tasks: tasks
          .filter((t) => t.path !== "root")
          .map((t) => ({
            path: t.path,
            label: labelledPath(t.path, labels),
            state: t.state,
            durationMs: elapsed(t.startedAt, t.finishedAt),
            attempts: Math.max(t.attempt, t.attempts.length),
            cache: cacheDecision(t),
            why: why(t),
            ...(t.error?.message !== undefined ? { error: t.error.message } : {}),
            ...(t.error?.code !== undefined ? { errorCode: t.error.code } : {}),
            ...(t.error?.action !== undefined ? { errorAction: t.error.action } : {}),
            ...(t.error?.stderrTail ? { stderrTail: t.error.stderrTail } : {}),
          })),
        doc: { run: rest, tasks: tasks.map(taskRow), artifacts, metrics },
      };
      if (run.error) detail.error = `[${run.error.code}] ${run.error.message}`;
      return detail;
    },
  };
}

function runBrief(r: RunSummary): Record<string, unknown> {
  return {
    id: r.id,
    displayName: r.displayName,
    experimentId: r.experimentId,
    state: r.state,
    createdAt: r.createdAt,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    error: r.error,
    parameters: r.parameters,
    description: r.description,
    tags: r.tags,
  };
}

/** The cache column of `runs get`: hit, miss, or off. */
export function cacheDecision(t: Task): string {
  if (t.state === "CACHED" || t.cache?.hit) return "hit";
  if (t.cache) return "miss";
  return t.kind === "container" ? "off" : "";
}

function taskRow(t: Task): Record<string, unknown> {
  return {
    id: t.id,
    path: t.path,
    name: t.name,
    displayName: t.displayName,
    kind: t.kind,
    state: t.state,
    durationMs: elapsed(t.startedAt, t.finishedAt),
    attempts: Math.max(t.attempt, t.attempts.length),
    cache: cacheDecision(t),
    cacheExplanation: t.cache?.explanation,
    cacheSourceRunId: t.cache?.sourceRunId,
    exitCode: t.exitCode,
    inputs: t.inputs.parameters,
    outputs: t.outputs.parameters,
    error: t.error?.message,
    errorCode: t.error?.code,
    errorAction: t.error?.action,
    stderrTail: t.error?.stderrTail,
    logPath: t.logPath,
  };
}

function why(t: Task): string {
  if (t.state === "CACHED" || t.cache?.hit) {
    return t.cache?.sourceRunId ? `reused from run ${t.cache.sourceRunId}` : "reused";
  }
  return t.cache?.explanation ?? "";
}
