import type PgBoss from "pg-boss";
import { db } from "../app/db/data-source.server";
import { log } from "../app/lib/log.server";

export const PRUNE_QUEUE = "prune";

/** How long live events stay replayable (Last-Event-ID) before they are pruned. */
export const EVENT_LOG_RETENTION_DAYS = 7;

/**
 * How long agent activity (agent.* rows: every tool call and message of every session) stays in the
 * feed. People's own actions (the audit trail) are kept.
 */
export const AGENT_ACTIVITY_RETENTION_DAYS = 30;

/** Deletes what has expired: sessions, invites past their date, stale rate-limit windows, old live events, old agent activity. */
export async function prune() {
  const sessions = await db().query("delete from sessions where expires_at < now()");
  const invites = await db().query("delete from invites where accepted_at is null and expires_at < now() - interval '30 days'");
  const limits = await db().query("delete from rate_limits where window_start < now() - interval '1 day'");
  const events = await db().query("delete from event_log where created_at < now() - make_interval(days => $1)", [EVENT_LOG_RETENTION_DAYS]);
  const agentActivity = await db().query("delete from activity_events where actor_type = 'agent' and type like 'agent.%' and created_at < now() - make_interval(days => $1)", [
    AGENT_ACTIVITY_RETENTION_DAYS,
  ]);
  return { sessions: sessions[1] ?? 0, invites: invites[1] ?? 0, rateLimits: limits[1] ?? 0, events: events[1] ?? 0, agentActivity: agentActivity[1] ?? 0 };
}

export async function registerPrune(boss: PgBoss) {
  await boss.createQueue(PRUNE_QUEUE, { name: PRUNE_QUEUE, policy: "singleton", retryLimit: 3, retryDelay: 60, retryBackoff: true });
  await boss.schedule(PRUNE_QUEUE, "17 * * * *");
  await boss.work(PRUNE_QUEUE, async () => {
    const removed = await prune();
    log.info("pruned expired rows", removed);
  });
}

export function sendPrune(boss: PgBoss) {
  return boss.send(PRUNE_QUEUE, {});
}
