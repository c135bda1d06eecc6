import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { request } from "./http.ts";
import { listExperiments, listPipelines, listRuns } from "./kfp.ts";
import { RUNS_PAGE_PREFETCH, takePrefetched } from "./prefetch.ts";

const realFetch = globalThis.fetch;
const g = globalThis as unknown as { window?: Window };

afterEach(() => {
  globalThis.fetch = realFetch;
  delete g.window;
});

/** Replaces fetch with one that records each URL and answers `{ url, n }`. */
function recordFetch(): string[] {
  const urls: string[] = [];
  globalThis.fetch = (async (input: string | URL | Request) => {
    const url = String(input);
    urls.push(url);
    return new Response(JSON.stringify({ url, n: urls.length }), { headers: { "content-type": "application/json" } });
  }) as typeof fetch;
  return urls;
}

describe("requests sent ahead by index.html", () => {
  it("index.html sends exactly the URLs the app lists", () => {
    const html = readFileSync(new URL("../../index.html", import.meta.url), "utf8");
    const sent = [...html.matchAll(/"(\/apis\/[^"]+)"/g)].map((m) => m[1]);
    expect(sent).toEqual([...RUNS_PAGE_PREFETCH]);
  });

  it("the URLs are the runs page's first requests as the API layer builds them", async () => {
    const urls = recordFetch();
    await listRuns({ pageSize: 100, sortBy: "created_at desc", filter: { predicates: [] } });
    await listExperiments({ pageSize: 200, sortBy: "created_at desc" });
    await listPipelines({ pageSize: 200, sortBy: "created_at desc" });
    expect(urls).toEqual([...RUNS_PAGE_PREFETCH]);
  });

  it("a GET for a URL sent ahead takes its answer once; the next goes to the network", async () => {
    const urls = recordFetch();
    const url = RUNS_PAGE_PREFETCH[1];
    const ahead = new Response(JSON.stringify({ from: "ahead" }));
    g.window = { __weftPrefetched: { [url]: Promise.resolve(ahead) } } as unknown as Window;
    expect(await request<{ from?: string }>(url)).toEqual({ from: "ahead" });
    expect(urls).toEqual([]);
    expect(takePrefetched(url)).toBeUndefined();
    expect(await request<{ url?: string }>(url)).toEqual({ url, n: 1 });
    expect(urls).toEqual([url]);
  });

  it("a POST never takes an answer sent ahead", async () => {
    const urls = recordFetch();
    const url = RUNS_PAGE_PREFETCH[0];
    g.window = { __weftPrefetched: { [url]: Promise.resolve(new Response("{}")) } } as unknown as Window;
    await request(url, { method: "POST", body: {} });
    expect(urls).toEqual([url]);
  });
});
