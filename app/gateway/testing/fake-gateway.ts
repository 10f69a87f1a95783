import { EventEmitter, once } from "node:events";
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";
import type { ConnectParams, ErrorShape, EventFrame, RequestFrame } from "../frames";
import { verifyDeviceSignature } from "../identity";
import { recordedChallenge, recordedEventsByKind, recordedHelloOk, recordedRpc } from "./samples";

/*
 * A tiny in-process gateway for unit tests: a `ws` server on 127.0.0.1, port 0, that answers with
 * the frames recorded from a real gateway and checks what the client sends the way the real one
 * does (protocol range, client id, device signature, token). Tests steer it per case.
 */

export const FAKE_TOKEN = "mc-test-token-0123456789abcdef";

export type RpcAnswer = { ok: true; payload: unknown } | { ok: false; error: ErrorShape } | "never";
export type RpcHandler = (request: RequestFrame) => RpcAnswer | Promise<RpcAnswer>;

export type ConnectOutcome =
  | "hello"
  | { error: ErrorShape; closeCode: number }
  | "ignore"; // never answer the connect request

export interface FakeClient {
  socket: WebSocket;
  connectParams: ConnectParams | null;
  requests: RequestFrame[];
}

export interface FakeGatewayOptions {
  token?: string;
  /** policy.tickIntervalMs in hello-ok (recorded: 30000) */
  tickIntervalMs?: number;
  /** edits the recorded method list announced in hello-ok */
  methods?: (recorded: string[]) => string[];
  /** answer WebSocket pings (default true); false makes the gateway silent between ticks */
  autoPong?: boolean;
  /** push connect.challenge on open (default true) */
  sendChallenge?: boolean;
}

export class FakeGateway {
  readonly clients: FakeClient[] = [];
  /** per-method overrides; anything else is answered from samples/rpc/<method>.json */
  readonly handlers = new Map<string, RpcHandler>();
  /** decides each connect after the checks a real gateway makes; tests replace it */
  connectOutcome: (params: ConnectParams, client: FakeClient) => ConnectOutcome = () => "hello";

  private readonly emitter = new EventEmitter();
  private readonly options: FakeGatewayOptions;

  private constructor(
    private readonly server: WebSocketServer,
    options: FakeGatewayOptions,
  ) {
    this.options = options;
    server.on("connection", (socket) => this.accept(socket));
  }

