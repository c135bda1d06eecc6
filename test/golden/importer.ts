import { artifact, importer, param, pipeline } from "../../src/index.ts";
import { trainModel } from "./_components.ts";

/** Importers of an existing artifact: a constant URI with metadata, and a URI from a pipeline parameter. */
export default pipeline(
  { name: "pipeline-with-importer", params: { dataUri: param.string({ default: "gs://bucket/data.csv" }) } },
  (p) => {
    const fixed = importer({
      uri: "gs://bucket/reference.csv",
      type: artifact.Dataset,
      metadata: { source: "reference", rows: 1000 },
    });
    const dynamic = importer({ uri: p.dataUri, type: artifact.Dataset, reimport: true });
    trainModel({ data: fixed.outputs.artifact });
    trainModel({ data: dynamic.outputs.artifact, kind: "logreg" });
  },
);
