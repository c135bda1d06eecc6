/**
 * registerModel against a registry over real HTTP: a small in-memory stand-in for the
 * MLflow registry routes and Weft's version route, on 127.0.0.1, with a bearer token.
 * (The engine-level test against the real registry is test/engine/register-model.test.ts.)
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { executeComponent } from "../executor/index.ts";
import { ComponentError } from "./errors.ts";
import { championMetrics, collectMetrics, registerAndGate, registerModel, sourceOf } from "./register-model.ts";
import { NO_REGISTRY, RegistryClient } from "./registry-client.ts";

interface Version {
  name: string;
  version: string;
  source: string;
  run_id: string;
  status: string;
  status_message: string;
  description: string;
  tags: Array<{ key: string; value: string }>;
  gets: number;
}

/** The registry stand-in: MLflow's shapes and error bodies, Weft's metrics snapshot per source. */
class FakeRegistry {
  readonly token = "s3cret";
  readonly models = new Map<string, { versions: Version[]; aliases: Map<string, string> }>();
  /** The metrics snapshot the registry derives for a version, by source. */
  readonly metricsBySource = new Map<string, Record<string, number>>();
  readonly calls: string[] = [];
  server!: Server;
  uri = "";

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => {
        body += c;
      });
      req.on("end", () => {
        const url = new URL(req.url ?? "/", "http://x");
        this.calls.push(`${req.method} ${url.pathname}`);
        const send = (status: number, json: unknown) => {
          res.writeHead(status, { "content-type": "application/json" });
          res.end(JSON.stringify(json));
        };
        if (req.headers.authorization !== `Bearer ${this.token}`) {
          send(401, { error_code: "UNAUTHENTICATED", message: "a bearer token is required" });
          return;
        }
        const params: Record<string, string> =
          req.method === "GET" ? Object.fromEntries(url.searchParams) : (JSON.parse(body || "{}") as never);
        try {
          send(200, this.handle(`${req.method} ${url.pathname}`, params));
        } catch (err) {
          const [status, code, message] = err as [number, string, string];
          send(status, { error_code: code, message });
        }
      });
    });
    await new Promise<void>((done) => this.server.listen(0, "127.0.0.1", done));
    this.uri = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private model(name: string) {
    const m = this.models.get(name);
    if (!m) throw [404, "RESOURCE_DOES_NOT_EXIST", `Registered Model with name=${name} not found`];
    return m;
  }

  private version(name: string, version: string): Version {
    const v = this.model(name).versions.find((x) => x.version === version);
    if (!v) throw [404, "RESOURCE_DOES_NOT_EXIST", `Model Version (name=${name}, version=${version}) not found`];
    return v;
  }

  private wire(v: Version) {
    const { gets: _gets, ...rest } = v;
    return rest;
  }

  handle(call: string, p: Record<string, string>): unknown {
    const ns = "/api/2.0/mlflow";
    switch (call) {
      case `GET ${ns}/registered-models/get`:
        this.model(p.name!);
        return { registered_model: { name: p.name } };
      case `POST ${ns}/registered-models/create`:
        if (this.models.has(p.name!)) {
          throw [400, "RESOURCE_ALREADY_EXISTS", `Registered Model (name=${p.name}) already exists.`];
        }
        this.models.set(p.name!, { versions: [], aliases: new Map() });
        return { registered_model: { name: p.name } };
      case `POST ${ns}/model-versions/create`: {
        const m = this.model(p.name!);
        const v: Version = {
          name: p.name!,
          version: String(m.versions.length + 1),
          source: p.source!,
          run_id: p.run_id ?? "",
          status: "PENDING_REGISTRATION",
          status_message: "",
          description: p.description ?? "",
          tags: (p.tags as unknown as Version["tags"]) ?? [],
          gets: 0,
        };
        m.versions.push(v);
        return { model_version: this.wire(v) };
      }
      case `GET ${ns}/model-versions/get`: {
        const v = this.version(p.name!, p.version!);
        // registration finishes after the first look, so the caller has to wait for it
        if (++v.gets > 1 && v.status === "PENDING_REGISTRATION") {
          const missing = !this.metricsBySource.has(v.source);
          v.status = missing ? "FAILED_REGISTRATION" : "READY";
          if (missing) v.status_message = `no artifact at ${v.source}`;
        }
        return { model_version: this.wire(v) };
      }
      case `POST ${ns}/registered-models/alias`:
        this.version(p.name!, p.version!);
        this.model(p.name!).aliases.set(p.alias!, p.version!);
        return {};
      case `GET ${ns}/registered-models/alias`: {
        const version = this.model(p.name!).aliases.get(p.alias!);
        if (!version) throw [404, "RESOURCE_DOES_NOT_EXIST", `alias ${p.alias} not found`];
        return { model_version: this.wire(this.version(p.name!, version)) };
      }
    }
    const m = /^GET \/apis\/weft\/v1\/models\/([^/]+)\/versions\/([^/]+)$/.exec(call);
    if (m) {
      const v = this.version(decodeURIComponent(m[1]!), decodeURIComponent(m[2]!));
      return {
        name: v.name,
        version: Number(v.version),
        metrics: this.metricsBySource.get(v.source) ?? {},
        tags: Object.fromEntries(v.tags.map((t) => [t.key, t.value])),
      };
    }
    throw [404, "ENDPOINT_NOT_FOUND", `no route ${call}`];
  }
}

