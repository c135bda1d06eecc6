/**
 * Triton's `config.pbtxt` (a `ModelConfig` in protobuf text format) read into a
 * {@link ModelConfig} and written back. The reader takes the text format as protoc writes
 * and people type it: `field: value`, `field { ... }` or `field: { ... }` (or `< ... >`),
 * lists `field: [ a, b ]`, repeated fields, `#` comments, quoted strings with escapes.
 *
 * Of Triton's fields, the ones serving acts on are read: name, platform/backend,
 * max_batch_size, input/output (name, data_type, dims), version_policy, dynamic_batching
 * (preferred_batch_size, max_queue_delay_microseconds), instance_group counts and
 * default_model_filename. Fields that only tune Triton (optimization, model_warmup,
 * parameters, instance kinds, queue policies, ...) are left out. Fields that would change
 * what the model computes or how requests are formed (sequence batching, ensembles,
 * reshapes other than Triton's `[1]` → scalar, shape tensors, ragged batches, decoupled
 * models) are refused with an error naming the file and line, as are names that are not
 * fields of Triton's ModelConfig (a misspelt field would otherwise be silently ignored).
 */
import { ServingError } from "./errors.ts";
import type { Datatype, DynamicBatching, ModelConfig, TensorSpec, VersionPolicy } from "./types.ts";

// ---------------------------------------------------------------------------------------
// Text format: tokens and a generic message tree.

type Token =
  | { t: "ident"; v: string; line: number }
  | { t: "string"; v: string; line: number }
  | { t: "number"; v: string; line: number }
  | { t: "punct"; v: string; line: number };

/** A scalar or a message, with the line it starts on. */
type Value =
  | { kind: "ident"; value: string; line: number }
  | { kind: "string"; value: string; line: number }
  | { kind: "number"; value: string; line: number }
  | { kind: "message"; fields: Field[]; line: number };

interface Field {
  name: string;
  line: number;
  values: Value[];
}

const ESCAPES: Record<string, string> = {
  n: "\n",
  t: "\t",
  r: "\r",
  a: "\x07",
  b: "\b",
  f: "\f",
  v: "\v",
  "?": "?",
  "\\": "\\",
  "'": "'",
  '"': '"',
};

