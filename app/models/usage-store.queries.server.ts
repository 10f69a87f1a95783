import { z } from "zod";
import { col, returnedRows, rowDecoder, type Queryable } from "~/db/rows";

/*
 * Every statement on the usage rollups (ADR 027): `usage_daily` (gateway × day × agent × model),
 * `usage_session_daily` (gateway × day × session), `usage_calls` (a transcript's calls, one row per
 * record) and `usage_sync` (a gateway's zone and backfill). Days are `date`s of the organization's
 * zone; token counts are bigint columns read as float8 (exact to 2^53).
 */

/** Sums over some model calls, as the rollup rows store them. */
export interface UsageFigures {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  totalTokens: number;
  calls: number;
  costUsd: number;
  missingCostEntries: number;
}

export interface DailyUsageRow extends UsageFigures {
  agentId: string;
  model: string;
}

export interface SessionDailyRow extends UsageFigures {
  sessionKey: string;
  agentId: string;
}

const figures = {
  inputTokens: z.number(),
  outputTokens: z.number(),
  cacheReadTokens: z.number(),
  cacheWriteTokens: z.number(),
  totalTokens: z.number(),
  calls: col.int,
  costUsd: z.number(),
  missingCostEntries: col.int,
};
const FIGURE_COLUMNS = `input_tokens::float8 as "inputTokens", output_tokens::float8 as "outputTokens", cache_read_tokens::float8 as "cacheReadTokens",
  cache_write_tokens::float8 as "cacheWriteTokens", total_tokens::float8 as "totalTokens", calls, cost_usd as "costUsd", missing_cost_entries as "missingCostEntries"`;

const dailyRow = rowDecoder("usage_daily: rows", z.object({ agentId: col.text, model: col.text, ...figures }));
const sessionDailyRow = rowDecoder("usage_session_daily: rows", z.object({ sessionKey: col.text, agentId: col.text, ...figures }));

/** Deletes a gateway's gateway-sourced rows of one day; answers what they were. */
export async function deleteGatewayDay(q: Queryable, { gatewayId, day }: { gatewayId: string; day: string }) {
  const daily = returnedRows(await q.query(`delete from usage_daily where gateway_id = $1 and day = $2 and source = 'gateway' returning agent_id as "agentId", model, ${FIGURE_COLUMNS}`, [gatewayId, day]));
  const sessions = returnedRows(await q.query(`delete from usage_session_daily where gateway_id = $1 and day = $2 and source = 'gateway' returning session_key as "sessionKey", agent_id as "agentId", ${FIGURE_COLUMNS}`, [gatewayId, day]));
  return { daily: dailyRow.all(daily), sessions: sessionDailyRow.all(sessions) };
}

/** Inserts one day's gateway-sourced rows (the day's rows were just deleted). */
export async function insertGatewayDay(
  q: Queryable,
  { orgId, gatewayId, day, daily, sessions }: { orgId: string; gatewayId: string; day: string; daily: DailyUsageRow[]; sessions: SessionDailyRow[] },
): Promise<void> {
  if (daily.length) {
    await q.query(
      `insert into usage_daily (org_id, gateway_id, day, agent_id, model, source, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, total_tokens, calls, cost_usd, missing_cost_entries)
       select $1, $2, $3::date, r."agentId", r.model, 'gateway', r."inputTokens", r."outputTokens", r."cacheReadTokens", r."cacheWriteTokens", r."totalTokens", r.calls, r."costUsd", r."missingCostEntries"
         from jsonb_to_recordset($4::jsonb) as r("agentId" text, model text, "inputTokens" bigint, "outputTokens" bigint, "cacheReadTokens" bigint,
                                               "cacheWriteTokens" bigint, "totalTokens" bigint, calls integer, "costUsd" float8, "missingCostEntries" integer)`,
      [orgId, gatewayId, day, JSON.stringify(daily)],
    );
  }
  if (sessions.length) {
    await q.query(
      `insert into usage_session_daily (org_id, gateway_id, day, session_key, agent_id, source, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, total_tokens, calls, cost_usd, missing_cost_entries)
       select $1, $2, $3::date, r."sessionKey", r."agentId", 'gateway', r."inputTokens", r."outputTokens", r."cacheReadTokens", r."cacheWriteTokens", r."totalTokens", r.calls, r."costUsd", r."missingCostEntries"
         from jsonb_to_recordset($4::jsonb) as r("sessionKey" text, "agentId" text, "inputTokens" bigint, "outputTokens" bigint, "cacheReadTokens" bigint,
                                               "cacheWriteTokens" bigint, "totalTokens" bigint, calls integer, "costUsd" float8, "missingCostEntries" integer)`,
      [orgId, gatewayId, day, JSON.stringify(sessions)],
    );
  }
}

