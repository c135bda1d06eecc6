import { component, param, pipeline, runtimePlaceholders } from "../../src/index.ts";

/** Mirrors the corpus pipeline `critical/pipeline_with_placeholders`: values the runner fills in at task start. */
export const printAllPlaceholders = component({
  name: "print_all_placeholders",
  inputs: {
    job_name: param.string(),
    job_resource_name: param.string(),
    job_id: param.string(),
    task_name: param.string(),
    task_id: param.string(),
  },
  run: (inputs) => {
    const all = Object.values(inputs);
    for (const value of all) {
      if (value.includes("{{") || value === "")
        throw new Error(`Expected the placeholder to be replaced with a value: ${value}`);
    }
    console.log(all.join(", "));
  },
});

export default pipeline({ name: "pipeline-with-placeholders" }, () => {
  printAllPlaceholders({
    job_name: runtimePlaceholders.pipelineJobName,
    job_resource_name: runtimePlaceholders.pipelineJobResourceName,
    job_id: runtimePlaceholders.pipelineJobId,
    task_name: runtimePlaceholders.pipelineTaskName,
    task_id: runtimePlaceholders.pipelineTaskId,
  }).setCaching(false);
});
