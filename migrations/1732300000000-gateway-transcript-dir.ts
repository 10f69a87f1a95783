import type { MigrationInterface, QueryRunner } from "typeorm";

/** A gateway's transcript folder (its state directory as this host sees it; gateways up to 2026.7). */
export class GatewayTranscriptDir1732300000000 implements MigrationInterface {
  name = "GatewayTranscriptDir1732300000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query("alter table gateways add column transcript_dir text");
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query("alter table gateways drop column transcript_dir");
  }
}
