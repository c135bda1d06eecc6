/**
 * Adding a task to the pipeline being recorded: checks the arguments against the
 * component's declared inputs (the run-time twin of the type-level rules) and names the
 * task as KFP does.
 */
import { ArtifactChannel, ParamChannel } from "./channel.ts";
import type { ComponentDefinition } from "./definition.ts";
import { SdkError } from "./errors.ts";
import { currentContext, sanitizeName } from "./graph.ts";
import { type ArgValue, TaskNode } from "./task.ts";

function describe(value: unknown): string {
  if (value instanceof ParamChannel) return `the parameter channel "${value.fullName}"`;
  if (value instanceof ArtifactChannel) return `the artifact channel "${value.fullName}" (${value.schemaTitle})`;
  return `the constant ${JSON.stringify(value)}`;
}

function checkArg(def: ComponentDefinition, task: string, key: string, value: unknown): void {
  const decl = def.inputs[key];
  const where = `task "${task}" (component "${def.name}"): input "${key}"`;
  if (!decl) {
    const known = Object.keys(def.inputs);
    throw new SdkError(
      "SDK_UNKNOWN_INPUT",
      `${where} is not declared; the component's inputs are: ${known.length ? known.join(", ") : "(none)"}`,
    );
  }
  if (decl.kind === "artifact") {
    if (!(value instanceof ArtifactChannel)) {
      throw new SdkError(
        "SDK_INVALID_ARGUMENT",
        `${where} is an artifact (${decl.schemaTitle}) but got ${describe(value)}; pass an artifact output of another task, a pipeline input or importer(...)`,
      );
    }
    const generic = decl.schemaTitle === "system.Artifact" || value.schemaTitle === "system.Artifact";
    if (!generic && decl.schemaTitle !== value.schemaTitle) {
      throw new SdkError(
        "SDK_INVALID_ARGUMENT",
        `${where} takes ${decl.schemaTitle} but got ${describe(value)}; pass an artifact of the declared type`,
      );
    }
    if (Boolean(decl.isList) !== value.isArtifactList) {
      throw new SdkError(
        "SDK_INVALID_ARGUMENT",
        decl.isList
          ? `${where} takes a list of artifacts; wrap a loop output in collected(...)`
          : `${where} takes one artifact but got a list (${describe(value)})`,
      );
    }
    return;
  }
  if (value instanceof ArtifactChannel) {
    throw new SdkError("SDK_INVALID_ARGUMENT", `${where} is a parameter (${decl.type}) but got ${describe(value)}`);
  }
  if (decl.type === "TASK_FINAL_STATUS") {
    throw new SdkError(
      "SDK_INVALID_ARGUMENT",
      `${where} receives the final status of an exit handler; do not pass it, use the task in exitHandler(task, () => { ... })`,
    );
  }
}

/**
 * Adds a task calling `def` with `args` to the current pipeline body.
 *
 * @throws SdkError outside a pipeline body, for unknown or missing inputs and for
 *   arguments of the wrong kind.
 */
export function addTask(def: ComponentDefinition, args: Record<string, unknown>): TaskNode {
  const ctx = currentContext(`component "${def.name}"`);
  const base = sanitizeName(def.name) || "task";
  const name = ctx.uniqueTaskName(base);
  const given: Record<string, ArgValue> = {};
  for (const [key, value] of Object.entries(args)) {
    if (value === undefined) continue;
    checkArg(def, name, key, value);
    given[key] = value as ArgValue;
  }
  for (const [key, decl] of Object.entries(def.inputs)) {
    if (key in given) continue;
    const optional =
      decl.optional === true ||
      (decl.kind === "parameter" && (decl.default !== undefined || decl.type === "TASK_FINAL_STATUS"));
    if (!optional) {
      throw new SdkError(
        "SDK_MISSING_INPUT",
        `task "${name}" (component "${def.name}"): required input "${key}" is missing; pass it in the call, e.g. ${def.name}({ ${key}: ... })`,
      );
    }
  }
  const task = new TaskNode(name, def, given, ctx.current);
  const displayName = (def as { displayName?: unknown }).displayName;
  if (typeof displayName === "string") task.setDisplayName(displayName);
  ctx.tasks.set(name, task);
  ctx.current.tasks.push(task);
  return task;
}
