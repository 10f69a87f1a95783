import { describe, expect, it } from "vitest";
import { db } from "~/db/data-source.server";
import { useTestDatabase } from "../../test/support/db";
import { clearLimit, isRateLimited, loginLimits, recordFailure, type Limit } from "./rate-limit.server";

useTestDatabase();

let n = 0;
const limit = (max = 3, windowSeconds = 900): Limit => ({ key: `test:${++n}`, max, windowSeconds });

describe("login rate limits", () => {
  it("limits a key after max failures, with the seconds left in its window", async () => {
    const l = limit(3);
    expect(await isRateLimited(l)).toEqual({ limited: false, retryAfterSeconds: 0 });
    await recordFailure(l);
    await recordFailure(l);
    expect((await isRateLimited(l)).limited).toBe(false);
    await recordFailure(l);
    const state = await isRateLimited(l);
    expect(state.limited).toBe(true);
    expect(state.retryAfterSeconds).toBeGreaterThan(890);
    expect(state.retryAfterSeconds).toBeLessThanOrEqual(900);
  });

  it("lets the key in again once its window is over, before any new failure", async () => {
    const l = limit(2, 60);
    await recordFailure(l);
    await recordFailure(l);
    expect((await isRateLimited(l)).limited).toBe(true);
    await db().query("update rate_limits set window_start = now() - interval '61 seconds' where key = $1", [l.key]);
    expect(await isRateLimited(l)).toEqual({ limited: false, retryAfterSeconds: 0 });
  });

  it("clears a key (a successful sign-in clears the account's counter)", async () => {
    const l = limit(1);
    await recordFailure(l);
    expect((await isRateLimited(l)).limited).toBe(true);
    await clearLimit(l.key);
    expect((await isRateLimited(l)).limited).toBe(false);
  });

  it("keys logins per IP and per account, ignoring the username's case", () => {
    const [ip, account] = loginLimits("10.0.0.1", "Ana");
    expect(ip).toEqual({ key: "login:ip:10.0.0.1", max: 30, windowSeconds: 900 });
    expect(account).toEqual({ key: "login:user:ana", max: 10, windowSeconds: 900 });
  });
});
