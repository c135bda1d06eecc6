import { component, containerComponent, pipeline } from "../../src/index.ts";

/** Mirrors the corpus pipeline `critical/pipeline_with_env`. */
export const printEnvOp = component({
  name: "print_env_op",
  run: () => {
    console.log("ENV1", process.env.ENV1);
    console.log("ENV2", process.env.ENV2);
  },
});

export const printEnv = containerComponent({
  name: "print-env",
  image: "alpine",
  command: ["sh", "-c", 'set -e -x\necho "$ENV1"\necho "$ENV2"\necho "$ENV3"\n'],
});

export const pipelineWithEnv = pipeline({ name: "pipeline-with-env" }, () => {
  printEnvOp().setEnv("ENV1", "val1");
  printEnv().setEnv("ENV1", "val0").setEnv("ENV2", "val2").setEnv("ENV3", "val3");
});
