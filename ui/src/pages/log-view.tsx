/**
 * A task's log, streamed live over Server-Sent Events; follows the end unless the user
 * scrolls up. Keeps the last 5,000 lines.
 */
import { useEffect, useRef, useState } from "react";
import { getTaskLog, taskLogStreamUrl } from "../api/index.ts";
import { ErrorAlert } from "../components/ui.tsx";

const MAX_LINES = 5000;

/** The log of one task. */
export function LogView(props: { runId: string; taskId: string; live: boolean }): React.JSX.Element {
  const [lines, setLines] = useState<string[]>([]);
  const [status, setStatus] = useState<"connecting" | "streaming" | "ended">("connecting");
  const [error, setError] = useState<unknown>();
  const [follow, setFollow] = useState(true);
  const box = useRef<HTMLPreElement>(null);

  useEffect(() => {
    setLines([]);
    setStatus("connecting");
    setError(undefined);
    const source = new EventSource(taskLogStreamUrl(props.runId, props.taskId));
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
        {lines.length === 0
          ? status === "ended"
            ? "This task wrote no log output."
            : "Waiting for output…"
          : lines.join("\n")}
      </pre>
    </div>
  );
}
