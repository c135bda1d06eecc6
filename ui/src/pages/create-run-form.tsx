/** The "Create run" form: run name, experiment, and one typed field per pipeline parameter. */
import { useMemo, useState } from "react";
import { createRun, type PipelineSpecJson } from "../api/index.ts";
import { ErrorAlert } from "../components/ui.tsx";
import { useExperimentNames } from "../hooks/lookups.ts";
import { navigate } from "../router.tsx";
import { ParamsFields } from "./params-fields.tsx";
import { initialText, paramFields, parseAll } from "./params-form.ts";

/** The form; on success it opens the new run. */
export function CreateRunForm(props: {
  pipelineId: string;
  versionId: string;
  spec: PipelineSpecJson;
  pipelineName: string;
}): React.JSX.Element {
  const fields = useMemo(() => paramFields(props.spec), [props.spec]);
  const [texts, setTexts] = useState<Record<string, string>>(() =>
    Object.fromEntries(fields.map((f) => [f.name, initialText(f)])),
  );
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [runName, setRunName] = useState(
    () => `${props.pipelineName} ${new Date().toISOString().slice(0, 19).replace("T", " ")}`,
  );
  const [experimentId, setExperimentId] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const experiments = useExperimentNames();

  const submit = async (e: React.FormEvent): Promise<void> => {
    e.preventDefault();
    const { values, errors: errs } = parseAll(fields, texts);
    setErrors(errs);
    if (Object.keys(errs).length > 0) return;
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
        pipelineId: props.pipelineId,
        pipelineVersionId: props.versionId,
        parameters: values,
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
