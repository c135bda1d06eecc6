/**
 * A task's log, streamed live over Server-Sent Events from the moment the tab opens (the
 * stream is open before the first line, and says so); follows the end unless the user
 * scrolls up. The first line that reads as an error is highlighted, and a finished log
 * opens scrolled to it. Keeps the last 5,000 lines.
 */
import { useEffect, useMemo, useRef, useState } from "react";
import { getTaskLog, taskLogStreamUrl } from "../api/index.ts";
import { ErrorAlert } from "../components/ui.tsx";

const MAX_LINES = 5000;

/** A line that reads as an error: what a finished log opens scrolled to. */
const ERROR_LINE = /\b(error|exception|traceback|fatal|panic|failed)\b/i;

/** The index of the first error line, or -1. */
export function firstErrorLine(lines: readonly string[]): number {
  return lines.findIndex((l) => ERROR_LINE.test(l));
}

/** The log of one task. */
export function LogView(props: { runId: string; taskId: string; live: boolean }): React.JSX.Element {
  const [lines, setLines] = useState<string[]>([]);
  const [status, setStatus] = useState<"connecting" | "streaming" | "ended">("connecting");
  const [error, setError] = useState<unknown>();
  const [follow, setFollow] = useState(true);
  const box = useRef<HTMLPreElement>(null);
  const mark = useRef<HTMLElement>(null);
  const jumped = useRef(false);
  const errorAt = useMemo(() => firstErrorLine(lines), [lines]);

  useEffect(() => {
    setLines([]);
    setStatus("connecting");
    setError(undefined);
    jumped.current = false;
    const source = new EventSource(taskLogStreamUrl(props.runId, props.taskId));
    source.onopen = () => setStatus((s) => (s === "connecting" ? "streaming" : s));
    let buffer: string[] = [];
    let frame = 0;
    let ended = false;
    const flush = (): void => {
      frame = 0;
      const chunk = buffer;
      buffer = [];
      setLines((l) => {
        const next = l.concat(chunk);
        return next.length > MAX_LINES ? next.slice(-MAX_LINES) : next;
      });
    };
    source.addEventListener("log", (e) => {
      const data = JSON.parse((e as MessageEvent<string>).data) as { line: string };
      buffer.push(data.line);
      setStatus("streaming");
      if (!frame) frame = requestAnimationFrame(flush);
    });
    source.addEventListener("end", () => {
      ended = true;
      source.close();
      if (frame) cancelAnimationFrame(frame);
      flush();
      setStatus("ended");
    });
    source.onerror = () => {
      if (!ended) {
        source.close();
        getTaskLog(props.runId, props.taskId)
          .then((r) => {
            setLines(r.lines);
            setStatus("ended");
          })
          .catch(setError);
      }
    };
    return () => {
      source.close();
      if (frame) cancelAnimationFrame(frame);
    };
  }, [props.runId, props.taskId]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: scroll when lines arrive
  useEffect(() => {
    const el = box.current;
    if (el && follow) el.scrollTop = el.scrollHeight;
  }, [lines, follow]);

  // a finished log opens at its first error line, once
  useEffect(() => {
    const el = box.current;
    if (jumped.current || status !== "ended" || errorAt < 0 || !el || !mark.current) return;
    jumped.current = true;
    el.scrollTop += mark.current.getBoundingClientRect().top - el.getBoundingClientRect().top - el.clientHeight / 3;
    setFollow(false);
  }, [status, errorAt]);

  const onScroll = (): void => {
    const el = box.current;
    if (!el) return;
    const atEnd = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
    if (atEnd !== follow) setFollow(atEnd);
  };

  return (
    <div className="log-view">
      <div className="toolbar small" style={{ marginBottom: 8 }}>
        <span
          className={`badge ${status === "streaming" ? "state-RUNNING" : status === "ended" ? "state-SUCCEEDED" : "state-PENDING"}`}
        >
          {status === "streaming" ? "Live" : status === "ended" ? "Complete" : "Connecting"}
        </span>
        <span className="muted">{lines.length.toLocaleString()} lines</span>
        <span className="grow" />
        <label className="row">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> Follow
        </label>
      </div>
      {error ? <ErrorAlert error={error} /> : null}
      <pre className="log" ref={box} onScroll={onScroll} data-testid="task-log" aria-live="off">
        {lines.length === 0 ? (
          <span>{status === "ended" ? "This task wrote no log output." : "Waiting for output…"}</span>
        ) : (
          <>
            <span key="before">{errorAt < 0 ? lines.join("\n") : lines.slice(0, errorAt).join("\n")}</span>
            {errorAt < 0 ? null : (
              <>
                {errorAt > 0 ? "\n" : null}
                <mark key="error" className="log-error-line" ref={mark} data-testid="first-error-line">
                  {lines[errorAt]}
                </mark>
                {errorAt < lines.length - 1 ? (
                  <span key="after">{`\n${lines.slice(errorAt + 1).join("\n")}`}</span>
                ) : null}
              </>
            )}
          </>
        )}
      </pre>
    </div>
  );
}
