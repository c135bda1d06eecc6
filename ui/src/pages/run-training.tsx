/**
 * A run's "Training" tab: the step metrics its tasks logged, one section per task with a
 * chart per metric key, drawn as they arrive while the run is active.
 */
import { StepCharts, useStepMetrics } from "../charts/step-curves.tsx";
import { chartsOfRun } from "../charts/step-series.ts";
import { ErrorAlert, Loading } from "../components/ui.tsx";

/** The tab's content; `live` while the run is active (then it keeps asking for new points). */
export function RunTraining(props: { runId: string; live: boolean }): React.JSX.Element {
  const { series, loaded, error } = useStepMetrics(props.runId, props.live);
  const tasks = [...new Set(series.map((s) => s.taskId))];
  return (
    <section className="training" data-testid="training" aria-live="polite">
      {error ? <ErrorAlert error={error} /> : null}
      {!loaded && !error ? <Loading label="Loading step metrics" /> : null}
      {loaded && tasks.length === 0 ? (
        <p className="muted" data-testid="training-empty">
          {props.live
            ? "No step metrics yet. Curves appear here as the run's tasks log them."
            : "This run logged no step metrics."}{" "}
          A TypeScript component logs them with <code>ctx.log.metric("loss", value, {"{ step }"})</code>.
        </p>
      ) : null}
      {tasks.map((taskId) => {
        const own = series.filter((s) => s.taskId === taskId);
        const name = own[0]?.taskName ?? taskId;
        return (
          <div key={taskId} className="card" data-task-curves={name}>
            <div className="card-title">
              <span className="grow">{name}</span>
              {props.live ? <span className="badge state-RUNNING">live</span> : null}
            </div>
            <div className="card-body">
              <StepCharts charts={chartsOfRun(own)} testId={`step-charts-${name}`} />
            </div>
          </div>
        );
      })}
    </section>
  );
}
