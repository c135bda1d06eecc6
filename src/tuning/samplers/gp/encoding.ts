/**
 * The search space as the Gaussian process sees it: the unit cube. A numeric parameter is
 * one coordinate (`toUnit`, on the log scale where its distribution is), a categorical one
 * is one coordinate per value (one-hot). A parameter that is inactive for an assignment (a
 * conditional parameter whose condition fails) sits at a fixed point: 0.5 for a numeric
 * coordinate, 0 for every one-hot coordinate. `canonicalize` maps any point of the cube
 * to the one of a legal assignment (snapped to the step, the integers or the listed values,
 * one category chosen, inactive parameters at their fixed point), in place and without
 * allocating, so candidates are scored where they would really be evaluated.
 */

import { fromUnit, toUnit } from "../../space.ts";
import type { Assignment, ParameterSpec, ParamValue, SearchSpace } from "../../types.ts";

export const INACTIVE_NUMERIC = 0.5;

export class SpaceEncoding {
  readonly dim: number;
  readonly params: readonly ParameterSpec[];
  /** The first coordinate of each parameter. */
  readonly offset: Int32Array;
  /** The coordinates of each parameter (1, or the number of categories). */
  readonly width: Int32Array;
  /** 1 where a coordinate moves continuously (a double without a step, unconditional). */
  readonly continuous: Uint8Array;
  /** The index of each parameter's parent (−1 when unconditional). */
  private readonly parent: Int32Array;
  /** Scratch: each parameter's value and whether it is active, while canonicalizing. */
  private readonly values: ParamValue[];
  private readonly active: Uint8Array;

  constructor(space: SearchSpace) {
    this.params = space.parameters;
    const np = this.params.length;
    this.offset = new Int32Array(np);
    this.width = new Int32Array(np);
    this.parent = new Int32Array(np);
    let dim = 0;
    this.params.forEach((p, i) => {
      this.offset[i] = dim;
      const w = p.type === "categorical" ? (p.values?.length ?? 1) : 1;
      this.width[i] = w;
      dim += w;
      this.parent[i] = p.when ? this.params.findIndex((q) => q.name === p.when?.parameter) : -1;
    });
    this.dim = dim;
    this.continuous = new Uint8Array(dim);
    this.params.forEach((p, i) => {
      if (p.type === "double" && p.step === undefined && !p.when) this.continuous[this.offset[i]!] = 1;
    });
    this.values = new Array<ParamValue>(np).fill(0);
    this.active = new Uint8Array(np);
  }

  /** Writes the point of `params` into row `row` of `out`. */
  encode(params: Assignment, out: Float64Array, row: number): void {
    const base = row * this.dim;
    this.params.forEach((p, i) => {
      const o = base + this.offset[i]!;
      const value = params[p.name];
      if (p.type === "categorical") {
        for (let k = 0; k < this.width[i]!; k++) out[o + k] = 0;
        const k = value === undefined ? -1 : (p.values?.indexOf(value) ?? -1);
        if (k >= 0) out[o + k] = 1;
      } else {
        out[o] = typeof value === "number" && Number.isFinite(value) ? clamp01(toUnit(p, value)) : INACTIVE_NUMERIC;
      }
    });
  }

  /** Makes row `row` of `pts` the point of a legal assignment (see the module's comment). */
  canonicalize(pts: Float64Array, row: number): void {
    const base = row * this.dim;
    const { params, values, active } = this;
    for (let i = 0; i < params.length; i++) {
      const p = params[i]!;
      const o = base + this.offset[i]!;
      const par = this.parent[i]!;
      const on = par < 0 || (active[par] === 1 && (p.when?.values.includes(values[par]!) ?? false));
      active[i] = on ? 1 : 0;
      if (p.type === "categorical") {
        const w = this.width[i]!;
        let best = 0;
        for (let k = 1; k < w; k++) if (pts[o + k]! > pts[o + best]!) best = k;
        for (let k = 0; k < w; k++) pts[o + k] = on && k === best ? 1 : 0;
        if (on) values[i] = p.values![best]!;
      } else if (!on) {
        pts[o] = INACTIVE_NUMERIC;
      } else if (this.continuous[o - base] === 1) {
        pts[o] = clamp01(pts[o]!);
        values[i] = fromUnit(p, pts[o]!);
      } else {
        const v = fromUnit(p, pts[o]!);
        values[i] = v;
        pts[o] = clamp01(toUnit(p, v));
      }
    }
  }

  /** The assignment of row `row` of `pts` (canonicalized first). */
  decode(pts: Float64Array, row: number): Record<string, ParamValue> {
    this.canonicalize(pts, row);
    const base = row * this.dim;
    const out: Record<string, ParamValue> = {};
    this.params.forEach((p, i) => {
      if (this.active[i] !== 1) return;
      const o = base + this.offset[i]!;
      if (p.type === "categorical") {
        let k = 0;
        while (k < this.width[i]! - 1 && pts[o + k] !== 1) k++;
        out[p.name] = p.values![k]!;
      } else {
        out[p.name] = fromUnit(p, pts[o]!);
      }
    });
    return out;
  }
}

function clamp01(u: number): number {
  return Math.min(Math.max(u, 0), 1);
}
