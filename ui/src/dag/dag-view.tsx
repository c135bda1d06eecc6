/**
 * The interactive DAG as SVG: pan (drag, arrow keys) and zoom (wheel, buttons, +/-), fit
 * to the canvas, and keyboard selection. Pan and zoom change one transform directly, so a
 * 500-task graph is not re-rendered while moving; the layout is recomputed only when
 * tasks are added or groups toggled, not when states change.
 */
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import { GroupContent, type Handlers } from "./dag-nodes.tsx";
import { layoutTree } from "./layout.ts";
import type { DagNode, DagTree } from "./model.ts";

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
