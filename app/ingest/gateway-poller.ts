/**
 * How the gateway runtime's polls are scheduled, handed to it by whoever starts it (the jobs role's
 * pg-boss queues in production, a fake in tests): the runtime says when it owns a gateway, when the
 * gateway came online and when it lets go; the poller calls `poll` when a poll is due. Ingest sits
 * below jobs, so it names what it needs here rather than importing a queue.
 */
export interface GatewayPoller {
  /** This process owns the gateway now: poll it with `poll` every `intervalSeconds()` (asked each time). */
  start(gatewayId: string, schedule: PollSchedule): Promise<void>;
  /** The gateway came online: poll it now unless a poll is already waiting. */
  pollSoon(gatewayId: string): Promise<void>;
  /** This process let the gateway go (`deleteQueue`: the gateway itself is gone). */
  stop(gatewayId: string, options: { deleteQueue: boolean }): Promise<void>;
}

export interface PollSchedule {
  intervalSeconds: () => number;
  /** false: the gateway is not online; schedule no next poll (coming online starts the chain again) */
  poll: () => Promise<boolean>;
}
