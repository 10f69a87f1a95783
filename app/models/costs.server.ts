import { db } from "~/db/data-source.server";
import { addDays, budgetStatus, dayInZone, dayRange, daysFrom, emptySums, monthStart, projectMonth, type Projection } from "~/lib/cost-math";
import { MAX_RANGE_DAYS } from "~/lib/cost-query";
import {
  COST_CURRENCY,
  type AgentBudgetStatus,
  type CostBudget,
  type CostDay,
  type CostFreshness,
  type CostOverview,
  type HomeCostSummary,
  type UsageSums,
} from "~/lib/costs";
import * as queries from "./costs.queries.server";
import type { CostScope } from "./costs.queries.server";

export { parseCostQuery, type CostQuery, type CostQueryResult } from "~/lib/cost-query";

/*
 * The costs overview and the home's cost summary (ADR 027), read only from the rollups. Days are the
 * organization's (its time zone). today, month, all time and the projection ignore the range but
 * honour the gateway/agent filter; the organization's budget is always the whole organization's.
 */

/** A gateway id no row has: the scope of a filter that cannot match (an agent of another gateway). */
const NO_GATEWAY = "00000000-0000-0000-0000-000000000000";
export const TOP_SESSIONS = 25;

export interface CostOverviewArgs {
  orgId: string;
  /** first day of the range; null: from the first day with usage */
  from: string | null;
  to: string;
  gatewayId?: string | null;
  /** Mission Control's agent id */
  agentId?: string | null;
  now?: number;
}

/** The organization's zone and today in it; null when there is no such organization. */
async function organizationDays(orgId: string, now: number) {
  const settings = await queries.selectCostSettings(db().manager, orgId);
  if (!settings) return null;
  const today = dayInZone(now, settings.timeZone);
  // the month so far and the 7 days before today, whichever starts earlier
  const recentFrom = [monthStart(today), addDays(today, -7)].sort()[0]!;
  return { ...settings, today, recentFrom };
}

/**
 * The scope a gateway/agent filter names, or null when either is not this organization's
 * (the caller answers 404).
 */
async function resolveScope({ orgId, gatewayId, agentId }: { orgId: string; gatewayId: string | null; agentId: string | null }): Promise<CostScope | null> {
  const manager = db().manager;
  if (gatewayId !== null && !(await queries.gatewayInOrganization(manager, { orgId, gatewayId }))) return null;
  if (agentId === null) return { orgId, gatewayId, externalAgentId: null };
  const agent = await queries.selectAgentUsageRef(manager, { orgId, agentId });
  if (!agent) return null;
  // An agent without a gateway (created by hand, or its gateway deleted) has no usage of its own.
  if (agent.gatewayId === null || agent.externalId === null || (gatewayId !== null && gatewayId !== agent.gatewayId)) {
    return { orgId, gatewayId: NO_GATEWAY, externalAgentId: agent.externalId ?? "" };
  }
  return { orgId, gatewayId: agent.gatewayId, externalAgentId: agent.externalId };
}

