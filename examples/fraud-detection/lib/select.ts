/**
 * Model selection and the quality gate: the best candidate by test ROC-AUC (PR-AUC breaks
 * ties), and a Markdown summary that says whether the export runs or is skipped.
 */
import { FraudPipelineError } from "./errors.ts";
import type { ModelArtifact } from "./model.ts";

/** The quality gate's thresholds. */
export interface Gate {
  minRocAuc: number;
  minF1: number;
}

/** The winner, its index among the candidates, and whether it clears the gate. */
export interface Selection {
  best: ModelArtifact;
  index: number;
  gatePassed: boolean;
  reasons: string[];
}

/** Picks the best evaluated model and applies the gate. */
export function selectBest(candidates: ModelArtifact[], gate: Gate): Selection {
  let index = -1;
  candidates.forEach((m, i) => {
    if (!m.evaluation) {
      throw new FraudPipelineError(
        "FRAUD_MODEL_FORMAT",
        `select_best: candidate ${i} (${m.kind}) has no evaluation; pass the scored_model outputs of evaluate.`,
      );
    }
    const cur = index >= 0 ? candidates[index]!.evaluation! : undefined;
    if (
      !cur ||
      m.evaluation.rocAuc > cur.rocAuc ||
      (m.evaluation.rocAuc === cur.rocAuc && m.evaluation.prAuc > cur.prAuc)
    ) {
      index = i;
    }
  });
  const best = candidates[index];
  if (!best?.evaluation) {
    throw new FraudPipelineError(
      "FRAUD_BAD_OPTION",
      "select_best: no candidate models; the training loop produced none.",
    );
  }
  const reasons: string[] = [];
  if (!(best.evaluation.rocAuc >= gate.minRocAuc)) {
    reasons.push(`ROC-AUC ${best.evaluation.rocAuc.toFixed(4)} < min_roc_auc ${gate.minRocAuc}`);
  }
  if (!(best.evaluation.f1 >= gate.minF1)) reasons.push(`F1 ${best.evaluation.f1.toFixed(4)} < min_f1 ${gate.minF1}`);
  return { best, index, gatePassed: reasons.length === 0, reasons };
}

/** The run summary: a table of candidates, the winner, the oracle AUC and the gate decision. */
export function summaryMarkdown(candidates: ModelArtifact[], selection: Selection, gate: Gate, oracle: number): string {
  const f = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? "n/a" : v.toFixed(4));
  const lines = [
    "# Fraud detection: model selection",
    "",
    "| model | ROC-AUC | PR-AUC | F1 | precision | recall | train s |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...candidates.map((m, i) => {
      const e = m.evaluation;
      const name = i === selection.index ? `**${m.kind}** (best)` : m.kind;
      return `| ${name} | ${f(e?.rocAuc)} | ${f(e?.prAuc)} | ${f(e?.f1)} | ${f(e?.precision)} | ${f(e?.recall)} | ${m.training.seconds.toFixed(1)} |`;
    }),
    "",
    oracle >= 0
      ? `Oracle ROC-AUC (ranking by the generator's true fraud probabilities): ${f(oracle)}; ` +
        `the best model is ${f(oracle - (selection.best.evaluation?.rocAuc ?? 0))} below it.`
      : "Oracle ROC-AUC: not available (real data has no true probabilities).",
    "",
    `Quality gate: ROC-AUC >= ${gate.minRocAuc} and F1 >= ${gate.minF1}.`,
    "",
    selection.gatePassed
      ? "**Gate passed**: the model is exported to ONNX and a Triton repository, then explained."
      : `**Below the gate** (${selection.reasons.join("; ")}): the export and explain steps are skipped.`,
    "",
  ];
  return lines.join("\n");
}
