/** Lineage events: which task wrote an artifact and which tasks read it. */
import { randomUUID } from "node:crypto";
import { InvalidInputError } from "../errors.ts";
import { guardWrite, type SqlContext } from "../sql.ts";
import { decodeRow, encodeRow, insertSql, type RowOf } from "../table.ts";
import { EVENTS_TABLE } from "../tables/index.ts";
import type { Event, EventInput, EventRepository } from "../types.ts";

type EventRow = RowOf<typeof EVENTS_TABLE.columns>;

// Recording an edge twice (e.g. when a run resumes) keeps the first record.
const INSERT = `${insertSql(EVENTS_TABLE, Object.keys(EVENTS_TABLE.columns) as (keyof EventRow)[])} ON CONFLICT (task_id, artifact_id, type, name) DO NOTHING`;

function toEvent(r: EventRow): Event {
  return decodeRow(EVENTS_TABLE, r);
}

/** The events repository over `ctx`. */
export function createEventRepository(ctx: SqlContext): EventRepository {
  return {
    record(input: EventInput): Event {
      if (input.type !== "INPUT" && input.type !== "OUTPUT") {
        throw new InvalidInputError(`event '${input.name}' of task '${input.taskId}': type must be INPUT or OUTPUT`);
      }
      const row = encodeRow(EVENTS_TABLE, {
        id: randomUUID(),
        runId: input.runId,
        taskId: input.taskId,
        artifactId: input.artifactId,
        type: input.type,
        name: input.name,
        createdAt: input.createdAt ?? Date.now(),
      }) as EventRow;
      guardWrite(
        ctx,
        {
          entity: `${input.type} event '${input.name}' of task '${input.taskId}'`,
          unique: "the event",
          refs: [
            { field: "runId", table: "runs", value: row.run_id },
            { field: "taskId", table: "tasks", value: row.task_id },
            { field: "artifactId", table: "artifacts", value: row.artifact_id },
          ],
        },
        () => ctx.stmt(INSERT).run(row),
      );
      const stored = ctx
        .stmt("SELECT * FROM events WHERE task_id = ? AND artifact_id = ? AND type = ? AND name = ?")
        .get(row.task_id, row.artifact_id, row.type, row.name) as EventRow;
      return toEvent(stored);
    },

    listByArtifact(artifactId: string): Event[] {
      return (ctx.stmt("SELECT * FROM events WHERE artifact_id = ? ORDER BY rowid").all(artifactId) as EventRow[]).map(
        toEvent,
      );
    },

    listByTask(taskId: string): Event[] {
      return (ctx.stmt("SELECT * FROM events WHERE task_id = ? ORDER BY rowid").all(taskId) as EventRow[]).map(toEvent);
    },

    listByRun(runId: string): Event[] {
      return (ctx.stmt("SELECT * FROM events WHERE run_id = ? ORDER BY rowid").all(runId) as EventRow[]).map(toEvent);
    },
  };
}
