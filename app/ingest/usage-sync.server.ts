import { GatewayRequestError, MethodUnavailableError, type GatewayApi, type SessionsUsageParams, type SessionsUsageResult } from "~/gateway";
import type { Gateway } from "~/db/entities";
import {
  orgTimeZone, recordUsageSyncError, replaceGatewayUsageDays, startUsageBackfill, usageSyncState,
  type DailyUsageRow, type GatewayUsageDay, type SessionDailyRow,
} from "~/models/usage-store.server";

/*
 * A gateway's usage into the rollups (ADR 027): per poll, `sessions.usage` for yesterday and today of
 * the organization's zone, one day per call (so each session's modelUsage is that day's), and up to
 * BACKFILL_PER_POLL days of the first-connect backfill, oldest first; each answered day replaces the
 * gateway's rows of that day.
 */

export const BACKFILL_PER_POLL = 14;
/** sessions.usage lists at most `limit` sessions (its aggregates count them all); it has no maximum */
const SESSION_LIMIT = 100_000;

type UsageApi = Pick<GatewayApi, "sessionsUsage">;

const count = (value: unknown) => (typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : 0);
const text = (value: unknown) => (typeof value === "string" && value.trim() ? value.trim() : undefined);

/** "provider/model" as the gateway names it; "unknown" when the call named none. */
export function modelName(provider: unknown, model: unknown): string {
  const m = text(model);
  const p = text(provider);
  if (!m) return p ? `${p}/unknown` : "unknown";
  return p && !m.startsWith(`${p}/`) ? `${p}/${m}` : m;
}

type Figures = Omit<DailyUsageRow, "agentId" | "model">;
const zero = (): Figures => ({ inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, totalTokens: 0, calls: 0, costUsd: 0, missingCostEntries: 0 });

function add(into: Figures, totals: Record<string, unknown>, calls: number) {
  into.inputTokens += count(totals.input);
  into.outputTokens += count(totals.output);
  into.cacheReadTokens += count(totals.cacheRead);
  into.cacheWriteTokens += count(totals.cacheWrite);
  into.totalTokens += count(totals.totalTokens) || count(totals.input) + count(totals.output) + count(totals.cacheRead) + count(totals.cacheWrite);
  into.costUsd += count(totals.totalCost);
  into.missingCostEntries += count(totals.missingCostEntries);
  into.calls += calls;
}

const isObj = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * One day's answer of `sessions.usage` (asked for that day alone) as rollup rows: one per agent ×
 * model (summed over the agent's sessions) and one per session. A session the gateway has not
 * counted yet (usage null) adds nothing; a session whose usage names no model counts as "unknown".
 */
export function usageRowsOfDay(result: Pick<SessionsUsageResult, "sessions">): { daily: DailyUsageRow[]; sessions: SessionDailyRow[] } {
  const daily = new Map<string, DailyUsageRow>();
  const sessions = new Map<string, SessionDailyRow>();
  for (const session of Array.isArray(result?.sessions) ? result.sessions : []) {
    const usage = session?.usage as unknown;
    const key = text(session?.key);
    if (!key || !isObj(usage)) continue;
    const agentId = text(session.agentId) ?? agentOfKey(key);
    const models = (Array.isArray(usage.modelUsage) ? usage.modelUsage : []).filter(isObj);
    const perModel = models.length
      ? models.map((entry) => ({ model: modelName(entry.provider, entry.model), totals: isObj(entry.totals) ? entry.totals : {}, calls: count(entry.count) }))
      : [{ model: "unknown", totals: usage, calls: count(isObj(usage.messageCounts) ? usage.messageCounts.assistant : 0) }];
    const own = sessions.get(key) ?? { sessionKey: key, agentId, ...zero() };
    for (const { model, totals, calls } of perModel) {
      if (!perModelCounts(totals, calls)) continue;
      const id = `${agentId}\u0000${model}`;
      const row = daily.get(id) ?? { agentId, model, ...zero() };
      add(row, totals, calls);
      daily.set(id, row);
      add(own, totals, calls);
    }
    if (own.calls > 0 || own.totalTokens > 0 || own.costUsd > 0 || own.missingCostEntries > 0) sessions.set(key, own);
  }
  return { daily: [...daily.values()], sessions: [...sessions.values()] };
}

/** Whether a model's figures say anything (a zero row is not stored). */
function perModelCounts(totals: Record<string, unknown>, calls: number) {
  return calls > 0 || ["input", "output", "cacheRead", "cacheWrite", "totalTokens", "totalCost", "missingCostEntries"].some((k) => count(totals[k]) > 0);
}

/** "agent:<id>:…" → <id>; the gateway's default agent otherwise. */
const agentOfKey = (key: string) => /^agent:([^:]+):/.exec(key)?.[1] ?? "main";

/** The YYYY-MM-DD day `at` falls on in `timeZone`. */
export function dayIn(timeZone: string, at: Date | number): string {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${get("year")}-${get("month")}-${get("day")}`;
}

/** The day before `day` (calendar arithmetic, zone-free). */
export function dayBefore(day: string): string {
  const d = new Date(`${day}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

/** `timeZone`'s offset from UTC at noon of `day`, as the legacy gateways' `utcOffset` ("UTC+1", "UTC-4:30"). */
export function utcOffsetOf(timeZone: string, day: string): string {
  const noon = new Date(`${day}T12:00:00Z`);
  const name = new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "longOffset" }).formatToParts(noon).find((p) => p.type === "timeZoneName")?.value ?? "GMT";
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  if (!match) return "UTC+0";
  const hours = Number(match[2]);
  return `UTC${match[1]}${hours}${match[3] === "00" ? "" : `:${match[3]}`}`;
}

