import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * A session's usage summed over every model call (the gateway's sessions.usage, last 30 days). The
 * row's input/output tokens and cost are the last run's only, which is what OpenClaw's session rows
 * carry.
 */
export class SessionUsage1732310000000 implements MigrationInterface {
  name = "SessionUsage1732310000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table agent_sessions
      add column usage_input_tokens bigint,
      add column usage_output_tokens bigint,
      add column usage_cache_read_tokens bigint,
      add column usage_total_tokens bigint,
      add column usage_cost_usd double precision,
      add column usage_since date,
      add column usage_updated_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`alter table agent_sessions
      drop column usage_input_tokens, drop column usage_output_tokens, drop column usage_cache_read_tokens,
      drop column usage_total_tokens, drop column usage_cost_usd, drop column usage_since, drop column usage_updated_at`);
  }
}
