import { db, transaction } from "~/db/data-source.server";
import { publish } from "~/realtime/publish.server";
import { topic } from "~/lib/topics";

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
  await transaction(async (manager) => {
    for (const [kind, data] of Object.entries(outcome.snapshots)) {
      await manager.query(
        `insert into gateway_snapshots (gateway_id, kind, data, taken_at) values ($1, $2, $3, now())
         on conflict (gateway_id, kind) do update set data = excluded.data, taken_at = excluded.taken_at`,
        [gatewayId, kind, JSON.stringify(data)],
      );
    }
    for (const day of outcome.daily) {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(day.date)) continue;
      await manager.query(
        `insert into gateway_usage_daily (gateway_id, day, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, total_tokens, total_cost, data, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, now())
         on conflict (gateway_id, day) do update set
           input_tokens = excluded.input_tokens, output_tokens = excluded.output_tokens,
           cache_read_tokens = excluded.cache_read_tokens, cache_write_tokens = excluded.cache_write_tokens,
           total_tokens = excluded.total_tokens, total_cost = excluded.total_cost, data = excluded.data, updated_at = now()`,
        [gatewayId, day.date, num(day.input), num(day.output), num(day.cacheRead), num(day.cacheWrite), num(day.totalTokens), num(day.totalCost), JSON.stringify(day)],
      );
    }
    const errors = Object.entries(outcome.errors).map(([kind, message]) => `${kind}: ${message}`);
    await manager.query("update gateways set last_poll_at = now(), last_poll_error = $2 where id = $1", [gatewayId, errors.length ? errors.join("; ") : null]);
    await publish(manager, {
      orgId,
      type: "gateway.polled",
      topics: [topic.gateways, topic.gateway(gatewayId)],
      data: { gatewayId, kinds: Object.keys(outcome.snapshots), errors: outcome.errors },
    });
  });
}

export async function recordPollFailure({ gatewayId, message }: { gatewayId: string; message: string }) {
  await db().query("update gateways set last_poll_at = now(), last_poll_error = $2 where id = $1", [gatewayId, message]);
}

export async function getSnapshots(gatewayId: string) {
  const rows: Array<{ kind: string; data: unknown; taken_at: Date }> = await db().query(
    "select kind, data, taken_at from gateway_snapshots where gateway_id = $1 order by kind",
    [gatewayId],
  );
  return rows.map((row) => ({ kind: row.kind, data: row.data, takenAt: row.taken_at }));
}

export async function listDailyUsage(gatewayId: string) {
  const rows: Array<{ day: string; total_tokens: string; total_cost: number }> = await db().query(
    "select to_char(day, 'YYYY-MM-DD') as day, total_tokens::text, total_cost from gateway_usage_daily where gateway_id = $1 order by day",
    [gatewayId],
  );
  return rows.map((row) => ({ day: row.day, totalTokens: Number(row.total_tokens), totalCost: row.total_cost }));
}

/** Today's cost (the gateways' own usage.cost day, UTC date) and gateway health, for the dashboard. */
export async function gatewaySummary(orgId: string) {
  const rows: Array<{ total: number; online: number; cost_today: number | null; has_usage: boolean }> = await db().query(
    `select count(*)::int as total,
            count(*) filter (where g.state = 'online')::int as online,
            (select sum(u.total_cost) from gateway_usage_daily u join gateways x on x.id = u.gateway_id
              where x.org_id = $1 and u.day = (now() at time zone 'utc')::date) as cost_today,
            exists (select 1 from gateway_usage_daily u join gateways x on x.id = u.gateway_id where x.org_id = $1) as has_usage
       from gateways g where g.org_id = $1`,
    [orgId],
  );
  const row = rows[0]!;
  return { total: row.total, online: row.online, costToday: row.has_usage ? Number(row.cost_today ?? 0) : null };
}
