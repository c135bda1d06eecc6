/**
 * Which golden pipelines have a counterpart in the KFP conformance corpus (pipelines
 * compiled by the KFP Python SDK, `../shared/kfp-conformance/valid`), and why the others
 * have none. Every golden module is in exactly one of the two tables (golden.test.ts
 * checks it); each golden YAML starts with a header, {@link snapshotHeader}, that says it
 * is a snapshot of Weft's output and names the KFP file it is compared with, if any.
 */
import { fileURLToPath } from "node:url";
import { sharedPath } from "../shared-dir.ts";

export const goldenDir = fileURLToPath(new URL(".", import.meta.url));
/** The corpus's valid files (tests that need them skip where the shared folder is absent). */
export const corpusShared = sharedPath("kfp-conformance/valid");
export const corpusDir = corpusShared.path;

/** Golden module → corpus file expressing the same pipeline (compared in corpus.test.ts). */
export const SAME_PIPELINE: Record<string, string> = {
  "collected-parameters.ts": "critical/collected_parameters.yaml",
  "flip-coin.ts": "critical/flip_coin.yaml",
  "if-else-with-oneof-artifacts.ts": "critical/if_else_with_oneof_artifacts.yaml",
  "loop-consume-upstream.ts": "parallel_and_nested/loop_consume_upstream.yaml",
  "nested-pipeline-opt-inputs-nil.ts": "parallel_and_nested/nested_pipeline_opt_inputs_nil_compiled.yaml",
  "parallel-for-after-dependency.ts": "critical/parallel_for_after_dependency.yaml",
  "parameter-oneof.ts": "critical/parameter_oneof.yaml",
  "pipeline-in-pipeline-complex.ts": "parallel_and_nested/pipeline_in_pipeline_complex.yaml",
  "pipeline-in-pipeline.ts": "parallel_and_nested/pipeline_in_pipeline.yaml",
  "pipeline-with-after.ts": "essential/pipeline_with_after.yaml",
  "pipeline-with-condition.ts": "essential/pipeline_with_condition.yaml",
  "pipeline-with-env.ts": "critical/pipeline_with_env.yaml",
  "pipeline-with-input-status-state.ts": "critical/pipeline_with_input_status_state.yaml",
  "pipeline-with-loops.ts": "parallel_and_nested/pipeline_with_loops.yaml",
  "pipeline-with-metrics-outputs.ts": "essential/pipeline_with_metrics_outputs.yaml",
  "pipeline-with-outputs.ts": "essential/pipeline_with_outputs.yaml",
  "pipeline-with-nested-conditions.ts": "essential/pipeline_with_nested_conditions.yaml",
  "pipeline-with-params-containing-format.ts": "essential/pipeline_with_params_containing_format.yaml",
  "pipeline-with-placeholders.ts": "critical/pipeline_with_placeholders.yaml",
  "pipeline-with-retry.ts": "critical/pipeline_with_retry.yaml",
  "placeholder-with-if-placeholder-none-input-value.ts":
    "essential/placeholder_with_if_placeholder_none_input_value.yaml",
  "two-step-pipeline-containerized.ts": "critical/two_step_pipeline_containerized.yaml",
};

/**
 * Golden modules with no counterpart in the corpus: no corpus pipeline has their tasks and
 * components. Their YAML is only a snapshot of what Weft emits, checked for validity.
 */
export const NO_COUNTERPART: Record<string, string> = {
  "caching.ts": "caching on, off and with a cache key; parameter_cache and artifact_cache are other pipelines",
  "collected-artifacts.ts": "a fan-in of artifacts made in a loop",
  "collected-in-condition.ts": "a loop's fan-in consumed inside a condition",
  "condition-in-loop.ts": "a condition inside a loop on a loop task's output",
  "container-placeholders.ts": "every placeholder kind in one container component",
  "exit-handler.ts":
    "an exit handler given the guarded tasks' status; the corpus's exit handler is pipeline_with_input_status_state",
  "if-elif-else.ts": "If / Elif / Else on a task output",
  "importer.ts": "importers of a constant and a parameter URI; pipeline_with_importer_workspace uses a workspace",
  "loaded-components.ts": "components loaded from KFP YAML files in test/golden/components",
  "loop-over-artifacts.ts": "a loop over a list of artifacts (artifactIterator)",
  "loop-parallelism.ts": "a loop over objects from a parameter with a parallelism limit",
  "metrics-outputs.ts":
    "metrics, classification metrics, HTML and Markdown outputs of one component; pipeline_with_metrics_outputs is the pipeline of pipeline-with-metrics-outputs.ts",
  "nested-loops-over-fields.ts": "a loop over a list field of an outer loop's item",
  "nested-loops.ts": "a loop over a static list inside a loop over a parameter",
  "oneof-artifacts.ts": "OneOf over artifacts from three branches",
  "pipeline-outputs.ts":
    "a pipeline's outputs used by another pipeline; pipeline_with_outputs is the pipeline of pipeline-with-outputs.ts",
  "resources.ts": "CPU, memory and GPU requests and limits",
};

/** The first lines of a golden YAML: what it is and what it is compared with. */
export function snapshotHeader(module: string): string {
  const counterpart = SAME_PIPELINE[module];
  return [
    `# Snapshot of Weft's compiler output for test/golden/${module}, not a KFP reference.`,
    counterpart
      ? `# Compared structurally with the KFP-compiled kfp-conformance/valid/${counterpart} (corpus.test.ts).`
      : "# No KFP-compiled counterpart in the corpus (see NO_COUNTERPART in _corpus.ts).",
    "",
  ].join("\n");
}
