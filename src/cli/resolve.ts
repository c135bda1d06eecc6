/**
 * Finds the run, task or artifact a command argument refers to: by id, by a unique id
 * prefix, or by name.
 */
import { labelledPath, labelsByPath } from "../ir/labels.ts";
import type { Artifact, Run, Store, Task } from "../store/index.ts";
import { CliError } from "./errors.ts";

/**
 * The run `ref` names: its id, a unique prefix of its id (at least 4 characters), or its
 * display name (the newest run of that name).
 *
 * @throws CliError `RUN_NOT_FOUND`
 */
export function resolveRun(store: Store, ref: string): Run {
  const byId = store.runs.get(ref);
  if (byId) return byId;
  if (ref.length >= 4 && /^[0-9a-f-]+$/i.test(ref)) {
    const page = store.runs.list({ filter: [{ field: "id", op: "IS_SUBSTRING", value: ref }], pageSize: 20 });
    const matches = page.items.filter((r) => r.id.startsWith(ref));
    if (matches.length === 1 && matches[0]) return matches[0];
    if (matches.length > 1) {
      throw new CliError(
        "RUN_NOT_FOUND",
        `run id prefix "${ref}" matches ${matches.length} runs (${matches.map((r) => r.id).join(", ")}); give more characters`,
      );
    }
  }
  const byName = store.runs.list({
    filter: [{ field: "displayName", op: "EQUALS", value: ref }],
    sort: { field: "createdAt", desc: true },
    pageSize: 1,
  });
  const named = byName.items[0];
  if (named) return named;
  throw new CliError(
    "RUN_NOT_FOUND",
    `no run with id or name "${ref}" in ${store.home}; list runs with: weft runs list (or set WEFT_HOME)`,
  );
}

/**
 * The tasks of `run` that `ref` names: a task id, a full path (`root/train`), a path
 * below root (`train`, `for-loop-1/iteration-0/train`), a path as shown
 * (`for-loop-1[mlp]/train`, or `for-loop-1[mlp]` for the tasks of that iteration), or a
 * task name (all iterations).
 *
 * @throws CliError `TASK_NOT_FOUND`
 */
export function resolveTasks(store: Store, run: Run, ref: string): Task[] {
  const tasks = store.tasks.listByRun(run.id);
  const exact = tasks.filter((t) => t.id === ref || t.path === ref || t.path === `root/${ref}`);
  if (exact.length > 0) return exact;
  const labels = labelsByPath(tasks);
  const shown = tasks.filter((t) => {
    const p = labelledPath(t.path, labels);
    return p === ref || p.startsWith(`${ref}/`);
  });
  if (shown.length > 0) return shown;
  const named = tasks.filter((t) => t.name === ref || t.displayName === ref);
  if (named.length > 0) return named;
  const leaves = tasks.filter((t) => t.kind === "container" || t.kind === "importer").map((t) => t.name);
  throw new CliError(
    "TASK_NOT_FOUND",
    `run ${run.id} has no task "${ref}"; its tasks are: ${[...new Set(leaves)].join(", ") || "(none yet)"}`,
  );
}

/**
 * The artifact `ref` names: an artifact id or its URI.
 *
 * @throws CliError `ARTIFACT_NOT_FOUND`
 */
export function resolveArtifact(store: Store, ref: string): Artifact {
  const found = store.artifacts.get(ref) ?? store.artifacts.getByUri(ref);
  if (found) return found;
  throw new CliError(
    "ARTIFACT_NOT_FOUND",
    `no artifact with id or uri "${ref}" in ${store.home}; see a run's artifacts with: weft runs get <run>`,
  );
}
