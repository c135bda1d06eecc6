/** The model versions a run registered (lineage from the run to the registry), on its overview. */
import { getRunModelVersions } from "../api/index.ts";
import { Card, ErrorAlert } from "../components/ui.tsx";
import { useAsync } from "../components/use-async.ts";
import { Link } from "../router.tsx";
import { AliasBadges, StageBadge, VersionStatus } from "./model-badges.tsx";
import { aliasBadges } from "./models-shape.ts";

const enc = encodeURIComponent;

/** A card of the versions `runId` registered; nothing when it registered none. */
export function RunModels({ runId, state }: { runId: string; state: string | undefined }): React.JSX.Element | null {
  const versions = useAsync((signal) => getRunModelVersions(runId, signal), [runId, state]);
  if (versions.error) {
    return (
      <Card title="Registered models">
        <ErrorAlert error={versions.error} onRetry={versions.reload} />
      </Card>
    );
  }
  const items = versions.data ?? [];
  if (items.length === 0) return null;
  return (
    <Card title="Registered models">
      <table className="table" data-testid="run-model-versions">
        <thead>
          <tr>
            <th>Model version</th>
            <th>Status</th>
            <th>Stage</th>
            <th>Aliases</th>
          </tr>
        </thead>
        <tbody>
          {items.map((v) => (
            <tr key={`${v.name}/${v.version}`} data-model-version={`${v.name}/${v.version}`}>
              <td>
                <Link to={`/models/${enc(v.name)}/versions/${enc(v.version)}`}>
                  {v.name} · version {v.version}
                </Link>
              </td>
              <td>
                <VersionStatus status={v.status} />
              </td>
              <td>
                <StageBadge stage={v.stage} />
              </td>
              <td>
                <AliasBadges
                  name={v.name}
                  aliases={aliasBadges(v.aliases.map((alias) => ({ alias, version: v.version })))}
                  showVersion={false}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Card>
  );
}
