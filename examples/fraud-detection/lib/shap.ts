/**
 * Shapley values by permutation sampling (Strumbelj and Kononenko): for each explained row
 * and sampled feature order, features are switched one at a time from a background row to
 * the explained row, and each switch's change in the prediction is credited to that
 * feature. Every permutation satisfies efficiency exactly, so per row the values sum to
 * f(x) minus the mean prediction of the background rows used. All model calls are batched.
 */
import { Rng } from "./random.ts";

/** Predicts probabilities for row-major features (e.g. an ONNX session). */
export type BatchPredictor = (features: Float32Array) => Promise<Float32Array>;

/** Options of {@link permutationShap}. */
export interface ShapOptions {
  /** Sampled permutations per row (each used with its reverse, so rounded up to even). */
  permutations: number;
  seed: number;
}

/** Shapley values for a set of rows. */
export interface ShapResult {
  featureNames: string[];
  /** Row-major [rows, features]. */
  values: Float64Array;
  /** Predictions for the explained rows. */
  predictions: Float32Array;
  /** Per row, the mean background prediction the values are relative to. */
  baselines: Float64Array;
  /** Mean |value| per feature. */
  meanAbs: number[];
  /** Mean value per feature. */
  mean: number[];
}

/**
 * Estimates Shapley values of `rows` (row-major, `featureNames.length` wide) against
 * background rows.
 */
export async function permutationShap(
  predictFn: BatchPredictor,
  featureNames: string[],
  rows: Float32Array,
  background: Float32Array,
  options: ShapOptions,
): Promise<ShapResult> {
  const width = featureNames.length;
  const n = rows.length / width;
  const nb = background.length / width;
  const pairs = Math.max(1, Math.ceil(options.permutations / 2));
  const perms = pairs * 2;
  const rng = new Rng(options.seed);
  const steps = width + 1;
  const batch = new Float32Array(n * perms * steps * width);
  const orders: Uint16Array[] = [];
  for (let r = 0; r < n; r++) {
    const x = rows.subarray(r * width, (r + 1) * width);
    for (let p = 0; p < perms; p++) {
      let order: Uint16Array;
      if (p % 2 === 0) {
        order = new Uint16Array(width);
        for (let j = 0; j < width; j++) order[j] = j;
        for (let j = width - 1; j > 0; j--) {
          const k = rng.int(j + 1);
          const t = order[j]!;
          order[j] = order[k]!;
          order[k] = t;
        }
      } else order = orders[orders.length - 1]!.slice().reverse();
      orders.push(order);
      const b = rng.int(nb);
      const point = Float32Array.from(background.subarray(b * width, (b + 1) * width));
      const base = (r * perms + p) * steps * width;
      batch.set(point, base);
      for (let s = 0; s < width; s++) {
        const j = order[s]!;
        point[j] = x[j] as number;
        batch.set(point, base + (s + 1) * width);
      }
    }
  }
  const f = await predictFn(batch);
  const values = new Float64Array(n * width);
  const baselines = new Float64Array(n);
  const predictions = new Float32Array(n);
  for (let r = 0; r < n; r++) {
    for (let p = 0; p < perms; p++) {
      const order = orders[r * perms + p]!;
      const base = (r * perms + p) * steps;
      baselines[r] = (baselines[r] as number) + (f[base] as number) / perms;
      for (let s = 0; s < width; s++) {
        const j = order[s]!;
        const delta = (f[base + s + 1] as number) - (f[base + s] as number);
        values[r * width + j] = (values[r * width + j] as number) + delta / perms;
      }
      predictions[r] = f[base + width] as number;
    }
  }
  const meanAbs = new Array<number>(width).fill(0);
  const mean = new Array<number>(width).fill(0);
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < width; j++) {
      const v = values[r * width + j] as number;
      meanAbs[j] = (meanAbs[j] as number) + Math.abs(v) / n;
      mean[j] = (mean[j] as number) + v / n;
    }
  }
  return { featureNames, values, predictions, baselines, meanAbs, mean };
}

/** Renders the ranking of features by mean |SHAP| as a Markdown report. */
export function shapMarkdown(result: ShapResult, title: string): string {
  const ranked = result.featureNames
    .map((name, j) => ({ name, abs: result.meanAbs[j] as number, mean: result.mean[j] as number }))
    .sort((a, b) => b.abs - a.abs);
  const top = ranked[0]?.abs || 1;
  const lines = [
    `# ${title}`,
    "",
    `Permutation-sampling Shapley values of the exported ONNX model for ${result.predictions.length} test rows ` +
      "(half of them frauds where available), against a background of legitimate test rows. " +
      "Values are in probability units; per row they sum to the prediction minus the background mean.",
    "",
    "| rank | feature | mean abs SHAP | mean SHAP | |",
    "| ---: | --- | ---: | ---: | --- |",
    ...ranked.map(
      (r, i) =>
        `| ${i + 1} | ${r.name} | ${r.abs.toFixed(5)} | ${r.mean >= 0 ? "+" : ""}${r.mean.toFixed(5)} | ` +
        `${"#".repeat(Math.max(0, Math.round((20 * r.abs) / top)))} |`,
    ),
    "",
  ];
  return lines.join("\n");
}
