/**
 * Managing one run from its page: clone (the create-run form prefilled with the run's
 * pipeline version and parameters), archive or restore, delete (refused while active,
 * with a confirm dialog), and its description and tags, shown and editable.
 */
import { useState } from "react";
import { isActiveRunState } from "../../../src/ir/states.ts";
import { archiveRun, deleteRun, type Run, unarchiveRun, updateRun } from "../api/index.ts";
import { ConfirmButton } from "../components/confirm.tsx";
import { ErrorAlert } from "../components/ui.tsx";
import { navigate } from "../router.tsx";

/** `key=value` lines (or comma separated) as tags; a bad pair is reported by line. */
export function parseTagText(text: string): { tags: Record<string, string>; error?: string } {
  const tags: Record<string, string> = {};
  for (const raw of text.split(/[\n,]/)) {
    const pair = raw.trim();
    if (!pair) continue;
    const eq = pair.indexOf("=");
    const key = eq > 0 ? pair.slice(0, eq).trim() : "";
    if (!key || key.includes(".")) {
      return { tags, error: `"${pair}" is not key=value with a key without "." (e.g. team=fraud).` };
    }
    tags[key] = pair.slice(eq + 1).trim();
  }
  return { tags };
}

/** The header buttons of a run: Clone, Archive/Restore, Delete. */
export function RunManageActions(props: { run: Run | undefined; onChanged: () => void }): React.JSX.Element | null {
  const r = props.run;
  if (!r) return null;
  const active = isActiveRunState(r.state);
  const archived = r.storage_state === "ARCHIVED";
  return (
    <>
      <button
        type="button"
        className="btn"
        onClick={() => navigate(`/runs/${encodeURIComponent(r.run_id)}/clone`)}
        data-testid="clone-run"
      >
        Clone run
      </button>
      <ConfirmButton
        label={archived ? "Restore" : "Archive"}
        title={archived ? "Restore this run?" : "Archive this run?"}
        message={
          archived
            ? "The run comes back to the runs list."
            : "The run leaves the runs list; the Archived view still shows it, and nothing is deleted."
        }
        onConfirm={() => (archived ? unarchiveRun(r.run_id) : archiveRun(r.run_id))}
        onDone={props.onChanged}
      />
      <ConfirmButton
        label="Delete"
        title="Delete this run?"
        danger
        disabled={active}
        disabledReason="Terminate the run before deleting it."
        message={
          <>
            <p style={{ margin: 0 }}>
              <strong>{r.display_name}</strong> and its tasks, logs index, metrics and lineage records are deleted. This
              cannot be undone.
            </p>
            <p className="muted small" style={{ marginBottom: 0 }}>
              Artifact files stay on disk under the server's artifacts directory.
            </p>
          </>
        }
        onConfirm={() => deleteRun(r.run_id)}
        onDone={() => navigate("/")}
      />
    </>
  );
}

/** The run's description and tags, with an editor. */
export function RunAbout(props: { run: Run; onSaved: () => void }): React.JSX.Element {
  const { run } = props;
  const tags = Object.entries(run.tags ?? {});
  const [editing, setEditing] = useState(false);
  const [description, setDescription] = useState(run.description ?? "");
  const [tagText, setTagText] = useState(tags.map(([k, v]) => `${k}=${v}`).join("\n"));
  const [tagError, setTagError] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const save = async (e: React.FormEvent): Promise<void> => {
    e.preventDefault();
    const parsed = parseTagText(tagText);
    setTagError(parsed.error);
    if (parsed.error) return;
    setBusy(true);
    setError(undefined);
    try {
      await updateRun(run.run_id, { description, tags: parsed.tags });
      setEditing(false);
      props.onSaved();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  if (!editing) {
    return (
      <div className="row small" data-testid="run-about" style={{ flexWrap: "wrap" }}>
        <span className={run.description ? "" : "muted"}>{run.description || "No description"}</span>
        <span className="tag-list">
          {tags.map(([k, v]) => (
            <span key={k} className="badge plain" data-testid="run-tag">
              {k}={v}
            </span>
          ))}
        </span>
        <button
          type="button"
          className="btn btn-ghost btn-sm"
          onClick={() => {
            setDescription(run.description ?? "");
            setTagText(tags.map(([k, v]) => `${k}=${v}`).join("\n"));
            setEditing(true);
          }}
        >
          Edit description and tags
        </button>
      </div>
    );
  }
  return (
    <form className="card" onSubmit={(e) => void save(e)} aria-label="Edit description and tags" noValidate>
      <div className="card-body form-grid">
        <div className="field">
          <label htmlFor="run-description">Description</label>
          <textarea
            id="run-description"
            className="textarea"
            rows={3}
            value={description}
            onChange={(e) => setDescription(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="run-tags">Tags (one key=value a line)</label>
          <textarea
            id="run-tags"
            className="textarea"
            rows={3}
            value={tagText}
            aria-invalid={tagError ? true : undefined}
            aria-describedby="run-tags-hint"
            onChange={(e) => {
              setTagText(e.target.value);
              setTagError(undefined);
            }}
          />
          <span className="hint" id="run-tags-hint">
            {tagError ? (
              <span className="field-error" role="alert">
                {tagError}
              </span>
            ) : (
              "Filter runs by a tag in the runs list."
            )}
          </span>
        </div>
        {error ? <ErrorAlert error={error} /> : null}
        <div className="toolbar">
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? "Saving…" : "Save"}
          </button>
          <button type="button" className="btn" onClick={() => setEditing(false)} disabled={busy}>
            Cancel
          </button>
        </div>
      </div>
    </form>
  );
}
