import { z } from "zod";
import { col, rowDecoder, type Queryable } from "~/db/rows";

/*
 * Every read of the usage rollups (ADR 027): `usage_daily` (gateway × day × agent × model),
 * `usage_session_daily` (gateway × day × session) and `usage_sync`, with the names and budgets of
 * agents, sessions and the organization. Nothing here writes; the ingest owns the writes.
 *
 * A scope is one organization, optionally one gateway and one of its agents (the gateway's own
 * agent id, `usage_daily.agent_id`). `$2::uuid is null or …` folds away in the custom plan
 * node-postgres' unnamed statements get, so the (org_id, day) index is used either way.
 */

export interface CostScope {
  orgId: string;
  gatewayId: string | null;
  /** the gateway's agent id (agents.external_id); only with `gatewayId` */
  externalAgentId: string | null;
}

const SCOPE = `u.org_id = $1 and ($2::uuid is null or u.gateway_id = $2) and ($3::text is null or u.agent_id = $3)`;
const scopeParams = (scope: CostScope) => [scope.orgId, scope.gatewayId, scope.externalAgentId];

/** The row's tokens: the gateway's total, or the parts when it gave none (lib/cost-math totalTokensOf). */
const TOTAL = `(case when u.total_tokens > 0 then u.total_tokens else u.input_tokens + u.output_tokens + u.cache_read_tokens + u.cache_write_tokens end)`;

const SUMS = `coalesce(sum(u.cost_usd), 0)::float8 as cost,
       coalesce(sum(u.input_tokens), 0)::float8 as "inputTokens",
       coalesce(sum(u.output_tokens), 0)::float8 as "outputTokens",
       coalesce(sum(u.cache_read_tokens), 0)::float8 as "cacheReadTokens",
       coalesce(sum(u.cache_write_tokens), 0)::float8 as "cacheWriteTokens",
       coalesce(sum(${TOTAL}), 0)::float8 as "totalTokens",
       coalesce(sum(u.calls), 0)::float8 as calls,
       coalesce(sum(u.missing_cost_entries), 0)::float8 as "missingCostEntries"`;

const sumsShape = {
  cost: z.number(),
  inputTokens: z.number(),
  outputTokens: z.number(),
  cacheReadTokens: z.number(),
  cacheWriteTokens: z.number(),
  totalTokens: z.number(),
  calls: z.number(),
  missingCostEntries: z.number(),
};

const settingsRow = rowDecoder("organizations: cost settings", z.object({ timeZone: col.text, monthlyBudgetUsd: z.number().nullable() }));

export async function selectCostSettings(q: Queryable, orgId: string) {
  return settingsRow.first(await q.query(`select time_zone as "timeZone", monthly_budget_usd as "monthlyBudgetUsd" from organizations where id = $1`, [orgId]));
}

const agentRefRow = rowDecoder("agents: cost scope", z.object({ gatewayId: col.uuid.nullable(), externalId: col.text.nullable() }));

/** Where an agent's usage is: its gateway and the gateway's id for it (null: not one of this organization's). */
export async function selectAgentUsageRef(q: Queryable, { orgId, agentId }: { orgId: string; agentId: string }) {
  return agentRefRow.first(await q.query(`select gateway_id as "gatewayId", external_id as "externalId" from agents where org_id = $1 and id = $2`, [orgId, agentId]));
}

const existsRow = rowDecoder("gateways: exists", z.object({ found: col.bool }));

export async function gatewayInOrganization(q: Queryable, { orgId, gatewayId }: { orgId: string; gatewayId: string }): Promise<boolean> {
  return existsRow.one(await q.query(`select exists (select 1 from gateways where org_id = $1 and id = $2) as found`, [orgId, gatewayId])).found;
}

const totalsRow = rowDecoder(
  "usage_daily: totals",
  z.object({
    today: z.number(),
    month: z.number(),
    allTime: z.number(),
    rangeCost: z.number(),
    rangeTokens: z.number(),
    rangeMissing: z.number(),
    firstDay: col.text.nullable(),
  }),
);

