import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * API tokens get a role (read-only or member; existing tokens keep acting as members) and an
 * optional expiry (null: never).
 */
export class ApiTokenRoleExpiry1732440000000 implements MigrationInterface {
  name = "ApiTokenRoleExpiry1732440000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table api_tokens
      add column role text not null default 'member' check (role in ('read-only', 'member')),
      add column expires_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`alter table api_tokens drop column role, drop column expires_at`);
  }
}
