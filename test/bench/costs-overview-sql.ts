import { db } from "~/db/data-source.server";

/**
 * The costs overview's figures computed two ways with the same statements, for the costs benchmark:
 *
 * - `calls`: the baseline. Everything aggregated from the raw `usage_calls` rows at read time, days
 *   cut in the organization's zone on the fly (`(at at time zone tz)::date`), the range turned into
 *   timestamps so `usage_calls_org_at_idx (org_id, at)` (the obvious index, in the migration) can
 *   bound it, and an agent filter helped by `usage_calls_bench_agent_at_idx (gateway_id, agent_id, at)`
 *   which the bench adds for the baseline's sake.
 * - `rollups`: the same statements over `usage_daily` / `usage_session_daily` (ADR 027). Used as the
 *   "rollup reference" when `costOverview` has not landed, and always as a cross-check that the
 *   seeded rollups and the calls agree.
 *
 * Every part of the overview that touches usage: headline (today, month, all time), the 8 days
 * before-and-including today (projection), the range by day × model (daily, dailyByModel, byModel,
 * range totals, missing prices), by agent (names joined), the 25 costliest sessions (joined to
 * agent_sessions), agents' month spend against their budgets, freshness. The statements run in
 * parallel, as a loader would run them.
 */
export type UsageSource = "calls" | "rollups";

export interface OverviewQuery {
  orgId: string;
  timeZone: string;
  /** YYYY-MM-DD days of the zone */
  from: string;
  to: string;
  today: string;
  monthStart: string;
  /** optional agent filter: the gateway agent */
  agent?: { gatewayId: string; externalId: string };
}

export interface OverviewFigures {
  today: number;
  month: number;
  allTime: number;
  last8Days: Array<{ day: string; cost: number }>;
  range: { cost: number; tokens: number; calls: number; missingCostEntries: number };
  days: number;
  byModel: Array<{ model: string; cost: number; calls: number }>;
  byAgent: Array<{ externalId: string; name: string | null; cost: number }>;
  bySession: Array<{ sessionKey: string; cost: number; label: string | null }>;
  agentBudgets: Array<{ agentId: string; spent: number }>;
  gateways: number;
}

interface SourceSql {
  table: string;
  sessionTable: string;
  day: string;
  /** a condition for days $from..$to (parameters named below) */
  between: (from: string, to: string) => string;
  atLeast: (from: string) => string;
  cost: string;
  calls: string;
  missing: string;
}

const SOURCES: Record<UsageSource, SourceSql> = {
  calls: {
    table: "usage_calls",
    sessionTable: "usage_calls",
    day: "(u.at at time zone $2)::date",
    between: (from, to) => `u.at >= (${from}::date::timestamp at time zone $2) and u.at < ((${to}::date + 1)::timestamp at time zone $2)`,
    atLeast: (from) => `u.at >= (${from}::date::timestamp at time zone $2)`,
    cost: "coalesce(sum(u.cost_usd), 0)",
    calls: "count(*)",
    missing: "count(*) filter (where u.cost_usd is null)",
  },
  rollups: {
    table: "usage_daily",
    sessionTable: "usage_session_daily",
    day: "u.day",
    between: (from, to) => `u.day between ${from}::date and ${to}::date`,
    atLeast: (from) => `u.day >= ${from}::date`,
    cost: "coalesce(sum(u.cost_usd), 0)",
    calls: "coalesce(sum(u.calls), 0)",
    missing: "coalesce(sum(u.missing_cost_entries), 0)",
  },
};

const num = (value: unknown) => Number(value ?? 0);

