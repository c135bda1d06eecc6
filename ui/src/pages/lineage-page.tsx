/**
 * The lineage explorer, as Kubeflow's: artifacts and executions (tasks) as nodes, INPUT
 * edges from an artifact to the task that read it and OUTPUT edges from a task to what it
 * wrote, walked upstream and downstream from the selected node a number of executions
 * each way (in the URL: `?artifact=ID` or `?execution=ID`, `&up=N&down=N`), across runs.
 * A search finds the start by artifact name, id or URI.
 */
import { useState } from "react";
import { getLineageGraph, type LineageGraph, type LineageNode, searchArtifacts } from "../api/index.ts";
import { Card, ErrorAlert, Loading, PageHeader, StateBadge } from "../components/ui.tsx";
import { useAsync } from "../components/use-async.ts";
import { formatBytes, formatTime } from "../format.ts";
import { LINEAGE_NODE_H, LINEAGE_NODE_W, layoutLineage } from "../lineage/layout.ts";
import { Link, navigate } from "../router.tsx";

const enc = encodeURIComponent;
const MAX_HOPS = 10;
const DEFAULT_HOPS = 2;

function hops(text: string | null): number {
  const n = Number(text);
  return text !== null && Number.isInteger(n) && n >= 0 && n <= MAX_HOPS ? n : DEFAULT_HOPS;
}

function lineageUrl(start: { artifact?: string; execution?: string }, up: number, down: number): string {
  const q = new URLSearchParams();
  if (start.artifact) q.set("artifact", start.artifact);
  if (start.execution) q.set("execution", start.execution);
  q.set("up", String(up));
  q.set("down", String(down));
  return `/lineage?${q.toString()}`;
}

