import {
  PROTOCOL_VERSION,
  detailCode,
  isRecord,
  type ClientInfo,
  type ConnectChallenge,
  type ConnectParams,
  type ErrorShape,
} from "./frames";
import { signDevice, type DeviceIdentity } from "./identity";

/*
 * The connect request (answer to connect.challenge) and what a refused connect means for the
 * connection: which state to show, what to tell the operator, and whether retrying can help.
 */

export const OPERATOR_SCOPES = [
  "operator.read",
  "operator.write",
  "operator.admin",
  "operator.approvals",
  "operator.pairing",
] as const;

export interface ConnectCredentials {
  /** the gateway's shared token (gateway.auth.token) */
  token?: string;
  /** a device token issued earlier in hello-ok.auth.deviceToken; used only when there is no shared token */
  deviceToken?: string;
}

export function buildConnectParams(input: {
  challenge: ConnectChallenge;
  identity: DeviceIdentity;
  credentials: ConnectCredentials;
  client: ClientInfo;
  scopes: readonly string[];
}): ConnectParams {
  const { challenge, identity, credentials, client, scopes } = input;
  const role = "operator";
  const auth = credentials.token
    ? { token: credentials.token }
    : credentials.deviceToken
      ? { deviceToken: credentials.deviceToken }
      : {};
  return {
    minProtocol: PROTOCOL_VERSION,
    maxProtocol: PROTOCOL_VERSION,
    client,
    role,
    scopes: [...scopes],
    caps: ["tool-events"],
    auth,
    locale: "en-US",
    userAgent: `mission-control/${client.version}`,
    device: signDevice(identity, {
      clientId: client.id,
      clientMode: client.mode,
      role,
      scopes,
      // the challenge's own timestamp: the gateway checks skew against it, not our clock
      signedAt: challenge.ts,
      token: credentials.token ?? credentials.deviceToken ?? "",
      nonce: challenge.nonce,
      platform: client.platform,
      deviceFamily: client.deviceFamily,
    }),
  };
}

export interface PairingInfo {
  /** this installation's device id, as `openclaw devices list` shows it */
  deviceId: string;
  requestId: string | null;
  /** the command the operator runs on the gateway host */
  approveCommand: string;
}

export type ConnectFailure =
  | { state: "unauthorized"; code: string; message: string; retry: false }
  | { state: "pairing-required"; code: string; message: string; retry: true; pairing: PairingInfo }
  | { state: "protocol-mismatch"; code: string; message: string; retry: false }
  | { state: "offline"; code: string; message: string; retry: true; retryAfterMs?: number };

const BAD_CREDENTIAL_CODES = new Set([
  "AUTH_TOKEN_MISMATCH",
  "AUTH_PASSWORD_MISMATCH",
  "AUTH_DEVICE_TOKEN_MISMATCH",
  "AUTH_BOOTSTRAP_TOKEN_INVALID",
]);

/** What a connect answered with ok:false means. */
export function classifyConnectError(error: ErrorShape, deviceId: string): ConnectFailure {
  const code = detailCode(error) ?? error.code;
  const said = error.message;

  if (code === "PAIRING_REQUIRED" || error.code === "NOT_PAIRED") {
    const details = isRecord(error.details) ? error.details : {};
    const requestId = typeof details.requestId === "string" && details.requestId ? details.requestId : null;
    const approveCommand = requestId
      ? `openclaw devices approve ${requestId}`
      : "openclaw devices list, then openclaw devices approve <request id>";
    return {
      state: "pairing-required",
      code,
      retry: true,
      pairing: { deviceId, requestId, approveCommand },
      message:
        `The gateway has not approved this Mission Control installation yet (device ${deviceId.slice(0, 12)}…). ` +
        `On the gateway host run: ${approveCommand}`,
    };
  }
  if (code === "PROTOCOL_MISMATCH") {
    const details = isRecord(error.details) ? error.details : {};
    const expected = typeof details.expectedProtocol === "number" ? ` (it expects protocol ${details.expectedProtocol})` : "";
    return {
      state: "protocol-mismatch",
      code,
      retry: false,
      message:
        `The gateway speaks a different protocol version${expected} than Mission Control (protocol ${PROTOCOL_VERSION}). ` +
        "Update OpenClaw on the gateway, or Mission Control, so they match.",
    };
  }
  if (code === "AUTH_RATE_LIMITED" || error.retryable || error.code === "UNAVAILABLE") {
    const wait = error.retryAfterMs ?? readRetryAfter(error.details);
    return {
      state: "offline",
      code,
      retry: true,
      retryAfterMs: wait,
      message:
        code === "AUTH_RATE_LIMITED"
          ? `The gateway is refusing logins for a while after too many failures (${said}). Check the token; Mission Control retries later.`
          : `The gateway is not ready yet (${said}); retrying.`,
    };
  }
  if (BAD_CREDENTIAL_CODES.has(code)) {
    return {
      state: "unauthorized",
      code,
      retry: false,
      message: `The gateway rejected the token (${said}). Check the token for this gateway and save it again.`,
    };
  }
  if (code.startsWith("AUTH_")) {
    return {
      state: "unauthorized",
      code,
      retry: false,
      message: `The gateway refused to log Mission Control in (${said}). Check the token and the gateway's auth settings.`,
    };
  }
  if (code.startsWith("DEVICE_AUTH_") || code === "DEVICE_IDENTITY_REQUIRED") {
    return {
      state: "unauthorized",
      code,
      retry: false,
      message: `The gateway did not accept this installation's device identity (${said}).`,
    };
  }
  return {
    state: "offline",
    code,
    retry: true,
    message: `The gateway refused the connection (${error.code}: ${said}).`,
  };
}

function readRetryAfter(details: unknown): number | undefined {
  return isRecord(details) && typeof details.retryAfterMs === "number" ? details.retryAfterMs : undefined;
}
