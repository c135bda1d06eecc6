/**
 * What the model pages show, as data: a model's latest version and alias badges, the rows
 * of a model's versions with one column per metric, and its alias history in words.
 */
import type { AliasMove, MlflowModelVersion, MlflowRegisteredModel, ModelVersionRecord } from "../api/models.ts";

/** A model's newest version number (of the latest version in each stage), as a string. */
export function latestVersion(m: Pick<MlflowRegisteredModel, "latest_versions">): string | undefined {
  let best: string | undefined;
  for (const v of m.latest_versions ?? []) if (best === undefined || Number(v.version) > Number(best)) best = v.version;
  return best;
}

/** An alias badge: the alias and the version it points at. */
export interface AliasBadge {
  alias: string;
  version: string;
}

/** A model's aliases as badges: `champion` first, then `challenger`, then the rest by name. */
export function aliasBadges(aliases: Array<{ alias: string; version: string }> | undefined): AliasBadge[] {
  const rank = (a: string): number => (a === "champion" ? 0 : a === "challenger" ? 1 : 2);
  return [...(aliases ?? [])].sort((a, b) => rank(a.alias) - rank(b.alias) || a.alias.localeCompare(b.alias));
}

/** The aliases pointing at `version`. */
export function aliasesOf(aliases: Array<{ alias: string; version: string }> | undefined, version: string): string[] {
  return aliasBadges(aliases)
    .filter((a) => a.version === version)
    .map((a) => a.alias);
}

/** A row of a model's versions table. */
export interface VersionRow {
  version: string;
  status: string;
  stage: string;
  aliases: string[];
  createdAt: number | undefined;
  /** The Weft run that made the version (from its record: MLflow's run_id may name one of the run's tasks). */
  runId: string | undefined;
  runName: string | undefined;
  /** One cell per metric column, `undefined` where the version has no such metric. */
  metrics: Array<number | undefined>;
}

/**
 * A model's versions, newest first, with one column per metric any of them recorded (in
 * name order); a version whose record could not be read has empty metric cells.
 */
export function versionTable(
  model: Pick<MlflowRegisteredModel, "aliases">,
  versions: MlflowModelVersion[],
  records: Map<string, ModelVersionRecord>,
): { columns: string[]; rows: VersionRow[] } {
  const columns = [...new Set([...records.values()].flatMap((r) => Object.keys(r.metrics)))].sort();
  const rows = [...versions]
    .sort((a, b) => Number(b.version) - Number(a.version))
    .map((v) => {
      const rec = records.get(v.version);
      return {
        version: v.version,
        status: v.status ?? rec?.status ?? "",
        stage: v.current_stage ?? rec?.stage ?? "None",
        aliases: v.aliases?.length
          ? aliasBadges(v.aliases.map((alias) => ({ alias, version: v.version }))).map((a) => a.alias)
          : aliasesOf(model.aliases, v.version),
        createdAt: v.creation_timestamp ?? rec?.createdAt,
        runId: rec?.runId,
        runName: rec?.runName,
        metrics: columns.map((c) => rec?.metrics[c]),
      };
    });
  return { columns, rows };
}

/** For each metric column, the versions holding its best value (highest, or lowest for a loss or error). */
export function bestInColumn(columns: string[], rows: VersionRow[]): Array<Set<string>> {
  return columns.map((c, i) => {
    const lower = /loss|error|latency|_ms$|mse|mae|rmse/i.test(c);
    let best: number | undefined;
    for (const r of rows) {
      const v = r.metrics[i];
      if (v === undefined || !Number.isFinite(v)) continue;
      if (best === undefined || (lower ? v < best : v > best)) best = v;
    }
    return new Set(
      rows.filter((r) => best !== undefined && r.metrics[i] === best && rows.length > 1).map((r) => r.version),
    );
  });
}

/** A move of an alias in words: set, moved or deleted. */
export interface HistoryRow extends AliasMove {
  action: "set" | "moved" | "deleted";
}

/**
 * A model's alias history, newest first, each move named; `moves` come oldest first (in the
 * order they were made, which also orders moves made within one millisecond).
 */
export function historyRows(moves: AliasMove[]): HistoryRow[] {
  return [...moves].reverse().map((m) => ({
    ...m,
    action: m.to === undefined ? "deleted" : m.from === undefined ? "set" : "moved",
  }));
}

/** A time in milliseconds since the epoch as an RFC 3339 string for the date formatters. */
export const msToIso = (ms: number | undefined): string | undefined =>
  ms === undefined || !Number.isFinite(ms) ? undefined : new Date(ms).toISOString();
