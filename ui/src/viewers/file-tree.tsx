/**
 * The files of a directory artifact as a tree: folders expand on demand (one request per
 * folder opened), a file opens a text preview or downloads under its own name, and a
 * folder downloads as a tar archive. Symbolic links are listed and never followed.
 */
import { useState } from "react";
import {
  artifactArchiveUrl,
  artifactContentUrl,
  type DirItem,
  getArtifactBytes,
  getArtifactDir,
} from "../api/index.ts";
import { ErrorAlert, Loading } from "../components/ui.tsx";
import { useAsync } from "../components/use-async.ts";
import { formatBytes } from "../format.ts";

/** Files larger than this are not previewed; download them. */
const MAX_PREVIEW_BYTES = 256 * 1024;

function Preview({ artifactId, path }: { artifactId: string; path: string }): React.JSX.Element {
  const bytes = useAsync(() => getArtifactBytes(artifactId, path), [artifactId, path]);
  if (bytes.error) return <ErrorAlert error={bytes.error} />;
  if (!bytes.data) return <Loading label="Loading preview" />;
  const view = new Uint8Array(bytes.data);
  if (view.includes(0)) return <p className="muted small">Binary file: download it to open it.</p>;
  return (
    <pre className="file-preview" data-testid="file-preview">
      {new TextDecoder().decode(view)}
    </pre>
  );
}

function Folder({ artifactId, path, depth }: { artifactId: string; path: string; depth: number }): React.JSX.Element {
  const dir = useAsync((signal) => getArtifactDir(artifactId, path || undefined, signal), [artifactId, path]);
  if (dir.error) return <ErrorAlert error={dir.error} onRetry={dir.reload} />;
  if (!dir.data) return <Loading label="Loading files" />;
  if (dir.data.items.length === 0) return <p className="muted small">Empty folder.</p>;
  return (
    <ul className={depth === 0 ? "file-tree file-tree-top" : "file-tree"} aria-label={depth === 0 ? "Files" : path}>
      {dir.data.items.map((item) => (
        <Entry
          key={item.name}
          artifactId={artifactId}
          item={item}
          path={path ? `${path}/${item.name}` : item.name}
          depth={depth}
        />
      ))}
    </ul>
  );
}

function Entry(props: { artifactId: string; item: DirItem; path: string; depth: number }): React.JSX.Element {
  const { artifactId, item, path, depth } = props;
  const [open, setOpen] = useState(false);
  if (item.kind === "dir") {
    return (
      <li data-path={path}>
        <div className="file-row">
          <button
            type="button"
            className="btn btn-ghost btn-sm file-name"
            aria-expanded={open}
            onClick={() => setOpen(!open)}
          >
            {open ? "▾" : "▸"} {item.name}/
          </button>
          <a className="small" href={artifactArchiveUrl(artifactId, path)} download>
            Download .tar
          </a>
        </div>
        {open ? <Folder artifactId={artifactId} path={path} depth={depth + 1} /> : null}
      </li>
    );
  }
  if (item.kind !== "file") {
    return (
      <li data-path={path}>
        <div className="file-row muted">
          <span className="file-name">{item.name}</span>
          <span className="small">{item.kind === "link" ? "symbolic link (not followed)" : "not a regular file"}</span>
        </div>
      </li>
    );
  }
  const previewable = (item.size_bytes ?? 0) <= MAX_PREVIEW_BYTES;
  return (
    <li data-path={path}>
      <div className="file-row">
        <button
          type="button"
          className="btn btn-ghost btn-sm file-name"
          disabled={!previewable}
          title={previewable ? "Preview" : "Too large to preview; download it"}
          aria-expanded={previewable ? open : undefined}
          onClick={() => setOpen(!open)}
        >
          {item.name}
        </button>
        <span className="small muted">{formatBytes(item.size_bytes)}</span>
        <a className="small" href={artifactContentUrl(artifactId, path)} download>
          Download
        </a>
      </div>
      {open && previewable ? <Preview artifactId={artifactId} path={path} /> : null}
    </li>
  );
}

/** The file tree of a directory artifact. */
export function FileTree({ artifactId }: { artifactId: string }): React.JSX.Element {
  return (
    <section className="card" data-testid="file-tree">
      <div className="card-title">
        <span className="grow">Files</span>
        <a className="small" href={artifactArchiveUrl(artifactId)} download>
          Download all (.tar)
        </a>
      </div>
      <div className="card-body">
        <Folder artifactId={artifactId} path="" depth={0} />
      </div>
    </section>
  );
}
