/**
 * Cached look-ups shared by pages: experiment and pipeline names, and run metrics loaded
 * on demand (only for rows on screen) with a small concurrency limit.
 */
import { useEffect, useState } from "react";
import { getPipeline, getRunMetrics, listExperiments, type RunMetric } from "../api/index.ts";

const pipelineNames = new Map<string, Promise<string>>();

/** A pipeline's display name (cached for the session). */
export function pipelineName(id: string): Promise<string> {
  let p = pipelineNames.get(id);
  if (!p) {
    p = getPipeline(id).then(
      (x) => x.display_name || x.name || id,
      () => id,
    );
    pipelineNames.set(id, p);
  }
  return p;
}

/** Names of pipelines by id, filled in as they arrive. */
export function usePipelineNames(ids: string[]): Map<string, string> {
  const [names, setNames] = useState(new Map<string, string>());
  const key = [...new Set(ids)].sort().join(",");
  useEffect(() => {
    let live = true;
    for (const id of key.split(",").filter(Boolean)) {
      void pipelineName(id).then((n) => {
        if (live) setNames((m) => (m.get(id) === n ? m : new Map(m).set(id, n)));
      });
    }
    return () => {
      live = false;
    };
  }, [key]);
  return names;
}

/** Experiment names by id (first 200 experiments). */
export function useExperimentNames(): Map<string, string> {
  const [names, setNames] = useState(new Map<string, string>());
  useEffect(() => {
    listExperiments({ pageSize: 200 })
      .then((page) => setNames(new Map(page.items.map((e) => [e.experiment_id, e.display_name || e.experiment_id]))))
      .catch(() => undefined);
  }, []);
  return names;
}

const metricsCache = new Map<string, RunMetric[]>();
const pending = new Set<string>();
const queue: string[] = [];
let active = 0;
const listeners = new Set<() => void>();

function pump(): void {
  while (active < 4 && queue.length > 0) {
    const id = queue.shift() as string;
    active++;
    getRunMetrics(id)
      .then((r) => metricsCache.set(id, r.metrics))
      .catch(() => metricsCache.set(id, []))
      .finally(() => {
        active--;
        pending.delete(id);
        for (const l of listeners) l();
        pump();
      });
  }
}

/** Forgets cached metrics of a run (e.g. when it is still running). */
export function invalidateMetrics(id: string): void {
  metricsCache.delete(id);
}

/** Scalar metrics of the given runs, loaded lazily; re-renders as they arrive. */
export function useRunMetrics(ids: string[]): Map<string, RunMetric[]> {
  const [, setVersion] = useState(0);
  useEffect(() => {
    const l = (): void => setVersion((v) => v + 1);
    listeners.add(l);
    return () => {
      listeners.delete(l);
    };
  }, []);
  const key = ids.join(",");
  useEffect(() => {
    for (const id of key.split(",").filter(Boolean)) {
      if (!metricsCache.has(id) && !pending.has(id)) {
        pending.add(id);
        queue.push(id);
      }
    }
    pump();
  }, [key]);
  const out = new Map<string, RunMetric[]>();
  for (const id of ids) {
    const m = metricsCache.get(id);
    if (m) out.set(id, m);
  }
  return out;
}
