import os from "node:os";
import pg from "pg";
import type PgBoss from "pg-boss";
import type { Gateway } from "~/db/entities";
import { GatewayConnection, type DeviceIdentity, type EventFrame, type GatewayStatus } from "~/gateway";
import { log } from "~/lib/log.server";
import { processSingleton } from "~/lib/singleton";
import { workQueue, type WorkQueue } from "~/lib/work-queue";
import { setGatewayAgentStatus, syncGatewayAgents } from "~/models/agent.server";
import { listAllGateways, openGatewayToken, recordGatewayStatus, type GatewayStatusUpdate } from "~/models/gateway.server";
import { recordPollFailure } from "~/models/gateway-snapshot.server";
import { getHub } from "~/realtime/hub.server";
import { sendPollNow, startPolling, stopPolling } from "../../jobs/poll-gateway.server";
import { endMissingSubagents, recordAgentActivity, upsertSessionRows } from "~/models/agent-session.server";
import { normalizeGatewayEvent, WAITING_EVENTS } from "~/activity/normalize";
import { agentIdFromSessionKey } from "~/activity/session-key";
import type { TranscriptTailer } from "./transcript-tailer.server";
import { PgOffsetStore, transcriptTailer } from "./transcripts.server";
import { loadDeviceIdentity } from "./device-identity.server";
import { sessionFacts, type SessionFacts } from "~/activity/session-row";
import { pollGateway } from "./poll.server";
import { topic } from "~/lib/topics";

/*
 * Keeps one GatewayConnection per gateway, in exactly one process: a process owns a gateway while
 * it holds `pg_try_advisory_lock(4242, hashtext(id))` on its lock connection. Locks die with that
 * connection, so when an owner dies, another process takes the gateway on its next reconcile.
 */

const LOCK_CLASS = 4242;
/** gateway events that carry agent activity (normalized by app/activity/normalize.ts) */
const ACTIVITY_EVENTS = ["agent", "session.tool", "chat", "session.message", "sessions.changed", ...WAITING_EVENTS];
/** a latency-only change is written at most this often */
const LATENCY_WRITE_MS = 30_000;

interface Owned {
  gateway: Gateway;
  connection: GatewayConnection;
  unsubscribe: Array<() => void>;
  lastWrite: number;
  lastState: string | null;
  /** status changes and events are handled one after another, in the order they happened */
  /** the gateway's handling order: events, status changes, poll writes and its transcript folder's writes */
  queue: WorkQueue;
  /** the gateway's transcript folder, tailed while we own it (gateways up to 2026.7) */
  transcripts?: { tailer: TranscriptTailer; offsets: PgOffsetStore };
}

/**
 * What a gateway's events add when its transcript files are tailed too: the files tell the
 * conversation (messages, tools, runs), so only what they cannot say is taken from the events.
 */
const BEYOND_TRANSCRIPTS = new Set(["despawn", "waiting", "stalled"]);

export interface GatewayRuntimeOptions {
  databaseUrl: string;
  boss?: PgBoss;
  reconcileMs?: number;
  /** test hooks passed to every connection */
  connection?: { tickIntervalMs?: number; requestTimeoutMs?: number };
}

function stateOf(status: GatewayStatus): GatewayStatusUpdate["state"] | null {
  switch (status.state) {
    case "online":
    case "offline":
    case "unauthorized":
    case "pairing-required":
    case "protocol-mismatch":
    case "connecting":
      return status.state;
    default:
      return null;
  }
}


export class GatewayRuntime {
  readonly processId = `${os.hostname()}:${process.pid}`;
  private lockClient: pg.Client | undefined;
  private identity: DeviceIdentity | undefined;
  private owned = new Map<string, Owned>();
  private timer: NodeJS.Timeout | undefined;
  private reconciling: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private unsubscribeHub: (() => void) | undefined;

  constructor(private readonly options: GatewayRuntimeOptions) {}

  async start() {
    this.identity = await loadDeviceIdentity();
    await this.connectLockClient();
    try {
      this.unsubscribeHub = getHub().subscribe({
        orgId: "*",
        topics: new Set([topic.gateways]),
        deliver: (event) => {
          if (event.type === "gateway.created" || event.type === "gateway.updated" || event.type === "gateway.deleted") void this.reconcile();
        },
      });
    } catch {
      /* no hub in this process: the periodic reconcile still picks changes up */
    }
    await this.reconcile();
    this.timer = setInterval(() => void this.reconcile(), this.options.reconcileMs ?? 5_000);
    this.timer.unref();
  }

