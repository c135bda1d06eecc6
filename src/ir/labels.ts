/**
 * What a loop iteration and a condition mean, as short labels: an iteration is labelled
 * by its item (`mlp`, `slope=3` for `{slope: 3}`), a condition by its expression
 * (`model == "mlp"` for KFP's `inputs.parameter_values['pipelinechannel--model'] == 'mlp'`).
 * The engine records them as the task's display name; the CLI and the web UI show them,
 * and the graph preview labels a condition before anything runs. A leaf file with no
 * imports: the web UI loads it without the IR schema and zod.
 */

/** The longest label, in characters; a longer one is cut and ends with `…`. */
export const LABEL_MAX = 40;

/** `text` cut to `max` characters, the last one `…` when it was longer. */
export function shortenLabel(text: string, max = LABEL_MAX): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join("")}…`;
}

function scalarText(v: unknown): string {
  if (typeof v === "string") return v;
  if (v === undefined) return "null";
  return JSON.stringify(v) ?? String(v);
}

/**
 * The label of the loop iteration over `item` (the `index`-th, from 0): a string as it is,
 * a number or boolean as written, an object as `key=value` pairs, a list as JSON, each cut
 * to {@link LABEL_MAX} characters; `#index` when the item says nothing (an artifact, an
 * empty string, object or list).
 *
 * @example iterationLabel({ slope: 3, kind: "mlp" }, 0) // "slope=3, kind=mlp"
 */
export function iterationLabel(item: unknown, index: number): string {
  let text = "";
  if (item !== null && typeof item === "object" && !Array.isArray(item)) {
    text = Object.entries(item as Record<string, unknown>)
      .map(([k, v]) => `${k}=${scalarText(v)}`)
      .join(", ");
  } else if (Array.isArray(item)) {
    text = item.length > 0 ? JSON.stringify(item) : "";
  } else if (item !== undefined) {
    text = scalarText(item);
  }
  return text.trim() === "" ? `#${index}` : shortenLabel(text);
}

/** Splits `a && b && c` at its top-level `&&`, respecting parentheses and quotes. */
function topLevelTerms(cel: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let quote = "";
  let start = 0;
  for (let i = 0; i < cel.length; i++) {
    const c = cel[i] as string;
    if (quote !== "") {
      if (c === "\\") i++;
      else if (c === quote) quote = "";
    } else if (c === "'" || c === '"') quote = c;
    else if (c === "(" || c === "[") depth++;
    else if (c === ")" || c === "]") depth--;
    else if (depth === 0 && cel.startsWith("&&", i)) {
      terms.push(cel.slice(start, i).trim());
      start = i + 2;
      i++;
    }
  }
  terms.push(cel.slice(start).trim());
  return terms;
}

/** Whether `term` is `!( ... )` with the parentheses enclosing all of it. */
function isNegation(term: string): boolean {
  if (!term.startsWith("!(") || !term.endsWith(")")) return false;
  let depth = 0;
  for (let i = 1; i < term.length; i++) {
    if (term[i] === "(") depth++;
    else if (term[i] === ")") {
      depth--;
      if (depth === 0 && i < term.length - 1) return false;
    }
  }
  return true;
}

const REF = String.raw`inputs\.parameter_values\[\s*(['"])(.*?)\1\s*\]`;

/**
 * A CEL trigger condition as a person writes it: each `inputs.parameter_values['…']` becomes
 * the name of what it reads (`channels` maps an input name to a name such as `train.f1`;
 * otherwise KFP's `pipelinechannel--` prefix is dropped), `int(…)` and `parseJson(…)`
 * around a reference are left out, and strings are written in double quotes.
 *
 * @example conditionText("int(inputs.parameter_values['pipelinechannel--n']) > 2") // "n > 2"
 */
export function conditionText(cel: string, channels: Readonly<Record<string, string>> = {}): string {
  const nameOf = (input: string): string =>
    Object.hasOwn(channels, input) ? (channels[input] as string) : input.replace(/^pipelinechannel--/, "");
  const marker = "\u0000";
  const refs: string[] = [];
  const keep = (input: string): string => {
    refs.push(nameOf(input));
    return `${marker}${refs.length - 1}${marker}`;
  };
  let text = cel
    .replace(new RegExp(String.raw`\b(?:int|double|string|parseJson)\(\s*${REF}\s*\)`, "g"), (_m, _q, n: string) =>
      keep(n),
    )
    .replace(new RegExp(REF, "g"), (_m, _q, n: string) => keep(n));
  text = text.replace(/'((?:[^'\\]|\\.)*)'/g, (_m, s: string) => JSON.stringify(s.replace(/\\'/g, "'")));
  return text.replace(new RegExp(`${marker}(\\d+)${marker}`, "g"), (_m, i: string) => refs[Number(i)] ?? "");
}

/**
 * The label of a condition task. KFP compiles the branches of an if/elif/else chain (a
 * `condition-branches-N` group) as `!(a) && b` and `!(a) && !(b)`; there the negations
 * of earlier branches are dropped (`b`), and a branch of negations only is `otherwise`.
 * Cut to `max` characters.
 *
 * @example conditionLabel("!(inputs.parameter_values['pipelinechannel--m'] == 'a') && inputs.parameter_values['pipelinechannel--m'] == 'b'", {}, true) // 'm == "b"'
 */
export function conditionLabel(
  cel: string,
  channels: Readonly<Record<string, string>> = {},
  inBranches = false,
  max = LABEL_MAX,
): string {
  let expr = cel.trim();
  if (inBranches) {
    const terms = topLevelTerms(expr);
    const own = terms.filter((t) => !isNegation(t));
    if (own.length === 0) return "otherwise";
    if (own.length < terms.length && own.length === 1 && terms.at(-1) === own[0]) expr = own[0] as string;
  }
  return shortenLabel(conditionText(expr, channels), max);
}

