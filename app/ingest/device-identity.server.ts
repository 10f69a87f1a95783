import { db } from "~/db/data-source.server";
import { deserializeDeviceIdentity, generateDeviceIdentity, serializeDeviceIdentity, type DeviceIdentity } from "~/gateway";
import { decryptSecret, encryptSecret } from "~/lib/secret-box.server";

const KEY = "gateway-device-identity";

/**
 * The Ed25519 identity this installation presents to every gateway. Generated once and stored
 * encrypted; a process that loses the race to create it reads the winner's, so every replica
 * presents the same device (and a gateway approves it once).
 */
export async function loadDeviceIdentity(): Promise<DeviceIdentity> {
  const read = async () => {
    const rows: Array<{ value_encrypted: string }> = await db().query("select value_encrypted from installation_secrets where key = $1", [KEY]);
    return rows[0] ? deserializeDeviceIdentity(JSON.parse(decryptSecret(rows[0].value_encrypted))) : null;
  };
  const existing = await read();
  if (existing) return existing;
  const fresh = generateDeviceIdentity();
  await db().query("insert into installation_secrets (key, value_encrypted) values ($1, $2) on conflict (key) do nothing", [
    KEY,
    encryptSecret(JSON.stringify(serializeDeviceIdentity(fresh))),
  ]);
  return (await read())!;
}
