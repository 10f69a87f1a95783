import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * A session's detail page reads its agent activity by session key; agent activity is most of the
 * table, so that read needs its own index rather than a scan of the organization's rows.
 */
export class SessionActivityIndex1732290000000 implements MigrationInterface {
  name = "SessionActivityIndex1732290000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`create index activity_events_session_idx on activity_events (org_id, (data->>'sessionKey'), id desc)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop index activity_events_session_idx`);
  }
}