export async function costOverview({ orgId, from, to, gatewayId = null, agentId = null, now = Date.now() }: CostOverviewArgs): Promise<CostOverview | null> {
  const org = await organizationDays(orgId, now);
  if (!org) return null;
  const scope = await resolveScope({ orgId, gatewayId, agentId });
  if (!scope) return null;
  const manager = db().manager;
  const filtered = scope.gatewayId !== null;
  const { today, recentFrom } = org;

  let rangeFrom = from ?? (await queries.selectFirstUsageDay(manager, scope)) ?? to;
  if (rangeFrom > to) rangeFrom = to;
  if (daysFrom(rangeFrom, to) + 1 > MAX_RANGE_DAYS) rangeFrom = addDays(to, -(MAX_RANGE_DAYS - 1));
  const range = { from: rangeFrom, to };
  const orgScope: CostScope = { orgId, gatewayId: null, externalAgentId: null };

  const [totals, daily, dailyByModel, byModel, byAgent, bySession, recent, orgRecent, orgFirstDay, budgetDays, freshness] = await Promise.all([
    queries.selectCostTotals(manager, scope, { today, monthStart: monthStart(today), ...range }),
    queries.selectDailyCosts(manager, scope, range),
    queries.selectDailyModelCosts(manager, scope, range),
    queries.selectModelCosts(manager, scope, range),
    queries.selectAgentCosts(manager, scope, range),
    queries.selectSessionCosts(manager, scope, { ...range, limit: TOP_SESSIONS }),
    queries.selectDailyCosts(manager, scope, { from: recentFrom, to: today }),
    // the organization's budget is the whole organization's, whatever the filter
    filtered && org.monthlyBudgetUsd !== null ? queries.selectDailyCosts(manager, orgScope, { from: recentFrom, to: today }) : null,
    filtered && org.monthlyBudgetUsd !== null ? queries.selectFirstUsageDay(manager, orgScope) : null,
    queries.selectAgentBudgetDays(manager, scope, { from: recentFrom, to: today }),
    loadFreshness(orgId, scope.gatewayId === NO_GATEWAY ? null : scope.gatewayId),
  ]);

  const { projectedMonth, projection } = projectMonth({ today, monthSoFar: totals.month, todaySoFar: totals.today, pastDays: recent, firstDay: totals.firstDay });
  const orgProjection = orgRecent ? projectionOf(today, orgRecent, orgFirstDay) : { projectedMonth, projection };
  const orgDays = orgRecent ?? recent;

  const dailySeries = fillDays(range.from, range.to, daily);
  const rangeSums = sumDays(daily);
  const share = (cost: number) => (rangeSums.cost > 0 ? cost / rangeSums.cost : 0);

  return {
    currency: COST_CURRENCY,
    timeZone: org.timeZone,
    todayDay: today,
    today: totals.today,
    month: totals.month,
    allTime: totals.allTime,
    projectedMonth,
    projection,
    range: { from: range.from, to: range.to, cost: rangeSums.cost, tokens: rangeSums.totalTokens },
    budget: budgetOf({ today, monthlyUsd: org.monthlyBudgetUsd, days: orgDays, projection: orgProjection, agents: agentBudgets(today, budgetDays) }),
    daily: dailySeries,
    dailyByModel,
    byModel: byModel.map((row) => ({ ...row, share: share(row.cost) })),
    byAgent: byAgent.map(({ agentId: id, name, ...row }) => ({ ...row, agentId: id, name: name ?? row.externalId, share: share(row.cost) })),
    bySession,
    missingCostEntries: rangeSums.missingCostEntries,
    freshness,
    firstDay: totals.firstDay,
  };
}

/** The home's costs: today, the month, its projection and budget, the last 7 days; a few small index reads. */
export async function homeCostSummary(orgId: string, now = Date.now()): Promise<HomeCostSummary | null> {
  const org = await organizationDays(orgId, now);
  if (!org) return null;
  const manager = db().manager;
  const { today, recentFrom } = org;
  const scope: CostScope = { orgId, gatewayId: null, externalAgentId: null };
  const [recent, firstDay, budgetDays, freshness] = await Promise.all([
    queries.selectDailyCosts(manager, scope, { from: recentFrom, to: today }),
    queries.selectFirstUsageDay(manager, scope),
    queries.selectAgentBudgetDays(manager, scope, { from: recentFrom, to: today }),
    loadFreshness(orgId, null),
  ]);
  const month = sumDays(recent.filter((row) => row.day >= monthStart(today) && row.day <= today));
  const todaySoFar = recent.find((row) => row.day === today)?.cost ?? 0;
  const { projectedMonth, projection } = projectMonth({ today, monthSoFar: month.cost, todaySoFar, pastDays: recent, firstDay });
  return {
    currency: COST_CURRENCY,
    timeZone: org.timeZone,
    todayDay: today,
    today: todaySoFar,
    month: month.cost,
    projectedMonth,
    projection,
    budget: budgetOf({ today, monthlyUsd: org.monthlyBudgetUsd, days: recent, projection: { projectedMonth, projection }, agents: agentBudgets(today, budgetDays) }),
    last7Days: fillDays(addDays(today, -6), today, recent).map(({ day, cost }) => ({ day, cost })),
    missingCostEntries: month.missingCostEntries,
    freshness,
  };
}

