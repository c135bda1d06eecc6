/**
 * Classification metrics in KFP's metadata form, which the Kubeflow UI renders as ROC curves
 * and confusion matrices.
 */
import { Artifact } from "./artifact.ts";
import { ExecutorError } from "./errors.ts";

/**
 * One row of `confidenceMetrics`, as KFP stores it: a threshold with its rates and, when
 * logged with {@link ClassificationMetrics.logConfidenceMetrics}, its confusion counts.
 */
export interface ConfidenceMetric {
  confidenceThreshold: number;
  falsePositiveRate: number;
  recall: number;
  precision?: number;
  f1Score?: number;
  truePositiveCount?: number;
  falsePositiveCount?: number;
  trueNegativeCount?: number;
  falseNegativeCount?: number;
}

/** Confusion counts of a binary classifier at one threshold (`score >= threshold` is positive). */
export interface ThresholdCounts {
  threshold: number;
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

/** A confusion matrix, as KFP stores it. */
export interface ConfusionMatrix {
  annotationSpecs: Array<{ displayName: string }>;
  rows: Array<{ row: number[] }>;
}

function invalid(message: string): ExecutorError {
  return new ExecutorError("EXECUTOR_METRICS_INVALID", message);
}

/** Builds ROC curves and confusion matrices in KFP's metadata layout. */
class ClassificationMetricsBuilder {
  categories: string[] = [];
  matrix: ConfusionMatrix | undefined;
  readonly points: ConfidenceMetric[] = [];

  rocPoint(fpr: number, tpr: number, threshold: number): void {
    this.points.push({ confidenceThreshold: threshold, falsePositiveRate: fpr, recall: tpr });
  }

  rocCurve(fpr: number[], tpr: number[], threshold: number[]): void {
    if (fpr.length !== tpr.length || fpr.length !== threshold.length) {
      throw invalid(
        `logRocCurve: fpr, tpr and threshold must have the same length; got ${fpr.length}, ${tpr.length} and ${threshold.length}.`,
      );
    }
    for (let i = 0; i < fpr.length; i++) {
      this.rocPoint(fpr[i] as number, tpr[i] as number, threshold[i] as number);
    }
  }

  countsRow(c: ThresholdCounts): void {
    const counts = [c.tp, c.fp, c.tn, c.fn];
    if (!Number.isFinite(c.threshold) || counts.some((n) => !Number.isInteger(n) || n < 0)) {
      throw invalid(
        `logConfidenceMetrics: each row needs a finite threshold and whole, non-negative tp, fp, tn and fn; got ${JSON.stringify(c)}.`,
      );
    }
    const recall = c.tp + c.fn === 0 ? 0 : c.tp / (c.tp + c.fn);
    const fpr = c.fp + c.tn === 0 ? 0 : c.fp / (c.fp + c.tn);
    const row: ConfidenceMetric = { confidenceThreshold: c.threshold, falsePositiveRate: fpr, recall };
    // precision is undefined where nothing is predicted positive; KFP leaves the field out
    if (c.tp + c.fp > 0) {
      row.precision = c.tp / (c.tp + c.fp);
      row.f1Score = row.precision + recall === 0 ? 0 : (2 * row.precision * recall) / (row.precision + recall);
    }
    row.truePositiveCount = c.tp;
    row.falsePositiveCount = c.fp;
    row.trueNegativeCount = c.tn;
    row.falseNegativeCount = c.fn;
    this.points.push(row);
  }

  setCategories(categories: string[]): void {
    this.categories = [...categories];
    this.matrix = {
      annotationSpecs: categories.map((displayName) => ({ displayName })),
      rows: categories.map(() => ({ row: categories.map(() => 0) })),
    };
  }

  private rowIndex(method: string, category: string): number {
    if (!this.matrix) {
      throw invalid(`${method}: no confusion matrix categories; call setConfusionMatrixCategories first.`);
    }
    const index = this.categories.indexOf(category);
    if (index < 0) {
      throw invalid(`${method}: category "${category}" is not one of [${this.categories.join(", ")}].`);
    }
    return index;
  }

  row(category: string, row: number[]): void {
    const index = this.rowIndex("logConfusionMatrixRow", category);
    if (row.length !== this.categories.length) {
      throw invalid(
        `logConfusionMatrixRow: row "${category}" has ${row.length} values; expected ${this.categories.length}, one per category.`,
      );
    }
    (this.matrix as ConfusionMatrix).rows[index] = { row: [...row] };
  }

  cell(rowCategory: string, colCategory: string, value: number): void {
    const r = this.rowIndex("logConfusionMatrixCell", rowCategory);
    const c = this.rowIndex("logConfusionMatrixCell", colCategory);
    const row = (this.matrix as ConfusionMatrix).rows[r] as { row: number[] };
    row.row[c] = value;
  }

  full(categories: string[], matrix: number[][]): void {
    this.setCategories(categories);
    if (matrix.length !== categories.length) {
      throw invalid(
        `logConfusionMatrix: matrix has ${matrix.length} rows; expected ${categories.length}, one per category.`,
      );
    }
    for (let i = 0; i < matrix.length; i++) this.row(categories[i] as string, matrix[i] as number[]);
  }

