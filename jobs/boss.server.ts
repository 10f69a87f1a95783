import PgBoss from "pg-boss";
import { log } from "../app/lib/log.server";
import { processSingleton } from "../app/lib/singleton";
import { PRUNE_QUEUE, registerPrune } from "./prune.server";

/*
 * One pg-boss instance per process. The error listener is attached before start() so a lost
 * connection is logged rather than thrown from an event emitter.
 */
const current = processSingleton<PgBoss>("jobs");

export async function startJobs(connectionString: string): Promise<PgBoss> {
  const running = current.get();
  if (running) return running;
  const instance = new PgBoss({ connectionString, schema: "pgboss", application_name: "mission-control-jobs", max: 4 });
  instance.on("error", (error) => log.error("pg-boss error", { error: String(error) }));
  await instance.start();
  await registerPrune(instance);
  current.set(instance);
  log.info("jobs started", { queues: [PRUNE_QUEUE] });
  return instance;
}

export function getBoss(): PgBoss | undefined {
  return current.get();
}

export function jobsRunning(): boolean {
  return current.get() !== undefined;
}

export async function stopJobs() {
  const instance = current.get();
  current.set(undefined);
  if (instance) await instance.stop({ graceful: true, timeout: 5000, wait: true });
}
