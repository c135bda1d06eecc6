/** Form inputs for typed pipeline parameters, with inline errors. */
import { describeType, type ParamField } from "./params-form.ts";

/** One input per parameter: text, number, checkbox, or JSON text area. */
export function ParamsFields(props: {
  fields: ParamField[];
  texts: Record<string, string>;
  errors: Record<string, string>;
  onChange: (name: string, text: string) => void;
}): React.JSX.Element {
  if (props.fields.length === 0) return <p className="muted">This pipeline takes no parameters.</p>;
  return (
    <div className="form-grid">
      {props.fields.map((f) => {
        const id = `param-${f.name}`;
        const err = props.errors[f.name];
        const text = props.texts[f.name] ?? "";
        const common = {
          id,
          name: f.name,
          "aria-invalid": err ? true : undefined,
          "aria-describedby": `${id}-hint`,
        };
        return (
          <div className="field" key={f.name}>
            <label htmlFor={id}>
              {f.name} <span className="chip">{f.type.toLowerCase().replace("number_", "")}</span>
              {f.optional ? null : <span className="muted"> (required)</span>}
            </label>
            {f.type === "BOOLEAN" ? (
              <label className="row">
                <input
                  {...common}
                  type="checkbox"
                  checked={text === "true"}
                  onChange={(e) => props.onChange(f.name, e.target.checked ? "true" : "false")}
                />
                {text === "true" ? "true" : "false"}
              </label>
            ) : f.type === "LIST" || f.type === "STRUCT" ? (
              <textarea
                {...common}
                className="textarea"
                rows={3}
                value={text}
                onChange={(e) => props.onChange(f.name, e.target.value)}
              />
            ) : (
              <input
                {...common}
                className="input"
                inputMode={f.type === "STRING" ? "text" : "decimal"}
                value={text}
                onChange={(e) => props.onChange(f.name, e.target.value)}
              />
            )}
            <span className="hint" id={`${id}-hint`}>
              {err ? (
                <span style={{ color: "var(--danger)" }} role="alert">
                  {err}
                </span>
              ) : (
                (f.description ?? `Enter ${describeType(f.type)}.`)
              )}
            </span>
          </div>
        );
      })}
    </div>
  );
}
