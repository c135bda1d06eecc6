import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { corpusFile, type Harness, makeHarness, multipartBody, SHARED_CORPUS } from "./harness.ts";

const API = "/apis/v2beta1";
const T0 = Date.parse("2026-06-01T00:00:00Z");
let now = T0;
let h: Harness;
let pipelineId: string;

async function call(method: "GET" | "POST" | "DELETE", url: string, payload?: Record<string, unknown>) {
  const res = await h.server.app.inject({ method, url, ...(payload ? { payload } : {}) });
  return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined };
}

beforeEach(async () => {
  now = T0;
  h = makeHarness({ concurrency: 0, clock: () => now });
  const { body, contentType } = multipartBody("uploadfile", "p.yaml", corpusFile("valid/critical/add_numbers.yaml"));
  const res = await h.server.app.inject({
    method: "POST",
    url: `${API}/pipelines/upload?name=adder`,
    payload: body,
    headers: { "content-type": contentType },
  });
  pipelineId = JSON.parse(res.body).pipeline_id;
});
afterEach(async () => {
  await h.dispose();
});

const base = () => ({
  display_name: "hourly",
  pipeline_version_reference: { pipeline_id: pipelineId },
  runtime_config: { parameters: { a: 1, b: 2 } },
});

describe.skipIf(!SHARED_CORPUS.present)("recurring runs", () => {
  it("creates (5-field cron), gets, lists, disables, enables and deletes", async () => {
    const created = await call("POST", `${API}/recurringruns`, {
      ...base(),
      trigger: { cron_schedule: { cron: "0 * * * *", start_time: "2026-06-01T00:00:00Z" } },
      max_concurrency: "2",
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const id = created.body.recurring_run_id as string;
    expect(created.body).toMatchObject({
      display_name: "hourly",
      mode: "ENABLE",
      status: "ENABLED",
      max_concurrency: "2",
      no_catchup: false,
      trigger: { cron_schedule: { cron: "0 * * * *", start_time: "2026-06-01T00:00:00.000Z" } },
      pipeline_version_reference: { pipeline_id: pipelineId },
    });
    expect((await call("GET", `${API}/recurringruns/${id}`)).body.recurring_run_id).toBe(id);
    const listed = await call(
      "GET",
      `${API}/recurringruns?filter=${encodeURIComponent(JSON.stringify({ predicates: [{ key: "display_name", operation: "EQUALS", string_value: "hourly" }] }))}`,
    );
    expect(listed.body.recurringRuns).toHaveLength(1);
    await call("POST", `${API}/recurringruns/${id}:disable`);
    expect((await call("GET", `${API}/recurringruns/${id}`)).body).toMatchObject({
      mode: "DISABLE",
      status: "DISABLED",
    });
    await call("POST", `${API}/recurringruns/${id}:enable`);
    expect((await call("GET", `${API}/recurringruns/${id}`)).body.status).toBe("ENABLED");
    expect((await call("DELETE", `${API}/recurringruns/${id}`)).status).toBe(200);
    expect((await call("GET", `${API}/recurringruns/${id}`)).status).toBe(404);
  });

  it("fires through the server's scheduler with macros substituted, and queues the run", async () => {
    const created = await call("POST", `${API}/recurringruns`, {
      display_name: "periodic",
      pipeline_version_reference: { pipeline_id: pipelineId },
      runtime_config: { parameters: { a: 1, b: 2 } },
      trigger: { periodic_schedule: { interval_second: "3600" } },
    });
    expect(created.body.trigger).toEqual({ periodic_schedule: { interval_second: "3600" } });
    now = T0 + 3600_000;
    const fired = h.server.ctx.scheduler.tick();
    expect(fired).toHaveLength(1);
    expect(h.server.ctx.queue.stats().queued).toBe(1);
    const runs = await call(
      "GET",
      `${API}/runs?filter=${encodeURIComponent(JSON.stringify({ predicates: [{ key: "recurring_run_id", operation: "EQUALS", stringValue: created.body.recurring_run_id }] }))}`,
    );
    expect(runs.body.runs).toHaveLength(1);
    expect(runs.body.runs[0]).toMatchObject({
      state: "PENDING",
      scheduled_at: "2026-06-01T01:00:00.000Z",
      display_name: "periodic-1",
    });
  });

  it("rejects bad triggers, bad max_concurrency and unknown fields with 400", async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ trigger: { cron_schedule: { cron: "0 0 * *" } } }, /has 4 fields/],
      [{ trigger: { cron_schedule: { cron: "0 99 * * * *" } } }, /99 in the minute field .* use 0-59/],
      [{ trigger: { cron_schedule: { cron: "0 * * * *" }, periodic_schedule: { interval_second: "60" } } }, /not both/],
      [{ trigger: { periodic_schedule: { interval_second: "-5" } } }, /not a positive whole number/],
      [
        {
          trigger: {
            periodic_schedule: {
              interval_second: "60",
              start_time: "2026-01-02T00:00:00Z",
              end_time: "2026-01-01T00:00:00Z",
            },
          },
        },
        /end_time must be later/,
      ],
      [
        { trigger: { cron_schedule: { cron: "@daily" } }, max_concurrency: "11" },
        /max_concurrency 11 must be from 1 to 10/,
      ],
      [{ trigger: { cron_schedule: { cron: "@daily", timezone: "UTC" } } }, /unknown field "timezone"/],
      [{ trigger: {} }, /exactly one of/],
    ];
    for (const [extra, message] of cases) {
      const res = await call("POST", `${API}/recurringruns`, { ...base(), ...extra });
      expect(res.status, JSON.stringify(extra)).toBe(400);
      expect(res.body.message).toMatch(message);
    }
    const typed = await call("POST", `${API}/recurringruns`, {
      ...base(),
      runtime_config: { parameters: { a: "[[Index]]", b: 2 } },
      trigger: { cron_schedule: { cron: "@daily" } },
    });
    expect(typed.status).toBe(400);
    expect(typed.body.message).toMatch(/parameters\.a: expected an integer/);
  });
});