function tokenize(text: string, file: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  const fail = (what: string): never => {
    throw new ServingError("MODEL_INVALID", `${file}:${line}: ${what}; fix the config.pbtxt (protobuf text format)`);
  };
  while (i < text.length) {
    const c = text[i]!;
    if (c === "\n") {
      line++;
      i++;
    } else if (c === " " || c === "\t" || c === "\r") i++;
    else if (c === "#") {
      while (i < text.length && text[i] !== "\n") i++;
    } else if ("{}[]<>:,;".includes(c)) {
      tokens.push({ t: "punct", v: c, line });
      i++;
    } else if (c === '"' || c === "'") {
      let v = "";
      i++;
      while (i < text.length && text[i] !== c) {
        const d = text[i]!;
        if (d === "\n") fail("a string runs to the end of the line");
        if (d === "\\") {
          const e = text[i + 1] ?? "";
          // \xHH, \NNN (octal) and \uXXXX, as protobuf's text format and JSON write them
          const code = /^(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|u[0-9a-fA-F]{4})/.exec(text.slice(i + 1))?.[0];
          if (code !== undefined) {
            const radix = code[0] === "x" || code[0] === "u" ? 16 : 8;
            v += String.fromCharCode(Number.parseInt(radix === 16 ? code.slice(1) : code, radix));
            i += 1 + code.length;
            continue;
          }
          if (ESCAPES[e] === undefined) fail(`unknown escape \\${e} in a string`);
          v += ESCAPES[e];
          i += 2;
        } else {
          v += d;
          i++;
        }
      }
      if (i >= text.length) fail("a string is not closed");
      i++;
      const prev = tokens[tokens.length - 1];
      // Adjacent strings are one string, as in C.
      if (prev?.t === "string" && prev.line === line) prev.v += v;
      else tokens.push({ t: "string", v, line });
    } else if (/[-+0-9.]/.test(c)) {
      const m = /^[-+]?(0[xX][0-9a-fA-F]+|[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?|inf|nan)[fF]?/.exec(text.slice(i));
      if (!m) fail(`'${text.slice(i, i + 10).split("\n")[0]}' is not a number`);
      tokens.push({ t: "number", v: m![0], line });
      i += m![0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(text.slice(i))!;
      tokens.push({ t: "ident", v: m[0], line });
      i += m[0].length;
    } else fail(`unexpected character '${c}'`);
  }
  return tokens;
}

class Parser {
  private pos = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly file: string,
  ) {}

  fail(what: string, line?: number): never {
    const at = line ?? this.tokens[this.pos]?.line ?? this.tokens[this.tokens.length - 1]?.line ?? 1;
    throw new ServingError("MODEL_INVALID", `${this.file}:${at}: ${what}; fix the config.pbtxt (protobuf text format)`);
  }

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  private punct(v: string): boolean {
    const t = this.peek();
    if (t?.t === "punct" && t.v === v) {
      this.pos++;
      return true;
    }
    return false;
  }

  /** Fields up to `end` (a closing brace) or the end of the text. */
  message(end?: string): Field[] {
    const fields: Field[] = [];
    for (;;) {
      const t = this.peek();
      if (t === undefined) {
        if (end) this.fail(`'${end}' expected before the end of the file`);
        return fields;
      }
      if (end && t.t === "punct" && t.v === end) {
        this.pos++;
        return fields;
      }
      if (t.t !== "ident") this.fail(`a field name expected, found '${t.v}'`);
      this.pos++;
      const colon = this.punct(":");
      const values: Value[] = [];
      const next = this.peek();
      if (next?.t === "punct" && next.v === "[") {
        this.pos++;
        if (!this.punct("]")) {
          for (;;) {
            values.push(this.value(colon, t.v));
            if (this.punct("]")) break;
            if (!this.punct(",")) this.fail(`',' or ']' expected in the list of '${t.v}'`);
          }
        }
      } else values.push(this.value(colon, t.v));
      const existing = fields.find((f) => f.name === t.v);
      if (existing) existing.values.push(...values);
      else fields.push({ name: t.v, line: t.line, values });
      if (!this.punct(",")) this.punct(";");
    }
  }

  private value(colon: boolean, name: string): Value {
    const t = this.peek();
    if (t === undefined) return this.fail(`a value for '${name}' expected before the end of the file`);
    if (t.t === "punct" && (t.v === "{" || t.v === "<")) {
      this.pos++;
      return { kind: "message", fields: this.message(t.v === "{" ? "}" : ">"), line: t.line };
    }
    if (!colon) this.fail(`':' expected after '${name}'`);
    if (t.t === "punct") this.fail(`a value for '${name}' expected, found '${t.v}'`);
    this.pos++;
    return { kind: t.t, value: t.v, line: t.line };
  }
}

/** Parses protobuf text into fields (exported for the tests of the text format). */
export function parseTextProto(text: string, file: string): Field[] {
  return new Parser(tokenize(text, file), file).message();
}

// ---------------------------------------------------------------------------------------
// ModelConfig over the tree.

const TYPE_TO_DATATYPE: Record<string, Datatype> = {
  TYPE_BOOL: "BOOL",
  TYPE_UINT8: "UINT8",
  TYPE_UINT16: "UINT16",
  TYPE_UINT32: "UINT32",
  TYPE_UINT64: "UINT64",
  TYPE_INT8: "INT8",
  TYPE_INT16: "INT16",
  TYPE_INT32: "INT32",
  TYPE_INT64: "INT64",
  TYPE_FP16: "FP16",
  TYPE_FP32: "FP32",
  TYPE_FP64: "FP64",
  TYPE_STRING: "BYTES",
};

/** Triton's `DataType` enum numbers, for configs that write the number. */
const TYPE_BY_NUMBER = [
  "TYPE_INVALID",
  "TYPE_BOOL",
  "TYPE_UINT8",
  "TYPE_UINT16",
  "TYPE_UINT32",
  "TYPE_UINT64",
  "TYPE_INT8",
  "TYPE_INT16",
  "TYPE_INT32",
  "TYPE_INT64",
  "TYPE_FP16",
  "TYPE_FP32",
  "TYPE_FP64",
  "TYPE_STRING",
  "TYPE_BF16",
];

/** The `TYPE_...` name Triton writes for a datatype. */
export function tritonDataType(datatype: Datatype): string {
  return datatype === "BYTES" ? "TYPE_STRING" : `TYPE_${datatype}`;
}

/** Triton's ModelConfig fields serving leaves out: they tune Triton, not what the model computes. */
const TUNING_FIELDS = new Set([
  "runtime",
  "optimization",
  "cc_model_filenames",
  "metric_tags",
  "parameters",
  "model_warmup",
  "model_operations",
  "model_repository_agents",
  "response_cache",
  "model_metrics",
]);

/** Triton's ModelConfig fields that change what a request computes: refused. */
const MEANING_FIELDS: Record<string, string> = {
  sequence_batching: "sequence batching (stateful models) is not supported; serve a stateless model",
  ensemble_scheduling: "ensembles are not supported; serve each model on its own (a transformer can chain steps)",
  batch_input: "batch_input is not supported; remove it and give the inputs as the model takes them",
  batch_output: "batch_output is not supported; remove it",
};

const INPUT_FIELDS = new Set([
  "name",
  "data_type",
  "format",
  "dims",
  "reshape",
  "is_shape_tensor",
  "allow_ragged_batch",
  "optional",
  "is_non_linear_format_io",
]);
const OUTPUT_FIELDS = new Set([
  "name",
  "data_type",
  "dims",
  "reshape",
  "label_filename",
  "is_shape_tensor",
  "is_non_linear_format_io",
]);
const BATCHING_FIELDS = new Set([
  "preferred_batch_size",
  "max_queue_delay_microseconds",
  "preserve_ordering",
  "priority_levels",
  "default_priority_level",
  "default_queue_policy",
  "priority_queue_policy",
]);
const INSTANCE_FIELDS = new Set([
  "name",
  "kind",
  "count",
  "rate_limiter",
  "gpus",
  "secondary_devices",
  "profile",
  "passive",
  "host_policy",
]);

/** What a config file says, before the model file fills in what it leaves out. */
export interface PartialModelConfig {
  name?: string;
  platform?: ModelConfig["platform"];
  maxBatchSize?: number;
  inputs?: TensorSpec[];
  outputs?: TensorSpec[];
  dynamicBatching?: DynamicBatching;
  versionPolicy?: VersionPolicy;
  instanceCount?: number;
  /** The model file's name in each version folder (Triton's default: `model.onnx`). */
  defaultModelFilename?: string;
}

class ConfigReader {
  constructor(readonly file: string) {}

  fail(line: number, what: string): never {
    throw new ServingError("MODEL_INVALID", `${this.file}:${line}: ${what}`);
  }

  one(field: Field, kind: Value["kind"]): Value {
    if (field.values.length !== 1)
      this.fail(field.line, `'${field.name}' is given ${field.values.length} times; give it once`);
    const v = field.values[0]!;
    if (v.kind !== kind) {
      const expected = kind === "message" ? "a { ... } block" : kind === "ident" ? "a name" : `a ${kind}`;
      this.fail(v.line, `'${field.name}' must be ${expected}`);
    }
    return v;
  }

  string(field: Field): string {
    return (this.one(field, "string") as { value: string }).value;
  }

  int(v: Value, name: string, min = 0): number {
    const n = v.kind === "number" && /^[-+]?[0-9]+$/.test(v.value) ? Number(v.value) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min) this.fail(v.line, `'${name}' must be a whole number from ${min}`);
    return n;
  }

  bool(field: Field): boolean {
    const v = this.one(field, "ident") as { value: string };
    if (v.value !== "true" && v.value !== "false") this.fail(field.line, `'${field.name}' must be true or false`);
    return v.value === "true";
  }

  message(field: Field): Field[] {
    return (this.one(field, "message") as { fields: Field[] }).fields;
  }

  ints(field: Field, min: number): number[] {
    return field.values.map((v) => this.int(v, field.name, min));
  }

  checkKnown(fields: Field[], known: Set<string>, where: string): void {
    for (const f of fields) {
      if (!known.has(f.name))
        this.fail(f.line, `'${f.name}' is not a field of ${where} in Triton's model configuration`);
    }
  }

  tensor(value: Value, which: "input" | "output"): TensorSpec {
    if (value.kind !== "message") this.fail(value.line, `each ${which} must be a { ... } block`);
    const fields = (value as { fields: Field[] }).fields;
    this.checkKnown(fields, which === "input" ? INPUT_FIELDS : OUTPUT_FIELDS, `an ${which}`);
    const get = (n: string) => fields.find((f) => f.name === n);
    const nameField = get("name");
    if (!nameField) this.fail(value.line, `an ${which} has no name; give it the model's ${which} name`);
    const name = this.string(nameField!);
    const typeField = get("data_type");
    if (!typeField)
      this.fail(value.line, `${which} '${name}' has no data_type; write data_type: TYPE_FP32 (or another TYPE_...)`);
    const tv = typeField!.values[0]!;
    const typeName =
      tv.kind === "number" ? TYPE_BY_NUMBER[Number(tv.value)] : tv.kind === "ident" ? tv.value : undefined;
    const datatype = typeName !== undefined ? TYPE_TO_DATATYPE[typeName] : undefined;
    if (typeField!.values.length !== 1 || datatype === undefined) {
      this.fail(
        tv.line,
        `${which} '${name}': data_type ${typeName ?? (tv.kind === "message" ? "{ ... }" : tv.value)} cannot be served; use one of ${Object.keys(TYPE_TO_DATATYPE).join(", ")}`,
      );
    }
    const dimsField = get("dims");
    let shape = dimsField ? this.ints(dimsField, -1) : [];
    const reshape = get("reshape");
    if (reshape) {
      const shapeField = this.message(reshape).find((f) => f.name === "shape");
      const target = shapeField ? this.ints(shapeField, -1) : [];
      // Triton's way of writing a per-row scalar: dims [1] reshaped to [].
      if (target.length === 0 && shape.length === 1 && shape[0] === 1) shape = [];
      else if (target.join(",") !== shape.join(",")) {
        this.fail(reshape.line, `${which} '${name}': reshape is not supported; give dims as the model takes them`);
      }
    }
    for (const flag of ["is_shape_tensor", "allow_ragged_batch", "optional", "is_non_linear_format_io"]) {
      const f = get(flag);
      if (f && this.bool(f)) this.fail(f.line, `${which} '${name}': ${flag} is not supported; remove it`);
    }
    return { name, datatype: datatype!, shape };
  }

  versionPolicy(field: Field): VersionPolicy {
    const inner = this.message(field);
    if (inner.length !== 1) {
      this.fail(
        field.line,
        "version_policy takes one of latest { num_versions: N }, specific { versions: [...] }, all { }",
      );
    }
    const [f] = inner as [Field];
    if (f.name === "all") return { kind: "all" };
    if (f.name === "latest") {
      const n = this.message(f).find((x) => x.name === "num_versions");
      const numVersions = n ? this.int(this.one(n, "number"), "num_versions", 1) : 1;
      return { kind: "latest", numVersions };
    }
    if (f.name === "specific") {
      const v = this.message(f).find((x) => x.name === "versions");
      const versions = v ? this.ints(v, 1) : [];
      if (versions.length === 0) this.fail(f.line, "version_policy specific names no versions; write versions: [1, 2]");
      return { kind: "specific", versions };
    }
    return this.fail(f.line, `version_policy '${f.name}' is not one of latest, specific, all`);
  }

  dynamicBatching(field: Field): DynamicBatching {
    const inner = this.message(field);
    this.checkKnown(inner, BATCHING_FIELDS, "dynamic_batching");
    const preferred = inner.find((f) => f.name === "preferred_batch_size");
    const delay = inner.find((f) => f.name === "max_queue_delay_microseconds");
    return {
      preferredBatchSize: preferred ? this.ints(preferred, 1) : [],
      maxQueueDelayMicroseconds: delay ? this.int(this.one(delay, "number"), delay.name) : 0,
    };
  }

  instanceCount(field: Field): number {
    let count = 0;
    for (const v of field.values) {
      if (v.kind !== "message") this.fail(v.line, "each instance_group must be a { ... } block");
      const fields = (v as { fields: Field[] }).fields;
      this.checkKnown(fields, INSTANCE_FIELDS, "an instance_group");
      const c = fields.find((f) => f.name === "count");
      count += c ? this.int(this.one(c, "number"), "count", 1) : 1;
    }
    return count;
  }
}

