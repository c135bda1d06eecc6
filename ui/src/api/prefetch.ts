/**
 * Requests sent by `ui/index.html` before the app's code has loaded: the runs page's first
 * round (its runs, and the experiments and pipelines lists that name them), so that they
 * travel while the code downloads and starts. {@link takePrefetched} hands each answer to
 * the first request for the same URL, once; later requests go to the network.
 */

/** The URLs `ui/index.html` sends on `/` and `/runs`, as the app builds them. */
export const RUNS_PAGE_PREFETCH = [
  "/apis/v2beta1/runs?page_size=100&sort_by=created_at+desc",
  "/apis/v2beta1/experiments?page_size=200&sort_by=created_at+desc",
  "/apis/v2beta1/pipelines?page_size=200&sort_by=created_at+desc",
] as const;

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
