/**
 * Feature engineering for card transactions. Rows are collected into compact columns,
 * ordered by time, and turned into per-row features that only look at the past (per-card
 * history), so the time-based split has no leakage. Encoders and the scaler are fitted on
 * the training split only.
 */
import type { FeatureSplit, Scaler, SplitHeader } from "./dataset-io.ts";
import { ERROR_CODES, type Transaction } from "./schema.ts";

/** The feature names, in column order. */
export const FEATURE_NAMES = [
  "log_amount",
  "is_refund",
  "hour",
  "hour_sin",
  "hour_cos",
  "weekday",
  "chip_swipe",
  "chip_chip",
  "chip_online",
  "mcc_risk",
  "state_risk",
  "away_from_card_state",
  ...ERROR_CODES.map((e) => `error_${e.toLowerCase().replace(/ /g, "_")}`),
  "log_minutes_since_prev",
  "card_tx_last_hour",
  "amount_dev_from_card_mean",
] as const;

const WIDTH = FEATURE_NAMES.length;
const FIRST_GAP_MINUTES = 60 * 24 * 30;

class Growable {
  data: Float64Array = new Float64Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  at(i: number): number {
    return this.data[i] as number;
  }
}

/** Transactions gathered into columns (one entry per row, in input order). */
export class TransactionColumns {
  readonly minute = new Growable();
  readonly card = new Growable();
  readonly amount = new Growable();
  readonly chip = new Growable();
  readonly mcc = new Growable();
  readonly state = new Growable();
  readonly errors = new Growable();
  readonly label = new Growable();
  readonly states: string[] = [];
  private readonly stateIds = new Map<string, number>();

  /** Number of rows. */
  get rows(): number {
    return this.minute.length;
  }

  /** Appends one transaction. */
  add(tx: Transaction): void {
    this.minute.push(transactionMinute(tx));
    this.card.push(cardKey(tx));
    this.amount.push(tx.amount);
    this.chip.push(chipCode(tx));
    this.mcc.push(tx.mcc);
    let id = this.stateIds.get(tx.merchantState);
    if (id === undefined) {
      id = this.states.length;
      this.states.push(tx.merchantState);
      this.stateIds.set(tx.merchantState, id);
    }
    this.state.push(id);
    this.errors.push(errorMask(tx));
    this.label.push(tx.isFraud ? 1 : 0);
  }
}

/** Minutes since the epoch (UTC) of a transaction. */
export function transactionMinute(tx: Transaction): number {
  return Date.UTC(tx.year, tx.month - 1, tx.day) / 60_000 + tx.minuteOfDay;
}

/** The key of a transaction's card (user and card number). */
export function cardKey(tx: Transaction): number {
  return tx.user * 64 + tx.card;
}

/** 0 swipe, 1 chip, 2 online. */
export function chipCode(tx: Transaction): number {
  return tx.useChip === "Swipe Transaction" ? 0 : tx.useChip === "Chip Transaction" ? 1 : 2;
}

/** The transaction's error codes as a bit mask over {@link ERROR_CODES}. */
export function errorMask(tx: Transaction): number {
  let mask = 0;
  for (const e of tx.errors) {
    const bit = (ERROR_CODES as readonly string[]).indexOf(e.trim());
    if (bit >= 0) mask |= 1 << bit;
  }
  return mask;
}

interface CardState {
  last: number;
  recent: number[];
  n: number;
  meanLog: number;
  stateCounts: Map<number, number>;
  mode: number;
  modeCount: number;
}

/**
 * Each card's past, kept as transactions arrive in time order: the batch feature code
 * walks a dataset through it, and a serving transformer keeps one in memory.
 */
export class CardHistories {
  private readonly cards = new Map<number, CardState>();

  /** Number of cards seen. */
  get size(): number {
    return this.cards.size;
  }

