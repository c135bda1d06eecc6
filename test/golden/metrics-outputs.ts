import { writeFileSync } from "node:fs";
import { artifact, component, pipeline } from "../../src/index.ts";
import { makeDataset } from "./_components.ts";

/** Metrics outputs: scalar metrics, classification metrics (ROC, confusion matrix), HTML and Markdown. */
export const evaluate = component({
  name: "evaluate",
  inputs: { data: artifact.Dataset },
  outputs: {
    metrics: artifact.Metrics,
    classification: artifact.ClassificationMetrics,
    report: artifact.HTML,
    summary: artifact.Markdown,
  },
  run: (_inputs, { metrics, classification, report, summary }) => {
    metrics.logMetric("accuracy", 0.93);
    classification.logRocCurve([0, 0.1, 1], [0, 0.8, 1], [1, 0.5, 0]);
    classification.logConfusionMatrix(
      ["fraud", "legit"],
      [
        [90, 10],
        [5, 895],
      ],
    );
    writeFileSync(report.path, "<h1>Report</h1>");
    writeFileSync(summary.path, "# Summary");
  },
});

export default pipeline({ name: "metrics-outputs" }, () => {
  const data = makeDataset();
  evaluate({ data: data.outputs.data });
});
