import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Artifact, ClassificationMetrics, Dataset, HTML, Markdown, Metrics, Model } from "weft";
import type { Json } from "../../ui/src/api/index.ts";
import { averagePrecision, curveRows, rocArea } from "../../ui/src/charts/classification.ts";
import {
  evaluate,
  explain,
  exportModel,
  loadData,
  preprocess,
  selectBestModel,
  smokeSample,
  train,
  validateData,
} from "./components.ts";
import { readModel } from "./lib/model.ts";
import { loadOnnx } from "./lib/onnx.ts";
import { TABFORMER_COLUMNS } from "./lib/schema.ts";

const dir = mkdtempSync(join(tmpdir(), "fraud-components-"));
const at = (name: string) => join(dir, name);

describe("fraud-detection components on small generated data", () => {
  it("run one after another: load, validate, preprocess, train x2, evaluate x2, select, export, explain", async () => {
    const transactions = new Dataset({ uri: at("transactions.csv") });
    const truth = new Dataset({ uri: at("truth.bin") });
    const loaded = await loadData.run({ rows: 20_000, seed: 5, data_path: "", max_rows: 0 }, { transactions, truth });
    expect(loaded).toEqual({ row_count: 20_000, source: "synthetic(seed=5)" });
    expect(readFileSync(truth.path).length).toBe(20_000 * 4);

    const metrics = new Metrics({ uri: at("validate-metrics.json") });
    const checked = await validateData.run({ transactions, min_rows: 1000, max_fraud_rate: 0.2 }, { metrics });
    expect(checked.rows).toBe(20_000);
    expect(checked.fraud_rate).toBeGreaterThan(0.001);
    expect(metrics.metadata.rows).toBe(20_000);

    const splits = {
      train: new Dataset({ uri: at("train.bin") }),
      validation: new Dataset({ uri: at("validation.bin") }),
      test: new Dataset({ uri: at("test.bin") }),
    };
    const prep = await preprocess.run(
      { transactions, truth, fraud_ratio: 0, validation_fraction: 0.2, test_fraction: 0.2, seed: 5 },
      splits,
    );
    expect(prep.train_rows).toBe(20_000 - 2 * 4000);
    expect(prep.oracle_roc_auc).toBeGreaterThan(0.85);
    expect(splits.test.metadata.rows).toBe(4000);

    const candidates: Model[] = [];
    for (const kind of ["mlp", "logreg"]) {
      const model = new Model({ uri: at(`${kind}.json`) });
      const predictions = new Dataset({ uri: at(`${kind}-pred.bin`) });
      const trained = await train.run(
        { ...splits, kind, learning_rate: 0.003, batch_size: 256, epochs: 4, seed: 5 },
        { model, predictions },
      );
      expect(trained.validation_roc_auc).toBeGreaterThan(0.7);
      expect(model.metadata.backend).toBe("wasm");
      const scored = new Model({ uri: at(`${kind}-scored.json`) });
      const out = {
        metrics: new Metrics({ uri: at(`${kind}-metrics.json`) }),
        classification: new ClassificationMetrics({ uri: at(`${kind}-cm.json`) }),
        report: new HTML({ uri: at(`${kind}-report.html`) }),
        scored_model: scored,
      };
      const e = await evaluate.run({ model, predictions, validation: splits.validation, test: splits.test }, out);
      expect(e.roc_auc).toBeGreaterThan(0.7);
      expect(out.metrics.metadata.roc_auc).toBe(e.roc_auc);
      expect(readFileSync(out.report.path, "utf8")).toContain("<svg");
      expect(JSON.stringify(out.classification.metadata)).toContain("confusionMatrix");
      // the curves the UI draws from the logged rows have the logged areas
      const rows = curveRows(out.classification.metadata as Record<string, Json>);
      expect(rows.length).toBeGreaterThan(20);
      expect(Math.abs((rocArea(rows) as number) - e.roc_auc)).toBeLessThan(1e-3);
      expect(Math.abs((averagePrecision(rows) as number) - e.pr_auc)).toBeLessThan(1e-3);
      expect(out.classification.metadata).toMatchObject({ auRoc: e.roc_auc, auPrc: e.pr_auc });
      expect(readModel(scored.path).evaluation?.rocAuc).toBe(e.roc_auc);
      candidates.push(scored);
    }

    const best = {
      best_model: new Model({ uri: at("best.json") }),
      summary: new Markdown({ uri: at("summary.md") }),
      metrics: new Metrics({ uri: at("best-metrics.json") }),
    };
    const sel = await selectBestModel.run(
      { candidates, min_roc_auc: 0.5, min_f1: 0, oracle_roc_auc: prep.oracle_roc_auc },
      best,
    );
    expect(sel.gate_passed).toBe(true);
    expect(["mlp", "logreg"]).toContain(sel.best_kind);
    expect(readFileSync(best.summary.path, "utf8")).toContain("**Gate passed**");

    const exported = {
      onnx_model: new Model({ uri: at("model.onnx") }),
      triton_repository: new Artifact({ uri: at("triton") }),
    };
    const ex = await exportModel.run({ best_model: best.best_model, test: splits.test }, exported);
    expect(ex.max_abs_diff).toBeLessThanOrEqual(1e-5);
    expect(existsSync(join(exported.triton_repository.path, "fraud_detection", "1", "model.onnx"))).toBe(true);
    expect(existsSync(join(exported.triton_repository.path, "fraud_detection", "config.pbtxt"))).toBe(true);

    // the smoke test deployModel sends: the exported model answers it within its tolerance
    const smoke = new Artifact({ uri: at("smoke.json") });
    await smokeSample.run({ best_model: best.best_model, test: splits.test, rows: 8 }, { smoke_test: smoke });
    const sample = JSON.parse(readFileSync(smoke.path, "utf8")) as {
      inputs: Array<{ name: string; shape: number[]; data: number[] }>;
      expected: Record<string, number[]>;
      tolerance: number;
    };
    expect(sample.inputs[0]?.shape).toEqual([8, readModel(best.best_model.path).featureNames.length]);
    const width = sample.inputs[0]!.shape[1]!;
    const served = await (await loadOnnx(readFileSync(exported.onnx_model.path), width)).predict(
      Float32Array.from(sample.inputs[0]!.data),
    );
    const expected = sample.expected.fraud_probability!;
    expect(expected).toHaveLength(8);
    for (const [i, p] of served.entries()) {
      expect(Math.abs(p - expected[i]!)).toBeLessThanOrEqual(sample.tolerance);
    }

    const shap = new Markdown({ uri: at("shap.md") });
    const explained = await explain.run(
      { onnx_model: exported.onnx_model, test: splits.test, sample_rows: 16, permutations: 4, seed: 1 },
      { shap_report: shap },
    );
    const report = readFileSync(shap.path, "utf8");
    expect(report).toContain(`| 1 | ${explained.top_feature} |`);
  }, 120_000);

  it("select_best says so in the summary when the best model is below the gate", async () => {
    const scored = at("gate-model.json");
    const model = readModel(at("mlp-scored.json"));
    writeFileSync(scored, JSON.stringify({ ...model, evaluation: { ...model.evaluation, rocAuc: 0.6, f1: 0.05 } }));
    const out = {
      best_model: new Model({ uri: at("gate-best.json") }),
      summary: new Markdown({ uri: at("gate.md") }),
      metrics: new Metrics({ uri: at("gate-metrics.json") }),
    };
    const sel = await selectBestModel.run(
      { candidates: [new Model({ uri: scored })], min_roc_auc: 0.9, min_f1: 0.2, oracle_roc_auc: -1 },
      out,
    );
    expect(sel.gate_passed).toBe(false);
    expect(out.metrics.metadata.gate_passed).toBe(0);
    const text = readFileSync(out.summary.path, "utf8");
    expect(text).toContain("**Below the gate** (ROC-AUC 0.6000 < min_roc_auc 0.9; F1 0.0500 < min_f1 0.2)");
    expect(text).toContain("export and explain steps are skipped");
  });

  it("validate_data fails the run with every problem listed", async () => {
    const bad = at("bad.csv");
    const rows = [TABFORMER_COLUMNS.join(",")];
    for (let i = 0; i < 50; i++) {
      rows.push(`1,0,1850,13,1,10:00,$12.00,Chip Transaction,,Austin,TX,78701.0,12,,No`);
    }
    writeFileSync(bad, `${rows.join("\n")}\n`);
    const metrics = new Metrics({ uri: at("bad-metrics.json") });
    const run = validateData.run(
      { transactions: new Dataset({ uri: bad }), min_rows: 1000, max_fraud_rate: 0.2 },
      { metrics },
    );
    await expect(run).rejects.toMatchObject({ code: "FRAUD_DATA_INVALID" });
    await expect(run).rejects.toThrow(`Year outside 1990..2030 in 50 row(s), first at ${bad}:2 has 1850`);
    await expect(run).rejects.toThrow(`Month outside 1..12 in 50 row(s), first at ${bad}:2 has 13`);
    await expect(run).rejects.toThrow(
      `MCC not a 4-digit merchant category code in 50 row(s), first at ${bad}:2 has 12`,
    );
    await expect(run).rejects.toThrow(/50 rows have an empty Merchant Name/);
    await expect(run).rejects.toThrow(/50 rows, at least 1000 are needed/);
    await expect(run).rejects.toThrow(/fraud rate 0\.000% \(0 of 50\)/);
  });

  it("load_data streams a real TabFormer file from data_path, honouring max_rows", async () => {
    mkdirSync(at("real"), { recursive: true });
    const src = at("real/card_transaction.v1.csv");
    const lines = [TABFORMER_COLUMNS.join(",")];
    for (let i = 0; i < 30; i++) {
      lines.push(
        `0,0,2002,9,${1 + (i % 28)},06:21,$${i}.50,Swipe Transaction,352721,La Verne,CA,91750.0,5300,,${i % 10 ? "No" : "Yes"}`,
      );
    }
    writeFileSync(src, `${lines.join("\n")}\n`);
    const transactions = new Dataset({ uri: at("real/out.csv") });
    const truth = new Dataset({ uri: at("real/truth.bin") });
    const res = await loadData.run({ rows: 1, seed: 1, data_path: src, max_rows: 20 }, { transactions, truth });
    expect(res).toEqual({ row_count: 20, source: src });
    expect(readFileSync(transactions.path, "utf8").trim().split("\n")).toEqual(lines.slice(0, 21));
    expect(readFileSync(truth.path).length).toBe(0);

    // Real data has no true probabilities: preprocess reports the oracle AUC as -1.
    const splits = {
      train: new Dataset({ uri: at("real/train.bin") }),
      validation: new Dataset({ uri: at("real/validation.bin") }),
      test: new Dataset({ uri: at("real/test.bin") }),
    };
    const prep = await preprocess.run(
      { transactions, truth, fraud_ratio: 0, validation_fraction: 0.25, test_fraction: 0.25, seed: 1 },
      splits,
    );
    expect(prep).toEqual({ oracle_roc_auc: -1, train_rows: 10 });
  });
});
