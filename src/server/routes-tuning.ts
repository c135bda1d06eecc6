/**
 * Tuning experiments under `/apis/weft/v1/tuning`: the list (with trial counts by state
 * and the best value), one experiment (its spec summary and best trial, or the Pareto
 * front of several objectives), its trials, a trial's intermediate values, the analysis
 * (PED-ANOVA importance, optimisation history, Pareto front), and the cancel verb. Errors
 * are the KFP error bodies of the other routes: a 404 names the experiment or trial, a
 * 400 the field.
 *
 * `POST /experiments` takes a Katib `Experiment` (YAML, or the same as JSON) and runs it
 * in the server process with the store journal, as `weft tune` would (a recorded
 * experiment of the same name and spec resumes); command trials run as child processes,
 * pipeline trials as runs of the server's Weft home. Relative paths in the experiment
 * resolve against the server's working directory. The answer comes once the experiment is
 * recorded and claimed; `:cancel` stops it (its running trials end CANCELED), and so does
 * stopping the server.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Engine } from "../engine/index.ts";
import { EXPERIMENT_STATES, TERMINAL_EXPERIMENT_STATES, TRIAL_STATES } from "../ir/states.ts";
import type { TuningExperiment, TuningTrial } from "../store/index.ts";
import { timeFields, wireFields } from "../store/table.ts";
import { TUNING_EXPERIMENTS_TABLE } from "../store/tables/index.ts";
import { optimisationHistory, parameterImportance } from "../tuning/analysis/index.ts";
import { TuningError } from "../tuning/errors.ts";
import { parseExperiment } from "../tuning/katib/index.ts";
import { chooseBest, paretoFront } from "../tuning/pareto.ts";
import { runExperiment } from "../tuning/runner/index.ts";
import { createStoreJournal } from "../tuning/runner/store-journal.ts";
import type {
  AlgorithmSpec,
  BestRule,
  EarlyStoppingSpec,
  Goal,
  ObjectiveMetric,
  ParameterSpec,
  TrialObservation,
} from "../tuning/types.ts";
import type { ServerContext } from "./context.ts";
import { ApiError, badRequest, GrpcCode, notFound } from "./errors.ts";
import { listPage, listParams, pathParam, queryParam, registerVerbs } from "./http-util.ts";
import { compact, time } from "./kfp-json.ts";
import { buildListQuery, type ResourceFields } from "./query.ts";

/** Prefix of the tuning endpoints. */
export const TUNING_API = "/apis/weft/v1/tuning";

/** Filter and sort keys of `GET /tuning/experiments` (name, state, algorithm, created_at, finished_at). */
export const TUNING_EXPERIMENT_FIELDS: ResourceFields = {
  resource: "tuning experiment",
  fields: wireFields(TUNING_EXPERIMENTS_TABLE),
  timeFields: timeFields(TUNING_EXPERIMENTS_TABLE),
  defaultSort: { field: "createdAt", desc: true },
};

/** The recorded spec: the serialisable parts of an ExperimentSpec, read defensively. */
interface StoredSpec {
  space?: { parameters?: ParameterSpec[] };
  objective?: {
    metrics?: ObjectiveMetric[];
    goal?: number;
    additionalMetricNames?: string[];
    best?: BestRule;
  };
  algorithm?: Partial<AlgorithmSpec>;
  earlyStopping?: EarlyStoppingSpec;
  parallelTrialCount?: number;
  maxTrialCount?: number;
  maxFailedTrialCount?: number;
  trial?: { kind?: string };
}

const specOf = (e: TuningExperiment): StoredSpec => e.spec as StoredSpec;
const objectivesOf = (e: TuningExperiment): ObjectiveMetric[] => specOf(e).objective?.metrics ?? [];

/** A recorded trial as the samplers and the analysis see it. */
function observation(t: TuningTrial): TrialObservation {
  return {
    number: t.number,
    params: t.params,
    state: t.state,
    ...(t.values ? { values: t.values } : {}),
    intermediate: [],
  };
}

/**
 * The best trial(s): one objective, the best observed trial (the recorded best when there
 * is one); several, the Pareto front, with the one chosen by the experiment's best rule.
 */
