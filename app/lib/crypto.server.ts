import { sha256 } from "@oslojs/crypto/sha2";
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from "@oslojs/encoding";
import { getRandomValues } from "node:crypto";

/** 20 random bytes (160 bits) as lower-case base32: the secret half of sessions, invites and API tokens. */
export function generateSecret(bytes = 20): string {
  const buffer = new Uint8Array(bytes);
  getRandomValues(buffer);
  return encodeBase32LowerCaseNoPadding(buffer);
}

/** Only this hash is ever stored, so a leaked table cannot be replayed as credentials. */
export function hashSecret(secret: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(secret)));
}
