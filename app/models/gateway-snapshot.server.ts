import { db, transaction } from "~/db/data-source.server";
import { topic } from "~/lib/topics";
import { publish } from "~/realtime/publish.server";
import * as sql from "./gateway-snapshot.queries.server";
import { summarizeSnapshots } from "./gateway-snapshot-summary";

/*
 * What polling learns about a gateway and events do not carry: the latest answer per kind
 * (health, status, sessions, session usage, cron, models, usage) and one upserted row per day of usage.cost.
 */

export const SNAPSHOT_KINDS = ["health", "status", "sessions", "sessions.usage", "usage.cost", "cron", "models"] as const;
export type SnapshotKind = (typeof SNAPSHOT_KINDS)[number];

export interface DailyUsage {
  date: string;
  input?: number;
  output?: number;
  cacheRead?: number;
  cacheWrite?: number;
  totalTokens?: number;
  totalCost?: number;
  [key: string]: unknown;
}

export interface PollOutcome {
  snapshots: Partial<Record<SnapshotKind, unknown>>;
  daily: DailyUsage[];
  /** what failed, per kind, in a sentence */
  errors: Partial<Record<SnapshotKind, string>>;
}

const num = (value: unknown) => (typeof value === "number" && Number.isFinite(value) ? value : 0);

/** Stores one poll in one transaction: snapshots, daily usage rows, and the poll's result on the gateway. */
export async function storePoll({ gatewayId, orgId, outcome }: { gatewayId: string; orgId: string; outcome: PollOutcome }) {
  await transaction(async (tx) => {
    for (const [kind, data] of Object.entries(outcome.snapshots)) await sql.upsertSnapshot(tx, { gatewayId, kind, data });
    for (const day of outcome.daily) {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(day.date)) continue;
      await sql.upsertUsageDay(tx, gatewayId, {
        day: day.date, input: num(day.input), output: num(day.output), cacheRead: num(day.cacheRead), cacheWrite: num(day.cacheWrite),
        totalTokens: num(day.totalTokens), totalCost: num(day.totalCost), data: day,
      });
    }
    const errors = Object.entries(outcome.errors).map(([kind, message]) => `${kind}: ${message}`);
    await sql.markPolled(tx, { gatewayId, error: errors.length ? errors.join("; ") : null });
    await publish(tx, {
      orgId,
      type: "gateway.polled",
      topics: [topic.gateways, topic.gateway(gatewayId)],
      data: { gatewayId, kinds: Object.keys(outcome.snapshots), errors: outcome.errors },
    });
  });
}

export async function recordPollFailure({ gatewayId, message }: { gatewayId: string; message: string }) {
  await sql.markPolled(db().manager, { gatewayId, error: message });
}

/**
 * The database's time as a poll starts asking: a session row written after it (an event handled
 * while the answers were on their way) is newer than the poll's list, and the list does not undo it.
 */
export function pollStartedAt(): Promise<Date> {
  return sql.databaseNow(db().manager);
}

/** Which kinds the gateway's polls have answered, and when (the answers stay in the database). */
export function listSnapshotTimes(gatewayId: string) {
  return sql.selectSnapshotTimes(db().manager, gatewayId);
}

/** The gateway page's snapshot cards (Health, Usage, Crons, Sessions, Models), read from the latest answers. */
export async function gatewaySnapshotCards(gatewayId: string, { now = Date.now(), days = 14 }: { now?: number; days?: number } = {}) {
  const [rows, usage] = await Promise.all([sql.selectSnapshotFacts(db().manager, gatewayId), sql.selectUsageDays(db().manager, { gatewayId, days })]);
  return summarizeSnapshots({ rows, days: usage, now });
}

/** The gateway's usage of its last `days` days with any, oldest first. */
export function listDailyUsage(gatewayId: string, { days = 14 }: { days?: number } = {}) {
  return sql.selectUsageDays(db().manager, { gatewayId, days });
}

/** Today's cost (the gateways' own usage.cost day, UTC date) and gateway health, for the dashboard. */
export async function gatewaySummary(orgId: string) {
  const row = await sql.selectGatewaySummary(db().manager, orgId);
  return { total: row.total, online: row.online, costToday: row.hasUsage ? (row.costToday ?? 0) : null };
}
