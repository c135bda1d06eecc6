/**
 * A frame of lines redrawn in place in a terminal (ANSI): at most every 100 ms after a
 * change, and once a second while it lives; the cursor is hidden meanwhile. `weft run`'s
 * task tree (`tty-view.ts`) and `weft tune`'s trials table (`tune-view.ts`) are frames.
 */
import { stripAnsi } from "../format.ts";
import type { OutputStream } from "./view.ts";

const THROTTLE_MS = 100;

export abstract class LiveFrame {
  private drawnLines = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly ticker: NodeJS.Timeout;
  private lastDraw = 0;
  private finished = false;

  constructor(
    protected readonly out: OutputStream,
    protected readonly now: () => number,
  ) {
    this.out.write("\x1b[?25l");
    this.ticker = setInterval(() => this.draw(), 1000);
    this.ticker.unref();
  }

  /** The lines of the current frame. */
  abstract render(): string[];

  /** Text to print once above the frame at the next draw (lines that scroll and stay); default none. */
  protected takeAbove(): string {
    return "";
  }

  /** Whether there is anything to draw yet; default true. */
  protected ready(): boolean {
    return true;
  }

  /** Redraws soon: at most every 100 ms. */
  protected schedule(): void {
    if (this.timer || this.finished) return;
    const wait = Math.max(0, THROTTLE_MS - (this.now() - this.lastDraw));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.draw();
    }, wait);
  }

  /** Draws the last frame, shows the cursor again and writes `text` below. */
  protected end(text: string): void {
    this.finished = true;
    this.stopTimers();
    this.draw(true);
    this.out.write(`\x1b[?25h\n${text}`);
  }

  /** Restores the cursor without a last frame (the process is ending abnormally). */
  abort(): void {
    this.stopTimers();
    this.out.write("\x1b[?25h\n");
  }

  private stopTimers(): void {
    clearInterval(this.ticker);
    if (this.timer) clearTimeout(this.timer);
  }

  private draw(final = false): void {
    if ((this.finished && !final) || !this.ready()) return;
    this.lastDraw = this.now();
    const lines = this.render();
    const up = this.drawnLines > 0 ? `\x1b[${this.drawnLines}F` : "";
    this.out.write(`${up}\x1b[0J${this.takeAbove()}${lines.join("\n")}\n`);
    this.drawnLines = lines.length;
  }
}

/** `line` cut to `width` visible characters (colours dropped when it is cut). */
export function truncateLine(line: string, width: number): string {
  const plain = stripAnsi(line);
  if (plain.length <= width) return line;
  return `${plain.slice(0, width - 1)}…`;
}
