import { formatMs } from "./errors";
import { GatewayConnection, isSettled, type GatewayConnectionOptions, type GatewayState } from "./connection";
import type { PairingInfo } from "./handshake";

/*
 * One connection attempt, for a "test connection" button or a set-up script: connect once (no
 * retries), measure, close, and say in a sentence what happened.
 */

export interface ProbeResult {
  ok: boolean;
  state: GatewayState;
  /** a sentence for a person */
  message: string;
  serverVersion: string | null;
  /** connect.challenge to hello-ok, in ms */
  connectMs: number;
  latencyMs: number | null;
  methodCount: number;
  deviceId: string;
  pairing: PairingInfo | null;
}

export async function probeGateway(
  options: Omit<GatewayConnectionOptions, "reconnect">,
  timeoutMs = 10_000,
): Promise<ProbeResult> {
  const connection = new GatewayConnection({ ...options, reconnect: false, connectTimeoutMs: timeoutMs });
  const startedAt = Date.now();
  try {
    connection.start();
    const settled = await connection.waitFor(isSettled, timeoutMs + 1_000);
    const connectMs = Date.now() - startedAt;
    let latencyMs = settled.latencyMs;
    if (settled.state === "online") {
      latencyMs = await connection.measureLatency(timeoutMs).catch(() => latencyMs);
    }
    const ok = settled.state === "online";
    return {
      ok,
      state: settled.state,
      message: ok
        ? `Connected to OpenClaw ${settled.serverVersion} in ${formatMs(connectMs)}` +
          (latencyMs !== null ? `; round trip ${formatMs(latencyMs)}.` : ".")
        : (settled.lastError ?? `The gateway is ${settled.state}.`),
      serverVersion: settled.serverVersion,
      connectMs,
      latencyMs,
      methodCount: connection.methods.length,
      deviceId: settled.deviceId,
      pairing: settled.pairing,
    };
  } finally {
    await connection.close();
  }
}
