import type PgBoss from "pg-boss";
import type { GatewayPoller } from "../app/ingest/gateway-poller";
import { log } from "../app/lib/log.server";

/*
 * poll-gateway: one queue per gateway, worked only by the process that owns that gateway's
 * connection (it holds the advisory lock), so a poll always runs where the socket is. The queue's
 * "stately" policy keeps at most one poll waiting and one running: polls never pile up. Each poll
 * schedules the next one `intervalSeconds` later; the gateway coming online kicks the chain off.
 */
export const pollQueueName = (gatewayId: string) => `poll-gateway-${gatewayId}`;

export async function startPolling(
  boss: PgBoss,
  {
    gatewayId,
    intervalSeconds,
    poll,
  }: {
    gatewayId: string;
    intervalSeconds: () => number;
    /** false: the gateway is not online; do not schedule the next poll (coming online restarts the chain) */
    poll: () => Promise<boolean>;
  },
) {
  const name = pollQueueName(gatewayId);
  await boss.createQueue(name, { name, policy: "stately", retryLimit: 0, expireInSeconds: 120 });
  await boss.work(name, { pollingIntervalSeconds: 0.5 }, async () => {
    let again = true;
    try {
      again = await poll();
    } finally {
      if (again) {
        await boss.send(name, {}, { startAfter: intervalSeconds(), singletonKey: gatewayId }).catch((error) => {
          log.warn("could not schedule the next poll", { gatewayId, error: String(error) });
        });
      }
    }
  });
  // No poll yet: the connection is still being made. It is queued when the gateway comes online.
}

/** Queues a poll now unless one is already waiting. */
export function sendPollNow(boss: PgBoss, gatewayId: string) {
  return boss.send(pollQueueName(gatewayId), {}, { singletonKey: gatewayId });
}

export async function stopPolling(boss: PgBoss, gatewayId: string, { deleteQueue = false } = {}) {
  const name = pollQueueName(gatewayId);
  await boss.offWork(name).catch(() => {});
  if (deleteQueue) await boss.deleteQueue(name).catch(() => {});
}

/** The gateway runtime's polls as pg-boss queues (what services.server hands the runtime). */
export function pgBossPoller(boss: PgBoss): GatewayPoller {
  return {
    start: (gatewayId, { intervalSeconds, poll }) => startPolling(boss, { gatewayId, intervalSeconds, poll }),
    pollSoon: async (gatewayId) => {
      await sendPollNow(boss, gatewayId);
    },
    stop: (gatewayId, { deleteQueue }) => stopPolling(boss, gatewayId, { deleteQueue }),
  };
}
