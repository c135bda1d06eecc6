/**
 * Experiments: the list (available or archived) with a create form; one experiment shows
 * its runs, with archive/restore and delete (confirmed; its runs go with it).
 */
import { useState } from "react";
import {
  archiveExperiment,
  createExperiment,
  deleteExperiment,
  getExperiment,
  listExperiments,
  unarchiveExperiment,
} from "../api/index.ts";
import { ConfirmButton } from "../components/confirm.tsx";
import { Pager, usePageTokens } from "../components/pager.tsx";
import { Card, ErrorAlert, Loading, PageHeader } from "../components/ui.tsx";
import { useAsync } from "../components/use-async.ts";
import { formatTime } from "../format.ts";
import { Link, navigate } from "../router.tsx";
import { RunsPage } from "./runs-page.tsx";

function ExperimentDetails({ id }: { id: string }): React.JSX.Element {
  const exp = useAsync(() => getExperiment(id), [id]);
  const archived = exp.data?.storage_state === "ARCHIVED";
  return (
    <div className="page">
      <PageHeader
        crumbs={
          <>
            <Link to="/experiments">Experiments</Link> / {exp.data?.display_name ?? id}
          </>
        }
        title={exp.data?.display_name ?? id}
        subtitle={exp.data?.description}
        actions={
          exp.data ? (
            <>
              <ConfirmButton
                label={archived ? "Restore" : "Archive"}
                title={archived ? "Restore this experiment?" : "Archive this experiment?"}
                message={
                  archived
                    ? "The experiment comes back to the list; its runs stay archived until restored one by one."
                    : "The experiment and all its runs are archived: they leave the default lists, and nothing is deleted."
                }
                onConfirm={() => (archived ? unarchiveExperiment(id) : archiveExperiment(id))}
                onDone={exp.reload}
              />
              <ConfirmButton
                label="Delete"
                danger
                title="Delete this experiment?"
                message={
                  <>
                    <strong>{exp.data.display_name}</strong>, its runs (with their tasks, metrics and lineage records)
                    and its recurring runs are deleted. Artifact files stay on disk. An experiment with an active run
                    cannot be deleted: terminate the run first.
                  </>
                }
                onConfirm={() => deleteExperiment(id, true)}
                onDone={() => navigate("/experiments")}
              />
            </>
          ) : undefined
        }
      />
      {exp.error ? <ErrorAlert error={exp.error} /> : null}
      <RunsPage experimentId={id} embedded />
    </div>
  );
}

/** The page; with `experimentId`, that experiment's runs. */
export function ExperimentsPage({ experimentId }: { experimentId?: string | undefined }): React.JSX.Element {
  const pages = usePageTokens();
  const pageToken = pages.pageToken;
  const [showArchived, setShowArchived] = useState(false);
  // an experiment's own page lists its runs, not the experiments
  const list = useAsync(
    (s) =>
      experimentId
        ? Promise.resolve(undefined)
        : listExperiments(
            {
              pageSize: 25,
              pageToken,
              sortBy: "created_at desc",
              filter: {
                predicates: [
                  { key: "storage_state", operation: "EQUALS", string_value: showArchived ? "ARCHIVED" : "AVAILABLE" },
                ],
              },
            },
            s,
          ),
    [pageToken, experimentId, showArchived],
  );
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [error, setError] = useState<unknown>();
  if (experimentId) return <ExperimentDetails id={experimentId} />;
  const create = async (e: React.FormEvent): Promise<void> => {
    e.preventDefault();
    setError(undefined);
    try {
      if (!name.trim()) throw new Error("Give the experiment a name.");
      await createExperiment(name.trim(), description.trim());
      setName("");
      setDescription("");
      list.reload();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <div className="page">
      <PageHeader
        title="Experiments"
        subtitle="Groups of related runs."
        actions={
          <select
            className="select"
            aria-label="Available or archived experiments"
            value={showArchived ? "archived" : "available"}
            onChange={(e) => {
              setShowArchived(e.target.value === "archived");
              pages.reset();
            }}
            data-testid="experiments-storage"
          >
            <option value="available">Available experiments</option>
            <option value="archived">Archived experiments</option>
          </select>
        }
      />
      <Card title="New experiment">
        <form className="toolbar" onSubmit={(e) => void create(e)} aria-label="Create experiment">
          <input
            className="input"
            placeholder="Name"
            aria-label="Experiment name"
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
          <input
            className="input grow"
            placeholder="Description (optional)"
            aria-label="Experiment description"
            value={description}
            onChange={(e) => setDescription(e.target.value)}
          />
          <button type="submit" className="btn btn-primary">
            Create
          </button>
        </form>
        {error ? <ErrorAlert error={error} /> : null}
      </Card>
      {list.error ? <ErrorAlert error={list.error} onRetry={list.reload} /> : null}
      {list.loading && !list.data ? <Loading /> : null}
      {list.data ? (
        <div className="card table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Description</th>
                <th>Last run</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((x) => (
                <tr key={x.experiment_id}>
                  <td className="cell-name">
                    <Link
                      to={`/experiments/${encodeURIComponent(x.experiment_id)}`}
                      title={x.display_name || x.experiment_id}
                    >
                      {x.display_name || x.experiment_id}
                    </Link>
                  </td>
                  <td className="muted">{x.description ?? ""}</td>
                  <td className="cell-time">{formatTime(x.last_run_created_at)}</td>
                  <td className="cell-time">{formatTime(x.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <Pager pages={pages} nextPageToken={list.data?.nextPageToken} />
    </div>
  );
}
