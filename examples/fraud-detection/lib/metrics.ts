/**
 * Binary-classification metrics for imbalanced data: ROC-AUC (with ties), PR-AUC as
 * average precision, the F1-optimal threshold, confusion counts and a down-sampled ROC
 * curve.
 */

/** Labels as 0/1 numbers or booleans. */
export type Labels = ArrayLike<number>;

function order(scores: ArrayLike<number>): Uint32Array {
  const idx = new Uint32Array(scores.length);
  for (let i = 0; i < idx.length; i++) idx[i] = i;
  return idx.sort((a, b) => (scores[b] as number) - (scores[a] as number));
}

function positives(labels: Labels): number {
  let p = 0;
  for (let i = 0; i < labels.length; i++) if ((labels[i] as number) > 0.5) p++;
  return p;
}

/**
 * Visits each distinct score from highest to lowest with the cumulative true and false
 * positives of the threshold `score >= s`; tied scores form one step.
 */
function sweep(scores: ArrayLike<number>, labels: Labels, visit: (threshold: number, tp: number, fp: number) => void) {
  const idx = order(scores);
  let tp = 0;
  let fp = 0;
  let i = 0;
  while (i < idx.length) {
    const s = scores[idx[i]!] as number;
    while (i < idx.length && scores[idx[i]!] === s) {
      if ((labels[idx[i]!] as number) > 0.5) tp++;
      else fp++;
      i++;
    }
    visit(s, tp, fp);
  }
}

/** ROC-AUC: the probability that a random positive outranks a random negative (ties count half). */
export function rocAuc(scores: ArrayLike<number>, labels: Labels): number {
  const pos = positives(labels);
  const neg = labels.length - pos;
  if (pos === 0 || neg === 0) return Number.NaN;
  let auc = 0;
  let prevTp = 0;
  let prevFp = 0;
  sweep(scores, labels, (_s, tp, fp) => {
    const p = tp - prevTp;
    const n = fp - prevFp;
    // Positives in this tie group beat all negatives below it and half of those tied.
    auc += p * (neg - fp) + (p * n) / 2;
    prevTp = tp;
    prevFp = fp;
  });
  return auc / (pos * neg);
}

/** PR-AUC as average precision (scikit-learn's definition: step-wise, no interpolation). */
export function averagePrecision(scores: ArrayLike<number>, labels: Labels): number {
  const pos = positives(labels);
  if (pos === 0) return Number.NaN;
  let ap = 0;
  let prevRecall = 0;
  sweep(scores, labels, (_s, tp, fp) => {
    const recall = tp / pos;
    ap += (recall - prevRecall) * (tp / (tp + fp));
    prevRecall = recall;
  });
  return ap;
}

/** Confusion counts and the derived rates at one threshold (score >= threshold is positive). */
export interface ThresholdMetrics {
  threshold: number;
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  precision: number;
  recall: number;
  f1: number;
}

/** Confusion counts, precision, recall and F1 at `threshold`. */
export function atThreshold(scores: ArrayLike<number>, labels: Labels, threshold: number): ThresholdMetrics {
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (let i = 0; i < scores.length; i++) {
    const yes = (scores[i] as number) >= threshold;
    const pos = (labels[i] as number) > 0.5;
    if (yes && pos) tp++;
    else if (yes) fp++;
    else if (pos) fn++;
    else tn++;
  }
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { threshold, tp, fp, tn, fn, precision, recall, f1 };
}

/** The threshold that maximises F1 on (validation) scores, scanning every distinct score. */
export function bestF1Threshold(scores: ArrayLike<number>, labels: Labels): number {
  const pos = positives(labels);
  if (pos === 0) return 0.5;
  let best = -1;
  let threshold = 0.5;
  sweep(scores, labels, (s, tp, fp) => {
    const f1 = (2 * tp) / (tp + fp + pos);
    if (f1 > best) {
      best = f1;
      threshold = s;
    }
  });
  return threshold;
}

/** One point of a ROC curve. */
export interface RocPoint {
  threshold: number;
  fpr: number;
  tpr: number;
}

/** The ROC curve, down-sampled to at most `maxPoints` points (always keeping both ends). */
export function rocCurve(scores: ArrayLike<number>, labels: Labels, maxPoints = 101): RocPoint[] {
  const pos = positives(labels);
  const neg = labels.length - pos;
  const all: RocPoint[] = [{ threshold: Number.POSITIVE_INFINITY, fpr: 0, tpr: 0 }];
  sweep(scores, labels, (s, tp, fp) => {
    all.push({ threshold: s, fpr: neg ? fp / neg : 0, tpr: pos ? tp / pos : 0 });
  });
  if (all.length <= maxPoints) return all;
  const out: RocPoint[] = [];
  const step = (all.length - 1) / (maxPoints - 1);
  for (let k = 0; k < maxPoints; k++) out.push(all[Math.round(k * step)]!);
  return out;
}

/** Confusion counts at one threshold: `score >= threshold` is predicted positive. */
export interface CurveRow {
  threshold: number;
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

/**
 * The rows of KFP's `confidenceMetrics` for ROC and precision-recall curves: confusion
 * counts at the thresholds where the curves turn, from a row above the highest score
 * (nothing positive) to the lowest score (everything positive). Below `maxRows` distinct
 * scores every one is a row; otherwise the rows are the corners of the ROC staircase (each
 * distinct score that holds a positive, and the one before it), which keep its area and the
 * average precision exact; if even those are more than `maxRows`, every score quantile
 * (`maxRows` of them, both ends kept).
 */
export function confidenceRows(scores: ArrayLike<number>, labels: Labels, maxRows = 400): CurveRow[] {
  const pos = positives(labels);
  const neg = labels.length - pos;
  let top = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < scores.length; i++) top = Math.max(top, scores[i] as number);
  // the "nothing positive" row's threshold: above every score (1 for probabilities below 1)
  const above = top < 1 ? 1 : top + 1;
  const all: CurveRow[] = [{ threshold: above, tp: 0, fp: 0, tn: neg, fn: pos }];
  sweep(scores, labels, (s, tp, fp) => {
    all.push({ threshold: s, tp, fp, tn: neg - fp, fn: pos - tp });
  });
  if (all.length <= maxRows) return all;
  const corners = all.filter((r, i) => {
    if (i === 0 || i === all.length - 1) return true;
    const prev = all[i - 1] as CurveRow;
    const next = all[i + 1] as CurveRow;
    return r.tp !== prev.tp || next.tp !== r.tp;
  });
  if (corners.length <= maxRows) return corners;
  const out: CurveRow[] = [];
  const step = (all.length - 1) / (maxRows - 1);
  for (let k = 0; k < maxRows; k++) out.push(all[Math.round(k * step)] as CurveRow);
  return out;
}
