import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiRequestError, describeError, request, withQuery } from "./http.ts";

let server: Server;
let base = "";

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url?.startsWith("/missing")) {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          error: "run x not found",
          code: 5,
          message: "run x not found; check run_id",
          details: [{ reason: "API_NOT_FOUND" }],
        }),
      );
    } else if (req.url?.startsWith("/api/2.0/mlflow/")) {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          error_code: "RESOURCE_DOES_NOT_EXIST",
          message: "Registered Model with name=fraud not found",
        }),
      );
    } else if (req.url?.startsWith("/plain")) {
      res.writeHead(502, { "content-type": "text/plain" });
      res.end("bad gateway");
    } else {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ method: req.method, url: req.url, body: body ? JSON.parse(body) : null }));
      });
    }
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const addr = server.address();
  base = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
});

afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

describe("HTTP layer", () => {
  it("sends JSON and reads JSON", async () => {
    const r = await request<{ method: string; url: string; body: unknown }>(`${base}/echo`, {
      method: "POST",
      body: { a: 1 },
      query: { page_size: 5, skip: undefined },
    });
    expect(r).toEqual({ method: "POST", url: "/echo?page_size=5", body: { a: 1 } });
  });

  it("turns a KFP error body into a titled, readable error", async () => {
    const err = await request(`${base}/missing`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiRequestError);
    expect(describeError(err)).toEqual({ title: "Not found", message: "Run x not found; check run_id" });
    expect((err as ApiRequestError).code).toBe("API_NOT_FOUND");
    expect((err as ApiRequestError).status).toBe(404);
  });

  it("reads MLflow's error body: its message and its error code", async () => {
    const err = await request(`${base}/api/2.0/mlflow/registered-models/get?name=fraud`).catch((e: unknown) => e);
    expect(describeError(err)).toEqual({ title: "Not found", message: "Registered Model with name=fraud not found" });
    expect((err as ApiRequestError).code).toBe("RESOURCE_DOES_NOT_EXIST");
  });

  it("explains non-JSON failures and unreachable servers", async () => {
    expect(describeError(await request(`${base}/plain`).catch((e: unknown) => e))).toEqual({
      title: "The server hit an internal error",
      message: "Bad gateway",
    });
    expect(describeError(await request("http://127.0.0.1:1/x").catch((e: unknown) => e)).title).toBe(
      "Cannot reach the Weft server",
    );
  });

  it("builds query strings without empty values", () => {
    expect(withQuery("/a", { x: "1 2", y: undefined, z: "" })).toBe("/a?x=1+2");
  });
});
