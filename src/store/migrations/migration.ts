/**
 * Numbered schema migrations. Each is plain SQL applied once, in order, inside the same
 * transaction that records it in `schema_migrations`; one that must transform data SQL
 * cannot (encode BLOBs) also has a `data` step, run after its SQL in that transaction.
 */
import type { SqliteDatabase } from "../driver.ts";
import { migration001 } from "./001-initial.ts";
import { migration002 } from "./002-run-counts.ts";
import { migration003 } from "./003-pipeline-specs.ts";
import { migration004 } from "./004-pipeline-tags.ts";
import { migration005 } from "./005-run-owner-identity.ts";
import { migration006 } from "./006-run-metrics.ts";
import { migration007 } from "./007-artifact-list-indexes.ts";
import { migration008 } from "./008-run-tags.ts";
import { migration009 } from "./009-service-account-root.ts";
import { migration010 } from "./010-run-input-artifacts.ts";
import { migration011 } from "./011-registry.ts";
import { migration012 } from "./012-tracking.ts";
import { migration013 } from "./013-metric-chunks.ts";
import { migration014 } from "./014-tuning.ts";

/** One schema migration. */
export interface Migration {
  /** 1, 2, 3, ... with no gaps. */
  version: number;
  /** Short kebab-case label, recorded with the version. */
  name: string;
  sql: string;
  /** Moves data after `sql`, in the same transaction (what SQL alone cannot write). */
  data?: (db: SqliteDatabase) => void;
}

/** Every migration this version of Weft knows, oldest first. */
export const MIGRATIONS: readonly Migration[] = [
  migration001,
  migration002,
  migration003,
  migration004,
  migration005,
  migration006,
  migration007,
  migration008,
  migration009,
  migration010,
  migration011,
  migration012,
  migration013,
  migration014,
];

/** The newest schema version this version of Weft knows. */
export const LATEST_SCHEMA_VERSION: number = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