export async function overviewFigures(source: UsageSource, query: OverviewQuery): Promise<OverviewFigures> {
  const s = SOURCES[source];
  const q = (sql: string, params: unknown[]) => db().query(sql, params) as Promise<Array<Record<string, unknown>>>;
  // $1 org, $2 zone, then statement-specific parameters; the agent filter comes last.
  // The rollups need no zone (their days are cut already); "$2 is not null" keeps the parameter typed.
  const zone = source === "rollups" ? " and $2::text is not null" : "";
  const agentFilter = (n: number) => zone + (query.agent ? ` and u.gateway_id = $${n} and u.agent_id = $${n + 1}` : "");
  const agentParams = query.agent ? [query.agent.gatewayId, query.agent.externalId] : [];
  const base = [query.orgId, query.timeZone];
  const eightDaysBefore = addDays(query.today, -7);

  const [headline, recent, byDayModel, byAgent, bySession, budgets, gateways] = await Promise.all([
    q(
      `select ${s.cost.replace("sum(u.cost_usd)", `sum(u.cost_usd) filter (where ${s.atLeast("$3")})`)} as today,
              ${s.cost.replace("sum(u.cost_usd)", `sum(u.cost_usd) filter (where ${s.atLeast("$4")})`)} as month,
              ${s.cost} as all_time
       from ${s.table} u where u.org_id = $1${agentFilter(5)}`,
      [...base, query.today, query.monthStart, ...agentParams],
    ),
    q(
      `select ${s.day}::text as day, ${s.cost} as cost from ${s.table} u
       where u.org_id = $1 and ${s.between("$3", "$4")}${agentFilter(5)} group by 1 order by 1`,
      [...base, eightDaysBefore, query.today, ...agentParams],
    ),
    q(
      `select ${s.day}::text as day, u.model, ${s.cost} as cost, sum(u.total_tokens) tokens, sum(u.input_tokens) input,
              sum(u.output_tokens) output, sum(u.cache_read_tokens) cache_read, sum(u.cache_write_tokens) cache_write,
              ${s.calls} calls, ${s.missing} missing
       from ${s.table} u where u.org_id = $1 and ${s.between("$3", "$4")}${agentFilter(5)} group by 1, 2`,
      [...base, query.from, query.to, ...agentParams],
    ),
    q(
      `select t.*, a.id agent_uuid, a.name from (
         select u.gateway_id, u.agent_id, ${s.cost} as cost, sum(u.total_tokens) tokens, ${s.calls} calls, ${s.missing} missing
         from ${s.table} u where u.org_id = $1 and ${s.between("$3", "$4")}${agentFilter(5)} group by 1, 2
       ) t left join agents a on a.org_id = $1 and a.gateway_id = t.gateway_id and a.external_id = t.agent_id
       order by t.cost desc`,
      [...base, query.from, query.to, ...agentParams],
    ),
    q(
      `select t.*, s.id session_id, s.label from (
         select u.gateway_id, u.session_key, u.agent_id, ${s.cost} as cost, sum(u.total_tokens) tokens, ${s.calls} calls
         from ${s.sessionTable} u where u.org_id = $1 and ${s.between("$3", "$4")}${agentFilter(5)}
         group by 1, 2, 3 order by 4 desc limit 25
       ) t left join agent_sessions s on s.org_id = $1 and s.gateway_id = t.gateway_id and s.session_key = t.session_key
       order by t.cost desc`,
      [...base, query.from, query.to, ...agentParams],
    ),
    q(
      `select a.id, a.monthly_budget_usd, coalesce((
         select ${s.cost} from ${s.table} u
         where u.org_id = $1 and u.gateway_id = a.gateway_id and u.agent_id = a.external_id and ${s.atLeast("$3")}
       ), 0) as spent
       from agents a where a.org_id = $1 and a.monthly_budget_usd is not null and $2::text is not null order by a.name`,
      [...base, query.monthStart],
    ),
    q(
      `select g.id, g.name, g.state, g.state_detail->>'stateSince' state_since, y.synced_at, y.total_days,
              cardinality(y.pending_days) pending
       from gateways g left join usage_sync y on y.gateway_id = g.id where g.org_id = $1 and $2::text is not null`,
      base,
    ),
  ]);

  const byModel = new Map<string, { cost: number; calls: number }>();
  const days = new Set<string>();
  const range = { cost: 0, tokens: 0, calls: 0, missingCostEntries: 0 };
  for (const row of byDayModel) {
    const model = String(row.model);
    const entry = byModel.get(model) ?? { cost: 0, calls: 0 };
    entry.cost += num(row.cost);
    entry.calls += num(row.calls);
    byModel.set(model, entry);
    days.add(String(row.day));
    range.cost += num(row.cost);
    range.tokens += num(row.tokens);
    range.calls += num(row.calls);
    range.missingCostEntries += num(row.missing);
  }
  return {
    today: num(headline[0]?.today),
    month: num(headline[0]?.month),
    allTime: num(headline[0]?.all_time),
    last8Days: recent.map((row) => ({ day: String(row.day), cost: num(row.cost) })),
    range,
    days: days.size,
    byModel: [...byModel].map(([model, sums]) => ({ model, ...sums })).sort((a, b) => b.cost - a.cost),
    byAgent: byAgent.map((row) => ({ externalId: String(row.agent_id), name: (row.name as string | null) ?? null, cost: num(row.cost) })),
    bySession: bySession.map((row) => ({ sessionKey: String(row.session_key), cost: num(row.cost), label: (row.label as string | null) ?? null })),
    agentBudgets: budgets.map((row) => ({ agentId: String(row.id), spent: num(row.spent) })),
    gateways: gateways.length,
  };
}

export function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

export function dayInZone(ms: number, timeZone: string): string {
  // en-CA formats as YYYY-MM-DD
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(ms);
}

/** The two answers agree (money to a millionth of a dollar, counts exactly), or the comparison means nothing. */
export function sameFigures(a: OverviewFigures, b: OverviewFigures): string | null {
  const close = (x: number, y: number) => Math.abs(x - y) <= 1e-6 * Math.max(1, Math.abs(x), Math.abs(y));
  const checks: Array<[string, boolean]> = [
    ["today", close(a.today, b.today)],
    ["month", close(a.month, b.month)],
    ["allTime", close(a.allTime, b.allTime)],
    ["range cost", close(a.range.cost, b.range.cost)],
    ["range tokens", a.range.tokens === b.range.tokens],
    ["range calls", a.range.calls === b.range.calls],
    ["missing", a.range.missingCostEntries === b.range.missingCostEntries],
    ["days", a.days === b.days],
    ["models", a.byModel.length === b.byModel.length],
    ["agents", a.byAgent.length === b.byAgent.length],
    ["top session", a.bySession[0]?.sessionKey === b.bySession[0]?.sessionKey],
    ["last 8 days", a.last8Days.length === b.last8Days.length && a.last8Days.every((d, i) => close(d.cost, b.last8Days[i]?.cost ?? NaN))],
    ["agent budgets", a.agentBudgets.every((d, i) => close(d.spent, b.agentBudgets[i]?.spent ?? NaN))],
  ];
  const failed = checks.filter(([, ok]) => !ok).map(([name]) => name);
  return failed.length ? failed.join(", ") : null;
}
