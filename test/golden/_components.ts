/** Small components shared by the golden pipelines (not a golden pipeline itself). */
import { readFileSync, writeFileSync } from "node:fs";
import { artifact, component, param } from "../../src/index.ts";

export const echo = component({
  name: "echo",
  inputs: { msg: param.string() },
  run: ({ msg }) => {
    console.log(msg);
  },
});

export const randomNumber = component({
  name: "random_number",
  inputs: { low: param.int({ default: 0 }), high: param.int({ default: 100 }) },
  outputs: { Output: param.int() },
  run: ({ low, high }) => ({ Output: low + Math.floor(Math.random() * (high - low + 1)) }),
});

export const makeDataset = component({
  name: "make_dataset",
  inputs: { rows: param.int({ default: 100 }) },
  outputs: { data: artifact.Dataset },
  run: ({ rows }, { data }) => {
    writeFileSync(data.path, Array.from({ length: rows }, (_, i) => `${i}`).join("\n"));
    data.metadata.rows = rows;
  },
});

export const trainModel = component({
  name: "train_model",
  inputs: { data: artifact.Dataset, kind: param.string({ default: "mlp" }), lr: param.float({ default: 0.01 }) },
  outputs: { model: artifact.Model, score: param.float() },
  run: ({ data, kind, lr }, { model }) => {
    const rows = readFileSync(data.path, "utf8").split("\n").length;
    writeFileSync(model.path, JSON.stringify({ kind, lr, rows }));
    model.framework = kind;
    return { score: Math.min(1, rows / 1000 + lr) };
  },
});

export const pickBest = component({
  name: "pick_best",
  inputs: { models: artifact.Model.list() },
  outputs: { best: artifact.Model },
  run: ({ models }, { best }) => {
    const first = models[0];
    if (first) writeFileSync(best.path, readFileSync(first.path));
  },
});

export const sumNumbers = component({
  name: "sum_numbers",
  inputs: { values: param.list<number>() },
  outputs: { Output: param.float() },
  run: ({ values }) => ({ Output: values.reduce((a, b) => a + b, 0) }),
});
