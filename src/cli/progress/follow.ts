/**
 * Shows a started run until it ends: picks the view (JSON lines, live tree or plain
 * lines), turns Ctrl-C into a cancellation, and maps the final state to the exit code.
 */
import type { RunHandle, RunSummary } from "../../engine/index.ts";
import { ExitCode } from "../errors.ts";
import { colorsFor } from "../format.ts";
import { JsonView } from "./json-view.ts";
import { PlainView } from "./plain-view.ts";
import { TtyView } from "./tty-view.ts";
import type { OutputStream, ProgressView } from "./view.ts";

/** Options of {@link followRun}. */
export interface FollowOptions {
  /** One JSON object per line instead of text. */
  json: boolean;
  /** Shown as the tree's header (the run name). */
  title: string;
  /** Leave out the tasks' output lines (the JSON view keeps its log events). */
  quiet?: boolean;
  out?: OutputStream;
  /** Where notices go ("canceling…"); default stderr. */
  err?: OutputStream;
}

/** The exit code for a run's final state: 0 only for SUCCEEDED, 130 when interrupted. */
export function exitCodeFor(summary: RunSummary, interrupted: boolean): number {
  if (summary.state === "SUCCEEDED") return ExitCode.ok;
  if (interrupted) return ExitCode.interrupted;
  return ExitCode.failed;
}

/** Creates the view that suits `out`. */
export function pickView(out: OutputStream, json: boolean, title: string, quiet = false): ProgressView {
  if (json) return new JsonView(out);
  const colors = colorsFor(out);
  if (out.isTTY) return new TtyView(out, colors, title, Date.now, !quiet);
  return new PlainView(out, colors, Date.now, !quiet);
}

/**
 * Renders `handle`'s events until the run ends and returns the exit code. The first
 * SIGINT cancels the run (process trees killed, CANCELED recorded) and the command exits
 * with 130 once the engine has recorded it; a second SIGINT exits at once.
 */
export async function followRun(handle: RunHandle, opts: FollowOptions): Promise<number> {
  const out = opts.out ?? process.stdout;
  const err = opts.err ?? process.stderr;
  const view = pickView(out, opts.json, opts.title, opts.quiet === true);
  handle.events.on("event", (e) => view.onEvent(e));
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) {
      if (view instanceof TtyView) view.abort();
      err.write("weft: interrupted again, exiting without waiting for the cancellation to finish\n");
      process.exit(ExitCode.interrupted);
    }
    interrupted = true;
    const notice = `canceling run ${handle.runId} (Ctrl-C again to exit at once)`;
    if (view instanceof TtyView) view.setNotice(notice);
    else if (!opts.json) err.write(`\nweft: ${notice}\n`);
    handle.cancel();
  };
  const onSigterm = () => {
    interrupted = true;
    handle.cancel();
  };
  process.on("SIGINT", onSigint);
  process.on("SIGTERM", onSigterm);
  try {
    const summary = await handle.done;
    view.finish(summary);
    return exitCodeFor(summary, interrupted);
  } catch (e) {
    if (view instanceof TtyView) view.abort();
    throw e;
  } finally {
    process.off("SIGINT", onSigint);
    process.off("SIGTERM", onSigterm);
  }
}