  /**
   * Writes the four history features of a transaction (away from the card's usual state,
   * log minutes since the card's previous transaction, the card's transactions in the last
   * hour, log amount minus the card's mean) at `out[offset..offset+3]`, from the card's
   * past only, then records the transaction. `state` is any stable id of the merchant state.
   */
  next(
    card: number,
    minute: number,
    amount: number,
    state: number,
    chip: number,
    out: Float32Array,
    offset: number,
  ): void {
    const t = minute;
    const logAmt = Math.log1p(Math.abs(amount));
    let s = this.cards.get(card);
    if (!s) {
      s = { last: Number.NaN, recent: [], n: 0, meanLog: 0, stateCounts: new Map(), mode: -1, modeCount: 0 };
      this.cards.set(card, s);
    }
    const gap = s.n === 0 ? FIRST_GAP_MINUTES : Math.max(0, t - s.last);
    while (s.recent.length > 0 && t - (s.recent[0] as number) >= 60) s.recent.shift();
    const online = chip === 2;
    out[offset] = s.mode >= 0 && !online && state !== s.mode ? 1 : 0;
    out[offset + 1] = Math.log1p(gap);
    out[offset + 2] = s.recent.length;
    out[offset + 3] = s.n === 0 ? 0 : logAmt - s.meanLog;
    s.n++;
    s.meanLog += (logAmt - s.meanLog) / s.n;
    s.last = t;
    s.recent.push(t);
    if (!online) {
      const c = (s.stateCounts.get(state) ?? 0) + 1;
      s.stateCounts.set(state, c);
      if (c > s.modeCount) {
        s.mode = state;
        s.modeCount = c;
      }
    }
  }
}

/** Per-row features that depend only on each card's past, computed in time order. */
function historyFeatures(cols: TransactionColumns, order: Uint32Array): Float32Array {
  const out = new Float32Array(cols.rows * 4);
  const cards = new CardHistories();
  for (const i of order) {
    cards.next(cols.card.at(i), cols.minute.at(i), cols.amount.at(i), cols.state.at(i), cols.chip.at(i), out, i * 4);
  }
  return out;
}

/** The fitted target encodings the row features read (log-odds offsets by MCC and by merchant state). */
export type Encoders = SplitHeader["encoders"];

/**
 * Writes one row's features at `x[o..o+WIDTH-1]` (in {@link FEATURE_NAMES} order), from
 * the transaction's own fields, the encoders and its four history features at
 * `history[h..h+3]` (see {@link CardHistories}). The row must start zeroed (the chip
 * one-hot writes only its 1).
 */
export function writeFeatureRow(
  x: Float32Array,
  o: number,
  amount: number,
  minute: number,
  chip: number,
  mcc: number,
  state: string,
  errors: number,
  encoders: Encoders,
  history: Float32Array,
  h: number,
): void {
  const hour = Math.floor((((minute % 1440) + 1440) % 1440) / 60);
  x[o] = Math.sign(amount) * Math.log1p(Math.abs(amount));
  x[o + 1] = amount < 0 ? 1 : 0;
  x[o + 2] = hour;
  x[o + 3] = Math.sin((2 * Math.PI * hour) / 24);
  x[o + 4] = Math.cos((2 * Math.PI * hour) / 24);
  x[o + 5] = new Date(minute * 60_000).getUTCDay();
  x[o + 6 + chip] = 1;
  x[o + 9] = encoders.mcc[String(mcc)] ?? 0;
  x[o + 10] = encoders.state[state] ?? 0;
  x[o + 11] = history[h] as number;
  for (let b = 0; b < ERROR_CODES.length; b++) x[o + 12 + b] = (errors >> b) & 1;
  x[o + 12 + ERROR_CODES.length] = history[h + 1] as number;
  x[o + 13 + ERROR_CODES.length] = history[h + 2] as number;
  x[o + 14 + ERROR_CODES.length] = history[h + 3] as number;
}

/** Smoothed target encoding as a log-odds offset from the overall fraud rate. */
function targetEncode(keys: (i: number) => string, rows: Uint32Array, labels: Growable): Record<string, number> {
  let pos = 0;
  const counts = new Map<string, [number, number]>();
  for (const i of rows) {
    const y = labels.at(i);
    pos += y;
    const k = keys(i);
    const c = counts.get(k) ?? [0, 0];
    c[0] += y;
    c[1] += 1;
    counts.set(k, c);
  }
  const prior = (pos + 1) / (rows.length + 2);
  const m = 200;
  const logit = (p: number) => Math.log(p / (1 - p));
  const out: Record<string, number> = {};
  for (const [k, [f, n]] of counts) out[k] = logit((f + prior * m) / (n + m)) - logit(prior);
  return out;
}

/** Options of {@link buildSplits}. */
export interface SplitOptions {
  validationFraction: number;
  testFraction: number;
  /** Target fraud share of the training split after under-sampling legitimate rows; 0 keeps all rows. */
  fraudRatio: number;
  /** Seed of the under-sampling. */
  seed: number;
  /** True fraud probabilities in input order (synthetic data), or undefined. */
  truth?: ArrayLike<number>;
}

/** The three splits plus row counts before under-sampling. */
export interface Splits {
  train: FeatureSplit;
  validation: FeatureSplit;
  test: FeatureSplit;
  trainRowsBeforeSampling: number;
}

