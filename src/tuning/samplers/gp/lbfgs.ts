/**
 * A small limited-memory BFGS minimiser with box bounds handled by projection (a projected
 * backtracking line search; the memory is reset whenever the step is not a descent
 * direction). Used to fit the Gaussian process's hyperparameters, where the problem has a
 * handful of variables and an exact gradient.
 */

/** f(x), writing ∇f(x) into `grad`. */
export type Objective = (x: Float64Array, grad: Float64Array) => number;

export interface LbfgsOptions {
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  readonly maxIterations: number;
  /** Stop when the projected gradient's largest entry is below this. */
  readonly gradTolerance?: number;
  /** Stop when f improves by less than this, relatively, in one iteration. */
  readonly fTolerance?: number;
  readonly memory?: number;
}

/** Minimises `f` from `x` (updated in place, kept within the bounds); returns the least value found. */
export function minimizeLbfgs(f: Objective, x: Float64Array, opts: LbfgsOptions): number {
  const n = x.length;
  const m = opts.memory ?? 6;
  const gradTol = opts.gradTolerance ?? 1e-5;
  const fTol = opts.fTolerance ?? 1e-10;
  const { lower, upper } = opts;
  const s = new Float64Array(m * n);
  const y = new Float64Array(m * n);
  const rho = new Float64Array(m);
  const alpha = new Float64Array(m);
  const g = new Float64Array(n);
  const gNew = new Float64Array(n);
  const d = new Float64Array(n);
  const xNew = new Float64Array(n);
  let stored = 0;
  let head = 0;
  for (let i = 0; i < n; i++) x[i] = Math.min(upper[i]!, Math.max(lower[i]!, x[i]!));
  let fx = f(x, g);
  if (!Number.isFinite(fx)) return fx;
  for (let iter = 0; iter < opts.maxIterations; iter++) {
    // projected gradient: components pushing out of the box at a bound do not count
    let pg = 0;
    for (let i = 0; i < n; i++) {
      const gi = g[i]!;
      if ((x[i]! <= lower[i]! && gi > 0) || (x[i]! >= upper[i]! && gi < 0)) continue;
      pg = Math.max(pg, Math.abs(gi));
    }
    if (pg < gradTol) break;
    // two-loop recursion: d = −H g
    for (let i = 0; i < n; i++) d[i] = -g[i]!;
    for (let k = 0; k < stored; k++) {
      const j = (head - 1 - k + m) % m;
      let a = 0;
      for (let i = 0; i < n; i++) a += s[j * n + i]! * d[i]!;
      a *= rho[j]!;
      alpha[j] = a;
      for (let i = 0; i < n; i++) d[i] = d[i]! - a * y[j * n + i]!;
    }
    if (stored > 0) {
      const j = (head - 1 + m) % m;
      let sy = 0;
      let yy = 0;
      for (let i = 0; i < n; i++) {
        sy += s[j * n + i]! * y[j * n + i]!;
        yy += y[j * n + i]! * y[j * n + i]!;
      }
      const gamma = sy / yy;
      for (let i = 0; i < n; i++) d[i] = d[i]! * gamma;
    }
    for (let k = stored - 1; k >= 0; k--) {
      const j = (head - 1 - k + m) % m;
      let b = 0;
      for (let i = 0; i < n; i++) b += y[j * n + i]! * d[i]!;
      b *= rho[j]!;
      for (let i = 0; i < n; i++) d[i] = d[i]! + (alpha[j]! - b) * s[j * n + i]!;
    }
    // variables at a bound with the direction pointing outward stay put
    let slope = 0;
    for (let i = 0; i < n; i++) {
      if ((x[i]! <= lower[i]! && d[i]! < 0) || (x[i]! >= upper[i]! && d[i]! > 0)) d[i] = 0;
      slope += d[i]! * g[i]!;
    }
    if (!(slope < 0)) {
      // not a descent direction: restart from steepest descent
      stored = 0;
      slope = 0;
      for (let i = 0; i < n; i++) {
        d[i] = -g[i]!;
        if ((x[i]! <= lower[i]! && d[i]! < 0) || (x[i]! >= upper[i]! && d[i]! > 0)) d[i] = 0;
        slope += d[i]! * g[i]!;
      }
      if (!(slope < 0)) break;
    }
    // first step of a steepest-descent iteration: at most a unit move
    let step = 1;
    if (stored === 0) {
      let dn = 0;
      for (let i = 0; i < n; i++) dn = Math.max(dn, Math.abs(d[i]!));
      step = Math.min(1, 1 / dn);
    }
    let fNew = Number.POSITIVE_INFINITY;
    let accepted = false;
    for (let ls = 0; ls < 30; ls++) {
      for (let i = 0; i < n; i++) xNew[i] = Math.min(upper[i]!, Math.max(lower[i]!, x[i]! + step * d[i]!));
      fNew = f(xNew, gNew);
      let decrease = 0;
      for (let i = 0; i < n; i++) decrease += g[i]! * (xNew[i]! - x[i]!);
      if (Number.isFinite(fNew) && fNew <= fx + 1e-4 * decrease) {
        accepted = true;
        break;
      }
      step *= 0.5;
    }
    if (!accepted) break;
    // curvature pair
    let sy = 0;
    for (let i = 0; i < n; i++) {
      const si = xNew[i]! - x[i]!;
      const yi = gNew[i]! - g[i]!;
      s[head * n + i] = si;
      y[head * n + i] = yi;
      sy += si * yi;
    }
    if (sy > 1e-12) {
      rho[head] = 1 / sy;
      head = (head + 1) % m;
      stored = Math.min(stored + 1, m);
    }
    const improvement = fx - fNew;
    x.set(xNew);
    g.set(gNew);
    fx = fNew;
    if (improvement <= fTol * Math.max(1, Math.abs(fx))) break;
  }
  return fx;
}
