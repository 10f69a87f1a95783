import { db } from "~/db/data-source.server";
import type { RateLimit } from "~/db/entities";
import * as queries from "./rate-limit.queries.server";

/*
 * Fixed-window failure counters in PostgreSQL, so every replica sees the same counts. The policy
 * (which keys, how many, how long) is app/auth/rate-limit.server.ts's.
 */

export function getWindow(key: string): Promise<RateLimit | null> {
  return queries.findWindow(db().manager, key);
}

export function countFailure({ key, windowSeconds }: { key: string; windowSeconds: number }): Promise<RateLimit> {
  return queries.countFailure(db().manager, key, windowSeconds);
}

export async function clearWindow(key: string): Promise<void> {
  await queries.deleteWindow(db().manager, key);
}
