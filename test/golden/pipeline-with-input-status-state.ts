import { component, exitHandler, param, pipeline } from "../../src/index.ts";

/** Mirrors the corpus pipeline `critical/pipeline_with_input_status_state`. */
export const echoState = component({
  name: "echo_state",
  inputs: { status: param.taskFinalStatus() },
  run: ({ status }) => {
    console.log(status.state, status.error.message ?? "");
  },
});

export const someTask = component({
  name: "some_task",
  run: () => {
    throw new Error("fail on purpose to exercise the exit handler");
  },
});

export const statusStatePipeline = pipeline({ name: "status-state-pipeline" }, () => {
  const exitTask = echoState();
  exitHandler(exitTask, () => {
    someTask();
  });
});
