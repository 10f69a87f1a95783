import { clearWindow, countFailure, getWindow } from "~/models/rate-limit.server";
import { findLoginAccount } from "~/models/user.server";

/*
 * Fixed-window counters in PostgreSQL, so every replica sees the same counts. Only failures are
 * counted; a success clears the account's counter.
 */
export interface Limit {
  key: string;
  max: number;
  windowSeconds: number;
}

export async function isRateLimited(limit: Limit): Promise<{ limited: boolean; retryAfterSeconds: number }> {
  const window = await getWindow(limit.key);
  if (!window) return { limited: false, retryAfterSeconds: 0 };
  const elapsed = (Date.now() - window.windowStart.getTime()) / 1000;
  if (elapsed >= limit.windowSeconds) return { limited: false, retryAfterSeconds: 0 };
  return { limited: window.count >= limit.max, retryAfterSeconds: Math.ceil(limit.windowSeconds - elapsed) };
}

export async function recordFailure(limit: Limit): Promise<void> {
  await countFailure(limit);
}

export function clearLimit(key: string): Promise<void> {
  return clearWindow(key);
}

/*
 * Sign-in failures count three ways, so the limits fit a real deployment:
 * - per account, whatever spelling was typed (username or email, any case, are one account: the
 *   key is the user's id), so a second spelling buys no extra tries;
 * - per IP and account, the tight one: one client guessing one account;
 * - per IP, loose: many people sign in from behind one proxy or NAT, and one attacker there must
 *   not lock them all out. The IP is Express's `req.ip`, which trusts X-Forwarded-For only from
 *   the proxies named in MC_TRUSTED_PROXIES.
 * A success clears the account's and this IP's account counters (not the IP's own).
 */
export const LOGIN_WINDOW_SECONDS = 15 * 60;
export const LOGIN_MAX = { ip: 100, account: 30, ipAccount: 10 } as const;

export function loginLimits(ip: string, account: string): Limit[] {
  return [
    { key: `login:ip:${ip}`, max: LOGIN_MAX.ip, windowSeconds: LOGIN_WINDOW_SECONDS },
    { key: `login:account:${account}`, max: LOGIN_MAX.account, windowSeconds: LOGIN_WINDOW_SECONDS },
    { key: `login:ip-account:${ip}:${account}`, max: LOGIN_MAX.ipAccount, windowSeconds: LOGIN_WINDOW_SECONDS },
  ];
}

/** The limits for a sign-in attempt: the account is the user the login names, else the login itself. */
export async function loginLimitsFor(ip: string, login: string): Promise<Limit[]> {
  const userId = await findLoginAccount(login);
  return loginLimits(ip, userId ? `user:${userId}` : `name:${login.trim().toLowerCase()}`);
}

/** The first limit that is reached, if any. */
export async function firstReachedLimit(limits: Limit[]): Promise<{ retryAfterSeconds: number } | null> {
  for (const limit of limits) {
    const state = await isRateLimited(limit);
    if (state.limited) return state;
  }
  return null;
}

export async function clearLoginFailures(limits: Limit[]): Promise<void> {
  await Promise.all(limits.slice(1).map((limit) => clearLimit(limit.key)));
}