/** Builds features, a time-based train/validation/test split, encoders, scaler and under-sampling. */
export function buildSplits(cols: TransactionColumns, options: SplitOptions): Splits {
  const n = cols.rows;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => cols.minute.at(a) - cols.minute.at(b) || a - b);
  const history = historyFeatures(cols, order);
  const nTest = Math.floor(n * options.testFraction);
  const nVal = Math.floor(n * options.validationFraction);
  const nTrain = n - nTest - nVal;
  let trainRows: Uint32Array = order.subarray(0, nTrain);
  const encoders = {
    mcc: targetEncode((i) => String(cols.mcc.at(i)), trainRows, cols.label),
    state: targetEncode((i) => cols.states[cols.state.at(i)] ?? "", trainRows, cols.label),
  };
  const featurize = (rows: Uint32Array): Float32Array => {
    const x = new Float32Array(rows.length * WIDTH);
    rows.forEach((i, r) => {
      writeFeatureRow(
        x,
        r * WIDTH,
        cols.amount.at(i),
        cols.minute.at(i),
        cols.chip.at(i),
        cols.mcc.at(i),
        cols.states[cols.state.at(i)] ?? "",
        cols.errors.at(i),
        encoders,
        history,
        i * 4,
      );
    });
    return x;
  };
  const trainRowsBeforeSampling = trainRows.length;
  trainRows = underSample(trainRows, cols.label, options.fraudRatio, options.seed);
  const scaler = fitScaler(featurize(order.subarray(0, nTrain)));
  const make = (split: SplitHeader["split"], rows: Uint32Array): FeatureSplit => {
    const labels = new Float32Array(rows.length);
    const truth = new Float32Array(rows.length);
    rows.forEach((i, r) => {
      labels[r] = cols.label.at(i);
      truth[r] = options.truth ? (options.truth[i] as number) : Number.NaN;
    });
    const iso = (k: number) => (rows.length ? new Date(cols.minute.at(k) * 60_000).toISOString().slice(0, 10) : "");
    const sorted = rows.length ? [rows[0]!, rows[rows.length - 1]!] : [0, 0];
    return {
      header: {
        split,
        rows: rows.length,
        featureNames: [...FEATURE_NAMES],
        scaler,
        encoders,
        from: iso(sorted[0]!),
        to: iso(sorted[1]!),
      },
      features: featurize(rows),
      labels,
      truth,
    };
  };
  return {
    train: make("train", trainRows),
    validation: make("validation", order.subarray(nTrain, nTrain + nVal)),
    test: make("test", order.subarray(nTrain + nVal)),
    trainRowsBeforeSampling,
  };
}

/** Keeps every fraud row and enough legitimate rows that frauds make up `ratio` of the result. */
export function underSample(
  rows: Uint32Array,
  labels: { at(i: number): number },
  ratio: number,
  seed: number,
): Uint32Array {
  if (!(ratio > 0) || ratio >= 1) return rows;
  let frauds = 0;
  for (const i of rows) frauds += labels.at(i);
  const legit = rows.length - frauds;
  const keepLegit = Math.min(legit, Math.round((frauds * (1 - ratio)) / ratio));
  if (keepLegit >= legit) return rows;
  // A seeded hash keeps the choice deterministic and the time order intact.
  const p = keepLegit / legit;
  let h = seed >>> 0;
  const kept: number[] = [];
  for (const i of rows) {
    h = Math.imul(h ^ (i + 0x9e3779b9), 2654435761) >>> 0;
    h ^= h >>> 15;
    if (labels.at(i) > 0.5 || (h >>> 0) / 4294967296 < p) kept.push(i);
  }
  return Uint32Array.from(kept);
}

/** Fits a standardising scaler; constant columns get std 1 so they pass through unchanged. */
export function fitScaler(features: Float32Array): Scaler {
  const rows = features.length / WIDTH;
  const mean = new Array<number>(WIDTH).fill(0);
  const sq = new Array<number>(WIDTH).fill(0);
  for (let i = 0; i < features.length; i++) {
    const j = i % WIDTH;
    const v = features[i] as number;
    mean[j] = (mean[j] as number) + v;
    sq[j] = (sq[j] as number) + v * v;
  }
  const std = mean.map((s, j) => {
    const m = s / Math.max(1, rows);
    const v = (sq[j] as number) / Math.max(1, rows) - m * m;
    return v > 1e-8 ? Math.sqrt(v) : 1;
  });
  return { mean: mean.map((s) => s / Math.max(1, rows)), std };
}