const registry = new FakeRegistry();
const dir = mkdtempSync(join(tmpdir(), "register-model-"));
const client = () => new RegistryClient({ uri: registry.uri, token: registry.token });
const policy = { thresholds: ["roc_auc >= 0.8"], compare: { metric: "roc_auc", minDelta: 0 } };

beforeAll(() => registry.start());
afterAll(async () => {
  await new Promise((done) => registry.server.close(done));
  rmSync(dir, { recursive: true, force: true });
});

/** A model artifact path with the metrics the registry will derive for it. */
function modelAt(name: string, metrics: Record<string, number>): string {
  const path = join(dir, name);
  registry.metricsBySource.set(sourceOf(path), metrics);
  return path;
}

describe("registerAndGate", () => {
  it("registers version 1 as champion when there is no champion, then keeps a worse version 2 as challenger", async () => {
    const first = await registerAndGate(client(), {
      modelUri: modelAt("m1", { roc_auc: 0.9 }),
      modelName: "fraud",
      policy,
      metrics: { roc_auc: 0.9 },
      runId: "run-1",
      tags: { team: "risk" },
      decisionPath: join(dir, "d1.md"),
    });
    expect(first).toMatchObject({ version: 1, modelUri: "models:/fraud/1", promoted: true });
    expect(first.decision.decidedBy).toContain("no current champion");
    const m = registry.models.get("fraud")!;
    expect(Object.fromEntries(m.aliases)).toEqual({ challenger: "1", champion: "1" });
    expect(m.versions[0]).toMatchObject({
      source: `file://${join(dir, "m1")}`,
      run_id: "run-1",
      status: "READY",
      tags: [
        { key: "weft.metric.roc_auc", value: "0.9" },
        { key: "team", value: "risk" },
      ],
    });
    const page = readFileSync(join(dir, "d1.md"), "utf8");
    expect(page).toContain("**Promoted:** version 1 is now `champion`");
    expect(page).toContain("| roc_auc >= 0.8 | roc_auc | 0.9 | 0.8 | pass: holds |");

    const second = await registerAndGate(client(), {
      modelUri: modelAt("m2", { roc_auc: 0.85 }),
      modelName: "fraud",
      policy,
      metrics: { roc_auc: 0.85 },
      decisionPath: join(dir, "d2.md"),
    });
    expect(second).toMatchObject({ version: 2, promoted: false, previousChampion: "1" });
    expect(Object.fromEntries(m.aliases)).toEqual({ challenger: "2", champion: "1" });
    const page2 = readFileSync(join(dir, "d2.md"), "utf8");
    expect(page2).toContain("**Not promoted:** version 2 stays `challenger`; `champion` stays version 1");
    expect(page2).toContain(
      "Decided by: comparison \"roc_auc higher than the champion's by at least 0\" failed: not >= the champion's (version 1) 0.9.",
    );

    const third = await registerAndGate(client(), {
      modelUri: modelAt("m3", { roc_auc: 0.95 }),
      modelName: "fraud",
      policy,
      metrics: { roc_auc: 0.95 },
      decisionPath: join(dir, "d3.md"),
    });
    expect(third).toMatchObject({ version: 3, promoted: true, previousChampion: "1" });
    expect(Object.fromEntries(m.aliases)).toEqual({ challenger: "3", champion: "3" });
  });

  it("fails on a threshold after registering the version as challenger and writing the decision", async () => {
    const path = join(dir, "low.md");
    const err = await registerAndGate(client(), {
      modelUri: modelAt("low", { roc_auc: 0.7 }),
      modelName: "low-model",
      policy,
      metrics: { roc_auc: 0.7 },
      decisionPath: path,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ComponentError);
    expect((err as ComponentError).code).toBe("POLICY_THRESHOLD_FAILED");
    expect((err as ComponentError).message).toContain(
      'low-model version 1 failed the threshold "roc_auc >= 0.8": roc_auc is 0.7, threshold 0.8',
    );
    expect(Object.fromEntries(registry.models.get("low-model")!.aliases)).toEqual({ challenger: "1" });
    expect(readFileSync(path, "utf8")).toContain("**Not promoted: a threshold failed.**");
  });

  it("checks the policy and its metrics before registering anything", async () => {
    const before = registry.calls.length;
    const bad = await registerAndGate(client(), {
      modelUri: modelAt("x", {}),
      modelName: "never",
      policy: { thresholds: ["auc >= 0.9"] },
      metrics: { roc_auc: 0.9 },
      decisionPath: join(dir, "x.md"),
    }).then(
      () => new ComponentError("REGISTER_INVALID_INPUT", "expected a failure"),
      (e: unknown) => e as ComponentError,
    );
    expect(bad.code).toBe("POLICY_METRIC_MISSING");
    expect(bad.message).toContain("present: roc_auc");
    const name = await registerAndGate(client(), {
      modelUri: modelAt("y", {}),
      modelName: "a/b",
      policy: {},
      metrics: {},
      decisionPath: join(dir, "y.md"),
    }).then(
      () => new ComponentError("REGISTER_INVALID_INPUT", "expected a failure"),
      (e: unknown) => e as ComponentError,
    );
    expect(name.code).toBe("REGISTER_INVALID_INPUT");
    expect(name.message).toContain('model_name "a/b"');
    expect(registry.calls.length).toBe(before);
  });

  it("compares with the metrics the champion's own gate recorded when the run's snapshot names them otherwise", async () => {
    // the registry's snapshot qualifies run metrics by task when the pipeline declares none
    const first = await registerAndGate(client(), {
      modelUri: modelAt("q1", { "train.auc": 0.8, "evaluate[a].f1": 0.1, "evaluate[b].f1": 0.2 }),
      modelName: "qualified",
      policy: { compare: { metric: "auc" } },
      metrics: { auc: 0.8 },
      decisionPath: join(dir, "q1.md"),
    });
    expect(first.promoted).toBe(true);
    const second = await registerAndGate(client(), {
      modelUri: modelAt("q2", {}),
      modelName: "qualified",
      policy: { compare: { metric: "auc", minDelta: 0.05 } },
      metrics: { auc: 0.84 },
      decisionPath: join(dir, "q2.md"),
    });
    expect(second.promoted).toBe(false);
    expect(second.decision.decidedBy).toContain("not >= the champion's (version 1) 0.8 + 0.05");
    expect(
      championMetrics({
        metrics: { "train.auc": 0.8, "evaluate[a].f1": 0.1, "evaluate[b].f1": 0.2, loss: 3 },
        tags: { "weft.metric.loss": "2", "weft.metric.auc": "0.75", "weft.metric.x": "n/a", team: "1" },
      }),
    ).toEqual({ auc: 0.75, loss: 3, "train.auc": 0.8, "evaluate[a].f1": 0.1, "evaluate[b].f1": 0.2 });
  });

  it("reports a failed registration with the registry's status message", async () => {
    const err = await registerAndGate(client(), {
      modelUri: join(dir, "not-there"),
      modelName: "broken",
      policy: {},
      metrics: {},
      decisionPath: join(dir, "b.md"),
    }).then(
      () => new ComponentError("REGISTER_INVALID_INPUT", "expected a failure"),
      (e: unknown) => e as ComponentError,
    );
    expect(err.code).toBe("REGISTRY_REGISTRATION_FAILED");
    expect(err.message).toContain(`broken version 1: no artifact at file://${join(dir, "not-there")}`);
  });
});

describe("RegistryClient", () => {
  it("names the call, the HTTP status and MLflow's error code and message", async () => {
    const err = await client()
      .getModelVersion("nope", "1")
      .then(
        () => new ComponentError("REGISTER_INVALID_INPUT", "expected a failure"),
        (e: unknown) => e as ComponentError,
      );
    expect(err.code).toBe("REGISTRY_REQUEST_FAILED");
    expect(err.message).toBe(
      "registerModel: GET /api/2.0/mlflow/model-versions/get failed with HTTP 404 RESOURCE_DOES_NOT_EXIST: Registered Model with name=nope not found",
    );
  });

  it("sends MLFLOW_TRACKING_TOKEN as a bearer token, and says when the registry refuses it", async () => {
    const wrong = RegistryClient.fromEnv({ MLFLOW_TRACKING_URI: `${registry.uri}/`, MLFLOW_TRACKING_TOKEN: "bad" });
    const err = await wrong.getRegisteredModel("fraud").then(
      () => new ComponentError("REGISTER_INVALID_INPUT", "expected a failure"),
      (e: unknown) => e as ComponentError,
    );
    expect(err.message).toContain("HTTP 401 UNAUTHENTICATED");
    expect(err.message).toContain("check MLFLOW_TRACKING_TOKEN");
    const right = RegistryClient.fromEnv({ MLFLOW_TRACKING_URI: registry.uri, MLFLOW_TRACKING_TOKEN: registry.token });
    expect(await right.getRegisteredModel("fraud")).toEqual({ name: "fraud" });
  });

  it("says what to do without MLFLOW_TRACKING_URI, with a URI that is not HTTP, and with no server", async () => {
    expect(() => RegistryClient.fromEnv({})).toThrow(NO_REGISTRY);
    expect(() => RegistryClient.fromEnv({ MLFLOW_TRACKING_URI: "file:./mlruns" })).toThrow(
      'MLFLOW_TRACKING_URI is "file:./mlruns", not an http(s) URL',
    );
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, "127.0.0.1", done));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((done) => closed.close(done));
    const err = await new RegistryClient({ uri: `http://127.0.0.1:${port}` }).getRegisteredModel("x").then(
      () => new ComponentError("REGISTER_INVALID_INPUT", "expected a failure"),
      (e: unknown) => e as ComponentError,
    );
    expect(err.code).toBe("REGISTRY_UNREACHABLE");
    expect(err.message).toContain(`could not reach the registry at http://127.0.0.1:${port} (ECONNREFUSED)`);
  });
});

