import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The live-update log: every change a page shows is written here in the transaction that made it,
 * then announced with NOTIFY mc_events '<id>'. Streams replay from it after Last-Event-ID.
 * org_id is null only for events addressed to one session or token (e.g. "signed out").
 */
export class EventLog1732260000000 implements MigrationInterface {
  name = "EventLog1732260000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table event_log (
        id bigserial primary key,
        org_id uuid references organizations(id) on delete cascade,
        topics text[] not null,
        type text not null,
        data jsonb not null default '{}'::jsonb,
        created_at timestamptz not null default now()
      );
      create index event_log_org_id_idx on event_log (org_id, id);
      create index event_log_created_idx on event_log (created_at);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query("drop table if exists event_log");
  }
}
