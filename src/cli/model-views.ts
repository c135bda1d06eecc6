/**
 * The one presentation of `weft models ...` over a {@link ModelSource}, local or remote:
 * the same tables, the same JSON (MLflow's snake_case field names plus Weft's records) and
 * the same errors from the store and from a server.
 */
import { resolve } from "node:path";
import { CliError, ExitCode } from "./errors.ts";
import { colorsFor, formatNumber, formatTime, renderTable } from "./format.ts";
import {
  type AliasMoveView,
  type DatasetView,
  MODEL_STAGES,
  type ModelSource,
  type ModelVersionView,
  type ModelView,
  quoteArg,
  type TensorSpecView,
  versionUri,
} from "./model-source.ts";

/** Options every `models` subcommand takes. */
export interface ModelsOutputOptions {
  json?: boolean;
}

const write = (text: string) => process.stdout.write(text);
const json = (doc: unknown) => write(`${JSON.stringify(doc, null, 2)}\n`);

// ------------------------------------------------------------------ JSON

/** A model as `--json` prints it, from either source. */
export function modelJson(m: ModelView): Record<string, unknown> {
  return compact({
    name: m.name,
    description: m.description,
    tags: m.tags,
    latest_version: m.latestVersion === undefined ? undefined : String(m.latestVersion),
    aliases: Object.fromEntries(Object.entries(m.aliases).map(([a, v]) => [a, String(v)])),
    creation_timestamp: m.createdAt,
    last_updated_timestamp: m.updatedAt,
  });
}

/** A version as `--json` prints it, from either source. */
export function versionJson(v: ModelVersionView): Record<string, unknown> {
  return compact({
    name: v.name,
    version: String(v.version),
    uri: versionUri(v.name, v.version),
    status: v.status,
    status_message: v.statusMessage,
    current_stage: v.stage,
    aliases: v.aliases,
    description: v.description,
    tags: v.tags,
    source: v.source,
    digest: v.digest,
    format: v.format,
    signature: v.signature,
    run_id: v.runId,
    run_name: v.runName,
    task_id: v.taskId,
    task_name: v.taskName,
    pipeline_version_id: v.pipelineVersionId,
    datasets: v.datasets,
    metrics: v.metrics,
    user_id: v.userId,
    creation_timestamp: v.createdAt,
    last_updated_timestamp: v.updatedAt,
  });
}

function aliasMoveJson(m: AliasMoveView): Record<string, unknown> {
  return {
    alias: m.alias,
    from_version: m.from === undefined ? null : String(m.from),
    to_version: m.to === undefined ? null : String(m.to),
    moved_by: m.by ?? null,
    moved_at: m.at ?? null,
  };
}

