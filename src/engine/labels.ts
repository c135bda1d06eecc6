/**
 * The labels the engine records as display names: a condition task's expression (or the
 * name the pipeline gave its group), a `condition-branches-N` group's branches, a loop's
 * given name. Iterations are labelled by their item in `loop.ts`.
 */
import {
  type ComponentSpec,
  conditionLabel,
  isConditionName,
  type PipelineSpec,
  type PipelineTaskSpec,
  shortenLabel,
} from "../ir/index.ts";

/** How long a `condition-branches-N` group's label, its branches' labels joined, may be. */
const BRANCHES_MAX = 60;

const channelCache = new WeakMap<PipelineSpec, Record<string, string>>();

/**
 * Channel input name → what it reads (`train.f1` for `pipelinechannel--train-f1`), over the
 * whole pipeline: a condition inside a branches group reads the channel its group was
 * given, under the same name. Computed once per spec.
 */
function channelsOf(spec: PipelineSpec): Record<string, string> {
  const known = channelCache.get(spec);
  if (known) return known;
  const out: Record<string, string> = {};
  const dags = [spec.root, ...Object.values(spec.components ?? {})];
  for (const c of dags) {
    for (const t of Object.values(c.dag?.tasks ?? {})) {
      for (const [name, p] of Object.entries(t.inputs?.parameters ?? {})) {
        const from = p.taskOutputParameter;
        if (from && !Object.hasOwn(out, name)) out[name] = `${from.producerTask}.${from.outputParameterKey}`;
      }
    }
  }
  channelCache.set(spec, out);
  return out;
}

/**
 * The display label of a condition, branches group or loop task, or `undefined` when it
 * has none (it is then shown by its name).
 */
export function taskLabel(
  spec: PipelineSpec,
  name: string,
  task: PipelineTaskSpec,
  component: ComponentSpec | undefined,
  scopePath: string,
): string | undefined {
  const given = task.taskInfo?.name;
  if (given !== undefined && given !== name) return given;
  const condition = task.triggerPolicy?.condition;
  if (condition) {
    const inBranches = /(^|\/)condition-branches-\d+$/.test(scopePath);
    return conditionLabel(condition, channelsOf(spec), inBranches);
  }
  if (/^condition-branches-\d+$/.test(name) && component?.dag) {
    const labels = Object.entries(component.dag.tasks ?? {})
      .filter(([n]) => isConditionName(n))
      .map(([n, t]) => taskLabel(spec, n, t, undefined, `${scopePath}/${name}`) ?? n);
    return labels.length > 0 ? shortenLabel(labels.join(" | "), BRANCHES_MAX) : undefined;
  }
  return undefined;
}
