import type { EntityManager } from "typeorm";

export const NOTIFY_CHANNEL = "mc_events";

export interface PublishInput {
  /** null only for events addressed to one session or token */
  orgId: string | null;
  /** SSE event name, e.g. "task.updated" */
  type: string;
  /** who may receive it: "board:<id>", "tasks", "agents", "activity", "session:<id>"… */
  topics: string[];
  data: Record<string, unknown>;
}

/**
 * Writes the event in the caller's transaction and queues NOTIFY, which PostgreSQL delivers only
 * if and when that transaction commits.
 *
 * The transaction-scoped advisory lock makes event ids follow commit order: a writer takes it just
 * before drawing its id and keeps it until commit, so no transaction can commit a lower id after a
 * higher one is visible. Readers can then follow the log with a plain `id > cursor` and never skip
 * a late commit. The lock is held only from this insert to the commit, the tail of the transaction.
 */
export async function publish(manager: EntityManager, event: PublishInput): Promise<string> {
  await manager.query("select pg_advisory_xact_lock(hashtext('mission-control:event-log'))");
  // NOTIFY rides on the insert (one round trip less on every write that publishes)
  const rows: Array<{ id: string }> = await manager.query(
    "insert into event_log (org_id, topics, type, data) values ($1, $2, $3, $4) returning id, pg_notify($5, id::text)",
    [event.orgId, event.topics, event.type, JSON.stringify(event.data), NOTIFY_CHANNEL],
  );
  return String(rows[0]!.id);
}
