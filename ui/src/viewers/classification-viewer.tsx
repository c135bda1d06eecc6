/** ROC curve, precision-recall curve and confusion matrix of one or more ClassificationMetrics artifacts. */
import type { Json } from "../api/index.ts";
import { confusionOf, prSeries, rocPoints, rocSeries } from "../charts/classification.ts";
import { ConfusionMatrix } from "../charts/confusion-matrix.tsx";
import { CurveChart, type Series, trapezoidArea } from "../charts/curve-chart.tsx";

/** Several artifacts overlay their curves (run comparison); the confusion matrix is shown for each. */
export function ClassificationViewer(props: {
  artifacts: Array<{ name: string; metadata: Record<string, Json> | undefined }>;
  showConfusion?: boolean;
}): React.JSX.Element {
  const roc: Series[] = [];
  const pr: Series[] = [];
  const matrices: Array<{ name: string; m: NonNullable<ReturnType<typeof confusionOf>> }> = [];
  for (const a of props.artifacts) {
    const points = rocPoints(a.metadata);
    const cm = confusionOf(a.metadata);
    if (points.length > 0) roc.push(rocSeries(a.name, points));
    const p = prSeries(a.name, points, cm);
    if (p) pr.push(p);
    if (cm) matrices.push({ name: a.name, m: cm });
  }
  if (roc.length === 0 && matrices.length === 0)
    return <p className="muted">No ROC curve or confusion matrix was logged.</p>;
  const auc = (s: Series): string => `AUC ${trapezoidArea(s.points).toFixed(3)}`;
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
            legendValue={auc}
          />
        </div>
      ) : null}
      {pr.length > 0 ? (
        <div data-testid="pr-chart">
          <CurveChart title="Precision-recall curve" xLabel="Recall" yLabel="Precision" series={pr} legendValue={auc} />
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
