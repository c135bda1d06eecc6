/**
 * Where a corpus file (pipelines compiled by the KFP Python SDK) expresses the same
 * pipeline as a golden TypeScript pipeline, the compiled structure must match it:
 * components, DAG tasks, inputs, outputs, trigger and iterator policies. What depends on
 * the source language is normalized away: executor command, args and image, and sdkVersion.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { compilePipelineFile } from "../../src/compiler/index.ts";
import { loadPipelineFile, type PipelinePackage, type PipelineSpec } from "../../src/ir/index.ts";
import { sharedPath } from "../shared-dir.ts";

const dir = fileURLToPath(new URL(".", import.meta.url));
const shared = sharedPath("kfp-conformance/valid");
const corpus = shared.path;

/** Golden module → corpus file expressing the same pipeline. */
const SAME_PIPELINE: Record<string, string> = {
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
  "pipeline-with-nested-conditions.ts": "essential/pipeline_with_nested_conditions.yaml",
  "pipeline-with-params-containing-format.ts": "essential/pipeline_with_params_containing_format.yaml",
  "pipeline-with-placeholders.ts": "critical/pipeline_with_placeholders.yaml",
  "pipeline-with-retry.ts": "critical/pipeline_with_retry.yaml",
  "placeholder-with-if-placeholder-none-input-value.ts":
    "essential/placeholder_with_if_placeholder_none_input_value.yaml",
  "two-step-pipeline-containerized.ts": "critical/two_step_pipeline_containerized.yaml",
};

/** Drops what depends on the source language: executor command/args/image and sdkVersion. */
function normalize(pkg: PipelinePackage): PipelineSpec {
  const spec = structuredClone(pkg.pipelineSpec);
  delete spec.sdkVersion;
  for (const executor of Object.values(spec.deploymentSpec?.executors ?? {})) {
    if (!executor.container) continue;
    delete executor.container.command;
    delete executor.container.args;
    executor.container.image = "<image>";
  }
  // This corpus file was written by a KFP version that left isOptional off defaulted root inputs.
  for (const p of Object.values(spec.root.inputDefinitions?.parameters ?? {})) {
    if (p.defaultValue !== undefined) p.isOptional = true;
  }
  return spec;
}

describe.skipIf(!shared.present)("compiled structure matches the KFP corpus", () => {
  for (const [module, corpusFile] of Object.entries(SAME_PIPELINE)) {
    it(`${module} matches ${corpusFile}`, async () => {
      const ours = normalize(await compilePipelineFile(join(dir, module), { bundle: false }));
      const theirs = normalize(loadPipelineFile(join(corpus, corpusFile)));
      expect(ours).toEqual(theirs);
    });
  }
});
