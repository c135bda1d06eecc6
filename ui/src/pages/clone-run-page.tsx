/**
 * "Clone run": the create-run form opened with a run's pipeline version (or its inline
 * spec), parameters, experiment, description and tags; edit and start a new run.
 */
import { getRun, getVersion, type PipelineSpecJson } from "../api/index.ts";
import { Card, ErrorAlert, Loading, PageHeader } from "../components/ui.tsx";
import { useAsync } from "../components/use-async.ts";
import { Link } from "../router.tsx";
import { CreateRunForm } from "./create-run-form.tsx";
import { specOfVersion } from "./params-form.ts";

/** The page of `/runs/:id/clone`. */
export function CloneRunPage(props: { runId: string }): React.JSX.Element {
  const { runId } = props;
  const source = useAsync(async () => {
    const run = await getRun(runId);
    const ref = run.pipeline_version_reference;
    if (ref?.pipeline_id && ref.pipeline_version_id) {
      const version = await getVersion(ref.pipeline_id, ref.pipeline_version_id);
      return { run, spec: specOfVersion(version), pipelineId: ref.pipeline_id, versionId: ref.pipeline_version_id };
    }
    return {
      run,
      spec: run.pipeline_spec as PipelineSpecJson | undefined,
      pipelineId: undefined,
      versionId: undefined,
    };
  }, [runId]);
  const run = source.data?.run;
  const spec = source.data?.spec;
  const title = run ? `Clone of ${run.display_name ?? runId}` : "Clone run";
  return (
    <div className="page">
      <PageHeader
        crumbs={
          <>
            <Link to="/">Runs</Link> /{" "}
            <Link to={`/runs/${encodeURIComponent(runId)}`}>{run?.display_name ?? runId}</Link> / Clone
          </>
        }
        title={title}
        subtitle={
          source.data?.versionId ? (
            <>
              The same pipeline version (
              <Link
                to={`/pipelines/${encodeURIComponent(source.data.pipelineId ?? "")}?version=${encodeURIComponent(source.data.versionId)}`}
              >
                open the pipeline
              </Link>
              ) with the run's parameters; change what you need and start it.
            </>
          ) : (
            "The run's own pipeline spec with its parameters; change what you need and start it."
          )
        }
      />
      {source.error ? <ErrorAlert error={source.error} onRetry={source.reload} /> : null}
      {source.loading && !source.data ? <Loading /> : null}
      {run && !spec && !source.loading ? (
        <ErrorAlert error={new Error("The run's pipeline spec is not available any more, so it cannot be cloned.")} />
      ) : null}
      {run && spec ? (
        <Card title="Create a run">
          <CreateRunForm
            pipelineId={source.data?.pipelineId}
            versionId={source.data?.versionId}
            spec={spec}
            pipelineName={spec.pipelineInfo?.name ?? "run"}
            initial={{
              name: `Clone of ${run.display_name ?? runId}`,
              ...(run.experiment_id ? { experimentId: run.experiment_id } : {}),
              ...(run.description ? { description: run.description } : {}),
              ...(run.tags ? { tags: run.tags } : {}),
              ...(run.runtime_config?.parameters ? { parameters: run.runtime_config.parameters } : {}),
            }}
          />
        </Card>
      ) : null}
    </div>
  );
}