function platformOf(reader: ConfigReader, field: Field, backend: boolean): ModelConfig["platform"] {
  const value = reader.string(field);
  if (!backend && (value === "onnxruntime_onnx" || value === "tensorflow_js")) return value;
  if (backend && value === "onnxruntime") return "onnxruntime_onnx";
  return reader.fail(
    field.line,
    `${field.name} '${value}' cannot be served here; Weft serves ONNX models (platform: "onnxruntime_onnx" or backend: "onnxruntime") and TensorFlow.js layers models (platform: "tensorflow_js")`,
  );
}

/**
 * What a `config.pbtxt` says, with nothing filled in. Throws `ServingError` MODEL_INVALID
 * naming `file`, the line and what to change.
 */
export function readModelConfig(text: string, file: string): PartialModelConfig {
  const reader = new ConfigReader(file);
  const out: PartialModelConfig = {};
  for (const field of parseTextProto(text, file)) {
    switch (field.name) {
      case "name":
        out.name = reader.string(field);
        break;
      case "platform":
      case "backend": {
        const platform = platformOf(reader, field, field.name === "backend");
        if (out.platform !== undefined && out.platform !== platform) {
          reader.fail(field.line, "platform and backend name different runtimes; keep one of them");
        }
        out.platform = platform;
        break;
      }
      case "max_batch_size":
        out.maxBatchSize = reader.int(reader.one(field, "number"), field.name);
        break;
      case "input":
        out.inputs = field.values.map((v) => reader.tensor(v, "input"));
        break;
      case "output":
        out.outputs = field.values.map((v) => reader.tensor(v, "output"));
        break;
      case "version_policy":
        out.versionPolicy = reader.versionPolicy(field);
        break;
      case "dynamic_batching":
        out.dynamicBatching = reader.dynamicBatching(field);
        break;
      case "instance_group":
        out.instanceCount = reader.instanceCount(field);
        break;
      case "default_model_filename": {
        const name = reader.string(field);
        if (name === "" || name === "." || name === ".." || /[/\\]/.test(name)) {
          reader.fail(field.line, `default_model_filename '${name}' must be a file name inside the version folder`);
        }
        out.defaultModelFilename = name;
        break;
      }
      case "model_transaction_policy": {
        const decoupled = reader.message(field).find((f) => f.name === "decoupled");
        if (decoupled && reader.bool(decoupled)) {
          reader.fail(field.line, "decoupled models are not supported; remove model_transaction_policy");
        }
        break;
      }
      default: {
        const why = MEANING_FIELDS[field.name];
        if (why) reader.fail(field.line, why);
        if (!TUNING_FIELDS.has(field.name)) {
          reader.fail(field.line, `'${field.name}' is not a field of Triton's model configuration; check its spelling`);
        }
      }
    }
  }
  for (const [list, which] of [
    [out.inputs, "input"],
    [out.outputs, "output"],
  ] as const) {
    const seen = new Set<string>();
    for (const t of list ?? []) {
      if (seen.has(t.name))
        throw new ServingError("MODEL_INVALID", `${file}: ${which} '${t.name}' is listed twice; list it once`);
      seen.add(t.name);
    }
  }
  const m = out.maxBatchSize ?? 0;
  for (const p of out.dynamicBatching?.preferredBatchSize ?? []) {
    if (p > m) {
      throw new ServingError(
        "MODEL_INVALID",
        `${file}: preferred_batch_size ${p} is larger than max_batch_size ${m}; lower it or raise max_batch_size`,
      );
    }
  }
  if (out.dynamicBatching && m === 0) {
    throw new ServingError(
      "MODEL_INVALID",
      `${file}: dynamic_batching needs max_batch_size above 0 (the model's first dimension is the batch); set max_batch_size or remove dynamic_batching`,
    );
  }
  return out;
}

