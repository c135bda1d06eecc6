/**
 * A DAG's outputs from its sub-tasks (`DagOutputsSpec`): `valueFromParameter`,
 * `valueFromOneof` (the first branch that ran) and `artifactSelectors` (the first
 * selector whose producer succeeded, which is how KFP compiles OneOf for artifacts).
 */
import { type ComponentSpec, isSuccessState, type JsonValue } from "../ir/index.ts";
import type { NodeIO, NodeResult, RuntimeArtifact } from "./context.ts";

/** Collects the outputs of a finished DAG from its sub-task results. */
export function collectDagOutputs(component: ComponentSpec, results: Map<string, NodeResult>): NodeIO {
  const outSpec = component.dag?.outputs;
  const parameters: Record<string, JsonValue> = {};
  const artifacts: Record<string, RuntimeArtifact[]> = {};
  for (const [key, spec] of Object.entries(outSpec?.parameters ?? {})) {
    const selectors = spec.valueFromParameter
      ? [spec.valueFromParameter]
      : (spec.valueFromOneof?.parameterSelectors ?? []);
    for (const sel of selectors) {
      const r = results.get(sel.producerSubtask);
      const v = r && isSuccessState(r.state) ? r.outputs.parameters[sel.outputParameterKey] : undefined;
      if (v !== undefined) {
        parameters[key] = v;
        break;
      }
    }
  }
  for (const [key, spec] of Object.entries(outSpec?.artifacts ?? {})) {
    for (const sel of spec.artifactSelectors ?? []) {
      const r = results.get(sel.producerSubtask);
      const list = r && isSuccessState(r.state) ? r.outputs.artifacts[sel.outputArtifactKey] : undefined;
      if (list && list.length > 0) {
        artifacts[key] = list;
        break;
      }
    }
  }
  return { parameters, artifacts };
}

/**
 * Collected outputs of a loop: each output parameter becomes the list of its values
 * over the iterations that produced it, each output artifact the list of artifacts.
 */
export function collectLoopOutputs(component: ComponentSpec, iterations: NodeResult[]): NodeIO {
  const parameters: Record<string, JsonValue> = {};
  const artifacts: Record<string, RuntimeArtifact[]> = {};
  for (const key of Object.keys(component.dag?.outputs?.parameters ?? {})) {
    const values: JsonValue[] = [];
    for (const it of iterations) {
      const v = it.outputs.parameters[key];
      if (v !== undefined) values.push(v);
    }
    parameters[key] = values;
  }
  for (const key of Object.keys(component.dag?.outputs?.artifacts ?? {})) {
    artifacts[key] = iterations.flatMap((it) => it.outputs.artifacts[key] ?? []);
  }
  return { parameters, artifacts };
}