/** Whether a task name is one of the KFP compiler's generated names for a condition's DAG. */
export function isConditionName(name: string): boolean {
  return /^condition-(branches-)?\d+$/.test(name);
}

/**
 * A task path with its meaning: below the root, an iteration is shown with its loop as
 * `for-loop-2[mlp]`, and a node with a label (a condition) as `condition-4[model == "mlp"]`;
 * a `condition-branches-N` group keeps its name (its branches carry the expressions).
 * `labels` maps a task path to its label; paths without one are shown by name.
 *
 * @example labelledPath("root/for-loop-2/iteration-0/train", new Map([["root/for-loop-2/iteration-0", "mlp"]]))
 * // "for-loop-2[mlp]/train"
 */
export function labelledPath(path: string, labels: ReadonlyMap<string, string>): string {
  const parts = path.split("/");
  const shown: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const seg = parts[i] as string;
    if (i === 0 && seg === "root") continue;
    // a branches group stays its name: its branches carry the expressions
    const label = /^condition-branches-\d+$/.test(seg) ? undefined : labels.get(parts.slice(0, i + 1).join("/"));
    if (label === undefined || label === seg) shown.push(seg);
    else if (/^iteration-\d+$/.test(seg) && shown.length > 0) shown.push(`${shown.pop()}[${label}]`);
    else shown.push(`${seg}[${label}]`);
  }
  return shown.join("/");
}

/**
 * The labels of a run's tasks by path, for {@link labelledPath}: each task whose display
 * name is not its name. Iterations recorded before labels existed (`for-loop-2 #0`) have none.
 */
export function labelsByPath(
  tasks: Iterable<{ path: string; name: string; displayName?: string | undefined }>,
): Map<string, string> {
  const labels = new Map<string, string>();
  for (const t of tasks) {
    if (!t.displayName || t.displayName === t.name) continue;
    const index = /^iteration-(\d+)$/.exec(t.name)?.[1];
    if (index !== undefined && /^\S+ #\d+$/.test(t.displayName) && t.displayName.endsWith(` #${index}`)) continue;
    labels.set(t.path, t.displayName);
  }
  return labels;
}

/** The parts of a pipeline task that labels read (a structural subset of the IR's task spec). */
export interface LabelledTask {
  taskInfo?: { name?: string | undefined } | undefined;
  componentRef?: { name?: string | undefined } | undefined;
  triggerPolicy?: { condition?: string | undefined } | undefined;
  inputs?:
    | {
        parameters?:
          | Record<string, { taskOutputParameter?: { producerTask: string; outputParameterKey?: string } | undefined }>
          | undefined;
      }
    | undefined;
}

/** The parts of a pipeline spec that labels read. */
export interface LabelledSpec {
  root?: { dag?: { tasks?: Record<string, LabelledTask> | undefined } | undefined } | undefined;
  components?: Record<string, { dag?: { tasks?: Record<string, LabelledTask> | undefined } | undefined }> | undefined;
}

const channelCache = new WeakMap<object, Record<string, string>>();

/**
 * Channel input name → what it reads (`train.f1` for `pipelinechannel--train-f1`), over the
 * whole pipeline: a condition inside a branches group reads the channel its group was
 * given, under the same name. Computed once per spec.
 */
function channelsOf(spec: LabelledSpec): Record<string, string> {
  const known = channelCache.get(spec);
  if (known) return known;
  const out: Record<string, string> = {};
  for (const c of [spec.root, ...Object.values(spec.components ?? {})]) {
    for (const t of Object.values(c?.dag?.tasks ?? {})) {
      for (const [name, p] of Object.entries(t.inputs?.parameters ?? {})) {
        const from = p.taskOutputParameter;
        if (from?.outputParameterKey !== undefined && !Object.hasOwn(out, name)) {
          out[name] = `${from.producerTask}.${from.outputParameterKey}`;
        }
      }
    }
  }
  channelCache.set(spec, out);
  return out;
}

/** How long a `condition-branches-N` group's label, its branches' labels joined, may be. */
const BRANCHES_MAX = 60;

/**
 * The label of a task of `spec` named `name` in the DAG at `scopePath`, or `undefined`
 * when it has none (it is shown by its name): the name the pipeline gave it
 * (`taskInfo.name`), else a condition's expression ({@link conditionLabel}), else, for a
 * `condition-branches-N` group, its branches' labels joined by ` | `.
 */
export function specTaskLabel(
  spec: LabelledSpec,
  name: string,
  task: LabelledTask,
  scopePath: string,
): string | undefined {
  const given = task.taskInfo?.name;
  if (given !== undefined && given !== "" && given !== name) return given;
  const condition = task.triggerPolicy?.condition;
  if (condition) {
    const inBranches = /(^|\/)condition-branches-\d+$/.test(scopePath);
    return conditionLabel(condition, channelsOf(spec), inBranches);
  }
  const body = spec.components?.[task.componentRef?.name ?? ""]?.dag?.tasks;
  if (/^condition-branches-\d+$/.test(name) && body) {
    const labels = Object.entries(body)
      .filter(([n]) => isConditionName(n))
      .map(([n, t]) => specTaskLabel(spec, n, t, `${scopePath}/${name}`) ?? n);
    return labels.length > 0 ? shortenLabel(labels.join(" | "), BRANCHES_MAX) : undefined;
  }
  return undefined;
}
