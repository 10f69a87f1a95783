import { describe, expect, it } from "vitest";
import { db } from "~/db/data-source.server";
import { useTestDatabase } from "../../test/support/db";
import { ownerWithOrg } from "../../test/support/fixtures";
import { clearLimit, firstReachedLimit, isRateLimited, LOGIN_MAX, loginLimits, loginLimitsFor, recordFailure, type Limit } from "./rate-limit.server";

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

  it("keys logins per IP, per account and per IP and account", () => {
    expect(loginLimits("10.0.0.1", "user:1").map((l) => [l.key, l.max])).toEqual([
      ["login:ip:10.0.0.1", LOGIN_MAX.ip],
      ["login:account:user:1", LOGIN_MAX.account],
      ["login:ip-account:10.0.0.1:user:1", LOGIN_MAX.ipAccount],
    ]);
  });

  it("counts every spelling of an account (username, email, any case) as one account", async () => {
    const { user } = await ownerWithOrg("spellings");
    const email = `${user.username}@example.com`;
    await db().query("update users set email = $1 where id = $2", [email, user.id]);
    const keys = async (login: string) => (await loginLimitsFor("10.0.0.9", login))[1]!.key;
    const byName = await keys(user.username);
    expect(byName).toBe(`login:account:user:${user.id}`);
    expect(await keys(user.username.toUpperCase())).toBe(byName);
    expect(await keys(` ${email.toUpperCase()} `)).toBe(byName);
    expect(await keys("nobody-by-that-name")).toBe("login:account:name:nobody-by-that-name");
  });

  it("lets other people behind the same IP sign in while one account is locked for that IP", async () => {
    const ip = `10.1.${n++}.1`;
    const [ipLimit, , pair] = await loginLimitsFor(ip, `victim-${n}`);
    for (let i = 0; i < LOGIN_MAX.ipAccount; i += 1) await recordFailure(pair!);
    expect(await firstReachedLimit(await loginLimitsFor(ip, `victim-${n}`))).not.toBeNull();
    expect(await firstReachedLimit(await loginLimitsFor(ip, `colleague-${n}`))).toBeNull();
    expect((await isRateLimited(ipLimit!)).limited).toBe(false);
  });
});
