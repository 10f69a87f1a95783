import { normalizeGatewayEvent, WAITING_EVENTS } from "~/activity/normalize";
import { agentIdFromSessionKey } from "~/activity/session-key";
import { sessionFacts } from "~/activity/session-row";
import type { Gateway } from "~/db/entities";
import type { EventFrame, GatewayConnection, GatewayStatus } from "~/gateway";
import { log } from "~/lib/log.server";
import type { WorkQueue } from "~/lib/work-queue";
import { setGatewayAgentStatus } from "~/models/agent.server";
import { recordAgentActivity, upsertSessionRows } from "~/models/agent-session.server";
import { recordGatewayFigures, recordGatewayStatus, type GatewayStatusUpdate } from "~/models/gateway.server";

/*
 * Event routing: what an owned gateway's connection says, into the models. Status changes and
 * events are handled one after another on the gateway's queue, in the order they happened (polls
 * and the gateway's transcript folder write in the same order).
 */

/** gateway events that carry agent activity (normalized by app/activity/normalize.ts) */
export const ACTIVITY_EVENTS = ["agent", "session.tool", "chat", "session.message", "sessions.changed", ...WAITING_EVENTS];
/** a latency-only change is written at most this often */
const LATENCY_WRITE_MS = 30_000;
/**
 * The live figures (latency, last seen) of an online gateway are written at most this often: about
 * every pong with the default 30 s tick (pings every 15 s), so a page never shows a last-seen older
 * than that while the gateway is online, without a write per frame.
 */
export const FIGURES_WRITE_MS = 15_000;

/**
 * What a gateway's events add when its transcript files are tailed too: the files tell the
 * conversation (messages, tools, runs), so only what they cannot say is taken from the events.
 */
const BEYOND_TRANSCRIPTS = new Set(["despawn", "waiting", "stalled"]);

/** One gateway this process owns: its connection and its handling order. */
export interface OwnedGateway {
  gateway: Gateway;
  connection: GatewayConnection;
  /** the gateway's handling order: events, status changes, poll writes and its transcript folder's writes */
  queue: WorkQueue;
  /** its transcript folder is really tailed (gateways up to 2026.7): the files tell the conversation */
  tailsTranscripts: () => boolean;
  /** its identity is confirmed (not a second row of a gateway already registered): only then is anything recorded */
  ingests: () => boolean;
}

