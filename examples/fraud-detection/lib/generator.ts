/**
 * A deterministic generator of synthetic card transactions in the TabFormer schema.
 *
 * Users have a home location, spending scale, preferred hours, online habits and one to
 * three cards. Most transactions follow the user's habits; compromised cards additionally
 * see a burst of card-not-present or skimmed transactions over a few hours. Every
 * transaction gets a true fraud probability from a logistic model of what happened
 * (including whether the card was compromised, which no observer can see directly), and
 * its label is drawn from that probability. Ranking by the true probability gives the
 * best achievable ROC-AUC on any sample (the oracle AUC).
 */
import { cumulative, Rng, sigmoid } from "./random.ts";
import { type ChipMode, FOREIGN_PLACES, MERCHANT_CATEGORIES, PLACES, type Transaction } from "./schema.ts";

/** Options of {@link generateTransactions}. */
export interface GeneratorOptions {
  /** Number of transactions to produce (exactly). */
  rows: number;
  /** Seed; the same seed and rows give the same data byte for byte. */
  seed: number;
}

/** Transactions ordered like TabFormer (user, card, time), with their true fraud probabilities. */
export interface GeneratedData {
  transactions: Transaction[];
  probabilities: Float64Array;
}

const START_MS = Date.UTC(2018, 0, 1);
const SPAN_DAYS = 730;
const SPAN_MINUTES = SPAN_DAYS * 1440;
const BASE_LOGIT = -8.6;
const COMPROMISED_LOGIT = 3.6;
const ERROR_RISK: Record<string, number> = {
  "Bad PIN": 0.6,
  "Bad CVV": 1.6,
  "Bad Card Number": 1.6,
  "Bad Expiration": 1.2,
  "Insufficient Balance": 0.4,
  "Technical Glitch": 0,
  "Bad Zipcode": 0.8,
};
const LEGIT_ERRORS = ["Insufficient Balance", "Bad PIN", "Technical Glitch", "Bad CVV", "Bad Card Number"];
const LEGIT_ERROR_CUM = cumulative([40, 25, 20, 4, 4]);
const FRAUD_ERRORS = ["Bad CVV", "Bad Card Number", "Bad Expiration", "Insufficient Balance", "Bad Zipcode"];
const CATEGORY_CUM = cumulative(MERCHANT_CATEGORIES.map((c) => c.weight));
const FRAUD_CATEGORY_CUM = cumulative(MERCHANT_CATEGORIES.map((c) => c.fraudWeight));

interface User {
  place: number;
  city: string;
  zip: number;
  scale: number;
  online: number;
  travel: number;
  peakHour: number;
  cards: number;
  chipRate: number;
}

interface Draft {
  card: number;
  t: number;
  compromised: boolean;
  tx: Transaction;
  /** Log-odds of fraud from everything but the per-card timing. */
  logit: number;
}

function makeUser(rng: Rng): User {
  const place = rng.int(PLACES.length);
  const home = PLACES[place]!;
  return {
    place,
    city: rng.pick(home.cities),
    zip: home.zip + rng.int(999),
    scale: Math.exp(rng.normal() * 0.5),
    online: 0.03 + 0.2 * rng.next(),
    travel: 0.02 + 0.06 * rng.next(),
    peakHour: 9 + 10 * rng.next(),
    cards: 1 + (rng.chance(0.4) ? 1 : 0) + (rng.chance(0.15) ? 1 : 0),
    chipRate: 0.7 + 0.25 * rng.next(),
  };
}

/** A stable 19-digit merchant id (TabFormer uses signed 64-bit hashes). */
function merchantName(mcc: number, city: string, slot: number): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  const key = `${mcc}|${city}|${slot}`;
  for (let i = 0; i < key.length; i++) {
    h1 = Math.imul(h1 ^ key.charCodeAt(i), 16777619);
    h2 = Math.imul(h2 + key.charCodeAt(i), 2246822519);
  }
  const digits = `${(h1 >>> 0).toString().padStart(10, "0")}${(h2 >>> 0).toString().padStart(10, "0")}`.slice(1);
  return (h1 & 1 ? "-" : "") + digits.replace(/^0+/, "1");
}

function dateOf(t: number): { year: number; month: number; day: number; minuteOfDay: number } {
  const d = new Date(START_MS + t * 60_000);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), minuteOfDay: t % 1440 };
}

