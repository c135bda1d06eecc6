/**
 * Cached look-ups shared by pages: experiment and pipeline names. (Run metrics come with
 * each page of runs.)
 *
 * Names come from one list request each (experiments, pipelines), sent when a page mounts
 * beside its own list request, never one request per row: a list page loads in one round.
 * Components of one page that mount together share the request in flight.
 */
import { useEffect, useState } from "react";
import { getPipeline, listExperiments, listPipelines } from "../api/index.ts";

/** How many experiments and pipelines a name look-up lists (the first page, newest first). */
const NAMES_PAGE = 200;

/**
 * `load()` shared by every caller while it is in flight: components mounted in the same
 * render ask once. Once settled the next call asks again, so names stay fresh.
 */
function sharedInFlight<T>(load: () => Promise<T>): () => Promise<T> {
  let inFlight: Promise<T> | undefined;
  return () => {
    if (!inFlight) {
      inFlight = load().finally(() => {
        inFlight = undefined;
      });
    }
    return inFlight;
  };
}

/** Display names by id. */
type Names = Map<string, string>;

const experimentList = sharedInFlight(async (): Promise<Names> => {
  const page = await listExperiments({ pageSize: NAMES_PAGE, sortBy: "created_at desc" });
  return new Map(page.items.map((e) => [e.experiment_id, e.display_name || e.experiment_id]));
});

const pipelineList = sharedInFlight(async (): Promise<Names> => {
  const page = await listPipelines({ pageSize: NAMES_PAGE, sortBy: "created_at desc" });
  return new Map(page.items.map((p) => [p.pipeline_id, p.display_name || p.name || p.pipeline_id]));
});

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

/**
 * Names of pipelines by id: the newest {@link NAMES_PAGE} pipelines are listed once, when
 * the component mounts (beside the page's own list request); only an id that list does not
 * hold (an older pipeline, or one uploaded since) is asked for on its own, once a session.
 */
export function usePipelineNames(ids: string[]): Map<string, string> {
  const [listed, setListed] = useState<Names>();
  const [extra, setExtra] = useState(new Map<string, string>());
  useEffect(() => {
    let live = true;
    pipelineList().then(
      (l) => live && setListed(l),
      () => live && setListed(new Map()),
    );
    return () => {
      live = false;
    };
  }, []);
  const key = [...new Set(ids)].sort().join(",");
  useEffect(() => {
    if (!listed) return;
    let live = true;
    for (const id of key.split(",").filter(Boolean)) {
      if (listed.has(id)) continue;
      // older than the listed page, or uploaded since: asked once for the session
      void pipelineName(id).then((n) => {
        if (live) setExtra((m) => (m.get(id) === n ? m : new Map(m).set(id, n)));
      });
    }
    return () => {
      live = false;
    };
  }, [key, listed]);
  if (!listed) return extra;
  if (extra.size === 0) return listed;
  return new Map([...listed, ...extra]);
}

/** Experiment names by id (the newest {@link NAMES_PAGE} experiments), one request per page load. */
export function useExperimentNames(): Map<string, string> {
  const [names, setNames] = useState(new Map<string, string>());
  useEffect(() => {
    let live = true;
    experimentList()
      .then((l) => live && setNames(l))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);
  return names;
}