  get deviceId() {
    return this.identity?.deviceId ?? null;
  }

  /** The live connection of a gateway this process owns. */
  connectionFor(gatewayId: string): GatewayConnection | undefined {
    return this.owned.get(gatewayId)?.connection;
  }

  ownedIds(): string[] {
    return Array.from(this.owned.keys());
  }

  async stop() {
    this.stopped = true;
    clearInterval(this.timer);
    this.unsubscribeHub?.();
    await this.reconciling?.catch(() => {});
    await Promise.all(Array.from(this.owned.keys()).map((id) => this.release(id, { unlock: false })));
    await this.lockClient?.end().catch(() => {});
    this.lockClient = undefined;
  }

  /** Serialised: one pass at a time, and one more if asked during a pass. */
  reconcile(): Promise<void> {
    if (this.reconciling) {
      this.again = true;
      return this.reconciling;
    }
    this.reconciling = (async () => {
      do {
        this.again = false;
        await this.reconcileOnce().catch((error) => log.warn("gateway reconcile failed", { error: String(error) }));
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.reconciling = undefined;
    });
    return this.reconciling;
  }

  private async connectLockClient() {
    const client = new pg.Client({ connectionString: this.options.databaseUrl, application_name: "mission-control-gateway-locks" });
    client.on("error", (error) => {
      log.warn("lost the gateway lock connection; releasing every gateway", { error: String(error) });
      if (this.lockClient === client) this.lockClient = undefined;
      // Our locks are gone with the connection: another process may own these gateways now.
      for (const id of Array.from(this.owned.keys())) void this.release(id, { unlock: false });
    });
    await client.connect();
    this.lockClient = client;
  }

  private async reconcileOnce() {
    if (this.stopped) return;
    if (!this.lockClient) await this.connectLockClient();
    const gateways = await listAllGateways();
    const byId = new Map(gateways.map((g) => [g.id, g]));
    for (const [id, owned] of this.owned) {
      const current = byId.get(id);
      if (!current) {
        await this.release(id, { deleteQueue: true });
        continue;
      }
      const reconnect =
        current.url !== owned.gateway.url || current.tokenEncrypted !== owned.gateway.tokenEncrypted || current.transcriptDir !== owned.gateway.transcriptDir;
      owned.gateway = current;
      if (reconnect) {
        log.info("gateway settings changed; reconnecting", { gatewayId: id });
        await this.release(id, { unlock: false });
        await this.own(current);
      }
    }
    for (const gateway of gateways) {
      if (this.owned.has(gateway.id) || this.stopped) continue;
      const { rows } = await this.lockClient!.query("select pg_try_advisory_lock($1, hashtext($2)) as locked", [LOCK_CLASS, gateway.id]);
      if (rows[0]?.locked) await this.own(gateway);
    }
  }

  private async own(gateway: Gateway) {
    let token: string | null;
    try {
      token = openGatewayToken(gateway);
    } catch (error) {
      await this.writeStatus(gateway, { state: "unauthorized", serverVersion: null, latencyMs: null, lastError: String((error as Error).message), lastSeenAt: null, owner: this.processId, detail: {} });
      return;
    }
    const connection = new GatewayConnection({
      url: gateway.url,
      identity: this.identity!,
      ...(token ? { token } : {}),
      client: { displayName: "Mission Control" },
      tickIntervalMs: this.options.connection?.tickIntervalMs,
      requestTimeoutMs: this.options.connection?.requestTimeoutMs,
      logger: { warn: (message, meta) => log.warn(message, { gatewayId: gateway.id, ...meta }) },
    });
    const owned: Owned = { gateway, connection, unsubscribe: [], lastWrite: 0, lastState: null, queue: workQueue() };
    this.owned.set(gateway.id, owned);
    const enqueue = (work: () => Promise<void>) => {
      owned.queue.run(work).catch((error) => log.warn("gateway event handling failed", { gatewayId: gateway.id, error: String(error) }));
    };
    owned.unsubscribe.push(connection.onStatusChange((status) => enqueue(() => this.onStatus(owned, status))));
    owned.unsubscribe.push(connection.onEvent("agent", (frame) => enqueue(() => this.onAgentEvent(owned, frame))));
    for (const name of ACTIVITY_EVENTS) {
      owned.unsubscribe.push(connection.onEvent(name, (frame) => enqueue(() => this.onActivityEvent(owned, frame))));
    }
    connection.start();
    log.info("took ownership of a gateway", { gatewayId: gateway.id, url: gateway.url });
    if (gateway.transcriptDir) await this.tailTranscripts(owned, gateway.transcriptDir);
    if (this.options.boss) {
      await startPolling(this.options.boss, {
        gatewayId: gateway.id,
        intervalSeconds: () => this.owned.get(gateway.id)?.gateway.pollIntervalSeconds ?? gateway.pollIntervalSeconds,
        poll: () => this.pollNow(gateway.id),
      }).catch((error) => log.warn("could not start polling", { gatewayId: gateway.id, error: String(error) }));
    }
  }

  /**
   * Runs one poll on the owned connection; records why when it cannot. Returns false when the
   * gateway is not online: the chain of polls then stops and restarts the moment it comes online,
   * rather than waiting a whole interval.
   */
  async pollNow(gatewayId: string): Promise<boolean> {
    const owned = this.owned.get(gatewayId);
    if (!owned) return false;
    if (owned.connection.status.state !== "online") {
      await recordPollFailure({ gatewayId, message: `Not polled: the gateway is ${owned.connection.status.state}.` });
      return false;
    }
    try {
      // its writes wait their turn behind the events handled meanwhile: session rows are written in one
      // order, so "was this session still open?" is never answered by two writers at once
      await pollGateway(owned.connection, owned.gateway, owned.queue);
    } catch (error) {
      await recordPollFailure({ gatewayId, message: error instanceof Error ? error.message : String(error) });
    }
    return true;
  }

  private async tailTranscripts(owned: Owned, stateDir: string) {
    const offsets = new PgOffsetStore(`gateway:${owned.gateway.id}:`);
    const tailer = transcriptTailer({ stateDir, orgId: owned.gateway.orgId, gatewayId: owned.gateway.id, offsets, queue: owned.queue });
    try {
      await tailer.start();
      owned.transcripts = { tailer, offsets };
      log.info("tailing the gateway's transcripts", { gatewayId: owned.gateway.id, stateDir });
    } catch (error) {
      await tailer.close().catch(() => {});
      log.warn("could not tail the gateway's transcript folder", { gatewayId: owned.gateway.id, stateDir, error: String(error) });
    }
  }

  /** Resolves once the gateway's transcript files read so far are recorded (tests). */
  async flushTranscripts(gatewayId: string) {
    const transcripts = this.owned.get(gatewayId)?.transcripts;
    await transcripts?.tailer.flush();
    await transcripts?.offsets.flush();
  }

  private async release(id: string, { unlock = true, deleteQueue = false }: { unlock?: boolean; deleteQueue?: boolean } = {}) {
    const owned = this.owned.get(id);
    if (!owned) return;
    this.owned.delete(id);
    for (const off of owned.unsubscribe) off();
    await owned.queue.idle();
    if (owned.transcripts) {
      // offsets saved before the lock goes, or the next owner would read them again
      await owned.transcripts.tailer.close().catch(() => {});
      await owned.transcripts.offsets.flush();
    }
    if (this.options.boss) await stopPolling(this.options.boss, id, { deleteQueue });
    await owned.connection.close().catch(() => {});
    if (unlock && this.lockClient) await this.lockClient.query("select pg_advisory_unlock($1, hashtext($2))", [LOCK_CLASS, id]).catch(() => {});
    log.info("released a gateway", { gatewayId: id });
  }

  private async writeStatus(gateway: Pick<Gateway, "id">, update: GatewayStatusUpdate) {
    try {
      await recordGatewayStatus(gateway.id, update);
    } catch (error) {
      log.warn("could not record the gateway's status", { gatewayId: gateway.id, error: String(error) });
    }
  }

  private async onStatus(owned: Owned, status: GatewayStatus) {
    if (this.owned.get(owned.gateway.id) !== owned) return;
    const state = stateOf(status);
    if (!state) return;
    const stateChanged = state !== owned.lastState;
    if (!stateChanged && Date.now() - owned.lastWrite < LATENCY_WRITE_MS) return;
    owned.lastState = state;
    owned.lastWrite = Date.now();
    await this.writeStatus(owned.gateway, {
      state,
      serverVersion: status.serverVersion,
      latencyMs: status.latencyMs === null ? null : Math.round(status.latencyMs),
      lastError: status.lastError,
      lastSeenAt: status.lastSeenAt ? new Date(status.lastSeenAt) : null,
      owner: this.processId,
      detail: {
        deviceId: status.deviceId,
        pairing: status.pairing,
        lastErrorCode: status.lastErrorCode,
        reconnectAttempt: status.reconnectAttempt,
        nextReconnectAt: status.nextReconnectAt,
        methods: owned.connection.methods.length,
      },
    });
    if (!stateChanged) return;
    if (state === "online") {
      await this.discoverAgents(owned);
      await this.subscribeSessions(owned);
      if (this.options.boss) await sendPollNow(this.options.boss, owned.gateway.id).catch(() => {});
    } else if (state !== "connecting") {
      await setGatewayAgentStatus({ gatewayId: owned.gateway.id, status: "offline" }).catch(() => {});
    }
  }

  private async discoverAgents(owned: Owned) {
    try {
      const result = await owned.connection.api.agentsList();
      await syncGatewayAgents({
        orgId: owned.gateway.orgId,
        gatewayId: owned.gateway.id,
        gatewayName: owned.gateway.name,
        agents: result.agents.map((agent) => ({ externalId: agent.id, name: agent.name?.trim() || agent.id })),
      });
    } catch (error) {
      log.warn("agent discovery failed", { gatewayId: owned.gateway.id, error: String(error) });
    }
  }

  /** After this the gateway pushes sessions.changed and session.message on this connection. */
  private async subscribeSessions(owned: Owned) {
    try {
      const result = await owned.connection.api.sessionsSubscribe({ limit: 200 });
      const rows = (result.list?.sessions ?? []) as Array<Record<string, unknown>>;
      const defaults = (result.list as { defaults?: { contextTokens?: number } } | undefined)?.defaults ?? {};
      const sessions = rows.map((row) => sessionFacts(row, defaults)).filter((facts): facts is SessionFacts => facts !== null);
      await upsertSessionRows({ orgId: owned.gateway.orgId, gatewayId: owned.gateway.id, sessions });
      if (result.list?.hasMore !== true) {
        await endMissingSubagents({ orgId: owned.gateway.orgId, gatewayId: owned.gateway.id, liveKeys: sessions.map((s) => s.sessionKey) });
      }
    } catch (error) {
      log.warn("sessions.subscribe failed; sessions come from polling only", { gatewayId: owned.gateway.id, error: String(error) });
    }
  }

  private async onActivityEvent(owned: Owned, frame: EventFrame) {
    const { orgId, id: gatewayId } = owned.gateway;
    // Activity first: a despawn is recorded only while the session is still open, and the row that
    // follows is what closes it (a sub-agent's end is reported once, not once per row after it).
    let events = normalizeGatewayEvent({ event: frame.event, payload: frame.payload });
    // only while the folder is really tailed: if it could not be, the events are all there is
    if (owned.transcripts) events = events.filter((event) => BEYOND_TRANSCRIPTS.has(event.kind));
    if (events.length > 0) await recordAgentActivity({ orgId, gatewayId, events });
    if (frame.event === "sessions.changed") {
      const payload = frame.payload as { session?: Record<string, unknown>; sessionKey?: string } | undefined;
      const facts = payload?.session ? sessionFacts(payload.session, {}, payload.sessionKey) : null;
      if (facts) await upsertSessionRows({ orgId, gatewayId, sessions: [facts] });
    }
  }

  private async onAgentEvent(owned: Owned, frame: EventFrame) {
    const payload = frame.payload as { stream?: string; agentId?: string; sessionKey?: string; data?: { phase?: string } } | undefined;
    if (payload?.stream !== "lifecycle") return;
    const phase = payload.data?.phase;
    if (phase !== "start" && phase !== "end") return;
    const externalId = payload.agentId ?? agentIdFromSessionKey(payload.sessionKey);
    if (!externalId) return;
    await setGatewayAgentStatus({ gatewayId: owned.gateway.id, externalId, status: phase === "start" ? "busy" : "online" }).catch((error) =>
      log.warn("could not update the agent's status", { gatewayId: owned.gateway.id, error: String(error) }),
    );
  }
}

const current = processSingleton<GatewayRuntime>("gateway-runtime");

export async function startGatewayRuntime(options: GatewayRuntimeOptions) {
  const existing = current.get();
  if (existing) return existing;
  const runtime = new GatewayRuntime(options);
  current.set(runtime);
  await runtime.start();
  return runtime;
}

export function getGatewayRuntime(): GatewayRuntime | undefined {
  return current.get();
}

export async function stopGatewayRuntime() {
  const runtime = current.get();
  current.set(undefined);
  await runtime?.stop();
}
