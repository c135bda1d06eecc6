/**
 * `cmaes`: CMA-ES as Optuna's CmaEsSampler runs it. The numeric parameters that are always
 * active (double, int, discrete; no `when`) are the dimensions of one CMA-ES run on the
 * unit cube (`toUnit`/`fromUnit`: the log scale, steps and integers are the space's);
 * categorical and conditional parameters are drawn from their prior, independently. The
 * first trial is drawn from the prior (Optuna's `n_startup_trials = 1`); the run starts
 * at the centre of the cube with step size 1/6 of every range (Katib's `sigma` setting
 * overrides it, as a fraction of the range) and a population of `4 + floor(3 ln n)`.
 *
 * Each suggestion records its restart and generation in `meta` (`cmaes_restart`,
 * `cmaes_generation`), as Optuna keeps them in a trial's system attributes. The sampler
 * keeps no state of its own: every call replays the history, telling each generation the
 * first `popsize` observed trials of it in trial-number order, so the same history gives
 * the same state (states are cached by the trials told, so a call costs one replay step).
 * With parallel trials, the members of the current generation that still run are pending:
 * the next trial is another member of that generation, drawn from its own random stream.
 * Trials that fail are not told; more members of the generation are drawn instead.
 *
 * `restart_strategy`: `ipop` restarts a degenerated run (the `cmaes` library's tests:
 * flat values, a vanished or exploded step size, no effect on the mean, an ill-conditioned
 * covariance) from a random point with twice the population; `bipop` alternates such
 * large-population runs with small-population ones, spending about the same number of
 * trials on each kind (Optuna's BIPOP). Katib's settings: `random_state` (the experiment's
 * seed, read where the spec is parsed), `sigma`, `restart_strategy`.
 */

import { OBSERVED_TRIAL_STATES } from "../../ir/states.ts";
import { TuningError } from "../errors.ts";
import { Rng } from "../rng.ts";
import { fromUnit, isActive, isNumeric, sampleAssignment, sampleValue, toUnit } from "../space.ts";
import type {
  Assignment,
  Goal,
  ParameterSpec,
  ParamValue,
  SamplerContext,
  SamplerFactory,
  Suggestion,
  TrialObservation,
} from "../types.ts";
import { ask, type CmaState, createCma, defaultPopsize, type Solution, shouldStop, tell } from "./cmaes/optimizer.ts";

/** Label of this sampler's random streams (`new Rng(seed, trialNumber, attempt, STREAM)`). */
const STREAM = 6;
/** Label of the stream that places a restart's mean (`new Rng(seed, STREAM_RESTART, restart)`). */
const STREAM_RESTART = 0x636d61;
const SETTINGS = ["random_state", "sigma", "restart_strategy"] as const;
const RESTART_STRATEGIES = ["none", "ipop", "bipop"] as const;
type RestartStrategy = (typeof RESTART_STRATEGIES)[number];
/** Optuna's default number of trials drawn from the prior before CMA-ES starts. */
const STARTUP_TRIALS = 1;
/** Optuna's factor of the population at each IPOP restart. */
const INC_POPSIZE = 2;
/** Keys of a suggestion's `meta`. */
export const CMAES_META = { restart: "cmaes_restart", generation: "cmaes_generation" } as const;
const CACHE_LIMIT = 2048;

/** Where a replay of the history left CMA-ES: the run, its restart, and the BIPOP budget. */
interface RunState {
  readonly cma: CmaState;
  readonly restart: number;
  readonly popsize0: number;
  /** BIPOP: restarts with a large population so far, the kind of the current run, trials spent on each kind. */
  readonly largeRestarts: number;
  readonly kind: "small" | "large";
  readonly smallEvals: number;
  readonly largeEvals: number;
}

