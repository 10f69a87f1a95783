import { describe, expect, it, vi } from "vitest";
import pg from "pg";
import { useTestDatabase } from "../../test/support/db";
import { ownerWithOrg } from "../../test/support/fixtures";
import { createGateway, getGateway, recordGatewayStatus } from "./gateway.server";

// a seam between the status write's read of the row and its save, where a person's edit commits
const seam = vi.hoisted(() => ({ beforeSave: null as null | (() => Promise<void>) }));
vi.mock("./gateway.queries.server", async (importOriginal) => {
  const actual = await importOriginal<typeof import("./gateway.queries.server")>();
  return {
    ...actual,
    saveGateway: async (...args: Parameters<typeof actual.saveGateway>) => {
      const hook = seam.beforeSave;
      seam.beforeSave = null;
      if (hook) await hook();
      return actual.saveGateway(...args);
    },
  };
});

const database = useTestDatabase();

/** Resolves when `edit` is done, or as soon as it waits on a row lock (the row is held by the write under test). */
async function doneOrWaiting(edit: Promise<unknown>, watcher: pg.Client) {
  let settled = false;
  void edit.finally(() => (settled = true));
  while (!settled) {
    const { rows } = await watcher.query("select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()");
    if (rows[0].n > 0) return;
    await watcher.query("select pg_sleep(0.005)");
  }
}

describe("recordGatewayStatus", () => {
  it("never writes back an edit that committed while it ran, nor moves the row version back", async () => {
    const { org, actor } = await ownerWithOrg("status-race");
    const gateway = await createGateway({ orgId: org.id, input: { name: "Home", url: "ws://127.0.0.1:1" }, actor });
    const editor = new pg.Client({ connectionString: database.url });
    const watcher = new pg.Client({ connectionString: database.url });
    await editor.connect();
    await watcher.connect();
    let edit: Promise<unknown> = Promise.resolve();
    try {
      seam.beforeSave = async () => {
        edit = editor.query("update gateways set name = 'Renamed', version = version + 1 where id = $1", [gateway.id]);
        await doneOrWaiting(edit, watcher);
      };
      await recordGatewayStatus(gateway.id, { state: "offline", serverVersion: null, latencyMs: null, lastError: "gone", lastSeenAt: null, owner: "p1", detail: {} });
      await edit;
    } finally {
      await editor.end();
      await watcher.end();
    }
    const stored = (await getGateway({ orgId: org.id, id: gateway.id }))!;
    expect(stored.state).toBe("offline");
    expect(stored.name).toBe("Renamed");
    expect(stored.version).toBe(gateway.version + 1);
  });
});
