import os from "node:os";
import { topic } from "~/lib/topics";
import { AdvisoryLocks } from "~/db/advisory-locks.server";
import type { Gateway } from "~/db/entities";
import { GatewayConnection, type DeviceIdentity } from "~/gateway";
import { log } from "~/lib/log.server";
import { guardedLookup, refusedUrl } from "~/lib/outbound-address.server";
import { processSingleton } from "~/lib/singleton";
import { workQueue } from "~/lib/work-queue";
import { listAllGateways, openGatewayToken } from "~/models/gateway.server";
import { getHub } from "~/realtime/hub.server";
import { loadDeviceIdentity } from "./device-identity.server";
import { confirmIdentity, discoverAgents, subscribeSessions } from "./gateway-discovery.server";
import { routeGatewayEvents, writeGatewayStatus, type OwnedGateway } from "./gateway-events.server";
import type { GatewayPoller } from "./gateway-poller";
import { pollOwnedGateway } from "./poll.server";
import type { TranscriptTailer } from "./transcript-tailer.server";
import { PgOffsetStore } from "./transcript-offsets.server";
import { transcriptTailer } from "./transcripts.server";

/*
 * Keeps one GatewayConnection per gateway, in exactly one process: a process owns a gateway while
 * it holds the advisory lock (4242, hashtext(id)). Locks die with their connection, so when an owner
 * dies, another process takes the gateway on its next reconcile. This module decides ownership;
 * what the connection says is routed by gateway-events, discovery and polling have modules of their
 * own, and the polls' schedule is handed in (`poller`).
 */

const LOCK_SPACE = 4242;

interface Owned extends OwnedGateway {
  unsubscribe: () => void;
  /** the gateway's transcript folder, tailed while we own it (gateways up to 2026.7) */
  transcripts?: { tailer: TranscriptTailer; offsets: PgOffsetStore };
}

export interface GatewayRuntimeOptions {
  databaseUrl: string;
  /** schedules the polls; without one, nothing polls (a process without the jobs role) */
  poller?: GatewayPoller;
  reconcileMs?: number;
  /** test hooks passed to every connection */
  connection?: { tickIntervalMs?: number; requestTimeoutMs?: number; figuresWriteMs?: number };
}

export class GatewayRuntime {
  readonly processId = `${os.hostname()}:${process.pid}`;
  private readonly locks: AdvisoryLocks;
  private identity: DeviceIdentity | undefined;
  private owned = new Map<string, Owned>();
  /** releases under way: a gateway is not owned again until its old release has finished (else that release's poller.stop ends the new owner's polls) */
  private releasing = new Map<string, Promise<void>>();
  /** gateways whose stored token this process cannot open, by that token: not tried again until it changes */
  private unopenable = new Map<string, string | null>();
  private timer: NodeJS.Timeout | undefined;
  private reconciling: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private unsubscribeHub: (() => void) | undefined;

  constructor(private readonly options: GatewayRuntimeOptions) {
    this.locks = new AdvisoryLocks({
      databaseUrl: options.databaseUrl,
      space: LOCK_SPACE,
      name: "mission-control-gateway-locks",
      onLost: (_keys, error) => {
        log.warn("lost the gateway lock connection; releasing every gateway", { error: String(error) });
        // Our locks are gone with the connection: another process may own these gateways now.
        // A reconcile skips each until it is handed back (this.releasing), then may take it again.
        for (const id of Array.from(this.owned.keys())) void this.release(id, { unlock: false });
      },
    });
  }

