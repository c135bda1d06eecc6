import { pipeline } from "../../src/index.ts";
import { makeDataset, trainModel } from "./_components.ts";

/** CPU and memory requests and limits, and a GPU, in both KFP resource field styles. */
export default pipeline({ name: "resources" }, () => {
  const data = makeDataset().setCpuRequest("500m").setMemoryRequest("512Mi");
  trainModel({ data: data.outputs.data })
    .setCpuRequest("1")
    .setCpuLimit("2")
    .setMemoryRequest("1G")
    .setMemoryLimit("4G")
    .setAccelerator("nvidia.com/gpu", 1);
});
