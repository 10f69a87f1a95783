import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../test/support/db";
import { ownerWithOrg } from "../../test/support/fixtures";
import { transaction } from "~/db/data-source.server";
import { topic } from "~/lib/topics";
import { getHub, matches, startHub, stopHub, type LiveEvent, type Subscriber } from "./hub.server";
import { publish } from "./publish.server";

const database = useTestDatabase();

beforeAll(async () => {
  await startHub(database.url);
});
afterAll(async () => {
  await stopHub();
});

/** Subscribes and collects; `until(n)` resolves once n events have arrived. */
function collect(filter: Omit<Subscriber, "deliver">) {
  const seen: LiveEvent[] = [];
  let waiters: Array<() => void> = [];
  const off = getHub().subscribe({
    ...filter,
    deliver: (event) => {
      seen.push(event);
      for (const wake of waiters.splice(0)) wake();
    },
  });
  const until = (count: number, timeoutMs = 10_000) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${seen.length} of ${count} events within ${timeoutMs} ms`)), timeoutMs);
      const check = () => (seen.length >= count ? (clearTimeout(timer), resolve()) : waiters.push(check));
      check();
    });
  return { seen, off, until };
}

/** Resolves once the hub has delivered everything committed so far (setup's own events included). */
async function settled() {
  const marker = topic.session(`settle-${Math.random()}`);
  const got = collect({ orgId: "*", topics: new Set(), own: new Set([marker]) });
  await send(null, [marker], "settled");
  await got.until(1);
  got.off();
}

const send = (orgId: string | null, topics: string[], type = "hub.test", data: Record<string, unknown> = {}) =>
  transaction((manager) => publish(manager, { orgId, type, topics, data }));

describe("the hub", () => {
  it("fans out events that arrive whole in their notification without reading them back, reads large ones, and keeps commit order", async () => {
    const { org } = await ownerWithOrg("hub-order");
    const hub = getHub();
    const reader = (hub as unknown as { reader: pg.Pool }).reader;
    let reads = 0;
    const query = reader.query.bind(reader);
    (reader as { query: unknown }).query = (text: unknown, ...rest: unknown[]) => {
      if (typeof text === "string" && text.includes("from event_log where id >")) reads += 1;
      return (query as (...args: unknown[]) => unknown)(text, ...rest);
    };
    const seen: Array<{ id: string; size: number; n: number }> = [];
    const waiters: Array<{ count: number; resolve: () => void }> = [];
    const delivered = (count: number) => new Promise<void>((resolve) => (seen.length >= count ? resolve() : waiters.push({ count, resolve })));
    const off = hub.subscribe({
      orgId: org.id,
      topics: new Set(["hub-test"]),
      deliver: (e) => {
        seen.push({ id: e.id, size: JSON.stringify(e.data).length, n: e.data.n as number });
        for (const waiter of waiters.filter((w) => seen.length >= w.count)) waiter.resolve();
      },
    });
    const send = (n: number, large = false) =>
      transaction((manager) => publish(manager, { orgId: org.id, type: "hub.test", topics: ["hub-test"], data: { n, ...(large ? { big: "x".repeat(9_000) } : {}) } }));
    try {
      // one at a time: each small event reaches the subscriber with no read of the log
      for (let n = 0; n < 5; n++) {
        await send(n);
        await delivered(n + 1);
      }
      expect(reads).toBe(0);
      // over PostgreSQL's 8000-byte payload limit: only the id travels, the hub reads the rest
      await send(5, true);
      await delivered(6);
      expect(reads).toBeGreaterThanOrEqual(1);
      expect(seen[5]!.size).toBeGreaterThan(9_000);
      // a burst mixing both arrives complete and in commit order
      const burst = [0, 1, 0, 0, 1, 0];
      for (const [i, large] of burst.entries()) await send(6 + i, large === 1);
      await delivered(6 + burst.length);
      expect(seen.map((e) => e.n)).toEqual(Array.from({ length: 6 + burst.length }, (_, n) => n));
      const ids = seen.map((e) => BigInt(e.id));
      expect(ids).toEqual([...ids].sort((a, b) => (a < b ? -1 : 1)));
    } finally {
      off();
      (reader as { query: unknown }).query = query;
    }
  });

  it("does not skip an event whose read failed: it reads again by itself, and takes nothing from a notification until it has", async () => {
    const { org } = await ownerWithOrg("hub-retry");
    const hub = getHub();
    const reader = (hub as unknown as { reader: pg.Pool }).reader;
    const query = reader.query.bind(reader);
    let failing = 1;
    let failed!: () => void;
    const failedOnce = new Promise<void>((resolve) => (failed = resolve));
    (reader as { query: unknown }).query = (text: unknown, ...rest: unknown[]) => {
      if (typeof text === "string" && text.includes("from event_log where id >") && failing > 0) {
        failing -= 1;
        failed();
        return Promise.reject(new Error("connection terminated"));
      }
      return (query as (...args: unknown[]) => unknown)(text, ...rest);
    };
    const seen: string[] = [];
    let done!: () => void;
    const both = new Promise<void>((resolve) => (done = resolve));
    const off = hub.subscribe({
      orgId: org.id,
      topics: new Set(["hub-retry"]),
      deliver: (e) => {
        seen.push(e.type);
        if (seen.length === 2) done();
      },
    });
    try {
      // too large for its notification: the hub must read it, and that read fails
      await transaction((manager) => publish(manager, { orgId: org.id, type: "big", topics: ["hub-retry"], data: { blob: "x".repeat(9_000) } }));
      await failedOnce;
      // a small one arrives whole meanwhile: it must not be delivered ahead of (or instead of) the big one
      await transaction((manager) => publish(manager, { orgId: org.id, type: "small", topics: ["hub-retry"], data: {} }));
      await both;
      expect(seen).toEqual(["big", "small"]);
    } finally {
      off();
      (reader as { query: unknown }).query = query;
    }
  });
});


describe("the hub's subscribers", () => {
  it("reach only their organization's events (system subscribers every organization's), and an org-less event only its addressee", async () => {
    const a = await ownerWithOrg("hub-a");
    const b = await ownerWithOrg("hub-b");
    const mine = topic.session("hub-session-a");
    await settled();
    const inA = collect({ orgId: a.org.id, topics: null, own: new Set([mine]) });
    const inB = collect({ orgId: b.org.id, topics: null });
    const system = collect({ orgId: "*", topics: new Set(["hub-feed"]) });
    try {
      await send(b.org.id, ["hub-feed"], "for-b");
      await send(null, [topic.session("someone-else")], "not-anyones-here");
      await send(null, [mine], "for-a-session");
      await send(a.org.id, ["hub-feed"], "for-a");
      await inA.until(2);
      await system.until(2);
      expect(inA.seen.map((e) => e.type)).toEqual(["for-a-session", "for-a"]);
      expect(inB.seen.map((e) => e.type)).toEqual(["for-b"]);
      expect(system.seen.map((e) => e.type)).toEqual(["for-b", "for-a"]);
    } finally {
      inA.off();
      inB.off();
      system.off();
    }
  });

  it("replays by the same rule as it delivers live", async () => {
    const { org } = await ownerWithOrg("hub-replay");
    const other = await ownerWithOrg("hub-replay-other");
    const hub = getHub();
    const filters: Array<Omit<Subscriber, "deliver">> = [
      { orgId: org.id, topics: null, own: new Set([topic.token("t-mine")]) },
      { orgId: org.id, topics: new Set(["hub-x"]), own: new Set([topic.token("t-mine")]) },
      { orgId: org.id, topics: new Set(["hub-y"]) },
    ];
    const from = hub.lastId;
    const everything = collect({ orgId: "*", topics: null, own: new Set([topic.token("t-mine"), topic.token("t-theirs")]) });
    try {
      const sent: Array<[string | null, string[]]> = [
        [org.id, ["hub-x"]],
        [org.id, ["hub-y", "hub-x"]],
        [org.id, [topic.token("t-theirs")]],
        [org.id, [topic.token("t-mine")]],
        [null, [topic.token("t-mine")]],
        [other.org.id, ["hub-x"]],
        [org.id, ["hub-z"]],
      ];
      for (const [orgId, topics] of sent) await send(orgId, topics);
      await everything.until(sent.length);
      for (const filter of filters) {
        const live = everything.seen.filter((event) => matches(filter, event)).map((e) => e.id);
        const replayed = (await hub.replay(filter, from)).map((e) => e.id);
        expect(replayed).toEqual(live);
        expect(replayed.length).toBeGreaterThan(0);
      }
    } finally {
      everything.off();
    }
  });

  it("forget a subscriber once it unsubscribes, however often it does", async () => {
    const hub = getHub();
    const before = hub.subscriberCount;
    const offs = Array.from({ length: 5 }, (_, n) => hub.subscribe({ orgId: `org-${n % 2}`, topics: null, deliver: () => {} }));
    expect(hub.subscriberCount).toBe(before + 5);
    for (const off of offs) off();
    offs[0]!();
    expect(hub.subscriberCount).toBe(before);
    expect((hub as unknown as { subscribers: Map<string, unknown> }).subscribers.has("org-0")).toBe(false);
  });

  it("a subscriber that throws does not keep the event from the others", async () => {
    const { org } = await ownerWithOrg("hub-throws");
    const off = getHub().subscribe({
      orgId: org.id,
      topics: null,
      deliver: () => {
        throw new Error("broken subscriber");
      },
    });
    await settled();
    const fine = collect({ orgId: org.id, topics: null });
    try {
      await send(org.id, ["hub-feed"], "still-delivered");
      await fine.until(1);
      expect(fine.seen[0]!.type).toBe("still-delivered");
    } finally {
      off();
      fine.off();
    }
  });

  it("after losing its LISTEN connection re-listens with backoff and delivers what was committed meanwhile, in order", async () => {
    const { org } = await ownerWithOrg("hub-lost");
    const got = collect({ orgId: org.id, topics: new Set(["hub-lost"]) });
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      await send(org.id, ["hub-lost"], "before");
      await got.until(1);
      // the backend exits a moment after pg_terminate_backend answers: wait until the hub's client sees it go
      const listener = (getHub() as unknown as { listener: pg.Client }).listener;
      const lost = new Promise((resolve) => listener.once("end", resolve));
      const killed = await admin.query(
        "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'mission-control-listen' and datname = current_database()",
      );
      expect(killed.rowCount).toBe(1);
      await lost;
      expect(getHub().isListening).toBe(false);
      for (let n = 0; n < 3; n++) await send(org.id, ["hub-lost"], `during-${n}`);
      await got.until(4);
      expect(got.seen.map((e) => e.type)).toEqual(["before", "during-0", "during-1", "during-2"]);
      // the catch-up can finish before the new LISTEN's own answer is read (a notification of the
      // new connection triggers the read): listening is certain once a later event has come
      await send(org.id, ["hub-lost"], "after");
      await got.until(5);
      expect(getHub().isListening).toBe(true);
    } finally {
      got.off();
      await admin.end();
    }
  });
});
