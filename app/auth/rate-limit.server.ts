import { db } from "~/db/data-source.server";

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
  const rows: Array<{ count: number; window_start: Date }> = await db().query(
    "select count, window_start from rate_limits where key = $1",
    [limit.key],
  );
  const row = rows[0];
  if (!row) return { limited: false, retryAfterSeconds: 0 };
  const elapsed = (Date.now() - new Date(row.window_start).getTime()) / 1000;
  if (elapsed >= limit.windowSeconds) return { limited: false, retryAfterSeconds: 0 };
  return { limited: row.count >= limit.max, retryAfterSeconds: Math.ceil(limit.windowSeconds - elapsed) };
}

export async function recordFailure(limit: Limit) {
  await db().query(
    `insert into rate_limits (key, count, window_start) values ($1, 1, now())
     on conflict (key) do update set
       count = case when rate_limits.window_start < now() - make_interval(secs => $2) then 1 else rate_limits.count + 1 end,
       window_start = case when rate_limits.window_start < now() - make_interval(secs => $2) then now() else rate_limits.window_start end`,
    [limit.key, limit.windowSeconds],
  );
}

export async function clearLimit(key: string) {
  await db().query("delete from rate_limits where key = $1", [key]);
}

export const loginLimits = (ip: string, username: string): Limit[] => [
  { key: `login:ip:${ip}`, max: 30, windowSeconds: 15 * 60 },
  { key: `login:user:${username.toLowerCase()}`, max: 10, windowSeconds: 15 * 60 },
];
