import { describe, expect, it } from "vitest";
import { Metrics, Model } from "./artifact.ts";
import { ClassificationMetrics, SlicedClassificationMetrics } from "./classification-metrics.ts";
import { ExecutorError } from "./errors.ts";
import { artifactClassFor, createArtifact } from "./registry.ts";

describe("Metrics", () => {
  it("stores each metric as a metadata key", () => {
    const m = new Metrics({ uri: "file:///tmp/m" });
    m.logMetric("accuracy", 0.93);
    m.logMetric("rows", 120);
    expect(m.metadata).toEqual({ accuracy: 0.93, rows: 120 });
    expect(m.toJSON()).toEqual({ name: "", uri: "file:///tmp/m", metadata: { accuracy: 0.93, rows: 120 } });
  });

  it("keeps a model's framework in metadata", () => {
    const model = new Model();
    model.framework = "onnx";
    expect(model.metadata).toEqual({ framework: "onnx" });
    expect(model.framework).toBe("onnx");
  });
});

describe("ClassificationMetrics", () => {
  it("logs confidenceMetrics rows from confusion counts, with KFP's derived rates", () => {
    const m = new ClassificationMetrics();
    m.logConfidenceMetrics([
      { threshold: 1, tp: 0, fp: 0, tn: 6, fn: 4 },
      { threshold: 0.5, tp: 3, fp: 1, tn: 5, fn: 1 },
    ]);
    expect(m.metadata.confidenceMetrics).toEqual([
      {
        confidenceThreshold: 1,
        falsePositiveRate: 0,
        recall: 0,
        truePositiveCount: 0,
        falsePositiveCount: 0,
        trueNegativeCount: 6,
        falseNegativeCount: 4,
      },
      {
        confidenceThreshold: 0.5,
        falsePositiveRate: 1 / 6,
        recall: 0.75,
        precision: 0.75,
        f1Score: 0.75,
        truePositiveCount: 3,
        falsePositiveCount: 1,
        trueNegativeCount: 5,
        falseNegativeCount: 1,
      },
    ]);
    expect(() => m.logConfidenceMetrics([{ threshold: 0.5, tp: -1, fp: 0, tn: 0, fn: 0 }])).toThrow(
      /tp, fp, tn and fn/,
    );
  });

  it("writes ROC points in KFP's confidenceMetrics form", () => {
    const m = new ClassificationMetrics();
    m.logRocCurve([0, 0.2], [0.5, 0.9], [0.8, 0.3]);
    m.logRocDataPoint(1, 1, 0);
    expect(m.metadata).toEqual({
      confidenceMetrics: [
        { confidenceThreshold: 0.8, falsePositiveRate: 0, recall: 0.5 },
        { confidenceThreshold: 0.3, falsePositiveRate: 0.2, recall: 0.9 },
        { confidenceThreshold: 0, falsePositiveRate: 1, recall: 1 },
      ],
    });
  });

  it("rejects ROC arrays of different lengths", () => {
    const m = new ClassificationMetrics();
    expect(() => m.logRocCurve([0, 1], [0], [1, 0])).toThrow(/same length; got 2, 1 and 2/);
  });

  it("writes the confusion matrix in KFP's form", () => {
    const m = new ClassificationMetrics();
    m.logConfusionMatrix(
      ["cat", "dog"],
      [
        [9, 1],
        [2, 8],
      ],
    );
    expect(m.metadata).toEqual({
      confusionMatrix: {
        annotationSpecs: [{ displayName: "cat" }, { displayName: "dog" }],
        rows: [{ row: [9, 1] }, { row: [2, 8] }],
      },
    });
  });

  it("builds a matrix cell by cell and row by row", () => {
    const m = new ClassificationMetrics();
    m.setConfusionMatrixCategories(["a", "b", "c"]);
    m.logConfusionMatrixCell("a", "c", 4);
    m.logConfusionMatrixRow("b", [1, 2, 3]);
    expect(m.metadata.confusionMatrix).toEqual({
      annotationSpecs: [{ displayName: "a" }, { displayName: "b" }, { displayName: "c" }],
      rows: [{ row: [0, 0, 4] }, { row: [1, 2, 3] }, { row: [0, 0, 0] }],
    });
  });

  it("names the category and what to do on misuse", () => {
    const m = new ClassificationMetrics();
    expect(() => m.logConfusionMatrixRow("a", [1])).toThrow(/call setConfusionMatrixCategories first/);
    m.setConfusionMatrixCategories(["a", "b"]);
    expect(() => m.logConfusionMatrixCell("a", "z", 1)).toThrow(/category "z" is not one of \[a, b\]/);
    expect(() => m.logConfusionMatrixRow("a", [1])).toThrow(/has 1 values; expected 2/);
    expect(() => m.logConfusionMatrix(["a", "b"], [[1, 2]])).toThrow(ExecutorError);
  });
});

describe("SlicedClassificationMetrics", () => {
  it("writes one entry per slice under evaluationSlices", () => {
    const m = new SlicedClassificationMetrics();
    m.loadRocReadings("overall", [[0.5, 0.9, 0.1]]);
    m.loadConfusionMatrix(
      "overall",
      ["x", "y"],
      [
        [1, 0],
        [0, 1],
      ],
    );
    expect(m.metadata).toEqual({
      evaluationSlices: [
        {
          slice: "overall",
          sliceClassificationMetrics: {
            confidenceMetrics: [{ confidenceThreshold: 0.5, falsePositiveRate: 0.1, recall: 0.9 }],
            confusionMatrix: {
              annotationSpecs: [{ displayName: "x" }, { displayName: "y" }],
              rows: [{ row: [1, 0] }, { row: [0, 1] }],
            },
          },
        },
      ],
    });
  });
});

describe("createArtifact", () => {
  it("picks the class by schema title and falls back to a generic artifact", () => {
    expect(artifactClassFor("system.ClassificationMetrics")).toBe(ClassificationMetrics);
    const m = createArtifact({ uri: "s3://b/m", type: { schemaTitle: "system.Metrics" }, metadata: { a: 1 } });
    expect(m).toBeInstanceOf(Metrics);
    expect(m.metadata).toEqual({ a: 1 });
    const g = createArtifact({
      uri: "s3://b/g",
      type: { schemaTitle: "google.VertexDataset", schemaVersion: "0.0.2" },
    });
    expect(g.constructor.name).toBe("Artifact");
    expect([g.schemaTitle, g.schemaVersion]).toEqual(["google.VertexDataset", "0.0.2"]);
    expect(createArtifact({ uri: "/x" }, "system.Model")).toBeInstanceOf(Model);
  });
});
