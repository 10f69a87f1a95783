import type PgBoss from "pg-boss";
import { log } from "../app/lib/log.server";
import { pruneExpired } from "../app/models/retention.server";

export const PRUNE_QUEUE = "prune";

export async function registerPrune(boss: PgBoss) {
  await boss.createQueue(PRUNE_QUEUE, { name: PRUNE_QUEUE, policy: "singleton", retryLimit: 3, retryDelay: 60, retryBackoff: true });
  await boss.schedule(PRUNE_QUEUE, "17 * * * *");
  await boss.work(PRUNE_QUEUE, async () => {
    // what expires when is the retention model's to say
    const removed = await pruneExpired();
    log.info("pruned expired rows", removed);
  });
}

export function sendPrune(boss: PgBoss) {
  return boss.send(PRUNE_QUEUE, {});
}