describe("registerModel component", () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  function executorInput(modelPath: string, decisionPath: string, params: Record<string, unknown>): string[] {
    const input = {
      inputs: {
        parameterValues: params,
        artifacts: {
          model: { artifacts: [{ name: "model", uri: modelPath, metadata: {} }] },
          metrics: {
            artifacts: [{ name: "metrics", uri: join(dir, "metrics"), metadata: { roc_auc: 0.99, f1: 0.5 } }],
          },
        },
      },
      outputs: {
        artifacts: { decision: { artifacts: [{ name: "decision", uri: decisionPath, metadata: {} }] } },
        outputFile: join(dir, "component", "executor_output.json"),
        parameters: {
          version: { outputFile: join(dir, "component", "version") },
          model_uri: { outputFile: join(dir, "component", "model_uri") },
          promoted: { outputFile: join(dir, "component", "promoted") },
        },
      },
    };
    return ["--executor_input", JSON.stringify(input), "--function_to_execute", "register_model"];
  }

  it("runs under the executor contract: metrics from the Metrics artifact, the run id from WEFT_RUN_ID", async () => {
    process.env.MLFLOW_TRACKING_URI = registry.uri;
    process.env.MLFLOW_TRACKING_TOKEN = registry.token;
    process.env.WEFT_RUN_ID = "run-42";
    const out = await executeComponent(
      registerModel as never,
      executorInput(modelAt("component-model", { roc_auc: 0.99 }), join(dir, "component", "decision"), {
        model_name: "component-model",
        policy: { thresholds: ["roc_auc >= 0.9", "f1 > 0.4"], compare: { metric: "roc_auc" } },
        description: "from the executor",
      }),
    );
    expect(out.parameterValues).toEqual({ version: 1, model_uri: "models:/component-model/1", promoted: true });
    expect(out.artifacts?.decision?.artifacts?.[0]?.metadata).toMatchObject({ promoted: true, version: 1 });
    expect(registry.models.get("component-model")!.versions[0]).toMatchObject({
      run_id: "run-42",
      description: "from the executor",
    });
  });

  it("without a registry, fails saying how to get one", async () => {
    delete process.env.MLFLOW_TRACKING_URI;
    const err = await executeComponent(
      registerModel as never,
      executorInput(join(dir, "m"), join(dir, "component", "decision2"), { model_name: "m", policy: {} }),
    ).then(
      () => new Error("expected a failure"),
      (e: unknown) => e as Error,
    );
    expect(err.message).toBe(NO_REGISTRY);
  });

  it("merges metric_values over the Metrics artifact, and refuses values that are not numbers", () => {
    expect(collectMetrics({ roc_auc: 0.9, framework: "x" }, { roc_auc: 0.95, f1: 0.3 })).toEqual({
      roc_auc: 0.95,
      f1: 0.3,
    });
    expect(() => collectMetrics({}, { f1: "0.3" })).toThrow('metric_values.f1 is "0.3", not a number');
  });
});
