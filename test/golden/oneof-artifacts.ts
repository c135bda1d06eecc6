import { oneOf, param, pipeline, when } from "../../src/index.ts";
import { makeDataset, randomNumber, trainModel } from "./_components.ts";

/** OneOf over artifacts from three branches (If / Elif / Else), consumed by a downstream task and returned. */
export default pipeline({ name: "oneof-artifacts", params: { mode: param.string({ default: "auto" }) } }, (p) => {
  const data = makeDataset();
  const n = randomNumber();
  const models: ReturnType<typeof trainModel>[] = [];
  when(p.mode.eq("mlp"), () => {
    models.push(trainModel({ data: data.outputs.data, kind: "mlp" }));
  })
    .elif(n.outputs.Output.gte(50), () => {
      models.push(trainModel({ data: data.outputs.data, kind: "tree" }));
    })
    .otherwise(() => {
      models.push(trainModel({ data: data.outputs.data, kind: "logreg" }));
    });
  const [a, b, c] = models as [
    ReturnType<typeof trainModel>,
    ReturnType<typeof trainModel>,
    ReturnType<typeof trainModel>,
  ];
  const chosen = oneOf(a.outputs.model, b.outputs.model, c.outputs.model);
  const score = oneOf(a.outputs.score, b.outputs.score, c.outputs.score);
  return { model: chosen, score };
});
