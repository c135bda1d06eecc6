/**
 * A failure where the user looks: the run's banner (failed or canceled) and a task's error
 * (code, message, action and the last lines of its stderr), as the API reports them.
 */
import { type ApiStatus, getTaskInfo, type Run, type TaskErrorInfo } from "../api/index.ts";
import { useAsync } from "../components/use-async.ts";
import type { DagNode } from "../dag/model.ts";
import { Link } from "../router.tsx";

/** The code and action a `google.rpc.Status` carries in its `weft.ErrorInfo` detail. */
export function statusInfo(status: ApiStatus | undefined): { code?: string; action?: string } {
  const info = status?.details?.find((d) => String(d["@type"] ?? "").endsWith("weft.ErrorInfo"));
  const reason = typeof info?.reason === "string" ? info.reason : undefined;
  const metadata = info?.metadata as { action?: unknown } | undefined;
  const action = typeof metadata?.action === "string" ? metadata.action : undefined;
  return { ...(reason ? { code: reason } : {}), ...(action ? { action } : {}) };
}

/**
 * A message without the server's file paths: records written before the message stopped
 * naming the log file end with "; see its log /path/…", which the browser cannot open.
 */
export function displayMessage(message: string | undefined): string {
  return (message ?? "").replace(/;? see its log \/\S+$/, "");
}

/** The first failed task with a process (a container or importer), depth first. */
export function firstFailedTask(nodes: readonly DagNode[]): DagNode | undefined {
  for (const n of nodes) {
    const inner = firstFailedTask(n.children);
    if (inner) return inner;
    if (n.state === "FAILED" && n.children.length === 0 && !n.ghost) return n;
  }
  return undefined;
}

/** Code, message, action and stderr tail of a task failure. */
export function ErrorDetails(props: { error: TaskErrorInfo; testId?: string }): React.JSX.Element {
  const { error } = props;
  return (
    <div className="error-details" data-testid={props.testId}>
      <p className="error-message">
        {error.code ? (
          <span className="badge plain error-code" data-testid="error-code">
            {error.code}
          </span>
        ) : null}{" "}
        <span className="mono">{displayMessage(error.message)}</span>
      </p>
      {error.action ? (
        <p className="error-action" data-testid="error-action">
          <span className="muted">What to do:</span> {error.action}
        </p>
      ) : null}
      {error.stderr_tail ? (
        <>
          <div className="muted small">Last lines of stderr</div>
          <pre className="log stderr-tail" data-testid="stderr-tail">
            {error.stderr_tail}
          </pre>
        </>
      ) : null}
    </div>
  );
}

/** The banner of a finished run that did not succeed: failed (with the failing task's error) or canceled. */
export function RunBanner(props: {
  run: Run;
  state: string | undefined;
  roots: readonly DagNode[] | undefined;
}): React.JSX.Element | null {
  const { run, state } = props;
  const failed = firstFailedTask(props.roots ?? []);
  const task = useAsync(
    async () => (state === "FAILED" && failed ? getTaskInfo(run.run_id, failed.id) : undefined),
    [run.run_id, state, failed?.id],
  );
  if (state === "CANCELED") {
    return (
      <div className="alert info run-banner" role="status" data-testid="run-banner" data-kind="canceled">
        <strong>The run was canceled</strong>
        Tasks that had finished keep their results; Retry runs the rest again.
      </div>
    );
  }
  if (state !== "FAILED" || !run.error) return null;
  const info = statusInfo(run.error);
  const taskError = typeof task.data?.error === "object" ? task.data.error : undefined;
  const error: TaskErrorInfo = {
    ...(taskError ?? {}),
    message: taskError?.message ?? run.error.message ?? "",
    ...((taskError?.code ?? info.code) ? { code: taskError?.code ?? info.code } : {}),
    ...((taskError?.action ?? info.action) ? { action: taskError?.action ?? info.action } : {}),
  };
  return (
    <div className="alert run-banner" role="status" data-testid="run-banner" data-kind="failed">
      <strong>The run failed</strong>
      {failed ? (
        <p className="small">
          in task{" "}
          <Link to={`/runs/${encodeURIComponent(run.run_id)}?task=${encodeURIComponent(failed.id)}`}>
            {failed.label}
          </Link>
        </p>
      ) : null}
      <ErrorDetails error={error} />
    </div>
  );
}
