import { describe, expect, it } from "vitest";
import { db } from "~/db/data-source.server";
import type { SessionsUsageParams, SessionsUsageResult } from "~/gateway";
import { addTranscriptCalls, resetUsageForTimeZone, usageSyncState } from "~/models/usage-store.server";
import { useTestDatabase } from "../../test/support/db";
import { ownerWithOrg } from "../../test/support/fixtures";
import { seedGateway } from "../../test/support/usage";
import { dayIn, syncGatewayUsage, usageRowsOfDay, utcOffsetOf } from "./usage-sync.server";

useTestDatabase();

/** A mock-model turn as the gateway's sessions.usage reports it (openclaw 2026.9.6, recorded shape). */
const turn = (calls = 1) => ({
  input: 900 * calls, output: 50 * calls, cacheRead: 100 * calls, cacheWrite: 0, totalTokens: 1050 * calls, totalCost: 0.00348 * calls, missingCostEntries: 0,
});
const session = (key: string, agentId: string, models: Array<{ provider?: string; model?: string; calls: number; missing?: number }>) => ({
  key, agentId,
  usage: {
    ...turn(models.reduce((n, m) => n + m.calls, 0)),
    modelUsage: models.map((m) => ({ provider: m.provider, model: m.model, count: m.calls, totals: { ...turn(m.calls), missingCostEntries: m.missing ?? 0, totalCost: m.missing ? 0 : 0.00348 * m.calls } })),
  },
});

describe("one day's sessions.usage as rollup rows", () => {
  it("sums each agent × model over its sessions, keeps one row per session, names models provider/model", () => {
    const { daily, sessions } = usageRowsOfDay({
      sessions: [
        session("agent:main:a", "main", [{ provider: "mock", model: "mock-1", calls: 2 }, { provider: "anthropic", model: "claude-x", calls: 1, missing: 1 }]),
        session("agent:main:b", "main", [{ provider: "mock", model: "mock-1", calls: 1 }]),
        session("agent:ops:c", "ops", [{ model: "mock-1", calls: 1 }]),
        { key: "agent:main:new", agentId: "main", usage: null },
      ] as unknown as SessionsUsageResult["sessions"],
    });
    const byKey = Object.fromEntries(daily.map((row) => [`${row.agentId} ${row.model}`, row]));
    expect(Object.keys(byKey).sort()).toEqual(["main anthropic/claude-x", "main mock/mock-1", "ops mock-1"]);
    expect(byKey["main mock/mock-1"]).toMatchObject({ calls: 3, inputTokens: 2700, cacheReadTokens: 300, outputTokens: 150, totalTokens: 3150 });
    expect(byKey["main mock/mock-1"]!.costUsd).toBeCloseTo(0.01044, 10);
    // an unpriced call is counted as missing, not as $0 fact
    expect(byKey["main anthropic/claude-x"]).toMatchObject({ calls: 1, costUsd: 0, missingCostEntries: 1 });
    expect(sessions.map((s) => s.sessionKey).sort()).toEqual(["agent:main:a", "agent:main:b", "agent:ops:c"]);
    expect(sessions.find((s) => s.sessionKey === "agent:main:a")).toMatchObject({ calls: 3, missingCostEntries: 1 });
  });

  it("cuts days in the zone and names the legacy offset, across a DST change", () => {
    // 23:30 UTC on Nov 30 is already Dec 1 in Berlin
    expect(dayIn("Europe/Berlin", Date.parse("2026-11-30T23:30:00Z"))).toBe("2026-12-01");
    expect(dayIn("America/New_York", Date.parse("2026-11-01T03:30:00Z"))).toBe("2026-10-31");
    expect(utcOffsetOf("America/New_York", "2026-07-01")).toBe("UTC-4");
    expect(utcOffsetOf("America/New_York", "2026-12-01")).toBe("UTC-5");
    expect(utcOffsetOf("Asia/Kolkata", "2026-12-01")).toBe("UTC+5:30");
  });
});

/** A fake gateway: answers sessions.usage per day from `byDay`, and `range: "all"` with the days listed. */
function fakeGateway(byDay: Record<string, SessionsUsageResult["sessions"]>) {
  const asked: SessionsUsageParams[] = [];
  return {
    asked,
    api: {
      async sessionsUsage(params: SessionsUsageParams = {}) {
        asked.push(params);
        if (params.range === "all") return { sessions: [], totals: {}, aggregates: { daily: Object.keys(byDay).map((date) => ({ date })) } } as unknown as SessionsUsageResult;
        return { sessions: byDay[String(params.startDate)] ?? [], totals: {}, cacheStatus: { status: "fresh" } } as unknown as SessionsUsageResult;
      },
    },
  };
}

