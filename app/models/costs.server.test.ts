import { describe, expect, it } from "vitest";
import { db } from "~/db/data-source.server";
import { useTestDatabase } from "../../test/support/db";
import { ownerWithOrg } from "../../test/support/fixtures";
import { seedGateway, seedGatewayAgent, seedSessionUsage, seedSync, seedUsage, setOrgCostSettings } from "../../test/support/usage";
import { costOverview, homeCostSummary, parseCostQuery } from "./costs.server";

useTestDatabase();

// 2026-12-10 10:00 UTC: 11:00 in Berlin, so today is Dec 10 there
const NOW = Date.UTC(2026, 11, 10, 10, 0);

async function world({ timeZone = "UTC", budget = null as number | null } = {}) {
  const { org } = await ownerWithOrg("costs");
  await setOrgCostSettings(org.id, { timeZone, monthlyBudgetUsd: budget });
  const gw1 = await seedGateway(org.id, { name: "alpha" });
  const gw2 = await seedGateway(org.id, { name: "beta", state: "offline", stateSince: Date.UTC(2026, 11, 9, 8) });
  const main1 = await seedGatewayAgent(org.id, gw1, "main", { name: "Alpha main" });
  const main2 = await seedGatewayAgent(org.id, gw2, "main", { name: "Beta main", monthlyBudgetUsd: 5 });
  return { orgId: org.id, gw1, gw2, main1, main2 };
}