function nodeLabel(n: LineageNode): { title: string; sub: string } {
  if (n.kind === "artifact" && n.artifact) {
    return { title: n.artifact.name, sub: n.artifact.schema_title.replace(/^system\./, "") };
  }
  const e = n.execution;
  return { title: e?.name ?? n.id, sub: e ? `${e.state.toLowerCase()} · ${e.run_name ?? e.run_id.slice(0, 8)}` : "" };
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function Search({ initial }: { initial: string }): React.JSX.Element {
  const [text, setText] = useState(initial);
  const [q, setQ] = useState(initial);
  const found = useAsync(async (signal) => (q.trim() ? searchArtifacts(q.trim(), signal) : undefined), [q]);
  return (
    <>
      <form
        className="toolbar"
        aria-label="Find an artifact"
        onSubmit={(e) => {
          e.preventDefault();
          setQ(text);
        }}
      >
        <input
          className="input"
          style={{ width: 420 }}
          placeholder="Artifact name, ID or URI"
          aria-label="Search artifacts by name, ID or URI"
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
        <button type="submit" className="btn btn-primary">
          Search
        </button>
      </form>
      {found.error ? <ErrorAlert error={found.error} /> : null}
      {found.data ? (
        found.data.artifacts.length === 0 ? (
          <p className="muted">No artifact has that name, ID or URI.</p>
        ) : (
          <ul className="plain-list" data-testid="lineage-search-results">
            {found.data.artifacts.map((a) => (
              <li key={a.artifact_id}>
                <Link to={lineageUrl({ artifact: a.artifact_id }, DEFAULT_HOPS, DEFAULT_HOPS)}>{a.name}</Link>{" "}
                <span className="chip">{a.schema_title.replace(/^system\./, "")}</span>{" "}
                <span className="small muted">
                  {a.task?.replace(/^root\//, "") ?? ""} in run {a.run_name ?? a.run_id} · {formatTime(a.created_at)}
                </span>
              </li>
            ))}
          </ul>
        )
      ) : null}
    </>
  );
}

function Details({ node, up, down }: { node: LineageNode; up: number; down: number }): React.JSX.Element {
  const a = node.artifact;
  const e = node.execution;
  return (
    <Card title={a ? `Artifact ${a.name}` : `Execution ${e?.name ?? ""}`}>
      <div data-testid="lineage-details">
        {a ? (
          <dl className="kv">
            <dt>Type</dt>
            <dd>{a.schema_title}</dd>
            <dt>URI</dt>
            <dd>
              <code className="small">{a.uri}</code>
            </dd>
            <dt>Size</dt>
            <dd>{formatBytes(a.size_bytes)}</dd>
            <dt>Created</dt>
            <dd>{formatTime(a.created_at)}</dd>
            <dt>Run</dt>
            <dd>
              <Link to={`/runs/${enc(a.run_id)}?task=${enc(a.task_id)}`}>{a.run_id}</Link>
            </dd>
          </dl>
        ) : null}
        {e ? (
          <dl className="kv">
            <dt>Task</dt>
            <dd>{e.task.replace(/^root\//, "")}</dd>
            <dt>State</dt>
            <dd>
              <StateBadge state={e.state} />
            </dd>
            <dt>Run</dt>
            <dd>
              <Link to={`/runs/${enc(e.run_id)}?task=${enc(e.task_id)}`}>{e.run_name ?? e.run_id}</Link>
            </dd>
          </dl>
        ) : null}
        <div className="toolbar">
          <Link
            className="btn btn-sm btn-primary"
            to={lineageUrl(a ? { artifact: a.artifact_id } : { execution: e?.task_id ?? "" }, up, down)}
          >
            Show lineage from here
          </Link>
          {a ? (
            <Link className="btn btn-sm" to={`/artifacts/${enc(a.artifact_id)}`}>
              Open artifact
            </Link>
          ) : null}
        </div>
      </div>
    </Card>
  );
}

function Graph(props: {
  graph: LineageGraph;
  selected: string | undefined;
  onSelect: (id: string) => void;
}): React.JSX.Element {
  const { graph, selected, onSelect } = props;
  const laid = layoutLineage(graph);
  return (
    <div className="dag-wrap lineage-graph">
      <svg
        className="lineage-svg"
        viewBox={`0 0 ${laid.w} ${laid.h}`}
        // fit the width down to half the natural size, then scroll
        style={{ width: "100%", maxWidth: laid.w, minWidth: Math.round(laid.w * 0.5), height: "auto" }}
        role="img"
        aria-label={`Lineage graph: ${graph.nodes.length} nodes, ${graph.edges.length} edges`}
        data-testid="lineage-graph"
      >
        <defs>
          <marker
            id="lineage-arrow"
            viewBox="0 0 10 10"
            refX="9"
            refY="5"
            markerWidth="7"
            markerHeight="7"
            orient="auto"
          >
            <path d="M0,0 L10,5 L0,10 z" className="dag-arrow" />
          </marker>
        </defs>
        {laid.edges.map((e) => (
          <path
            key={e.key}
            className={`dag-edge lineage-edge-${e.type.toLowerCase()}`}
            d={e.points.map((p, i) => `${i === 0 ? "M" : "L"}${p.x},${p.y}`).join(" ")}
            markerEnd="url(#lineage-arrow)"
          >
            <title>{`${e.type} ${e.name}`}</title>
          </path>
        ))}
        {laid.nodes.map(({ node, x, y }) => {
          const { title, sub } = nodeLabel(node);
          const isRoot = node.id === graph.root;
          const cls = [
            "lineage-node",
            `lineage-${node.kind}`,
            isRoot ? "lineage-root" : "",
            node.id === selected ? "lineage-selected" : "",
          ].join(" ");
          return (
            // biome-ignore lint/a11y/useSemanticElements: an SVG node cannot be a <button>
            <g
              key={node.id}
              className={cls}
              transform={`translate(${x},${y})`}
              role="button"
              tabIndex={0}
              aria-label={`${node.kind} ${title}`}
              data-node={node.id}
              data-kind={node.kind}
              data-hop={node.hop}
              onClick={() => onSelect(node.id)}
              onKeyDown={(ev) => {
                if (ev.key === "Enter" || ev.key === " ") {
                  ev.preventDefault();
                  onSelect(node.id);
                }
              }}
            >
              <rect width={LINEAGE_NODE_W} height={LINEAGE_NODE_H} rx={node.kind === "artifact" ? 4 : 16} />
              <text x={12} y={21} className="lineage-title">
                {clip(title, 24)}
              </text>
              <text x={12} y={38} className="lineage-sub">
                {clip(sub, 30)}
              </text>
              {node.more ? (
                <text x={LINEAGE_NODE_W - 16} y={20} className="lineage-more">
                  +<title>More lineage beyond this node: expand</title>
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
    </div>
  );
}

function Explorer(props: {
  start: { artifact?: string; execution?: string };
  up: number;
  down: number;
}): React.JSX.Element {
  const { start, up, down } = props;
  const [selected, setSelected] = useState<string | undefined>();
  const graph = useAsync(
    (signal) =>
      getLineageGraph(
        start.artifact ? { artifactId: start.artifact } : { executionId: start.execution ?? "" },
        up,
        down,
        signal,
      ),
    [start.artifact, start.execution, up, down],
  );
  const g = graph.data;
  const chosen = g?.nodes.find((n) => n.id === (selected ?? g.root));
  const moreUp = g?.nodes.some((n) => n.more && n.hop <= 0) ?? false;
  const moreDown = g?.nodes.some((n) => n.more && n.hop >= 0) ?? false;
  return (
    <>
      <div className="toolbar" data-testid="lineage-controls">
        <button
          type="button"
          className="btn btn-sm"
          disabled={up >= MAX_HOPS || !moreUp}
          onClick={() => navigate(lineageUrl(start, up + 1, down), { replace: true })}
        >
          ← Expand upstream
        </button>
        <span className="small muted">
          {up} upstream · {down} downstream
        </span>
        <button
          type="button"
          className="btn btn-sm"
          disabled={down >= MAX_HOPS || !moreDown}
          onClick={() => navigate(lineageUrl(start, up, down + 1), { replace: true })}
        >
          Expand downstream →
        </button>
        {g ? (
          <span className="small muted" data-testid="lineage-count">
            {g.nodes.filter((n) => n.kind === "artifact").length} artifacts ·{" "}
            {g.nodes.filter((n) => n.kind === "execution").length} executions
            {g.truncated ? " (truncated: too many nodes)" : ""}
          </span>
        ) : null}
      </div>
      {graph.error ? <ErrorAlert error={graph.error} onRetry={graph.reload} /> : null}
      {graph.loading && !g ? <Loading /> : null}
      {g ? (
        <div className="lineage-layout">
          <Graph graph={g} selected={chosen?.id} onSelect={setSelected} />
          {chosen ? <Details node={chosen} up={up} down={down} /> : null}
        </div>
      ) : null}
    </>
  );
}

/** The page. */
export function LineagePage({ query }: { query: URLSearchParams }): React.JSX.Element {
  const artifact = query.get("artifact") ?? undefined;
  const execution = query.get("execution") ?? undefined;
  const up = hops(query.get("up"));
  const down = hops(query.get("down"));
  const start = artifact ? { artifact } : execution ? { execution } : undefined;
  return (
    <div className="page">
      <PageHeader
        title="Lineage"
        subtitle="Artifacts and the executions that made and read them, several steps upstream and downstream, across runs. Find an artifact by name, ID or URI; select a node to see it, and show the lineage from there."
      />
      <Search initial="" />
      {start ? (
        <Explorer key={`${artifact ?? ""}|${execution ?? ""}`} start={start} up={up} down={down} />
      ) : (
        <p className="muted">Search for an artifact, or open one from the Artifacts page.</p>
      )}
    </div>
  );
}
