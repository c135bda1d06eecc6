/**
 * The cache lookup before a container task runs: a hit records the task CACHED and
 * reuses its source's outputs (same artifact URIs, nothing copied, nothing run); a miss
 * returns the explanation of which part of the key changed.
 */
import fs from "node:fs";
import { uriToLocalPath } from "../executor/index.ts";
import type { ComponentSpec, ContainerSpec, PipelineTaskSpec } from "../ir/index.ts";
import type { TaskCacheInfo } from "../store/index.ts";
import { explainCacheMiss, type Fingerprint, fingerprint, nearestEntry } from "./cache.ts";
import { emitTask, type NodeIO, type NodePlace, type NodeResult, type RunContext } from "./context.ts";
import { recordInputEvents, recordOutputArtifacts } from "./outputs-recorder.ts";

/** How many recent executions of a component are searched for the nearest one. */
const NEAREST_CANDIDATES = 50;

/** Result of a lookup: either the hit's node result or the miss information to record. */
export type CacheLookup =
  | { hit: NodeResult }
  | { hit?: undefined; fingerprint?: Fingerprint; info: TaskCacheInfo | undefined; enabled: boolean };

/** Whether every file-backed output of a cache entry is still on disk (metadata-only ones have none). */
function outputsExist(entry: {
  outputs: { artifacts: Record<string, { uri: string; metadataOnly?: unknown }[]> };
}): boolean {
  for (const list of Object.values(entry.outputs.artifacts)) {
    for (const a of list) {
      if (a.metadataOnly === true) continue;
      const p = uriToLocalPath(a.uri);
      // lstat: an output since replaced by a link counts as gone, and is not reused.
      const st = p.startsWith("/") ? fs.lstatSync(p, { throwIfNoEntry: false }) : undefined;
      if (p.startsWith("/") && (st === undefined || st.isSymbolicLink())) return false;
    }
  }
  return true;
}

/** Looks the task up in the cache; on a hit records everything and returns the result. */
export function lookupCache(
  ctx: RunContext,
  place: NodePlace,
  task: PipelineTaskSpec,
  component: ComponentSpec,
  container: ContainerSpec,
  inputs: NodeIO,
  taskId: string,
): CacheLookup {
  const usesStatus = Object.values(task.inputs?.parameters ?? {}).some((p) => p.taskFinalStatus);
  const fp = fingerprint(
    `${ctx.spec.pipelineInfo.name}/${place.componentName}`,
    container,
    component.outputDefinitions,
    inputs,
    task.cachingOptions?.cacheKey,
  );
  let reason: string | undefined;
  if (!ctx.settings.enableCache) reason = "caching disabled for this run";
  else if (task.cachingOptions?.enableCache === false) reason = "caching disabled for this task";
  else if (usesStatus) reason = "caching disabled: the task reads an upstream final status";
  if (reason)
    return { info: { key: fp.key, hit: false, explanation: reason, parts: fp.parts }, enabled: false, fingerprint: fp };

  const maxStale = ctx.settings.maxStalenessMs;
  const entry = ctx.store.cache.get(
    fp.key,
    maxStale !== undefined ? { maxStalenessMs: maxStale, now: ctx.clock() } : {},
  );
  if (entry && outputsExist(entry)) {
    const now = ctx.clock();
    const pending = Object.entries(entry.outputs.artifacts).flatMap(([name, list]) =>
      list.map((a) => ({ ...a, name })),
    );
    const outputs: NodeIO = { parameters: entry.outputs.parameters, artifacts: {} };
    const t = ctx.store.transaction(() => {
      recordInputEvents(ctx, taskId, inputs);
      outputs.artifacts = recordOutputArtifacts(ctx, taskId, pending, {
        path: place.path,
        component,
        parameters: entry.outputs.parameters,
      });
      return ctx.store.tasks.update(taskId, {
        state: "CACHED",
        startedAt: now,
        finishedAt: now,
        outputs: { parameters: entry.outputs.parameters },
        cache: {
          key: fp.key,
          hit: true,
          sourceTaskId: entry.taskId,
          sourceRunId: entry.runId,
          explanation: `reused the outputs of run ${entry.runId}`,
          parts: fp.parts,
        },
      });
    });
    emitTask(ctx, t);
    return { hit: { state: "CACHED", outputs, taskId } };
  }
  let explanation: string;
  if (entry) explanation = "the cached outputs no longer exist on disk";
  else if (maxStale !== undefined && ctx.store.cache.get(fp.key)) {
    explanation = `the cached entry is older than the maximum staleness (${maxStale} ms)`;
  } else {
    const nearest = nearestEntry(ctx.store.cache.recent(fp.componentDigest, NEAREST_CANDIDATES), fp.parts);
    explanation = explainCacheMiss(nearest?.parts, fp.parts);
  }
  return { info: { key: fp.key, hit: false, explanation, parts: fp.parts }, enabled: true, fingerprint: fp };
}