export const createCmaesSampler: SamplerFactory = ({ settings, space, directions }) => {
  checkSettings(settings);
  if (directions.length !== 1) {
    throw new TuningError(
      "TUNING_SPEC_INVALID",
      `spec.algorithm: cmaes optimises one objective, but ${directions.length} are given; use nsga2 or motpe for several objectives (or random, grid, sobol).`,
    );
  }
  const sigma0 = sigmaSetting(settings);
  const strategy = restartSetting(settings);
  const dims = space.parameters.filter((p) => isNumeric(p) && !p.when);
  const cache = new Map<string, RunState>();

  function initial(seed: number): RunState {
    const key = `init:${seed}`;
    const hit = cache.get(key);
    if (hit) return hit;
    const popsize0 = defaultPopsize(dims.length);
    const state: RunState = {
      cma: createCma(
        dims.map(() => 0.5),
        sigma0,
        popsize0,
      ),
      restart: 0,
      popsize0,
      largeRestarts: 0,
      kind: "small",
      smallEvals: 0,
      largeEvals: 0,
    };
    remember(cache, key, state);
    return state;
  }

  function replay(ctx: SamplerContext): RunState {
    const groups = new Map<string, TrialObservation[]>();
    for (const t of ctx.history) {
      if (!isObserved(t)) continue;
      const r = t.meta?.[CMAES_META.restart];
      const g = t.meta?.[CMAES_META.generation];
      if (typeof r !== "number" || typeof g !== "number") continue;
      if (!dims.every((p) => typeof t.params[p.name] === "number")) continue;
      const id = `${r}.${g}`;
      const list = groups.get(id);
      if (list) list.push(t);
      else groups.set(id, [t]);
    }
    let state = initial(ctx.seed);
    let key = `init:${ctx.seed}`;
    for (;;) {
      const members = (groups.get(`${state.restart}.${state.cma.generation}`) ?? [])
        .sort((a, b) => a.number - b.number)
        .slice(0, state.cma.k.popsize);
      if (members.length < state.cma.k.popsize) return state;
      key += `|${members.map((t) => `${t.number}=${value(t, ctx.directions)}`).join(",")}`;
      const hit = cache.get(key);
      if (hit) {
        state = hit;
        continue;
      }
      const solutions: Solution[] = members.map((t) => ({
        x: dims.map((p) => toUnit(p, t.params[p.name] as number)),
        value: value(t, ctx.directions),
      }));
      const cma = tell(state.cma, solutions);
      state = strategy !== "none" && shouldStop(cma) ? restart(state, cma, ctx.seed) : { ...state, cma };
      remember(cache, key, state);
    }
  }

  function restart(prev: RunState, stopped: CmaState, seed: number): RunState {
    const n = prev.restart + 1;
    const rng = new Rng(seed, STREAM_RESTART, n);
    const mean = dims.map(() => rng.next());
    if (strategy === "ipop") {
      const popsize = prev.cma.k.popsize * INC_POPSIZE;
      return { ...prev, cma: createCma(mean, sigma0, popsize), restart: n };
    }
    const evals = stopped.k.popsize * stopped.generation;
    const smallEvals = prev.smallEvals + (prev.kind === "small" ? evals : 0);
    const largeEvals = prev.largeEvals + (prev.kind === "large" ? evals : 0);
    if (smallEvals < largeEvals) {
      const multiplier = INC_POPSIZE ** prev.largeRestarts;
      const popsize = Math.max(2, Math.floor(prev.popsize0 * multiplier ** (rng.next() ** 2)));
      return { ...prev, cma: createCma(mean, sigma0, popsize), restart: n, kind: "small", smallEvals, largeEvals };
    }
    const largeRestarts = prev.largeRestarts + 1;
    const popsize = prev.popsize0 * INC_POPSIZE ** largeRestarts;
    return {
      ...prev,
      cma: createCma(mean, sigma0, popsize),
      restart: n,
      kind: "large",
      largeRestarts,
      smallEvals,
      largeEvals,
    };
  }

  return {
    name: "cmaes",
    suggest(ctx: SamplerContext): Suggestion {
      const rng = new Rng(ctx.seed, ctx.trialNumber, ctx.attempt, STREAM);
      const observed = ctx.history.filter(isObserved).length;
      if (dims.length === 0 || observed < STARTUP_TRIALS) {
        return { kind: "trial", params: sampleAssignment(ctx.space, rng) };
      }
      const state = replay(ctx);
      const x = ask(state.cma, rng);
      return {
        kind: "trial",
        params: assemble(ctx.space.parameters, dims, x, rng),
        meta: { [CMAES_META.restart]: state.restart, [CMAES_META.generation]: state.cma.generation },
      };
    },
  };
};

/** The assignment: CMA-ES's coordinates for its dimensions, the prior for every other active parameter. */
function assemble(
  parameters: readonly ParameterSpec[],
  dims: readonly ParameterSpec[],
  x: readonly number[],
  rng: Rng,
): Assignment {
  const out: Record<string, ParamValue> = {};
  for (const p of parameters) {
    if (!isActive(p, out)) continue;
    const i = dims.indexOf(p);
    out[p.name] = i >= 0 ? fromUnit(p, x[i] as number) : sampleValue(p, rng);
  }
  return out;
}

function isObserved(t: TrialObservation): boolean {
  return (
    (OBSERVED_TRIAL_STATES as readonly string[]).includes(t.state) &&
    t.values !== undefined &&
    Number.isFinite(t.values[0])
  );
}

/** The first objective's value, turned to minimisation. */
function value(t: TrialObservation, directions: readonly Goal[]): number {
  const v = (t.values as readonly number[])[0] as number;
  return directions[0] === "maximize" ? -v : v;
}

function remember(cache: Map<string, RunState>, key: string, state: RunState): void {
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, state);
}

function checkSettings(settings: Readonly<Record<string, string>>): void {
  for (const name of Object.keys(settings)) {
    if (!(SETTINGS as readonly string[]).includes(name)) {
      throw new TuningError(
        "TUNING_SETTING_INVALID",
        `algorithmSettings.${name}: cmaes has no setting "${name}"; the settings it takes are ${SETTINGS.join(", ")}. Remove or rename it.`,
      );
    }
  }
  const seed = settings.random_state;
  if (seed !== undefined && (seed.trim() === "" || !Number.isInteger(Number(seed)))) {
    throw new TuningError(
      "TUNING_SETTING_INVALID",
      `algorithmSettings.random_state: "${seed}" is not an integer; give one, e.g. "42".`,
    );
  }
}

/** Katib's `sigma`: the initial step size as a fraction of every parameter's range; default 1/6. */
function sigmaSetting(settings: Readonly<Record<string, string>>): number {
  const raw = settings.sigma;
  if (raw === undefined) return 1 / 6;
  const v = Number(raw.trim());
  if (raw.trim() === "" || !Number.isFinite(v) || v <= 0 || v > 1) {
    throw new TuningError(
      "TUNING_SETTING_INVALID",
      `algorithmSettings.sigma: "${raw}" is not a number in (0, 1]; give the initial step size as a fraction of each parameter's range, e.g. "0.2" (default 1/6).`,
    );
  }
  return v;
}

/** Katib's `restart_strategy`: `None` (Optuna's default), `ipop` or `bipop`. */
function restartSetting(settings: Readonly<Record<string, string>>): RestartStrategy {
  const raw = settings.restart_strategy;
  if (raw === undefined) return "none";
  const v = raw.trim().toLowerCase();
  if (v === "" || v === "none") return "none";
  if (v === "ipop" || v === "bipop") return v;
  throw new TuningError(
    "TUNING_SETTING_INVALID",
    `algorithmSettings.restart_strategy: "${raw}" is not one of None, ipop, bipop; give one of them.`,
  );
}
