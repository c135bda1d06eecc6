/** ROC curve, precision-recall curve and confusion matrix of one or more ClassificationMetrics artifacts. */
import type { Json } from "../api/index.ts";
import {
  averagePrecision,
  confusionOf,
  curveRows,
  prSeries,
  rocArea,
  rocSeries,
  withPrecision,
} from "../charts/classification.ts";
import { ConfusionMatrix } from "../charts/confusion-matrix.tsx";
import { CurveChart, type Series } from "../charts/curve-chart.tsx";

/** What a partial curve shows instead of an area. */
const PARTIAL = "no area: the logged thresholds do not span the whole curve";

/** `name 0.123`, with the pipeline's own value beside it when it logged one that differs in the shown digits. */
function areaLabel(name: string, area: number | undefined, logged: Json | undefined): string {
  if (area === undefined) return PARTIAL;
  const shown = area.toFixed(3);
  const own = typeof logged === "number" && Number.isFinite(logged) ? logged.toFixed(3) : undefined;
  return own === undefined || own === shown ? `${name} ${shown}` : `${name} ${shown} (logged ${own})`;
}

/** Several artifacts overlay their curves (run comparison); the confusion matrix is shown for each. */
export function ClassificationViewer(props: {
  artifacts: Array<{ name: string; metadata: Record<string, Json> | undefined }>;
  showConfusion?: boolean;
}): React.JSX.Element {
  const roc: Series[] = [];
  const pr: Series[] = [];
  const rocLegend = new Map<Series, string>();
  const prLegend = new Map<Series, string>();
  const matrices: Array<{ name: string; m: NonNullable<ReturnType<typeof confusionOf>> }> = [];
  for (const a of props.artifacts) {
    const rows = curveRows(a.metadata);
    const cm = confusionOf(a.metadata);
    if (rows.length > 0) {
      const s = rocSeries(a.name, rows);
      roc.push(s);
      rocLegend.set(s, areaLabel("ROC-AUC", rocArea(rows), a.metadata?.auRoc));
    }
    const p = prSeries(a.name, rows, cm);
    if (p) {
      pr.push(p);
      const ap = averagePrecision(withPrecision(rows, cm));
      prLegend.set(p, areaLabel("average precision (PR-AUC)", ap, a.metadata?.auPrc));
    }
    if (cm) matrices.push({ name: a.name, m: cm });
  }
  if (roc.length === 0 && matrices.length === 0)
    return <p className="muted">No ROC curve or confusion matrix was logged.</p>;
  return (
    <div className="chart-row">
      {roc.length > 0 ? (
        <div data-testid="roc-chart">
          <CurveChart
            title="ROC curve"
            xLabel="False positive rate"
            yLabel="True positive rate"
            series={roc}
            diagonal="up"
            legendValue={(s) => rocLegend.get(s) ?? ""}
          />
        </div>
      ) : null}
      {pr.length > 0 ? (
        <div data-testid="pr-chart">
          <CurveChart
            title="Precision-recall curve"
            xLabel="Recall"
            yLabel="Precision"
            series={pr}
            legendValue={(s) => prLegend.get(s) ?? ""}
          />
        </div>
      ) : null}
      {props.showConfusion === false
        ? null
        : matrices.map((x) => (
            <div key={x.name} data-testid="confusion-matrix">
              <ConfusionMatrix data={x.m} />
            </div>
          ))}
    </div>
  );
}
