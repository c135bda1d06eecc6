/**
 * Chooses the viewer for an artifact by its type: scalar metrics, classification
 * metrics (ROC, PR, confusion matrix), HTML, Markdown, dataset preview, model details;
 * anything else shows its metadata and a download link.
 */
import { type Artifact, artifactDownloadUrl } from "../api/index.ts";
import { formatBytes } from "../format.ts";
import { Link } from "../router.tsx";
import { ClassificationViewer } from "./classification-viewer.tsx";
import { DatasetPreview } from "./dataset-preview.tsx";
import { HtmlViewer } from "./html-viewer.tsx";
import { MarkdownViewer } from "./markdown-viewer.tsx";
import { MetadataTable, MetricsTable } from "./metrics-table.tsx";
import { ModelViewer } from "./model-viewer.tsx";

function body(a: Artifact): React.JSX.Element {
  switch (a.schema_title) {
    case "system.Metrics":
      return <MetricsTable metadata={a.metadata} />;
    case "system.ClassificationMetrics":
    case "system.SlicedClassificationMetrics":
      return <ClassificationViewer artifacts={[{ name: a.name, metadata: a.metadata }]} />;
    case "system.HTML":
      return <HtmlViewer artifact={a} />;
    case "system.Markdown":
      return <MarkdownViewer artifact={a} />;
    case "system.Dataset":
      return <DatasetPreview artifact={a} />;
    case "system.Model":
      return <ModelViewer artifact={a} />;
    default:
      return <MetadataTable metadata={a.metadata} />;
  }
}

/** One artifact in a card: its name, type, size, links to lineage and download, and its viewer. */
export function ArtifactViewer({ name, artifact }: { name: string; artifact: Artifact }): React.JSX.Element {
  return (
    <section className="artifact card" data-artifact={name} data-schema={artifact.schema_title}>
      <div className="card-title">
        <span className="grow">{name}</span>
        <span className="chip">{artifact.schema_title.replace(/^system\./, "")}</span>
      </div>
      <div className="card-body">
        <div className="row small muted" style={{ marginBottom: 8 }}>
          <span>{formatBytes(artifact.size_bytes)}</span>
          <Link to={`/artifacts/${encodeURIComponent(artifact.artifact_id)}`}>Lineage</Link>
          <a href={artifactDownloadUrl(artifact.artifact_id)} download>
            Download
          </a>
        </div>
        {body(artifact)}
      </div>
    </section>
  );
}
