/** Small building blocks of the design system: badges, alerts, loading, headers, tabs. */
import type { ReactNode } from "react";
import { describeError } from "../api/index.ts";

/** A coloured run/task/trial state, e.g. SUCCEEDED in green (EARLY_STOPPED reads `Early stopped`). */
export function StateBadge({ state }: { state: string | undefined }): React.JSX.Element {
  const s = state && state !== "RUNTIME_STATE_UNSPECIFIED" ? state : "UNKNOWN";
  const label = s.charAt(0) + s.slice(1).toLowerCase().replaceAll("_", " ");
  return (
    <span className={`badge state-${s}`} data-state={s}>
      {label}
    </span>
  );
}

/** A server or network error in words: a heading and the explanation. */
export function ErrorAlert({ error, onRetry }: { error: unknown; onRetry?: () => void }): React.JSX.Element {
  const { title, message } = describeError(error);
  return (
    <div className="alert" role="alert">
      <strong>{title}</strong>
      <span>{message}</span>
      {onRetry ? (
        <div style={{ marginTop: 8 }}>
          <button type="button" className="btn btn-sm" onClick={onRetry}>
            Try again
          </button>
        </div>
      ) : null}
    </div>
  );
}

/** A spinner with a label for screen readers. */
export function Loading({ label = "Loading" }: { label?: string }): React.JSX.Element {
  return (
    <div className="row muted" role="status">
      <span className="spinner" aria-hidden="true" />
      <span>{label}…</span>
    </div>
  );
}

/** The heading block of a page. */
export function PageHeader(props: {
  title: ReactNode;
  subtitle?: ReactNode;
  crumbs?: ReactNode;
  actions?: ReactNode;
}): React.JSX.Element {
  return (
    <header className="page-header">
      <div>
        {props.crumbs ? (
          <nav className="breadcrumbs" aria-label="Breadcrumb">
            {props.crumbs}
          </nav>
        ) : null}
        <h1>{props.title}</h1>
        {props.subtitle ? <p>{props.subtitle}</p> : null}
      </div>
      {props.actions ? <div className="toolbar">{props.actions}</div> : null}
    </header>
  );
}

/** Accessible tabs (arrow keys move between them). */
export function Tabs<T extends string>(props: {
  tabs: Array<{ id: T; label: ReactNode }>;
  value: T;
  onChange: (id: T) => void;
  label: string;
}): React.JSX.Element {
  const keyDown = (e: React.KeyboardEvent, i: number): void => {
    const dir = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
    if (!dir) return;
    e.preventDefault();
    const next = props.tabs[(i + dir + props.tabs.length) % props.tabs.length];
    if (next) {
      props.onChange(next.id);
      const el = (e.currentTarget.parentElement?.children[(i + dir + props.tabs.length) % props.tabs.length] ??
        null) as HTMLElement | null;
      el?.focus();
    }
  };
  return (
    <div className="tabs" role="tablist" aria-label={props.label}>
      {props.tabs.map((t, i) => (
        <button
          key={t.id}
          type="button"
          role="tab"
          className="tab"
          aria-selected={t.id === props.value}
          tabIndex={t.id === props.value ? 0 : -1}
          onClick={() => props.onChange(t.id)}
          onKeyDown={(e) => keyDown(e, i)}
          data-tab={t.id}
        >
          {t.label}
        </button>
      ))}
    </div>
  );
}

/** A titled card. */
export function Card(props: {
  title?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
  className?: string;
}): React.JSX.Element {
  return (
    <section className={`card ${props.className ?? ""}`}>
      {props.title ? (
        <div className="card-title">
          <span className="grow">{props.title}</span>
          {props.actions}
        </div>
      ) : null}
      <div className="card-body">{props.children}</div>
    </section>
  );
}
