import { randomUUID } from "node:crypto";
import type PgBoss from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../test/support/db";
import { db } from "~/db/data-source.server";
import { getBoss, startJobs, stopJobs } from "./boss.server";
import { pgBossPoller, pollQueueName } from "./poll-gateway.server";

/*
 * The poller the gateway runtime is handed: each gateway's polls are a chain of pg-boss jobs on its
 * own queue, the next one scheduled by the one before, stopped when a poll says the gateway is not
 * online, started again by pollSoon.
 */

const database = useTestDatabase();

beforeAll(async () => {
  await startJobs(database.url);
});

afterAll(async () => {
  await stopJobs();
});

/** The real instance, except that each handled job is announced once its handler (and its next send) is done. */
function observedBoss() {
  const boss = getBoss()!;
  const waiters: Array<() => void> = [];
  const observed = Object.create(boss) as PgBoss;
  observed.work = ((name: string, options: object, handler: (jobs: unknown[]) => Promise<unknown>) =>
    boss.work(name, options, async (jobs: unknown[]) => {
      try {
        return await handler(jobs);
      } finally {
        for (const done of waiters.splice(0)) done();
      }
    })) as PgBoss["work"];
  const handled = () => new Promise<void>((resolve) => waiters.push(resolve));
  return { observed, handled };
}

/** The polls waiting on a gateway's queue: seconds until each may start. */
async function scheduled(gatewayId: string): Promise<number[]> {
  const rows: Array<{ seconds: number }> = await db().query(
    "select extract(epoch from start_after - now())::float8 as seconds from pgboss.job where name = $1 and state = 'created'",
    [pollQueueName(gatewayId)],
  );
  return rows.map((row) => row.seconds);
}

describe("pgBossPoller", () => {
  it("polls when asked, schedules the next poll an interval later, and stops the chain when the gateway is not online", async () => {
    const { observed, handled } = observedBoss();
    const poller = pgBossPoller(observed);
    const gatewayId = randomUUID();
    const answers = [true, false];
    let polls = 0;
    const schedule = { intervalSeconds: () => 3600, poll: async () => ((polls += 1), answers.shift() ?? false) };

    await poller.start(gatewayId, schedule);
    let done = handled();
    await poller.pollSoon(gatewayId);
    await done;
    expect(polls).toBe(1);
    const next = await scheduled(gatewayId);
    expect(next).toHaveLength(1); // the gateway was online: the next poll waits a whole interval
    expect(next[0]).toBeGreaterThan(3500);

    // coming online again polls at once (the waiting one is an hour away); this poll finds it offline
    await db().query("delete from pgboss.job where name = $1", [pollQueueName(gatewayId)]);
    done = handled();
    await poller.pollSoon(gatewayId);
    await done;
    expect(polls).toBe(2);
    expect(await scheduled(gatewayId)).toEqual([]); // no chain after an offline poll

    // (not asserted: pg-boss 10's deleteQueue refuses a queue that still holds completed jobs, timgit/pg-boss#514)
    await poller.stop(gatewayId, { deleteQueue: true });
  });
});
