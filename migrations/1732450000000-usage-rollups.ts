import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Usage kept as daily rollups (ADR 027): one row per gateway × agent × model × day of the
 * organization's time zone (`usage_daily`), one per gateway × session × day (`usage_session_daily`),
 * the per-call rows a legacy gateway's transcripts give (`usage_calls`, so a replayed chunk is counted
 * once and days can be re-cut when the zone changes), and each gateway's backfill state
 * (`usage_sync`). Organizations get their IANA time zone and a monthly budget; agents an optional one.
 */
export class UsageRollups1732450000000 implements MigrationInterface {
  name = "UsageRollups1732450000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      alter table organizations
        add column time_zone text not null default 'UTC',
        add column monthly_budget_usd double precision check (monthly_budget_usd is null or monthly_budget_usd >= 0);
      alter table agents
        add column monthly_budget_usd double precision check (monthly_budget_usd is null or monthly_budget_usd >= 0);

      create table usage_daily (
        org_id uuid not null references organizations(id) on delete cascade,
        gateway_id uuid not null references gateways(id) on delete cascade,
        day date not null,
        agent_id text not null,
        model text not null,
        source text not null check (source in ('gateway', 'transcript')),
        input_tokens bigint not null default 0,
        output_tokens bigint not null default 0,
        cache_read_tokens bigint not null default 0,
        cache_write_tokens bigint not null default 0,
        total_tokens bigint not null default 0,
        calls integer not null default 0,
        cost_usd double precision not null default 0,
        missing_cost_entries integer not null default 0,
        updated_at timestamptz not null default now(),
        primary key (gateway_id, day, agent_id, model)
      );
      create index usage_daily_org_day_idx on usage_daily (org_id, day);

      create table usage_session_daily (
        org_id uuid not null references organizations(id) on delete cascade,
        gateway_id uuid not null references gateways(id) on delete cascade,
        day date not null,
        session_key text not null,
        agent_id text not null,
        source text not null check (source in ('gateway', 'transcript')),
        input_tokens bigint not null default 0,
        output_tokens bigint not null default 0,
        cache_read_tokens bigint not null default 0,
        cache_write_tokens bigint not null default 0,
        total_tokens bigint not null default 0,
        calls integer not null default 0,
        cost_usd double precision not null default 0,
        missing_cost_entries integer not null default 0,
        updated_at timestamptz not null default now(),
        primary key (gateway_id, day, session_key)
      );
      create index usage_session_daily_org_day_idx on usage_session_daily (org_id, day);

      create table usage_calls (
        org_id uuid not null references organizations(id) on delete cascade,
        gateway_id uuid not null references gateways(id) on delete cascade,
        record_id text not null,
        session_key text not null,
        agent_id text not null,
        model text not null,
        at timestamptz not null,
        input_tokens bigint not null default 0,
        output_tokens bigint not null default 0,
        cache_read_tokens bigint not null default 0,
        cache_write_tokens bigint not null default 0,
        total_tokens bigint not null default 0,
        cost_usd double precision,
        primary key (gateway_id, record_id)
      );
      create index usage_calls_org_at_idx on usage_calls (org_id, at);

      create table usage_sync (
        gateway_id uuid primary key references gateways(id) on delete cascade,
        time_zone text not null,
        pending_days date[] not null default '{}',
        total_days integer not null default 0,
        backfilled_at timestamptz,
        synced_at timestamptz,
        last_error text
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      drop table usage_sync; drop table usage_calls; drop table usage_session_daily; drop table usage_daily;
      alter table agents drop column monthly_budget_usd;
      alter table organizations drop column time_zone, drop column monthly_budget_usd;
    `);
  }
}
