/**
 * The TypeScript component of the step-metrics benchmark: a training-like loop (a
 * gradient step on a small linear model per step, yielding between epochs as a training
 * library does), logging its loss at every step or not. It lives in its own file because
 * a component's task program is bundled from the file that defines it.
 */
import { component, param, pipeline } from "../../src/sdk/index.ts";

/** Steps of a gradient loop; logs `loss` at each step when `log` is set. */
export const trainLoop = component({
  name: "train_loop",
  inputs: { steps: param.int(), log: param.bool(), width: param.int({ default: 512 }) },
  outputs: { final: param.float(), loop_ms: param.float(), cpu_ms: param.float() },
  run: async ({ steps, log, width }, _outputs, ctx) => {
    const started = performance.now();
    const cpu = process.cpuUsage();
    const x = Float64Array.from({ length: width }, (_, i) => Math.sin(i + 1));
    const w = new Float64Array(width);
    let loss = 0;
    for (let step = 0; step < steps; step++) {
      let dot = 0;
      for (let r = 0; r < 16; r++) {
        for (let i = 0; i < width; i++) dot += (w[i] as number) * (x[i] as number) * (1 + r * 1e-6);
      }
      const err = dot / 16 - 1;
      for (let i = 0; i < width; i++) w[i] = (w[i] as number) - 1e-4 * err * (x[i] as number);
      loss = err * err;
      if (log) ctx.log.metric("loss", loss, { step });
      // an epoch ends every 1,000 steps: the loop yields, as a training library's does
      if (step % 1000 === 999) await new Promise((r) => setImmediate(r));
    }
    const used = process.cpuUsage(cpu);
    return { final: loss, loop_ms: performance.now() - started, cpu_ms: (used.user + used.system) / 1000 };
  },
});

/** One training task. */
export const trainPipeline = pipeline(
  {
    name: "train-loop",
    params: {
      steps: param.int({ default: 100_000 }),
      log: param.bool({ default: false }),
      width: param.int({ default: 512 }),
    },
  },
  (p) => {
    trainLoop({ steps: p.steps, log: p.log, width: p.width });
  },
);
