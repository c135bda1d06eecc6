/** Pipelines: the list, and uploading a compiled pipeline (YAML or JSON) by picking or dropping a file. */
import { useRef, useState } from "react";
import { listPipelines, type Pipeline, uploadPipeline } from "../api/index.ts";
import { Pager, usePageTokens } from "../components/pager.tsx";
import { Card, ErrorAlert, Loading, PageHeader } from "../components/ui.tsx";
import { useAsync } from "../components/use-async.ts";
import { formatTime } from "../format.ts";
import { Link, navigate } from "../router.tsx";

/** The upload box. */
export function UploadPipeline(props: {
  pipelineId?: string;
  onUploaded: (p: { pipeline_id: string; pipeline_version_id?: string }) => void;
}): React.JSX.Element {
  const [name, setName] = useState("");
  const [over, setOver] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const input = useRef<HTMLInputElement>(null);
  const upload = async (file: File | undefined): Promise<void> => {
    if (!file) return;
    setBusy(true);
    setError(undefined);
    try {
      const opts: { name?: string; pipelineId?: string } = {};
      if (name.trim()) opts.name = name.trim();
      if (props.pipelineId) opts.pipelineId = props.pipelineId;
      props.onUploaded(await uploadPipeline(file, opts));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
      if (input.current) input.current.value = "";
    }
  };
  return (
    <div style={{ display: "grid", gap: 12 }}>
      <div className="field">
        <label htmlFor="upload-name">{props.pipelineId ? "Version name" : "Pipeline name"} (optional)</label>
        <input
          id="upload-name"
          className="input"
          value={name}
          onChange={(e) => setName(e.target.value)}
          placeholder="Taken from the file when empty"
        />
      </div>
      {/* biome-ignore lint/a11y/noStaticElementInteractions: a drop target; the file button inside is the keyboard path */}
      <div
        className={`dropzone${over ? " over" : ""}`}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          void upload(e.dataTransfer.files[0]);
        }}
      >
        <p style={{ marginTop: 0 }}>Drop a compiled pipeline here (YAML or JSON), or</p>
        <label className="btn btn-primary">
          {busy ? "Uploading…" : "Choose a file"}
          <input
            ref={input}
            type="file"
            accept=".yaml,.yml,.json"
            className="visually-hidden"
            data-testid="upload-input"
            onChange={(e) => void upload(e.target.files?.[0])}
            disabled={busy}
          />
        </label>
      </div>
      {error ? <ErrorAlert error={error} /> : null}
    </div>
  );
}

/** The pipelines list page. */
export function PipelinesPage(): React.JSX.Element {
  const [showUpload, setShowUpload] = useState(false);
  const pages = usePageTokens();
  const pageToken = pages.pageToken;
  const list = useAsync((s) => listPipelines({ pageSize: 25, pageToken, sortBy: "created_at desc" }, s), [pageToken]);
  return (
    <div className="page">
      <PageHeader
        title="Pipelines"
        subtitle="Compiled pipelines and their versions. Open one to preview its graph and start a run."
        actions={
          <button
            type="button"
            className="btn btn-primary"
            onClick={() => setShowUpload((v) => !v)}
            aria-expanded={showUpload}
          >
            Upload pipeline
          </button>
        }
      />
      {showUpload ? (
        <Card title="Upload a pipeline">
          <UploadPipeline onUploaded={(p) => navigate(`/pipelines/${encodeURIComponent(p.pipeline_id)}`)} />
        </Card>
      ) : null}
      {list.error ? <ErrorAlert error={list.error} onRetry={list.reload} /> : null}
      {list.loading && !list.data ? <Loading /> : null}
      {list.data ? (
        <div className="card table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Description</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.length === 0 ? (
                <tr>
                  <td colSpan={3} className="empty">
                    No pipelines yet. Upload a compiled pipeline to get started.
                  </td>
                </tr>
              ) : null}
              {list.data.items.map((p: Pipeline) => (
                <tr key={p.pipeline_id}>
                  <td>
                    <Link to={`/pipelines/${encodeURIComponent(p.pipeline_id)}`}>{p.display_name || p.name}</Link>
                  </td>
                  <td className="muted">{p.description ?? ""}</td>
                  <td>{formatTime(p.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <Pager pages={pages} nextPageToken={list.data?.nextPageToken} />
    </div>
  );
}