/**
 * `sessions.usage` in the organization's zone. A legacy gateway (2026.7) refuses `timeZone` (its
 * params are closed): it is asked again with the zone's UTC offset at noon of `day`.
 */
async function askInZone(api: UsageApi, params: SessionsUsageParams, timeZone: string, day: string): Promise<SessionsUsageResult> {
  try {
    return await api.sessionsUsage({ agentScope: "all", mode: "specific", timeZone, ...params });
  } catch (error) {
    if (!(error instanceof GatewayRequestError)) throw error;
    return api.sessionsUsage({ agentScope: "all", mode: "specific", utcOffset: utcOffsetOf(timeZone, day), ...params });
  }
}

const refreshing = (result: SessionsUsageResult) => (result.cacheStatus as { status?: unknown } | undefined)?.status === "refreshing";
const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

export interface UsageSyncOutcome {
  /** the days replaced */
  stored: string[];
  /** the days whose figures changed */
  changed: string[];
  /** what failed, in sentences */
  errors: string[];
}

/**
 * One poll's usage sync of a gateway read through its gateway methods (not its transcripts).
 * `store` runs the writes (the gateway's handling queue); the asking happens before it.
 */
export async function syncGatewayUsage(
  api: UsageApi,
  gateway: Pick<Gateway, "id" | "orgId">,
  { now = Date.now(), store = (work: () => Promise<void>) => work() }: { now?: number; store?: (work: () => Promise<void>) => Promise<void> } = {},
): Promise<UsageSyncOutcome> {
  const timeZone = await orgTimeZone(gateway.orgId);
  const today = dayIn(timeZone, now);
  const yesterday = dayBefore(today);
  const outcome: UsageSyncOutcome = { stored: [], changed: [], errors: [] };

  let sync = await usageSyncState(gateway.id);
  if (!sync || sync.timeZone !== timeZone) {
    // first connect, or the zone changed: one all-history call lists the days with usage
    try {
      const all = await askInZone(api, { range: "all", limit: 1 }, timeZone, today);
      const daily = (all.aggregates as { daily?: unknown } | undefined)?.daily;
      const days = (Array.isArray(daily) ? (daily as Array<{ date?: unknown }>) : []).map((d) => text(d?.date)).filter((d): d is string => !!d);
      let started = false;
      await store(async () => {
        started = await startUsageBackfill({ orgId: gateway.orgId, gatewayId: gateway.id, timeZone, days: days.filter((d) => d < yesterday) });
      });
      if (!started) return outcome;
      sync = await usageSyncState(gateway.id);
    } catch (error) {
      // a gateway without sessions.usage (older versions) is not failing: it has no rollups
      if (error instanceof MethodUnavailableError) return outcome;
      outcome.errors.push(`usage backfill: ${message(error)}`);
      return outcome;
    }
  }

  const wanted = [yesterday, today, ...(sync?.pendingDays ?? []).filter((d) => d < yesterday).slice(0, BACKFILL_PER_POLL)];
  const days: GatewayUsageDay[] = [];
  for (const day of wanted) {
    try {
      const result = await askInZone(api, { startDate: day, endDate: day, limit: SESSION_LIMIT }, timeZone, day);
      // the gateway is still counting the latest runs: keep what is stored, ask again next poll
      if (refreshing(result)) continue;
      days.push({ day, ...usageRowsOfDay(result) });
    } catch (error) {
      outcome.errors.push(`usage of ${day}: ${message(error)}`);
    }
  }
  const error = outcome.errors.length ? outcome.errors.join("; ") : null;
  await store(async () => {
    if (days.length === 0) {
      if (error) await recordUsageSyncError({ gatewayId: gateway.id, error });
      return;
    }
    const changed = await replaceGatewayUsageDays({ orgId: gateway.orgId, gatewayId: gateway.id, timeZone, days, error });
    if (changed) {
      outcome.stored = days.map((d) => d.day);
      outcome.changed = changed;
    }
  });
  return outcome;
}
