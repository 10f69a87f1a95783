import { z } from "zod";
import type { RateLimit } from "~/db/entities";
import { affectedCount, col, rowDecoder, type Queryable } from "~/db/rows";

/* Every statement on `rate_limits`: one fixed-window failure counter per key. */

const windowRow = rowDecoder(
  "rate_limits: window",
  z.object({ key: col.text, count: col.int, windowStart: col.timestamp }) satisfies z.ZodType<RateLimit>,
);

export async function findWindow(q: Queryable, key: string): Promise<RateLimit | null> {
  return windowRow.first(await q.query(`select key, count, window_start as "windowStart" from rate_limits where key = $1`, [key]));
}

/** Counts one failure: starts a new window when the current one is older than `windowSeconds`. */
export async function countFailure(q: Queryable, key: string, windowSeconds: number): Promise<RateLimit> {
  return windowRow.one(
    await q.query(
      `insert into rate_limits (key, count, window_start) values ($1, 1, now())
       on conflict (key) do update set
         count = case when rate_limits.window_start < now() - make_interval(secs => $2) then 1 else rate_limits.count + 1 end,
         window_start = case when rate_limits.window_start < now() - make_interval(secs => $2) then now() else rate_limits.window_start end
       returning key, count, window_start as "windowStart"`,
      [key, windowSeconds],
    ),
  );
}

export async function deleteWindow(q: Queryable, key: string): Promise<number> {
  return affectedCount(await q.query("delete from rate_limits where key = $1", [key]));
}