describe("costOverview", () => {
  it("sums today, the month, all time and the range; series with zeros; models, agents and sessions", async () => {
    const { orgId, gw1, gw2, main1 } = await world();
    await seedUsage(orgId, [
      { gatewayId: gw1, day: "2026-11-30", cost: 10, model: "a/one" },
      { gatewayId: gw1, day: "2026-12-01", cost: 1, model: "a/one", cacheWrite: 20 },
      { gatewayId: gw1, day: "2026-12-01", cost: 2, model: "b/two" },
      { gatewayId: gw1, day: "2026-12-10", cost: 0.5, model: "a/one" },
      { gatewayId: gw2, day: "2026-12-10", cost: 0, model: "c/unpriced", calls: 3, missing: 3 },
      { gatewayId: gw1, day: "2026-12-05", agent: "helper", cost: 4, model: "b/two" },
    ]);
    await seedSessionUsage(orgId, [
      { gatewayId: gw1, day: "2026-12-01", sessionKey: "agent:main:main", cost: 3 },
      { gatewayId: gw1, day: "2026-12-10", sessionKey: "agent:main:main", cost: 0.5 },
      { gatewayId: gw1, day: "2026-12-05", sessionKey: "agent:helper:x", agent: "helper", cost: 4 },
    ]);
    const session = (await db().query(
      "insert into agent_sessions (org_id, gateway_id, session_key, agent_id, external_agent_id, type, label) values ($1, $2, 'agent:main:main', $3, 'main', 'main', 'Main chat') returning id",
      [orgId, gw1, main1],
    )) as Array<{ id: string }>;

    const o = (await costOverview({ orgId, from: "2026-12-01", to: "2026-12-10", now: NOW }))!;
    expect(o.currency).toBe("USD");
    expect(o.todayDay).toBe("2026-12-10");
    expect(o.today).toBeCloseTo(0.5, 10);
    expect(o.month).toBeCloseTo(7.5, 10);
    expect(o.allTime).toBeCloseTo(17.5, 10);
    expect(o.range).toMatchObject({ from: "2026-12-01", to: "2026-12-10" });
    expect(o.range.cost).toBeCloseTo(7.5, 10);
    expect(o.daily).toHaveLength(10);
    expect(o.daily[1]).toMatchObject({ day: "2026-12-02", cost: 0, totalTokens: 0 });
    expect(o.daily[0]).toMatchObject({ day: "2026-12-01", cacheReadTokens: 200, cacheWriteTokens: 20, inputTokens: 1800 });
    expect(o.daily[0]!.totalTokens).toBe(2 * 1050 + 20);
    expect(o.missingCostEntries).toBe(3);
    expect(o.byModel.map((m) => m.model)).toEqual(["b/two", "a/one", "c/unpriced"]);
    expect(o.byModel[0]!.share).toBeCloseTo(6 / 7.5, 10);
    expect(o.byModel[2]).toMatchObject({ cost: 0, missingCostEntries: 3 });
    const helper = o.byAgent.find((a) => a.externalId === "helper")!;
    expect(helper).toMatchObject({ agentId: null, name: "helper", gatewayId: gw1, cost: 4 });
    expect(o.byAgent.find((a) => a.agentId === main1)).toMatchObject({ name: "Alpha main", cost: 3.5 });
    expect(o.bySession[0]).toMatchObject({ sessionKey: "agent:helper:x", sessionId: null, externalAgentId: "helper", cost: 4 });
    expect(o.bySession[1]).toMatchObject({ sessionKey: "agent:main:main", sessionId: session[0]!.id, label: "Main chat", cost: 3.5 });
    expect(o.dailyByModel).toContainEqual({ day: "2026-12-01", model: "b/two", cost: 2 });
    expect(o.firstDay).toBe("2026-11-30");
    // Dec 3–9: 4 on Dec 5 over 7 days; today 0.5 is less than the rate
    expect(o.projection).toMatchObject({ method: "trailing-7-day-average", days: 7 });
    expect(o.projection.dailyRate).toBeCloseTo(4 / 7, 10);
    expect(o.projectedMonth).toBeCloseTo(7 + (4 / 7) * 22, 10);
  });

  it("honours the gateway and agent filter for every figure, and answers null for another organization's", async () => {
    const { orgId, gw1, gw2, main1, main2 } = await world();
    await seedUsage(orgId, [
      { gatewayId: gw1, day: "2026-12-10", cost: 1 },
      { gatewayId: gw2, day: "2026-12-10", cost: 2 },
      { gatewayId: gw2, day: "2026-12-09", cost: 4, agent: "other" },
    ]);
    const byGateway = (await costOverview({ orgId, from: "2026-12-01", to: "2026-12-10", gatewayId: gw2, now: NOW }))!;
    expect(byGateway.today).toBe(2);
    expect(byGateway.allTime).toBe(6);
    expect(byGateway.freshness.gateways.map((g) => g.id)).toEqual([gw2]);
    const byAgent = (await costOverview({ orgId, from: "2026-12-01", to: "2026-12-10", agentId: main2, now: NOW }))!;
    expect(byAgent.allTime).toBe(2);
    expect(byAgent.byAgent.map((a) => a.agentId)).toEqual([main2]);
    // the same external id "main" on the other gateway is another agent
    expect((await costOverview({ orgId, from: "2026-12-01", to: "2026-12-10", agentId: main1, now: NOW }))!.allTime).toBe(1);
    // an agent of gateway 1 under gateway 2's filter: nothing
    const crossed = (await costOverview({ orgId, from: "2026-12-01", to: "2026-12-10", agentId: main1, gatewayId: gw2, now: NOW }))!;
    expect(crossed.allTime).toBe(0);
    expect(crossed.byAgent).toEqual([]);

    const other = await world();
    expect(await costOverview({ orgId, from: "2026-12-01", to: "2026-12-10", gatewayId: other.gw1, now: NOW })).toBeNull();
    expect(await costOverview({ orgId, from: "2026-12-01", to: "2026-12-10", agentId: other.main1, now: NOW })).toBeNull();
  });

  it("cuts today and the month in the organization's zone", async () => {
    const { orgId, gw1 } = await world({ timeZone: "Europe/Berlin" });
    await seedUsage(orgId, [
      { gatewayId: gw1, day: "2026-11-30", cost: 1 },
      { gatewayId: gw1, day: "2026-12-01", cost: 2 },
    ]);
    // 23:30 UTC on Nov 30 is Dec 1 in Berlin
    const o = (await costOverview({ orgId, from: "2026-11-30", to: "2026-12-01", now: Date.UTC(2026, 10, 30, 23, 30) }))!;
    expect(o.todayDay).toBe("2026-12-01");
    expect(o.today).toBe(2);
    expect(o.month).toBe(2);
    expect(o.projection.days).toBe(1);
    expect(o.projection.explanation).toMatch(/only 1 day of history/);
  });

  it("states budgets: the organization's on the whole organization, the agents' on theirs, with freshness", async () => {
    const { orgId, gw1, gw2, main2 } = await world({ budget: 20 });
    await seedUsage(orgId, [
      { gatewayId: gw1, day: "2026-12-01", cost: 15 },
      { gatewayId: gw2, day: "2026-12-02", cost: 6 },
    ]);
    await seedSync(gw1, { syncedAt: new Date(NOW - 60_000), pendingDays: ["2026-01-01", "2026-01-02"], totalDays: 10 });
    await seedSync(gw2, { syncedAt: new Date(NOW - 3_600_000) });
    const o = (await costOverview({ orgId, from: "2026-12-01", to: "2026-12-10", gatewayId: gw1, now: NOW }))!;
    expect(o.month).toBe(15);
    const budget = o.budget as { monthlyUsd: number; spent: number; exceeded: boolean; runsOutOn: string | null; agents: unknown[] };
    expect(budget).toMatchObject({ monthlyUsd: 20, spent: 21, exceeded: true, runsOutOn: "2026-12-02" });
    // the agent budget of gateway 2's agent is not in gateway 1's view
    expect(budget.agents).toEqual([]);
    expect(o.freshness.gateways[0]).toMatchObject({ id: gw1, state: "online", offlineSince: null, backfill: { done: 8, total: 10 } });

    const all = (await costOverview({ orgId, from: "2026-12-01", to: "2026-12-10", now: NOW }))!;
    const agents = (all.budget as { agents: Array<{ agentId: string; spent: number; exceeded: boolean }> }).agents;
    expect(agents).toEqual([expect.objectContaining({ agentId: main2, name: "Beta main", spent: 6, exceeded: true, runsOutOn: "2026-12-02" })]);
    expect(all.freshness.syncedAt).toBe(new Date(NOW - 3_600_000).toISOString());
    expect(all.freshness.gateways[1]).toMatchObject({ id: gw2, offlineSince: new Date(Date.UTC(2026, 11, 9, 8)).toISOString(), backfill: null });
  });

  it("has no budget without one, and starts `all` at the first day with usage", async () => {
    const { orgId, gw1 } = await world();
    await db().query("update agents set monthly_budget_usd = null where org_id = $1", [orgId]);
    await seedUsage(orgId, [{ gatewayId: gw1, day: "2026-12-08", cost: 1 }]);
    const o = (await costOverview({ orgId, from: null, to: "2026-12-10", now: NOW }))!;
    expect(o.budget).toBeNull();
    expect(o.range.from).toBe("2026-12-08");
    expect(o.daily.map((d) => d.day)).toEqual(["2026-12-08", "2026-12-09", "2026-12-10"]);
    const empty = (await costOverview({ orgId: (await world()).orgId, from: null, to: "2026-12-10", now: NOW }))!;
    expect(empty.range.from).toBe("2026-12-10");
    expect(empty.projection.days).toBe(0);
  });
});

