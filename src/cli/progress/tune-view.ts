/**
 * The progress of `weft tune`: in a terminal a live table of trials redrawn in place (as
 * `weft run` redraws its task tree), otherwise one line per trial state change. Both are
 * fed the experiment and all its trials at each change (`update`) and end with the
 * final status (`finish`).
 */
import { type Colors, colorState, formatDuration } from "../format.ts";
import {
  type BestView,
  type ExperimentView,
  formatCounts,
  formatObjectiveValues,
  formatParams,
  renderStatus,
  renderTrialsTable,
  type TrialView,
  trialNote,
} from "../tune-views.ts";
import { LiveFrame, truncateLine as truncate } from "./live-frame.ts";
import type { OutputStream } from "./view.ts";

/** Receives the experiment's state while it runs, then its end. */
export interface TuneProgressView {
  update(exp: ExperimentView, trials: readonly TrialView[], best: BestView): void;
  finish(exp: ExperimentView, trials: readonly TrialView[], best: BestView): void;
  /** A message such as "canceling…". */
  notice(text: string): void;
  /** Restores the terminal without a final status (the process is ending abnormally). */
  abort(): void;
}

/** The live table in a terminal: a header, then the trials (the most recent that fit), redrawn in place. */
export class TuneTtyView extends LiveFrame implements TuneProgressView {
  private noticeText: string | undefined;
  private latest: { exp: ExperimentView; trials: readonly TrialView[]; best: BestView } | undefined;
  private readonly startedAt: number;

  constructor(
    out: OutputStream,
    private readonly colors: Colors,
    now: () => number = Date.now,
  ) {
    super(out, now);
    this.startedAt = now();
  }

  update(exp: ExperimentView, trials: readonly TrialView[], best: BestView): void {
    this.latest = { exp, trials, best };
    this.schedule();
  }

  finish(exp: ExperimentView, trials: readonly TrialView[], best: BestView): void {
    this.latest = { exp, trials, best };
    this.end(renderStatus(exp, trials, best, this.colors, this.now()));
  }

  notice(text: string): void {
    this.noticeText = text;
    this.schedule();
  }

  protected override ready(): boolean {
    return this.latest !== undefined;
  }

  /** The lines of the current frame. */
  render(): string[] {
    const c = this.colors;
    const { exp, trials, best } = this.latest ?? { exp: undefined, trials: [], best: {} };
    if (!exp) return [];
    const width = Math.max(40, this.out.columns || 100);
    const height = Math.max(8, (this.out.rows || 30) - 2);
    const head = `${c.bold(`tune ${exp.name}`)}  ${colorState(exp.state, exp.state, c)}  ${formatDuration(this.now() - this.startedAt)}  ${formatCounts(exp, trials, c)}`;
    const bestLine = best.best
      ? `best: trial ${best.best.number}  ${formatObjectiveValues(exp, best.best)}  ${formatParams(best.best.params, exp.parameters)}`
      : "best: -";
    const fixed = [head, c.gray(bestLine), ...(this.noticeText ? [c.yellow(this.noticeText)] : [])];
    // the running trials and the most recent others that fit
    const room = Math.max(1, height - fixed.length - 2);
    const running = trials.filter((t) => t.state === "RUNNING");
    const others = trials.filter((t) => t.state !== "RUNNING");
    const shown = [...running.slice(-room), ...others.slice(-Math.max(0, room - running.length))].sort(
      (a, b) => a.number - b.number,
    );
    const hidden = trials.length - shown.length;
    const table = renderTrialsTable(exp, shown, c, { now: this.now(), best: best.best, front: best.front }).split("\n");
    const lines = [
      ...fixed,
      ...table,
      ...(hidden > 0 ? [c.gray(`  … ${hidden} earlier trial(s): weft tune trials ${exp.name}`)] : []),
    ];
    return lines.map((l) => truncate(l, width));
  }
}

/** Plain lines: one per trial state change, with its parameters, then its values or reason. */
export class TunePlainView implements TuneProgressView {
  private readonly seen = new Map<number, string>();
  private started = false;

  constructor(
    private readonly out: OutputStream,
    private readonly colors: Colors,
    private readonly now: () => number = Date.now,
  ) {}

  update(exp: ExperimentView, trials: readonly TrialView[], best: BestView): void {
    const c = this.colors;
    if (!this.started) {
      this.started = true;
      this.out.write(`${this.time()} experiment ${exp.name} ${exp.state} (${exp.algorithm})\n`);
    }
    for (const t of trials) {
      if (this.seen.get(t.number) === t.state) continue;
      this.seen.set(t.number, t.state);
      const parts = [this.time(), `trial ${t.name}`, colorState(t.state, t.state, c)];
      if (t.state === "PENDING" || t.state === "RUNNING") parts.push(formatParams(t.params, exp.parameters));
      else {
        if (t.values) parts.push(formatObjectiveValues(exp, t));
        const note = trialNote(t);
        if (note) parts.push(note);
        if (best.best?.number === t.number) parts.push(c.green("(best so far)"));
      }
      this.out.write(`${parts.filter((p) => p !== "").join(" ")}\n`);
    }
  }

  finish(exp: ExperimentView, trials: readonly TrialView[], best: BestView): void {
    this.update(exp, trials, best);
    this.out.write(`${this.time()} experiment ${exp.name} ${exp.state}${exp.reason ? ` (${exp.reason})` : ""}\n\n`);
    this.out.write(`${renderStatus(exp, trials, best, this.colors, this.now())}`);
  }

  notice(text: string): void {
    this.out.write(`${this.time()} ${text}\n`);
  }

  abort(): void {}

  private time(): string {
    const d = new Date(this.now());
    const p = (n: number) => String(n).padStart(2, "0");
    return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
  }
}
