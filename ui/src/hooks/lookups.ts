/**
 * Cached look-ups shared by pages: experiment and pipeline names. (Run metrics come with
 * each page of runs.)
 */
import { useEffect, useState } from "react";
import { getPipeline, listExperiments } from "../api/index.ts";

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
