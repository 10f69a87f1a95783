import { clearWindow, countFailure, getWindow } from "~/models/rate-limit.server";

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

export const loginLimits = (ip: string, username: string): Limit[] => [
  { key: `login:ip:${ip}`, max: 30, windowSeconds: 15 * 60 },
  { key: `login:user:${username.toLowerCase()}`, max: 10, windowSeconds: 15 * 60 },
];
