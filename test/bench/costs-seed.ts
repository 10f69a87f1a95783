import { db } from "~/db/data-source.server";

/**
 * Usage history for the costs benchmark (issue 13, point 6), written in SQL (generate_series) so a
 * million calls take seconds, not a million round trips: one gateway of the organization, `agents`
 * gateway agents, `models` models, `calls` per-call `usage_calls` rows spread over `days` days, the
 * sessions they belong to, and `usage_daily` / `usage_session_daily` built from those calls with one
 * group-by each in the organization's zone: the rows the transcript ingest writes (ADR 027).
 *
 * Skew, so the figures are not those of a uniform toy: agent i is picked with weight ~ (i+1)^-1.5
 * (the busiest ~20x the quietest), models likewise, later days busier than early ones, tokens
 * heavy-tailed, ~2% of calls unpriced plus one model the gateway never prices. Deterministic
 * (`setseed`), so every run seeds the same history.
 */
export interface CostsSeedOptions {
  orgId: string;
  timeZone: string;
  calls: number;
  days: number;
  agents: number;
  models: number;
  /** the end of the history; defaults to now */
  now?: Date;
}

export interface CostsSeeded {
  gatewayId: string;
  /** Mission Control agent ids, busiest first, with their gateway ids */
  agents: Array<{ id: string; externalId: string }>;
  models: string[];
  calls: number;
  sessions: number;
  dailyRows: number;
  sessionDailyRows: number;
  seconds: number;
}

/** provider/model names with prices per million tokens (input, output, cache read, cache write); null: never priced */
const MODELS: Array<[string, [number, number, number, number] | null]> = [
  ["anthropic/claude-sonnet-4-5", [3, 15, 0.3, 3.75]],
  ["openai/gpt-5-mini", [0.25, 2, 0.025, 0]],
  ["anthropic/claude-haiku-4-5", [1, 5, 0.1, 1.25]],
  ["openai/gpt-5", [1.25, 10, 0.125, 0]],
  ["google/gemini-2.5-pro", [1.25, 10, 0.31, 0]],
  ["anthropic/claude-opus-4-1", [15, 75, 1.5, 18.75]],
  ["local/llama-3.3-70b", null],
  ["mistral/mistral-large", [2, 6, 0.2, 0]],
];

