/**
 * Builds a {@link RunSummary} from what the store recorded.
 */
import path from "node:path";
import { labelledPath, labelsByPath } from "../ir/index.ts";
import type { Store } from "../store/index.ts";
import type { NodeIO } from "./context.ts";
import type { RunSummary, TaskSummary } from "./types.ts";

/** The summary of a finished run. */
export function buildSummary(
  store: Store,
  runId: string,
  outputs: NodeIO,
  artifactsDir: string,
  durationMs: number,
): RunSummary {
  const run = store.runs.get(runId);
  const tasks = store.tasks.listByRun(runId);
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const summaries: TaskSummary[] = tasks.map((t) => ({
    id: t.id,
    path: t.path,
    name: t.name,
    displayName: t.displayName,
    kind: t.kind,
    state: t.state,
    attempt: t.attempt,
    cached: t.state === "CACHED",
    ...(t.startedAt !== undefined ? { startedAt: t.startedAt } : {}),
    ...(t.finishedAt !== undefined ? { finishedAt: t.finishedAt } : {}),
    ...(t.startedAt !== undefined && t.finishedAt !== undefined ? { durationMs: t.finishedAt - t.startedAt } : {}),
    ...(t.error ? { error: t.error.message } : {}),
    ...(t.error?.code !== undefined ? { errorCode: t.error.code } : {}),
    ...(t.error?.action !== undefined ? { errorAction: t.error.action } : {}),
    ...(t.error?.stderrTail ? { stderrTail: t.error.stderrTail.split("\n") } : {}),
    ...(t.cache?.explanation ? { cacheExplanation: t.cache.explanation } : {}),
    ...(t.logPath ? { logPath: t.logPath } : {}),
  }));
  const labels = labelsByPath(tasks);
  const metrics = store.metrics.listByRun(runId).map((m) => {
    const path = byId.get(m.taskId)?.path;
    return {
      task: path ?? m.taskId,
      ...(path !== undefined ? { label: labelledPath(path, labels) } : {}),
      name: m.name,
      value: m.value,
    };
  });
  const artifacts: RunSummary["outputs"]["artifacts"] = {};
  for (const [k, list] of Object.entries(outputs.artifacts)) {
    artifacts[k] = list.map((a) => ({ uri: a.uri, schemaTitle: a.schemaTitle }));
  }
  return {
    runId,
    state: run?.state ?? "RUNTIME_STATE_UNSPECIFIED",
    durationMs,
    ...(run?.error ? { error: run.error.message } : {}),
    tasks: summaries,
    metrics,
    outputs: { parameters: outputs.parameters, artifacts },
    artifactsDir: path.join(artifactsDir, runId),
  };
}
