import { fileURLToPath } from "node:url";
import { loadComponentFromFile, type ParamDecl, param, pipeline } from "../../src/index.ts";
import { echo } from "./_components.ts";

/** Components loaded from KFP YAML: a compiled component, a v1 component file, and a whole compiled pipeline. */
export const add = loadComponentFromFile<
  { a: ParamDecl<number, "required">; b: ParamDecl<number, "default"> },
  { Output: ParamDecl<number, "required"> }
>(fileURLToPath(new URL("components/add.yaml", import.meta.url)));

export const shout = loadComponentFromFile(fileURLToPath(new URL("components/shout-v1.yaml", import.meta.url)));

export const afterPipeline = loadComponentFromFile(fileURLToPath(new URL("pipeline-with-after.yaml", import.meta.url)));

export default pipeline({ name: "loaded-components", params: { x: param.float({ default: 2 }) } }, (p) => {
  const sum = add({ a: p.x });
  const again = add({ a: sum.outputs.Output, b: 10 }).setEnv("MODE", "strict");
  afterPipeline().after(again);
  echo({ msg: "done" }).after(again);
  shout({ message: "done", times: 2 });
});
