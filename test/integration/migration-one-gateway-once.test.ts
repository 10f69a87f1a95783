import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DataSource } from "typeorm";
import { createDataSource } from "~/db/data-source.server";
import { MIGRATIONS } from "../../migrations/index";
import { OneGatewayOnce1732410000000 } from "../../migrations/1732410000000-one-gateway-once";
import { createTestDatabase } from "../support/db";

/*
 * ADR 018's migration on a database from before it: duplicates that the new unique indexes forbid
 * (a gateway added twice under two spellings of its URL, boards and live API tokens sharing a name
 * in any case) must not stop the upgrade. The oldest row keeps its key or name; later copies are
 * marked or renamed; the other organization's rows and revoked tokens are left alone.
 */
let drop: () => Promise<void>;
let url = "";
let ds: DataSource | undefined;

beforeAll(async () => {
  const database = await createTestDatabase("mc_migrate");
  drop = database.drop;
  url = database.url;
});

afterAll(async () => {
  if (ds?.isInitialized) await ds.destroy();
  await drop?.();
});

describe("migration 1732410000000 on a database holding duplicates", () => {
  it("keeps the oldest of each, marks or renames the later copies, and then enforces the rule", async () => {
    const before = MIGRATIONS.slice(0, MIGRATIONS.indexOf(OneGatewayOnce1732410000000));
    expect(before.length).toBeGreaterThan(0);
    const old = createDataSource(url);
    old.setOptions({ migrations: before });
    await old.initialize();
    await old.runMigrations({ transaction: "each" });

    const [a, b] = (await old.query(
      "insert into organizations (name, slug) values ('A', 'a'), ('B', 'b') returning id",
    )) as Array<{ id: string }>;
    const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds)).toISOString();
    const gateway = async (org: string, name: string, gatewayUrl: string, seconds: number) =>
      ((await old.query("insert into gateways (org_id, name, url, created_at) values ($1, $2, $3, $4) returning id", [org, name, gatewayUrl, at(seconds)])) as Array<{ id: string }>)[0]!.id;
    const home = await gateway(a!.id, "Home", "ws://gw.example.test:18789", 1);
    const copy = await gateway(a!.id, "Home again", "WS://GW.example.test:18789/", 2);
    const otherOrg = await gateway(b!.id, "Home in B", "ws://gw.example.test:18789", 3);
    for (const [name, seconds] of [["Launch", 1], ["launch", 2], ["Launch (2)", 3]] as const) {
      await old.query("insert into boards (org_id, name, created_at) values ($1, $2, $3)", [a!.id, name, at(seconds)]);
    }
    await old.query("insert into boards (org_id, name) values ($1, 'Launch')", [b!.id]);
    let hash = 0;
    const token = (name: string, seconds: number, revoked: boolean) =>
      old.query("insert into api_tokens (org_id, name, token_hash, prefix, created_at, revoked_at) values ($1, $2, $3, 'mc_', $4, $5)", [
        a!.id, name, `hash-${hash++}`, at(seconds), revoked ? at(seconds) : null,
      ]);
    await token("ci-bot", 1, false);
    await token("CI-bot", 2, false);
    await token("ci-bot", 3, true);
    await old.destroy();

    ds = createDataSource(url);
    await ds.initialize();
    await ds.runMigrations({ transaction: "each" });

    const gateways = (await ds.query("select id, url_key, duplicate_of from gateways order by created_at")) as Array<{ id: string; url_key: string | null; duplicate_of: string | null }>;
    expect(gateways).toEqual([
      { id: home, url_key: expect.any(String), duplicate_of: null },
      { id: copy, url_key: null, duplicate_of: home },
      { id: otherOrg, url_key: gateways[0]!.url_key, duplicate_of: null },
    ]);
    const boards = (await ds.query("select name from boards where org_id = $1 order by created_at", [a!.id])) as Array<{ name: string }>;
    // "launch" may not become "launch (2)": that name is taken, in another case, by the third board
    expect(boards.map((row) => row.name)).toEqual(["Launch", "launch (3)", "Launch (2)"]);
    expect((await ds.query("select name from boards where org_id = $1", [b!.id])) as unknown[]).toEqual([{ name: "Launch" }]);
    const tokens = (await ds.query("select name, revoked_at is not null as revoked from api_tokens order by created_at")) as Array<{ name: string; revoked: boolean }>;
    expect(tokens).toEqual([
      { name: "ci-bot", revoked: false },
      { name: "CI-bot (2)", revoked: false },
      { name: "ci-bot", revoked: true },
    ]);

    // and from now on the database itself refuses a second copy
    await expect(ds.query("insert into boards (org_id, name) values ($1, 'LAUNCH')", [a!.id])).rejects.toThrow(/boards_org_name_key/);
    await expect(
      ds.query("insert into gateways (org_id, name, url, url_key) values ($1, 'Third', 'ws://gw.example.test:18789', $2)", [a!.id, gateways[0]!.url_key]),
    ).rejects.toThrow(/gateways_org_url_key/);
  });
});
