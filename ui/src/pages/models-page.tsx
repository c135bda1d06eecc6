/**
 * Registered models: name, latest version, aliases as badges, last change; one request per
 * page (MLflow's `registered-models/search`, which carries the latest versions and aliases).
 * A name filter lives in the URL (`?name=`).
 */
import { useEffect, useState } from "react";
import { filterString, MODELS_PAGE_SIZE, searchModels } from "../api/index.ts";
import { Pager, usePageTokens } from "../components/pager.tsx";
import { ErrorAlert, Loading, PageHeader } from "../components/ui.tsx";
import { useAsync } from "../components/use-async.ts";
import { formatRelative, formatTime } from "../format.ts";
import { Link, navigate } from "../router.tsx";
import { AliasBadges } from "./model-badges.tsx";
import { aliasBadges, latestVersion, msToIso } from "./models-shape.ts";

const enc = encodeURIComponent;

/** The search filter for "name contains `part`". */
export const nameFilter = (part: string): string | undefined =>
  part ? `name LIKE ${filterString(`%${part}%`)}` : undefined;

function ModelsTable({ name }: { name: string }): React.JSX.Element {
  const pages = usePageTokens();
  const pageToken = pages.pageToken;
  const list = useAsync(
    (signal) => searchModels({ maxResults: MODELS_PAGE_SIZE, pageToken, filter: nameFilter(name) }, signal),
    [pageToken, name],
  );
  const items = list.data?.items ?? [];
  return (
    <>
      {list.error ? <ErrorAlert error={list.error} onRetry={list.reload} /> : null}
      {list.loading && !list.data ? <Loading label="Loading models" /> : null}
      {list.data && items.length === 0 ? (
        <p className="muted" data-testid="models-empty">
          {name ? (
            "No model's name matches."
          ) : (
            <>
              No registered models yet. A pipeline registers one with the <code>registerModel</code> component, and{" "}
              <code>weft models</code> lists them in a terminal.
            </>
          )}
        </p>
      ) : null}
      {items.length > 0 ? (
        <div className="card table-wrap">
          <table className="table" data-testid="models-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Latest version</th>
                <th>Aliases</th>
                <th>Description</th>
                <th>Updated</th>
              </tr>
            </thead>
            <tbody>
              {items.map((m) => {
                const latest = latestVersion(m);
                return (
                  <tr key={m.name} data-model-row={m.name}>
                    <td className="cell-name" title={m.name}>
                      <Link to={`/models/${enc(m.name)}`}>{m.name}</Link>
                    </td>
                    <td>
                      {latest ? (
                        <Link to={`/models/${enc(m.name)}/versions/${enc(latest)}`} data-testid="latest-version">
                          Version {latest}
                        </Link>
                      ) : (
                        <span className="muted">none</span>
                      )}
                    </td>
                    <td>
                      <AliasBadges name={m.name} aliases={aliasBadges(m.aliases)} />
                    </td>
                    <td className="cell-name muted" title={m.description || undefined}>
                      {m.description || "—"}
                    </td>
                    <td title={formatTime(msToIso(m.last_updated_timestamp))}>
                      {formatRelative(msToIso(m.last_updated_timestamp))}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      <Pager pages={pages} nextPageToken={list.data?.nextPageToken} />
    </>
  );
}

/** The models page; `query` holds the name filter. */
export function ModelsPage({ query }: { query: URLSearchParams }): React.JSX.Element {
  const name = query.get("name") ?? "";
  const [draft, setDraft] = useState(name);
  useEffect(() => setDraft(name), [name]);
  return (
    <div className="page">
      <PageHeader
        title="Models"
        subtitle="Registered models and their versions, with the runs and data that made them."
      />
      <form
        className="toolbar"
        aria-label="Filter models"
        onSubmit={(e) => {
          e.preventDefault();
          const v = draft.trim();
          navigate(v ? `/models?name=${enc(v)}` : "/models", { replace: true });
        }}
      >
        <input
          className="input"
          placeholder="Name contains"
          aria-label="Name contains"
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
        />
        <button type="submit" className="btn btn-primary">
          Filter
        </button>
        {name ? (
          <button type="button" className="btn btn-ghost" onClick={() => navigate("/models", { replace: true })}>
            Clear
          </button>
        ) : null}
      </form>
      <ModelsTable key={name} name={name} />
    </div>
  );
}