/** Today's, the month's, all time's and the range's sums, in one pass over the scope's rows. */
export async function selectCostTotals(q: Queryable, scope: CostScope, days: { today: string; monthStart: string; from: string; to: string }) {
  return totalsRow.one(
    await q.query(
      `select coalesce(sum(u.cost_usd) filter (where u.day = $4::date), 0)::float8 as today,
              coalesce(sum(u.cost_usd) filter (where u.day between $5::date and $4::date), 0)::float8 as month,
              coalesce(sum(u.cost_usd), 0)::float8 as "allTime",
              coalesce(sum(u.cost_usd) filter (where u.day between $6::date and $7::date), 0)::float8 as "rangeCost",
              coalesce(sum(${TOTAL}) filter (where u.day between $6::date and $7::date), 0)::float8 as "rangeTokens",
              coalesce(sum(u.missing_cost_entries) filter (where u.day between $6::date and $7::date), 0)::float8 as "rangeMissing",
              to_char(min(u.day), 'YYYY-MM-DD') as "firstDay"
         from usage_daily u where ${SCOPE}`,
      [...scopeParams(scope), days.today, days.monthStart, days.from, days.to],
    ),
  );
}

const firstDayRow = rowDecoder("usage_daily: first day", z.object({ firstDay: col.text.nullable() }));

/** The first day with usage in the scope (an index lookup). */
export async function selectFirstUsageDay(q: Queryable, scope: CostScope) {
  return firstDayRow.one(await q.query(`select to_char(min(u.day), 'YYYY-MM-DD') as "firstDay" from usage_daily u where ${SCOPE}`, scopeParams(scope))).firstDay;
}

const dayRow = rowDecoder("usage_daily: per day", z.object({ day: col.text, ...sumsShape }));

/** The scope's sums per day from `from` to `to`, days with rows only, oldest first. */
export async function selectDailyCosts(q: Queryable, scope: CostScope, { from, to }: { from: string; to: string }) {
  return dayRow.all(
    await q.query(
      `select to_char(u.day, 'YYYY-MM-DD') as day, ${SUMS}
         from usage_daily u where ${SCOPE} and u.day between $4::date and $5::date
        group by u.day order by u.day`,
      [...scopeParams(scope), from, to],
    ),
  );
}

const dayModelRow = rowDecoder("usage_daily: per day and model", z.object({ day: col.text, model: col.text, cost: z.number() }));

export async function selectDailyModelCosts(q: Queryable, scope: CostScope, { from, to }: { from: string; to: string }) {
  return dayModelRow.all(
    await q.query(
      `select to_char(u.day, 'YYYY-MM-DD') as day, u.model, coalesce(sum(u.cost_usd), 0)::float8 as cost
         from usage_daily u where ${SCOPE} and u.day between $4::date and $5::date
        group by u.day, u.model order by u.day, u.model`,
      [...scopeParams(scope), from, to],
    ),
  );
}

const modelRow = rowDecoder("usage_daily: per model", z.object({ model: col.text, ...sumsShape }));

/** Most expensive first. */
export async function selectModelCosts(q: Queryable, scope: CostScope, { from, to }: { from: string; to: string }) {
  return modelRow.all(
    await q.query(
      `select u.model, ${SUMS}
         from usage_daily u where ${SCOPE} and u.day between $4::date and $5::date
        group by u.model order by cost desc, u.model`,
      [...scopeParams(scope), from, to],
    ),
  );
}

const agentRow = rowDecoder(
  "usage_daily: per agent",
  z.object({ gatewayId: col.uuid, externalId: col.text, agentId: col.uuid.nullable(), name: col.text.nullable(), ...sumsShape }),
);

/** Per gateway × agent, with Mission Control's agent where the gateway's is one of ours; most expensive first. */
export async function selectAgentCosts(q: Queryable, scope: CostScope, { from, to }: { from: string; to: string }) {
  return agentRow.all(
    await q.query(
      `select c.*, a.id as "agentId", a.name
         from (select u.gateway_id as "gatewayId", u.agent_id as "externalId", ${SUMS}
                 from usage_daily u where ${SCOPE} and u.day between $4::date and $5::date
                group by u.gateway_id, u.agent_id) c
         left join agents a on a.org_id = $1 and a.gateway_id = c."gatewayId" and a.external_id = c."externalId"
        order by c.cost desc, c."externalId"`,
      [...scopeParams(scope), from, to],
    ),
  );
}

