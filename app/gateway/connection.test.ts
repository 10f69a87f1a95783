import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { GatewayConnection, type GatewayConnectionOptions, type GatewayStatus } from "./connection";
import {
  ConnectionLostError,
  GatewayRequestError,
  MethodUnavailableError,
  NotConnectedError,
  RequestTimeoutError,
} from "./errors";
import type { EventFrame } from "./frames";
import { generateDeviceIdentity } from "./identity";
import { FakeGateway, pairingRequired, type RpcAnswer } from "./testing/fake-gateway";
import { recordedEventsByKind, recordedHelloOk, recordedPayload, recordedSession } from "./testing/samples";

const identity = generateDeviceIdentity();
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function fakeGateway(options: Parameters<typeof FakeGateway.start>[0] = {}) {
  const gateway = await FakeGateway.start(options);
  cleanups.push(() => gateway.close());
  return gateway;
}

function connect(gateway: { url: string; token: string }, options: Partial<GatewayConnectionOptions> = {}) {
  const connection = new GatewayConnection({
    url: gateway.url,
    token: gateway.token,
    identity,
    reconnect: { initialDelayMs: 10, maxDelayMs: 40, jitter: 0 },
    ...options,
  });
  cleanups.push(() => connection.close());
  return connection.start();
}

/** A loopback port nobody listens on. */
async function deadPort(): Promise<number> {
  const server = net.createServer().listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("handshake", () => {
  it("answers the challenge and comes online with what hello-ok announced", async () => {
    const gateway = await fakeGateway();
    const connection = connect(gateway);
    expect(connection.status.state).toBe("connecting");

    const status = await connection.waitFor("online");
    const hello = recordedHelloOk().payload as { features: { methods: string[] } };
    expect(status).toMatchObject({
      state: "online",
      serverVersion: "2026.9.6",
      protocol: 4,
      lastError: null,
      deviceId: identity.deviceId,
      reconnectAttempt: 0,
    });
    expect(status.latencyMs).toEqual(expect.any(Number));
    expect(status.lastSeenAt).toEqual(expect.any(Number));
    expect(connection.methods).toHaveLength(hello.features.methods.length);
    expect(connection.hasMethod("agents.list")).toBe(true);
    expect(connection.helloOk?.policy.tickIntervalMs).toBe(30_000);

    const { connectParams } = await gateway.waitForClient(1);
    expect(connectParams).toMatchObject({
      minProtocol: 4,
      maxProtocol: 4,
      client: { id: "gateway-client", mode: "ui", displayName: "Mission Control" },
      role: "operator",
      auth: { token: gateway.token },
      device: { id: identity.deviceId },
    });
  });

  it("measures the round trip with a ping", async () => {
    const gateway = await fakeGateway();
    const connection = connect(gateway);
    await connection.waitFor("online");
    const latency = await connection.measureLatency();
    expect(latency).toBeGreaterThanOrEqual(0);
    expect(latency).toBeLessThan(1_000);
    expect(connection.status.latencyMs).toBe(latency);
  });

  it("a wrong token gives unauthorized with a readable message, and no retries", async () => {
    const gateway = await fakeGateway();
    const connection = connect({ url: gateway.url, token: "not-the-token" });
    const status = await connection.waitFor("unauthorized");
    expect(status.lastErrorCode).toBe("AUTH_TOKEN_MISMATCH");
    expect(status.lastError).toMatch(/^The gateway rejected the token \(unauthorized: gateway token mismatch/);
    expect(status.nextReconnectAt).toBeNull();
    expect(gateway.clients).toHaveLength(1);
    await expect(connection.api.health()).rejects.toThrow(NotConnectedError);
    await expect(connection.api.health()).rejects.toThrow(/gateway is unauthorized \(The gateway rejected the token/);
  });

  it("pairing required shows the device id and approve command, then connects once approved", async () => {
    const gateway = await fakeGateway();
    let approved = false;
    gateway.connectOutcome = (params) => (approved ? "hello" : pairingRequired(params.device!.id, "req-42"));
    const connection = connect(gateway);

    const status = await connection.waitFor("pairing-required");
    expect(status.pairing).toEqual({
      deviceId: identity.deviceId,
      requestId: "req-42",
      approveCommand: "openclaw devices approve req-42",
    });
    expect(status.lastError).toContain("openclaw devices approve req-42");
    expect(status.nextReconnectAt).toEqual(expect.any(Number)); // keeps asking, slowly

    approved = true;
    const online = await connection.waitFor("online");
    expect(online.pairing).toBeNull();
  });

  it("a protocol mismatch is reported as such and not retried", async () => {
    const gateway = await fakeGateway();
    gateway.connectOutcome = () => ({
      closeCode: 1002,
      error: { code: "INVALID_REQUEST", message: "protocol mismatch", details: { code: "PROTOCOL_MISMATCH", expectedProtocol: 5 } },
    });
    const connection = connect(gateway);
    const status = await connection.waitFor("protocol-mismatch");
    expect(status.lastError).toMatch(/different protocol version \(it expects protocol 5\)/);
    expect(status.nextReconnectAt).toBeNull();
  });

  it("a gateway that never completes the handshake is offline after the connect timeout", async () => {
    const gateway = await fakeGateway();
    gateway.connectOutcome = () => "ignore";
    const connection = connect(gateway, { connectTimeoutMs: 100, reconnect: false });
    const status = await connection.waitFor("offline");
    expect(status.lastErrorCode).toBe("HANDSHAKE_TIMEOUT");
    expect(status.lastError).toMatch(/did not complete the handshake within 100 ms/);
  });

  it("nothing listening: offline with the socket's reason", async () => {
    const port = await deadPort();
    const connection = connect({ url: `ws://127.0.0.1:${port}`, token: "t" }, { reconnect: false });
    const status = await connection.waitFor("offline");
    expect(status.lastErrorCode).toBe("ECONNREFUSED");
    expect(status.lastError).toMatch(/^Could not connect to the gateway at ws:\/\/127\.0\.0\.1:\d+\. Check that it is running and that this host can reach it\.$/);
  });
});

describe("outbound guard (handed in by the app)", () => {
  it("a refused URL is offline with the guard's sentence and never opens a socket", async () => {
    const gateway = await fakeGateway();
    const connection = connect(gateway, { reconnect: false, outbound: { refuseUrl: () => "Not there." } });
    const status = await connection.waitFor("offline");
    expect(status.lastError).toBe("Not there.");
    expect(status.lastErrorCode).toBe("OUTBOUND_REFUSED");
    expect(status.nextReconnectAt).toBeNull();
  });

  it("the socket resolves names through the guard's lookup, and its refusal is shown as it is", async () => {
    const names: string[] = [];
    const lookup = (hostname: string, _options: unknown, callback: (error: NodeJS.ErrnoException | null) => void) => {
      names.push(hostname);
      const refusal: NodeJS.ErrnoException = new Error("gw.test resolves to 169.254.169.254, refused.");
      refusal.code = "OUTBOUND_REFUSED";
      callback(refusal);
    };
    const connection = connect({ url: "ws://gw.test:1", token: "t" }, { reconnect: false, outbound: { refuseUrl: () => null, lookup } });
    const status = await connection.waitFor("offline");
    expect(names).toEqual(["gw.test"]);
    expect(status.lastError).toBe("gw.test resolves to 169.254.169.254, refused.");
  });
});

describe("requests", () => {
  it("correlates answers by id, whatever order they come back in", async () => {
    const gateway = await fakeGateway();
    // hold every answer until all three requests are in, then answer in reverse order
    const release: Array<() => void> = [];
    for (const method of ["health", "agents.list", "cron.list"]) {
      gateway.handlers.set(method, (request) => new Promise<RpcAnswer>((resolve) => {
        release.push(() => resolve({ ok: true, payload: recordedPayload(request.method) }));
        if (release.length === 3) for (const answer of [...release].reverse()) answer();
      }));
    }
    const connection = connect(gateway);
    await connection.waitFor("online");

    const [health, agents, cron] = await Promise.all([
      connection.api.health(),
      connection.api.agentsList(),
      connection.api.cronList(),
    ]);
    expect(health.ok).toBe(true);
    expect(health.defaultAgentId).toBe("main");
    expect(agents.agents.map((agent) => agent.id)).toEqual(["main"]);
    expect(cron.jobs.length).toBeGreaterThan(0);
    const ids = gateway.clients[0].requests.map((request) => request.id);
    expect(new Set(ids).size).toBe(3);
  });

  it("a request with no answer times out with an error naming the method; the link stays up", async () => {
    const gateway = await fakeGateway();
    gateway.handlers.set("status", () => "never");
    const connection = connect(gateway);
    await connection.waitFor("online");

    const error = await connection.api.status({ timeoutMs: 50 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RequestTimeoutError);
    expect((error as RequestTimeoutError).method).toBe("status");
    expect((error as Error).message).toBe("The gateway did not answer status within 50 ms.");

    expect(connection.status.state).toBe("online");
    const health = await connection.api.health();
    expect(health.ok).toBe(true);
  });

  it("a late answer after the timeout is dropped without harm", async () => {
    const gateway = await fakeGateway();
    let answerLate: (() => void) | null = null;
    gateway.handlers.set("status", () => new Promise<RpcAnswer>((resolve) => {
      answerLate = () => resolve({ ok: true, payload: { runtimeVersion: "late" } });
    }));
    const connection = connect(gateway);
    await connection.waitFor("online");
    await expect(connection.api.status({ timeoutMs: 30 })).rejects.toThrow(RequestTimeoutError);
    answerLate!();
    // the next exchange on the same socket comes after the late frame, so it has been handled
    await expect(connection.api.health()).resolves.toMatchObject({ ok: true });
    expect(connection.status.state).toBe("online");
  });

  it("a method the gateway did not announce is refused before anything is sent", async () => {
    const gateway = await fakeGateway({ methods: (methods) => methods.filter((method) => method !== "cron.add") });
    const connection = connect(gateway);
    await connection.waitFor("online");
    expect(connection.hasMethod("cron.add")).toBe(false);

    const error = await connection.api
      .cronAdd({ name: "x", schedule: { kind: "every", everyMs: 60_000 }, sessionTarget: "isolated", wakeMode: "now", payload: { kind: "agentTurn", message: "hi" } })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MethodUnavailableError);
    expect((error as Error).message).toBe(
      "This gateway (OpenClaw 2026.9.6) does not offer cron.add; update OpenClaw on the gateway to use this feature.",
    );
    await expect(connection.request("no.such.method")).rejects.toThrow(MethodUnavailableError);
    expect(gateway.clients[0].requests).toEqual([]);
    expect(connection.status.state).toBe("online");
  });

  it("asks sessions.usage though 2026.9.6 leaves it out of its method list (it answers it)", async () => {
    const gateway = await fakeGateway();
    const connection = connect(gateway);
    await connection.waitFor("online");
    expect(connection.methods).not.toContain("sessions.usage");
    expect(connection.hasMethod("sessions.usage")).toBe(true);
    const answer = await connection.api.sessionsUsage({ key: "agent:main:mc-final" });
    expect(answer.sessions[0]).toMatchObject({ key: "agent:main:mc-final", usage: null });
    expect(answer.cacheStatus?.status).toBe("refreshing");
    expect(gateway.clients[0].requests.map((r: { method: string }) => r.method)).toEqual(["sessions.usage"]);
  });

  it("a gateway that does not know sessions.usage makes it unavailable, and it is not asked again", async () => {
    const gateway = await fakeGateway();
    gateway.handlers.set("sessions.usage", () => ({ ok: false, error: { code: "INVALID_REQUEST", message: "unknown method: sessions.usage" } }));
    const connection = connect(gateway);
    await connection.waitFor("online");
    await expect(connection.api.sessionsUsage()).rejects.toBeInstanceOf(MethodUnavailableError);
    expect(connection.hasMethod("sessions.usage")).toBe(false);
    await expect(connection.api.sessionsUsage()).rejects.toBeInstanceOf(MethodUnavailableError);
    expect(gateway.clients[0].requests.map((r: { method: string }) => r.method)).toEqual(["sessions.usage"]);
    // any other refusal is passed on as it is
    gateway.handlers.set("cron.remove", () => ({ ok: false, error: { code: "INVALID_REQUEST", message: "cron job not found" } }));
    await expect(connection.api.cronRemove({ id: "x" })).rejects.not.toBeInstanceOf(MethodUnavailableError);
  });

  it("an error answer rejects with the gateway's code and details", async () => {
    const gateway = await fakeGateway();
    gateway.handlers.set("cron.remove", () => ({
      ok: false,
      error: { code: "INVALID_REQUEST", message: "cron job not found", details: { code: "CRON_JOB_NOT_FOUND" } },
    }));
    const connection = connect(gateway);
    await connection.waitFor("online");
    const error = await connection.api.cronRemove({ id: "nope" }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GatewayRequestError);
    expect(error).toMatchObject({ code: "INVALID_REQUEST", method: "cron.remove", detailCode: "CRON_JOB_NOT_FOUND" });
    expect((error as Error).message).toBe("The gateway refused cron.remove: cron job not found");
  });

  it("sends each wrapper's method and params", async () => {
    const gateway = await fakeGateway();
    const connection = connect(gateway);
    await connection.waitFor("online");
    await connection.api.sessionsList({ limit: 5 });
    await connection.api.chatHistory({ sessionKey: "agent:main:x", limit: 10 });
    await connection.api.usageCost({ days: 7 });
    await connection.api.logsTail({ limit: 20 });
    expect(gateway.clients[0].requests.map(({ method, params }) => ({ method, params }))).toEqual([
      { method: "sessions.list", params: { limit: 5 } },
      { method: "chat.history", params: { sessionKey: "agent:main:x", limit: 10 } },
      { method: "usage.cost", params: { days: 7 } },
      { method: "logs.tail", params: { limit: 20 } },
    ]);
  });

  it("requests waiting when the link drops fail with ConnectionLostError", async () => {
    const gateway = await fakeGateway();
    gateway.handlers.set("status", () => "never");
    const connection = connect(gateway, { reconnect: false });
    await connection.waitFor("online");
    const waiting = connection.api.status().catch((caught: unknown) => caught);
    await gateway.waitForRequest("status");
    gateway.dropAll();
    const error = await waiting;
    expect(error).toBeInstanceOf(ConnectionLostError);
    expect((error as Error).message).toMatch(/^The connection to the gateway was lost before it answered status/);
  });
});

describe("events", () => {
  it("delivers recorded events to all-event and per-name subscribers, in order", async () => {
    const gateway = await fakeGateway();
    const connection = connect(gateway);
    await connection.waitFor("online");

    // the gateway's side of a recorded chat turn
    const inbound = recordedSession("client-frames-full-run.jsonl")
      .filter((line) => line.dir === "in" && line.frame.type === "event")
      .map((line) => line.frame as EventFrame)
      .filter((frame) => frame.event !== "connect.challenge");

    const all: EventFrame[] = [];
    const chats: EventFrame[] = [];
    const allSeen = new Promise<void>((resolve) =>
      connection.onEvent((frame) => {
        all.push(frame);
        if (all.length === inbound.length) resolve();
      }),
    );
    const stopChats = connection.onEvent("chat", (frame) => chats.push(frame));
    const finalSeen = new Promise<EventFrame>((resolve) =>
      connection.onEvent("chat", (frame) => (frame.payload as { state?: string }).state === "final" && resolve(frame)),
    );
    for (const frame of inbound) gateway.broadcast(frame);

    const final = await finalSeen;
    expect(final.payload).toMatchObject({ state: "final", sessionKey: expect.stringMatching(/^agent:main:/) });
    await allSeen;
    expect(all.map((frame) => frame.event)).toEqual(inbound.map((frame) => frame.event));
    expect(chats.every((frame) => frame.event === "chat")).toBe(true);
    expect(chats.length).toBe(inbound.filter((frame) => frame.event === "chat").length);

    stopChats();
    const before = chats.length;
    const tick = new Promise((resolve) => connection.onEvent("tick", resolve));
    gateway.broadcast(recordedEventsByKind()["chat/delta"]);
    gateway.tick();
    await tick;
    expect(chats.length).toBe(before);
  });

  it("a listener that throws does not stop the others", async () => {
    const gateway = await fakeGateway();
    const warnings: string[] = [];
    const connection = connect(gateway, { logger: { warn: (message) => warnings.push(message) } });
    await connection.waitFor("online");
    connection.onEvent("tick", () => {
      throw new Error("boom");
    });
    const received = new Promise((resolve) => connection.onEvent("tick", resolve));
    gateway.tick();
    await received;
    expect(warnings).toEqual(['a listener for the gateway event "tick" threw']);
  });
});

describe("dead link and reconnect", () => {
  it("goes offline after two tick intervals of silence (no ticks, no pongs)", async () => {
    const gateway = await fakeGateway({ tickIntervalMs: 100, autoPong: false });
    const connection = connect(gateway, { reconnect: false });
    const online = await connection.waitFor("online");
    expect(connection.helloOk?.policy.tickIntervalMs).toBe(100);

    const status = await connection.waitFor("offline");
    const silentFor = Date.now() - online.lastSeenAt!; // hello-ok was the last sign of life
    expect(status.lastErrorCode).toBe("DEAD_LINK");
    expect(status.lastError).toMatch(/^No sign of life from the gateway for \d+ ms \(it should tick every 100 ms\); reconnecting\.$/);
    expect(silentFor).toBeGreaterThanOrEqual(195);
    expect(silentFor).toBeLessThan(2_000);
  });

  it("ticks keep a link that answers no pings alive", async () => {
    const gateway = await fakeGateway({ tickIntervalMs: 200, autoPong: false });
    const connection = connect(gateway, { reconnect: false });
    await connection.waitFor("online");
    let ticks = 0;
    const tenTicks = new Promise<void>((resolve) =>
      connection.onEvent("tick", () => {
        if (++ticks < 10) setTimeout(() => gateway.tick(), 100);
        else resolve();
      }),
    );
    gateway.tick();
    await tenTicks; // ~1 s: more than two dead-link windows (400 ms each)
    expect(connection.status.state).toBe("online");
  });

  it("keeps measuring: every pong gives fresh figures (last, median, last seen) to figures listeners, not to state listeners", async () => {
    const gateway = await fakeGateway();
    // pings every 50 ms
    const connection = connect(gateway, { tickIntervalMs: 100, reconnect: false });
    await connection.waitFor("online");
    const handshakeLatency = connection.status.latencyMs;
    let stateChanges = 0;
    connection.onStatusChange(() => stateChanges++);
    const figures: GatewayStatus[] = [];
    await new Promise<void>((resolve) => {
      connection.onFigures((status) => {
        figures.push(status);
        if (figures.length === 4) resolve();
      });
    });
    expect(stateChanges).toBe(0);
    for (const status of figures) {
      expect(status.latencyMs).toEqual(expect.any(Number));
      expect(status.latencyP50Ms).toEqual(expect.any(Number));
    }
    // last seen moves with each round trip; the figures are the pongs', not the handshake's frozen one
    const seen = figures.map((status) => status.lastSeenAt!);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    expect(seen[3]!).toBeGreaterThan(seen[0]!);
    expect(connection.status.latencyMs).toBe(figures[3]!.latencyMs);
    expect(handshakeLatency).toEqual(expect.any(Number));
  });

  it("pongs keep an idle link alive between the gateway's ticks", async () => {
    const gateway = await fakeGateway();
    // a 200 ms tick override while the fake never ticks: only pongs (every 100 ms) show it is alive
    const connection = connect(gateway, { tickIntervalMs: 200, reconnect: false });
    await connection.waitFor("online");
    let pongs = 0;
    const client = await gateway.waitForClient(1);
    await new Promise<void>((resolve) =>
      client.socket.on("ping", () => {
        if (++pongs === 10) resolve(); // ~1 s: more than two dead-link windows
      }),
    );
    expect(connection.status.state).toBe("online");
  });

  it("reconnects by itself after the gateway drops the link", async () => {
    const gateway = await fakeGateway();
    const connection = connect(gateway);
    await connection.waitFor("online");
    const states: string[] = [];
    connection.onStatusChange((status) => states.push(status.state));

    gateway.dropAll();
    const offline = await connection.waitFor("offline");
    expect(offline.lastError).toMatch(/closed the connection \(connection lost\)/);
    expect(offline.reconnectAttempt).toBe(1);
    expect(offline.reconnectDelayMs).toBe(10);

    const online = await connection.waitFor("online");
    expect(online.reconnectAttempt).toBe(0);
    expect(gateway.clients).toHaveLength(2);
    expect(states.filter((state) => state !== "offline")).toEqual(["online"]);
    await expect(connection.api.health()).resolves.toMatchObject({ ok: true });
  });

  it("backs off exponentially up to the cap while the gateway is down, with jitter", async () => {
    const port = await deadPort();
    const random = [0, 1, 0.5, 0, 1, 1];
    const connection = connect(
      { url: `ws://127.0.0.1:${port}`, token: "t" },
      { reconnect: { initialDelayMs: 4, factor: 2, maxDelayMs: 40, jitter: 0.5 }, random: () => random.shift() ?? 1 },
    );
    const delays: number[] = [];
    connection.onStatusChange((status: GatewayStatus) => {
      if (status.reconnectDelayMs !== null) delays.push(status.reconnectDelayMs);
    });
    await connection.waitFor((status) => status.reconnectAttempt >= 6, 5_000);
    // bases 4, 8, 16, 32, 40, 40; each between half and all of its base
    expect(delays.slice(0, 6)).toEqual([2, 8, 12, 16, 40, 40]);
  });

  it("close() stops reconnecting and resolves once the socket is closed", async () => {
    const gateway = await fakeGateway();
    const connection = connect(gateway);
    await connection.waitFor("online");
    gateway.handlers.set("status", () => "never");
    const waiting = connection.api.status().catch((caught: unknown) => caught);
    await gateway.waitForRequest("status");

    const client = gateway.clients[0];
    const serverSawClose = new Promise((resolve) => client.socket.once("close", resolve));
    await connection.close();
    expect(connection.status.state).toBe("closed");
    expect(await waiting).toBeInstanceOf(ConnectionLostError);
    await serverSawClose;
    expect(gateway.clients).toHaveLength(1);
    await expect(connection.api.health()).rejects.toThrow(/gateway is closed/);
    expect(() => connection.reconnectNow()).toThrow(/closed/);
  });

  it("close() during a reconnect wait cancels the retry", async () => {
    const port = await deadPort();
    const connection = connect({ url: `ws://127.0.0.1:${port}`, token: "t" }, { reconnect: { initialDelayMs: 60_000 } });
    const offline = await connection.waitFor("offline");
    expect(offline.nextReconnectAt).toEqual(expect.any(Number));
    await connection.close();
    expect(connection.status).toMatchObject({ state: "closed", nextReconnectAt: null });
  });

  it("reconnectNow() tries again at once from unauthorized", async () => {
    const gateway = await fakeGateway();
    const connection = connect({ url: gateway.url, token: "wrong" });
    await connection.waitFor("unauthorized");
    expect(gateway.clients).toHaveLength(1);
    connection.reconnectNow();
    expect(connection.status.state).toBe("connecting");
    await connection.waitFor("unauthorized");
    expect(gateway.clients).toHaveLength(2);
  });
});
