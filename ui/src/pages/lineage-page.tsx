/**
 * Lineage of an artifact: the run and task that made it, the inputs that task read, and
 * the tasks that consumed it. Without an id, a box to enter one.
 */
import { useState } from "react";
import { type Artifact, getArtifactLineage } from "../api/index.ts";
import { Card, ErrorAlert, Loading, PageHeader } from "../components/ui.tsx";
import { useAsync } from "../components/use-async.ts";
import { formatBytes, formatTime } from "../format.ts";
import { Link, navigate } from "../router.tsx";
import { ArtifactViewer } from "../viewers/lazy.tsx";

function ArtifactChip({ a, name }: { a: Artifact; name?: string }): React.JSX.Element {
  return (
    <li>
      <Link to={`/artifacts/${encodeURIComponent(a.artifact_id)}`}>{name ?? a.name}</Link>{" "}
      <span className="chip">{a.schema_title}</span>
      <div className="small muted">
        run <Link to={`/runs/${encodeURIComponent(a.run_id)}`}>{a.run_id}</Link>
      </div>
    </li>
  );
}

/** The page. */
export function LineagePage({ artifactId }: { artifactId?: string | undefined }): React.JSX.Element {
  const [id, setId] = useState("");
  const data = useAsync(async () => (artifactId ? getArtifactLineage(artifactId) : undefined), [artifactId]);
  if (!artifactId) {
    return (
      <div className="page">
        <PageHeader
          title="Lineage"
          subtitle="Where an artifact came from and where it went. Open an artifact from a run, or enter its ID."
        />
        <form
          className="toolbar"
          onSubmit={(e) => {
            e.preventDefault();
            if (id.trim()) navigate(`/artifacts/${encodeURIComponent(id.trim())}`);
          }}
        >
          <input
            className="input"
            style={{ width: 360 }}
            placeholder="Artifact ID"
            aria-label="Artifact ID"
            value={id}
            onChange={(e) => setId(e.target.value)}
          />
          <button type="submit" className="btn btn-primary">
            Show lineage
          </button>
        </form>
      </div>
    );
  }
  const l = data.data;
  return (
    <div className="page">
      <PageHeader
        crumbs={
          <>
            <Link to="/artifacts">Lineage</Link> / {l?.artifact.name ?? artifactId}
          </>
        }
        title={l ? `${l.artifact.name}` : "Artifact"}
        subtitle={
          l
            ? `${l.artifact.schema_title} · ${formatBytes(l.artifact.size_bytes)} · created ${formatTime(l.artifact.created_at)}`
            : undefined
        }
      />
      {data.error ? <ErrorAlert error={data.error} onRetry={data.reload} /> : null}
      {data.loading && !l ? <Loading /> : null}
      {l ? (
        <>
          <div className="lineage-flow" data-testid="lineage">
            <Card title="Inputs of the producing task">
              {l.producer && l.producer.inputs.length > 0 ? (
                <ul className="plain-list">
                  {l.producer.inputs.map((i) => (
                    <ArtifactChip
                      key={`${i.name}/${i.artifact.artifact_id}`}
                      a={i.artifact}
                      name={`${i.name} (${i.artifact.name})`}
                    />
                  ))}
                </ul>
              ) : (
                <p className="muted">No input artifacts.</p>
              )}
            </Card>
            <span className="lineage-arrow" aria-hidden="true">
              →
            </span>
            <Card title="Made by">
              {l.producer ? (
                <p>
                  Task <strong>{l.producer.task ?? l.producer.task_id}</strong> of run{" "}
                  <Link
                    to={`/runs/${encodeURIComponent(l.producer.run_id)}?task=${encodeURIComponent(l.producer.task_id)}`}
                  >
                    {l.producer.run_id}
                  </Link>
                </p>
              ) : (
                <p className="muted">Imported; no task of a run made it.</p>
              )}
            </Card>
            <span className="lineage-arrow" aria-hidden="true">
              →
            </span>
            <Card title="Consumed by">
              {l.consumers.length === 0 ? (
                <p className="muted">No task has read this artifact yet.</p>
              ) : (
                <ul className="plain-list">
                  {l.consumers.map((c) => (
                    <li key={`${c.run_id}/${c.task_id}/${c.input ?? ""}`}>
                      <Link to={`/runs/${encodeURIComponent(c.run_id)}?task=${encodeURIComponent(c.task_id)}`}>
                        {c.task ?? c.task_id}
                      </Link>
                      {c.input ? <span className="muted"> as {c.input}</span> : null}
                      <div className="small muted">run {c.run_id}</div>
                    </li>
                  ))}
                </ul>
              )}
            </Card>
          </div>
          <ArtifactViewer name={l.artifact.name} artifact={l.artifact} />
        </>
      ) : null}
    </div>
  );
}
