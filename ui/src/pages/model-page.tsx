/**
 * A registered model: its aliases, tags and description, its versions (status, stage,
 * aliases, the run that made each) with their metrics side by side, one column per metric,
 * and the history of its aliases (who moved which alias, when, from which version to which).
 * The model, its versions and the alias history load in one round; the versions' metrics
 * (Weft's record of each version) in a second, while the table already shows.
 */
import { useMemo } from "react";
import {
  getAliasHistory,
  getModel,
  getVersionRecord,
  type ModelVersionRecord,
  searchModelVersions,
} from "../api/index.ts";
import { Card, ErrorAlert, Loading, PageHeader } from "../components/ui.tsx";
import { useAsync } from "../components/use-async.ts";
import { formatNumber, formatRelative, formatTime } from "../format.ts";
import { Link } from "../router.tsx";
import { AliasBadges, StageBadge, VersionStatus } from "./model-badges.tsx";
import { aliasBadges, bestInColumn, historyRows, msToIso, versionTable } from "./models-shape.ts";

const enc = encodeURIComponent;

/** How many versions the page lists (newest first). */
export const MODEL_VERSIONS_SHOWN = 100;

/** The page of the model `name`. */
export function ModelPage({ name }: { name: string }): React.JSX.Element {
  const first = useAsync(
    async (signal) => {
      const [model, versions, history] = await Promise.all([
        getModel(name, signal),
        searchModelVersions(name, { maxResults: MODEL_VERSIONS_SHOWN }, signal),
        getAliasHistory(name, signal).then(
          (moves) => ({ moves, error: undefined as unknown }),
          (error: unknown) => ({ moves: [], error }),
        ),
      ]);
      return { model, versions, history };
    },
    [name],
  );
  const versionIds = first.data?.versions.items.map((v) => v.version) ?? [];
  const records = useAsync(
    async (signal) => {
      const out = new Map<string, ModelVersionRecord>();
      await Promise.all(
        versionIds.map((v) =>
          getVersionRecord(name, v, signal).then(
            (r) => out.set(v, r),
            () => undefined,
          ),
        ),
      );
      return out;
    },
    [name, versionIds.join(",")],
  );
  const table = useMemo(
    () =>
      first.data
        ? versionTable(first.data.model, first.data.versions.items, records.data ?? new Map())
        : { columns: [], rows: [] },
    [first.data, records.data],
  );
  const best = useMemo(() => bestInColumn(table.columns, table.rows), [table]);
  const crumbs = (
    <>
      <Link to="/models">Models</Link> / {name}
    </>
  );
  if (first.error && !first.data) {
    return (
      <div className="page">
        <PageHeader title={name} crumbs={crumbs} />
        <ErrorAlert error={first.error} onRetry={first.reload} />
      </div>
    );
  }
  if (!first.data) {
    return (
      <div className="page">
        <PageHeader title={name} crumbs={crumbs} />
        <Loading label="Loading the model" />
      </div>
    );
  }
  const { model, versions, history } = first.data;
  const tags = model.tags ?? [];
  const moves = historyRows(history.moves);
  return (
    <div className="page" data-testid="model-page">
      <PageHeader
        crumbs={crumbs}
        title={model.name}
        subtitle={
          <span className="row small">
            <AliasBadges name={model.name} aliases={aliasBadges(model.aliases)} />
            <span>Updated {formatRelative(msToIso(model.last_updated_timestamp))}</span>
            <span aria-hidden="true">·</span>
            <span>Created {formatTime(msToIso(model.creation_timestamp))}</span>
          </span>
        }
      />
      {model.description ? <p data-testid="model-description">{model.description}</p> : null}
      {tags.length > 0 ? (
        <p className="row small">
          <span className="muted">Tags</span>
          {tags.map((t) => (
            <span key={t.key} className="chip mono">
              {t.key}={t.value}
            </span>
          ))}
        </p>
      ) : null}
      <Card
        title={`Versions (${versions.items.length}${versions.nextPageToken ? "+" : ""})`}
        actions={
          records.loading && versionIds.length > 0 ? <span className="muted small">loading metrics…</span> : undefined
        }
      >
        {versions.items.length === 0 ? (
          <p className="muted">No versions yet.</p>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="model-versions">
              <thead>
                <tr>
                  <th>Version</th>
                  <th>Status</th>
                  <th>Stage</th>
                  <th>Aliases</th>
                  <th>Created</th>
                  <th>Run</th>
                  {table.columns.map((c) => (
                    <th key={c} className="num" data-metric-column={c}>
                      {c}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {table.rows.map((r) => (
                  <tr key={r.version} data-version-row={r.version}>
                    <td className="cell-time">
                      <Link to={`/models/${enc(name)}/versions/${enc(r.version)}`}>Version {r.version}</Link>
                    </td>
                    <td>
                      <VersionStatus status={r.status} />
                    </td>
                    <td>
                      <StageBadge stage={r.stage} />
                    </td>
                    <td>
                      <AliasBadges
                        name={name}
                        aliases={r.aliases.map((alias) => ({ alias, version: r.version }))}
                        showVersion={false}
                      />
                    </td>
                    <td className="cell-time">{formatTime(msToIso(r.createdAt))}</td>
                    <td className="cell-name" title={r.runId}>
                      {r.runId ? <Link to={`/runs/${enc(r.runId)}`}>{r.runName ?? r.runId.slice(0, 8)}</Link> : "—"}
                    </td>
                    {r.metrics.map((m, i) => (
                      <td
                        key={table.columns[i]}
                        className={`num${best[i]?.has(r.version) ? " best" : ""}`}
                        data-metric={table.columns[i]}
                        title={best[i]?.has(r.version) ? "best of these versions" : undefined}
                      >
                        {m === undefined ? "—" : formatNumber(m)}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {versions.nextPageToken ? (
          <p className="muted small">
            The newest {MODEL_VERSIONS_SHOWN} versions are shown; <code>weft models versions {name}</code> lists them
            all.
          </p>
        ) : null}
      </Card>
      <Card title="Alias history">
        {history.error ? <ErrorAlert error={history.error} /> : null}
        {moves.length === 0 && !history.error ? <p className="muted">No alias was ever set on this model.</p> : null}
        {moves.length > 0 ? (
          <div className="table-wrap">
            <table className="table" data-testid="alias-history">
              <thead>
                <tr>
                  <th>When</th>
                  <th>Alias</th>
                  <th>Change</th>
                  <th>From</th>
                  <th>To</th>
                  <th>Who</th>
                </tr>
              </thead>
              <tbody>
                {moves.map((m, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: moves have no id; the list only grows at its top
                  <tr key={`${m.alias}-${m.movedAt}-${i}`} data-alias-move={m.alias}>
                    <td className="cell-time">{formatTime(msToIso(m.movedAt))}</td>
                    <td>@{m.alias}</td>
                    <td>{m.action}</td>
                    <td>
                      {m.from ? <Link to={`/models/${enc(name)}/versions/${enc(m.from)}`}>Version {m.from}</Link> : "—"}
                    </td>
                    <td>
                      {m.to ? <Link to={`/models/${enc(name)}/versions/${enc(m.to)}`}>Version {m.to}</Link> : "—"}
                    </td>
                    <td>{m.movedBy ?? "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </Card>
    </div>
  );
}
