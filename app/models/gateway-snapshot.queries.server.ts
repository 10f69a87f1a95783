import { z } from "zod";
import { col, rowDecoder, type Queryable } from "~/db/rows";

/*
 * Every statement on `gateway_snapshots` (the latest answer per kind a poll asked) and
 * `gateway_usage_daily` (one row per day of usage.cost), and the poll's mark on `gateways`.
 */

export async function upsertSnapshot(q: Queryable, { gatewayId, kind, data }: { gatewayId: string; kind: string; data: unknown }): Promise<void> {
  await q.query(
    `insert into gateway_snapshots (gateway_id, kind, data, taken_at) values ($1, $2, $3, now())
     on conflict (gateway_id, kind) do update set data = excluded.data, taken_at = excluded.taken_at`,
    [gatewayId, kind, JSON.stringify(data)],
  );
}

export interface UsageDay {
  day: string;
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  totalTokens: number;
  totalCost: number;
  /** the gateway's whole answer for the day */
  data: unknown;
}

export async function upsertUsageDay(q: Queryable, gatewayId: string, day: UsageDay): Promise<void> {
  await q.query(
    `insert into gateway_usage_daily (gateway_id, day, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, total_tokens, total_cost, data, updated_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, now())
     on conflict (gateway_id, day) do update set
       input_tokens = excluded.input_tokens, output_tokens = excluded.output_tokens,
       cache_read_tokens = excluded.cache_read_tokens, cache_write_tokens = excluded.cache_write_tokens,
       total_tokens = excluded.total_tokens, total_cost = excluded.total_cost, data = excluded.data, updated_at = now()`,
    [gatewayId, day.day, day.input, day.output, day.cacheRead, day.cacheWrite, day.totalTokens, day.totalCost, JSON.stringify(day.data)],
  );
}

/** The poll's time and, when something failed, why (null: nothing failed). */
export async function markPolled(q: Queryable, { gatewayId, error }: { gatewayId: string; error: string | null }): Promise<void> {
  await q.query("update gateways set last_poll_at = now(), last_poll_error = $2 where id = $1", [gatewayId, error]);
}

const clockRow = rowDecoder("clock_timestamp", z.object({ now: col.timestamp }));

/** The database's own time now (not the transaction's start): rows written after it are newer. */
export async function databaseNow(q: Queryable): Promise<Date> {
  return clockRow.one(await q.query(`select clock_timestamp() as now`)).now;
}

const snapshotTimeRow = rowDecoder("gateway_snapshots: kinds", z.object({ kind: col.text, takenAt: col.timestamp }));

/** Which kinds a gateway has a snapshot of, and when each was taken (not the answers themselves). */
export async function selectSnapshotTimes(q: Queryable, gatewayId: string) {
  return snapshotTimeRow.all(await q.query(`select kind, taken_at as "takenAt" from gateway_snapshots where gateway_id = $1 order by kind`, [gatewayId]));
}

const usageDayRow = rowDecoder("gateway_usage_daily: days", z.object({ day: col.text, totalTokens: z.number(), totalCost: z.number() }));

/** The last `days` days with usage, oldest first. */
export async function selectUsageDays(q: Queryable, { gatewayId, days }: { gatewayId: string; days: number }) {
  return usageDayRow.all(
    await q.query(
      `select to_char(day, 'YYYY-MM-DD') as day, "totalTokens", "totalCost" from (
         select day, total_tokens::float8 as "totalTokens", total_cost as "totalCost" from gateway_usage_daily
          where gateway_id = $1 order by day desc limit $2) last order by day`,
      [gatewayId, days],
    ),
  );
}

const summaryRow = rowDecoder(
  "gateways: summary",
  z.object({ total: col.int, online: col.int, costToday: z.number().nullable(), hasUsage: col.bool }),
);

/** How many gateways an organization has, how many are online, and today's cost (UTC day). */
export async function selectGatewaySummary(q: Queryable, orgId: string) {
  return summaryRow.one(
    await q.query(
      `select count(*)::int as total,
              count(*) filter (where g.state = 'online')::int as online,
              (select sum(u.total_cost) from gateway_usage_daily u join gateways x on x.id = u.gateway_id
                where x.org_id = $1 and u.day = (now() at time zone 'utc')::date) as "costToday",
              exists (select 1 from gateway_usage_daily u join gateways x on x.id = u.gateway_id where x.org_id = $1) as "hasUsage"
         from gateways g where g.org_id = $1`,
      [orgId],
    ),
  );
}

const snapshotFactsRow = rowDecoder("gateway_snapshots: facts", z.object({ kind: col.text, takenAt: col.timestamp, data: z.unknown() }));

/**
 * The snapshots a gateway page summarizes, with their answers; the session lists (hundreds of rows)
 * are reduced to their count in SQL rather than read whole.
 */
export async function selectSnapshotFacts(q: Queryable, gatewayId: string) {
  return snapshotFactsRow.all(
    await q.query(
      `select kind, taken_at as "takenAt",
              case when kind in ('sessions', 'sessions.usage')
                   then jsonb_build_object('count', case when jsonb_typeof(data->'sessions') = 'array' then jsonb_array_length(data->'sessions')
                                                         when jsonb_typeof(data->'sessions') = 'number' then (data->>'sessions')::int end,
                                           'totalCount', data->'totalCount', 'totals', data->'totals')
                   else data end as data
         from gateway_snapshots where gateway_id = $1 order by kind`,
      [gatewayId],
    ),
  );
}
