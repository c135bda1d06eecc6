/**
 * The standard normal functions the acquisitions need, accurate far into the tails so that
 * the logarithm of expected improvement and of the probability of improvement stay finite
 * and informative where the improvement is astronomically unlikely (the log-EI of Ament et
 * al., "Unexpected Improvements to Expected Improvement", 2023):
 *
 *   h(z) = φ(z) + z Φ(z)  (EI = σ h(z)),   log h(z) and d log h / dz = Φ(z) / h(z)
 *   log Φ(z)              and d log Φ / dz = φ(z) / Φ(z)
 *
 * For z < −1 both go through the continued fraction of the Mills ratio Φ(−t)/φ(t), written
 * so that 1 − t·Φ(−t)/φ(t) is computed without cancellation.
 */

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/** The standard normal density. */
export function normPdf(z: number): number {
  return INV_SQRT_2PI * Math.exp(-0.5 * z * z);
}

/** erf(x) for |x| ≤ 4 by the positive series 2/√π e^{−x²} Σ 2ⁿ x^{2n+1} / (1·3···(2n+1)). */
function erfSeries(x: number): number {
  const ax = Math.abs(x);
  const x2 = x * x;
  let term = ax;
  let sum = ax;
  for (let n = 1; n < 200; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (term < 1e-17 * sum) break;
  }
  const v = TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
  return x < 0 ? -v : v;
}

/**
 * r(t) = 1 / (t + 2/(t + 3/(t + ...))) for t ≥ 3, so that the Mills ratio is
 * Φ(−t)/φ(t) = 1/(t + r) and 1 − t Φ(−t)/φ(t) = r/(t + r).
 */
function millsTail(t: number): number {
  let acc = t;
  for (let k = 60; k >= 2; k--) acc = t + k / acc;
  return 1 / acc;
}

/** Φ(z), with relative accuracy in both tails. */
export function normCdf(z: number): number {
  if (z < -3) {
    const t = -z;
    return normPdf(t) / (t + millsTail(t));
  }
  if (z > 3) return 1 - normPdf(z) / (z + millsTail(z));
  return 0.5 * (1 + erfSeries(z / Math.SQRT2));
}

/** log Φ(z) into out[0] and d log Φ(z)/dz into out[1]. */
export function logNormCdf(z: number, out: Float64Array): void {
  if (z < -3) {
    const t = -z;
    const m = 1 / (t + millsTail(t));
    out[0] = -0.5 * t * t - LOG_SQRT_2PI + Math.log(m);
    out[1] = 1 / m;
    return;
  }
  const c = normCdf(z);
  out[0] = Math.log(c);
  out[1] = normPdf(z) / c;
}

/** log h(z) = log(φ(z) + z Φ(z)) into out[0] and its derivative Φ(z)/h(z) into out[1]. */
export function logH(z: number, out: Float64Array): void {
  if (z > -1) {
    const c = normCdf(z);
    const h = normPdf(z) + z * c;
    out[0] = Math.log(h);
    out[1] = c / h;
    return;
  }
  const t = -z;
  if (t < 3) {
    // 1 − t m(t) with m(t) = Φ(−t)/φ(t); moderate cancellation only (t m ≤ 0.92 here)
    const p = normPdf(t);
    const m = normCdf(-t) / p;
    const q = 1 - t * m;
    out[0] = Math.log(p) + Math.log(q);
    out[1] = m / q;
    return;
  }
  const r = millsTail(t);
  // h = φ(t) (1 − t m) = φ(t) r/(t + r);  Φ(z)/h = m / (1 − t m) = 1/r
  out[0] = -0.5 * t * t - LOG_SQRT_2PI + Math.log(r) - Math.log(t + r);
  out[1] = 1 / r;
}
