import { db } from "~/db/data-source.server";

/* Seeding the usage rollups (ADR 027) directly, as the ingest would leave them, for reads under test. */

export async function seedGateway(orgId: string, { name = "gw", state = "online", stateSince = null as number | null } = {}): Promise<string> {
  const url = `ws://${name}-${Math.random().toString(36).slice(2, 8)}.test:18789`;
  const rows = (await db().query(
    "insert into gateways (org_id, name, url, url_key, state, state_detail) values ($1, $2, $3, $3, $4, $5) returning id",
    [orgId, name, url, state, JSON.stringify(stateSince === null ? {} : { stateSince })],
  )) as Array<{ id: string }>;
  return rows[0]!.id;
}

export async function seedGatewayAgent(orgId: string, gatewayId: string, externalId: string, { name = externalId, monthlyBudgetUsd = null as number | null } = {}): Promise<string> {
  const rows = (await db().query(
    `insert into agents (org_id, name, role, status, avatar_color, source, gateway_id, external_id, monthly_budget_usd)
     values ($1, $2, 'Main', 'online', '#6d8bff', 'gateway', $3, $4, $5) returning id`,
    [orgId, name, gatewayId, externalId, monthlyBudgetUsd],
  )) as Array<{ id: string }>;
  return rows[0]!.id;
}

export interface UsageRow {
  gatewayId: string;
  day: string;
  agent?: string;
  model?: string;
  cost?: number;
  input?: number;
  output?: number;
  cacheRead?: number;
  cacheWrite?: number;
  total?: number;
  calls?: number;
  missing?: number;
}

/** One `usage_daily` row per entry (the mock model's turn by default: 900 in, 100 cache read, 50 out, $0.00348). */
export async function seedUsage(orgId: string, rows: UsageRow[]): Promise<void> {
  for (let index = 0; index < rows.length; index += 500) {
    const chunk = rows.slice(index, index + 500);
    const values: unknown[] = [];
    const tuples = chunk.map((row, i) => {
      values.push(
        orgId,
        row.gatewayId,
        row.day,
        row.agent ?? "main",
        row.model ?? "mock/model",
        row.input ?? 900,
        row.output ?? 50,
        row.cacheRead ?? 100,
        row.cacheWrite ?? 0,
        row.total ?? (row.input ?? 900) + (row.output ?? 50) + (row.cacheRead ?? 100) + (row.cacheWrite ?? 0),
        row.calls ?? 1,
        row.cost ?? 0.00348,
        row.missing ?? 0,
      );
      const base = i * 13;
      return `(${Array.from({ length: 13 }, (_, k) => `$${base + k + 1}`).join(", ")}, 'gateway')`;
    });
    await db().query(
      `insert into usage_daily (org_id, gateway_id, day, agent_id, model, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens,
                                total_tokens, calls, cost_usd, missing_cost_entries, source)
       values ${tuples.join(", ")}`,
      values,
    );
  }
}

export async function seedSessionUsage(
  orgId: string,
  rows: Array<{ gatewayId: string; day: string; sessionKey: string; agent?: string; cost: number; calls?: number; missing?: number }>,
): Promise<void> {
  for (const row of rows) {
    await db().query(
      `insert into usage_session_daily (org_id, gateway_id, day, session_key, agent_id, source, input_tokens, output_tokens, total_tokens, calls, cost_usd, missing_cost_entries)
       values ($1, $2, $3, $4, $5, 'gateway', 900, 50, 950, $6, $7, $8)`,
      [orgId, row.gatewayId, row.day, row.sessionKey, row.agent ?? "main", row.calls ?? 1, row.cost, row.missing ?? 0],
    );
  }
}

export async function seedSync(gatewayId: string, { syncedAt = new Date(), pendingDays = [] as string[], totalDays = 0, timeZone = "UTC" } = {}): Promise<void> {
  await db().query(
    `insert into usage_sync (gateway_id, time_zone, pending_days, total_days, synced_at) values ($1, $2, $3::date[], $4, $5)
     on conflict (gateway_id) do update set pending_days = excluded.pending_days, total_days = excluded.total_days, synced_at = excluded.synced_at`,
    [gatewayId, timeZone, pendingDays, totalDays, syncedAt],
  );
}

export async function setOrgCostSettings(orgId: string, { timeZone = "UTC", monthlyBudgetUsd = null as number | null } = {}): Promise<void> {
  await db().query("update organizations set time_zone = $2, monthly_budget_usd = $3 where id = $1", [orgId, timeZone, monthlyBudgetUsd]);
}
