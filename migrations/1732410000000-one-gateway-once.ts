import type { MigrationInterface, QueryRunner } from "typeorm";
import { gatewayUrlKey } from "../app/lib/gateway-url";

/*
 * One gateway once (ADR 018): a gateway's normalized URL and the identity it reports
 * (gateway.identity.get) are unique per organization, and board and API-token names are unique
 * ignoring case. Old databases may already hold duplicates; they must not stop the migration:
 * - gateways: the oldest row of each URL keeps the key; later copies get none and are marked
 *   `duplicate_of` the oldest, so the runtime stops ingesting them (they stay listed, to delete);
 * - boards and live API tokens: later copies are renamed "name (2)", "name (3)", … (revoked tokens
 *   keep their names: only live tokens must be told apart).
 */
export class OneGatewayOnce1732410000000 implements MigrationInterface {
  name = "OneGatewayOnce1732410000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      alter table gateways add column url_key text;
      alter table gateways add column identity text;
      alter table gateways add column duplicate_of uuid references gateways(id) on delete set null;
    `);
    const rows: Array<{ id: string; org_id: string; url: string }> = await q.query("select id, org_id, url from gateways order by created_at, id");
    const first = new Map<string, string>();
    for (const row of rows) {
      const key = gatewayUrlKey(row.url);
      if (!key) continue;
      const scoped = `${row.org_id} ${key}`;
      const original = first.get(scoped);
      if (original) await q.query("update gateways set duplicate_of = $2 where id = $1", [row.id, original]);
      else {
        first.set(scoped, row.id);
        await q.query("update gateways set url_key = $2 where id = $1", [row.id, key]);
      }
    }
    await q.query(`
      create unique index gateways_org_url_key on gateways (org_id, url_key) where url_key is not null;
      create unique index gateways_org_identity_key on gateways (org_id, identity) where identity is not null;
    `);
    await renameDuplicates(q, "boards", "true");
    await renameDuplicates(q, "api_tokens", "revoked_at is null");
    await q.query(`
      create unique index boards_org_name_key on boards (org_id, lower(name));
      create unique index api_tokens_org_live_name_key on api_tokens (org_id, lower(name)) where revoked_at is null;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      drop index api_tokens_org_live_name_key;
      drop index boards_org_name_key;
      drop index gateways_org_identity_key;
      drop index gateways_org_url_key;
      alter table gateways drop column duplicate_of;
      alter table gateways drop column identity;
      alter table gateways drop column url_key;
    `);
  }
}

/** Later rows of a name (ignoring case) get " (n)" with the first n no row of the org uses. */
async function renameDuplicates(q: QueryRunner, table: "boards" | "api_tokens", where: string) {
  const rows: Array<{ id: string; org_id: string; name: string }> = await q.query(`select id, org_id, name from ${table} where ${where} order by created_at, id`);
  const taken = new Set(rows.map((row) => `${row.org_id} ${row.name.toLowerCase()}`));
  const seen = new Set<string>();
  for (const row of rows) {
    const key = `${row.org_id} ${row.name.toLowerCase()}`;
    if (!seen.has(key)) {
      seen.add(key);
      continue;
    }
    let n = 2;
    while (taken.has(`${row.org_id} ${`${row.name} (${n})`.toLowerCase()}`)) n++;
    const name = `${row.name} (${n})`;
    taken.add(`${row.org_id} ${name.toLowerCase()}`);
    seen.add(`${row.org_id} ${name.toLowerCase()}`);
    await q.query(`update ${table} set name = $2 where id = $1`, [row.id, name]);
  }
}
