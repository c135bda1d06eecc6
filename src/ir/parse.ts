/**
 * Reading pipeline files: KFP YAML (one PipelineSpec document, optionally followed by a
 * PlatformSpec document) or the same content as JSON.
 */
import { readFileSync } from "node:fs";
import { type Document, isScalar, parseAllDocuments, visit } from "yaml";
import type { z } from "zod";
import { IrParseError } from "./errors.ts";
import { type PipelinePackage, PipelineSpecSchema, PlatformSpecSchema } from "./spec.ts";
import { readBlockYaml } from "./yaml-block.ts";
import { reindentQuotedContinuations } from "./yaml-repair.ts";

const EXPECTED = "expected a KFP PipelineSpec (YAML with pipelineInfo, root, schemaVersion)";

/** 1-based line and column of a character offset. */
function lineCol(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  }
  return { line, col: offset - start + 1 };
}

/** Renders a path from zod or a walker as `a.b.c[0].d`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else out += out === "" ? String(seg) : `.${String(seg)}`;
  }
  return out;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const seg of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[seg];
  }
  return cur;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  return `${typeof value} ${JSON.stringify(value)}`;
}

function schemaMessage(error: z.ZodError, data: unknown): string {
  const lines = error.issues.slice(0, 10).map((issue) => {
    const where = formatPath(issue.path);
    const value = valueAt(data, issue.path);
    if (issue.code === "invalid_type" && (value === undefined || value === null)) {
      return `${where}: required (expected ${issue.expected}); add ${where} to the file`;
    }
    if (issue.code === "invalid_type") {
      return `${where}: expected ${issue.expected} but found ${describe(value)}; fix the value`;
    }
    if (issue.code === "invalid_value") {
      const allowed = issue.values.map((v) => String(v)).join(", ");
      return `${where}: ${JSON.stringify(value)} is not allowed; use one of ${allowed}`;
    }
    if (issue.code === "too_small" && typeof value === "string") {
      return `${where}: required (must not be empty); set ${where}`;
    }
    return `${where}: ${issue.message}`;
  });
  if (error.issues.length > 10) lines.push(`... and ${error.issues.length - 10} more problems`);
  return lines.join("\n");
}

function duplicateKeyError(file: string, text: string, offset: number, key: string | undefined): IrParseError {
  const { line, col } = lineCol(text, offset);
  const what = key ? `key '${key}' appears twice in the same mapping` : "a key appears twice in the same mapping";
  return new IrParseError(
    "IR_DUPLICATE_KEY",
    file,
    `line ${line}, column ${col}: duplicate key: ${what}; remove or rename one of them`,
  );
}

/**
 * The first key repeated in a mapping of `doc`, found with one set per mapping (the
 * `yaml` package's own check compares each key with every earlier one).
 */
function firstDuplicateKey(doc: Document): { offset: number; key: string } | undefined {
  let found: { offset: number; key: string } | undefined;
  visit(doc, {
    Map(_key, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        const k = pair.key.value;
        if (seen.has(k)) {
          found = { offset: pair.key.range?.[0] ?? 0, key: String(k) };
          return visit.BREAK;
        }
        seen.add(k);
      }
      return undefined;
    },
  });
  return found;
}

/**
 * The values of the documents in `text`: KFP's block style through the one-pass reader,
 * anything else through the `yaml` package (with the PyYAML repair), errors naming the
 * line and column.
 */
function readDocuments(text: string, file: string): unknown[] {
  const fast = readBlockYaml(text);
  if (fast && "duplicate" in fast) throw duplicateKeyError(file, text, fast.duplicate.offset, fast.duplicate.key);
  if (fast) return fast.values.filter((v) => v !== null && v !== undefined);
  let source = text;
  let docs = parseAllDocuments(text, { uniqueKeys: false, prettyErrors: false });
  if (Array.isArray(docs) && docs.some((d) => d.errors.length > 0)) {
    const repaired = reindentQuotedContinuations(text);
    const retry = repaired === undefined ? undefined : parseAllDocuments(repaired, { uniqueKeys: false });
    if (Array.isArray(retry) && retry.every((d) => d.errors.length === 0)) {
      docs = retry;
      source = repaired as string;
    }
  }
  if (!Array.isArray(docs)) {
    throw new IrParseError("IR_EMPTY", file, `the file is empty; ${EXPECTED}`);
  }
  for (const doc of docs) {
    const err = doc.errors[0];
    if (!err) {
      const dup = firstDuplicateKey(doc);
      if (dup) throw duplicateKeyError(file, source, dup.offset, dup.key);
      continue;
    }
    const { line, col } = lineCol(text, err.pos[0]);
    throw new IrParseError(
      "IR_YAML_SYNTAX",
      file,
      `line ${line}, column ${col}: YAML syntax error: ${err.message}; fix the YAML (check indentation, quoting and brackets)`,
    );
  }
  return docs.map((d) => documentValue(d, file)).filter((v) => v !== null && v !== undefined);
}

