/**
 * The decision of `registerModel` as Markdown (the `decision` output artifact the UI shows):
 * the outcome, the rule that decided, and every rule with the value, the threshold and
 * pass or fail.
 */
import type { Decision } from "./policy.ts";

/** What the decision page says besides the policy's results. */
export interface DecisionContext {
  modelName: string;
  version: string;
  /** `models:/name/N`. */
  modelUri: string;
  source: string;
  /** The champion before this registration, if any. */
  previousChampion?: string;
  /** Metrics the rules were evaluated on. */
  metrics: Record<string, number>;
}

/** A number as the page shows it: up to 6 significant digits. */
export function formatNumber(value: number | undefined): string {
  if (value === undefined) return "-";
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(6)));
}

const cell = (text: string) => text.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\n/g, " ");

/** The Markdown page of a decision. */
export function decisionMarkdown(decision: Decision, ctx: DecisionContext): string {
  const outcome = decision.thresholdFailed
    ? `**Not promoted: a threshold failed.** Version ${ctx.version} stays registered as \`challenger\`, and the task fails.`
    : decision.promoted
      ? `**Promoted:** version ${ctx.version} is now \`champion\`${ctx.previousChampion ? ` (was version ${ctx.previousChampion})` : ""}.`
      : `**Not promoted:** version ${ctx.version} stays \`challenger\`${ctx.previousChampion ? `; \`champion\` stays version ${ctx.previousChampion}` : ""}.`;
  const lines = [
    `# ${cell(ctx.modelName)} version ${ctx.version}`,
    "",
    outcome,
    "",
    `Decided by: ${cell(decision.decidedBy)}.`,
    "",
  ];
  if (decision.results.length > 0) {
    lines.push("| rule | metric | value | threshold | result |", "| --- | --- | --- | --- | --- |");
    for (const r of decision.results) {
      const result = r.passed ? "pass" : "**fail**";
      lines.push(
        `| ${cell(r.rule)} | ${cell(r.metric)} | ${formatNumber(r.value)} | ${formatNumber(r.threshold)} | ${result}: ${cell(r.note)} |`,
      );
    }
  } else {
    lines.push("The policy has no rules: every registered version becomes champion.");
  }
  lines.push("", `- model: \`${ctx.modelUri}\``, `- source: \`${ctx.source}\``);
  const names = Object.keys(ctx.metrics).sort();
  if (names.length > 0) {
    lines.push(`- metrics: ${names.map((n) => `${cell(n)} = ${formatNumber(ctx.metrics[n])}`).join(", ")}`);
  }
  return `${lines.join("\n")}\n`;
}
