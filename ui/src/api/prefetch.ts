/**
 * Requests sent by `ui/index.html` before the app's code has loaded, so that a page's data
 * travels while its code downloads and starts: on `/` and `/runs` the runs page's first
 * round (its runs, and the experiments and pipelines lists that name them), on `/runs/{id}`
 * the run, its graph and its lineage. {@link takePrefetched} hands each answer to the first
 * GET of the same URL, once; later requests go to the network. The URLs are written in
 * `index.html`, and `prefetch.test.ts` runs its script and checks them against what the API
 * layer builds.
 */

declare global {
  interface Window {
    __weftPrefetched?: Record<string, Promise<Response> | undefined>;
  }
}

/** The response sent ahead for `url` (a GET), once; `undefined` when none was or it was taken. */
export function takePrefetched(url: string): Promise<Response> | undefined {
  const sent = typeof window === "undefined" ? undefined : window.__weftPrefetched;
  const res = sent?.[url];
  if (sent && res) delete sent[url];
  return res;
}