  write(metadata: Record<string, unknown>): void {
    if (this.points.length > 0) metadata.confidenceMetrics = this.points;
    if (this.matrix) metadata.confusionMatrix = this.matrix;
  }
}

/**
 * ROC curve and confusion matrix of a classifier (`system.ClassificationMetrics`).
 *
 * @example
 * m.logRocCurve([0, 0.1, 1], [0, 0.8, 1], [1, 0.5, 0]);
 * m.logConfusionMatrix(["cat", "dog"], [[9, 1], [2, 8]]);
 */
export class ClassificationMetrics extends Artifact {
  static override readonly schemaTitle: string = "system.ClassificationMetrics";
  private readonly builder = new ClassificationMetricsBuilder();

  /** Adds one ROC point: false positive rate, true positive rate (recall), threshold. */
  logRocDataPoint(fpr: number, tpr: number, threshold: number): void {
    this.builder.rocPoint(fpr, tpr, threshold);
    this.builder.write(this.metadata);
  }

  /** Adds a ROC curve; the three arrays must have the same length. */
  logRocCurve(fpr: number[], tpr: number[], threshold: number[]): void {
    this.builder.rocCurve(fpr, tpr, threshold);
    this.builder.write(this.metadata);
  }

  /**
   * Adds `confidenceMetrics` rows from confusion counts at each threshold (KFP's
   * `truePositiveCount` ... `falseNegativeCount`, with recall, precision, false positive
   * rate and F1 derived from them). ROC and precision-recall curves are both drawn from
   * these rows; log a row above the highest score (nothing predicted positive) and one at
   * or below the lowest (everything positive) so that the curves, and their areas, are whole.
   */
  logConfidenceMetrics(rows: ThresholdCounts[]): void {
    for (const r of rows) this.builder.countsRow(r);
    this.builder.write(this.metadata);
  }

  /** Starts a confusion matrix of zeros over these categories. */
  setConfusionMatrixCategories(categories: string[]): void {
    this.builder.setCategories(categories);
    this.builder.write(this.metadata);
  }

  /** Sets the row of one category (one count per category). */
  logConfusionMatrixRow(rowCategory: string, row: number[]): void {
    this.builder.row(rowCategory, row);
    this.builder.write(this.metadata);
  }

  /** Sets one cell of the confusion matrix. */
  logConfusionMatrixCell(rowCategory: string, colCategory: string, value: number): void {
    this.builder.cell(rowCategory, colCategory, value);
    this.builder.write(this.metadata);
  }

  /** Sets the whole confusion matrix: one row per category. */
  logConfusionMatrix(categories: string[], matrix: number[][]): void {
    this.builder.full(categories, matrix);
    this.builder.write(this.metadata);
  }
}

/**
 * Classification metrics per slice of the evaluation data
 * (`system.SlicedClassificationMetrics`), as `metadata.evaluationSlices`.
 */
export class SlicedClassificationMetrics extends Artifact {
  static override readonly schemaTitle: string = "system.SlicedClassificationMetrics";
  private readonly slices = new Map<string, ClassificationMetricsBuilder>();

  private slice(name: string): ClassificationMetricsBuilder {
    let builder = this.slices.get(name);
    if (!builder) {
      builder = new ClassificationMetricsBuilder();
      this.slices.set(name, builder);
    }
    return builder;
  }

  private update(): void {
    this.metadata.evaluationSlices = [...this.slices].map(([slice, builder]) => {
      const sliceClassificationMetrics: Record<string, unknown> = {};
      builder.write(sliceClassificationMetrics);
      return { slice, sliceClassificationMetrics };
    });
  }

  /** Adds ROC readings `[threshold, tpr, fpr]` to a slice, as KFP's `load_roc_readings`. */
  loadRocReadings(slice: string, readings: Array<[number, number, number]>): void {
    const builder = this.slice(slice);
    for (const [threshold, tpr, fpr] of readings) builder.rocPoint(fpr, tpr, threshold);
    this.update();
  }

  /** Starts a confusion matrix of zeros for a slice. */
  setConfusionMatrixCategories(slice: string, categories: string[]): void {
    this.slice(slice).setCategories(categories);
    this.update();
  }

  /** Sets one row of a slice's confusion matrix. */
  logConfusionMatrixRow(slice: string, rowCategory: string, row: number[]): void {
    this.slice(slice).row(rowCategory, row);
    this.update();
  }

  /** Sets one cell of a slice's confusion matrix. */
  logConfusionMatrixCell(slice: string, rowCategory: string, colCategory: string, value: number): void {
    this.slice(slice).cell(rowCategory, colCategory, value);
    this.update();
  }

  /** Sets a slice's whole confusion matrix. */
  loadConfusionMatrix(slice: string, categories: string[], matrix: number[][]): void {
    this.slice(slice).full(categories, matrix);
    this.update();
  }
}