describe.skipIf(!SHARED_CORPUS.present)("next_fire_times", () => {
  it("lists the next 5 fire times of a cron schedule in RFC 3339, from the server's clock", async () => {
    now = Date.parse("2026-06-01T10:20:00Z");
    const created = await call("POST", `${API}/recurringruns`, {
      ...base(),
      trigger: { cron_schedule: { cron: "0 30 */2 * * *" } },
    });
    expect(created.body.next_fire_times).toEqual([
      "2026-06-01T10:30:00.000Z",
      "2026-06-01T12:30:00.000Z",
      "2026-06-01T14:30:00.000Z",
      "2026-06-01T16:30:00.000Z",
      "2026-06-01T18:30:00.000Z",
    ]);
    now = Date.parse("2026-06-01T13:00:00Z");
    const got = await call("GET", `${API}/recurringruns/${created.body.recurring_run_id}`);
    expect(got.body.next_fire_times[0]).toBe("2026-06-01T14:30:00.000Z");
    const listed = await call("GET", `${API}/recurringruns`);
    expect(listed.body.recurringRuns[0].next_fire_times).toHaveLength(5);
  });

  it("follows a periodic schedule from its start time, stops at its end time, and is omitted when disabled", async () => {
    const created = await call("POST", `${API}/recurringruns`, {
      ...base(),
      trigger: {
        periodic_schedule: {
          interval_second: "900",
          start_time: "2026-06-01T01:00:00Z",
          end_time: "2026-06-01T01:40:00Z",
        },
      },
    });
    // as the scheduler fires it: one interval after the start time, never past the end time
    expect(created.body.next_fire_times).toEqual(["2026-06-01T01:15:00.000Z", "2026-06-01T01:30:00.000Z"]);
    const id = created.body.recurring_run_id as string;
    await call("POST", `${API}/recurringruns/${id}:disable`);
    expect((await call("GET", `${API}/recurringruns/${id}`)).body.next_fire_times).toBeUndefined();
    await call("POST", `${API}/recurringruns/${id}:enable`);
    now = Date.parse("2026-06-01T02:00:00Z");
    expect((await call("GET", `${API}/recurringruns/${id}`)).body.next_fire_times).toBeUndefined();
  });
});
