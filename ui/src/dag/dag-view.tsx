/**
 * The DAG as SVG: task cards coloured by state, sub-DAG boxes for conditions and loop
 * iterations, collapsed loops with their count, pan (drag) and zoom (wheel, buttons), and
 * keyboard selection. Pan and zoom change one transform directly, so a 500-task graph is
 * not re-rendered while moving.
 */
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import { stateGlyph } from "../components/icons.tsx";
import { durationBetween, formatDuration } from "../format.ts";
import { GROUP_HEADER, GROUP_PAD, type LaidGroup, type LaidNode, layoutTree } from "./layout.ts";
import { type DagNode, type DagTree, GROUP_KINDS } from "./model.ts";

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
  if (n.kind === "loop") return `Loop · ${n.children.length} iteration${n.children.length === 1 ? "" : "s"}`;
  if (n.kind === "iteration") return `Iteration ${/(\d+)$/.exec(n.path)?.[1] ?? ""}`;
  if (n.kind === "condition") return `Condition · ${n.label}`;
  if (n.kind === "exit-handler") return `Exit handler · ${n.label}`;
  return `Sub-DAG · ${n.label}`;
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

interface Handlers {
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
        {label.length > 24 ? `${label.slice(0, 23)}…` : label}
      </text>
      {group ? null : (
        <text x={laid.w - 14} y={23} className="dag-glyph" textAnchor="end">
          {stateGlyph(n.state)}
        </text>
      )}
      <text x={16} y={42} className="dag-sub">
        {group ? (n.children.length === 0 ? "no tasks yet" : "click to expand") : subline(n)}
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

function GroupContent({ group, h }: { group: LaidGroup; h: Handlers }): React.JSX.Element {
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

/** A string that changes only when nodes or edges are added or removed. */
export function structureKey(tree: DagTree): string {
  const parts: string[] = [];
  const walk = (nodes: DagNode[]): void => {
    for (const n of nodes) {
      parts.push(n.id);
      if (n.children.length > 0) {
        parts.push("(");
        walk(n.children);
        parts.push(")");
      }
    }
  };
  walk(tree.roots);
  for (const [parent, edges] of tree.edges) parts.push(`${parent}:${edges.length}`);
  return parts.join(",");
}

function indexNodes(nodes: DagNode[], into = new Map<string, DagNode>()): Map<string, DagNode> {
  for (const n of nodes) {
    into.set(n.id, n);
    indexNodes(n.children, into);
  }
  return into;
}

/** The interactive DAG. `onLayout` reports when the first layout is on screen (benchmarks). */
export function DagView(props: {
  tree: DagTree;
  selected?: string | undefined;
  onSelect: (id: string) => void;
  height?: number | string;
  onLayout?: (nodes: number) => void;
}): React.JSX.Element {
  const [toggled, setToggled] = useState<Set<string>>(new Set());
  const key = structureKey(props.tree);
  const treeRef = useRef(props.tree);
  treeRef.current = props.tree;
  // biome-ignore lint/correctness/useExhaustiveDependencies: re-layout only when the structure changes
  const layout = useMemo(() => layoutTree(treeRef.current, toggled), [key, toggled]);
  const current = useMemo(() => indexNodes(props.tree.roots), [props.tree]);
  const svgRef = useRef<SVGSVGElement>(null);
  const viewRef = useRef<SVGGElement>(null);
  const view = useRef({ x: 20, y: 20, k: 1 });
  const fitted = useRef(false);
  const touched = useRef(false);
  const apply = useCallback(() => {
    const v = view.current;
    viewRef.current?.setAttribute("transform", `translate(${v.x},${v.y}) scale(${v.k})`);
  }, []);

  const fitView = useCallback(() => {
    const svg = svgRef.current;
    if (!svg) return;
    const { width, height } = svg.getBoundingClientRect();
    if (layout.w === 0 || width === 0) return;
    const k = Math.min(1, Math.max(0.15, Math.min((width - 40) / layout.w, (height - 40) / layout.h)));
    view.current = { k, x: (width - layout.w * k) / 2, y: Math.max(20, (height - layout.h * k) / 2) };
    apply();
  }, [layout, apply]);

  useLayoutEffect(() => {
    if ((!fitted.current || !touched.current) && layout.w > 0) {
      fitted.current = true;
      fitView();
    } else apply();
  }, [layout, fitView, apply]);

  // keep the graph fitted when the canvas changes size, until the user pans or zooms
  useEffect(() => {
    const svg = svgRef.current;
    if (!svg || typeof ResizeObserver === "undefined") return;
    const ro = new ResizeObserver(() => {
      if (!touched.current) fitView();
    });
    ro.observe(svg);
    return () => ro.disconnect();
  }, [fitView]);

  const { onLayout } = props;
  useEffect(() => {
    onLayout?.(layout.nodes.length);
  }, [layout, onLayout]);

  const zoomBy = (f: number, cx?: number, cy?: number): void => {
    const svg = svgRef.current;
    if (!svg) return;
    const r = svg.getBoundingClientRect();
    const px = cx ?? r.width / 2;
    const py = cy ?? r.height / 2;
    touched.current = true;
    const v = view.current;
    const k = Math.min(3, Math.max(0.08, v.k * f));
    view.current = { k, x: px - ((px - v.x) * k) / v.k, y: py - ((py - v.y) * k) / v.k };
    apply();
  };

  useEffect(() => {
    const svg = svgRef.current;
    if (!svg) return;
    const wheel = (e: WheelEvent): void => {
      e.preventDefault();
      const r = svg.getBoundingClientRect();
      zoomBy(Math.exp(-e.deltaY * 0.0015), e.clientX - r.left, e.clientY - r.top);
    };
    svg.addEventListener("wheel", wheel, { passive: false });
    return () => svg.removeEventListener("wheel", wheel);
  });

  const drag = useRef<{ x: number; y: number; moved: boolean } | undefined>(undefined);
  const down = (e: React.PointerEvent): void => {
    if (e.button !== 0) return;
    drag.current = { x: e.clientX, y: e.clientY, moved: false };
  };
  const move = (e: React.PointerEvent): void => {
    const d = drag.current;
    if (!d) return;
    const dx = e.clientX - d.x;
    const dy = e.clientY - d.y;
    if (!d.moved && Math.abs(dx) + Math.abs(dy) < 4) return;
    if (!d.moved) svgRef.current?.setPointerCapture(e.pointerId);
    d.moved = true;
    touched.current = true;
    view.current.x += dx;
    view.current.y += dy;
    d.x = e.clientX;
    d.y = e.clientY;
    apply();
  };
  const up = (e: React.PointerEvent): void => {
    if (drag.current?.moved) svgRef.current?.releasePointerCapture(e.pointerId);
    drag.current = undefined;
  };
  const keys = (e: React.KeyboardEvent): void => {
    const step = 60;
    const map: Record<string, [number, number]> = {
      ArrowLeft: [step, 0],
      ArrowRight: [-step, 0],
      ArrowUp: [0, step],
      ArrowDown: [0, -step],
    };
    const m = map[e.key];
    if (m && e.target === svgRef.current) {
      e.preventDefault();
      touched.current = true;
      view.current.x += m[0];
      view.current.y += m[1];
      apply();
    } else if (e.key === "+" || e.key === "=") zoomBy(1.2);
    else if (e.key === "-") zoomBy(1 / 1.2);
    else if (e.key === "0") fitView();
  };

  const handlers: Handlers = {
    current,
    selected: props.selected,
    onSelect: props.onSelect,
    onToggle: (id) =>
      setToggled((t) => {
        const n = new Set(t);
        if (n.has(id)) n.delete(id);
        else n.add(id);
        return n;
      }),
  };

  return (
    <div className="dag-wrap" style={{ height: props.height ?? 520 }}>
      <div className="dag-controls">
        <button type="button" className="btn btn-sm" onClick={() => zoomBy(1.2)} aria-label="Zoom in">
          +
        </button>
        <button type="button" className="btn btn-sm" onClick={() => zoomBy(1 / 1.2)} aria-label="Zoom out">
          −
        </button>
        <button
          type="button"
          className="btn btn-sm"
          onClick={() => {
            touched.current = false;
            fitView();
          }}
        >
          Fit
        </button>
      </div>
      <svg
        ref={svgRef}
        className="dag-svg"
        role="application"
        aria-roledescription="graph"
        aria-label={`Pipeline graph with ${props.tree.count} tasks. Arrow keys pan, plus and minus zoom, 0 fits.`}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: the canvas takes focus to pan and zoom with keys
        tabIndex={0}
        onPointerDown={down}
        onPointerMove={move}
        onPointerUp={up}
        onPointerCancel={up}
        onKeyDown={keys}
        data-testid="dag"
      >
        <defs>
          <marker
            id="dag-arrow"
            viewBox="0 0 10 10"
            refX="9"
            refY="5"
            markerWidth="7"
            markerHeight="7"
            orient="auto-start-reverse"
          >
            <path d="M0,0 L10,5 L0,10 z" className="dag-arrow" />
          </marker>
        </defs>
        <g ref={viewRef}>
          <GroupContent group={layout} h={handlers} />
        </g>
      </svg>
    </div>
  );
}
