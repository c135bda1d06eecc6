/** Badges of the model pages: aliases (each linking to its version), stage and status. */
import { Link } from "../router.tsx";
import type { AliasBadge } from "./models-shape.ts";

const enc = encodeURIComponent;

/** `@champion v3` badges; each opens the version the alias points at. */
export function AliasBadges(props: { name: string; aliases: AliasBadge[]; showVersion?: boolean }): React.JSX.Element {
  if (props.aliases.length === 0) return <span className="muted">—</span>;
  return (
    <span className="alias-badges">
      {props.aliases.map((a) => (
        <Link
          key={a.alias}
          to={`/models/${enc(props.name)}/versions/${enc(a.version)}`}
          className={`badge plain alias alias-${a.alias === "champion" || a.alias === "challenger" ? a.alias : "other"}`}
          data-alias={a.alias}
          title={`@${a.alias} points at version ${a.version}`}
        >
          @{a.alias}
          {props.showVersion === false ? null : <span className="alias-version">v{a.version}</span>}
        </Link>
      ))}
    </span>
  );
}

/** A legacy MLflow stage (None, Staging, Production, Archived). */
export function StageBadge({ stage }: { stage: string | undefined }): React.JSX.Element {
  const s = stage || "None";
  return (
    <span className={`badge plain stage stage-${s.toLowerCase()}`} data-stage={s}>
      {s}
    </span>
  );
}

/** A version's registration status: READY, PENDING_REGISTRATION or FAILED_REGISTRATION. */
export function VersionStatus({
  status,
  message,
}: {
  status: string | undefined;
  message?: string | undefined;
}): React.JSX.Element {
  const s = status || "UNKNOWN";
  const state =
    s === "READY"
      ? "SUCCEEDED"
      : s === "FAILED_REGISTRATION"
        ? "FAILED"
        : s === "PENDING_REGISTRATION"
          ? "PENDING"
          : "UNKNOWN";
  const label =
    s === "READY" ? "Ready" : s === "FAILED_REGISTRATION" ? "Failed" : s === "PENDING_REGISTRATION" ? "Pending" : s;
  return (
    <span className={`badge state-${state}`} data-status={s} title={message || s}>
      {label}
    </span>
  );
}