const sessionRow = rowDecoder(
  "usage_session_daily: per session",
  z.object({
    gatewayId: col.uuid,
    sessionKey: col.text,
    externalAgentId: col.text,
    sessionId: col.uuid.nullable(),
    label: col.text.nullable(),
    ...sumsShape,
  }),
);

/** The `limit` most expensive sessions of the range, with Mission Control's session row where there is one. */
export async function selectSessionCosts(q: Queryable, scope: CostScope, { from, to, limit }: { from: string; to: string; limit: number }) {
  return sessionRow.all(
    await q.query(
      `select c.*, s.id as "sessionId", s.label
         from (select u.gateway_id as "gatewayId", u.session_key as "sessionKey", min(u.agent_id) as "externalAgentId", ${SUMS}
                 from usage_session_daily u where ${SCOPE} and u.day between $4::date and $5::date
                group by u.gateway_id, u.session_key
                order by cost desc, u.session_key limit $6) c
         left join agent_sessions s on s.org_id = $1 and s.gateway_id = c."gatewayId" and s.session_key = c."sessionKey"
        order by c.cost desc, c."sessionKey"`,
      [...scopeParams(scope), from, to, limit],
    ),
  );
}

const budgetDayShape = z.object({ agentId: col.uuid, name: col.text, monthlyUsd: z.number(), firstDay: col.text.nullable(), day: col.text.nullable(), cost: z.number() });
const budgetDayRow = rowDecoder(
  "agents: budgets and their days",
  budgetDayShape,
);
export type AgentBudgetDay = z.output<typeof budgetDayShape>;

/**
 * The scope's agents that have a monthly budget, each with its cost per day from `from` to `to`
 * (one row per agent × day with usage; an agent without any has one row with day null).
 */
export async function selectAgentBudgetDays(q: Queryable, scope: CostScope, { from, to }: { from: string; to: string }) {
  return budgetDayRow.all(
    await q.query(
      `select a.id as "agentId", a.name, a.monthly_budget_usd as "monthlyUsd",
              (select to_char(min(f.day), 'YYYY-MM-DD') from usage_daily f where f.gateway_id = a.gateway_id and f.agent_id = a.external_id) as "firstDay",
              to_char(d.day, 'YYYY-MM-DD') as day, coalesce(d.cost, 0)::float8 as cost
         from agents a
         left join lateral (
           select u.day, sum(u.cost_usd) as cost from usage_daily u
            where u.org_id = $1 and u.gateway_id = a.gateway_id and u.agent_id = a.external_id and u.day between $4::date and $5::date
            group by u.day) d on true
        where a.org_id = $1 and a.monthly_budget_usd is not null
          and ($2::uuid is null or a.gateway_id = $2) and ($3::text is null or a.external_id = $3)
        order by lower(a.name), a.id, d.day`,
      [...scopeParams(scope), from, to],
    ),
  );
}

const freshnessRow = rowDecoder(
  "gateways: usage freshness",
  z.object({
    id: col.uuid,
    name: col.text,
    state: col.text,
    stateSince: z.number().nullable(),
    syncedAt: col.timestamp.nullable(),
    pendingDays: col.int.nullable(),
    totalDays: col.int.nullable(),
  }),
);

/** Each gateway of the scope with its state, since when, and its usage sync. */
export async function selectUsageFreshness(q: Queryable, { orgId, gatewayId }: { orgId: string; gatewayId: string | null }) {
  return freshnessRow.all(
    await q.query(
      `select g.id, g.name, g.state,
              case when jsonb_typeof(g.state_detail->'stateSince') = 'number' then (g.state_detail->>'stateSince')::float8 end as "stateSince",
              s.synced_at as "syncedAt", cardinality(s.pending_days) as "pendingDays", s.total_days as "totalDays"
         from gateways g left join usage_sync s on s.gateway_id = g.id
        where g.org_id = $1 and ($2::uuid is null or g.id = $2) and g.duplicate_of is null
        order by lower(g.name), g.id`,
      [orgId, gatewayId],
    ),
  );
}
