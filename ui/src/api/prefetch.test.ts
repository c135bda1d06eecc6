import { readFileSync } from "node:fs";
import { runInNewContext } from "node:vm";
import { afterEach, describe, expect, it } from "vitest";
import { request } from "./http.ts";
import { getRun, listExperiments, listPipelines, listRuns } from "./kfp.ts";
import { MODELS_PAGE_SIZE, searchModels } from "./models.ts";
import { takePrefetched } from "./prefetch.ts";
import { getRunGraph, getRunLineage } from "./weft.ts";

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

/** Runs index.html's inline script at `pathname`; returns the URLs it sends, in order. */
function sentByIndexHtml(pathname: string, search = ""): string[] {
  const html = readFileSync(new URL("../../index.html", import.meta.url), "utf8");
  const script = /<script>([\s\S]*?)<\/script>/.exec(html)?.[1] ?? "";
  const sent: string[] = [];
  const window: { __weftPrefetched?: Record<string, unknown> } = {};
  runInNewContext(script, {
    location: { pathname, search },
    window,
    fetch: (url: string) => {
      sent.push(url);
      return Promise.resolve(undefined);
    },
  });
  expect(Object.keys(window.__weftPrefetched ?? {})).toEqual(sent);
  return sent;
}

describe("requests sent ahead by index.html", () => {
  it("the runs page: its first round, as the API layer builds it", async () => {
    const urls = recordFetch();
    // the runs page's default view: the available (not archived) runs, newest first
    await listRuns({
      pageSize: 100,
      sortBy: "created_at desc",
      filter: { predicates: [{ key: "storage_state", operation: "EQUALS", string_value: "AVAILABLE" }] },
    });
    await listExperiments({ pageSize: 200, sortBy: "created_at desc" });
    await listPipelines({ pageSize: 200, sortBy: "created_at desc" });
    expect(sentByIndexHtml("/")).toEqual(urls);
    expect(sentByIndexHtml("/runs")).toEqual(urls);
  });

  it("a run's page: the run, its graph and its lineage, as the API layer builds them", async () => {
    const id = "6f1c1d2e-0b7a-4c57-9a43-1f1f9a7e2b10";
    const urls = recordFetch();
    await getRun(id);
    await getRunGraph(id);
    await getRunLineage(id);
    expect(sentByIndexHtml(`/runs/${id}`)).toEqual(urls);
  });

  it("the models page: its one request, as the API layer builds it", async () => {
    const urls = recordFetch();
    await searchModels({ maxResults: MODELS_PAGE_SIZE });
    expect(sentByIndexHtml("/models")).toEqual(urls);
    // a filtered list asks for something else: nothing is sent ahead for it
    expect(sentByIndexHtml("/models", "?name=fraud")).toEqual([]);
  });

  it("other pages send nothing ahead", () => {
    for (const path of ["/experiments", "/pipelines/p1", "/runs/a/b", "/compare", "/artifacts/x", "/models/m"]) {
      expect(sentByIndexHtml(path), path).toEqual([]);
    }
  });

  it("a GET for a URL sent ahead takes its answer once; the next goes to the network", async () => {
    const urls = recordFetch();
    const url = "/apis/v2beta1/experiments?page_size=200&sort_by=created_at+desc";
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
    const url = "/apis/v2beta1/runs?page_size=100&sort_by=created_at+desc";
    g.window = { __weftPrefetched: { [url]: Promise.resolve(new Response("{}")) } } as unknown as Window;
    await request(url, { method: "POST", body: {} });
    expect(urls).toEqual([url]);
  });
});
