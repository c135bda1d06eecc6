/**
 * Artifacts: every artifact, newest first, a page at a time, filtered by run, type and
 * name on the server; each row links to the artifact, its run and its producing task.
 * Filters live in the URL (`?run=`, `?type=`, `?name=`), so a filtered list can be shared.
 */
import { useEffect, useState } from "react";
import { artifactDownloadUrl, listArtifacts } from "../api/index.ts";
import { Pager, usePageTokens } from "../components/pager.tsx";
import { ErrorAlert, Loading, PageHeader } from "../components/ui.tsx";
import { useAsync } from "../components/use-async.ts";
import { formatBytes, formatTime } from "../format.ts";
import { Link, navigate } from "../router.tsx";

const TYPES = [
  "system.Dataset",
  "system.Model",
  "system.Metrics",
  "system.ClassificationMetrics",
  "system.HTML",
  "system.Markdown",
  "system.Artifact",
];

const enc = encodeURIComponent;

/** The list of one filter, paged; a new filter starts a new list at its first page. */
function ArtifactsTable({ run, type, name }: { run: string; type: string; name: string }): React.JSX.Element {
  const pages = usePageTokens();
  const pageToken = pages.pageToken;
  const list = useAsync(
    (signal) =>
      listArtifacts(
        {
          pageSize: 25,
          pageToken,
          runId: run || undefined,
          type: type || undefined,
          name: name || undefined,
        },
        signal,
      ),
    [pageToken, run, type, name],
  );
  return (
    <>
      {list.data ? (
        <p className="muted small" data-testid="artifacts-total">
          {list.data.totalSize} artifact{list.data.totalSize === 1 ? "" : "s"}
        </p>
      ) : null}
      {list.error ? <ErrorAlert error={list.error} onRetry={list.reload} /> : null}
      {list.loading && !list.data ? <Loading /> : null}
      {list.data && list.data.items.length === 0 ? (
        <p className="muted">No artifacts match. Runs record their output artifacts here as their tasks finish.</p>
      ) : null}
      {list.data && list.data.items.length > 0 ? (
        <div className="card table-wrap">
          <table className="table" data-testid="artifacts-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Type</th>
                <th>Run</th>
                <th>Producer task</th>
                <th>Size</th>
                <th>Created</th>
                <th>Links</th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((a) => (
                <tr key={a.artifact_id} data-artifact-row={a.name}>
                  <td>
                    <Link to={`/artifacts/${enc(a.artifact_id)}`}>{a.name}</Link>
                  </td>
                  <td>
                    <span className="chip">{a.schema_title.replace(/^system\./, "")}</span>
                  </td>
                  <td>
                    <Link to={`/runs/${enc(a.run_id)}`}>{a.run_name || a.run_id.slice(0, 8)}</Link>
                  </td>
                  <td>
                    {a.task ? (
                      <Link to={`/runs/${enc(a.run_id)}?task=${enc(a.task_id)}`}>{a.task.replace(/^root\//, "")}</Link>
                    ) : (
                      <span className="muted">-</span>
                    )}
                  </td>
                  <td>{formatBytes(a.size_bytes)}</td>
                  <td>{formatTime(a.created_at)}</td>
                  <td className="small">
                    <Link to={`/lineage?artifact=${enc(a.artifact_id)}`}>Lineage</Link>{" "}
                    <a href={artifactDownloadUrl(a.artifact_id)} download>
                      Download
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <Pager pages={pages} nextPageToken={list.data?.nextPageToken} />
    </>
  );
}

/** The page; `query` holds the filters. */
export function ArtifactsPage({ query }: { query: URLSearchParams }): React.JSX.Element {
  const run = query.get("run") ?? "";
  const type = query.get("type") ?? "";
  const name = query.get("name") ?? "";
  const [nameDraft, setNameDraft] = useState(name);
  const [runDraft, setRunDraft] = useState(run);
  useEffect(() => setNameDraft(name), [name]);
  useEffect(() => setRunDraft(run), [run]);
  const setFilter = (next: { run?: string; type?: string; name?: string }): void => {
    const q = new URLSearchParams();
    const merged = { run, type, name, ...next };
    for (const [k, v] of Object.entries(merged)) if (v.trim()) q.set(k, v.trim());
    const qs = q.toString();
    navigate(`/artifacts${qs ? `?${qs}` : ""}`, { replace: true });
  };
  return (
    <div className="page">
      <PageHeader
        title="Artifacts"
        subtitle="Everything runs produced: datasets, models, metrics and reports. Open one to preview it, browse its files or follow its lineage."
      />
      <form
        className="toolbar"
        aria-label="Filter artifacts"
        onSubmit={(e) => {
          e.preventDefault();
          setFilter({ name: nameDraft, run: runDraft });
        }}
      >
        <input
          className="input"
          placeholder="Name contains"
          aria-label="Name contains"
          value={nameDraft}
          onChange={(e) => setNameDraft(e.target.value)}
        />
        <select className="input" aria-label="Type" value={type} onChange={(e) => setFilter({ type: e.target.value })}>
          <option value="">All types</option>
          {TYPES.map((t) => (
            <option key={t} value={t}>
              {t.replace(/^system\./, "")}
            </option>
          ))}
        </select>
        <input
          className="input"
          placeholder="Run ID"
          aria-label="Run ID"
          value={runDraft}
          onChange={(e) => setRunDraft(e.target.value)}
        />
        <button type="submit" className="btn btn-primary">
          Filter
        </button>
        {run || type || name ? (
          <button type="button" className="btn btn-ghost" onClick={() => setFilter({ run: "", type: "", name: "" })}>
            Clear
          </button>
        ) : null}
      </form>
      <ArtifactsTable key={`${run}|${type}|${name}`} run={run} type={type} name={name} />
    </div>
  );
}