const stored = async (gatewayId: string) =>
  (await db().query(
    `select to_char(day, 'YYYY-MM-DD') as day, agent_id as agent, model, calls, cost_usd as cost from usage_daily where gateway_id = $1 order by day, agent_id, model`,
    [gatewayId],
  )) as Array<{ day: string; agent: string; model: string; calls: number; cost: number }>;

describe("a gateway's usage sync", () => {
  it("backfills the history in batches, oldest first, and a re-poll never counts twice", async () => {
    const { org } = await ownerWithOrg("usage-sync");
    const gatewayId = await seedGateway(org.id);
    const now = Date.parse("2026-12-02T10:00:00Z");
    const history: Record<string, SessionsUsageResult["sessions"]> = {};
    for (let d = 1; d <= 20; d++) history[`2026-11-${String(d).padStart(2, "0")}`] = [session(`agent:main:s${d}`, "main", [{ provider: "mock", model: "mock-1", calls: 1 }])] as never;
    history["2026-12-02"] = [session("agent:main:today", "main", [{ provider: "mock", model: "mock-1", calls: 2 }])] as never;
    const gateway = fakeGateway(history);

    const first = await syncGatewayUsage(gateway.api, { id: gatewayId, orgId: org.id }, { now });
    expect(first.errors).toEqual([]);
    // yesterday, today and the 14 oldest days of the backlog
    expect(first.stored.slice(0, 2)).toEqual(["2026-12-01", "2026-12-02"]);
    expect(first.stored.slice(2)).toEqual(Object.keys(history).slice(0, 14));
    let sync = await usageSyncState(gatewayId);
    expect(sync).toMatchObject({ timeZone: "UTC", totalDays: 20 });
    expect(sync!.pendingDays).toHaveLength(6);

    await syncGatewayUsage(gateway.api, { id: gatewayId, orgId: org.id }, { now });
    sync = await usageSyncState(gatewayId);
    expect(sync!.pendingDays).toEqual([]);
    expect(sync!.backfilledAt).not.toBeNull();
    const afterBackfill = await stored(gatewayId);
    expect(afterBackfill.reduce((n, r) => n + r.calls, 0)).toBe(22);

    // a re-poll replaces today and yesterday: the same figures, not doubled
    const again = await syncGatewayUsage(gateway.api, { id: gatewayId, orgId: org.id }, { now });
    expect(again.changed).toEqual([]);
    expect(await stored(gatewayId)).toEqual(afterBackfill);
    // every day was asked of all agents, in the org's zone
    expect(gateway.asked.every((p) => p.agentScope === "all" && p.mode === "specific" && p.timeZone === "UTC")).toBe(true);

    // the gateway recomputed today: the day is corrected, not added to
    history["2026-12-02"] = [session("agent:main:today", "main", [{ provider: "mock", model: "mock-1", calls: 3 }])] as never;
    const corrected = await syncGatewayUsage(gateway.api, { id: gatewayId, orgId: org.id }, { now });
    expect(corrected.changed).toEqual(["2026-12-02"]);
    expect((await stored(gatewayId)).find((r) => r.day === "2026-12-02")!.calls).toBe(3);
  });

  it("a transcript's replayed calls add nothing; a zone change re-cuts them into the new days", async () => {
    const { org } = await ownerWithOrg("usage-transcript");
    const gatewayId = await seedGateway(org.id);
    const call = (recordId: string, at: string) => ({
      recordId, sessionKey: "agent:main:t", agentId: "main", model: "mock-1", at,
      inputTokens: 900, outputTokens: 50, cacheReadTokens: 100, cacheWriteTokens: 0, totalTokens: 1050, costUsd: 0.00348,
    });
    // 03:30 UTC on Nov 1 is still Oct 31 in New York (the night the clocks go back)
    const calls = [call("r1", "2026-11-01T03:30:00Z"), call("r2", "2026-11-01T12:00:00Z"), { ...call("r3", "2026-11-01T13:00:00Z"), costUsd: null }];
    await db().transaction((tx) => addTranscriptCalls(tx, { orgId: org.id, gatewayId, calls }));
    await db().transaction((tx) => addTranscriptCalls(tx, { orgId: org.id, gatewayId, calls: calls.slice(0, 2) }));
    let rows = await stored(gatewayId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ day: "2026-11-01", calls: 3 });
    expect(rows[0]!.cost).toBeCloseTo(0.00696, 10);
    const [{ missing }] = (await db().query("select missing_cost_entries as missing from usage_daily where gateway_id = $1", [gatewayId])) as Array<{ missing: number }>;
    expect(missing).toBe(1);

    await db().transaction(async (tx) => {
      await tx.query("update organizations set time_zone = 'America/New_York' where id = $1", [org.id]);
      await resetUsageForTimeZone(tx, org.id);
    });
    rows = await stored(gatewayId);
    expect(rows.map((r) => [r.day, r.calls])).toEqual([["2026-10-31", 1], ["2026-11-01", 2]]);
  });
});
