import { component, exitHandler, param, pipeline, when } from "../../src/index.ts";
import { echo, randomNumber } from "./_components.ts";

/** An exit handler whose final task gets the pipeline parameters and the final status of the guarded tasks. */
export const notify = component({
  name: "notify",
  inputs: { channel: param.string(), status: param.taskFinalStatus() },
  run: ({ channel, status }) => {
    console.log(`[${channel}] ${status.pipelineTaskName} ended ${status.state}`);
  },
});

export default pipeline({ name: "exit-handler", params: { channel: param.string({ default: "#ml" }) } }, (p) => {
  const finalTask = notify({ channel: p.channel });
  exitHandler(finalTask, () => {
    const n = randomNumber();
    echo({ msg: p.channel });
    when(n.outputs.Output.lt(10), () => {
      echo({ msg: "small" });
    });
  });
});
