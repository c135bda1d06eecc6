/**
 * A model version: its status, stage and aliases, where the model is (source URI and content
 * digest), its format and input/output signature, the metrics recorded with it, and its
 * lineage: the run and task that made it, the pipeline version, and the datasets it was
 * trained on (with their digests) and other upstream artifacts.
 */
import { Fragment } from "react";
import { artifactDownloadUrl, getRun, getVersionRecord, type TensorSpec } from "../api/index.ts";
import { Card, ErrorAlert, Loading, PageHeader } from "../components/ui.tsx";
import { useAsync } from "../components/use-async.ts";
import { formatNumber, formatTime } from "../format.ts";
import { Link } from "../router.tsx";
import { AliasBadges, StageBadge, VersionStatus } from "./model-badges.tsx";
import { aliasBadges, msToIso } from "./models-shape.ts";

const enc = encodeURIComponent;

function SignatureTable({ title, tensors }: { title: string; tensors: TensorSpec[] }): React.JSX.Element {
  return (
    <div className="table-wrap">
      <table className="table" data-testid={`signature-${title.toLowerCase()}`}>
        <caption className="small muted" style={{ textAlign: "left" }}>
          {title}
        </caption>
        <thead>
          <tr>
            <th>Name</th>
            <th>Type</th>
            <th>Shape</th>
          </tr>
        </thead>
        <tbody>
          {tensors.map((t) => (
            <tr key={t.name}>
              <td className="mono">{t.name}</td>
              <td className="mono">{t.dtype || "—"}</td>
              <td className="mono">[{t.shape.map((d) => (d === -1 ? "?" : String(d))).join(", ")}]</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The page of version `version` of model `name`. */
export function ModelVersionPage({ name, version }: { name: string; version: string }): React.JSX.Element {
  const rec = useAsync((signal) => getVersionRecord(name, version, signal), [name, version]);
  const runId = rec.data?.runId;
  const run = useAsync(
    async (signal) => (runId ? await getRun(runId, signal).catch(() => undefined) : undefined),
    [runId],
  );
  const crumbs = (
    <>
      <Link to="/models">Models</Link> / <Link to={`/models/${enc(name)}`}>{name}</Link> / Version {version}
    </>
  );
  const title = `${name} · version ${version}`;
  if (rec.error && !rec.data) {
    return (
      <div className="page">
        <PageHeader title={title} crumbs={crumbs} />
        <ErrorAlert error={rec.error} onRetry={rec.reload} />
      </div>
    );
  }
  const v = rec.data;
  if (!v) {
    return (
      <div className="page">
        <PageHeader title={title} crumbs={crumbs} />
        <Loading label="Loading the version" />
      </div>
    );
  }
  const r = run.data;
  const pipelineId = v.pipelineId ?? r?.pipeline_version_reference?.pipeline_id;
  const pipelineVersionId = v.pipelineVersionId ?? r?.pipeline_version_reference?.pipeline_version_id;
  const metrics = Object.entries(v.metrics).sort(([a], [b]) => a.localeCompare(b));
  const tags = Object.entries(v.tags).sort(([a], [b]) => a.localeCompare(b));
  // the datasets are listed above; the rest of what is upstream of the model below them
  const listed = new Set(v.datasets.map((d) => d.artifact_id).filter(Boolean));
  const upstream = v.upstream.filter((a) => !listed.has(a.artifact_id));
  return (
    <div className="page" data-testid="model-version-page">
      <PageHeader
        crumbs={crumbs}
        title={
          <span className="row">
            {title} <VersionStatus status={v.status} message={v.statusMessage} />
          </span>
        }
        subtitle={
          <span className="row small">
            <StageBadge stage={v.stage} />
            {v.aliases.length > 0 ? (
              <AliasBadges
                name={name}
                aliases={aliasBadges(v.aliases.map((alias) => ({ alias, version })))}
                showVersion={false}
              />
            ) : null}
            <span>Registered {formatTime(msToIso(v.createdAt))}</span>
            {v.userId ? <span>by {v.userId}</span> : null}
          </span>
        }
      />
      {v.status === "FAILED_REGISTRATION" ? (
        <div className="alert" role="alert">
          <strong>Registration failed</strong>
          <span>{v.statusMessage ?? "The server recorded no reason."}</span>
        </div>
      ) : null}
      {v.description ? <p>{v.description}</p> : null}
      <div className="overview-grid">
        <Card title="Model">
          <dl className="kv">
            <dt>URI</dt>
            <dd className="mono">
              models:/{name}/{version}
              {v.aliases.map((a) => (
                <span key={a}>
                  <br />
                  models:/{name}@{a}
                </span>
              ))}
            </dd>
            <dt>Source</dt>
            <dd className="mono" data-testid="version-source" style={{ overflowWrap: "anywhere" }}>
              {v.source || "—"}
            </dd>
            <dt>Digest</dt>
            <dd className="mono" data-testid="version-digest" style={{ overflowWrap: "anywhere" }}>
              {v.digest ?? "—"}
            </dd>
            <dt>Format</dt>
            <dd data-testid="version-format">{v.format ?? "—"}</dd>
            {v.artifactId ? (
              <>
                <dt>Artifact</dt>
                <dd data-testid="version-artifact">
                  <Link to={`/artifacts/${enc(v.artifactId)}`}>Open</Link>
                  {" · "}
                  <Link to={`/lineage?artifact=${enc(v.artifactId)}`}>Lineage graph</Link>
                  {" · "}
                  <a href={artifactDownloadUrl(v.artifactId)} download>
                    Download
                  </a>
                </dd>
              </>
            ) : null}
          </dl>
        </Card>
        <Card title="Lineage">
          <dl className="kv" data-testid="version-lineage">
            <dt>Run</dt>
            <dd>
              {v.runId ? (
                <Link to={`/runs/${enc(v.runId)}`} data-testid="lineage-run">
                  {r?.display_name ?? v.runName ?? v.runId}
                </Link>
              ) : (
                <span className="muted">not made by a Weft run</span>
              )}
            </dd>
            <dt>Task</dt>
            <dd>
              {v.runId && (v.taskId || v.taskName) ? (
                <Link to={`/runs/${enc(v.runId)}?task=${enc(v.taskId ?? v.taskName ?? "")}`} data-testid="lineage-task">
                  {(v.taskName ?? v.taskId ?? "").replace(/^root\//, "")}
                </Link>
              ) : (
                "—"
              )}
            </dd>
            <dt>Pipeline version</dt>
            <dd>
              {pipelineId ? (
                <Link
                  to={`/pipelines/${enc(pipelineId)}${pipelineVersionId ? `?version=${enc(pipelineVersionId)}` : ""}`}
                  data-testid="lineage-pipeline"
                >
                  {v.pipelineName ? `${v.pipelineName} · ` : ""}
                  {v.pipelineVersionName ?? pipelineVersionId ?? pipelineId}
                </Link>
              ) : (
                <span className="mono">{pipelineVersionId ?? "—"}</span>
              )}
            </dd>
          </dl>
        </Card>
      </div>
      <Card title={`Datasets (${v.datasets.length})`}>
        {v.datasets.length === 0 ? (
          <p className="muted">No input datasets were recorded for this version.</p>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="version-datasets">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Made by</th>
                  <th>Digest</th>
                  <th>URI</th>
                </tr>
              </thead>
              <tbody>
                {v.datasets.map((d) => (
                  <tr key={`${d.uri}|${d.name}`} data-dataset={d.name}>
                    <td>{d.artifact_id ? <Link to={`/artifacts/${enc(d.artifact_id)}`}>{d.name}</Link> : d.name}</td>
                    <td>{d.task ? d.task.replace(/^root\//, "") : "—"}</td>
                    <td className="mono cell-name" title={d.digest}>
                      {d.digest ?? "—"}
                    </td>
                    <td className="mono cell-name" title={d.uri}>
                      {d.uri}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {upstream.length > 0 ? (
          <>
            <h3 className="small" style={{ marginTop: "var(--space-3)" }}>
              Other upstream artifacts
            </h3>
            <ul data-testid="version-upstream">
              {upstream.map((a) => (
                <li key={a.artifact_id}>
                  <Link to={`/artifacts/${enc(a.artifact_id)}`}>{a.name}</Link>{" "}
                  <span className="chip">{a.type.replace(/^system\./, "")}</span>{" "}
                  <span className="small muted">from {a.task.replace(/^root\//, "")}</span>
                  {a.digest ? <span className="mono small muted"> {a.digest}</span> : null}
                </li>
              ))}
            </ul>
          </>
        ) : null}
      </Card>
      <div className="overview-grid">
        <Card title="Signature">
          {v.signature && (v.signature.inputs.length > 0 || v.signature.outputs.length > 0) ? (
            <>
              <SignatureTable title="Inputs" tensors={v.signature.inputs} />
              <SignatureTable title="Outputs" tensors={v.signature.outputs} />
            </>
          ) : (
            <p className="muted">No signature was read from this model.</p>
          )}
        </Card>
        <Card title="Metrics">
          {metrics.length === 0 ? (
            <p className="muted">No metrics were recorded with this version.</p>
          ) : (
            <table className="table" data-testid="version-metrics">
              <tbody>
                {metrics.map(([k, val]) => (
                  <tr key={k}>
                    <th scope="row">{k}</th>
                    <td className="num">{formatNumber(val)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Card>
      </div>
      {tags.length > 0 ? (
        <Card title="Tags">
          <dl className="kv">
            {tags.map(([k, val]) => (
              <Fragment key={k}>
                <dt className="mono">{k}</dt>
                <dd className="mono">{val}</dd>
              </Fragment>
            ))}
          </dl>
        </Card>
      ) : null}
    </div>
  );
}
