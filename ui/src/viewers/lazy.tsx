/**
 * The artifact viewers, loaded on first use: the charts, Markdown, HTML and Parquet code
 * stays out of the first download of the app.
 */
import { type ComponentProps, lazy, Suspense } from "react";
import { Loading } from "../components/ui.tsx";

const ArtifactViewerImpl = lazy(() => import("./artifact-viewer.tsx").then((m) => ({ default: m.ArtifactViewer })));
const ClassificationViewerImpl = lazy(() =>
  import("./classification-viewer.tsx").then((m) => ({ default: m.ClassificationViewer })),
);

/** {@link import("./artifact-viewer.tsx").ArtifactViewer}, loaded on demand. */
export function ArtifactViewer(props: ComponentProps<typeof ArtifactViewerImpl>): React.JSX.Element {
  return (
    <Suspense fallback={<Loading label="Loading the viewer" />}>
      <ArtifactViewerImpl {...props} />
    </Suspense>
  );
}

/** {@link import("./classification-viewer.tsx").ClassificationViewer}, loaded on demand. */
export function ClassificationViewer(props: ComponentProps<typeof ClassificationViewerImpl>): React.JSX.Element {
  return (
    <Suspense fallback={<Loading label="Loading the charts" />}>
      <ClassificationViewerImpl {...props} />
    </Suspense>
  );
}
