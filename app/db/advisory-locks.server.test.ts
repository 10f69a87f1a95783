import { afterEach, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../test/support/db";
import { db } from "./data-source.server";
import { AdvisoryLocks, type LockKey } from "./advisory-locks.server";

const database = useTestDatabase();
const opened: AdvisoryLocks[] = [];

function locks(name: string, onLost?: (keys: LockKey[], error: Error) => void) {
  const created = new AdvisoryLocks({ databaseUrl: database.url, space: 7001, name, ...(onLost ? { onLost } : {}) });
  opened.push(created);
  return created;
}

afterEach(async () => {
  for (const each of opened.splice(0)) await each.close();
});

describe("AdvisoryLocks", () => {
  it("lets one holder have a key at a time, and hands it over on release", async () => {
    const first = locks("locks-test-first");
    const second = locks("locks-test-second");
    expect(await first.tryAcquire("gateway-a")).toBe(true);
    expect(await first.tryAcquire("gateway-a")).toBe(true); // held already: not taken twice
    expect(await second.tryAcquire("gateway-a")).toBe(false);
    expect(await second.tryAcquire(1)).toBe(true); // another key, a number one
    expect(first.held()).toEqual(["gateway-a"]);

    await first.release("gateway-a");
    expect(first.holds("gateway-a")).toBe(false);
    // taken once, released once: the lock is free (a second take would have needed a second unlock)
    expect(await second.tryAcquire("gateway-a")).toBe(true);
    expect(second.held().sort()).toEqual([1, "gateway-a"].sort());
  });

  it("takes a key once when asked for it twice at the same time, so one release frees it", async () => {
    const first = locks("locks-test-twice");
    const second = locks("locks-test-twice-other");
    expect(await Promise.all([first.tryAcquire("k"), first.tryAcquire("k")])).toEqual([true, true]);
    await first.release("k");
    expect(await second.tryAcquire("k")).toBe(true);
  });

  it("matches the two-int locks taken before it (a number key is used as it is, a string hashed)", async () => {
    const holder = locks("locks-test-compat");
    await holder.tryAcquire(1);
    await holder.tryAcquire("gw-1");
    const rows: Array<{ classid: number; objid: number }> = await db().query(
      "select classid::int, objid::int from pg_locks where locktype = 'advisory' and classid = 7001 order by objid",
    );
    const [{ hashed }] = (await db().query("select hashtext('gw-1')::int as hashed")) as [{ hashed: number }];
    const objid = (n: number) => (n < 0 ? n + 2 ** 32 : n); // pg_locks shows the oid, unsigned
    expect(rows.map((row) => objid(row.objid)).sort()).toEqual([1, objid(hashed)].sort());
  });

  it("reports every key lost when its connection dies, and another process takes them", async () => {
    const lost: LockKey[][] = [];
    let reported!: () => void;
    const wasLost = new Promise<void>((resolve) => (reported = resolve));
    const owner = locks("locks-test-dies", (keys) => {
      lost.push(keys);
      reported();
    });
    const other = locks("locks-test-heir");
    await owner.tryAcquire("a");
    await owner.tryAcquire("b");
    expect(await other.tryAcquire("a")).toBe(false);

    await db().query("select pg_terminate_backend(pid, 10000) from pg_stat_activity where application_name = 'locks-test-dies'");
    await wasLost;
    expect(lost).toEqual([["a", "b"]]);
    expect(owner.held()).toEqual([]);
    expect(await other.tryAcquire("a")).toBe(true);
    // the owner comes back on a fresh connection and finds the key taken
    expect(await owner.tryAcquire("a")).toBe(false);
    expect(await owner.tryAcquire("b")).toBe(true);
  });

  it("releases everything on close without calling it lost", async () => {
    const lost: LockKey[][] = [];
    const owner = locks("locks-test-close", (keys) => lost.push(keys));
    const other = locks("locks-test-after-close");
    await owner.tryAcquire("x");
    await owner.close();
    expect(await other.tryAcquire("x")).toBe(true);
    expect(lost).toEqual([]);
    await expect(owner.tryAcquire("y")).rejects.toThrow(/closed/);
  });
});
