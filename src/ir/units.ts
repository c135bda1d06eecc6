/**
 * The one grammar of durations and of Kubernetes CPU and memory quantities, shared by the
 * SDK (task options), the compiler (KFP's numeric resource fields), the engine (retry
 * backoff, timeouts, resource demands) and the scheduler (`@every`). A leaf file with no
 * imports: the SDK and the web UI load it without the IR schema.
 *
 * The functions return `undefined` for text they do not accept; each caller raises its
 * own error, naming its field and saying what to write.
 */

const DURATION_UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Milliseconds of a duration, or `undefined` when the text is not one. A duration is a
 * sequence of `<number><unit>` with units `ms`, `s`, `m` (minutes), `h` and `d` (24 h),
 * as in Go's and Kubernetes' `1h30m` (plus `d`), or a bare number of seconds as in KFP's
 * `backoff_duration`. Numbers may have a fraction (`1.5h`, `.5s`); surrounding white space
 * is ignored. Not rounded.
 *
 * @example parseDurationMs("1m30s") // 90000; parseDurationMs("45") // 45000
 */
export function parseDurationMs(text: string): number | undefined {
  const t = text.trim();
  if (/^[0-9]*\.?[0-9]+$/.test(t)) return Number(t) * 1000;
  const re = /([0-9]*\.?[0-9]+)(ms|s|m|h|d)/y;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(t); m !== null; m = re.exec(t)) {
    total += Number(m[1]) * (DURATION_UNIT_MS[m[2] ?? ""] ?? Number.NaN);
    consumed = re.lastIndex;
  }
  return t !== "" && consumed === t.length && Number.isFinite(total) ? total : undefined;
}

/** Bytes per memory suffix: decimal SI (`k`/`K`, `M`, `G`, ...) and binary (`Ki`, `Mi`, ...). */
export const MEMORY_UNITS: Readonly<Record<string, number>> = {
  "": 1,
  k: 1e3,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/**
 * Bytes of a Kubernetes memory quantity (`"512Mi"`, `"4G"`, `"1.5Gi"`, `"1e9"`, `"1000"`),
 * or `undefined` when the text is not one. `K` is accepted as `k`, as KFP does. Not rounded.
 *
 * @example parseMemoryBytes("1Gi") // 1073741824; parseMemoryBytes("1G") // 1e9
 */
export function parseMemoryBytes(text: string): number | undefined {
  const m = /^\s*([0-9]*\.?[0-9]+(?:e[0-9]+)?)\s*([kKMGTPE]i?)?\s*$/.exec(text);
  const unit = MEMORY_UNITS[m?.[2] ?? ""];
  if (!m?.[1] || unit === undefined) return undefined;
  return Number(m[1]) * unit;
}

/**
 * Cores of a Kubernetes CPU quantity (`"500m"` = 0.5, `"2"`, `"1.5"`), or `undefined` when
 * the text is not one.
 *
 * @example parseCpuCores("250m") // 0.25
 */
export function parseCpuCores(text: string): number | undefined {
  const m = /^\s*([0-9]*\.?[0-9]+)\s*(m?)\s*$/.exec(text);
  if (!m?.[1]) return undefined;
  const n = Number(m[1]);
  return m[2] === "m" ? n / 1000 : n;
}
