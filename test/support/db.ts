import pg from "pg";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, inject } from "vitest";
import { closeDatabase, initDatabase } from "~/db/data-source.server";

export function databaseUrlFor(adminUrl: string, name: string) {
  const url = new URL(adminUrl);
  url.pathname = "/" + name;
  return url.toString();
}

/** Creates an empty database on the test server; returns its URL and a function that drops it. */
export async function createTestDatabase(prefix = "mc_test") {
  const adminUrl = inject("adminDatabaseUrl");
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = databaseUrlFor(adminUrl, name);
  return {
    name,
    url,
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

/** The usual pattern: one migrated database per test file, initialised as the app's DataSource. */
export function useTestDatabase() {
  let drop: (() => Promise<void>) | undefined;
  const state = { url: "" };
  beforeAll(async () => {
    const database = await createTestDatabase();
    drop = database.drop;
    state.url = database.url;
    process.env.DATABASE_URL = database.url;
    await initDatabase(database.url, { poolSize: 5 });
  });
  afterAll(async () => {
    await closeDatabase();
    await drop?.();
  });
  return state;
}
