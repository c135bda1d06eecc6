import { collected, component, parallelFor, param, pipeline } from "../../src/index.ts";

/** Mirrors the corpus pipeline `critical/collected_parameters`: fan-in of a loop's outputs in a nested pipeline. */
export const splitIds = component({
  name: "split_ids",
  inputs: { ids: param.string() },
  outputs: { Output: param.list<string>() },
  run: ({ ids }) => ({ Output: ids.split(",") }),
});

export const prependId = component({
  name: "prepend_id",
  inputs: { content: param.string() },
  outputs: { Output: param.string() },
  run: ({ content }) => ({ Output: `model_id_${content}` }),
});

export const consumeSingleId = component({
  name: "consume_single_id",
  inputs: { id: param.string() },
  outputs: { Output: param.string() },
  run: ({ id }) => {
    console.log(`Consuming single: ${id}`);
    return { Output: "completed" };
  },
});

export const consumeIds = component({
  name: "consume_ids",
  inputs: { ids: param.list<string>() },
  outputs: { Output: param.string() },
  run: ({ ids }) => {
    for (const id of ids) console.log(`Consuming: ${id}`);
    return { Output: "completed" };
  },
});

export const collectingParameters = pipeline(
  { name: "collecting_parameters", params: { model_ids: param.string({ default: "" }) } },
  (p) => {
    const ids = splitIds({ ids: p.model_ids });
    const prepended = parallelFor(ids.outputs.Output, (id) => {
      const task = prependId({ content: id }).setCaching(false);
      consumeSingleId({ id: task.outputs.Output }).setCaching(false);
      return task;
    });
    consumeIds({ ids: collected(prepended.outputs.Output) }).setCaching(false);
    return { Output: collected(prepended.outputs.Output) };
  },
);

export const collectedParamPipeline = pipeline({ name: "collected-param-pipeline" }, () => {
  const inner = collectingParameters({ model_ids: "s1,s2,s3" }).setCaching(false);
  consumeIds({ ids: inner.outputs.Output }).setCaching(false);
});

export default collectedParamPipeline;
