import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  GatewayConnection,
  generateDeviceIdentity,
  RequestTimeoutError,
  type EventFrame,
  type GatewayConnectionOptions,
} from "~/gateway";
import { startGateway, type StartedGateway } from "../support/openclaw-harness";

/*
 * The client library against a real OpenClaw gateway (openclaw 2026.9.6 with the mock model),
 * started by the project's own harness. Tests run in order: the fault tests at the end freeze,
 * kill and restart the gateway.
 */

const identity = generateDeviceIdentity();
let gateway: StartedGateway;
const started: StartedGateway[] = [];
const figures: Record<string, string> = {};
const connections: GatewayConnection[] = [];

beforeAll(async () => {
  gateway = await startGateway();
  started.push(gateway);
  figures["gateway ready after"] = `${gateway.readyMs} ms`;
});

afterEach(async () => {
  await Promise.all(connections.splice(0).map((connection) => connection.close()));
});

afterAll(async () => {
  // newest first: a restarted gateway uses the state dir its predecessor created (and removes)
  for (const instance of started.reverse()) await instance.stop();
  console.info(`contract figures:\n${Object.entries(figures).map(([key, value]) => `  ${key}: ${value}`).join("\n")}`);
});

function connect(options: Partial<GatewayConnectionOptions> = {}) {
  const connection = new GatewayConnection({ url: gateway.url, token: gateway.token, identity, ...options });
  connections.push(connection);
  return connection.start();
}

const METHODS_WE_USE = [
  "health", "status", "system.info", "agents.list", "sessions.list", "sessions.subscribe", "sessions.preview",
  "chat.history", "chat.send", "cron.list", "cron.status", "cron.runs", "cron.add", "cron.update", "cron.remove",
  "cron.run", "usage.cost", "usage.status", "models.list", "logs.tail", "update.status",
];

