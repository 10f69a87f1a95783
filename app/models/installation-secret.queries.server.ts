import { z } from "zod";
import { col, rowDecoder, type Queryable } from "~/db/rows";

/* Every statement on `installation_secrets`: values of the installation, sealed before they are stored. */

const sealedRow = rowDecoder("installation_secrets: by key", z.object({ sealed: col.text }));

export async function findSealedSecret(q: Queryable, key: string): Promise<string | null> {
  return sealedRow.first(await q.query(`select value_encrypted as sealed from installation_secrets where key = $1`, [key]))?.sealed ?? null;
}

/** Stores `sealed` unless the key has a value already (the first writer wins). */
export async function insertSealedSecret(q: Queryable, key: string, sealed: string): Promise<void> {
  await q.query(`insert into installation_secrets (key, value_encrypted) values ($1, $2) on conflict (key) do nothing`, [key, sealed]);
}
