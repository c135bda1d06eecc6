import { artifact, component, parallelFor, pipeline } from "../../src/index.ts";

/** Mirrors the corpus pipeline `essential/pipeline_with_metrics_outputs`. */
export const outputMetrics = component({
  name: "output_metrics",
  outputs: { metrics: artifact.Metrics },
  run: (_inputs, { metrics }) => {
    metrics.logMetric("accuracy", Math.floor(Math.random() * 100));
  },
});

export const pipelineWithMetricsOutputs = pipeline({ name: "pipeline-with-metrics-outputs" }, () => {
  outputMetrics();
  parallelFor([1, 2], () => {
    outputMetrics();
  });
});
