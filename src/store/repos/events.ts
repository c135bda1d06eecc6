/** Lineage events: which task wrote an artifact and which tasks read it. */
import { randomUUID } from "node:crypto";
import { InvalidInputError } from "../errors.ts";
import { guardWrite, type SqlContext } from "../sql.ts";
import type { Event, EventInput, EventRepository, EventType } from "../types.ts";

interface EventRow {
  id: string;
  run_id: string;
  task_id: string;
  artifact_id: string;
  type: EventType;
  name: string;
  created_at: number;
}

function toEvent(r: EventRow): Event {
  return {
    id: r.id,
    runId: r.run_id,
    taskId: r.task_id,
    artifactId: r.artifact_id,
    type: r.type,
    name: r.name,
    createdAt: r.created_at,
  };
}

/** The events repository over `ctx`. */
export function createEventRepository(ctx: SqlContext): EventRepository {
  return {
    record(input: EventInput): Event {
      if (input.type !== "INPUT" && input.type !== "OUTPUT") {
        throw new InvalidInputError(`event '${input.name}' of task '${input.taskId}': type must be INPUT or OUTPUT`);
      }
      const row: EventRow = {
        id: randomUUID(),
        run_id: input.runId,
        task_id: input.taskId,
        artifact_id: input.artifactId,
        type: input.type,
        name: input.name,
        created_at: input.createdAt ?? Date.now(),
      };
      // Recording an edge twice (e.g. when a run resumes) keeps the first record.
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
        () =>
          ctx
            .stmt(
              "INSERT INTO events (id, run_id, task_id, artifact_id, type, name, created_at) VALUES (@id, @run_id, @task_id, @artifact_id, @type, @name, @created_at) ON CONFLICT (task_id, artifact_id, type, name) DO NOTHING",
            )
            .run(row),
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
