import { GatewayRequestError, MethodUnavailableError, type GatewayConnection, type SessionsUsageResult } from "~/gateway";
import { workQueue, type WorkQueue } from "~/lib/work-queue";
import type { Gateway } from "~/db/entities";
import { pollStartedAt, recordPollFailure, storePoll, type DailyUsage, type PollOutcome, type SnapshotKind } from "~/models/gateway-snapshot.server";
import { endMissingSubagents, storeSessionUsage, upsertSessionRows, type SessionUsageRow } from "~/models/agent-session.server";
import { sessionFacts, type SessionFacts } from "~/activity/session-row";
import { orgTimeZone } from "~/models/usage-store.server";
import type { OwnedGateway } from "./gateway-events.server";
import { dayIn, syncGatewayUsage, utcOffsetOf } from "./usage-sync.server";

/**
 * One poll of a gateway this process owns, on its live connection; records why when it cannot.
 * Answers false when the gateway is not online (or no longer ours): the chain of polls then stops,
 * and restarts the moment it comes online rather than waiting a whole interval.
 */
export async function pollOwnedGateway(gatewayId: string, owned: OwnedGateway | undefined): Promise<boolean> {
  if (!owned) return false;
  if (owned.connection.status.state !== "online") {
    await recordPollFailure({ gatewayId, message: `Not polled: the gateway is ${owned.connection.status.state}.` });
    return false;
  }
  try {
    // its writes wait their turn behind the events handled meanwhile: session rows are written in one
    // order, so "was this session still open?" is never answered by two writers at once
    await pollGateway(owned.connection, owned.gateway, owned.queue);
  } catch (error) {
    await recordPollFailure({ gatewayId, message: error instanceof Error ? error.message : String(error) });
  }
  return true;
}

/**
 * One poll of one gateway over its live connection: each method is asked on its own, so one that
 * fails (or that this gateway does not offer) is recorded and the others are still stored.
 */
export async function pollGateway(
  connection: GatewayConnection,
  gateway: Pick<Gateway, "id" | "orgId" | "transcriptDir">,
  /** the gateway's handling order (the runtime's per-gateway queue): the writes wait their turn there, the asking does not */
  queue: WorkQueue = workQueue(),
): Promise<PollOutcome> {
  const api = connection.api;
  const timeZone = await orgTimeZone(gateway.orgId);
  const calls: Array<[SnapshotKind, () => Promise<unknown>]> = [
    ["health", () => api.health()],
    ["status", () => api.status()],
    ["sessions", () => api.sessionsList({ limit: 200 })],
    ["sessions.usage", () => api.sessionsUsage({ limit: 200 })],
    ["usage.cost", () => usageCostInZone(connection, timeZone)],
    ["cron", () => api.cronList()],
    ["models", () => api.modelsList()],
  ];
  const outcome: PollOutcome = { snapshots: {}, daily: [], errors: {} };
  // just before asking: a session row written after it is newer than the list, and the list does not undo it
  const askedAt = await pollStartedAt();
  const results = await Promise.allSettled(calls.map(([, call]) => call()));
  results.forEach((result, index) => {
    const kind = calls[index]![0];
    if (result.status === "fulfilled") outcome.snapshots[kind] = result.value;
    // a gateway without per-session usage (older versions) is not failing: the rows keep their own figures
    else if (kind === "sessions.usage" && result.reason instanceof MethodUnavailableError) return;
    else outcome.errors[kind] = result.reason instanceof Error ? result.reason.message : String(result.reason);
  });
  // Every session's usage is kept on its row; the snapshot keeps only the totals (the whole answer
  // runs to kilobytes per session).
  const usage = outcome.snapshots["sessions.usage"] as SessionsUsageResult | undefined;
  if (usage) outcome.snapshots["sessions.usage"] = { updatedAt: usage.updatedAt, startDate: usage.startDate, endDate: usage.endDate, totals: usage.totals, cacheStatus: usage.cacheStatus, sessions: Array.isArray(usage.sessions) ? usage.sessions.length : 0 };
  await queue.run(async () => {
    const cost = outcome.snapshots["usage.cost"] as { daily?: DailyUsage[] } | undefined;
    if (Array.isArray(cost?.daily)) outcome.daily = cost.daily;
    await storePoll({ gatewayId: gateway.id, orgId: gateway.orgId, outcome });
    const list = outcome.snapshots.sessions as { sessions?: Array<Record<string, unknown>>; defaults?: { contextTokens?: number } } | undefined;
    if (Array.isArray(list?.sessions)) {
      const sessions = list.sessions.map((row) => sessionFacts(row, list.defaults ?? {})).filter((facts): facts is SessionFacts => facts !== null);
      await upsertSessionRows({ orgId: gateway.orgId, gatewayId: gateway.id, sessions, observedAt: askedAt });
      // Only a complete list says which sub-agents are gone.
      if ((list as { hasMore?: boolean }).hasMore !== true) {
        await endMissingSubagents({ orgId: gateway.orgId, gatewayId: gateway.id, liveKeys: sessions.map((s) => s.sessionKey), observedAt: askedAt });
      }
    }
    // A gateway whose transcripts we tail has its usage summed from them (all of it, not 30 days):
    // one source per session, not two writing the same figures.
    if (usage && !gateway.transcriptDir) {
      await storeSessionUsage({ orgId: gateway.orgId, gatewayId: gateway.id, since: typeof usage.startDate === "string" && /^\d{4}-\d{2}-\d{2}$/.test(usage.startDate) ? usage.startDate : null, rows: sessionUsageRows(usage) });
    }
  });
  // The rollups (ADR 027; what failed is kept on usage_sync): a gateway whose transcripts we tail
  // has them counted from its transcripts instead.
  if (!gateway.transcriptDir) await syncGatewayUsage(api, gateway, { store: (work) => queue.run(work) });
  return outcome;
}

/**
 * Every agent's usage (without agentScope the gateway counts agent main only) in the organization's
 * days. A legacy gateway ignores `timeZone` and reads `utcOffset`; one that refuses the params is
 * asked as before.
 */
async function usageCostInZone(connection: GatewayConnection, timeZone: string) {
  try {
    return await connection.api.usageCost({ agentScope: "all", mode: "specific", timeZone, utcOffset: utcOffsetOf(timeZone, dayIn(timeZone, Date.now())) });
  } catch (error) {
    if (!(error instanceof GatewayRequestError)) throw error;
    return connection.api.usageCost();
  }
}

const count = (value: unknown) => (typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : 0);

/** The sessions the gateway has counted (a session it has not counted yet has usage null). */
export function sessionUsageRows(result: Pick<SessionsUsageResult, "sessions">): SessionUsageRow[] {
  if (!Array.isArray(result.sessions)) return [];
  return result.sessions.flatMap((session) => {
    const usage = session?.usage;
    if (typeof session?.key !== "string" || !usage || typeof usage !== "object") return [];
    return [{
      sessionKey: session.key,
      inputTokens: count(usage.input),
      outputTokens: count(usage.output),
      cacheReadTokens: count(usage.cacheRead),
      totalTokens: count(usage.totalTokens),
      costUsd: count(usage.totalCost),
    }];
  });
}
