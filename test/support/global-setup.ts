import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";

/*
 * Tests need a PostgreSQL server. With DATABASE_URL (CI points it at the machine's PostgreSQL) we use
 * that server; otherwise one embedded PostgreSQL is started for the whole run. Each test file then
 * creates and drops its own database on it (test/support/db.ts).
 */
declare module "vitest" {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const configured = process.env.DATABASE_URL;
  if (configured) {
    project.provide("adminDatabaseUrl", configured);
    return;
  }
  const { startEmbeddedPostgres } = await import("../../app/db/embedded.server");
  const dir = mkdtempSync(path.join(os.tmpdir(), "mc-test-pg-"));
  const embedded = await startEmbeddedPostgres(dir);
  project.provide("adminDatabaseUrl", embedded.url);
  return async () => {
    await embedded.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
