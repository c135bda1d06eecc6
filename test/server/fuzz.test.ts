import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { corpusFile, type Harness, makeHarness, multipartBody, SHARED_CORPUS } from "./harness.ts";

/** A small deterministic PRNG so that a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const API = "/apis/v2beta1";
let h: Harness;
const ids: Record<string, string> = {};

beforeAll(async () => {
  h = makeHarness({ concurrency: 0 });
  const { body, contentType } = multipartBody("uploadfile", "p.yaml", corpusFile("valid/critical/add_numbers.yaml"));
  const up = await h.server.app.inject({
    method: "POST",
    url: `${API}/pipelines/upload?name=fuzz`,
    payload: body,
    headers: { "content-type": contentType },
  });
  ids.pipeline = JSON.parse(up.body).pipeline_id;
  const exp = await h.server.app.inject({
    method: "POST",
    url: `${API}/experiments`,
    payload: { display_name: "fuzz" },
  });
  ids.experiment = JSON.parse(exp.body).experiment_id;
  const run = await h.server.app.inject({
    method: "POST",
    url: `${API}/runs`,
    payload: {
      display_name: "fuzz",
      pipeline_version_reference: { pipeline_id: ids.pipeline },
      runtime_config: { parameters: { a: 1, b: 2 } },
    },
  });
  ids.run = JSON.parse(run.body).run_id;
});
afterAll(async () => {
  await h.dispose();
});

describe.skipIf(!SHARED_CORPUS.present)("fuzz", () => {
  it("answers 2,000 random and malformed requests without a 5xx and stays healthy", async () => {
    const rand = rng(20260101);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
    const junkStrings = [
      "",
      "x",
      "%",
      "%00",
      "../../etc/passwd",
      "💥",
      "a".repeat(3000),
      "null",
      "{}",
      "[]",
      "-1",
      "1e309",
      "' OR 1=1 --",
      "\u0000",
    ];
    const junk = (): unknown =>
      pick<() => unknown>([
        () => pick(junkStrings),
        () => Math.floor(rand() * 1e6) - 5e5,
        () => rand() < 0.5,
        () => null,
        () => [junk(), junk()],
        () => ({
          [pick(["display_name", "name", "pipeline_spec", "runtime_config", "trigger", "zzz", "displayName"])]: junk(),
        }),
      ])();
    const id = () =>
      pick([ids.run, ids.pipeline, ids.experiment, "nope", "", "%2e%2e", "a:b", encodeURIComponent(pick(junkStrings))]);
    const paths = [
      () => `${API}/healthz`,
      () => `${API}/pipelines`,
      () => `${API}/pipelines/${id()}`,
      () => `${API}/pipelines/names/${id()}`,
      () => `${API}/pipelines/${id()}/versions`,
      () => `${API}/pipelines/${id()}/versions/${id()}`,
      () => `${API}/pipelines/upload`,
      () => `${API}/pipelines/upload_version?pipelineid=${id()}`,
      () => `${API}/pipelines/create`,
      () => `${API}/experiments`,
      () => `${API}/experiments/${id()}`,
      () => `${API}/experiments/${id()}:${pick(["archive", "unarchive", "explode"])}`,
      () => `${API}/runs`,
      () => `${API}/runs/${id()}`,
      () => `${API}/runs/${id()}:${pick(["archive", "unarchive", "terminate", "retry", "x"])}`,
      () => `${API}/recurringruns`,
      () => `${API}/recurringruns/${id()}`,
      () => `${API}/recurringruns/${id()}:${pick(["enable", "disable"])}`,
      () => `/apis/weft/v1/runs/${id()}/graph`,
      () => `/apis/weft/v1/runs/${id()}/metrics`,
      () => `/apis/weft/v1/runs/${id()}/tasks/${id()}/logs?tail=${pick(["5", "-1", "x"])}`,
      () => `/apis/weft/v1/artifacts/${id()}/content?path=${encodeURIComponent(pick(junkStrings))}`,
      () => `/apis/weft/v1/artifacts/${id()}/lineage`,
      () => "/docs",
      () => `/${pick(junkStrings)}`,
    ];
    const queries = [
      "",
      `?page_size=${pick(["0", "-5", "abc", "500", "1.5"])}`,
      `?page_token=${encodeURIComponent(pick(junkStrings))}`,
      `?sort_by=${encodeURIComponent(pick(["display_name desc", "created_at", "x y z", "colour", ""]))}`,
      `?filter=${encodeURIComponent(pick(["{", "[]", "null", JSON.stringify({ predicates: [{ key: pick(["state", "display_name", "created_at", "x"]), operation: pick(["EQUALS", 7, 99, "IN", "IS_SUBSTRING", null]), [pick(["string_value", "int_value", "long_value", "timestamp_value", "int_values", "string_values", "stringValue"])]: junk() }] })]))}`,
      `?filter=${encodeURIComponent(pick(junkStrings))}&page_size=2`,
      "?namespace=x&experiment_id=y",
      "?cascade=maybe",
    ];
    const methods = ["GET", "POST", "DELETE", "PUT", "PATCH"] as const;
    const statuses = new Map<number, number>();
    for (let i = 0; i < 2000; i++) {
      const method = pick(methods);
      const url = pick(paths)() + pick(queries);
      const kind = rand();
      let payload: string | Buffer | undefined;
      const headers: Record<string, string> = {};
      if (method !== "GET" && method !== "DELETE") {
        if (kind < 0.3) {
          payload = JSON.stringify(junk());
          headers["content-type"] = "application/json";
        } else if (kind < 0.45) {
          payload = pick(["{", '{"display_name":', "\u0000\u0001", "not json at all", "[1,2"]);
          headers["content-type"] = "application/json";
        } else if (kind < 0.6) {
          const m = multipartBody(
            pick(["uploadfile", "file"]),
            "x.yaml",
            pick([corpusFile("valid/critical/add_numbers.yaml"), "a: [", "", "pipelineInfo: {}"]),
          );
          payload = m.body;
          headers["content-type"] = m.contentType;
        } else if (kind < 0.7) {
          payload = '--broken\r\nContent-Disposition: form-data; name="uploadfile"\r\n\r\nabc';
          headers["content-type"] = "multipart/form-data; boundary=broken";
        } else if (kind < 0.8) {
          payload = pick(junkStrings);
          headers["content-type"] = pick(["text/plain", "application/xml", "application/json"]);
        } else {
          payload = JSON.stringify({
            display_name: pick(["r", "", 5]),
            pipeline_version_reference: { pipeline_id: pick([ids.pipeline, "nope", 3]) },
            runtime_config: { parameters: { a: junk(), b: 2 } },
            trigger: { cron_schedule: { cron: pick(["* * *", "0 0 * * * *", "@every 0s", "61 * * * *", 5]) } },
            max_concurrency: pick(["1", "0", "11", "x"]),
          });
          headers["content-type"] = "application/json";
        }
      }
      const res = await h.server.app.inject({ method, url, headers, ...(payload !== undefined ? { payload } : {}) });
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      if (res.statusCode >= 500) {
        throw new Error(`request ${i} ${method} ${url} answered ${res.statusCode}: ${res.body.slice(0, 400)}`);
      }
      if (res.statusCode >= 400 && res.headers["content-type"]?.toString().includes("json")) {
        const body = JSON.parse(res.body);
        expect(typeof body.code, `${method} ${url}`).toBe("number");
        expect(typeof body.message).toBe("string");
      }
    }
    expect([...statuses.keys()].every((s) => s < 500)).toBe(true);
    expect(statuses.get(400)).toBeGreaterThan(100);
    const health = await h.server.app.inject({ method: "GET", url: `${API}/healthz` });
    expect(health.statusCode).toBe(200);
    const run = await h.server.app.inject({ method: "GET", url: `${API}/runs/${ids.run}` });
    expect(run.statusCode).toBe(200);
  });

  const lists = () => [
    `${API}/pipelines`,
    `${API}/pipelines/${ids.pipeline}/versions`,
    `${API}/experiments`,
    `${API}/runs`,
    `${API}/recurringruns`,
  ];
  const PROTO_KEYS = ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf", "prototype"];

  /** A 400 with the KFP error body and a message. */
  async function expect400(
    method: "GET" | "POST",
    url: string,
    extra: { payload?: Buffer; contentType?: string } = {},
  ) {
    const res = await h.server.app.inject({
      method,
      url,
      ...(extra.payload ? { payload: extra.payload, headers: { "content-type": extra.contentType ?? "" } } : {}),
    });
    expect(res.statusCode, `${method} ${url}: ${res.body.slice(0, 300)}`).toBe(400);
    const body = JSON.parse(res.body) as { code: unknown; message: unknown };
    expect(body.code, url).toBe(3);
    expect(typeof body.message).toBe("string");
    expect((body.message as string).length).toBeGreaterThan(10);
    return body.message as string;
  }

  it("answers prototype keys in sort_by and filter keys with a 400 on every list endpoint", async () => {
    for (const list of lists()) {
      for (const key of PROTO_KEYS) {
        for (const sort of [key, `${key} desc`]) {
          const msg = await expect400("GET", `${list}?sort_by=${encodeURIComponent(sort)}`);
          expect(msg).toContain("sort_by");
        }
        for (const op of ["EQUALS", "IN"]) {
          const value = op === "IN" ? { string_values: { values: ["x"] } } : { string_value: "x" };
          const filter = JSON.stringify({ predicates: [{ key, operation: op, ...value }] });
          const msg = await expect400("GET", `${list}?filter=${encodeURIComponent(filter)}`);
          expect(msg).toContain("filter");
        }
        // a prototype key as the value's name, and a filter that is itself {"__proto__": ...}
        const valueKey = `{"predicates":[{"key":"display_name","operation":"EQUALS","${key}":"x"}]}`;
        await expect400("GET", `${list}?filter=${encodeURIComponent(valueKey)}`);
        await expect400("GET", `${list}?filter=${encodeURIComponent(`{"${key}":{"predicates":[]}}`)}`);
      }
    }
  });

  it("answers custom verbs named like Object.prototype members with a 404, not a call", async () => {
    for (const [prefix, id] of [
      ["runs", ids.run],
      ["experiments", ids.experiment],
      ["recurringruns", "nope"],
    ] as const) {
      for (const verb of PROTO_KEYS) {
        const res = await h.server.app.inject({ method: "POST", url: `${API}/${prefix}/${id}:${verb}` });
        expect(res.statusCode, `${prefix}:${verb} ${res.body}`).toBe(404);
        expect(JSON.parse(res.body).message).toContain("no route");
      }
    }
  });

  it("answers forged page tokens with a 400 naming page_token", async () => {
    // two experiments more, so that a page of one has a next page
    for (const name of ["fuzz-2", "fuzz-3"]) {
      await h.server.app.inject({ method: "POST", url: `${API}/experiments`, payload: { display_name: name } });
    }
    const first = await h.server.app.inject({ method: "GET", url: `${API}/experiments?page_size=1` });
    const token = JSON.parse(first.body).next_page_token as string;
    expect(typeof token).toBe("string");
    const outer = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { d: string; t: string };
    const inner = JSON.parse(Buffer.from(outer.t, "base64url").toString("utf8")) as Record<string, unknown>;
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
    const forged = [
      // the server's own wrapper with a store token whose sort value or id has the wrong type
      ...[{}, [], [1, 2], { a: 1 }, true].map((v) => b64({ d: outer.d, t: b64({ ...inner, v }) })),
      ...[{}, [], 5, null].map((id) => b64({ d: outer.d, t: b64({ ...inner, id }) })),
      b64({ d: outer.d, t: b64([inner]) }),
      b64({ d: outer.d, t: "%%%not base64%%%" }),
      // the wrapper itself of the wrong shape
      b64({ d: {}, t: outer.t }),
      b64({ d: outer.d, t: {} }),
      b64({ d: outer.d, t: [outer.t] }),
      b64([outer.d, outer.t]),
      b64(42),
      b64("text"),
      b64(null),
      b64({ __proto__: { d: outer.d, t: outer.t } }),
      "%%%",
      "!!not-base64!!",
      "e30",
    ];
    for (const t of forged) {
      const msg = await expect400("GET", `${API}/experiments?page_size=1&page_token=${encodeURIComponent(t)}`);
      expect(msg.toLowerCase()).toContain("page");
    }
    // the genuine token still works
    const second = await h.server.app.inject({
      method: "GET",
      url: `${API}/experiments?page_size=1&page_token=${encodeURIComponent(token)}`,
    });
    expect(second.statusCode).toBe(200);
  });

  it("answers a YAML alias bomb upload with a 400 and records nothing", async () => {
    const rows = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (const [name, prev] of [
      ["b", "a"],
      ["c", "b"],
      ["d", "c"],
      ["e", "d"],
      ["f", "e"],
    ]) {
      rows.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(",")}]`);
    }
    const before = h.store.pipelines.list({}).totalSize;
    const m = multipartBody("uploadfile", "bomb.yaml", `${rows.join("\n")}\n`);
    const msg = await expect400("POST", `${API}/pipelines/upload?name=bomb`, {
      payload: m.body,
      contentType: m.contentType,
    });
    expect(msg).toContain("bomb.yaml");
    expect(h.store.pipelines.list({}).totalSize).toBe(before);
  });
});
