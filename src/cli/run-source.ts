/**
 * What `weft runs list` and `weft runs get` show, independent of where it comes from: a
 * {@link RunSource} reads runs from the local store (`commands/runs-list.ts`) or from a
 * server through the typed client (`remote/runs-list.ts`), and one presentation
 * (`run-views.ts`) prints the same tables for both.
 */
import type { JsonValue } from "../ir/index.ts";

/** One metric that defines a run (its run metrics, as the API lists them). */
export interface MetricValue {
  name: string;
  value: number;
}

/** What `runs list` selects; `state` is already a known run state, upper case. */
export interface RunListRequest {
  experiment?: string;
  state?: string;
  /** Only runs with each of these tags. */
  tags?: Record<string, string>;
  /** Archived runs instead of available ones. */
  archived?: boolean;
  limit: number;
  /** The order: `created_at` or `metric:NAME`, newest or highest first unless `desc` is false. */
  sort?: { field: string; desc: boolean };
}

/** One row of `runs list`. */
export interface RunListItem {
  id: string;
  name: string;
  state: string;
  createdAt?: number;
  durationMs?: number;
  /** The experiment's name (its id when the name cannot be read). */
  experiment: string;
  metrics: MetricValue[];
  /** The run as `--json` prints it (the source's own field names), without its spec. */
  doc: Record<string, unknown>;
}

/** A page of runs, newest first. */
export interface RunListPage {
  items: RunListItem[];
  totalSize: number;
}

/** One task row of `runs get`. */
export interface RunTaskLine {
  /** The task's path, `root/...`. */
  path: string;
  /** The path as shown: below `root`, iterations by their item, conditions by their expression (`labelledPath`). */
  label: string;
  state: string;
  durationMs?: number;
  attempts: number;
  /** `hit`, `miss`, `off` or empty. */
  cache: string;
  /** Why the cache hit or missed. */
  why: string;
  error?: string;
  /** The task failure code (the engine's catalogue) and the action to take, when known. */
  errorCode?: string;
  errorAction?: string;
  stderrTail?: string;
}

/** A run with its tasks, as `runs get` shows it. */
export interface RunDetail {
  id: string;
  name: string;
  state: string;
  cancelRequested?: boolean;
  experiment: string;
  pipeline: string;
  description?: string;
  tags?: Record<string, string>;
  createdAt?: number;
  durationMs?: number;
  /** Known only locally. */
  cacheEnabled?: boolean;
  parameters: Record<string, JsonValue>;
  /** The run's error, as shown. */
  error?: string;
  /** Every task but the root. */
  tasks: RunTaskLine[];
  /** What `--json` prints: `{ run, tasks, artifacts, metrics }` in the source's own field names. */
  doc: Record<string, unknown>;
}

/** Where runs are read from: the local store or a server. */
export interface RunSource {
  /** Where the runs are, for messages: `in <home>` or `on <url>`. */
  readonly where: string;
  /** The server's URL in remote mode. */
  readonly host?: string;
  /** @throws CliError `BAD_OPTION` for an unknown experiment */
  listRuns(request: RunListRequest): Promise<RunListPage>;
  /**
   * The run `ref` names: an id, a unique id prefix (4+ characters) or a name (the newest).
   *
   * @throws CliError `RUN_NOT_FOUND`
   */
  getRun(ref: string): Promise<RunDetail>;
}