function draft(rng: Rng, user: User, userId: number, card: number, t: number, compromised: boolean): Draft {
  const online = rng.chance(compromised ? 0.55 : user.online);
  const chipRate = compromised ? 0.25 : user.chipRate;
  const useChip: ChipMode = online
    ? "Online Transaction"
    : rng.chance(chipRate)
      ? "Chip Transaction"
      : "Swipe Transaction";
  const category = MERCHANT_CATEGORIES[rng.weighted(compromised ? FRAUD_CATEGORY_CUM : CATEGORY_CUM)]!;
  const home = PLACES[user.place]!;
  let city = user.city;
  let state = home.state;
  let zip = String(user.zip);
  let away = 0;
  if (online) {
    city = "ONLINE";
    state = "";
    zip = "";
  } else if (rng.chance(compromised ? 0.85 : user.travel)) {
    if (rng.chance(0.12)) {
      state = rng.pick(FOREIGN_PLACES);
      city = state === "Italy" ? "Rome" : "Capital";
      zip = "";
      away = 1.6;
    } else {
      const other = PLACES[(user.place + 1 + rng.int(PLACES.length - 1)) % PLACES.length]!;
      state = other.state;
      city = rng.pick(other.cities);
      zip = String(other.zip + rng.int(999));
      away = 1.0;
    }
  }
  const expected = user.scale * category.amount;
  let amount = compromised
    ? category.amount * Math.exp(0.4 + 0.8 * rng.normal())
    : expected * Math.exp(0.6 * rng.normal() - 0.18);
  const refund = !compromised && rng.chance(0.005);
  if (refund) amount = -amount;
  amount = Math.max(0.01, Math.round(Math.abs(amount) * 100) / 100) * Math.sign(amount || 1);
  const errors: string[] = [];
  if (compromised ? rng.chance(0.12) : rng.chance(0.015)) {
    errors.push(compromised ? rng.pick(FRAUD_ERRORS) : LEGIT_ERRORS[rng.weighted(LEGIT_ERROR_CUM)]!);
    if (rng.chance(0.1) && errors[0] !== "Insufficient Balance") errors.push("Insufficient Balance");
  }
  const hour = Math.floor((t % 1440) / 60);
  const deviation = Math.max(-2, Math.min(3, Math.log(Math.abs(amount) / expected)));
  let logit = BASE_LOGIT + category.risk + away + 0.5 * deviation + (hour < 6 ? 0.9 : 0);
  if (online) logit += 1.2;
  if (useChip === "Swipe Transaction") logit += 0.4;
  if (refund) logit -= 2.5;
  for (const e of errors) logit += ERROR_RISK[e] ?? 0;
  if (compromised) logit += COMPROMISED_LOGIT;
  const tx: Transaction = {
    user: userId,
    card,
    ...dateOf(t),
    amount,
    useChip,
    merchantName: merchantName(category.mcc, city, rng.int(online ? 12 : 4)),
    merchantCity: city,
    merchantState: state,
    zip,
    mcc: category.mcc,
    errors,
    isFraud: false,
  };
  return { card, t, compromised, tx, logit };
}

function allocate(rng: Rng, rows: number, users: number): number[] {
  const weights = Array.from({ length: users }, () => Math.exp(0.6 * rng.normal()));
  const total = weights.reduce((a, b) => a + b, 0);
  const counts = weights.map((w) => Math.floor((rows * w) / total));
  let left = rows - counts.reduce((a, b) => a + b, 0);
  for (let i = 0; left > 0; i = (i + 1) % users, left--) counts[i] = (counts[i] ?? 0) + 1;
  return counts;
}

function legitMinute(rng: Rng, user: User): number {
  const hour = (((Math.round(user.peakHour + 3.5 * rng.normal()) % 24) + 24) % 24) | 0;
  return rng.int(SPAN_DAYS) * 1440 + hour * 60 + rng.int(60);
}

/**
 * Generates `rows` transactions deterministically from `seed`.
 *
 * @example
 * const { transactions, probabilities } = generateTransactions({ rows: 1000, seed: 7 });
 */
export function generateTransactions(options: GeneratorOptions): GeneratedData {
  const rows = Math.floor(options.rows);
  if (!Number.isFinite(rows) || rows < 1) throw new RangeError(`rows must be a positive integer, got ${options.rows}`);
  const rng = new Rng(options.seed);
  const nUsers = Math.max(1, Math.round(rows / 200));
  const counts = allocate(rng, rows, nUsers);
  const transactions: Transaction[] = [];
  const probabilities = new Float64Array(rows);
  for (let u = 0; u < nUsers; u++) {
    const user = makeUser(rng);
    const n = counts[u] ?? 0;
    const drafts: Draft[] = [];
    let budget = n;
    for (let card = 0; card < user.cards && budget > 4; card++) {
      if (!rng.chance(0.3)) continue;
      const k = Math.min(Math.floor(budget / 2), 2 + Math.floor(rng.exponential(3)), 12);
      let t = rng.int(SPAN_DAYS) * 1440 + (rng.chance(0.5) ? rng.int(360) : rng.int(1440));
      for (let i = 0; i < k && t < SPAN_MINUTES; i++) {
        drafts.push(draft(rng, user, u, card, t, true));
        t += 1 + Math.floor(rng.exponential(25));
      }
      budget = n - drafts.length;
    }
    for (let i = drafts.length; i < n; i++) {
      const card = user.cards === 1 || rng.chance(0.65) ? 0 : 1 + rng.int(user.cards - 1);
      drafts.push(draft(rng, user, u, card, legitMinute(rng, user), false));
    }
    drafts.sort((a, b) => a.card - b.card || a.t - b.t);
    let prev: Draft | undefined;
    for (const d of drafts) {
      const rapid = prev !== undefined && prev.card === d.card && d.t - prev.t < 60;
      const p = sigmoid(d.logit + (rapid ? 1.3 : 0));
      d.tx.isFraud = rng.chance(p);
      probabilities[transactions.length] = p;
      transactions.push(d.tx);
      prev = d;
    }
  }
  return { transactions, probabilities };
}
