import { describe, expect, it } from "vitest";
import type { ConnectParams, RequestFrame } from "./frames";
import { buildConnectParams, classifyConnectError, OPERATOR_SCOPES } from "./handshake";
import { generateDeviceIdentity, verifyDeviceSignature } from "./identity";
import { recordedChallenge, recordedSession } from "./testing/samples";

const DEVICE = "62905e8a7ccfe4411963a4549a85bf56d28c79213fef35c3b35a450028c57ee7";

describe("buildConnectParams", () => {
  it("has the shape of the connect the real gateway accepted, signed over the challenge", () => {
    const recorded = recordedSession("client-frames-full-run.jsonl").find(
      (line) => line.dir === "out" && (line.frame as RequestFrame).method === "connect",
    )!.frame as RequestFrame;
    const challenge = recordedChallenge().payload;
    const identity = generateDeviceIdentity();
    const params = buildConnectParams({
      challenge,
      identity,
      credentials: { token: "secret" },
      client: { id: "gateway-client", mode: "ui", version: "0.1.0", platform: "linux", displayName: "Mission Control" },
      scopes: OPERATOR_SCOPES,
    });
    expect(Object.keys(params).sort()).toEqual(Object.keys(recorded.params as object).sort());
    expect(params).toMatchObject({
      minProtocol: 4,
      maxProtocol: 4,
      role: "operator",
      scopes: (recorded.params as ConnectParams).scopes,
      caps: ["tool-events"],
      auth: { token: "secret" },
      device: { id: identity.deviceId, signedAt: challenge.ts, nonce: challenge.nonce },
    });
    expect(
      verifyDeviceSignature(params.device!, {
        clientId: "gateway-client",
        clientMode: "ui",
        role: "operator",
        scopes: OPERATOR_SCOPES,
        signedAt: challenge.ts,
        token: "secret",
        nonce: challenge.nonce,
        platform: "linux",
      }),
    ).toBe(true);
  });

  it("sends a device token only when there is no shared token", () => {
    const base = {
      challenge: { nonce: "n", ts: 1 },
      identity: generateDeviceIdentity(),
      client: { id: "gateway-client", mode: "ui", version: "1", platform: "linux" },
      scopes: ["operator.read"],
    };
    expect(buildConnectParams({ ...base, credentials: { deviceToken: "dt" } }).auth).toEqual({ deviceToken: "dt" });
    expect(buildConnectParams({ ...base, credentials: { token: "t", deviceToken: "dt" } }).auth).toEqual({ token: "t" });
  });
});

describe("classifyConnectError", () => {
  it("a wrong token is unauthorized, with the gateway's words and what to do, and no retry", () => {
    const failure = classifyConnectError(
      {
        code: "INVALID_REQUEST",
        message: "unauthorized: gateway token mismatch (set gateway.remote.token to match gateway.auth.token)",
        details: { code: "AUTH_TOKEN_MISMATCH" },
      },
      DEVICE,
    );
    expect(failure).toMatchObject({ state: "unauthorized", code: "AUTH_TOKEN_MISMATCH", retry: false });
    expect(failure.message).toMatch(/^The gateway rejected the token \(unauthorized: gateway token mismatch/);
    expect(failure.message).toMatch(/Check the token/);
  });

  it("pairing required carries the device id and the approve command", () => {
    const failure = classifyConnectError(
      {
        code: "NOT_PAIRED",
        message: "pairing required: device is not approved yet",
        details: { code: "PAIRING_REQUIRED", reason: "not-paired", requestId: "req-7", deviceId: DEVICE },
      },
      DEVICE,
    );
    expect(failure).toMatchObject({
      state: "pairing-required",
      retry: true,
      pairing: { deviceId: DEVICE, requestId: "req-7", approveCommand: "openclaw devices approve req-7" },
    });
    expect(failure.message).toContain("openclaw devices approve req-7");
  });

  it("pairing required without a request id tells the operator to list requests first", () => {
    const failure = classifyConnectError({ code: "NOT_PAIRED", message: "pairing required" }, DEVICE);
    expect(failure).toMatchObject({ state: "pairing-required", pairing: { requestId: null } });
    expect(failure.message).toContain("openclaw devices list");
  });

  it("a protocol mismatch is its own state and is not retried", () => {
    const failure = classifyConnectError(
      { code: "INVALID_REQUEST", message: "protocol mismatch", details: { code: "PROTOCOL_MISMATCH", expectedProtocol: 5 } },
      DEVICE,
    );
    expect(failure).toMatchObject({ state: "protocol-mismatch", retry: false });
    expect(failure.message).toContain("expects protocol 5");
  });

  it("a gateway still starting up is retried after the time it asks for", () => {
    const failure = classifyConnectError(
      { code: "UNAVAILABLE", message: "gateway starting", details: { reason: "startup-sidecars", retryAfterMs: 750 } },
      DEVICE,
    );
    expect(failure).toMatchObject({ state: "offline", retry: true, retryAfterMs: 750 });
  });

  it("a device signature problem is unauthorized", () => {
    expect(
      classifyConnectError({ code: "INVALID_REQUEST", message: "device signature invalid", details: { code: "DEVICE_AUTH_SIGNATURE_INVALID" } }, DEVICE),
    ).toMatchObject({ state: "unauthorized", retry: false });
  });
});
