import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { ConnectParams, RequestFrame } from "./frames";
import {
  deserializeDeviceIdentity,
  deviceAuthPayload,
  deviceIdFromPublicKey,
  generateDeviceIdentity,
  serializeDeviceIdentity,
  signDevice,
  verifyDeviceSignature,
} from "./identity";
import { recordedSession } from "./testing/samples";

/** The connect request the reference client sent, which the real gateway accepted (hello-ok followed). */
function recordedConnect(): ConnectParams {
  const line = recordedSession("client-frames-full-run.jsonl").find(
    (entry) => entry.dir === "out" && (entry.frame as RequestFrame).method === "connect",
  );
  return (line!.frame as RequestFrame).params as ConnectParams;
}

function fieldsOf(params: ConnectParams) {
  return {
    clientId: params.client.id,
    clientMode: params.client.mode,
    role: params.role,
    scopes: params.scopes,
    signedAt: params.device!.signedAt,
    token: params.auth.token ?? "",
    nonce: params.device!.nonce,
    platform: params.client.platform,
    deviceFamily: params.client.deviceFamily,
  };
}

describe("device identity", () => {
  it("derives the device id as hex SHA-256 of the raw public key, as in the recorded connect", () => {
    const { device } = recordedConnect();
    const raw = Buffer.from(device!.publicKey, "base64url");
    expect(raw).toHaveLength(32);
    expect(deviceIdFromPublicKey(raw)).toBe(device!.id);
  });

  it("builds the exact v3 payload the real gateway verified", () => {
    const params = recordedConnect();
    // the recorded signature was accepted by openclaw 2026.9.6; it verifies only over our payload
    expect(verifyDeviceSignature(params.device!, fieldsOf(params))).toBe(true);
    expect(verifyDeviceSignature(params.device!, { ...fieldsOf(params), token: "another" })).toBe(false);
    expect(verifyDeviceSignature(params.device!, { ...fieldsOf(params), scopes: ["operator.read"] })).toBe(false);
    expect(deviceAuthPayload(params.device!.id, fieldsOf(params))).toBe(
      [
        "v3",
        params.device!.id,
        "gateway-client",
        "ui",
        "operator",
        "operator.read,operator.write,operator.admin,operator.approvals,operator.pairing",
        String(params.device!.signedAt),
        "mc-test-token-0123456789abcdef",
        params.device!.nonce,
        "linux",
        "",
      ].join("|"),
    );
  });

  it("lower-cases and trims platform and device family in the payload", () => {
    const payload = deviceAuthPayload("id", {
      clientId: "c",
      clientMode: "m",
      role: "operator",
      scopes: [],
      signedAt: 1,
      token: "",
      nonce: "n",
      platform: " Linux ",
      deviceFamily: "Server",
    });
    expect(payload).toBe("v3|id|c|m|operator||1||n|linux|server");
  });

  it("signs with a fresh identity so that the gateway's check passes", () => {
    const identity = generateDeviceIdentity();
    const fields = { ...fieldsOf(recordedConnect()), nonce: "fresh-nonce", signedAt: 42 };
    const device = signDevice(identity, fields);
    expect(device).toMatchObject({ id: identity.deviceId, publicKey: identity.publicKey, signedAt: 42, nonce: "fresh-nonce" });
    expect(device.signature).toMatch(/^[A-Za-z0-9_-]{86}$/); // 64 bytes, base64url without padding
    expect(verifyDeviceSignature(device, fields)).toBe(true);
    const raw = Buffer.from(identity.publicKey, "base64url");
    expect(identity.deviceId).toBe(createHash("sha256").update(raw).digest("hex"));
  });

  it("survives a JSON round trip and keeps signing as the same device", () => {
    const identity = generateDeviceIdentity();
    const stored = JSON.parse(JSON.stringify(serializeDeviceIdentity(identity)));
    expect(stored).toEqual({ version: 1, deviceId: identity.deviceId, publicKey: identity.publicKey, privateKey: expect.any(String) });
    const loaded = deserializeDeviceIdentity(stored);
    expect(loaded.deviceId).toBe(identity.deviceId);
    const fields = { ...fieldsOf(recordedConnect()), nonce: "n2" };
    expect(verifyDeviceSignature(signDevice(loaded, fields), fields)).toBe(true);
  });

  it("refuses a stored identity that is damaged or not its own", () => {
    const stored = serializeDeviceIdentity(generateDeviceIdentity());
    const other = serializeDeviceIdentity(generateDeviceIdentity());
    expect(() => deserializeDeviceIdentity({ ...stored, deviceId: other.deviceId })).toThrow(/does not match/);
    expect(() => deserializeDeviceIdentity({ ...stored, publicKey: other.publicKey })).toThrow(/does not match/);
    expect(() => deserializeDeviceIdentity({ ...stored, privateKey: "bm90IGEga2V5" })).toThrow(/unreadable private key/);
    expect(() => deserializeDeviceIdentity({ ...stored, version: 2 })).toThrow(/format/);
    expect(() => deserializeDeviceIdentity(null)).toThrow(/format/);
  });
});
