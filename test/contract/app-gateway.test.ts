import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, type StartedGateway } from "../support/openclaw-harness";
import { apiSignIn, spawnBuiltServer, startServer, type SpawnedServer, type StartedServer } from "../support/server";
import { openEvents, type FrameReader } from "../support/sse";

/*
 * The app against a real OpenClaw gateway: the built server adds it through the admin API, connects,
 * discovers its agents, polls it into snapshots, reports a rejected token, and hands the connection
 * to a second app process when the owner dies. Everything is awaited through the live event stream.
 */
const USER = "contract-admin";
const PASSWORD = "contract-admin-password";
let gateway: StartedGateway;
let server: StartedServer;
let second: SpawnedServer | undefined;
let session = "";
let events: FrameReader;
const controller = new AbortController();
// Replicas share MC_SECRET_KEY: the gateway tokens and the device key are sealed with it.
const SECRET = "contract-test-secret-key-0123456789abcdef";
const env = { ADMIN_USERNAME: USER, ADMIN_PASSWORD: PASSWORD, MC_GATEWAY_RECONCILE_MS: "500", MC_SECRET_KEY: SECRET };

async function api(base: string, path: string, init: { method?: string; body?: unknown } = {}) {
  const response = await fetch(base + path, {
    method: init.method ?? "GET",
    headers: { Authorization: `Bearer ${session}`, ...(init.body ? { "Content-Type": "application/json" } : {}) },
    body: init.body ? JSON.stringify(init.body) : undefined,
  });
  return { status: response.status, json: (await response.json()) as any };
}

const gatewayEvent = (id: string, state?: string) => (frame: { event?: string; data?: string }) => {
  if (frame.event !== "gateway.status" || !frame.data) return false;
  const gateway = JSON.parse(frame.data).gateway;
  return gateway.id === id && (state === undefined || gateway.state === state);
};

beforeAll(async () => {
  [gateway, server] = await Promise.all([startGateway(), startServer({ env })]);
  session = await apiSignIn(server.url, USER, PASSWORD);
  events = await openEvents(server.url, { topics: "gateways,agents", token: session, signal: controller.signal });
});

afterAll(async () => {
  controller.abort();
  await second?.stop();
  await server?.stop();
  await gateway?.stop();
});

describe("Mission Control with a real gateway", () => {
  let gatewayId = "";

  it("connects, discovers the agents and stores polled snapshots", async () => {
    const created = await api(server.url, "/api/gateways", { method: "POST", body: { name: "Real", url: gateway.url, token: gateway.token, pollIntervalSeconds: 30 } });
    expect(created.status).toBe(201);
    expect(JSON.stringify(created.json)).not.toContain(gateway.token);
    gatewayId = created.json.gateway.id;

    const online = await events.next(gatewayEvent(gatewayId, "online"), 30_000);
    expect(JSON.parse(online.data!).gateway.serverVersion).toMatch(/\d{4}\.\d+\.\d+/);
    const discovered = await events.next((f) => f.event === "agent.created", 15_000);
    expect(JSON.parse(discovered.data!).agent).toMatchObject({ name: "main", source: "gateway", status: "online" });
    await events.next((f) => f.event === "gateway.polled" && JSON.parse(f.data!).gatewayId === gatewayId, 30_000);

    const db = new pg.Client({ connectionString: server.databaseUrl });
    await db.connect();
    try {
      const kinds = await db.query("select kind from gateway_snapshots where gateway_id = $1 order by kind", [gatewayId]);
      expect(kinds.rows.map((r) => r.kind)).toEqual(["cron", "health", "models", "sessions", "sessions.usage", "status", "usage.cost"]);
      const days = await db.query("select count(*)::int as count from gateway_usage_daily where gateway_id = $1", [gatewayId]);
      expect(days.rows[0].count).toBeGreaterThan(0);
    } finally {
      await db.end();
    }
    const detail = await api(server.url, `/api/gateways/${gatewayId}`);
    expect(detail.json.gateway).toMatchObject({ state: "online", tokenSet: true, lastPollError: null });
    expect(detail.json.gateway.lastPollAt).toEqual(expect.any(Number));
  });

  it("shows a rejected token as unauthorized with a sentence to act on", async () => {
    const created = await api(server.url, "/api/gateways", { method: "POST", body: { name: "Wrong", url: gateway.url.replace("127.0.0.1", "localhost"), token: "not-the-token" } });
    // another spelling of the address: the same URL would be refused as a duplicate (one gateway once)
    const id = created.json.gateway.id;
    const unauthorized = await events.next(gatewayEvent(id, "unauthorized"), 30_000);
    expect(JSON.parse(unauthorized.data!).gateway.state).toBe("unauthorized");
    // live events carry the member view (no raw error, ADR 019); an admin reads the sentence
    const detail = await api(server.url, `/api/gateways/${id}`);
    expect(detail.json.gateway.lastError).toMatch(/token/i);
    await api(server.url, `/api/gateways/${id}`, { method: "DELETE" });
  });

  it("hands the gateway to another app process when its owner dies", async () => {
    second = await spawnBuiltServer({ databaseUrl: server.databaseUrl, env: { MC_GATEWAY_RECONCILE_MS: "500", MC_SECRET_KEY: SECRET } });
    const before = await api(server.url, `/api/gateways/${gatewayId}`);
    expect(before.json.gateway.state).toBe("online");
    // only one process holds the connection: the first one
    const db = new pg.Client({ connectionString: server.databaseUrl });
    await db.connect();
    try {
      const owners = await db.query("select owner from gateways where id = $1", [gatewayId]);
      expect(owners.rows[0].owner).toMatch(new RegExp(`:${server.process.pid}$`));
      server.process.kill("SIGKILL");
      await server.exited;
      // follow the second process's stream now
      const followed = await openEvents(second.url, { topics: "gateways", token: session, signal: controller.signal });
      const taken = await followed.next(
        (f) => gatewayEvent(gatewayId, "online")(f) && JSON.parse(f.data!).gateway.id === gatewayId,
        30_000,
      );
      expect(taken).toBeTruthy();
      const after = await db.query("select owner from gateways where id = $1", [gatewayId]);
      expect(after.rows[0].owner).toMatch(new RegExp(`:${second.process.pid}$`));
    } finally {
      await db.end();
    }
  });
});
