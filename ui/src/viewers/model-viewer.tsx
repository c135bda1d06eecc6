/** Model details: framework and metadata, and the files of a model directory. */
import type { Artifact } from "../api/index.ts";
import { useAsync } from "../components/use-async.ts";
import { readContent } from "./content.ts";
import { MetadataTable } from "./metrics-table.tsx";

/** The viewer. */
export function ModelViewer({ artifact }: { artifact: Artifact }): React.JSX.Element {
  const files = useAsync(async () => {
    const c = await readContent(artifact.artifact_id, undefined, 1);
    return c.kind === "dir" ? c.entries : undefined;
  }, [artifact.artifact_id]);
  const meta = artifact.metadata ?? {};
  const framework = typeof meta.framework === "string" ? meta.framework : undefined;
  return (
    <div data-testid="model-viewer">
      <dl className="kv" style={{ marginBottom: 12 }}>
        <dt>Framework</dt>
        <dd>{framework ?? "not recorded"}</dd>
        <dt>URI</dt>
        <dd className="mono">{artifact.uri}</dd>
        {artifact.digest ? (
          <>
            <dt>Digest</dt>
            <dd className="mono">{artifact.digest}</dd>
          </>
        ) : null}
        {files.data ? (
          <>
            <dt>Files</dt>
            <dd className="mono">{files.data.join(", ") || "empty"}</dd>
          </>
        ) : null}
      </dl>
      <MetadataTable metadata={Object.fromEntries(Object.entries(meta).filter(([k]) => k !== "framework"))} />
    </div>
  );
}
