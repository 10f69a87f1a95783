import PgBoss from "pg-boss";
import { log } from "../app/lib/log.server";
import { PRUNE_QUEUE, registerPrune } from "./prune.server";

/*
 * One pg-boss instance per process. The error listener is attached before start() so a lost
 * connection is logged rather than thrown from an event emitter.
 */
let boss: PgBoss | undefined;

export async function startJobs(connectionString: string): Promise<PgBoss> {
  if (boss) return boss;
  const instance = new PgBoss({ connectionString, schema: "pgboss", application_name: "mission-control-jobs", max: 4 });
  instance.on("error", (error) => log.error("pg-boss error", { error: String(error) }));
  await instance.start();
  await registerPrune(instance);
  boss = instance;
  log.info("jobs started", { queues: [PRUNE_QUEUE] });
  return instance;
}

export function getBoss(): PgBoss | undefined {
  return boss;
}

export function jobsRunning(): boolean {
  return boss !== undefined;
}

export async function stopJobs() {
  const instance = boss;
  boss = undefined;
  if (instance) await instance.stop({ graceful: true, timeout: 5000, wait: true });
}
