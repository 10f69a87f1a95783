import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * A version per editable row (ADR 017): every update bumps it, and an edit based on an older
 * version is refused instead of silently putting old values back.
 */
const TABLES = ["tasks", "boards", "agents", "gateways", "organizations", "tags"];

export class RowVersions1732400000000 implements MigrationInterface {
  name = "RowVersions1732400000000";

  async up(q: QueryRunner): Promise<void> {
    for (const table of TABLES) await q.query(`alter table ${table} add column version integer not null default 1`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of TABLES) await q.query(`alter table ${table} drop column version`);
  }
}