describe("a real OpenClaw gateway", () => {
  it("completes the handshake: hello-ok, protocol 4, the method list", async () => {
    const startedAt = Date.now();
    const connection = connect();
    const status = await connection.waitFor("online", 20_000);
    figures["connect (socket open to hello-ok)"] = `${Date.now() - startedAt} ms`;
    figures["connect round trip (connect req to hello-ok)"] = `${status.latencyMs} ms`;

    expect(status).toMatchObject({ serverVersion: "2026.9.6", protocol: 4, lastError: null, deviceId: identity.deviceId });
    expect(connection.methods.length).toBeGreaterThan(100);
    for (const method of METHODS_WE_USE) expect(connection.hasMethod(method), method).toBe(true);
    expect(connection.helloOk?.policy.tickIntervalMs).toBe(30_000);
    // loopback auto-pairs a signed device and issues it a device token
    expect(connection.helloOk?.auth.deviceToken).toEqual(expect.any(String));

    const pings: number[] = [];
    for (let i = 0; i < 5; i++) pings.push(await connection.measureLatency());
    figures["ping round trip (5 pings)"] = `${pings.join(", ")} ms`;
    expect(Math.max(...pings)).toBeLessThan(1_000);
  });

  it("answers the methods we use with the shapes we rely on", async () => {
    const connection = connect();
    await connection.waitFor("online", 20_000);
    const { api } = connection;
    const timings: string[] = [];
    const timed = async <T>(name: string, call: () => Promise<T>): Promise<T> => {
      const startedAt = Date.now();
      const result = await call();
      timings.push(`${name} ${Date.now() - startedAt}`);
      return result;
    };

    const agents = await timed("agents.list", () => api.agentsList());
    expect(agents.defaultId).toBe("main");
    expect(agents.agents).toEqual(expect.arrayContaining([expect.objectContaining({ id: "main", model: expect.objectContaining({ primary: "mock/mock-1" }) })]));

    const health = await timed("health", () => api.health());
    expect(health).toMatchObject({ ok: true, ts: expect.any(Number), defaultAgentId: "main" });

    const status = await timed("status", () => api.status());
    expect(status).toMatchObject({ runtimeVersion: "2026.9.6", tasks: { total: expect.any(Number), active: expect.any(Number) } });

    const sessions = await timed("sessions.list", () => api.sessionsList({ limit: 50 }));
    expect(sessions).toMatchObject({ count: expect.any(Number), sessions: expect.any(Array) });

    const cost = await timed("usage.cost", () => api.usageCost());
    expect(cost).toMatchObject({ days: expect.any(Number), daily: expect.any(Array), totals: { totalCost: expect.any(Number), totalTokens: expect.any(Number) } });
    expect(cost.daily[0]).toMatchObject({ date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), totalCost: expect.any(Number) });

    const cron = await timed("cron.list", () => api.cronList());
    expect(cron).toMatchObject({ jobs: expect.any(Array) });

    const models = await timed("models.list", () => api.modelsList());
    expect(models.models).toEqual(expect.arrayContaining([expect.objectContaining({ id: "mock-1", provider: "mock", contextWindow: 128000 })]));

    const info = await timed("system.info", () => api.systemInfo());
    expect(info).toMatchObject({ hostname: expect.any(String), platform: "linux" });
    expect(await timed("cron.status", () => api.cronStatus())).toMatchObject({ enabled: expect.any(Boolean), jobs: expect.any(Number) });
    expect(await timed("cron.runs", () => api.cronRuns())).toMatchObject({ entries: expect.any(Array) });
    expect(await timed("usage.status", () => api.usageStatus())).toMatchObject({ providers: expect.any(Array) });
    expect(await timed("logs.tail", () => api.logsTail({ limit: 5 }))).toMatchObject({ cursor: expect.any(Number), lines: expect.any(Array) });
    expect(await timed("update.status", () => api.updateStatus())).toHaveProperty("updateAvailable");
    figures["method round trips (ms)"] = timings.join(", ");
  });

  it("runs a chat turn on the mock model and streams its events", async () => {
    const connection = connect();
    await connection.waitFor("online", 20_000);
    const { api } = connection;
    const sessionKey = `agent:main:mc-contract-${Date.now()}`;
    expect((await api.sessionsSubscribe({ limit: 10 })).subscribed).toBe(true);

    const events: EventFrame[] = [];
    connection.onEvent((frame) => events.push(frame));
    let runId = "";
    const final = new Promise<EventFrame>((resolve) =>
      connection.onEvent("chat", (frame) => {
        const payload = frame.payload as { runId?: string; state?: string };
        if (payload.runId === runId && payload.state === "final") resolve(frame);
      }),
    );
    const startedAt = Date.now();
    const sent = await api.chatSend({ sessionKey, message: "hello from the contract test", idempotencyKey: randomUUID() });
    runId = sent.runId;
    expect(sent.status).toBe("started");
    const finalFrame = await final;
    figures["chat turn (chat.send to final event)"] = `${Date.now() - startedAt} ms`;
    expect(JSON.stringify(finalFrame.payload)).toContain("mock reply: hello from the contract test");
    expect(events.some((frame) => frame.event === "agent")).toBe(true);
    expect(events.some((frame) => frame.event === "sessions.changed")).toBe(true);

    const history = await api.chatHistory({ sessionKey, limit: 10 });
    expect(history.messages.map((message) => message.role)).toEqual(expect.arrayContaining(["user", "assistant"]));
    const preview = await api.sessionsPreview({ keys: [sessionKey] });
    expect(preview.previews[0]).toMatchObject({ key: sessionKey, items: expect.arrayContaining([expect.objectContaining({ role: "assistant" })]) });
    const list = await api.sessionsList({ limit: 50 });
    expect(list.sessions.find((row) => row.key === sessionKey)).toMatchObject({ agentId: "main", model: "mock-1" });
  });

  it("a session row carries the last run's usage; sessions.usage sums every model call of the session", async () => {
    const connection = connect();
    await connection.waitFor("online", 20_000);
    const { api } = connection;
    const sessionKey = `agent:main:mc-usage-${Date.now()}`;
    const turn = async (message: string) => {
      let runId = "";
      const final = new Promise<void>((resolve) =>
        connection.onEvent("chat", (frame) => {
          const payload = frame.payload as { runId?: string; state?: string };
          if (runId && payload.runId === runId && payload.state === "final") resolve();
        }),
      );
      runId = (await api.chatSend({ sessionKey, message, idempotencyKey: randomUUID() })).runId;
      await final;
    };
    await turn('list it TOOL:ls ARGS:{"path":"."}'); // two model calls: the tool call, then the answer
    await turn("and now just talk"); // one model call

    type Usage = { input: number; output: number; cost: { total: number } };
    const calls = (await api.chatHistory({ sessionKey, limit: 50 })).messages
      .filter((message) => message.role === "assistant")
      .map((message) => (message as { usage: Usage }).usage);
    expect(calls).toHaveLength(3);
    const row = (await api.sessionsList({ limit: 50 })).sessions.find((session) => session.key === sessionKey)!;
    // the row: the last run only (one call)
    expect(row.inputTokens).toBe(calls[2]!.input);
    expect(row.estimatedCostUsd).toBeCloseTo(calls[2]!.cost.total, 9);

    // sessions.usage counts after the run, in the background ("refreshing" until then): ask until it has
    const askedAt = Date.now();
    const deadline = askedAt + 20_000;
    let usage = (await api.sessionsUsage({ key: sessionKey })).sessions.find((session) => session.key === sessionKey)?.usage ?? null;
    while ((!usage || usage.input < calls.reduce((sum, call) => sum + call.input, 0)) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200)); // nothing announces a finished count
      usage = (await api.sessionsUsage({ key: sessionKey })).sessions.find((session) => session.key === sessionKey)?.usage ?? null;
    }
    figures["sessions.usage counted the last run after"] = `${Date.now() - askedAt} ms`;
    expect(usage).not.toBeNull();
    expect(usage!.input).toBe(calls.reduce((sum, call) => sum + call.input, 0));
    expect(usage!.output).toBe(calls.reduce((sum, call) => sum + call.output, 0));
    expect(usage!.totalCost).toBeCloseTo(calls.reduce((sum, call) => sum + call.cost.total, 0), 9);
    expect(usage!.totalCost).toBeGreaterThan(row.estimatedCostUsd as number);
  });

  it("adds, updates, runs and removes a cron job", async () => {
    const connection = connect();
    await connection.waitFor("online", 20_000);
    const { api } = connection;
    const job = await api.cronAdd({
      name: `mc-contract-${Date.now()}`,
      schedule: { kind: "every", everyMs: 3_600_000 },
      sessionTarget: "isolated",
      wakeMode: "now",
      payload: { kind: "agentTurn", message: "cron ping from the contract test" },
      delivery: { mode: "none" },
    });
    expect(job).toMatchObject({ id: expect.any(String), enabled: true, schedule: { kind: "every", everyMs: 3_600_000 } });

    const renamed = await api.cronUpdate({ id: job.id, patch: { name: `${job.name}-renamed` } });
    expect(renamed.name).toBe(`${job.name}-renamed`);

    const finished = new Promise<EventFrame>((resolve) =>
      connection.onEvent("cron", (frame) => {
        const payload = frame.payload as { jobId?: string; action?: string };
        if (payload.jobId === job.id && payload.action === "finished") resolve(frame);
      }),
    );
    const run = await api.cronRun({ id: job.id });
    expect(run).toMatchObject({ ok: true, runId: expect.any(String) });
    await finished;
    const runs = await api.cronRuns({ id: job.id });
    expect(runs.entries[0]).toMatchObject({ jobId: job.id, status: "ok" });

    await api.cronRemove({ id: job.id });
    const after = await api.cronList();
    expect(after.jobs.some((entry) => entry.id === job.id)).toBe(false);
  });

  it("a wrong token gives the unauthorized state and a readable message", async () => {
    const connection = connect({ token: "definitely-not-the-token" });
    const status = await connection.waitFor("unauthorized", 20_000);
    expect(status.lastErrorCode).toBe("AUTH_TOKEN_MISMATCH");
    expect(status.lastError).toMatch(/^The gateway rejected the token \(unauthorized: gateway token mismatch/);
    expect(status.lastError).toMatch(/Check the token for this gateway/);
    expect(status.nextReconnectAt).toBeNull();
    figures["wrong token message"] = status.lastError!;
  });

  it("a frozen gateway: a request times out with a clear error, the link is declared dead, and it comes back", async () => {
    // a short tick on our side: pongs (every 500 ms) keep the link alive, their absence kills it
    const tickMs = 1_000;
    const connection = connect({ tickIntervalMs: tickMs, connectTimeoutMs: 3_000, reconnect: { initialDelayMs: 200, maxDelayMs: 1_000 } });
    await connection.waitFor("online", 20_000);
    const stillOnline = await connection.measureLatency(); // a healthy round trip first
    expect(stillOnline).toBeLessThan(tickMs);

    gateway.pause();
    const pausedAt = Date.now();
    try {
      const error = await connection.api.health({ timeoutMs: 1_500 }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(RequestTimeoutError);
      expect((error as Error).message).toBe("The gateway did not answer health within 1.5 s.");

      const offline = await connection.waitFor("offline", 10_000);
      const detectedAfter = Date.now() - pausedAt;
      figures["frozen gateway detected (client tick 1 s)"] = `${detectedAfter} ms`;
      expect(offline.lastErrorCode).toBe("DEAD_LINK");
      expect(detectedAfter).toBeLessThanOrEqual(2 * tickMs + 250);
    } finally {
      gateway.resume();
    }
    const resumedAt = Date.now();
    await connection.waitFor("online", 30_000);
    figures["back online after thaw"] = `${Date.now() - resumedAt} ms`;
    await expect(connection.api.health()).resolves.toMatchObject({ ok: true });
  });

  it("with the gateway's own tick policy (30 s), a frozen gateway is offline within two ticks", async () => {
    const connection = connect({ reconnect: { initialDelayMs: 500, maxDelayMs: 2_000 } });
    await connection.waitFor("online", 20_000);
    const tickMs = connection.helloOk!.policy.tickIntervalMs!;
    gateway.pause();
    const pausedAt = Date.now();
    try {
      const offline = await connection.waitFor("offline", 2 * tickMs + 10_000);
      const detectedAfter = Date.now() - pausedAt;
      figures["frozen gateway detected (policy tick 30 s)"] = `${detectedAfter} ms`;
      expect(offline.lastErrorCode).toBe("DEAD_LINK");
      expect(detectedAfter).toBeLessThanOrEqual(2 * tickMs + 1_000);
    } finally {
      gateway.resume();
    }
    await connection.waitFor("online", 30_000);
  }, 180_000);

  it("a killed gateway is offline at once; restarted on the same port, the client reconnects by itself", async () => {
    const connection = connect({ reconnect: { initialDelayMs: 250, maxDelayMs: 2_000 } });
    await connection.waitFor("online", 20_000);
    const tickMs = connection.helloOk!.policy.tickIntervalMs!;

    const killedAt = Date.now();
    await gateway.kill("SIGKILL");
    const offline = await connection.waitFor("offline", 2 * tickMs);
    figures["killed gateway detected"] = `${Date.now() - killedAt} ms`;
    expect(Date.now() - killedAt).toBeLessThan(2 * tickMs);
    expect(offline.lastError).toMatch(/ws:\/\/127\.0\.0\.1:\d+/);

    const previous = gateway;
    const restartedAt = Date.now();
    gateway = await startGateway({ port: previous.port, token: previous.token, stateDir: previous.stateDir });
    started.push(gateway);
    const online = await connection.waitFor("online", 60_000);
    figures["reconnected after restart (from restart)"] = `${Date.now() - restartedAt} ms (gateway ready after ${gateway.readyMs} ms)`;
    expect(online.serverVersion).toBe("2026.9.6");
    await expect(connection.api.agentsList()).resolves.toMatchObject({ defaultId: "main" });
  }, 180_000);
});
