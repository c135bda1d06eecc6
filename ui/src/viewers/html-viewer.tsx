/** An HTML artifact in a sandboxed iframe: no scripts, no same-origin access, no navigation. */
import type { Artifact } from "../api/index.ts";
import { ErrorAlert, Loading } from "../components/ui.tsx";
import { useAsync } from "../components/use-async.ts";
import { readText } from "./content.ts";

/** The viewer. */
export function HtmlViewer({ artifact }: { artifact: Artifact }): React.JSX.Element {
  const html = useAsync(
    () => readText(artifact.artifact_id, 4 * 1024 * 1024, [".html", ".htm"]),
    [artifact.artifact_id],
  );
  if (html.error) return <ErrorAlert error={html.error} />;
  if (!html.data) return <Loading />;
  return (
    <iframe
      className="html-frame"
      title={`HTML artifact ${artifact.name}`}
      sandbox=""
      referrerPolicy="no-referrer"
      srcDoc={html.data.text}
      data-testid="html-viewer"
    />
  );
}