export async function seedCostHistory(options: CostsSeedOptions): Promise<CostsSeeded> {
  const started = performance.now();
  const { orgId, timeZone, calls, days } = options;
  const agentCount = options.agents;
  const models = MODELS.slice(0, options.models);
  if (models.length < options.models) throw new Error(`at most ${MODELS.length} models`);
  const now = options.now ?? new Date();
  const q = (sql: string, params: unknown[] = []) => db().query(sql, params);

  await q(`update organizations set time_zone = $2, monthly_budget_usd = 2500 where id = $1`, [orgId, timeZone]);
  const [gateway] = await q(
    `insert into gateways (org_id, name, url, state, state_detail, last_seen_at)
     values ($1, 'bench gateway', 'ws://127.0.0.1:9', 'online', jsonb_build_object('stateSince', (extract(epoch from now()) * 1000)::bigint), now())
     returning id`,
    [orgId],
  );
  const gatewayId = gateway.id as string;
  // Gateway agents; a few with their own monthly budget (the budget part of the overview reads them).
  const agentRows: Array<{ id: string; external_id: string }> = await q(
    `insert into agents (org_id, name, role, status, avatar_color, source, gateway_id, external_id, monthly_budget_usd)
     select $1, 'gateway agent ' || lpad(i::text, 2, '0'), (array['Main','Dev','Research','Ops'])[1 + i % 4],
            (array['online','busy','offline'])[1 + i % 3], '#4f7cff', 'gateway', $2,
            case when i = 0 then 'main' else 'agent-' || lpad(i::text, 2, '0') end,
            case when i % 5 = 0 then 100 + i * 20 end
     from generate_series(0, $3 - 1) i
     order by i
     returning id, external_id`,
    [orgId, gatewayId, agentCount],
  );
  const agents = agentRows.map((row) => ({ id: row.id, externalId: row.external_id }));

  await q(`select setseed(0.42)`);
  // Cumulative weights for the skewed picks, computed once in JS and passed as arrays.
  const cumulative = (n: number) => {
    const weights = Array.from({ length: n }, (_, i) => (i + 1) ** -1.5);
    const total = weights.reduce((a, b) => a + b, 0);
    let sum = 0;
    return weights.map((w) => (sum += w / total));
  };
  await q(
    `insert into usage_calls (org_id, gateway_id, record_id, session_key, agent_id, model, at,
                              input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, total_tokens, cost_usd)
     with draws as materialized (
       select g, random() r_agent, random() r_model, random() r_at, random() r_in, random() r_out,
              random() r_cache, random() r_write, random() r_price
       from generate_series(1, $4::int) g
     ), picked as (
       select g, r_in, r_out, r_cache, r_write, r_price,
              least((select count(*) from unnest($5::float8[]) w where w < r_agent)::int, cardinality($5::float8[]) - 1) agent_index,
              least((select count(*) from unnest($6::float8[]) w where w < r_model)::int, cardinality($6::float8[]) - 1) model_index,
              -- later days busier: sqrt pushes draws towards the end of the history
              $3::timestamptz - make_interval(secs => (1 - sqrt(r_at)) * $7 * 86400) as called_at
       from draws
     ), priced as (
       select p.*, m.name model, m.price,
              (400 + 24000 * r_in ^ 3)::bigint input_tokens,
              (20 + 3000 * r_out ^ 2.5)::bigint output_tokens,
              case when r_cache < 0.35 then 0 else (60000 * r_cache ^ 2)::bigint end cache_read_tokens,
              case when r_write < 0.9 then 0 else (8000 * r_write ^ 4)::bigint end cache_write_tokens
       from picked p
       join lateral (select ($8::text[])[p.model_index + 1] name, ($9::jsonb) -> p.model_index price) m on true
     )
     select $1, $2, 'bench-' || g,
            -- one session per agent per 6 hours of activity
            'agent:' || a.external_id || ':bench:' || floor(extract(epoch from called_at) / 21600)::bigint,
            a.external_id, model, called_at,
            input_tokens, output_tokens, cache_read_tokens, cache_write_tokens,
            input_tokens + output_tokens + cache_read_tokens + cache_write_tokens,
            case when jsonb_typeof(price) = 'null' or r_price < 0.02 then null
                 else (input_tokens * (price->>0)::float8 + output_tokens * (price->>1)::float8
                       + cache_read_tokens * (price->>2)::float8 + cache_write_tokens * (price->>3)::float8) / 1e6 end
     from priced
     join (select external_id, row_number() over (order by ord) - 1 idx
           from unnest($10::text[]) with ordinality t(external_id, ord)) a on a.idx = priced.agent_index`,
    [
      orgId,
      gatewayId,
      now.toISOString(),
      calls,
      cumulative(agentCount),
      cumulative(models.length),
      days,
      models.map(([name]) => name),
      JSON.stringify(models.map(([, price]) => price)),
      agents.map((agent) => agent.externalId),
    ],
  );

  // The sessions Mission Control knows (a label on some), for bySession's join.
  const [{ count: sessions }] = await q(
    `with inserted as (
       insert into agent_sessions (org_id, gateway_id, session_key, agent_id, external_agent_id, type, label, last_activity_at)
       select $1, $2, c.session_key, a.id, c.agent_id, 'main',
              case when abs(hashtext(c.session_key)) % 3 = 0 then 'bench session ' || c.session_key end, max(c.at)
       from usage_calls c join agents a on a.gateway_id = c.gateway_id and a.external_id = c.agent_id
       where c.gateway_id = $2
       group by c.session_key, a.id, c.agent_id
       returning 1
     ) select count(*)::int count from inserted`,
    [orgId, gatewayId],
  );

  // The rollups, as the ingest cuts them: days of the organization's zone.
  const sums = `sum(input_tokens), sum(output_tokens), sum(cache_read_tokens), sum(cache_write_tokens), sum(total_tokens),
                count(*), coalesce(sum(cost_usd), 0), count(*) filter (where cost_usd is null)`;
  const columns = `input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, total_tokens, calls, cost_usd, missing_cost_entries`;
  const [{ count: dailyRows }] = await q(
    `with inserted as (
       insert into usage_daily (org_id, gateway_id, day, agent_id, model, source, ${columns})
       select org_id, gateway_id, (at at time zone $2)::date, agent_id, model, 'transcript', ${sums}
       from usage_calls where gateway_id = $1 group by 1, 2, 3, 4, 5
       returning 1
     ) select count(*)::int count from inserted`,
    [gatewayId, timeZone],
  );
  const [{ count: sessionDailyRows }] = await q(
    `with inserted as (
       insert into usage_session_daily (org_id, gateway_id, day, session_key, agent_id, source, ${columns})
       select org_id, gateway_id, (at at time zone $2)::date, session_key, agent_id, 'transcript', ${sums}
       from usage_calls where gateway_id = $1 group by 1, 2, 3, 4, 5
       returning 1
     ) select count(*)::int count from inserted`,
    [gatewayId, timeZone],
  );
  await q(`insert into usage_sync (gateway_id, time_zone, backfilled_at, synced_at) values ($1, $2, now(), now())`, [gatewayId, timeZone]);

  return {
    gatewayId,
    agents,
    models: models.map(([name]) => name),
    calls,
    sessions,
    dailyRows,
    sessionDailyRows,
    seconds: (performance.now() - started) / 1000,
  };
}
