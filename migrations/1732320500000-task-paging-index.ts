import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * GET /api/tasks pages in creation order with a keyset on (created_at, id): this index lets each
 * page start where the last one ended instead of sorting the organization's tasks every time.
 */
export class TaskPagingIndex1732320500000 implements MigrationInterface {
  name = "TaskPagingIndex1732320500000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`create index tasks_org_created_idx on tasks (org_id, created_at, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop index tasks_org_created_idx`);
  }
}
