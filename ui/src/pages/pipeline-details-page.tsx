/**
 * A pipeline: its versions, a static graph preview of the selected version, a "Create
 * run" form generated from its typed parameters, and uploading a new version.
 */
import { useMemo, useState } from "react";
import { deletePipeline, deletePipelineVersion, getPipeline, getVersion, listVersions } from "../api/index.ts";
import { ConfirmButton } from "../components/confirm.tsx";
import { Card, ErrorAlert, Loading, PageHeader, Tabs } from "../components/ui.tsx";
import { useAsync } from "../components/use-async.ts";
import { DagView } from "../dag/dag-view.tsx";
import { treeFromSpec } from "../dag/model.ts";
import { formatTime } from "../format.ts";
import { Link, navigate } from "../router.tsx";
import { CreateRunForm } from "./create-run-form.tsx";
import { specOfVersion } from "./params-form.ts";
import { UploadPipeline } from "./pipelines-page.tsx";

/** The page; `versionId` (from `?version=`) picks a version, default the newest. */
export function PipelineDetailsPage(props: { pipelineId: string; versionId?: string | undefined }): React.JSX.Element {
  const { pipelineId } = props;
  const [tab, setTab] = useState<"run" | "graph" | "versions">("run");
  const pipeline = useAsync(() => getPipeline(pipelineId), [pipelineId]);
  const versions = useAsync(() => listVersions(pipelineId, { pageSize: 100, sortBy: "created_at desc" }), [pipelineId]);
  const versionId = props.versionId || versions.data?.items[0]?.pipeline_version_id;
  const version = useAsync(
    async () => (versionId ? getVersion(pipelineId, versionId) : undefined),
    [pipelineId, versionId],
  );
  const spec = specOfVersion(version.data);
  const tree = useMemo(() => (spec ? treeFromSpec(spec) : undefined), [spec]);
  const name = pipeline.data?.display_name || pipeline.data?.name || pipelineId;
  const error = pipeline.error ?? versions.error ?? version.error;
  return (
    <div className="page">
      <PageHeader
        crumbs={
          <>
            <Link to="/pipelines">Pipelines</Link> / {name}
          </>
        }
        title={name}
        subtitle={pipeline.data?.description || spec?.pipelineInfo?.description}
        actions={
          <>
            {versions.data && versions.data.items.length > 0 ? (
              <label className="row small">
                Version
                <select
                  className="select"
                  value={versionId ?? ""}
                  onChange={(e) =>
                    navigate(
                      `/pipelines/${encodeURIComponent(pipelineId)}?version=${encodeURIComponent(e.target.value)}`,
                      { replace: true },
                    )
                  }
                >
                  {versions.data.items.map((v) => (
                    <option key={v.pipeline_version_id} value={v.pipeline_version_id}>
                      {v.display_name || v.name} · {formatTime(v.created_at)}
                    </option>
                  ))}
                </select>
              </label>
            ) : null}
            <PipelineDeleteActions
              pipelineId={pipelineId}
              name={name}
              versionId={versionId}
              versionCount={versions.data?.totalSize ?? 0}
              onVersionDeleted={() => {
                versions.reload();
                navigate(`/pipelines/${encodeURIComponent(pipelineId)}`, { replace: true });
              }}
            />
          </>
        }
      />
      {error ? <ErrorAlert error={error} /> : null}
      <Tabs
        label="Pipeline views"
        value={tab}
        onChange={setTab}
        tabs={[
          { id: "run", label: "Create run" },
          { id: "graph", label: "Graph" },
          { id: "versions", label: `Versions${versions.data ? ` (${versions.data.totalSize})` : ""}` },
        ]}
      />
      {tab === "run" ? (
        spec && versionId ? (
          <Card title="Create a run">
            <CreateRunForm pipelineId={pipelineId} versionId={versionId} spec={spec} pipelineName={name} />
          </Card>
        ) : (
          <Loading />
        )
      ) : null}
      {tab === "graph" ? tree ? <DagView tree={tree} onSelect={() => undefined} height={560} /> : <Loading /> : null}
      {tab === "versions" ? (
        <>
          <div className="card table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th>Version</th>
                  <th>Description</th>
                  <th>Created</th>
                </tr>
              </thead>
              <tbody>
                {(versions.data?.items ?? []).map((v) => (
                  <tr
                    key={v.pipeline_version_id}
                    aria-current={v.pipeline_version_id === versionId ? "true" : undefined}
                  >
                    <td>
                      <Link
                        to={`/pipelines/${encodeURIComponent(pipelineId)}?version=${encodeURIComponent(v.pipeline_version_id)}`}
                      >
                        {v.display_name || v.name}
                      </Link>
                    </td>
                    <td className="muted">{v.description ?? ""}</td>
                    <td>{formatTime(v.created_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Card title="Upload a new version">
            <UploadPipeline
              pipelineId={pipelineId}
              onUploaded={(v) => {
                versions.reload();
                if (v.pipeline_version_id)
                  navigate(
                    `/pipelines/${encodeURIComponent(pipelineId)}?version=${encodeURIComponent(v.pipeline_version_id)}`,
                  );
              }}
            />
          </Card>
        </>
      ) : null}
    </div>
  );
}

/** Delete the selected version, or the whole pipeline with its versions; runs keep their specs. */
function PipelineDeleteActions(props: {
  pipelineId: string;
  name: string;
  versionId: string | undefined;
  versionCount: number;
  onVersionDeleted: () => void;
}): React.JSX.Element {
  const { pipelineId, versionId, versionCount } = props;
  return (
    <>
      {versionId && versionCount > 1 ? (
        <ConfirmButton
          label="Delete version"
          danger
          title="Delete this version?"
          message="The selected version is deleted. Runs started from it keep their pipeline spec and stay as they are."
          onConfirm={() => deletePipelineVersion(pipelineId, versionId)}
          onDone={props.onVersionDeleted}
        />
      ) : null}
      <ConfirmButton
        label="Delete pipeline"
        danger
        title="Delete this pipeline?"
        message={
          <>
            <strong>{props.name}</strong>
            {versionCount > 0 ? ` and its ${versionCount} version${versionCount === 1 ? "" : "s"}` : ""} are deleted.
            Runs started from it keep their pipeline spec and stay as they are.
          </>
        }
        onConfirm={() => deletePipeline(pipelineId, true)}
        onDone={() => navigate("/pipelines")}
      />
    </>
  );
}
