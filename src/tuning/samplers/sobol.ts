/**
 * Quasi-random search with a scrambled Sobol sequence: one dimension per parameter of the
 * space (an inactive conditional parameter leaves its coordinate unused), trial n takes
 * point n of the sequence (Gray-code order). The sequence is scrambled per seed (a random
 * lower-triangular linear scramble of every dimension's direction numbers and a random
 * digital shift, Owen's "linear matrix scramble"), so it is deterministic per seed and
 * different across seeds. Categorical values take the cell of the unit interval the
 * coordinate falls in.
 */

import { TuningError } from "../errors.ts";
import { Rng } from "../rng.ts";
import { isActive } from "../space.ts";
import type { ParamValue, SamplerFactory } from "../types.ts";
import { boolSetting, checkSettingNames, STREAM } from "./common.ts";
import { JOE_KUO } from "./sobol-directions.ts";
import { fromSpread } from "./unit.ts";

const BITS = 32;

/** The most parameters a Sobol search takes (the dimensions of the direction-number table). */
export const SOBOL_MAX_DIMENSIONS = JOE_KUO.length + 1;

/** The 32 direction integers of each of the first `dims` dimensions (unscrambled). */
export function directionNumbers(dims: number): Uint32Array[] {
  const out: Uint32Array[] = [];
  for (let d = 0; d < dims; d++) {
    const v = new Uint32Array(BITS);
    if (d === 0) {
      for (let k = 0; k < BITS; k++) v[k] = 2 ** (BITS - 1 - k);
    } else {
      const { s, a, m } = JOE_KUO[d - 1]!;
      for (let k = 0; k < s; k++) v[k] = (m[k]! * 2 ** (BITS - 1 - k)) >>> 0;
      for (let k = s; k < BITS; k++) {
        let x = v[k - s]! ^ (v[k - s]! >>> s);
        for (let j = 1; j < s; j++) if ((a >>> (s - 1 - j)) & 1) x ^= v[k - j]!;
        v[k] = x >>> 0;
      }
    }
    out.push(v);
  }
  return out;
}

function parity(x: number): number {
  let y = x ^ (x >>> 16);
  y ^= y >>> 8;
  y ^= y >>> 4;
  y ^= y >>> 2;
  y ^= y >>> 1;
  return y & 1;
}

/** Scrambles direction numbers in place with a random unit lower-triangular matrix per dimension. */
function scramble(directions: Uint32Array[], rng: Rng): Uint32Array {
  const shifts = new Uint32Array(directions.length);
  directions.forEach((v, d) => {
    // row r (digit r, most significant first) mixes in the digits before it
    const rows = new Uint32Array(BITS);
    for (let r = 0; r < BITS; r++) {
      const own = 2 ** (BITS - 1 - r);
      const above = r === 0 ? 0 : (~(2 ** (BITS - r) - 1) >>> 0) & rng.nextUint32();
      rows[r] = (own | above) >>> 0;
    }
    for (let k = 0; k < BITS; k++) {
      let y = 0;
      for (let r = 0; r < BITS; r++) if (parity(rows[r]! & v[k]!)) y += 2 ** (BITS - 1 - r);
      v[k] = y >>> 0;
    }
    shifts[d] = rng.nextUint32();
  });
  return shifts;
}

/** Point `index` (Gray-code order) of the sequence given by `directions` and `shifts`, in [0, 1). */
export function sobolPoint(
  directions: readonly Uint32Array[],
  shifts: Uint32Array | undefined,
  index: number,
): number[] {
  const gray = index ^ Math.floor(index / 2);
  return directions.map((v, d) => {
    let x = shifts ? shifts[d]! : 0;
    for (let k = 0, g = gray; g > 0 && k < BITS; k++, g = Math.floor(g / 2)) if (g % 2 === 1) x = (x ^ v[k]!) >>> 0;
    // the middle of the cell, never exactly 0 or 1
    return (x + 0.5) / 2 ** BITS;
  });
}

export const createSobolSampler: SamplerFactory = ({ settings, space }) => {
  checkSettingNames("sobol", settings, ["random_state", "scramble"]);
  const scrambled = boolSetting(settings, "scramble", true);
  const dims = space.parameters.length;
  if (dims > SOBOL_MAX_DIMENSIONS) {
    throw new TuningError(
      "TUNING_SPEC_INVALID",
      `spec.parameters: sobol takes at most ${SOBOL_MAX_DIMENSIONS} parameters and the space has ${dims}; use random or tpe.`,
    );
  }
  const bySeed = new Map<number, { directions: Uint32Array[]; shifts: Uint32Array | undefined }>();
  const sequence = (seed: number) => {
    let s = bySeed.get(seed);
    if (!s) {
      const directions = directionNumbers(dims);
      const shifts = scrambled ? scramble(directions, new Rng(seed, STREAM.sobol)) : undefined;
      s = { directions, shifts };
      bySeed.set(seed, s);
    }
    return s;
  };
  return {
    name: "sobol",
    suggest(ctx) {
      const { directions, shifts } = sequence(ctx.seed);
      // the unscrambled sequence starts at the origin: leave that point out
      const index = ctx.trialNumber + ctx.attempt * 2 ** 20 + (scrambled ? 0 : 1);
      const u = sobolPoint(directions, shifts, index);
      const params: Record<string, ParamValue> = {};
      space.parameters.forEach((p, d) => {
        if (!isActive(p, params)) return;
        const x = u[d]!;
        if (p.values) {
          // categorical and discrete: the value whose cell the coordinate falls in
          params[p.name] = p.values[Math.min(p.values.length - 1, Math.floor(x * p.values.length))]!;
        } else {
          params[p.name] = fromSpread(p, x);
        }
      });
      return { kind: "trial", params };
    },
  };
};
