import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from "node:crypto";

/*
 * The device identity Mission Control presents to gateways: one Ed25519 key pair per installation.
 * The gateway pairs (and on remote gateways, an operator approves) this device once, so the key
 * pair must be kept and shared by every app process: serialize it, store it encrypted, load it back.
 *
 * Wire format (protocol 4): device id = hex SHA-256 of the raw 32-byte public key; public key and
 * signature in base64url without padding.
 */

export interface DeviceIdentity {
  /** hex SHA-256 of the raw public key; what the gateway lists and the operator approves */
  readonly deviceId: string;
  /** raw 32-byte Ed25519 public key, base64url */
  readonly publicKey: string;
  readonly privateKey: KeyObject;
}

/** A JSON-able form of the identity; `privateKey` is secret: encrypt it at rest. */
export interface StoredDeviceIdentity {
  version: 1;
  deviceId: string;
  publicKey: string;
  /** PKCS#8 DER of the Ed25519 private key, base64url */
  privateKey: string;
}

// DER prefix of an Ed25519 SubjectPublicKeyInfo; the raw key is the 32 bytes after it.
const ED25519_SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

export function generateDeviceIdentity(): DeviceIdentity {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  return identityFromKeys(privateKey, publicKey);
}

export function serializeDeviceIdentity(identity: DeviceIdentity): StoredDeviceIdentity {
  return {
    version: 1,
    deviceId: identity.deviceId,
    publicKey: identity.publicKey,
    privateKey: identity.privateKey.export({ format: "der", type: "pkcs8" }).toString("base64url"),
  };
}

/** Loads a stored identity and checks it is whole: the id and public key must match the private key. */
export function deserializeDeviceIdentity(stored: unknown): DeviceIdentity {
  if (!isStoredIdentity(stored)) {
    throw new Error("The stored gateway device identity is not in a format this version understands.");
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: Buffer.from(stored.privateKey, "base64url"), format: "der", type: "pkcs8" });
  } catch (error) {
    throw new Error("The stored gateway device identity has an unreadable private key.", { cause: error });
  }
  if (privateKey.asymmetricKeyType !== "ed25519") {
    throw new Error("The stored gateway device identity is not an Ed25519 key.");
  }
  const identity = identityFromKeys(privateKey, createPublicKey(privateKey));
  if (identity.publicKey !== stored.publicKey || identity.deviceId !== stored.deviceId) {
    throw new Error("The stored gateway device identity does not match its own private key.");
  }
  return identity;
}

export function deviceIdFromPublicKey(rawPublicKey: Uint8Array): string {
  return createHash("sha256").update(rawPublicKey).digest("hex");
}

export interface DeviceAuthFields {
  clientId: string;
  clientMode: string;
  role: string;
  scopes: readonly string[];
  /** the challenge's `ts`, in ms */
  signedAt: number;
  /** the credential sent in `auth` (shared token or device token); "" when none */
  token: string;
  nonce: string;
  platform?: string;
  deviceFamily?: string;
}

/** The exact string a protocol-4 device signs (payload version v3). */
export function deviceAuthPayload(deviceId: string, fields: DeviceAuthFields): string {
  return [
    "v3",
    deviceId,
    fields.clientId,
    fields.clientMode,
    fields.role,
    fields.scopes.join(","),
    String(fields.signedAt),
    fields.token,
    fields.nonce,
    normalizeMeta(fields.platform),
    normalizeMeta(fields.deviceFamily),
  ].join("|");
}

/** The `device` object of the connect request. */
export interface SignedDevice {
  id: string;
  publicKey: string;
  signature: string;
  signedAt: number;
  nonce: string;
}

export function signDevice(identity: DeviceIdentity, fields: DeviceAuthFields): SignedDevice {
  const payload = Buffer.from(deviceAuthPayload(identity.deviceId, fields), "utf8");
  return {
    id: identity.deviceId,
    publicKey: identity.publicKey,
    signature: sign(null, payload, identity.privateKey).toString("base64url"),
    signedAt: fields.signedAt,
    nonce: fields.nonce,
  };
}

/** What the gateway does with a connect request's device: used by the tests' fake gateway. */
export function verifyDeviceSignature(device: SignedDevice, fields: DeviceAuthFields): boolean {
  const raw = Buffer.from(device.publicKey, "base64url");
  if (raw.length !== 32 || deviceIdFromPublicKey(raw) !== device.id) return false;
  const key = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: "der", type: "spki" });
  const payload = Buffer.from(deviceAuthPayload(device.id, fields), "utf8");
  return verify(null, payload, key, Buffer.from(device.signature, "base64url"));
}

function identityFromKeys(privateKey: KeyObject, publicKey: KeyObject): DeviceIdentity {
  const spki = publicKey.export({ format: "der", type: "spki" });
  const raw = spki.subarray(ED25519_SPKI_PREFIX.length);
  return { deviceId: deviceIdFromPublicKey(raw), publicKey: raw.toString("base64url"), privateKey };
}

function normalizeMeta(value: string | undefined): string {
  return (value ?? "").trim().toLowerCase();
}

function isStoredIdentity(value: unknown): value is StoredDeviceIdentity {
  if (!value || typeof value !== "object") return false;
  const record = value as Record<string, unknown>;
  return (
    record.version === 1 &&
    typeof record.deviceId === "string" &&
    typeof record.publicKey === "string" &&
    typeof record.privateKey === "string"
  );
}
