import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayConnection } from "./connection";
import { generateDeviceIdentity } from "./identity";
import type { GatewayApi } from "./methods";
import { probeGateway } from "./probe";
import type { RequestFrame, ResponseFrame } from "./frames";
import { FakeGateway } from "./testing/fake-gateway";
import { recordedSession } from "./testing/samples";

/*
 * Every wrapper against the fake gateway, which answers with the responses recorded from a real
 * one: the fields the types promise (not optional) must be there with the right kind of value.
 */

let gateway: FakeGateway;
let connection: GatewayConnection;
let api: GatewayApi;
beforeAll(async () => {
  gateway = await FakeGateway.start();
  connection = new GatewayConnection({ url: gateway.url, token: gateway.token, identity: generateDeviceIdentity() }).start();
  await connection.waitFor("online");
  api = connection.api;
});
afterAll(async () => {
  await connection.close();
  await gateway.close();
});

describe("typed wrappers over recorded answers", () => {
  it("health, status, system.info", async () => {
    const health = await api.health();
    expect(health).toMatchObject({ ok: true, ts: expect.any(Number), defaultAgentId: "main" });
    expect(health.agents?.[0]).toMatchObject({ agentId: "main", sessions: { count: expect.any(Number) } });
    const status = await api.status();
    expect(status).toMatchObject({ runtimeVersion: "2026.9.6", tasks: { total: expect.any(Number), active: expect.any(Number) } });
    expect(status.processMemory?.rssBytes).toEqual(expect.any(Number));
    const info = await api.systemInfo();
    expect(info).toMatchObject({ hostname: expect.any(String), platform: "linux" });
    expect(info.disks?.[0]).toMatchObject({ path: "/", totalBytes: expect.any(Number), availableBytes: expect.any(Number) });
  });

  it("agents.list", async () => {
    const agents = await api.agentsList();
    expect(agents).toMatchObject({ defaultId: "main", mainKey: "main" });
    expect(agents.agents[0]).toMatchObject({ id: "main", workspace: expect.any(String), model: { primary: "mock/mock-1" } });
  });

  it("sessions.list, sessions.subscribe, sessions.preview", async () => {
    const list = await api.sessionsList({ limit: 50 });
    expect(list.count).toEqual(expect.any(Number));
    expect(list.sessions.length).toBeGreaterThan(0);
    for (const row of list.sessions) {
      expect(row).toMatchObject({ key: expect.stringMatching(/^agent:/), agentId: expect.any(String), updatedAt: expect.any(Number) });
    }
    expect(list.sessions.some((row) => typeof row.estimatedCostUsd === "number")).toBe(true);
    const subscribed = await api.sessionsSubscribe({ limit: 50 });
    expect(subscribed.subscribed).toBe(true);
    expect(subscribed.list?.sessions.length).toBeGreaterThan(0);
    const preview = await api.sessionsPreview({ keys: ["agent:main:mc-final"] });
    expect(preview.previews[0]).toMatchObject({ key: "agent:main:mc-final", status: "ok" });
    expect(preview.previews[0].items[0]).toMatchObject({ role: "user", text: expect.any(String) });
  });

  it("chat.history and chat.send", async () => {
    const history = await api.chatHistory({ sessionKey: "agent:main:mc-final", limit: 50 });
    expect(history.sessionKey).toBe("agent:main:mc-final");
    const assistant = history.messages.find((message) => message.role === "assistant");
    expect(assistant).toMatchObject({ content: expect.any(Array), usage: { totalTokens: expect.any(Number), cost: { total: expect.any(Number) } } });
    const sent = await api.chatSend({ sessionKey: "agent:main:mc-final", message: "hi", idempotencyKey: "k-1" });
    expect(sent).toMatchObject({ runId: expect.any(String), status: "started" });
  });

  it("cron.list, cron.status, cron.runs, cron.run", async () => {
    const list = await api.cronList();
    expect(list.jobs.length).toBeGreaterThan(0);
    expect(list.jobs[0]).toMatchObject({ id: expect.any(String), name: expect.any(String), enabled: expect.any(Boolean), schedule: { kind: expect.any(String) } });
    expect(list.jobs[0].state).toMatchObject({ nextRunAtMs: expect.any(Number) });
    const status = await api.cronStatus();
    expect(status).toMatchObject({ enabled: true, jobs: expect.any(Number) });
    const runs = await api.cronRuns();
    expect(runs.entries[0]).toMatchObject({ ts: expect.any(Number), jobId: expect.any(String), status: "ok", usage: { total_tokens: expect.any(Number) } });
  });

  it("usage.cost, usage.status, models.list, logs.tail, update.status", async () => {
    const cost = await api.usageCost();
    expect(cost).toMatchObject({ days: 30, totals: { totalCost: expect.any(Number), totalTokens: expect.any(Number) }, cacheStatus: { status: expect.any(String) } });
    expect(cost.daily[0]).toMatchObject({ date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), totalCost: expect.any(Number), input: expect.any(Number) });
    expect((await api.usageStatus()).providers).toEqual(expect.any(Array));
    const models = await api.modelsList();
    expect(models.models[0]).toMatchObject({ id: "mock-1", provider: "mock", contextWindow: 128000 });
    const logs = await api.logsTail({ limit: 20 });
    expect(logs).toMatchObject({ cursor: expect.any(Number), lines: expect.any(Array) });
    expect(() => JSON.parse(logs.lines[0])).not.toThrow();
    expect(await api.updateStatus()).toHaveProperty("updateAvailable");
  });

  it("cron.run, answered as in the recorded cron session", async () => {
    const recorded = recordedSession("client-frames-cron-run.jsonl");
    const request = recorded.find((line) => line.dir === "out" && (line.frame as RequestFrame).method === "cron.run")!.frame as RequestFrame;
    const answer = recorded.find((line) => line.dir === "in" && line.frame.type === "res" && line.frame.id === request.id)!.frame as ResponseFrame;
    if (!answer.ok) throw new Error("the recorded cron.run failed");
    gateway.handlers.set("cron.run", () => ({ ok: true, payload: answer.payload }));
    const run = await api.cronRun(request.params as { id: string });
    expect(run).toMatchObject({ ok: true, enqueued: true, runId: expect.stringContaining((request.params as { id: string }).id) });
    expect(gateway.clients[0].requests.at(-1)).toMatchObject({ method: "cron.run", params: request.params });
  });
});

describe("probeGateway", () => {
  it("says in a sentence that it connected, with version and round trip", async () => {
    const result = await probeGateway({ url: gateway.url, token: gateway.token, identity: generateDeviceIdentity() });
    expect(result).toMatchObject({ ok: true, state: "online", serverVersion: "2026.9.6", methodCount: 466 });
    expect(result.message).toMatch(/^Connected to OpenClaw 2026\.9\.6 in \d+ ms; round trip \d+ ms\.$/);
  });

  it("says what went wrong when the token is rejected", async () => {
    const result = await probeGateway({ url: gateway.url, token: "nope", identity: generateDeviceIdentity() });
    expect(result).toMatchObject({ ok: false, state: "unauthorized" });
    expect(result.message).toMatch(/^The gateway rejected the token/);
  });
});