const timeZoneRow = rowDecoder("organizations: time zone", z.object({ timeZone: col.text }));

export async function selectOrgTimeZone(q: Queryable, orgId: string): Promise<string> {
  return timeZoneRow.one(await q.query(`select time_zone as "timeZone" from organizations where id = $1`, [orgId])).timeZone;
}

export interface UsageSyncState {
  timeZone: string;
  pendingDays: string[];
  totalDays: number;
  backfilledAt: Date | null;
  syncedAt: Date | null;
  lastError: string | null;
}

const syncRow = rowDecoder(
  "usage_sync: row",
  z.object({ timeZone: col.text, pendingDays: z.array(col.text), totalDays: col.int, backfilledAt: col.timestamp.nullable(), syncedAt: col.timestamp.nullable(), lastError: col.text.nullable() }),
);
const SYNC_COLUMNS = `time_zone as "timeZone", array(select to_char(d, 'YYYY-MM-DD') from unnest(pending_days) d order by d) as "pendingDays",
  total_days as "totalDays", backfilled_at as "backfilledAt", synced_at as "syncedAt", last_error as "lastError"`;

/** The gateway's sync state; `lock` holds it (for update) to the end of the caller's transaction. */
export async function selectUsageSync(q: Queryable, gatewayId: string, { lock = false } = {}): Promise<UsageSyncState | null> {
  return syncRow.first(await q.query(`select ${SYNC_COLUMNS} from usage_sync where gateway_id = $1${lock ? " for update" : ""}`, [gatewayId]));
}

/** A backfill starts: the zone its rows are cut in and the days to replace (none: done already). */
export async function upsertUsageSyncStart(q: Queryable, { gatewayId, timeZone, pendingDays }: { gatewayId: string; timeZone: string; pendingDays: string[] }): Promise<void> {
  await q.query(
    `insert into usage_sync (gateway_id, time_zone, pending_days, total_days, backfilled_at, last_error)
     values ($1, $2, $3::date[], cardinality($3::date[]), case when cardinality($3::date[]) = 0 then now() end, null)
     on conflict (gateway_id) do update set time_zone = excluded.time_zone, pending_days = excluded.pending_days,
       total_days = excluded.total_days, backfilled_at = excluded.backfilled_at, last_error = null`,
    [gatewayId, timeZone, pendingDays],
  );
}

/** Days were replaced: they leave the queue; the backfill is done when none is left. */
export async function markUsageSynced(q: Queryable, { gatewayId, doneDays, error }: { gatewayId: string; doneDays: string[]; error: string | null }): Promise<void> {
  await q.query(
    `update usage_sync set
       pending_days = array(select d from unnest(pending_days) d where d <> all($2::date[]) order by d),
       backfilled_at = case when backfilled_at is null and cardinality(array(select d from unnest(pending_days) d where d <> all($2::date[]))) = 0 then now() else backfilled_at end,
       synced_at = now(), last_error = $3
     where gateway_id = $1`,
    [gatewayId, doneDays, error],
  );
}

/** Why the last sync failed, without touching its progress. */
export async function markUsageSyncError(q: Queryable, { gatewayId, error }: { gatewayId: string; error: string }): Promise<void> {
  await q.query(`update usage_sync set last_error = $2 where gateway_id = $1`, [gatewayId, error]);
}

/** Every gateway-sourced row of a gateway (its backfill starts over, in another zone). */
export async function deleteGatewayUsage(q: Queryable, gatewayId: string): Promise<void> {
  await q.query(`delete from usage_daily where gateway_id = $1 and source = 'gateway'`, [gatewayId]);
  await q.query(`delete from usage_session_daily where gateway_id = $1 and source = 'gateway'`, [gatewayId]);
}

export interface TranscriptCall {
  recordId: string;
  sessionKey: string;
  agentId: string;
  model: string;
  /** ISO time of the call */
  at: string;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  totalTokens: number;
  /** null: the transcript gave no price */
  costUsd: number | null;
}

const dayRow = rowDecoder("usage_daily: days", z.object({ day: col.text }));

/**
 * Inserts a transcript's calls, each once per record (a replayed one is skipped), and adds only the
 * inserted ones to the gateway's rollups, cut in the organization's zone. Answers the days it changed.
 */
