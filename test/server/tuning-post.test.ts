/**
 * `POST /apis/weft/v1/tuning/experiments` over a real server on 127.0.0.1: a Katib
 * Experiment (YAML, then the same as JSON) with command trials (`node -e`) runs in the
 * server process, recorded in the store; a bad one is a 400 naming the field; the same name
 * with another spec is a 409; `:cancel` ends a running one CANCELED.
 */
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { jobExperimentYaml } from "../tuning/katib-yaml.ts";
import { listeningHarnessPerTest } from "./harness.ts";

const API = "/apis/weft/v1/tuning";
const l = listeningHarnessPerTest();

/** A Katib Experiment whose trial prints `loss=(x - 0.3)^2` (after `sleepMs`). */
function experimentYaml(name: string, opts: { maxTrials?: number; sleepMs?: number; parallel?: number } = {}): string {
  return jobExperimentYaml({
    name,
    script: `setTimeout(() => console.log("loss=" + (Number(process.argv[1]) - 0.3) ** 2), ${opts.sleepMs ?? 0})`,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Katib\'s trial parameter placeholders
    args: ["${trialParameters.x}"],
    parameters: [{ name: "x", type: "double", min: 0, max: 1 }],
    parallel: opts.parallel ?? 2,
    maxTrials: opts.maxTrials ?? 4,
  });
}

type Json = Record<string, unknown>;

async function post(path: string, body: string, type = "application/yaml"): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${l.base}${API}${path}`, { method: "POST", headers: { "content-type": type }, body });
  return { status: res.status, body: (await res.json()) as Json };
}

async function get(path: string): Promise<Json> {
  return (await (await fetch(`${l.base}${API}${path}`)).json()) as Json;
}

async function waitState(name: string, done: (e: Json) => boolean): Promise<Json> {
  for (let i = 0; i < 600; i++) {
    const e = await get(`/experiments/${name}`);
    if (done(e)) return e;
    await new Promise((ok) => setTimeout(ok, 100));
  }
  throw new Error(`experiment ${name} did not get there`);
}

describe("POST tuning experiments", () => {
  it("runs a Katib Experiment with command trials in the server and records every trial", async () => {
    const started = await post("/experiments", experimentYaml("post-search"));
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({ name: "post-search", state: "RUNNING", algorithm: "random" });
    const e = await waitState("post-search", (x) => x.state !== "RUNNING");
    expect(e).toMatchObject({ state: "SUCCEEDED", reason: "MaxTrialsReached", trial_count: 4 });
    const { trials } = (await get("/experiments/post-search/trials")) as { trials: Json[] };
    expect(trials.map((t) => t.state)).toEqual(["SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "SUCCEEDED"]);
    for (const t of trials) {
      const x = (t.params as { x: number }).x;
      expect((t.metrics as { loss: number }).loss).toBeCloseTo((x - 0.3) ** 2, 6);
    }
    const best = Math.min(...trials.map((t) => (t.values as number[])[0] as number));
    expect(e.best_value).toBe(best);
    // the store holds what the routes answered
    const row = l.h.store.tuning.getExperimentByName("post-search");
    expect(row?.state).toBe("SUCCEEDED");
    expect(l.h.store.tuning.listTrials(row?.id as string)).toHaveLength(4);
  });

  it("takes the same Experiment as JSON; another spec under a recorded name is a 409", async () => {
    const doc = parse(experimentYaml("json-search", { maxTrials: 2 })) as Json;
    const started = await post("/experiments", JSON.stringify(doc), "application/json");
    expect(started.status).toBe(200);
    await waitState("json-search", (x) => x.state === "SUCCEEDED");
    const changed = await post("/experiments", experimentYaml("json-search", { maxTrials: 3 }));
    expect(changed.status).toBe(409);
    expect(changed.body.message).toContain('the home already has a tuning experiment named "json-search"');
  });

  it("answers a bad Experiment with a 400 naming the field, and an empty body with what to send", async () => {
    const bad = await post("/experiments", experimentYaml("bad-search").replace('max: "1"', 'max: "zero"'));
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain("spec.parameters[0].feasibleSpace.max");
    const empty = await post("/experiments", "", "application/yaml");
    expect(empty.status).toBe(400);
    expect(empty.body.message).toContain("must be a Katib Experiment");
    expect(l.h.store.tuning.getExperimentByName("bad-search")).toBeUndefined();
  });

  it("cancels a running experiment: its running trials end CANCELED", async () => {
    const started = await post("/experiments", experimentYaml("slow-search", { sleepMs: 60_000, maxTrials: 3 }));
    expect(started.status).toBe(200);
    await waitState("slow-search", (x) => ((x.trial_counts as Json).RUNNING as number) >= 1);
    const again = await post("/experiments", experimentYaml("slow-search", { sleepMs: 60_000, maxTrials: 3 }));
    expect(again.status).toBe(409);
    expect(again.body.message).toContain("already running in this server");
    const canceled = await post("/experiments/slow-search:cancel", "", "application/json");
    expect(canceled.status).toBe(200);
    expect(canceled.body.state).toBe("CANCELED");
    const { trials } = (await get("/experiments/slow-search/trials")) as { trials: Json[] };
    expect(trials.length).toBeGreaterThan(0);
    expect(new Set(trials.map((t) => t.state))).toEqual(new Set(["CANCELED"]));
  });
});