/**
 * A `config.pbtxt` as a {@link ModelConfig}: what it leaves out takes Triton's defaults
 * (name: the folder holding the file, max_batch_size 0, version_policy latest 1, no
 * dynamic batching) and the platform defaults to ONNX Runtime; inputs and outputs it does
 * not list are empty (the repository reader fills them from the model file). Throws
 * `ServingError` MODEL_INVALID naming the file, the line and what to change.
 */
export function parseModelConfig(text: string, file: string): ModelConfig {
  const p = readModelConfig(text, file);
  const folder = file.split(/[/\\]/).slice(-2, -1)[0] ?? "";
  const config: ModelConfig = {
    name: p.name ?? folder,
    platform: p.platform ?? "onnxruntime_onnx",
    maxBatchSize: p.maxBatchSize ?? 0,
    inputs: p.inputs ?? [],
    outputs: p.outputs ?? [],
    versionPolicy: p.versionPolicy ?? { kind: "latest", numVersions: 1 },
  };
  if (p.dynamicBatching) config.dynamicBatching = p.dynamicBatching;
  if (p.instanceCount !== undefined) config.instanceCount = p.instanceCount;
  return config;
}

// ---------------------------------------------------------------------------------------
// Writing.

function tensorText(t: TensorSpec, batched: boolean): string[] {
  // A per-row scalar of a batching model: Triton writes dims [1] reshaped to [].
  const scalar = batched && t.shape.length === 0;
  const dims = scalar ? [1] : t.shape;
  return [
    "  {",
    `    name: ${JSON.stringify(t.name)}`,
    `    data_type: ${tritonDataType(t.datatype)}`,
    `    dims: [ ${dims.join(", ")} ]`,
    ...(scalar ? ["    reshape: { shape: [ ] }"] : []),
    "  }",
  ];
}

