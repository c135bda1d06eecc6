/**
 * `--json`: one JSON object per line, the engine's events as they come, then a final
 * `{"type":"summary", ...}` line holding the {@link RunSummary}.
 */
import type { EngineEvent, RunSummary } from "../../engine/index.ts";
import type { OutputStream, ProgressView } from "./view.ts";

/** A view that prints events and the summary as JSON lines. */
export class JsonView implements ProgressView {
  constructor(private readonly out: OutputStream) {}

  onEvent(event: EngineEvent): void {
    this.out.write(`${JSON.stringify(event)}\n`);
  }

  finish(summary: RunSummary): void {
    this.out.write(`${JSON.stringify({ type: "summary", ...summary })}\n`);
  }
}
