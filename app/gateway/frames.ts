import type { SignedDevice } from "./identity";

/*
 * Protocol-4 frames as they travel on the socket (JSON text), and the pieces of the handshake.
 * Only what the client relies on is typed; everything else stays `unknown`.
 */

export const PROTOCOL_VERSION = 4;

export interface ErrorShape {
  code: string;
  message: string;
  details?: unknown;
  retryable?: boolean;
  retryAfterMs?: number;
}

export interface RequestFrame {
  type: "req";
  id: string;
  method: string;
  params?: unknown;
}

export type ResponseFrame =
  | { type: "res"; id: string; ok: true; payload: unknown }
  | { type: "res"; id: string; ok: false; error: ErrorShape };

export interface EventFrame<P = unknown> {
  type: "event";
  event: string;
  payload: P;
  seq?: number;
}

export type InboundFrame = ResponseFrame | EventFrame;

export interface ConnectChallenge {
  nonce: string;
  ts: number;
}

export interface ClientInfo {
  /** must be one the gateway allows; "gateway-client" is the one for third-party operators */
  id: string;
  mode: string;
  version: string;
  platform: string;
  displayName?: string;
  deviceFamily?: string;
}

export interface ConnectParams {
  minProtocol: number;
  maxProtocol: number;
  client: ClientInfo;
  role: string;
  scopes: string[];
  caps: string[];
  auth: { token?: string; deviceToken?: string };
  locale?: string;
  userAgent?: string;
  device?: SignedDevice;
}

export interface HelloOk {
  type: "hello-ok";
  protocol: number;
  server: { version: string; connId?: string; [key: string]: unknown };
  features: { methods: string[]; events: string[]; [key: string]: unknown };
  snapshot: unknown;
  auth: { role?: string; scopes?: string[]; deviceToken?: string; method?: string; [key: string]: unknown };
  policy: { tickIntervalMs?: number; maxPayload?: number; [key: string]: unknown };
  [key: string]: unknown;
}

/** Parses one socket message; null for anything that is not a frame this client understands. */
export function parseInboundFrame(data: string): InboundFrame | null {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  if (!isRecord(value)) return null;
  if (value.type === "event" && typeof value.event === "string") {
    return value as unknown as EventFrame;
  }
  if (value.type === "res" && typeof value.id === "string" && typeof value.ok === "boolean") {
    if (value.ok) return value as unknown as ResponseFrame;
    return { type: "res", id: value.id, ok: false, error: toErrorShape(value.error) };
  }
  return null;
}

export function readChallenge(frame: EventFrame): ConnectChallenge | null {
  const payload = frame.payload;
  if (!isRecord(payload) || typeof payload.nonce !== "string" || payload.nonce === "") return null;
  if (typeof payload.ts !== "number" || !Number.isInteger(payload.ts) || payload.ts < 0) return null;
  return { nonce: payload.nonce, ts: payload.ts };
}

export function readHelloOk(payload: unknown): HelloOk | null {
  if (!isRecord(payload) || payload.type !== "hello-ok" || typeof payload.protocol !== "number") return null;
  const server = payload.server;
  const features = payload.features;
  if (!isRecord(server) || typeof server.version !== "string") return null;
  if (!isRecord(features) || !isStringArray(features.methods)) return null;
  return {
    ...payload,
    features: { ...features, methods: features.methods, events: isStringArray(features.events) ? features.events : [] },
    auth: isRecord(payload.auth) ? payload.auth : {},
    policy: isRecord(payload.policy) ? payload.policy : {},
  } as HelloOk;
}

function toErrorShape(value: unknown): ErrorShape {
  if (!isRecord(value)) return { code: "UNKNOWN", message: "the gateway sent an error without details" };
  return {
    code: typeof value.code === "string" ? value.code : "UNKNOWN",
    message: typeof value.message === "string" ? value.message : "no message",
    details: value.details,
    retryable: typeof value.retryable === "boolean" ? value.retryable : undefined,
    retryAfterMs: typeof value.retryAfterMs === "number" ? value.retryAfterMs : undefined,
  };
}

/** `error.details.code`, where the gateway puts the precise reason (AUTH_TOKEN_MISMATCH, PAIRING_REQUIRED…). */
export function detailCode(error: ErrorShape): string | undefined {
  return isRecord(error.details) && typeof error.details.code === "string" ? error.details.code : undefined;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}
