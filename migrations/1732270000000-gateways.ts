import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Gateways (token encrypted at rest), what polling stores about them, the installation's secrets
 * (the device identity every process presents), and the link from discovered agents to their gateway.
 */
export class Gateways1732270000000 implements MigrationInterface {
  name = "Gateways1732270000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table gateways (
        id uuid primary key default gen_random_uuid(),
        org_id uuid not null references organizations(id) on delete cascade,
        name text not null,
        url text not null,
        token_encrypted text,
        poll_interval_seconds integer not null default 30 check (poll_interval_seconds between 5 and 3600),
        state text not null default 'connecting',
        state_detail jsonb not null default '{}'::jsonb,
        server_version text,
        latency_ms integer,
        last_error text,
        last_seen_at timestamptz,
        owner text,
        last_poll_at timestamptz,
        last_poll_error text,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      );
      create index gateways_org_idx on gateways (org_id);

      create table gateway_snapshots (
        gateway_id uuid not null references gateways(id) on delete cascade,
        kind text not null,
        data jsonb not null,
        taken_at timestamptz not null default now(),
        primary key (gateway_id, kind)
      );

      create table gateway_usage_daily (
        gateway_id uuid not null references gateways(id) on delete cascade,
        day date not null,
        input_tokens bigint not null default 0,
        output_tokens bigint not null default 0,
        cache_read_tokens bigint not null default 0,
        cache_write_tokens bigint not null default 0,
        total_tokens bigint not null default 0,
        total_cost double precision not null default 0,
        data jsonb not null default '{}'::jsonb,
        updated_at timestamptz not null default now(),
        primary key (gateway_id, day)
      );

      create table installation_secrets (
        key text primary key,
        value_encrypted text not null,
        created_at timestamptz not null default now()
      );

      alter table agents add column gateway_id uuid references gateways(id) on delete set null;
      alter table agents add column external_id text;
      create unique index agents_gateway_external_key on agents (gateway_id, external_id) where gateway_id is not null;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      drop index if exists agents_gateway_external_key;
      alter table agents drop column if exists external_id;
      alter table agents drop column if exists gateway_id;
      drop table if exists installation_secrets, gateway_usage_daily, gateway_snapshots, gateways;
    `);
  }
}
