/**
 * The "Create run" form: run name, experiment, description, tags, and one typed field per
 * pipeline parameter. "Clone run" opens it prefilled with a run's values.
 */
import { useMemo, useState } from "react";
import { createRun, type Json, type PipelineSpecJson } from "../api/index.ts";
import { ErrorAlert } from "../components/ui.tsx";
import { useExperimentNames } from "../hooks/lookups.ts";
import { navigate } from "../router.tsx";
import { ParamsFields } from "./params-fields.tsx";
import { initialText, paramFields, parseAll } from "./params-form.ts";
import { parseTagText } from "./run-manage.tsx";

/** Values a cloned run starts the form with. */
export interface RunFormInitial {
  name?: string;
  experimentId?: string;
  description?: string;
  tags?: Record<string, string>;
  parameters?: Record<string, Json>;
}

/**
 * The form; on success it opens the new run. Without `versionId` the run is created from
 * `spec` inline (a cloned run that was not started from a pipeline version).
 */
export function CreateRunForm(props: {
  pipelineId?: string | undefined;
  versionId?: string | undefined;
  spec: PipelineSpecJson;
  pipelineName: string;
  initial?: RunFormInitial;
}): React.JSX.Element {
  const fields = useMemo(() => paramFields(props.spec), [props.spec]);
  const init = props.initial;
  const [texts, setTexts] = useState<Record<string, string>>(() =>
    Object.fromEntries(
      fields.map((f) => {
        const given = init?.parameters?.[f.name];
        return [f.name, initialText(given === undefined ? f : { ...f, defaultValue: given })];
      }),
    ),
  );
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [runName, setRunName] = useState(
    () => init?.name ?? `${props.pipelineName} ${new Date().toISOString().slice(0, 19).replace("T", " ")}`,
  );
  const [experimentId, setExperimentId] = useState(init?.experimentId ?? "");
  const [description, setDescription] = useState(init?.description ?? "");
  const [tagText, setTagText] = useState(
    Object.entries(init?.tags ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(", "),
  );
  const [tagError, setTagError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const experiments = useExperimentNames();

  const submit = async (e: React.FormEvent): Promise<void> => {
    e.preventDefault();
    const { values, errors: errs } = parseAll(fields, texts);
    setErrors(errs);
    const tags = parseTagText(tagText);
    setTagError(tags.error);
    if (Object.keys(errs).length > 0 || tags.error) return;
    if (!runName.trim()) {
      setError(new Error("Give the run a name."));
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const run = await createRun({
        displayName: runName.trim(),
        experimentId: experimentId || undefined,
        ...(props.versionId
          ? { pipelineId: props.pipelineId, pipelineVersionId: props.versionId }
          : { pipelineSpec: props.spec as unknown as Json }),
        parameters: values,
        description: description.trim(),
        tags: tags.tags,
      });
      navigate(`/runs/${encodeURIComponent(run.run_id)}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={(e) => void submit(e)} style={{ display: "grid", gap: 16 }} noValidate aria-label="Create run">
      <div className="form-grid">
        <div className="field">
          <label htmlFor="run-name">Run name</label>
          <input
            id="run-name"
            className="input"
            value={runName}
            onChange={(e) => setRunName(e.target.value)}
            required
          />
        </div>
        <div className="field">
          <label htmlFor="run-experiment">Experiment</label>
          <select
            id="run-experiment"
            className="select"
            value={experimentId}
            onChange={(e) => setExperimentId(e.target.value)}
          >
            <option value="">Default</option>
            {[...experiments].map(([id, n]) => (
              <option key={id} value={id}>
                {n}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="run-description">Description</label>
          <input
            id="run-description"
            className="input"
            value={description}
            onChange={(e) => setDescription(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="run-tags">Tags (key=value, comma separated)</label>
          <input
            id="run-tags"
            className="input"
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
              "e.g. team=fraud, stage=dev"
            )}
          </span>
        </div>
      </div>
      <h3 className="section-title">Parameters</h3>
      <ParamsFields
        fields={fields}
        texts={texts}
        errors={errors}
        onChange={(n, t) => {
          setTexts((x) => ({ ...x, [n]: t }));
          setErrors(({ [n]: _dropped, ...rest }) => rest);
        }}
      />
      {error ? <ErrorAlert error={error} /> : null}
      <div className="toolbar">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? "Starting…" : "Start run"}
        </button>
      </div>
    </form>
  );
}
