/**
 * The fraud model's serving transformer: raw TabFormer transactions in, the model's
 * feature tensor out, computed by the same functions the preprocess step used
 * (`lib/features.ts`: `transactionMinute`, `cardKey`, `chipCode`, `errorMask`,
 * `CardHistories`, `writeFeatureRow`), so training and serving cannot skew. Each card's
 * history is kept in memory, as the batch code keeps it while it walks a dataset in time
 * order: send a card's transactions in time order.
 */
import { readFileSync } from "node:fs";
import { type InferRequest, type InferResult, ServingError, type TransformContext, type Transformer } from "weft";
import { parseTransaction, splitCsvLine } from "../lib/csv.ts";
import { readSplit } from "../lib/dataset-io.ts";
import {
  CardHistories,
  cardKey,
  chipCode,
  type Encoders,
  errorMask,
  FEATURE_NAMES,
  transactionMinute,
  writeFeatureRow,
} from "../lib/features.ts";
import { ONNX_INPUT, ONNX_OUTPUT } from "../lib/onnx.ts";
import { TABFORMER_COLUMNS, type Transaction } from "../lib/schema.ts";

const WIDTH = FEATURE_NAMES.length;
const EXAMPLE = `{"instances": [{"User": 0, "Card": 0, "Year": 2019, "Month": 1, "Day": 1, "Time": "10:00", "Amount": "$10.00", "Use Chip": "Chip Transaction", "Merchant State": "TX", "MCC": 5411}]}`;

/** Options of {@link createFraudTransformer}. */
export interface FraudTransformerOptions {
  /** The target encodings fitted on the training split (any split's header carries them). */
  encoders: Encoders;
}

/** The fraud transformer, with the card histories it keeps. */
export interface FraudTransformer extends Transformer {
  /** Features of transactions (recording them in the card histories), row-major. */
  features(transactions: readonly Transaction[]): Float32Array;
  /** Cards with a history. */
  readonly cards: number;
}

function field(value: unknown, column: string): string {
  if (value === undefined || value === null) return "";
  if (column === "Amount" && typeof value === "number") return `$${value}`;
  if (column === "Is Fraud?" && typeof value === "boolean") return value ? "Yes" : "No";
  if (column === "Errors?" && Array.isArray(value)) return value.join(",");
  return String(value);
}

/**
 * A transaction from its raw JSON: an object keyed by the TabFormer CSV columns (`User`,
 * `Card`, `Year`, `Month`, `Day`, `Time`, `Amount`, `Use Chip`, `Merchant State`, `MCC`,
 * `Errors?`; the others may be left out), or one CSV line; parsed by the pipeline's own
 * CSV parser.
 *
 * @throws ServingError `INVALID_ARGUMENT` naming the instance and the column.
 */
export function parseRawTransaction(raw: unknown, where: string): Transaction {
  let fields: string[];
  if (typeof raw === "string") fields = splitCsvLine(raw.trim());
  else if (raw !== null && typeof raw === "object" && !Array.isArray(raw)) {
    const obj = raw as Record<string, unknown>;
    fields = TABFORMER_COLUMNS.map((c) => field(obj[c], c));
    if (fields[14] === "") fields[14] = "No";
  } else {
    throw new ServingError(
      "INVALID_ARGUMENT",
      `fraud transformer: ${where} is ${Array.isArray(raw) ? "an array" : typeof raw}, not a transaction; send objects keyed by the TabFormer columns, e.g. ${EXAMPLE}`,
    );
  }
  try {
    return parseTransaction(fields, where, 1);
  } catch (cause) {
    const message = cause instanceof Error ? cause.message.replace(`${where}:1: `, "") : String(cause);
    throw new ServingError("INVALID_ARGUMENT", `fraud transformer: ${where}: ${message}`, { cause });
  }
}

/** The raw transactions of a request body: `{instances: [...]}`, a list, or one transaction. */
function instancesOf(payload: unknown): unknown[] {
  if (Array.isArray(payload)) return payload;
  if (payload !== null && typeof payload === "object") {
    const obj = payload as Record<string, unknown>;
    if (Array.isArray(obj.instances)) return obj.instances;
    if (Array.isArray(obj.transactions)) return obj.transactions;
    if ("User" in obj) return [obj];
  }
  throw new ServingError(
    "INVALID_ARGUMENT",
    `fraud transformer: the request body has no transactions; send {"instances": [transaction, ...]} with TabFormer columns, e.g. ${EXAMPLE}`,
  );
}

/** Creates the transformer with empty card histories. */
export function createFraudTransformer(options: FraudTransformerOptions): FraudTransformer {
  const { encoders } = options;
  const histories = new CardHistories();
  const stateIds = new Map<string, number>();
  const history = new Float32Array(4);
  const features = (transactions: readonly Transaction[]): Float32Array => {
    const x = new Float32Array(transactions.length * WIDTH);
    transactions.forEach((tx, r) => {
      const minute = transactionMinute(tx);
      const chip = chipCode(tx);
      let state = stateIds.get(tx.merchantState);
      if (state === undefined) {
        state = stateIds.size;
        stateIds.set(tx.merchantState, state);
      }
      histories.next(cardKey(tx), minute, tx.amount, state, chip, history, 0);
      writeFeatureRow(
        x,
        r * WIDTH,
        tx.amount,
        minute,
        chip,
        tx.mcc,
        tx.merchantState,
        errorMask(tx),
        encoders,
        history,
        0,
      );
    });
    return x;
  };
  return {
    features,
    get cards() {
      return histories.size;
    },
    preprocess(payload: unknown): InferRequest {
      const raw = instancesOf(payload);
      // every instance is parsed before any is recorded, so a bad one leaves the histories as they were
      const transactions = raw.map((r, i) => parseRawTransaction(r, `instances[${i}]`));
      return {
        inputs: [
          { name: ONNX_INPUT, datatype: "FP32", shape: [transactions.length, WIDTH], data: features(transactions) },
        ],
        outputs: [{ name: ONNX_OUTPUT }],
      };
    },
    postprocess(result: InferResult, context: TransformContext): unknown {
      const out = result.outputs.find((t) => t.name === ONNX_OUTPUT) ?? result.outputs[0];
      const predictions = out ? Array.from(out.data as Float32Array, Number) : [];
      if (context.protocol === "v1") return { predictions };
      return { model_name: result.modelName, model_version: result.modelVersion, predictions };
    },
  };
}

/**
 * The encoders from a file: a feature split written by the preprocess step (its header
 * carries them) or a JSON file `{"mcc": {...}, "state": {...}}`.
 */
export function readEncoders(path: string): Encoders {
  const head = readFileSync(path).subarray(0, 8).toString();
  if (head === "WFTFEAT1") return readSplit(path).header.encoders;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (cause) {
    throw new ServingError(
      "MODEL_INVALID",
      `fraud transformer: ${path} is neither a feature split nor JSON encoders; pass the preprocess step's train/test split`,
      { cause },
    );
  }
  const enc = (parsed as { encoders?: unknown }).encoders ?? parsed;
  const ok = (v: unknown) => v !== null && typeof v === "object" && !Array.isArray(v);
  if (!ok(enc) || !ok((enc as Encoders).mcc) || !ok((enc as Encoders).state)) {
    throw new ServingError(
      "MODEL_INVALID",
      `fraud transformer: ${path} has no "mcc" and "state" encoders; pass the preprocess step's train/test split`,
    );
  }
  return enc as Encoders;
}
