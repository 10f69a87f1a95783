import { describe, expect, it } from "vitest";
import { db } from "~/db/data-source.server";
import { useTestDatabase } from "../../test/support/db";
import { clearWindow, countFailure, getWindow } from "./rate-limit.server";

useTestDatabase();

let n = 0;
const key = () => `model-test:${++n}`;

describe("rate-limit windows", () => {
  it("counts failures in one window per key", async () => {
    const k = key();
    expect(await getWindow(k)).toBeNull();
    const first = await countFailure({ key: k, windowSeconds: 900 });
    const second = await countFailure({ key: k, windowSeconds: 900 });
    expect(first.count).toBe(1);
    expect(second).toEqual({ key: k, count: 2, windowStart: first.windowStart });
    expect(await getWindow(k)).toEqual(second);
  });

  it("loses no failure to a race: ten at once count ten", async () => {
    const k = key();
    await Promise.all(Array.from({ length: 10 }, () => countFailure({ key: k, windowSeconds: 900 })));
    expect((await getWindow(k))?.count).toBe(10);
  });

  it("starts over once the window is older than windowSeconds", async () => {
    const k = key();
    await countFailure({ key: k, windowSeconds: 60 });
    await countFailure({ key: k, windowSeconds: 60 });
    await db().query("update rate_limits set window_start = now() - interval '61 seconds' where key = $1", [k]);
    const fresh = await countFailure({ key: k, windowSeconds: 60 });
    expect(fresh.count).toBe(1);
    expect(Date.now() - fresh.windowStart.getTime()).toBeLessThan(10_000);
  });

  it("clears one key and leaves the others", async () => {
    const [a, b] = [key(), key()];
    await countFailure({ key: a, windowSeconds: 900 });
    await countFailure({ key: b, windowSeconds: 900 });
    await clearWindow(a);
    expect(await getWindow(a)).toBeNull();
    expect((await getWindow(b))?.count).toBe(1);
  });
});
