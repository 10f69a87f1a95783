import { startJobs, stopJobs, jobsRunning } from "../jobs/boss.server";
import { startHub, stopHub, getHub } from "./realtime/hub.server";
import { startGatewayRuntime, stopGatewayRuntime } from "./ingest/gateway-runtime.server";
import { getBoss } from "../jobs/boss.server";
import { pgBossPoller } from "../jobs/poll-gateway.server";
import { startTranscriptIngest, stopTranscriptIngest } from "./ingest/transcripts.server";
import { closeDatabase, initDatabase, db } from "./db/data-source.server";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "./db/embedded.server";
import { getEnv } from "./env.server";
import { log } from "./lib/log.server";
import { createFirstOwner } from "./models/organization.server";

/*
 * Everything the process owns besides the HTTP server: the database (embedded or external), the
 * migrations, the job runner. server.ts calls start() once and stop() on SIGTERM/SIGINT.
 */
let embedded: EmbeddedDatabase | undefined;
let started: Promise<void> | undefined;

export interface StartedServices {
  databaseUrl: string;
}

async function boot() {
  const env = getEnv();
  let url = env.DATABASE_URL;
  if (!url) {
    embedded = await startEmbeddedPostgres(env.MC_DATA_DIR);
    url = embedded.url;
  }
  await initDatabase(url);
  log.info("database ready", { embedded: !env.DATABASE_URL });
  if (env.ADMIN_USERNAME && env.ADMIN_PASSWORD) {
    const created = await createFirstOwner({
      username: env.ADMIN_USERNAME,
      password: env.ADMIN_PASSWORD,
      orgName: env.ADMIN_ORG_NAME,
    });
    if (created) log.info("created the first owner from ADMIN_USERNAME", { username: created.user.username });
  }
  if (env.MC_ROLES.includes("web") || env.MC_ROLES.includes("ingest")) await startHub(url);
  if (env.MC_ROLES.includes("jobs")) await startJobs(url);
  if (env.MC_ROLES.includes("ingest")) {
    const boss = getBoss();
    await startGatewayRuntime({
      databaseUrl: url,
      // polls are pg-boss jobs, worked where the connection is; without the jobs role, nothing polls
      ...(boss ? { poller: pgBossPoller(boss) } : {}),
      reconcileMs: env.MC_GATEWAY_RECONCILE_MS,
      connection: { tickIntervalMs: env.MC_GATEWAY_TICK_MS, requestTimeoutMs: env.MC_GATEWAY_REQUEST_TIMEOUT_MS },
    });
    if (env.OPENCLAW_STATE_DIR) await startTranscriptIngest({ databaseUrl: url, stateDir: env.OPENCLAW_STATE_DIR, org: env.OPENCLAW_STATE_ORG });
  }
}

export function startServices(): Promise<void> {
  started ??= boot();
  return started;
}

export async function stopServices() {
  await stopTranscriptIngest().catch((error) => log.error("stopping the transcript tailer failed", { error: String(error) }));
  await stopGatewayRuntime().catch((error) => log.error("stopping the gateway connections failed", { error: String(error) }));
  await stopHub().catch((error) => log.error("stopping the realtime hub failed", { error: String(error) }));
  await stopJobs().catch((error) => log.error("stopping jobs failed", { error: String(error) }));
  await closeDatabase().catch((error) => log.error("closing the database failed", { error: String(error) }));
  if (embedded) {
    await embedded.stop().catch((error) => log.error("stopping the embedded PostgreSQL failed", { error: String(error) }));
    embedded = undefined;
  }
  started = undefined;
}

export interface Readiness {
  ready: boolean;
  checks: { database: boolean; migrations: boolean; jobs: boolean | "not-this-role"; realtime: boolean | "not-this-role" };
}

export async function readiness(): Promise<Readiness> {
  const checks: Readiness["checks"] = { database: false, migrations: false, jobs: "not-this-role", realtime: "not-this-role" };
  try {
    await db().query("select 1");
    checks.database = true;
    checks.migrations = !(await db().showMigrations());
  } catch {
    /* reported as false below */
  }
  if (getEnv().MC_ROLES.includes("jobs")) checks.jobs = jobsRunning();
  if (getEnv().MC_ROLES.includes("web") || getEnv().MC_ROLES.includes("ingest")) {
    try {
      checks.realtime = getHub().isListening;
    } catch {
      checks.realtime = false;
    }
  }
  return { ready: checks.database && checks.migrations && checks.jobs !== false && checks.realtime !== false, checks };
}
