/**
 * What the DAG canvas draws: task cards coloured by state, collapsed group cards (loops
 * with their iteration count), expanded group boxes with their own nodes, and edges.
 */
import { stateGlyph } from "../components/icons.tsx";
import { durationBetween, formatDuration } from "../format.ts";
import { GROUP_HEADER, GROUP_PAD, type LaidGroup, type LaidNode } from "./layout.ts";
import { type DagNode, GROUP_KINDS } from "./model.ts";

function edgePath(points: Array<{ x: number; y: number }>): string {
  if (points.length === 0) return "";
  const [first, ...rest] = points;
  let d = `M${first?.x},${first?.y}`;
  for (let i = 0; i < rest.length - 1; i++) {
    const p = rest[i] as { x: number; y: number };
    const q = rest[i + 1] as { x: number; y: number };
    d += ` Q${p.x},${p.y} ${(p.x + q.x) / 2},${(p.y + q.y) / 2}`;
  }
  const last = rest.at(-1);
  if (last) d += ` L${last.x},${last.y}`;
  return d;
}

function kindLabel(n: DagNode): string {
  if (n.kind === "loop") {
    // a planned loop's children are its body: it counts its items, known or not
    if (n.planned)
      return n.iterations === undefined ? "Loop · × N" : `Loop · × ${n.iterations} item${plural(n.iterations)}`;
    return `Loop · ${n.iterations ?? 0} iteration${plural(n.iterations ?? 0)}`;
  }
  if (n.kind === "iteration") return `Iteration · ${n.label}`;
  if (n.kind === "condition") return n.label === "otherwise" ? "Otherwise" : `If · ${n.label}`;
  if (n.kind === "exit-handler") return `Exit handler · ${n.label}`;
  return `Sub-DAG · ${n.label}`;
}

function plural(n: number): string {
  return n === 1 ? "" : "s";
}

/** The title of a collapsed card: an iteration's item, a condition's expression, else its kind and name. */
function cardTitle(n: DagNode): string {
  if (n.kind === "iteration") return n.label;
  if (n.kind === "condition") return n.label === "otherwise" ? "otherwise" : `if ${n.label}`;
  return kindLabel(n);
}

function subline(n: DagNode): string {
  const parts: string[] = [];
  if (n.ghost) return "waiting";
  if (n.cached) parts.push("cache hit");
  const d = durationBetween(n.startedAt, n.finishedAt);
  if (d !== undefined && !n.cached) parts.push(formatDuration(d));
  if (n.attempt > 1) parts.push(`retry ${n.attempt - 1}`);
  if (parts.length === 0) parts.push(n.state ? n.state.toLowerCase() : n.kind);
  return parts.join(" · ");
}

/** What nodes need from the view: current states, the selection, and the actions. */
export interface Handlers {
  /** The current node of each id: states change every poll, the layout only when the structure does. */
  current: Map<string, DagNode>;
  selected: string | undefined;
  onSelect: (id: string) => void;
  onToggle: (id: string) => void;
}

function TaskCard({ laid, h }: { laid: LaidNode; h: Handlers }): React.JSX.Element {
  const n = h.current.get(laid.node.id) ?? laid.node;
  const group = GROUP_KINDS.has(n.kind);
  const sel = h.selected === n.id;
  const label = group ? kindLabel(n) : n.label;
  const title = group ? cardTitle(n) : n.label;
  const activate = (): void => (group ? h.onToggle(n.id) : h.onSelect(n.id));
  return (
    // biome-ignore lint/a11y/useSemanticElements: SVG has no <button>; the group acts as one
    <g
      transform={`translate(${laid.x},${laid.y})`}
      className={`dag-node state-${n.state || "NONE"}${sel ? " selected" : ""}${n.ghost ? " ghost" : ""}`}
      role="button"
      tabIndex={0}
      aria-label={`${label}, ${n.state ? n.state.toLowerCase() : n.kind}${group ? ", collapsed, press Enter to expand" : ""}`}
      aria-pressed={group ? undefined : sel}
      data-task={n.name}
      data-task-id={n.id}
      data-state={n.state}
      onClick={activate}
      onKeyDown={(e) => {
        if (e.key === "Enter" || e.key === " ") {
          e.preventDefault();
          activate();
        }
      }}
    >
      <title>{`${group ? kindLabel(n) : n.label} (${n.state ? n.state.toLowerCase() : n.kind})${n.error ? `: ${n.error}` : ""}`}</title>
      {group ? <rect className="dag-stack" x={6} y={6} width={laid.w - 6} height={laid.h - 6} rx={10} /> : null}
      <rect className="dag-card" width={group ? laid.w - 6 : laid.w} height={group ? laid.h - 6 : laid.h} rx={10} />
      <rect className="dag-stripe" width={5} height={group ? laid.h - 6 : laid.h} rx={2} />
      <text x={16} y={23} className="dag-title">
        {title.length > 24 ? `${title.slice(0, 23)}…` : title}
      </text>
      {group ? null : (
        <text x={laid.w - 14} y={23} className="dag-glyph" textAnchor="end">
          {stateGlyph(n.state)}
        </text>
      )}
      <text x={16} y={42} className="dag-sub">
        {group
          ? `${n.kind === "iteration" || n.kind === "condition" ? `${n.kind} · ` : ""}${n.children.length === 0 ? "no tasks yet" : "click to expand"}`
          : subline(n)}
      </text>
    </g>
  );
}

function Group({ laid, h }: { laid: LaidNode; h: Handlers }): React.JSX.Element {
  const n = h.current.get(laid.node.id) ?? laid.node;
  const inner = laid.inner as LaidGroup;
  return (
    <g
      transform={`translate(${laid.x},${laid.y})`}
      className={`dag-group kind-${n.kind} state-${n.state || "NONE"}`}
      data-group={n.name}
    >
      <rect className="dag-group-box" width={laid.w} height={laid.h} rx={12} />
      {/* biome-ignore lint/a11y/useSemanticElements: SVG has no <button>; the header acts as one */}
      <g
        className="dag-group-head"
        role="button"
        tabIndex={0}
        aria-expanded={true}
        aria-label={`${kindLabel(n)}, expanded, press Enter to collapse`}
        onClick={() => h.onToggle(n.id)}
        onKeyDown={(e) => {
          if (e.key === "Enter" || e.key === " ") {
            e.preventDefault();
            h.onToggle(n.id);
          }
        }}
      >
        <rect width={laid.w} height={GROUP_HEADER - 4} rx={12} fill="transparent" />
        <text x={GROUP_PAD} y={19} className="dag-group-title">
          {n.kind === "iteration" ? kindLabel(n) : `▾ ${kindLabel(n)}`}
        </text>
      </g>
      <g transform={`translate(${GROUP_PAD},${GROUP_HEADER})`}>
        <GroupContent group={inner} h={h} />
      </g>
    </g>
  );
}

/** The edges and nodes of one laid-out group. */
export function GroupContent({ group, h }: { group: LaidGroup; h: Handlers }): React.JSX.Element {
  return (
    <>
      {group.edges.map((e) => (
        <path key={e.key} d={edgePath(e.points)} className="dag-edge" markerEnd="url(#dag-arrow)" />
      ))}
      {group.nodes.map((l) =>
        l.inner && !l.collapsed ? (
          <Group key={l.node.id} laid={l} h={h} />
        ) : (
          <TaskCard key={l.node.id} laid={l} h={h} />
        ),
      )}
    </>
  );
}