function projectionOf(today: string, days: Array<{ day: string; cost: number }>, firstDay: string | null): Projection {
  const month = days.filter((row) => row.day >= monthStart(today) && row.day <= today).reduce((sum, row) => sum + row.cost, 0);
  const todaySoFar = days.find((row) => row.day === today)?.cost ?? 0;
  return projectMonth({ today, monthSoFar: month, todaySoFar, pastDays: days, firstDay });
}

function budgetOf({
  today,
  monthlyUsd,
  days,
  projection,
  agents,
}: {
  today: string;
  monthlyUsd: number | null;
  days: Array<{ day: string; cost: number }>;
  projection: Projection;
  agents: AgentBudgetStatus[];
}): CostBudget {
  if (monthlyUsd === null) return agents.length > 0 ? { monthlyUsd: null, agents } : null;
  const status = budgetStatus({
    monthlyUsd,
    today,
    monthDays: days,
    todaySoFar: days.find((row) => row.day === today)?.cost ?? 0,
    dailyRate: projection.projection.dailyRate,
    projectedMonth: projection.projectedMonth,
  });
  return { ...status, agents };
}

function agentBudgets(today: string, rows: queries.AgentBudgetDay[]): AgentBudgetStatus[] {
  const byAgent = new Map<string, { name: string; monthlyUsd: number; firstDay: string | null; days: Array<{ day: string; cost: number }> }>();
  for (const row of rows) {
    let agent = byAgent.get(row.agentId);
    if (!agent) byAgent.set(row.agentId, (agent = { name: row.name, monthlyUsd: row.monthlyUsd, firstDay: row.firstDay, days: [] }));
    if (row.day !== null) agent.days.push({ day: row.day, cost: row.cost });
  }
  return [...byAgent].map(([agentId, agent]) => {
    const projection = projectionOf(today, agent.days, agent.firstDay);
    const status = budgetStatus({
      monthlyUsd: agent.monthlyUsd,
      today,
      monthDays: agent.days,
      todaySoFar: agent.days.find((row) => row.day === today)?.cost ?? 0,
      dailyRate: projection.projection.dailyRate,
      projectedMonth: projection.projectedMonth,
    });
    return { ...status, agentId, name: agent.name };
  });
}

async function loadFreshness(orgId: string, gatewayId: string | null): Promise<CostFreshness> {
  const rows = await queries.selectUsageFreshness(db().manager, { orgId, gatewayId });
  let oldest: Date | null = null;
  const gateways = rows.map((row) => {
    if (row.syncedAt && (!oldest || row.syncedAt < oldest)) oldest = row.syncedAt;
    const pending = row.pendingDays ?? 0;
    const total = Math.max(row.totalDays ?? 0, pending);
    return {
      id: row.id,
      name: row.name,
      state: row.state,
      offlineSince: row.state !== "online" && row.stateSince !== null ? new Date(row.stateSince).toISOString() : null,
      syncedAt: row.syncedAt?.toISOString() ?? null,
      backfill: pending > 0 ? { done: total - pending, total } : null,
    };
  });
  return { syncedAt: (oldest as Date | null)?.toISOString() ?? null, gateways };
}

function fillDays(from: string, to: string, rows: Array<UsageSums & { day: string }>): CostDay[] {
  const byDay = new Map(rows.map((row) => [row.day, row]));
  return dayRange(from, to).map((day) => {
    const row = byDay.get(day);
    return row ? { ...row, day } : { day, ...emptySums() };
  });
}

function sumDays(rows: UsageSums[]): UsageSums {
  const total = emptySums();
  for (const row of rows) for (const key of Object.keys(total) as Array<keyof UsageSums>) total[key] += row[key];
  return total;
}