function compact(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

// ------------------------------------------------------------------ text

function aliasList(aliases: Record<string, number>): string {
  const entries = Object.entries(aliases).sort(([a], [b]) => a.localeCompare(b));
  return entries.length === 0 ? "-" : entries.map(([a, v]) => `${a}=${v}`).join(", ");
}

function tagList(tags: Record<string, string>): string {
  const entries = Object.entries(tags).sort(([a], [b]) => a.localeCompare(b));
  return entries.length === 0 ? "-" : entries.map(([k, v]) => `${k}=${v}`).join(", ");
}

function tensor(t: TensorSpecView): string {
  const shape = t.shape ? ` [${t.shape.map((d) => (d === null ? "?" : String(d))).join(", ")}]` : "";
  return `${t.name}${t.dtype ? ` ${t.dtype}` : ""}${shape}`;
}

function dataset(d: DatasetView): string {
  const label = d.name ?? d.uri ?? "-";
  const parts = [label];
  if (d.uri && d.uri !== label) parts.push(d.uri);
  if (d.digest) parts.push(d.digest);
  if (d.task) parts.push(`(task ${d.task})`);
  return parts.join("  ");
}

function metricNames(versions: ModelVersionView[]): string[] {
  return [...new Set(versions.flatMap((v) => Object.keys(v.metrics)))].sort();
}

function fmtMetric(v: number | undefined): string {
  return v === undefined ? "-" : formatNumber(v);
}

/** The table of versions with their metrics side by side. */
export function renderVersions(versions: ModelVersionView[]): string {
  const names = metricNames(versions);
  const rows = versions.map((v) => [
    String(v.version),
    v.status,
    v.stage,
    v.aliases.length === 0 ? "-" : [...v.aliases].sort().join(", "),
    formatTime(v.createdAt),
    v.runId ?? "-",
    ...names.map((n) => fmtMetric(v.metrics[n])),
  ]);
  return `${renderTable(["VERSION", "STATUS", "STAGE", "ALIASES", "CREATED", "RUN", ...names.map((n) => n.toUpperCase())], rows)}\n`;
}

function renderVersion(v: ModelVersionView): string {
  const lines: [string, string][] = [
    ["status", v.statusMessage ? `${v.status} (${v.statusMessage})` : v.status],
    ["stage", v.stage],
    ["aliases", v.aliases.length === 0 ? "-" : [...v.aliases].sort().join(", ")],
    ["source", v.source ?? "-"],
    ["digest", v.digest ?? "-"],
    ["format", v.format ?? "-"],
  ];
  if (v.signature) {
    const ins = v.signature.inputs.map(tensor);
    const outs = v.signature.outputs.map(tensor);
    lines.push(["inputs", ins.length === 0 ? "-" : ins.join("; ")]);
    lines.push(["outputs", outs.length === 0 ? "-" : outs.join("; ")]);
  } else {
    lines.push(["signature", "-"]);
  }
  lines.push(["run", v.runId ? `${v.runId}${v.runName ? ` (${v.runName})` : ""}` : "-"]);
  lines.push(["task", v.taskName || v.taskId ? `${v.taskName ?? "-"}${v.taskId ? ` (${v.taskId})` : ""}` : "-"]);
  if (v.pipelineVersionId) lines.push(["pipeline version", v.pipelineVersionId]);
  if (v.datasets.length === 0) lines.push(["datasets", "-"]);
  v.datasets.forEach((d, i) => {
    lines.push([i === 0 ? "datasets" : "", dataset(d)]);
  });
  const names = Object.keys(v.metrics).sort();
  if (names.length === 0) lines.push(["metrics", "-"]);
  names.forEach((n, i) => {
    lines.push([i === 0 ? "metrics" : "", `${n} = ${fmtMetric(v.metrics[n])}`]);
  });
  if (v.description) lines.push(["description", v.description]);
  if (Object.keys(v.tags).length > 0) lines.push(["tags", tagList(v.tags)]);
  if (v.userId) lines.push(["registered by", v.userId]);
  lines.push(["created", formatTime(v.createdAt)]);
  lines.push(["updated", formatTime(v.updatedAt)]);
  const width = Math.max(...lines.map(([k]) => k.length));
  const body = lines.map(([k, val]) => `  ${k ? `${k}:` : ""}${" ".repeat(width + 2 - (k ? k.length + 1 : 0))}${val}`);
  return `${versionUri(v.name, v.version)}\n${body.join("\n")}\n`;
}

function renderModel(m: ModelView, versions: ModelVersionView[]): string {
  const lines: [string, string][] = [
    ["description", m.description || "-"],
    ["tags", tagList(m.tags)],
    ["latest version", m.latestVersion === undefined ? "-" : String(m.latestVersion)],
    ["aliases", aliasList(m.aliases)],
    ["created", formatTime(m.createdAt)],
    ["updated", formatTime(m.updatedAt)],
  ];
  const width = Math.max(...lines.map(([k]) => k.length));
  let text = `${m.name}\n${lines.map(([k, v]) => `  ${k}:${" ".repeat(width + 1 - k.length)}${v}`).join("\n")}\n`;
  text += versions.length === 0 ? "\nno versions\n" : `\n${renderVersions(versions)}`;
  return text;
}

// ------------------------------------------------------------------ commands

/** `weft models list`. */
export async function showModelList(
  source: ModelSource,
  opts: ModelsOutputOptions & { filter?: string; limit: number },
): Promise<number> {
  const page = await source.listModels({ limit: opts.limit, ...(opts.filter ? { filter: opts.filter } : {}) });
  if (opts.json) {
    json({ registered_models: page.items.map(modelJson) });
    return ExitCode.ok;
  }
  if (page.items.length === 0) {
    write(`no registered models ${source.where}${opts.filter ? ` match ${opts.filter}` : ""}\n`);
    return ExitCode.ok;
  }
  const rows = page.items.map((m) => [
    m.name,
    m.latestVersion === undefined ? "-" : String(m.latestVersion),
    aliasList(m.aliases),
    formatTime(m.updatedAt),
  ]);
  let text = `${renderTable(["NAME", "LATEST", "ALIASES", "UPDATED"], rows)}\n`;
  if (page.more) text += colorsFor(process.stdout).gray(`(first ${page.items.length}; use --limit to see more)\n`);
  write(text);
  return ExitCode.ok;
}

/** `weft models get NAME | MODEL_URI`. */
export async function showModel(source: ModelSource, ref: string, opts: ModelsOutputOptions): Promise<number> {
  if (ref.startsWith("models:/")) {
    const v = await source.resolveVersion(ref);
    if (opts.json) json(versionJson(v));
    else write(renderVersion(v));
    return ExitCode.ok;
  }
  checkName(ref);
  const m = await source.getModel(ref);
  const versions = await source.listVersions(ref, {});
  if (opts.json) json({ ...modelJson(m), versions: versions.map(versionJson) });
  else write(renderModel(m, versions));
  return ExitCode.ok;
}

/** `weft models versions NAME`. */
export async function showVersions(
  source: ModelSource,
  name: string,
  opts: ModelsOutputOptions & { filter?: string },
): Promise<number> {
  checkName(name);
  const versions = await source.listVersions(name, opts.filter ? { filter: opts.filter } : {});
  if (opts.json) {
    json({ model_versions: versions.map(versionJson) });
    return ExitCode.ok;
  }
  write(
    versions.length === 0
      ? `model "${name}" has no versions${opts.filter ? ` matching ${opts.filter}` : ""} ${source.where}\n`
      : renderVersions(versions),
  );
  return ExitCode.ok;
}

/** Options of `weft models alias`. */
export interface AliasOptions extends ModelsOutputOptions {
  delete?: boolean;
  history?: boolean;
}

/** `weft models alias NAME ALIAS VERSION | NAME ALIAS --delete | NAME [ALIAS] --history`. */
export async function aliasCommand(
  source: ModelSource,
  name: string,
  alias: string | undefined,
  version: string | undefined,
  opts: AliasOptions,
): Promise<number> {
  checkName(name);
  const usage = `${source.prefix} models alias ${quoteArg(name)} ALIAS VERSION (set), ALIAS --delete, or --history`;
  if (opts.history) {
    if (version !== undefined || opts.delete) {
      throw new CliError("BAD_OPTION", `--history takes a model and at most an alias; use: ${usage}`);
    }
    const moves = await source.aliasHistory(name, alias);
    if (opts.json) {
      json({ name, history: moves.map(aliasMoveJson) });
      return ExitCode.ok;
    }
    if (moves.length === 0) {
      write(`no alias of model "${name}"${alias ? ` named "${alias}"` : ""} was ever set ${source.where}\n`);
      return ExitCode.ok;
    }
    const rows = moves.map((m) => [
      formatTime(m.at),
      m.alias,
      m.from === undefined ? "-" : String(m.from),
      m.to === undefined ? "(deleted)" : String(m.to),
      m.by ?? "-",
    ]);
    write(`${renderTable(["MOVED AT", "ALIAS", "FROM", "TO", "BY"], rows)}\n`);
    return ExitCode.ok;
  }
  if (alias === undefined) throw new CliError("BAD_OPTION", `give an alias; use: ${usage}`);
  checkAlias(alias);
  let move: AliasMoveView;
  if (opts.delete) {
    if (version !== undefined) throw new CliError("BAD_OPTION", `--delete takes no version; use: ${usage}`);
    move = await source.deleteAlias(name, alias);
  } else {
    if (version === undefined) throw new CliError("BAD_OPTION", `give the version the alias points at; use: ${usage}`);
    move = await source.setAlias(name, alias, parseVersion(version));
  }
  if (opts.json) {
    json({ name, ...aliasMoveJson(move) });
    return ExitCode.ok;
  }
  write(
    `${name}@${alias}: ${move.from === undefined ? "(none)" : `version ${move.from}`} -> ${move.to === undefined ? "(deleted)" : `version ${move.to}`}\n`,
  );
  return ExitCode.ok;
}

/** `weft models stage NAME VERSION STAGE [--archive-existing]`. */
export async function stageCommand(
  source: ModelSource,
  name: string,
  version: string,
  stage: string,
  opts: ModelsOutputOptions & { archiveExisting?: boolean },
): Promise<number> {
  checkName(name);
  const n = parseVersion(version);
  const target = MODEL_STAGES.find((s) => s.toLowerCase() === stage.toLowerCase());
  if (!target) {
    throw new CliError("BAD_OPTION", `stage "${stage}" is not one of ${MODEL_STAGES.join(", ")}; give one of them`);
  }
  const before = await source.resolveVersion(versionUri(name, n));
  const archived =
    opts.archiveExisting && target !== "Archived" && target !== "None"
      ? (await source.listVersions(name, {})).filter((v) => v.version !== n && v.stage === target).map((v) => v.version)
      : [];
  const after = await source.transitionStage(name, n, target, opts.archiveExisting === true);
  if (opts.json) {
    json({ model_version: versionJson(after), archived_versions: archived.map(String) });
    return ExitCode.ok;
  }
  let text = `${name} version ${n}: ${before.stage} -> ${after.stage}\n`;
  if (archived.length > 0) {
    text += `archived ${archived.length === 1 ? "version" : "versions"} ${archived.sort((a, b) => a - b).join(", ")} (were ${target})\n`;
  }
  write(text);
  return ExitCode.ok;
}

/** Options of `weft models download`. */
export interface DownloadOptions extends ModelsOutputOptions {
  output?: string;
  force?: boolean;
}

/** `weft models download MODEL_URI [-o PATH]`. */
export async function downloadCommand(source: ModelSource, uri: string, opts: DownloadOptions): Promise<number> {
  const v = await source.resolveVersion(toUri(uri));
  const dest = resolve(opts.output ?? defaultDownloadName(v));
  const result = await source.download(v, dest, { force: opts.force === true });
  if (!result.checked) {
    process.stderr.write(
      `weft: ${versionUri(v.name, v.version)} has no recorded digest; the copy at ${result.path} was not checked\n`,
    );
  }
  if (opts.json) {
    json({
      name: v.name,
      version: String(v.version),
      source: v.source,
      path: result.path,
      kind: result.kind,
      digest: result.digest,
      checked: result.checked,
    });
    return ExitCode.ok;
  }
  write(
    `copied ${versionUri(v.name, v.version)} (${result.kind}${result.checked ? `, ${result.digest} checked` : ""}) to ${result.path}\n`,
  );
  return ExitCode.ok;
}

/** The file name a download takes without `-o`: the source's last path segment. */
function defaultDownloadName(v: ModelVersionView): string {
  const last = (v.source ?? "")
    .replace(/[?#].*$/, "")
    .replace(/\/+$/, "")
    .split("/")
    .pop();
  const safe = last && last !== "." && last !== ".." && !/[\\\0]/.test(last) ? decodeSegment(last) : undefined;
  return safe ?? `${v.name}-${v.version}`;
}

function decodeSegment(s: string): string | undefined {
  try {
    const d = decodeURIComponent(s);
    return d === "" || d === "." || d === ".." || /[/\\\0]/.test(d) ? undefined : d;
  } catch {
    return undefined;
  }
}

/** `weft models compare URI URI...` or `NAME V1 V2...`. */
export async function compareCommand(source: ModelSource, args: string[], opts: ModelsOutputOptions): Promise<number> {
  const uris = compareUris(args, source.prefix);
  const versions: ModelVersionView[] = [];
  for (const u of uris) versions.push(await source.resolveVersion(u));
  const names = metricNames(versions);
  const base = versions[0] as ModelVersionView;
  const diffs = differences(versions);
  if (opts.json) {
    json({
      versions: versions.map((v) => ({ name: v.name, version: String(v.version) })),
      metrics: names.map((n) => ({
        name: n,
        values: versions.map((v) => v.metrics[n] ?? null),
        differences: versions.map((v) => {
          const a = base.metrics[n];
          const b = v.metrics[n];
          return a === undefined || b === undefined ? null : b - a;
        }),
      })),
      differs: diffs.map(([field, values]) => ({ field, values })),
    });
    return ExitCode.ok;
  }
  const labels = versions.map((v) => `${v.name}/${v.version}`);
  const header = ["METRIC", labels[0] as string];
  for (const l of labels.slice(1)) header.push(l, versions.length > 2 ? `Δ ${l}` : "Δ");
  const rows = names.map((n) => {
    const a = base.metrics[n];
    const row = [n, fmtMetric(a)];
    for (const v of versions.slice(1)) {
      const b = v.metrics[n];
      row.push(fmtMetric(b), a === undefined || b === undefined ? "-" : signed(b - a));
    }
    return row;
  });
  let text = names.length === 0 ? "no metrics recorded on these versions\n" : `${renderTable(header, rows)}\n`;
  if (diffs.length === 0) {
    text += "\nsame format, signature and datasets\n";
  } else {
    text += "\ndiffers:\n";
    for (const [field, values] of diffs) {
      text += `  ${field}:\n${values.map((val, i) => `    ${labels[i]}: ${val}`).join("\n")}\n`;
    }
  }
  write(text);
  return ExitCode.ok;
}

/** The model URIs `compare` was given: URIs, or a name followed by version numbers. */
export function compareUris(args: string[], prefix: string): string[] {
  const usage = `use: ${prefix} models compare MODEL_URI MODEL_URI... or ${prefix} models compare NAME VERSION VERSION...`;
  if (args.length < 2) throw new CliError("BAD_OPTION", `compare needs two versions or more; ${usage}`);
  const first = args[0] as string;
  if (first.startsWith("models:/")) {
    const stray = args.find((a) => !a.startsWith("models:/"));
    if (stray !== undefined) throw new CliError("BAD_OPTION", `"${stray}" is not a model URI; ${usage}`);
    return args;
  }
  checkName(first);
  const rest = args.slice(1);
  if (rest.length < 2) throw new CliError("BAD_OPTION", `compare needs two versions or more of ${first}; ${usage}`);
  return rest.map((v) => {
    if (/^[1-9]\d*$/.test(v)) return versionUri(first, Number(v));
    if (v.startsWith("@")) return `models:/${first}${v}`;
    const stage = MODEL_STAGES.find((s) => s.toLowerCase() === v.toLowerCase());
    if (stage || v.toLowerCase() === "latest") return `models:/${first}/${v}`;
    throw new CliError("BAD_OPTION", `"${v}" is not a version number, @alias, stage or latest; ${usage}`);
  });
}

function signed(d: number): string {
  return d > 0 ? `+${formatNumber(d)}` : formatNumber(d);
}

/** The fields (format, signature, datasets) whose values differ between versions, as shown. */
function differences(versions: ModelVersionView[]): [string, string[]][] {
  const shown: [string, (v: ModelVersionView) => string][] = [
    ["format", (v) => v.format ?? "-"],
    [
      "signature",
      (v) =>
        v.signature
          ? `inputs ${v.signature.inputs.map(tensor).join("; ") || "-"} / outputs ${v.signature.outputs.map(tensor).join("; ") || "-"}`
          : "-",
    ],
    ["datasets", (v) => (v.datasets.length === 0 ? "-" : v.datasets.map(dataset).sort().join(" | "))],
  ];
  const out: [string, string[]][] = [];
  for (const [field, show] of shown) {
    const values = versions.map(show);
    if (new Set(values).size > 1) out.push([field, values]);
  }
  return out;
}

/** A bare argument as a URI: `NAME` means `models:/NAME/latest`. */
function toUri(ref: string): string {
  if (ref.startsWith("models:/")) return ref;
  checkName(ref);
  return `models:/${ref}/latest`;
}

function parseVersion(text: string): number {
  if (!/^[1-9]\d*$/.test(text)) {
    throw new CliError(
      "BAD_OPTION",
      `version "${text}" is not a version number (1, 2, ...); see: weft models versions NAME`,
    );
  }
  return Number(text);
}

function checkName(name: string): void {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (name === "" || /[/@\x00-\x1f\x7f]/.test(name)) {
    throw new CliError(
      "BAD_OPTION",
      `"${name}" is not a model name (names hold no "/", "@" or control characters); to name a version use a model URI such as models:/NAME/3`,
    );
  }
}

function checkAlias(alias: string): void {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (alias === "" || /[/@\x00-\x1f\x7f]/.test(alias)) {
    throw new CliError("BAD_OPTION", `"${alias}" is not an alias name (no "/", "@" or control characters)`);
  }
  if (/^v\d+$/i.test(alias) || alias.toLowerCase() === "latest") {
    throw new CliError(
      "BAD_OPTION",
      `alias "${alias}" is reserved (MLflow keeps "latest" and v<number> for versions); choose another name`,
    );
  }
}
