/**
 * KFP API details over a real server on 127.0.0.1: boolean query parameters read as
 * KFP's gateway reads them (`cascade=True` from kfp_server_api), a run's pipeline root
 * and service account echoed and used, and task details carrying their input and output
 * artifact ids as KFP's PipelineTaskDetail does.
 */
import { describe, expect, it } from "vitest";
import { IrBuilder, task } from "../engine/ir-builder.ts";
import { listeningHarnessPerTest } from "./harness.ts";

const KFP = "/apis/v2beta1";
const WEFT = "/apis/weft/v1";
const t = listeningHarnessPerTest({ concurrency: 2 });

/** A JSON response body: fields read by the tests. */
type Body = Record<string, unknown> & { message?: string };

async function call(method: string, url: string, body?: unknown): Promise<{ status: number; body: Body }> {
  const res = await fetch(`${t.base}${url}`, {
    method,
    ...(body !== undefined ? { body: JSON.stringify(body), headers: { "content-type": "application/json" } } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function newPipeline(name: string): Promise<string> {
  const spec = new IrBuilder(name)
    .sh("a", "true")
    .root({ a: task("a") })
    .build().pipelineSpec;
  const created = await call("POST", `${KFP}/pipelines/create`, {
    pipeline: { display_name: name },
    pipeline_version: { display_name: `${name}-v1`, pipeline_spec: spec },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(200);
  return String(created.body.pipeline_id);
}

describe("boolean query parameters", () => {
  it("accept every spelling of strconv.ParseBool (cascade=True as kfp_server_api sends it)", async () => {
    for (const value of ["True", "t", "1", "TRUE", "T", "true"]) {
      const id = await newPipeline(`p-${value}`);
      const res = await call("DELETE", `${KFP}/pipelines/${id}?cascade=${value}`);
      expect(res.status, `cascade=${value}: ${JSON.stringify(res.body)}`).toBe(200);
      expect((await call("GET", `${KFP}/pipelines/${id}`)).status).toBe(404);
    }
    for (const value of ["False", "f", "0", "FALSE", "F", "false"]) {
      const id = await newPipeline(`q-${value}`);
      const res = await call("DELETE", `${KFP}/pipelines/${id}?cascade=${value}`);
      // false: a pipeline with versions is not deleted
      expect(res.status, `cascade=${value}`).toBe(400);
      expect(res.body.message).toMatch(/cascade/);
      expect((await call("GET", `${KFP}/pipelines/${id}`)).status).toBe(200);
    }
  });

  it("refuse anything else with a 400 naming the parameter and the accepted values", async () => {
    const id = await newPipeline("p-yes");
    for (const value of ["yes", "on", "tRuE", "2"]) {
      const res = await call("DELETE", `${KFP}/pipelines/${id}?cascade=${value}`);
      expect(res.status, value).toBe(400);
      expect(res.body.message).toContain(`cascade "${value}" is not a boolean`);
      expect(res.body.message).toContain("1, t, T, TRUE, true, True");
      expect(res.body.message).toContain("0, f, F, FALSE, false, False");
    }
    expect((await call("GET", `${KFP}/pipelines/${id}`)).status).toBe(200);
    const exp = await call("POST", `${KFP}/experiments`, { display_name: "e-bool" });
    const del = await call("DELETE", `${KFP}/experiments/${String(exp.body.experiment_id)}?cascade=yes`);
    expect(del.status).toBe(400);
    expect(del.body.message).toContain('cascade "yes" is not a boolean');
    expect((await call("DELETE", `${KFP}/experiments/${String(exp.body.experiment_id)}?cascade=T`)).status).toBe(200);
  });
});
