import { deserializeDeviceIdentity, generateDeviceIdentity, serializeDeviceIdentity, type DeviceIdentity } from "~/gateway";
import { installationSecret } from "~/models/installation-secret.server";

const KEY = "gateway-device-identity";

/**
 * The Ed25519 identity this installation presents to every gateway. Generated once and stored
 * encrypted, the same for every replica (so a gateway approves it once).
 */
export async function loadDeviceIdentity(): Promise<DeviceIdentity> {
  const stored = await installationSecret(KEY, () => JSON.stringify(serializeDeviceIdentity(generateDeviceIdentity())));
  return deserializeDeviceIdentity(JSON.parse(stored));
}
