import { describe, expect, it } from "vitest";
import { shieldPlaceholders } from "./bundle.ts";

describe("shieldPlaceholders", () => {
  it("hides KFP placeholder text from the launcher without changing what the program means", () => {
    const program =
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the program text deliberately holds template literals
      "globalThis.out = [\"{{$}}\", `x {{$.inputs.parameters['q']}} ${1 + 1} {{${\"z\"}}}`, '{{$.pipeline_job_name}}'];";
    const shielded = shieldPlaceholders(program);
    expect(shielded).not.toMatch(/\{\{\$[.}]/);
    const run = (code: string) => {
      new Function(code)();
      return (globalThis as { out?: unknown }).out;
    };
    expect(run(shielded)).toEqual(run(program));
    expect(run(shielded)).toEqual(["{{$}}", "x {{$.inputs.parameters['q']}} 2 {{z}}", "{{$.pipeline_job_name}}"]);
  });
});
