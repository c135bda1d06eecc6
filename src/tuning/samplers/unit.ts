/**
 * The coordinates the model-based samplers work in: a numeric parameter's unit value
 * (space.ts's toUnit), widened by half a cell at each end where its values are a grid
 * (int, a step, discrete), so that after fromUnit's snapping every value owns a cell of
 * the same width and the end values are not drawn half as often as the others.
 */

import { bounds, fromUnit, isLog } from "../space.ts";
import type { ParameterSpec } from "../types.ts";

/** The interval of unit coordinates the model draws a numeric parameter from. */
export function unitRange(p: ParameterSpec): [number, number] {
  if (isLog(p)) return [0, 1];
  const [lo, hi] = bounds(p);
  const width = hi - lo;
  if (!(width > 0)) return [0, 1];
  if (p.type === "discrete") {
    const v = p.values as readonly number[];
    if (v.length < 2) return [0, 1];
    return [-(v[1]! - v[0]!) / (2 * width), 1 + (v[v.length - 1]! - v[v.length - 2]!) / (2 * width)];
  }
  const step = p.step ?? (p.type === "int" ? 1 : undefined);
  if (step === undefined) return [0, 1];
  const half = step / (2 * width);
  return [-half, 1 + half];
}

/** A legal value for u in [0, 1), spread over `unitRange(p)` (quasi-random and grid-free samplers). */
export function fromSpread(p: ParameterSpec, u: number): number {
  const [a, b] = unitRange(p);
  return fromUnit(p, a + u * (b - a));
}
