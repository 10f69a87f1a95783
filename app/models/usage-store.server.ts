import { db, transaction } from "~/db/data-source.server";
import type { Queryable } from "~/db/rows";
import { topic } from "~/lib/topics";
import { publish } from "~/realtime/publish.server";
import * as sql from "./usage-store.queries.server";
import type { DailyUsageRow, SessionDailyRow, TranscriptCall, UsageSyncState } from "./usage-store.queries.server";

export type { DailyUsageRow, SessionDailyRow, TranscriptCall, UsageSyncState } from "./usage-store.queries.server";

/*
 * The usage store's writes (ADR 027). A gateway's days are replaced whole, each in the zone its
 * usage_sync row names; a transcript's calls are added once per record. Every change publishes
 * `usage.stored` on the usage feed, in the transaction that made it.
 */

export interface GatewayUsageDay {
  day: string;
  daily: DailyUsageRow[];
  sessions: SessionDailyRow[];
}

/** The organization's IANA time zone (its days). */
export function orgTimeZone(orgId: string): Promise<string> {
  return sql.selectOrgTimeZone(db().manager, orgId);
}

export function usageSyncState(gatewayId: string): Promise<UsageSyncState | null> {
  return sql.selectUsageSync(db().manager, gatewayId);
}

/**
 * A backfill (re)starts in `timeZone`: rows cut in another zone go, and `days` (the gateway's days
 * with usage) are queued. Answers false, changing nothing, when the organization's zone is no longer
 * `timeZone` (it changed while the gateway was asked).
 */
export async function startUsageBackfill({ orgId, gatewayId, timeZone, days }: { orgId: string; gatewayId: string; timeZone: string; days: string[] }): Promise<boolean> {
  return transaction(async (tx) => {
    if ((await sql.selectOrgTimeZone(tx, orgId)) !== timeZone) return false;
    const current = await sql.selectUsageSync(tx, gatewayId, { lock: true });
    if (current?.timeZone !== timeZone) await sql.deleteGatewayUsage(tx, gatewayId);
    const pendingDays = Array.from(new Set(days.filter((day) => /^\d{4}-\d{2}-\d{2}$/.test(day)))).sort();
    await sql.upsertUsageSyncStart(tx, { gatewayId, timeZone, pendingDays });
    return true;
  });
}

const sameFigures = (a: sql.UsageFigures, b: sql.UsageFigures) =>
  a.inputTokens === b.inputTokens && a.outputTokens === b.outputTokens && a.cacheReadTokens === b.cacheReadTokens && a.cacheWriteTokens === b.cacheWriteTokens &&
  a.totalTokens === b.totalTokens && a.calls === b.calls && a.missingCostEntries === b.missingCostEntries && Math.abs(a.costUsd - b.costUsd) < 1e-12;

function sameRows<T extends sql.UsageFigures>(before: T[], after: T[], key: (row: T) => string) {
  if (before.length !== after.length) return false;
  const old = new Map(before.map((row) => [key(row), row]));
  return after.every((row) => {
    const was = old.get(key(row));
    return was !== undefined && sameFigures(was, row);
  });
}

/**
 * Replaces a gateway's rows of each of `days` in one transaction, as the gateway answered them in
 * `timeZone`; the days leave the backfill queue and the sync records its time and `error` (what
 * failed meanwhile, null: nothing). Nothing is written when the gateway's sync is no longer in
 * `timeZone` (the zone changed while it was asked). Answers the days whose figures changed.
 */
export async function replaceGatewayUsageDays({
  orgId, gatewayId, timeZone, days, error = null,
}: { orgId: string; gatewayId: string; timeZone: string; days: GatewayUsageDay[]; error?: string | null }): Promise<string[] | null> {
  return transaction(async (tx) => {
    const sync = await sql.selectUsageSync(tx, gatewayId, { lock: true });
    if (!sync || sync.timeZone !== timeZone || (await sql.selectOrgTimeZone(tx, orgId)) !== timeZone) return null;
    const changed: string[] = [];
    for (const { day, daily, sessions } of days) {
      const before = await sql.deleteGatewayDay(tx, { gatewayId, day });
      await sql.insertGatewayDay(tx, { orgId, gatewayId, day, daily, sessions });
      const same = sameRows(before.daily, daily, (row) => `${row.agentId}\u0000${row.model}`) && sameRows(before.sessions, sessions, (row) => row.sessionKey);
      if (!same) changed.push(day);
    }
    await sql.markUsageSynced(tx, { gatewayId, doneDays: days.map((d) => d.day), error });
    if (changed.length) await publishStored(tx, { orgId, gatewayId, days: changed.sort() });
    return changed;
  });
}

/** The sync failed before anything could be stored: say why on its row. */
export async function recordUsageSyncError({ gatewayId, error }: { gatewayId: string; error: string }) {
  await sql.markUsageSyncError(db().manager, { gatewayId, error });
}

/**
 * Adds a transcript's calls to the gateway's rollups in the caller's transaction, each record once:
 * a replayed chunk adds nothing. Days are cut in the organization's zone.
 */
export async function addTranscriptCalls(q: Queryable, { orgId, gatewayId, calls }: { orgId: string; gatewayId: string; calls: TranscriptCall[] }): Promise<string[]> {
  if (calls.length === 0) return [];
  const days = await sql.insertTranscriptCalls(q, { orgId, gatewayId, calls });
  if (days.length) await publishStored(q, { orgId, gatewayId, days });
  return days;
}

/**
 * The organization's zone changed (call it in the transaction that updated `organizations.time_zone`,
 * after the update): its gateways' rows and backfill states go, so the next polls backfill in the new
 * zone, and its transcript rows are cut again from their calls, in SQL.
 */
export async function resetUsageForTimeZone(q: Queryable, orgId: string): Promise<void> {
  await sql.recutOrgUsage(q, orgId);
  await publishStored(q, { orgId, gatewayId: null, days: [] });
}

/** `usage.stored`: a gateway's (null: every gateway's) stored usage of these days changed (none listed: any day). */
function publishStored(q: Queryable, { orgId, gatewayId, days }: { orgId: string; gatewayId: string | null; days: string[] }) {
  return publish(q, { orgId, type: "usage.stored", topics: [topic.usage], data: { gatewayId, days } });
}