  static async start(options: FakeGatewayOptions = {}): Promise<FakeGateway> {
    const server = new WebSocketServer({ host: "127.0.0.1", port: 0, autoPong: options.autoPong ?? true });
    await once(server, "listening");
    return new FakeGateway(server, options);
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get token(): string {
    return this.options.token ?? FAKE_TOKEN;
  }

  /** Sends an event frame to every connected client. */
  broadcast(frame: EventFrame) {
    const text = JSON.stringify(frame);
    for (const client of this.clients) {
      if (client.socket.readyState === client.socket.OPEN) client.socket.send(text);
    }
  }

  /** The recorded tick frame, with a fresh timestamp. */
  tick() {
    const recorded = recordedEventsByKind().tick;
    this.broadcast({ ...recorded, payload: { ts: Date.now() } });
  }

  /** Cuts every connection without a close frame, like a crashed gateway. */
  dropAll() {
    for (const client of this.clients) client.socket.terminate();
  }

  /** Resolves with the n-th client (1-based) once it has connected. */
  async waitForClient(n: number): Promise<FakeClient> {
    while (this.clients.length < n) await once(this.emitter, "client");
    return this.clients[n - 1];
  }

  /** Resolves with the next request for `method` that arrives after this call. */
  async waitForRequest(method: string): Promise<RequestFrame> {
    for (;;) {
      const [request] = (await once(this.emitter, "request")) as [RequestFrame];
      if (request.method === method) return request;
    }
  }

  async close(): Promise<void> {
    for (const client of this.clients) client.socket.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: WebSocket) {
    const client: FakeClient = { socket, connectParams: null, requests: [] };
    this.clients.push(client);
    socket.on("message", (data) => void this.onMessage(client, String(data)));
    if (this.options.sendChallenge ?? true) socket.send(JSON.stringify(recordedChallenge()));
    this.emitter.emit("client", client);
  }

  private async onMessage(client: FakeClient, text: string) {
    const request = JSON.parse(text) as RequestFrame;
    if (request.method === "connect") {
      this.onConnect(client, request);
      return;
    }
    client.requests.push(request);
    this.emitter.emit("request", request);
    const handler = this.handlers.get(request.method) ?? recordedAnswer;
    const answer = await handler(request);
    if (answer === "never" || client.socket.readyState !== client.socket.OPEN) return;
    client.socket.send(JSON.stringify({ type: "res", id: request.id, ...answer }));
  }

  private onConnect(client: FakeClient, request: RequestFrame) {
    const params = request.params as ConnectParams;
    client.connectParams = params;
    const refuse = (error: ErrorShape, closeCode: number) => {
      client.socket.send(JSON.stringify({ type: "res", id: request.id, ok: false, error }));
      client.socket.close(closeCode, error.message.slice(0, 120));
    };
    // the checks a real gateway makes, with the error shapes it uses
    if (params.minProtocol > 4 || params.maxProtocol < 4) {
      return refuse(
        {
          code: "INVALID_REQUEST",
          message: "protocol mismatch",
          details: { code: "PROTOCOL_MISMATCH", clientMinProtocol: params.minProtocol, clientMaxProtocol: params.maxProtocol, expectedProtocol: 4 },
        },
        1002,
      );
    }
    if (params.client?.id !== "gateway-client") {
      return refuse({ code: "INVALID_REQUEST", message: "invalid connect params: at /client/id: must be equal to one of the allowed values" }, 1008);
    }
    const challenge = recordedChallenge().payload;
    const device = params.device;
    const signed =
      device &&
      device.nonce === challenge.nonce &&
      device.signedAt === challenge.ts &&
      verifyDeviceSignature(device, {
        clientId: params.client.id,
        clientMode: params.client.mode,
        role: params.role,
        scopes: params.scopes,
        signedAt: device.signedAt,
        token: params.auth.token ?? params.auth.deviceToken ?? "",
        nonce: device.nonce,
        platform: params.client.platform,
        deviceFamily: params.client.deviceFamily,
      });
    if (!signed) {
      return refuse({ code: "INVALID_REQUEST", message: "device signature invalid", details: { code: "DEVICE_AUTH_SIGNATURE_INVALID", reason: "device-signature" } }, 1008);
    }
    if (params.auth.token !== this.token) {
      return refuse(
        {
          code: "INVALID_REQUEST",
          message: "unauthorized: gateway token mismatch (set gateway.remote.token to match gateway.auth.token)",
          details: { code: "AUTH_TOKEN_MISMATCH", authReason: "token_mismatch", canRetryWithDeviceToken: false, recommendedNextStep: "update_auth_credentials" },
        },
        1008,
      );
    }
    const outcome = this.connectOutcome(params, client);
    if (outcome === "ignore") return;
    if (outcome !== "hello") return refuse(outcome.error, outcome.closeCode);

    const hello = recordedHelloOk();
    const payload = hello.payload as { features: { methods: string[] }; policy: Record<string, unknown> };
    if (this.options.methods) payload.features.methods = this.options.methods(payload.features.methods);
    if (this.options.tickIntervalMs) payload.policy.tickIntervalMs = this.options.tickIntervalMs;
    client.socket.send(JSON.stringify({ ...hello, id: request.id }));
  }
}

function recordedAnswer(request: RequestFrame): RpcAnswer {
  const recorded = recordedRpc(request.method);
  if (recorded?.response.ok) return { ok: true, payload: recorded.response.payload };
  return { ok: false, error: { code: "INVALID_REQUEST", message: `unknown method: ${request.method}` } };
}

/** The gateway's answer when a device still needs approval (NOT_PAIRED + PAIRING_REQUIRED details). */
export function pairingRequired(deviceId: string, requestId: string): { error: ErrorShape; closeCode: number } {
  return {
    closeCode: 1008,
    error: {
      code: "NOT_PAIRED",
      message: "pairing required: device is not approved yet",
      details: {
        code: "PAIRING_REQUIRED",
        reason: "not-paired",
        requestId,
        remediationHint: "Approve this device from the pending pairing requests.",
        deviceId,
        requestedRole: "operator",
      },
    },
  };
}
