/** Small line icons (16 px, currentColor) for navigation and states. */

const PATHS: Record<string, string> = {
  runs: "M3 4h10M3 8h10M3 12h6",
  experiments: "M6 2v4L3 13h10L10 6V2M5 2h6",
  pipelines: "M4 3.5a1.5 1.5 0 1 0 0 .01M12 12.5a1.5 1.5 0 1 0 0 .01M4 5v3a2 2 0 0 0 2 2h4a2 2 0 0 1 2 2",
  recurring: "M13 8a5 5 0 1 1-1.5-3.5M13 2v3h-3",
  artifacts: "M3 5l5-3 5 3v6l-5 3-5-3zM3 5l5 3 5-3M8 8v6",
  lineage: "M3 8h3M10 8h3M6 5h4v6H6z",
  models: "M8 2l5 3v6l-5 3-5-3V5zM8 8l5-3M8 8v6M8 8L3 5M5.5 3.5l5 3",
  tuning: "M3 3v10M8 3v10M13 3v10M1.5 10h3M6.5 5h3M11.5 8h3",
  docs: "M4 2h6l3 3v9H4zM10 2v3h3",
  menu: "M2 4h12M2 8h12M2 12h12",
};

/** An icon by name. */
export function Icon({ name }: { name: keyof typeof PATHS | string }): React.JSX.Element {
  return (
    <svg
      width="16"
      height="16"
      viewBox="0 0 16 16"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.5"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
    >
      <path d={PATHS[name] ?? ""} />
    </svg>
  );
}

/** A one-character glyph for a state, shown on DAG cards. */
export function stateGlyph(state: string): string {
  return (
    {
      SUCCEEDED: "✓",
      FAILED: "✕",
      RUNNING: "●",
      CACHED: "↺",
      SKIPPED: "–",
      CANCELED: "⊘",
      CANCELING: "⊘",
      PENDING: "○",
    }[state] ?? ""
  );
}