function bestOf(
  e: TuningExperiment,
  trials: readonly TuningTrial[],
): { best: TuningTrial | undefined; front: TuningTrial[] | undefined } {
  const objectives = objectivesOf(e);
  const directions: Goal[] = objectives.map((o) => o.goal);
  if (directions.length === 0) return { best: undefined, front: undefined };
  const byNumber = new Map(trials.map((t) => [t.number, t]));
  const obs = trials.map(observation);
  const frontObs = paretoFront(obs, directions);
  const front = frontObs.map((o) => byNumber.get(o.number) as TuningTrial);
  let chosen: number | undefined = e.bestTrial;
  if (chosen === undefined || !byNumber.has(chosen)) {
    try {
      chosen = chooseBest(frontObs, specOf(e).objective?.best ?? { rule: "first" }, objectives)?.number;
    } catch {
      // a best rule naming no objective is the spec's problem, reported when it ran
      chosen = chooseBest(frontObs, { rule: "first" }, objectives)?.number;
    }
  }
  return {
    best: chosen === undefined ? undefined : byNumber.get(chosen),
    front: directions.length > 1 ? front : undefined,
  };
}

/**
 * The summary of the list and of one experiment. Without `trials` (the list) it reads the
 * counts with one grouped query and the recorded best trial alone, reading every trial
 * only when no best is recorded yet.
 */
function summaryJson(
  ctx: ServerContext,
  e: TuningExperiment,
  trials?: readonly TuningTrial[],
): Record<string, unknown> {
  const spec = specOf(e);
  let counts: Record<string, number>;
  let best: TuningTrial | undefined;
  if (trials) {
    counts = {};
    for (const t of trials) counts[t.state] = (counts[t.state] ?? 0) + 1;
    best = bestOf(e, trials).best;
  } else {
    counts = ctx.store.tuning.countTrials(e.id);
    const recorded = e.bestTrial === undefined ? undefined : ctx.store.tuning.getTrial(e.id, e.bestTrial);
    best = recorded ?? bestOf(e, ctx.store.tuning.listTrials(e.id)).best;
  }
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  return compact({
    name: e.name,
    state: e.state,
    reason: e.reason,
    message: e.message,
    algorithm: e.algorithm,
    objectives: objectivesOf(e).map((o) => ({ name: o.name, goal: o.goal })),
    trial_counts: counts,
    trial_count: total,
    max_trial_count: spec.maxTrialCount,
    parallel_trial_count: spec.parallelTrialCount,
    best_value: best?.values?.[0],
    best_trial: best?.name,
    created_at: time(e.createdAt),
    finished_at: time(e.finishedAt),
  });
}

/** A trial in the API's JSON. */
export function trialJson(t: TuningTrial): Record<string, unknown> {
  return compact({
    name: t.name,
    number: t.number,
    state: t.state,
    reason: t.reason,
    message: t.message,
    params: t.params,
    meta: Object.keys(t.meta ?? {}).length > 0 ? t.meta : undefined,
    values: t.values,
    metrics: t.metrics,
    run_id: t.runId,
    created_at: time(t.createdAt),
    started_at: time(t.startedAt),
    finished_at: time(t.finishedAt),
  });
}

function requireTuningExperiment(ctx: ServerContext, name: string): TuningExperiment {
  const e = ctx.store.tuning.getExperimentByName(name);
  if (!e) throw notFound("tuning experiment", name, "name");
  return e;
}

/** A trial by its name (`<experiment>-<number>`) or its number. */
function requireTrial(ctx: ServerContext, e: TuningExperiment, raw: string): TuningTrial {
  const prefix = `${e.name}-`;
  const digits = /^\d+$/.test(raw) ? raw : raw.startsWith(prefix) ? raw.slice(prefix.length) : "";
  const t = /^\d+$/.test(digits) ? ctx.store.tuning.getTrial(e.id, Number(digits)) : undefined;
  if (!t) {
    throw new ApiError(
      "API_NOT_FOUND",
      GrpcCode.NOT_FOUND,
      `tuning trial '${raw}' of experiment '${e.name}' was not found; name a trial as ${prefix}<number> (or its number), from GET ${TUNING_API}/experiments/${e.name}/trials.`,
    );
  }
  return t;
}

/** What the tuning routes need beyond the shared context. */
export interface TuningRouteOptions {
  /** The server's engine: its home holds pipeline trials' runs and command trials' logs. */
  engine?: Engine | undefined;
  /** Where relative paths of a posted experiment resolve; default the working directory. */
  baseDir?: string;
}

/** The media types of a Katib Experiment sent as YAML text. */
const YAML_TYPES = ["application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"];

/** A TuningError of a posted experiment as the API's error: the caller's mistake, or a conflict. */
function tuningApiError(err: unknown): unknown {
  if (!(err instanceof TuningError)) return err;
  if (err.code === "TUNING_EXPERIMENT_BUSY" || err.code === "TUNING_EXPERIMENT_CHANGED") {
    return new ApiError("API_ALREADY_EXISTS", GrpcCode.ALREADY_EXISTS, err.message, { cause: err });
  }
  return new ApiError("API_INVALID_ARGUMENT", GrpcCode.INVALID_ARGUMENT, err.message, { cause: err });
}