export async function insertTranscriptCalls(q: Queryable, { orgId, gatewayId, calls }: { orgId: string; gatewayId: string; calls: TranscriptCall[] }): Promise<string[]> {
  const rows = await q.query(
    `with zone as (select time_zone as tz from organizations where id = $1),
     inserted as (
       insert into usage_calls (org_id, gateway_id, record_id, session_key, agent_id, model, at, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, total_tokens, cost_usd)
       select $1, $2, c."recordId", c."sessionKey", c."agentId", c.model, c.at, c."inputTokens", c."outputTokens", c."cacheReadTokens", c."cacheWriteTokens", c."totalTokens", c."costUsd"
         from jsonb_to_recordset($3::jsonb) as c("recordId" text, "sessionKey" text, "agentId" text, model text, at timestamptz, "inputTokens" bigint,
                                               "outputTokens" bigint, "cacheReadTokens" bigint, "cacheWriteTokens" bigint, "totalTokens" bigint, "costUsd" float8)
       on conflict (gateway_id, record_id) do nothing
       returning *),
     cut as (select inserted.*, (inserted.at at time zone zone.tz)::date as day from inserted, zone),
     daily as (
       insert into usage_daily (org_id, gateway_id, day, agent_id, model, source, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, total_tokens, calls, cost_usd, missing_cost_entries)
       select $1, $2, day, agent_id, model, 'transcript', sum(input_tokens), sum(output_tokens), sum(cache_read_tokens), sum(cache_write_tokens), sum(total_tokens),
              count(*), coalesce(sum(cost_usd), 0), count(*) filter (where cost_usd is null)
         from cut group by day, agent_id, model
       ${ADD_ON_CONFLICT("usage_daily", "(gateway_id, day, agent_id, model)")}
       returning day),
     sessions as (
       insert into usage_session_daily (org_id, gateway_id, day, session_key, agent_id, source, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, total_tokens, calls, cost_usd, missing_cost_entries)
       select $1, $2, day, session_key, max(agent_id), 'transcript', sum(input_tokens), sum(output_tokens), sum(cache_read_tokens), sum(cache_write_tokens), sum(total_tokens),
              count(*), coalesce(sum(cost_usd), 0), count(*) filter (where cost_usd is null)
         from cut group by day, session_key
       ${ADD_ON_CONFLICT("usage_session_daily", "(gateway_id, day, session_key)")}
       returning day)
     select distinct to_char(day, 'YYYY-MM-DD') as day from (select day from daily union all select day from sessions) changed order by 1`,
    [orgId, gatewayId, JSON.stringify(calls)],
  );
  return dayRow.all(rows).map((row) => row.day);
}

/** On a conflict, the new calls' figures are added to the row's. */
function ADD_ON_CONFLICT(table: string, key: string) {
  const add = (column: string) => `${column} = ${table}.${column} + excluded.${column}`;
  return `on conflict ${key} do update set ${["input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens", "total_tokens", "calls", "cost_usd", "missing_cost_entries"].map(add).join(", ")}, updated_at = now()`;
}

/**
 * The organization's days are now another zone's: its gateway-sourced rows and backfill states go
 * (the next polls backfill anew), the gateways' usage.cost days too, and the transcript-sourced rows
 * are cut again from `usage_calls` in the zone the organizations row now names.
 */
export async function recutOrgUsage(q: Queryable, orgId: string): Promise<void> {
  await q.query(`delete from usage_sync where gateway_id in (select id from gateways where org_id = $1)`, [orgId]);
  await q.query(`delete from gateway_usage_daily where gateway_id in (select id from gateways where org_id = $1)`, [orgId]);
  await q.query(`delete from usage_daily where org_id = $1`, [orgId]);
  await q.query(`delete from usage_session_daily where org_id = $1`, [orgId]);
  await q.query(
    `insert into usage_daily (org_id, gateway_id, day, agent_id, model, source, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, total_tokens, calls, cost_usd, missing_cost_entries)
     select c.org_id, c.gateway_id, (c.at at time zone o.time_zone)::date, c.agent_id, c.model, 'transcript', sum(input_tokens), sum(output_tokens), sum(cache_read_tokens),
            sum(cache_write_tokens), sum(total_tokens), count(*), coalesce(sum(cost_usd), 0), count(*) filter (where cost_usd is null)
       from usage_calls c join organizations o on o.id = c.org_id
      where c.org_id = $1
      group by c.org_id, c.gateway_id, 3, c.agent_id, c.model`,
    [orgId],
  );
  await q.query(
    `insert into usage_session_daily (org_id, gateway_id, day, session_key, agent_id, source, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, total_tokens, calls, cost_usd, missing_cost_entries)
     select c.org_id, c.gateway_id, (c.at at time zone o.time_zone)::date, c.session_key, max(c.agent_id), 'transcript', sum(input_tokens), sum(output_tokens), sum(cache_read_tokens),
            sum(cache_write_tokens), sum(total_tokens), count(*), coalesce(sum(cost_usd), 0), count(*) filter (where cost_usd is null)
       from usage_calls c join organizations o on o.id = c.org_id
      where c.org_id = $1
      group by c.org_id, c.gateway_id, 3, c.session_key`,
    [orgId],
  );
}