  async start() {
    this.identity = await loadDeviceIdentity();
    try {
      this.unsubscribeHub = getHub().subscribe({
        orgId: "*",
        topics: new Set([topic.gateways]),
        deliver: (event) => {
          if (event.type === "gateway.created" || event.type === "gateway.updated" || event.type === "gateway.deleted") void this.reconcile();
          else if (event.type === "gateway.retry" && typeof event.data.gatewayId === "string") this.retryNow(event.data.gatewayId);
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

  /** Tries an owned, not-online gateway again at once (backoff reset); a gateway we do not own is its owner's to retry. */
  retryNow(gatewayId: string) {
    const connection = this.owned.get(gatewayId)?.connection;
    if (!connection || connection.status.state === "online" || connection.status.state === "closed") return;
    log.info("retrying a gateway now, as asked", { gatewayId });
    connection.reconnectNow();
  }

  ownedIds(): string[] {
    return Array.from(this.owned.keys());
  }

  async stop() {
    this.stopped = true;
    clearInterval(this.timer);
    this.unsubscribeHub?.();
    await this.reconciling?.catch(() => {});
    await Promise.all([...Array.from(this.owned.keys()).map((id) => this.release(id, { unlock: false })), ...this.releasing.values()]);
    // closing the lock connection releases every lock at once, after everything was handed back
    await this.locks.close();
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

  private async reconcileOnce() {
    if (this.stopped) return;
    const gateways = await listAllGateways();
    const byId = new Map(gateways.map((g) => [g.id, g]));
    for (const [id, owned] of this.owned) {
      const current = byId.get(id);
      if (!current || current.duplicateOf) {
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
      // a second row of a gateway another row already has: its agents and sessions would be counted twice
      if (gateway.duplicateOf) continue;
      if (this.owned.has(gateway.id) || this.releasing.has(gateway.id) || this.stopped) continue;
      if (this.unopenable.has(gateway.id) && this.unopenable.get(gateway.id) === gateway.tokenEncrypted) continue;
      if (await this.locks.tryAcquire(gateway.id)) await this.own(gateway);
    }
  }

  private async own(gateway: Gateway) {
    let token: string | null;
    try {
      token = openGatewayToken(gateway);
    } catch (error) {
      // Let the gateway go (a process with the right key may take it) and do not try again until its
      // token changes: every reconcile would rewrite the row and publish the same status to every stream.
      const message = String((error as Error).message);
      this.unopenable.set(gateway.id, gateway.tokenEncrypted);
      if (gateway.state !== "unauthorized" || gateway.lastError !== message) {
        await writeGatewayStatus(gateway.id, { state: "unauthorized", serverVersion: null, latencyMs: null, lastError: message, lastSeenAt: null, owner: null, detail: {} });
      }
      await this.locks.release(gateway.id);
      return;
    }
    this.unopenable.delete(gateway.id);
    const connection = new GatewayConnection({
      url: gateway.url,
      identity: this.identity!,
      ...(token ? { token } : {}),
      client: { displayName: "Mission Control" },
      tickIntervalMs: this.options.connection?.tickIntervalMs,
      requestTimeoutMs: this.options.connection?.requestTimeoutMs,
      logger: { warn: (message, meta) => log.warn(message, { gatewayId: gateway.id, ...meta }) },
      // checked again before every connect: a name may resolve elsewhere than when it was added
      outbound: { refuseUrl: refusedUrl, lookup: guardedLookup() },
    });
    let confirmed = false;
    const owned: Owned = {
      gateway,
      connection,
      queue: workQueue(),
      unsubscribe: () => {},
      tailsTranscripts: () => owned.transcripts !== undefined,
      ingests: () => confirmed,
    };
    this.owned.set(gateway.id, owned);
    owned.unsubscribe = routeGatewayEvents(owned, {
      processId: this.processId,
      isCurrent: () => this.owned.get(gateway.id) === owned,
      figuresWriteMs: this.options.connection?.figuresWriteMs,
      onOnline: async () => {
        // on every connect: the URL may reach another gateway than last time
        confirmed = false;
        if (!(await confirmIdentity(owned))) {
          // not awaited: the release waits for this gateway's queue, which is running this very call
          void this.release(gateway.id);
          return;
        }
        confirmed = true;
        await discoverAgents(owned);
        await subscribeSessions(owned);
        await this.options.poller?.pollSoon(gateway.id).catch(() => {});
      },
    });
    connection.start();
    log.info("took ownership of a gateway", { gatewayId: gateway.id, url: gateway.url });
    if (gateway.transcriptDir) await this.tailTranscripts(owned, gateway.transcriptDir);
    await this.options.poller
      ?.start(gateway.id, {
        intervalSeconds: () => this.owned.get(gateway.id)?.gateway.pollIntervalSeconds ?? gateway.pollIntervalSeconds,
        poll: () => this.pollNow(gateway.id),
      })
      .catch((error) => log.warn("could not start polling", { gatewayId: gateway.id, error: String(error) }));
  }

  /** Runs one poll of an owned gateway now (what the poller calls); false when it is not online. */
  pollNow(gatewayId: string): Promise<boolean> {
    const owned = this.owned.get(gatewayId);
    if (owned && !owned.ingests()) return Promise.resolve(false);
    return pollOwnedGateway(gatewayId, owned);
  }

  private async tailTranscripts(owned: Owned, stateDir: string) {
    const offsets = new PgOffsetStore(`gateway:${owned.gateway.id}:`);
    const tailer = transcriptTailer({ stateDir, orgId: owned.gateway.orgId, gatewayId: owned.gateway.id, offsets, queue: owned.queue });
    try {
      await tailer.start();
      // the lock connection may have dropped during the first read (release() ran, another process may
      // own the gateway now): a reader kept then would tail the folder twice, unowned and never closed
      if (this.owned.get(owned.gateway.id) !== owned || !this.locks.holds(owned.gateway.id)) {
        await tailer.close().catch(() => {});
        return;
      }
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

  private release(id: string, options: { unlock?: boolean; deleteQueue?: boolean } = {}): Promise<void> {
    const owned = this.owned.get(id);
    if (!owned) return this.releasing.get(id) ?? Promise.resolve();
    this.owned.delete(id);
    const released = this.handBack(id, owned, options).finally(() => this.releasing.delete(id));
    this.releasing.set(id, released);
    return released;
  }

  private async handBack(id: string, owned: Owned, { unlock = true, deleteQueue = false }: { unlock?: boolean; deleteQueue?: boolean }) {
    owned.unsubscribe();
    await owned.queue.idle();
    if (owned.transcripts) {
      // offsets saved before the lock goes, or the next owner would read them again
      await owned.transcripts.tailer.close().catch(() => {});
      await owned.transcripts.offsets.flush();
    }
    await this.options.poller?.stop(id, { deleteQueue }).catch(() => {});
    await owned.connection.close().catch(() => {});
    if (unlock) await this.locks.release(id);
    log.info("released a gateway", { gatewayId: id });
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
