import type PgBoss from "pg-boss";
import { db } from "../app/db/data-source.server";
import { log } from "../app/lib/log.server";

export const PRUNE_QUEUE = "prune";

/** Deletes what has expired: sessions, invites past their date, stale rate-limit windows. */
export async function prune() {
  const sessions = await db().query("delete from sessions where expires_at < now()");
  const invites = await db().query("delete from invites where accepted_at is null and expires_at < now() - interval '30 days'");
  const limits = await db().query("delete from rate_limits where window_start < now() - interval '1 day'");
  return { sessions: sessions[1] ?? 0, invites: invites[1] ?? 0, rateLimits: limits[1] ?? 0 };
}

export async function registerPrune(boss: PgBoss) {
  await boss.createQueue(PRUNE_QUEUE, { name: PRUNE_QUEUE, policy: "singleton", retryLimit: 3, retryDelay: 60, retryBackoff: true });
  await boss.schedule(PRUNE_QUEUE, "17 * * * *");
  await boss.work(PRUNE_QUEUE, async () => {
    const removed = await prune();
    log.info("pruned expired rows", removed);
  });
}

export function sendPrune(boss: PgBoss) {
  return boss.send(PRUNE_QUEUE, {});
}
