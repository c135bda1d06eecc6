/** A Markdown artifact rendered with marked and sanitized with DOMPurify. */
import DOMPurify from "dompurify";
import { marked } from "marked";
import { useMemo } from "react";
import type { Artifact } from "../api/index.ts";
import { ErrorAlert, Loading } from "../components/ui.tsx";
import { useAsync } from "../components/use-async.ts";
import { readText } from "./content.ts";

/** Markdown to safe HTML (scripts, event handlers and javascript: URLs are removed). */
export function renderMarkdown(text: string): string {
  const raw = marked.parse(text, { async: false, gfm: true });
  return DOMPurify.sanitize(raw, { USE_PROFILES: { html: true } });
}

/** The viewer. */
export function MarkdownViewer({ artifact }: { artifact: Artifact }): React.JSX.Element {
  const md = useAsync(
    () => readText(artifact.artifact_id, 2 * 1024 * 1024, [".md", ".markdown"]),
    [artifact.artifact_id],
  );
  const html = useMemo(() => (md.data ? renderMarkdown(md.data.text) : ""), [md.data]);
  if (md.error) return <ErrorAlert error={md.error} />;
  if (!md.data) return <Loading />;
  // biome-ignore lint/security/noDangerouslySetInnerHtml: sanitized by DOMPurify above
  return <div className="markdown" data-testid="markdown-viewer" dangerouslySetInnerHTML={{ __html: html }} />;
}