describe("homeCostSummary", () => {
  it("gives today, the month, the projection, the budget and the last 7 days", async () => {
    const { orgId, gw1, gw2 } = await world({ budget: 100 });
    await seedUsage(orgId, [
      { gatewayId: gw1, day: "2026-11-20", cost: 50 },
      { gatewayId: gw1, day: "2026-12-04", cost: 7 },
      { gatewayId: gw2, day: "2026-12-09", cost: 0, calls: 2, missing: 2 },
      { gatewayId: gw1, day: "2026-12-10", cost: 2 },
    ]);
    const home = (await homeCostSummary(orgId, NOW))!;
    expect(home).toMatchObject({ currency: "USD", todayDay: "2026-12-10", today: 2, month: 9, missingCostEntries: 2 });
    expect(home.last7Days.map((d) => d.day)).toEqual(["2026-12-04", "2026-12-05", "2026-12-06", "2026-12-07", "2026-12-08", "2026-12-09", "2026-12-10"]);
    expect(home.last7Days[0]!.cost).toBe(7);
    expect(home.projection).toMatchObject({ days: 7, dailyRate: 1 });
    expect(home.projectedMonth).toBeCloseTo(7 + 2 + 21, 10);
    expect(home.budget).toMatchObject({ monthlyUsd: 100, spent: 9, exceeded: false, runsOutOn: null });
    const overview = (await costOverview({ orgId, from: "2026-12-01", to: "2026-12-10", now: NOW }))!;
    expect(overview.projectedMonth).toBeCloseTo(home.projectedMonth, 10);
  });
});

describe("parseCostQuery", () => {
  const parse = (query: string, now = NOW, timeZone = "UTC") => parseCostQuery(new URLSearchParams(query), { timeZone, now });

  it("defaults to the last 30 days of the organization's zone", () => {
    expect(parse("")).toEqual({ ok: true, query: { range: "30d", from: "2026-11-11", to: "2026-12-10", gatewayId: null, agentId: null } });
    expect(parse("range=7d", Date.UTC(2026, 10, 30, 23, 30), "Europe/Berlin")).toMatchObject({ ok: true, query: { from: "2026-11-25", to: "2026-12-01" } });
    expect(parse("range=all&gatewayId=&agentId=")).toMatchObject({ ok: true, query: { range: "all", from: null, to: "2026-12-10" } });
    expect(parse("from=2026-12-01&to=2026-12-03")).toMatchObject({ ok: true, query: { range: "custom", from: "2026-12-01", to: "2026-12-03" } });
  });

  it("answers a sentence per problem", () => {
    const bad = parse("from=2026-02-30&to=yesterday&gatewayId=nope&agentId=1&range=week");
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.problems.from).toBe('from "2026-02-30" is not a date of the calendar.');
    expect(bad.problems.to).toMatch(/^to must be a day as YYYY-MM-DD/);
    expect(bad.problems.gatewayId).toMatch(/gatewayId must be a gateway's id/);
    expect(bad.problems.agentId).toMatch(/agentId must be an agent's id/);
    expect(bad.problems.range).toMatch(/range must be one of 7d, 30d, all, custom/);
    expect(bad.message.split(". ").length).toBeGreaterThanOrEqual(5);

    const reversed = parse("from=2026-12-05&to=2026-12-01");
    expect(!reversed.ok && reversed.problems.from).toMatch(/is after to/);
    const long = parse("from=2010-01-01&to=2026-12-01");
    expect(!long.ok && long.problems.from).toMatch(/at most 3660 days/);
    expect(parse("from=2016-12-10&to=2026-12-01").ok).toBe(true);
  });
});
