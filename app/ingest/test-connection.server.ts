import { probeGateway, type ProbeResult } from "~/gateway";
import { loadDeviceIdentity } from "./device-identity.server";

/** The "Test connection" button: one attempt with this installation's identity, a sentence back. */
export async function testGatewayConnection({ url, token }: { url: string; token: string | null }): Promise<ProbeResult> {
  const identity = await loadDeviceIdentity();
  return probeGateway({ url, identity, ...(token ? { token } : {}), client: { displayName: "Mission Control" } }, 8_000);
}
