/**
 * Reading KFP ClassificationMetrics metadata: ROC points (`confidenceMetrics`), the
 * confusion matrix, and a precision-recall curve (from logged precision, or derived from
 * the ROC and the class totals of a two-class confusion matrix).
 */
import type { Json } from "../api/index.ts";
import type { Series } from "./curve-chart.tsx";

/** A confusion matrix with its category names. */
export interface Confusion {
  categories: string[];
  rows: number[][];
}

interface Point {
  fpr: number;
  tpr: number;
  threshold: number;
  precision?: number;
}

const num = (v: Json | undefined): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

/** ROC points of `confidenceMetrics`, sorted by false positive rate. */
export function rocPoints(metadata: Record<string, Json> | undefined): Point[] {
  const list = metadata?.confidenceMetrics;
  if (!Array.isArray(list)) return [];
  const out: Point[] = [];
  for (const item of list) {
    if (!item || typeof item !== "object" || Array.isArray(item)) continue;
    const fpr = num(item.falsePositiveRate);
    const tpr = num(item.recall) ?? num(item.truePositiveRate);
    if (fpr === undefined || tpr === undefined) continue;
    const p: Point = { fpr, tpr, threshold: num(item.confidenceThreshold) ?? Number.NaN };
    const precision = num(item.precision);
    if (precision !== undefined) p.precision = precision;
    out.push(p);
  }
  return out.sort((a, b) => a.fpr - b.fpr || a.tpr - b.tpr);
}

/** The confusion matrix of the metadata, if any. */
export function confusionOf(metadata: Record<string, Json> | undefined): Confusion | undefined {
  const cm = metadata?.confusionMatrix;
  if (!cm || typeof cm !== "object" || Array.isArray(cm)) return undefined;
  const specs = Array.isArray(cm.annotationSpecs) ? cm.annotationSpecs : [];
  const categories = specs.map((s, i) =>
    s && typeof s === "object" && !Array.isArray(s) && typeof s.displayName === "string" ? s.displayName : `class ${i}`,
  );
  const rows = (Array.isArray(cm.rows) ? cm.rows : []).map((r) => {
    const row = r && typeof r === "object" && !Array.isArray(r) ? r.row : r;
    return Array.isArray(row) ? row.map((v) => num(v) ?? 0) : [];
  });
  if (rows.length === 0) return undefined;
  return { categories: categories.length === rows.length ? categories : rows.map((_, i) => `class ${i}`), rows };
}

/** The ROC curve as a chart series. */
export function rocSeries(name: string, points: Point[]): Series {
  return { name, points: points.map((p) => ({ x: p.fpr, y: p.tpr, t: p.threshold })) };
}

/**
 * The precision-recall curve: logged precision when present; otherwise derived for two
 * classes from TPR, FPR and the class totals (precision = TPR·P / (TPR·P + FPR·N)).
 */
export function prSeries(name: string, points: Point[], confusion: Confusion | undefined): Series | undefined {
  if (points.length > 0 && points.every((p) => p.precision !== undefined)) {
    return {
      name,
      points: points.map((p) => ({ x: p.tpr, y: p.precision as number, t: p.threshold })).sort((a, b) => a.x - b.x),
    };
  }
  if (confusion?.rows.length !== 2) return undefined;
  const [neg, pos] = confusion.rows as [number[], number[]];
  const N = (neg[0] ?? 0) + (neg[1] ?? 0);
  const P = (pos[0] ?? 0) + (pos[1] ?? 0);
  if (P === 0) return undefined;
  const pts = points
    .filter((p) => p.tpr > 0)
    .map((p) => ({ x: p.tpr, y: (p.tpr * P) / (p.tpr * P + p.fpr * N), t: p.threshold }))
    .sort((a, b) => a.x - b.x || b.y - a.y);
  return pts.length > 0 ? { name, points: pts } : undefined;
}
