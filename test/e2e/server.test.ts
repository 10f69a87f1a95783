import { existsSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { spawnBuiltServer, startServer, type StartedServer } from "../support/server";

/*
 * The built server (`node build/server.js`) as a process: probes, first-run redirect, zero set-up
 * with the embedded PostgreSQL, graceful shutdown, and a readable failure on a bad environment.
 */

async function json(response: Response) {
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  return (await response.json()) as Record<string, unknown>;
}

describe("the built server against a fresh database", () => {
  let server: StartedServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("answers /health with 200 JSON", async () => {
    const response = await fetch(`${server.url}/health`);
    expect(response.status).toBe(200);
    expect(await json(response)).toMatchObject({ status: "ok" });
  });

  it("answers /ready with 200 once the database, migrations, jobs and the realtime listener are up", async () => {
    const response = await fetch(`${server.url}/ready`);
    expect(response.status).toBe(200);
    expect(await json(response)).toEqual({
      status: "ready",
      checks: { database: true, migrations: true, jobs: true, realtime: true },
    });
  });

  it("sends the first visitor to /setup while there are no users", async () => {
    const first = await fetch(`${server.url}/`, { redirect: "manual" });
    expect([302, 303]).toContain(first.status);
    const followed = await fetch(`${server.url}/`);
    expect(followed.status).toBe(200);
    expect(new URL(followed.url).pathname).toBe("/setup");
    expect(await followed.text()).toContain("Set up Mission Control");
  });
});

describe("process lifecycle", () => {
  it("starts with zero set-up: no DATABASE_URL means an embedded PostgreSQL in MC_DATA_DIR/pg", async () => {
    const server = await spawnBuiltServer({ env: { DATABASE_URL: undefined } });
    try {
      const response = await fetch(`${server.url}/ready`);
      expect(response.status).toBe(200);
      expect(await json(response)).toMatchObject({ status: "ready", checks: { database: true, migrations: true, jobs: true } });
      expect(existsSync(path.join(server.dataDir, "pg", "PG_VERSION"))).toBe(true);
    } finally {
      const exit = await server.stop();
      expect(exit.code).toBe(0);
    }
  });

  it("exits 0 within 10 s of SIGTERM and leaves no database connections behind", async () => {
    const server = await startServer();
    try {
      // Put the pool to work first so there are connections to close.
      await Promise.all(Array.from({ length: 5 }, () => fetch(`${server.url}/ready`).then((r) => r.text())));
      const exit = await server.terminate("SIGTERM");
      expect(exit.signal).toBeNull();
      expect(exit.code).toBe(0);
      expect(exit.ms).toBeLessThan(10_000);

      const admin = new pg.Client({ connectionString: inject("adminDatabaseUrl") });
      await admin.connect();
      try {
        const { rows } = await admin.query<{ application_name: string; state: string }>(
          "select application_name, state from pg_stat_activity where datname = $1 and application_name like 'mission-control%'",
          [new URL(server.databaseUrl).pathname.slice(1)],
        );
        expect(rows).toEqual([]);
      } finally {
        await admin.end();
      }
    } finally {
      await server.stop();
    }
  });

  it("refuses an invalid environment with a sentence naming the variable, and a non-zero exit", async () => {
    const server = await spawnBuiltServer({ env: { PORT: "abc", DATABASE_URL: undefined }, waitForReady: false });
    const exit = await server.exited;
    await server.stop();
    expect(exit.code).not.toBe(0);
    const { stderr } = server.output();
    expect(stderr).toContain("PORT");
    expect(stderr).toMatch(/cannot start: the environment is invalid/);
    // A person reads this: no stack trace.
    expect(stderr).not.toMatch(/^\s+at /m);
  });
});