/** The Katib Experiment text of a request body: YAML text, or a JSON object (JSON is YAML). */
function experimentText(body: unknown): string {
  if (typeof body === "string" && body.trim() !== "") return body;
  if (typeof body === "object" && body !== null && !Array.isArray(body)) return JSON.stringify(body);
  throw badRequest(
    "the request body must be a Katib Experiment (apiVersion kubeflow.org/v1beta1, kind Experiment) as YAML (content type application/yaml) or JSON.",
  );
}

/** Registers the tuning routes. */
export function registerTuningRoutes(app: FastifyInstance, ctx: ServerContext, opts: TuningRouteOptions = {}): void {
  // a scope of their own: the YAML body parser is theirs alone
  app.register(async (scope) => tuningRoutes(scope, ctx, opts));
}

/** Experiments this server runs, by name. */
interface Running {
  readonly abort: AbortController;
  readonly done: Promise<unknown>;
}

function tuningRoutes(app: FastifyInstance, ctx: ServerContext, opts: TuningRouteOptions): void {
  const { store } = ctx;
  const name = (req: FastifyRequest): string => pathParam(req, "name");
  const running = new Map<string, Running>();

  app.addContentTypeParser(YAML_TYPES, { parseAs: "string" }, (_req, body, done) => done(null, body));
  app.addHook("onClose", async () => {
    for (const r of running.values()) r.abort.abort();
    await Promise.allSettled([...running.values()].map((r) => r.done));
  });

  app.post(`${TUNING_API}/experiments`, async (req, reply) => {
    const text = experimentText(req.body);
    let spec: ReturnType<typeof parseExperiment>;
    try {
      spec = parseExperiment(text, "request body", { baseDir: opts.baseDir ?? process.cwd() });
    } catch (err) {
      throw tuningApiError(err);
    }
    if (running.has(spec.name)) {
      throw new ApiError(
        "API_ALREADY_EXISTS",
        GrpcCode.ALREADY_EXISTS,
        `tuning experiment '${spec.name}' is already running in this server; wait for it to end, or cancel it (POST ${TUNING_API}/experiments/${spec.name}:cancel).`,
      );
    }
    const journal = createStoreJournal(store);
    let opened!: () => void;
    let refused!: (err: unknown) => void;
    const claimed = new Promise<void>((ok, fail) => {
      opened = ok;
      refused = fail;
    });
    const abort = new AbortController();
    const done = runExperiment(spec, {
      journal: {
        ...journal,
        open(s, source) {
          const trials = journal.open(s, source);
          opened();
          return trials;
        },
      },
      source: text,
      signal: abort.signal,
      ...(opts.engine ? { home: opts.engine.home } : {}),
    }).then(
      (result) => {
        refused(new Error(`tuning experiment '${spec.name}' ended before it was recorded`));
        return result;
      },
      (err: unknown) => {
        refused(err);
        req.log.warn({ err, experiment: spec.name }, "tuning experiment failed");
      },
    );
    const entry = { abort, done };
    running.set(spec.name, entry);
    void done.finally(() => {
      if (running.get(spec.name) === entry) running.delete(spec.name);
    });
    try {
      await claimed;
    } catch (err) {
      throw tuningApiError(err);
    }
    reply.status(200);
    return summaryJson(ctx, requireTuningExperiment(ctx, spec.name));
  });

  app.get(`${TUNING_API}/experiments`, async (req) => {
    const state = queryParam(req, "state");
    if (state !== undefined && !(EXPERIMENT_STATES as readonly string[]).includes(state)) {
      throw badRequest(`query parameter state "${state}" is not a state; use one of ${EXPERIMENT_STATES.join(", ")}.`);
    }
    const extra = state ? [{ field: "state", op: "EQUALS" as const, value: state }] : [];
    const q = buildListQuery(TUNING_EXPERIMENT_FIELDS, listParams(req), extra);
    return listPage(
      "experiments",
      q,
      (query) => store.tuning.listExperiments(query),
      (e) => summaryJson(ctx, e),
      TUNING_EXPERIMENT_FIELDS,
    );
  });

  app.get(`${TUNING_API}/experiments/:name`, async (req) => {
    const e = requireTuningExperiment(ctx, name(req));
    const trials = store.tuning.listTrials(e.id);
    const spec = specOf(e);
    const { best, front } = bestOf(e, trials);
    const bestRule = spec.objective?.best;
    return compact({
      ...summaryJson(ctx, e, trials),
      spec: compact({
        parameters: spec.space?.parameters ?? [],
        additional_metric_names: spec.objective?.additionalMetricNames ?? [],
        goal: spec.objective?.goal,
        best_rule:
          bestRule === undefined
            ? undefined
            : bestRule.rule === "weighted"
              ? `weighted ${Object.entries(bestRule.weights)
                  .map(([k, v]) => `${k}=${v}`)
                  .join(",")}`
              : bestRule.rule === "lexicographic"
                ? `lexicographic ${bestRule.order.join(",")}`
                : "first",
        algorithm_settings: spec.algorithm?.settings ?? {},
        seed: spec.algorithm?.seed ?? 0,
        early_stopping: spec.earlyStopping,
        max_failed_trial_count: spec.maxFailedTrialCount,
        trial_kind: spec.trial?.kind,
      }),
      best_trials: (front ?? (best ? [best] : [])).map(trialJson),
      best_trial_number: best?.number,
    });
  });

  app.get(`${TUNING_API}/experiments/:name/trials`, async (req) => {
    const e = requireTuningExperiment(ctx, name(req));
    const state = queryParam(req, "state");
    if (state !== undefined && !(TRIAL_STATES as readonly string[]).includes(state)) {
      throw badRequest(`query parameter state "${state}" is not a trial state; use one of ${TRIAL_STATES.join(", ")}.`);
    }
    const trials = store.tuning.listTrials(e.id).filter((t) => state === undefined || t.state === state);
    return { trials: trials.map(trialJson) };
  });

  app.get(`${TUNING_API}/experiments/:name/trials/:trial/observations`, async (req) => {
    const e = requireTuningExperiment(ctx, name(req));
    const t = requireTrial(ctx, e, pathParam(req, "trial"));
    const metric = queryParam(req, "metric");
    return {
      trial: t.name,
      observations: store.tuning.listObservations(e.id, t.number, metric).map((o) =>
        compact({
          metric: o.metric,
          step: o.step,
          // JSON has no NaN: a NaN a trial reported is sent as null
          value: Number.isNaN(o.value) ? null : o.value,
          timestamp: time(o.timestamp),
        }),
      ),
    };
  });

  app.get(`${TUNING_API}/experiments/:name/analysis`, async (req) => {
    const e = requireTuningExperiment(ctx, name(req));
    const objectives = objectivesOf(e);
    const directions = objectives.map((o) => o.goal);
    const trials = store.tuning.listTrials(e.id);
    const obs = trials.map(observation);
    const space = { parameters: specOf(e).space?.parameters ?? [] };
    const metricOf = (i: number): string => objectives[i]?.name ?? String(i);
    return compact({
      importance: parameterImportance(space, directions, obs).map((imp) =>
        compact({
          objective: imp.objective,
          metric: metricOf(imp.objective),
          trials: imp.trials,
          top_trials: imp.topTrials,
          parameters: imp.parameters,
          note: imp.note,
        }),
      ),
      history: optimisationHistory(directions, obs).map((h) => ({
        objective: h.objective,
        metric: metricOf(h.objective),
        goal: h.goal,
        points: h.points,
      })),
      pareto_front: directions.length > 1 ? paretoFront(obs, directions).map((t) => t.number) : undefined,
    });
  });

  registerVerbs(app, `${TUNING_API}/experiments`, "name", {
    cancel: async (id) => {
      const e = requireTuningExperiment(ctx, id);
      if ((TERMINAL_EXPERIMENT_STATES as readonly string[]).includes(e.state)) {
        throw new ApiError(
          "API_FAILED_PRECONDITION",
          GrpcCode.FAILED_PRECONDITION,
          `tuning experiment '${e.name}' already ended (${e.state}); there is nothing to cancel.`,
        );
      }
      const r = running.get(e.name);
      if (r) {
        r.abort.abort();
        await r.done;
      } else {
        const owner = e.ownerPid !== undefined ? ` by process ${e.ownerPid} on ${e.ownerHost ?? "this host"}` : "";
        throw new ApiError(
          "API_FAILED_PRECONDITION",
          GrpcCode.FAILED_PRECONDITION,
          `tuning experiment '${e.name}' is run${owner}, not by this server; stop it there (Ctrl-C on \`weft tune\`), which cancels its running trials.`,
        );
      }
      return summaryJson(ctx, requireTuningExperiment(ctx, id));
    },
  });
}