/**
 * A document's value. Aliases that expand past the reader's limit (a "billion laughs"
 * file) are refused as the file's fault, naming it, before the expansion costs memory.
 */
function documentValue(doc: Document, file: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new IrParseError(
      "IR_YAML_SYNTAX",
      file,
      `its YAML aliases expand too far (${reason}); write the pipeline without aliases that repeat large parts (the KFP compiler writes none)`,
    );
  }
}

/**
 * Parses a pipeline file's text (KFP YAML, optionally with a second PlatformSpec
 * document, or JSON) and checks it against {@link PipelineSpecSchema}.
 *
 * @param file name used in error messages (defaults to `<input>`)
 * @throws IrParseError with code `IR_EMPTY`, `IR_YAML_SYNTAX`, `IR_DUPLICATE_KEY`,
 *   `IR_TOO_MANY_DOCUMENTS`, `IR_NOT_AN_OBJECT` or `IR_SCHEMA`
 * @example const pkg = parsePipelineYaml(readFileSync("p.yaml", "utf8"), "p.yaml");
 */
export function parsePipelineYaml(text: string, file = "<input>"): PipelinePackage {
  const values = readDocuments(text, file);
  if (values.length === 0) {
    throw new IrParseError("IR_EMPTY", file, `the file is empty; ${EXPECTED}`);
  }
  if (values.length > 2) {
    throw new IrParseError(
      "IR_TOO_MANY_DOCUMENTS",
      file,
      `the file has ${values.length} YAML documents; expected a PipelineSpec optionally followed by one PlatformSpec (platforms:)`,
    );
  }
  const [first, second] = values;
  for (const v of values) {
    if (typeof v !== "object" || Array.isArray(v)) {
      throw new IrParseError("IR_NOT_AN_OBJECT", file, `the document is ${describe(v)}, not a mapping; ${EXPECTED}`);
    }
  }
  if (second === undefined) return parsePipelineObject(first, file);
  return packageOf(first, second, file, "second YAML document (PlatformSpec)");
}

function packageOf(specValue: unknown, platformValue: unknown, file: string, platformWhere: string): PipelinePackage {
  const spec = PipelineSpecSchema.safeParse(specValue);
  if (!spec.success) {
    throw new IrParseError("IR_SCHEMA", file, schemaMessage(spec.error, specValue), { cause: spec.error });
  }
  const pkg: PipelinePackage = { pipelineSpec: spec.data };
  if (platformValue !== undefined && platformValue !== null) {
    const platform = PlatformSpecSchema.safeParse(platformValue);
    if (!platform.success) {
      throw new IrParseError("IR_SCHEMA", file, `${platformWhere}: ${schemaMessage(platform.error, platformValue)}`, {
        cause: platform.error,
      });
    }
    pkg.platformSpec = platform.data;
  }
  return pkg;
}

/**
 * Builds a {@link PipelinePackage} from an already-parsed value, e.g. a REST body's
 * `pipeline_spec`: either a PipelineSpec object, or a wrapper
 * `{ pipeline_spec, platform_spec }` / `{ pipelineSpec, platformSpec }` as KFP's API
 * stores a pipeline version that has a PlatformSpec.
 *
 * @throws IrParseError `IR_NOT_AN_OBJECT` or `IR_SCHEMA`, naming `source` and the field
 */
export function parsePipelineObject(value: unknown, source = "<input>"): PipelinePackage {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new IrParseError(
      "IR_NOT_AN_OBJECT",
      source,
      `the pipeline spec is ${describe(value)}, not an object; ${EXPECTED}`,
    );
  }
  const v = value as Record<string, unknown>;
  if (!("pipelineInfo" in v)) {
    const wrapped = v.pipelineSpec ?? v.pipeline_spec;
    if (wrapped !== undefined) {
      const platform = v.platformSpec ?? v.platform_spec;
      return packageOf(wrapped, platform, source, "platform_spec");
    }
  }
  return packageOf(v, undefined, source, "platform_spec");
}

/**
 * Reads and parses a pipeline file. Error messages name the file as `displayName`
 * (default: the path as given).
 *
 * @throws IrParseError (`IR_READ_FAILED` when the file cannot be read)
 */
export function loadPipelineFile(path: string, displayName: string = path): PipelinePackage {
  const name = displayName;
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    const reason = (cause as NodeJS.ErrnoException).code === "ENOENT" ? "file not found" : String(cause);
    throw new IrParseError("IR_READ_FAILED", name, `cannot read ${path}: ${reason}; check the path`, { cause });
  }
  return parsePipelineYaml(text, name);
}
