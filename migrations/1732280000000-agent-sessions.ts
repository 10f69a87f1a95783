import type { MigrationInterface, QueryRunner } from "typeorm";

/** Live agent sessions (from gateway rows and events, or legacy transcripts) and the transcript tailer's offsets. */
export class AgentSessions1732280000000 implements MigrationInterface {
  name = "AgentSessions1732280000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table agent_sessions (
        id uuid primary key default gen_random_uuid(),
        org_id uuid not null references organizations(id) on delete cascade,
        gateway_id uuid references gateways(id) on delete cascade,
        session_key text not null,
        session_id text,
        agent_id uuid references agents(id) on delete set null,
        external_agent_id text not null,
        type text not null check (type in ('main','dm','group','cron','subagent','other')),
        label text,
        model text,
        parent_session_key text,
        context_tokens bigint,
        total_tokens bigint,
        input_tokens bigint,
        output_tokens bigint,
        cost_usd double precision,
        status text,
        current_tool text,
        current_summary text,
        last_message text,
        last_activity_at timestamptz,
        ended_at timestamptz,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      );
      create unique index agent_sessions_key on agent_sessions (org_id, coalesce(gateway_id, '00000000-0000-0000-0000-000000000000'::uuid), session_key);
      create index agent_sessions_org_activity_idx on agent_sessions (org_id, last_activity_at desc);

      create table transcript_offsets (
        file text primary key,
        byte_offset bigint not null,
        inode bigint not null,
        size bigint not null,
        updated_at timestamptz not null default now()
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query("drop table if exists transcript_offsets, agent_sessions");
  }
}
