import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";

export interface BenchDatabase {
  url: string;
  /** where it runs, for the report */
  description: string;
  cleanup(): Promise<void>;
}

function withDatabase(url: string, name: string) {
  const next = new URL(url);
  next.pathname = "/" + name;
  return next.toString();
}

/**
 * A throw-away database: created on DATABASE_URL's server when it is set (the machine's
 * PostgreSQL), otherwise on an embedded PostgreSQL started in a temporary directory.
 */
export async function openBenchDatabase(): Promise<BenchDatabase> {
  let adminUrl = process.env.DATABASE_URL;
  let stopEmbedded: (() => Promise<void>) | undefined;
  let description: string;
  if (adminUrl) {
    const { hostname, port } = new URL(adminUrl);
    description = `PostgreSQL at ${hostname}:${port || 5432} (DATABASE_URL)`;
  } else {
    const { startEmbeddedPostgres } = await import("~/db/embedded.server");
    const dir = mkdtempSync(path.join(os.tmpdir(), "mc-bench-pg-"));
    const embedded = await startEmbeddedPostgres(dir);
    adminUrl = embedded.url;
    description = "embedded PostgreSQL (no DATABASE_URL)";
    stopEmbedded = async () => {
      await embedded.stop();
      rmSync(dir, { recursive: true, force: true });
    };
  }

  const name = `mc_bench_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const { rows } = await admin.query<{ server_version: string }>("show server_version");
  await admin.query(`create database ${name}`);
  await admin.end();
  description += `, PostgreSQL ${rows[0]?.server_version}`;

  return {
    url: withDatabase(adminUrl, name),
    description,
    async cleanup() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
      await stopEmbedded?.();
    },
  };
}
