import { affectedCount, type Queryable } from "~/db/rows";

/*
 * The prune plans: one DELETE per table that holds rows past their use, each answering how many it
 * removed. Kept together so what expires when reads in one place (retention.server.ts decides the
 * ages).
 */

export async function deleteExpiredSessions(q: Queryable): Promise<number> {
  return affectedCount(await q.query("delete from sessions where expires_at < now()"));
}

/** Unused invites, `days` after they expired (an accepted invite is the record of who let whom in). */
export async function deleteExpiredInvites(q: Queryable, days: number): Promise<number> {
  return affectedCount(
    await q.query("delete from invites where accepted_at is null and expires_at < now() - make_interval(days => $1)", [days]),
  );
}

export async function deleteStaleRateLimits(q: Queryable, days: number): Promise<number> {
  return affectedCount(await q.query("delete from rate_limits where window_start < now() - make_interval(days => $1)", [days]));
}

export async function deleteOldLiveEvents(q: Queryable, days: number): Promise<number> {
  return affectedCount(await q.query("delete from event_log where created_at < now() - make_interval(days => $1)", [days]));
}

/** Only agent.* rows written by agents: people's own actions (the audit trail) stay. */
export async function deleteOldAgentActivity(q: Queryable, days: number): Promise<number> {
  return affectedCount(
    await q.query(
      "delete from activity_events where actor_type = 'agent' and type like 'agent.%' and created_at < now() - make_interval(days => $1)",
      [days],
    ),
  );
}