export interface EventRouting {
  /** written as the gateway's owner */
  processId: string;
  /** false once the runtime let this gateway go: late work is dropped */
  isCurrent: () => boolean;
  /** the gateway has just come online (after its status is written) */
  onOnline: () => Promise<void>;
  /** how often live figures are written at most (default FIGURES_WRITE_MS; tests shorten it) */
  figuresWriteMs?: number;
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

/** A status the runtime writes itself (a token that cannot be opened); never throws. */
export async function writeGatewayStatus(gatewayId: string, update: GatewayStatusUpdate) {
  try {
    await recordGatewayStatus(gatewayId, update);
  } catch (error) {
    log.warn("could not record the gateway's status", { gatewayId, error: String(error) });
  }
}

/** Subscribes to the connection's status and events; answers the unsubscribe. */
export function routeGatewayEvents(owned: OwnedGateway, routing: EventRouting): () => void {
  const { connection, gateway } = owned;
  const enqueue = (work: () => Promise<void>) => {
    owned.queue.run(work).catch((error) => log.warn("gateway event handling failed", { gatewayId: gateway.id, error: String(error) }));
  };
  let lastState: string | null = null;
  let lastWrite = 0;

  const onStatus = async (status: GatewayStatus) => {
    if (!routing.isCurrent()) return;
    const state = stateOf(status);
    if (!state) return;
    const stateChanged = state !== lastState;
    if (!stateChanged && Date.now() - lastWrite < LATENCY_WRITE_MS) return;
    lastState = state;
    lastWrite = Date.now();
    await writeGatewayStatus(owned.gateway.id, {
      state,
      serverVersion: status.serverVersion,
      latencyMs: status.latencyMs === null ? null : Math.round(status.latencyMs),
      lastError: status.lastError,
      lastSeenAt: status.lastSeenAt ? new Date(status.lastSeenAt) : null,
      owner: routing.processId,
      detail: {
        deviceId: status.deviceId,
        pairing: status.pairing,
        lastErrorCode: status.lastErrorCode,
        reconnectAttempt: status.reconnectAttempt,
        nextReconnectAt: status.nextReconnectAt,
        methods: connection.methods.length,
        latencyP50Ms: status.latencyP50Ms === null ? null : Math.round(status.latencyP50Ms),
      },
    });
    if (!stateChanged) return;
    if (state === "online") await routing.onOnline();
    else if (state !== "connecting") await setGatewayAgentStatus({ gatewayId: owned.gateway.id, status: "offline" }).catch(() => {});
  };

  const onActivityEvent = async (frame: EventFrame) => {
    if (!owned.ingests()) return;
    const { orgId, id: gatewayId } = owned.gateway;
    // Activity first: a despawn is recorded only while the session is still open, and the row that
    // follows is what closes it (a sub-agent's end is reported once, not once per row after it).
    let events = normalizeGatewayEvent({ event: frame.event, payload: frame.payload });
    // only while the folder is really tailed: if it could not be, the events are all there is
    if (owned.tailsTranscripts()) events = events.filter((event) => BEYOND_TRANSCRIPTS.has(event.kind));
    if (events.length > 0) await recordAgentActivity({ orgId, gatewayId, events });
    if (frame.event === "sessions.changed") {
      const payload = frame.payload as { session?: Record<string, unknown>; sessionKey?: string } | undefined;
      const facts = payload?.session ? sessionFacts(payload.session, {}, payload.sessionKey) : null;
      if (facts) await upsertSessionRows({ orgId, gatewayId, sessions: [facts] });
    }
  };

  /** A run starting makes its agent busy, its end online again. */
  const onAgentEvent = async (frame: EventFrame) => {
    const payload = frame.payload as { stream?: string; agentId?: string; sessionKey?: string; data?: { phase?: string } } | undefined;
    if (payload?.stream !== "lifecycle" || !owned.ingests()) return;
    const phase = payload.data?.phase;
    if (phase !== "start" && phase !== "end") return;
    const externalId = payload.agentId ?? agentIdFromSessionKey(payload.sessionKey);
    if (!externalId) return;
    await setGatewayAgentStatus({ gatewayId: owned.gateway.id, externalId, status: phase === "start" ? "busy" : "online" }).catch((error) =>
      log.warn("could not update the agent's status", { gatewayId: owned.gateway.id, error: String(error) }),
    );
  };

  const figuresWriteMs = routing.figuresWriteMs ?? FIGURES_WRITE_MS;
  let figuresWrittenAt = 0;
  const onFigures = async (status: GatewayStatus) => {
    if (!routing.isCurrent() || status.state !== "online" || lastState !== "online") return;
    if (Date.now() - Math.max(figuresWrittenAt, lastWrite) < figuresWriteMs) return;
    figuresWrittenAt = Date.now();
    await recordGatewayFigures(owned.gateway.id, {
      latencyMs: status.latencyMs === null ? null : Math.round(status.latencyMs),
      latencyP50Ms: status.latencyP50Ms === null ? null : Math.round(status.latencyP50Ms),
      lastSeenAt: status.lastSeenAt ? new Date(status.lastSeenAt) : null,
    }).catch((error) => log.warn("could not record the gateway's figures", { gatewayId: owned.gateway.id, error: String(error) }));
  };

  const off = [
    connection.onStatusChange((status) => enqueue(() => onStatus(status))),
    connection.onFigures((status) => enqueue(() => onFigures(status))),
    connection.onEvent("agent", (frame) => enqueue(() => onAgentEvent(frame))),
    ...ACTIVITY_EVENTS.map((name) => connection.onEvent(name, (frame) => enqueue(() => onActivityEvent(frame)))),
  ];
  return () => {
    for (const unsubscribe of off) unsubscribe();
  };
}
