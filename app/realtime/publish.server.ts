import type { EntityManager } from "typeorm";

export const NOTIFY_CHANNEL = "mc_events";
/** Payloads up to this many bytes carry the event itself (PostgreSQL refuses 8000 and more). */
export const NOTIFY_PAYLOAD_MAX = 7900;

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
  // NOTIFY rides on the insert and carries the whole event when it fits (PostgreSQL's limit is 8000
  // bytes), so a listening hub need not read it back; a larger one sends only its id.
  const rows: Array<{ id: string }> = await manager.query(
    `insert into event_log (org_id, topics, type, data) values ($1, $2, $3, $4)
     returning id, pg_notify($5, (select case when octet_length(full_event) <= ${NOTIFY_PAYLOAD_MAX} then full_event else json_build_object('id', id::text)::text end
                                  from (select json_build_object('id', id::text, 'orgId', org_id, 'topics', topics, 'type', type, 'data', data, 'createdAt', created_at)::text as full_event) as e))`,
    [event.orgId, event.topics, event.type, JSON.stringify(event.data), NOTIFY_CHANNEL],
  );
  return String(rows[0]!.id);
}