function tensorsText(field: string, list: TensorSpec[], batched: boolean): string[] {
  if (list.length === 0) return [];
  const body: string[] = [];
  list.forEach((t, i) => {
    const lines = tensorText(t, batched);
    if (i < list.length - 1) lines[lines.length - 1] += ",";
    body.push(...lines);
  });
  return [`${field} [`, ...body, "]"];
}

/**
 * The `config.pbtxt` text of a configuration, as Triton reads it (and
 * {@link parseModelConfig} reads it back to an equal configuration).
 */
export function writeModelConfig(config: ModelConfig): string {
  const batched = config.maxBatchSize > 0;
  const p = config.versionPolicy;
  const policy =
    p.kind === "all"
      ? "{ all: { } }"
      : p.kind === "latest"
        ? `{ latest: { num_versions: ${p.numVersions} } }`
        : `{ specific: { versions: [ ${p.versions.join(", ")} ] } }`;
  const lines = [
    `name: ${JSON.stringify(config.name)}`,
    `platform: ${JSON.stringify(config.platform)}`,
    `max_batch_size: ${config.maxBatchSize}`,
    ...tensorsText("input", config.inputs, batched),
    ...tensorsText("output", config.outputs, batched),
    `version_policy: ${policy}`,
  ];
  const d = config.dynamicBatching;
  if (d) {
    lines.push("dynamic_batching {");
    if (d.preferredBatchSize.length > 0) lines.push(`  preferred_batch_size: [ ${d.preferredBatchSize.join(", ")} ]`);
    if (d.maxQueueDelayMicroseconds > 0) lines.push(`  max_queue_delay_microseconds: ${d.maxQueueDelayMicroseconds}`);
    lines.push("}");
  }
  if (config.instanceCount !== undefined) {
    lines.push(`instance_group [ { count: ${config.instanceCount}, kind: KIND_CPU } ]`);
  }
  return `${lines.join("\n")}\n`;
}
