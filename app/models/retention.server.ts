import { db } from "~/db/data-source.server";
import * as plans from "./retention.queries.server";

/** How long live events stay replayable (Last-Event-ID) before they are pruned. */
export const EVENT_LOG_RETENTION_DAYS = 7;

/**
 * How long agent activity (agent.* rows: every tool call and message of every session) stays in the
 * feed. People's own actions (the audit trail) are kept.
 */
export const AGENT_ACTIVITY_RETENTION_DAYS = 30;

/** Unused invites are kept this long past their expiry, so "this link expired" still explains itself. */
export const EXPIRED_INVITE_RETENTION_DAYS = 30;

/** A rate-limit window is at most 15 minutes long; a day-old one counts nothing. */
export const RATE_LIMIT_RETENTION_DAYS = 1;

export type Pruned = {
  sessions: number;
  invites: number;
  rateLimits: number;
  events: number;
  agentActivity: number;
};

/** Deletes what has expired: sessions, invites past their date, stale rate-limit windows, old live events, old agent activity. */
export async function pruneExpired(): Promise<Pruned> {
  const q = db().manager;
  return {
    sessions: await plans.deleteExpiredSessions(q),
    invites: await plans.deleteExpiredInvites(q, EXPIRED_INVITE_RETENTION_DAYS),
    rateLimits: await plans.deleteStaleRateLimits(q, RATE_LIMIT_RETENTION_DAYS),
    events: await plans.deleteOldLiveEvents(q, EVENT_LOG_RETENTION_DAYS),
    agentActivity: await plans.deleteOldAgentActivity(q, AGENT_ACTIVITY_RETENTION_DAYS),
  };
}
