import type { PairingInfo } from "./handshake";

/*
 * What a connection exposes about itself: the state a person sees next to a gateway, with the
 * details that explain it.
 */

export type GatewayState =
  | "idle" // created, start() not called yet
  | "connecting" // first attempt (or after reconnectNow()) in progress
  | "online"
  | "offline" // unreachable, dropped or silent; retrying unless reconnect is off
  | "unauthorized" // the token was rejected; waits for reconnectNow() with a better one
  | "pairing-required" // the gateway waits for an operator to approve this device; retrying slowly
  | "protocol-mismatch" // the gateway speaks another protocol version; waits for reconnectNow()
  | "closed"; // close() was called

export interface GatewayStatus {
  state: GatewayState;
  url: string;
  deviceId: string;
  serverVersion: string | null;
  protocol: number | null;
  /** last measured round trip (WebSocket ping/pong, or the connect round trip before the first pong), in ms */
  latencyMs: number | null;
  /** median of the last round trips (up to 20), in ms */
  latencyP50Ms: number | null;
  /** a sentence for a person; null while online */
  lastError: string | null;
  /** the gateway's (or our) code for lastError, e.g. AUTH_TOKEN_MISMATCH, ECONNREFUSED, DEAD_LINK */
  lastErrorCode: string | null;
  /** epoch ms of the last frame or pong from the gateway */
  lastSeenAt: number | null;
  onlineSince: number | null;
  /** set in pairing-required */
  pairing: PairingInfo | null;
  /** reconnects tried since the link was last online */
  reconnectAttempt: number;
  /** when the next attempt starts (epoch ms) and how long the wait was; null when none is scheduled */
  nextReconnectAt: number | null;
  reconnectDelayMs: number | null;
}

export function initialStatus(url: string, deviceId: string): GatewayStatus {
  return {
    state: "idle",
    url,
    deviceId,
    serverVersion: null,
    protocol: null,
    latencyMs: null,
    latencyP50Ms: null,
    lastError: null,
    lastErrorCode: null,
    lastSeenAt: null,
    onlineSince: null,
    pairing: null,
    reconnectAttempt: 0,
    nextReconnectAt: null,
    reconnectDelayMs: null,
  };
}

const SETTLED_STATES: ReadonlySet<GatewayState> = new Set([
  "online",
  "offline",
  "unauthorized",
  "pairing-required",
  "protocol-mismatch",
  "closed",
]);

/** States in which a connection attempt has had an outcome (used by probes and tests). */
export function isSettled(status: GatewayStatus): boolean {
  return SETTLED_STATES.has(status.state);
}

/** A WebSocket close, in words. */
export function describeClose(code: number, reason: string): string {
  const meaning: Record<number, string> = {
    1000: "normal close",
    1001: "going away",
    1002: "protocol error",
    1006: "connection lost",
    1008: "policy violation",
    1011: "server error",
    1012: "service restart",
  };
  const text = meaning[code] ?? `code ${code}`;
  return reason ? `${text}: ${reason}` : text;
}
