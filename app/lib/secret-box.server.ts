import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { getEnv } from "~/env.server";
import { log } from "./log.server";

/*
 * AES-256-GCM for secrets at rest (gateway tokens, the device key). The key comes from MC_SECRET_KEY;
 * without it, one is generated once into MC_DATA_DIR/secret-key. Every replica must use the same key.
 * Format: v1.<iv>.<tag>.<ciphertext>, base64url.
 */
const VERSION = "v1";
let cachedKey: Buffer | undefined;

function loadKey(): Buffer {
  if (cachedKey) return cachedKey;
  const env = getEnv();
  if (env.MC_SECRET_KEY) {
    cachedKey = createHash("sha256").update(env.MC_SECRET_KEY, "utf8").digest();
    return cachedKey;
  }
  const file = path.resolve(env.MC_DATA_DIR, "secret-key");
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(32).toString("base64url") + "\n", { mode: 0o600, flag: "wx" });
    if (env.DATABASE_URL) {
      log.warn("MC_SECRET_KEY is not set: generated a key into the data folder. Set MC_SECRET_KEY so every replica can read the secrets.", { file });
    }
  }
  cachedKey = createHash("sha256").update(readFileSync(file, "utf8").trim(), "utf8").digest();
  return cachedKey;
}

export function encryptSecret(plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", loadKey(), iv);
  const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return [VERSION, iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), body.toString("base64url")].join(".");
}

export function decryptSecret(sealed: string): string {
  const [version, iv, tag, body] = sealed.split(".");
  if (version !== VERSION || !iv || !tag || body === undefined) throw new Error("The stored secret has an unknown format.");
  const decipher = createDecipheriv("aes-256-gcm", loadKey(), Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  try {
    return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    throw new Error("A stored secret could not be decrypted: MC_SECRET_KEY (or data/secret-key) is not the key it was written with.");
  }
}

export function resetSecretKeyForTests() {
  cachedKey = undefined;
}
