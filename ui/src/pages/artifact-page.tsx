/**
 * One artifact: what it is, the run and task that made it, the inputs that task read and
 * the tasks that consumed it (one hop; the lineage graph goes further), its download (a
 * directory as a tar archive), its files when it is a directory, and its viewer.
 */
import { type Artifact, artifactDownloadUrl, getArtifact, getArtifactLineage } from "../api/index.ts";
import { Card, ErrorAlert, Loading, PageHeader } from "../components/ui.tsx";
import { useAsync } from "../components/use-async.ts";
import { formatBytes, formatTime } from "../format.ts";
import { Link } from "../router.tsx";
import { FileTree } from "../viewers/file-tree.tsx";
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
export function ArtifactPage({ artifactId }: { artifactId: string }): React.JSX.Element {
  const data = useAsync(async () => getArtifactLineage(artifactId), [artifactId]);
  const record = useAsync(async () => getArtifact(artifactId), [artifactId]);
  const kind = record.data?.content_kind;
  const l = data.data;
  return (
    <div className="page">
      <PageHeader
        crumbs={
          <>
            <Link to="/artifacts">Artifacts</Link> / {l?.artifact.name ?? artifactId}
          </>
        }
        title={l ? `${l.artifact.name}` : "Artifact"}
        subtitle={
          l
            ? `${l.artifact.schema_title} · ${formatBytes(l.artifact.size_bytes)} · created ${formatTime(l.artifact.created_at)}`
            : undefined
        }
      />
      <div className="toolbar" data-testid="artifact-actions">
        <Link className="btn btn-sm" to={`/lineage?artifact=${encodeURIComponent(artifactId)}`}>
          Lineage graph
        </Link>
        {kind && kind !== "missing" ? (
          <a className="btn btn-sm" href={artifactDownloadUrl(artifactId)} download>
            {kind === "directory" ? "Download (.tar)" : "Download"}
          </a>
        ) : null}
        {kind === "missing" ? (
          <span className="muted small">The content is missing from the artifact store.</span>
        ) : null}
        {l ? <code className="small muted">{l.artifact.uri}</code> : null}
      </div>
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
          {kind === "directory" ? <FileTree artifactId={artifactId} /> : null}
          <ArtifactViewer name={l.artifact.name} artifact={l.artifact} />
        </>
      ) : null}
    </div>
  );
}
