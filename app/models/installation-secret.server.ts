import { db } from "~/db/data-source.server";
import { decryptSecret, encryptSecret } from "~/lib/secret-box.server";
import { findSealedSecret, insertSealedSecret } from "./installation-secret.queries.server";

/**
 * A secret of this installation (the same for every replica), created once: a process that loses
 * the race to create it gets the winner's. Sealed with AES-256-GCM at rest; `create` runs only when
 * there is none yet.
 */
export async function installationSecret(key: string, create: () => string): Promise<string> {
  const read = async () => {
    const sealed = await findSealedSecret(db().manager, key);
    return sealed === null ? null : decryptSecret(sealed);
  };
  const existing = await read();
  if (existing !== null) return existing;
  await insertSealedSecret(db().manager, key, encryptSecret(create()));
  const stored = await read();
  if (stored === null) throw new Error(`The installation secret "${key}" could not be stored.`);
  return stored;
}
