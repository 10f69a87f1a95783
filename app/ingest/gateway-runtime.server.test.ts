import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../test/support/db";
import { ownerWithOrg } from "../../test/support/fixtures";
import { nextLiveEvent } from "../../test/support/live-events";
import { db } from "~/db/data-source.server";
import { FakeGateway } from "~/gateway/testing/fake-gateway";
import { listAgents } from "~/models/agent.server";
import { listAgentSessions } from "~/models/agent-session.server";
import { createGateway, deleteGateway, requestGatewayRetry, updateGateway } from "~/models/gateway.server";
import { startHub, stopHub } from "~/realtime/hub.server";
import { GatewayRuntime } from "./gateway-runtime.server";
import type { GatewayPoller, PollSchedule } from "./gateway-poller";

/*
 * The runtime against a fake gateway and a fake poller: who owns a gateway (two runtimes on one
 * database), what it hands the poller, and where the connection's events end up.
 */

const database = useTestDatabase();
let fake: FakeGateway;
const runtimes: GatewayRuntime[] = [];

beforeAll(async () => {
  await startHub(database.url);
  fake = await FakeGateway.start();
});

afterEach(async () => {
  for (const runtime of runtimes.splice(0)) await runtime.stop();
});

afterAll(async () => {
  await fake?.close();
  await stopHub();
});

/** Records what the runtime asks of its poller; `next(kind)` resolves on the next such call. */
function fakePoller() {
  const calls: Array<{ kind: "start" | "pollSoon" | "stop"; gatewayId: string; deleteQueue?: boolean }> = [];
  const schedules = new Map<string, PollSchedule>();
  const waiting: Array<{ kind: string; gatewayId: string; resolve: () => void }> = [];
  const note = (call: (typeof calls)[number]) => {
    calls.push(call);
    for (const waiter of waiting.splice(0)) {
      if (waiter.kind === call.kind && waiter.gatewayId === call.gatewayId) waiter.resolve();
      else waiting.push(waiter);
    }
  };
  const poller: GatewayPoller = {
    start: async (gatewayId, schedule) => {
      schedules.set(gatewayId, schedule);
      note({ kind: "start", gatewayId });
    },
    pollSoon: async (gatewayId) => note({ kind: "pollSoon", gatewayId }),
    stop: async (gatewayId, { deleteQueue }) => note({ kind: "stop", gatewayId, deleteQueue }),
  };
  const next = (kind: "start" | "pollSoon" | "stop", gatewayId: string) => new Promise<void>((resolve) => waiting.push({ kind, gatewayId, resolve }));
  return { poller, calls, schedules, next };
}

function runtime(poller?: GatewayPoller) {
  const created = new GatewayRuntime({ databaseUrl: database.url, reconcileMs: 60_000, ...(poller ? { poller } : {}) });
  runtimes.push(created);
  return created;
}

async function fakeGatewayIn(label: string) {
  const { org, actor } = await ownerWithOrg(label);
  const gateway = await createGateway({ orgId: org.id, input: { name: label, url: fake.url, token: fake.token, pollIntervalSeconds: 45 }, actor });
  return { org, actor, gateway };
}

describe("gateway runtime: ownership", () => {
  it("lets one of two runtimes own a gateway, and the other take it over when the owner stops or loses its lock connection", async () => {
    const { gateway } = await fakeGatewayIn("owners");
    const first = runtime();
    const second = runtime();
    await first.start();
    await second.start();
    expect(first.ownedIds()).toEqual([gateway.id]);
    expect(second.ownedIds()).toEqual([]);

    await first.stop();
    await second.reconcile();
    expect(second.ownedIds()).toEqual([gateway.id]);

    // the owner's lock connection dies (a network cut, a restarted pooler): it lets the gateway go
    const third = runtime();
    await third.start();
    expect(third.ownedIds()).toEqual([]);
    const released = second.connectionFor(gateway.id)!.waitFor("closed", 10_000);
    // (with a timeout, pg_terminate_backend returns once the backend is gone, and its locks with it)
    await db().query(`select pg_terminate_backend(l.pid, 10000) from pg_locks l where l.locktype = 'advisory' and l.classid = 4242 and l.granted`);
    await released;
    expect(second.ownedIds()).toEqual([]);
    await third.reconcile();
    expect(third.ownedIds()).toEqual([gateway.id]);
    // the loser comes back on a fresh lock connection and finds the gateway taken
    await second.reconcile();
    expect(second.ownedIds()).toEqual([]);
  });
});

describe("gateway runtime: polling handed in", () => {
  it("starts the gateway's polls when it owns it, asks for one when it comes online, and stops them when it lets go", async () => {
    const { org, actor, gateway } = await fakeGatewayIn("polls");
    const { poller, calls, schedules, next } = fakePoller();
    const started = next("start", gateway.id);
    const soon = next("pollSoon", gateway.id);
    const owner = runtime(poller);
    await owner.start();
    await started;
    await soon; // after the gateway came online
    expect(calls.filter((c) => c.gatewayId === gateway.id).map((c) => c.kind)).toEqual(["start", "pollSoon"]);

    // the poller calls back when a poll is due: a real poll on the owned connection
    const schedule = schedules.get(gateway.id)!;
    expect(schedule.intervalSeconds()).toBe(45);
    const polled = nextLiveEvent((e) => e.type === "gateway.polled" && e.data.gatewayId === gateway.id);
    expect(await schedule.poll()).toBe(true);
    expect((await polled).data.kinds).toEqual(expect.arrayContaining(["health", "sessions", "usage.cost"]));

    // a runtime without a poller polls nothing, and a poll of a gateway it does not own says so
    const other = runtime();
    await other.start();
    expect(await other.pollNow(gateway.id)).toBe(false);

    // the gateway is deleted: its polls stop for good (the queue goes too)
    const stopped = next("stop", gateway.id);
    await deleteGateway({ orgId: org.id, id: gateway.id, actor });
    await owner.reconcile();
    await stopped;
    expect(calls.filter((c) => c.gatewayId === gateway.id).at(-1)).toEqual({ kind: "stop", gatewayId: gateway.id, deleteQueue: true });
    expect(owner.ownedIds()).not.toContain(gateway.id);
  });
});

describe("gateway runtime: event routing", () => {
  it("routes run, tool and session events of the owned connection into agents, activity and sessions", async () => {
    const { org, gateway } = await fakeGatewayIn("routing");
    const discovered = nextLiveEvent((e) => e.orgId === org.id && e.type === "agent.created");
    const owner = runtime();
    await owner.start();
    await discovered;

    const busy = nextLiveEvent((e) => e.orgId === org.id && e.type === "agent.status_changed" && (e.data.agent as { status: string }).status === "busy");
    fake.broadcast({ type: "event", event: "agent", payload: { runId: "r1", sessionKey: "agent:main:main", agentId: "main", stream: "lifecycle", ts: Date.now(), data: { phase: "start" } } } as never);
    await busy;
    expect((await listAgents(org.id)).find((a) => a.gatewayId === gateway.id)?.status).toBe("busy");

    const tool = nextLiveEvent((e) => e.orgId === org.id && e.type === "event.new" && JSON.stringify(e.data).includes("agent.tool_start"));
    fake.broadcast({
      type: "event", event: "session.tool",
      payload: { runId: "r1", sessionKey: "agent:main:main", agentId: "main", stream: "tool", ts: Date.now(), data: { phase: "start", name: "exec", toolCallId: "t1", args: { command: "npm test" } } },
    } as never);
    await tool;
    const session = (await listAgentSessions(org.id)).find((s) => s.sessionKey === "agent:main:main" && s.gatewayId === gateway.id);
    expect(session).toMatchObject({ currentTool: "exec" });

    const changed = nextLiveEvent((e) => e.orgId === org.id && e.type === "sessions.changed" && JSON.stringify(e.data).includes("agent:main:subagent:r"));
    fake.broadcast({
      type: "event", event: "sessions.changed",
      payload: { sessionKey: "agent:main:subagent:r", agentId: "main", ts: Date.now(), session: { key: "agent:main:subagent:r", label: "reviewer", spawnedBy: "agent:main:main" } },
    } as never);
    await changed;
    const child = (await listAgentSessions(org.id)).find((s) => s.sessionKey === "agent:main:subagent:r");
    expect(child).toMatchObject({ gatewayId: gateway.id, type: "subagent", label: "reviewer" });
  });
});

describe("gateway runtime: a token it cannot open", () => {
  it("records the gateway as unauthorized once, lets its lock go, and does not try again on every reconcile", async () => {
    const { gateway } = await fakeGatewayIn("unopenable");
    // sealed with another key, or damaged: decryptSecret throws
    await db().query(`update gateways set token_encrypted = 'v1.x.y.z' where id = $1`, [gateway.id]);
    const owner = runtime();
    await owner.start();
    await owner.reconcile();
    await owner.reconcile();
    expect(owner.ownedIds()).not.toContain(gateway.id);
    const statuses: Array<{ n: number }> = await db().query(
      `select count(*)::float8 as n from event_log where type = 'gateway.status' and data->'gateway'->>'id' = $1`,
      [gateway.id],
    );
    expect(statuses[0]!.n).toBe(1);
    const held: Array<{ n: number }> = await db().query(
      `select count(*)::float8 as n from pg_locks where locktype = 'advisory' and classid = 4242 and objid = hashtext($1)::oid and granted`,
      [gateway.id],
    );
    expect(held[0]!.n).toBe(0);
  });
});

describe("gateway runtime: figures that are true", () => {
  it("a corrected token connects at once (the edit's live event), without waiting for the next reconcile", async () => {
    const { org, actor, gateway } = await fakeGatewayIn("corrected");
    await updateGateway({ orgId: org.id, id: gateway.id, input: { token: "a-wrong-token" }, actor });
    // reconcileMs is a minute: only the gateway.updated event can bring the fix in time
    const owner = runtime();
    const rejected = nextLiveEvent((e) => e.type === "gateway.status" && (e.data.gateway as { id: string; state: string }).id === gateway.id && (e.data.gateway as { state: string }).state === "unauthorized");
    await owner.start();
    await rejected;
    const online = nextLiveEvent((e) => e.type === "gateway.status" && (e.data.gateway as { id: string }).id === gateway.id && (e.data.gateway as { state: string }).state === "online", 5_000);
    await updateGateway({ orgId: org.id, id: gateway.id, input: { token: fake.token }, actor });
    await online;
  });

  it("keeps writing latency and last seen while the gateway stays online, not only the handshake's", async () => {
    const { org, gateway } = await fakeGatewayIn("figures");
    const owner = new GatewayRuntime({ databaseUrl: database.url, reconcileMs: 60_000, connection: { tickIntervalMs: 200, figuresWriteMs: 50 } });
    runtimes.push(owner);
    const online = nextLiveEvent((e) => e.type === "gateway.status" && (e.data.gateway as { id: string; state: string }).id === gateway.id && (e.data.gateway as { state: string }).state === "online");
    await owner.start();
    const first = (await online).data.gateway as { lastSeenAt: number };
    // a later status with the pongs' figures: last seen moved on, and the median is there
    const later = await nextLiveEvent(
      (e) => e.type === "gateway.status" && (e.data.gateway as { id: string }).id === gateway.id && (e.data.gateway as { lastSeenAt: number }).lastSeenAt > first.lastSeenAt && (e.data.gateway as { latencyP50Ms: number | null }).latencyP50Ms !== null,
    );
    expect(later.data.gateway).toMatchObject({ state: "online", latencyMs: expect.any(Number), latencyP50Ms: expect.any(Number) });
    // figures are no activity: one "is online" entry, however many pongs
    const entries: Array<{ n: number }> = await db().query(`select count(*)::float8 as n from activity_events where org_id = $1 and type = 'gateway_status_changed'`, [org.id]);
    expect(entries[0]!.n).toBe(1);
  });
});

describe("gateway runtime: retry now", () => {
  it("a not-online gateway is tried again at once when asked (through the live stream), an online one is refused", async () => {
    const { org, actor } = await ownerWithOrg("retry");
    // a port nobody listens on: the connection goes offline and waits out its backoff
    const { freePort } = await import("../../test/support/server");
    const gateway = await createGateway({ orgId: org.id, input: { name: "retry", url: `ws://127.0.0.1:${await freePort()}`, token: "t" }, actor });
    const owner = runtime();
    const isStatus = (state: string) => (e: { type: string; data: Record<string, unknown> }) =>
      e.type === "gateway.status" && (e.data.gateway as { id: string }).id === gateway.id && (e.data.gateway as { state: string }).state === state;
    const offline = nextLiveEvent(isStatus("offline"));
    await owner.start();
    await offline;
    // a scheduled backoff attempt opens the socket without leaving "offline"; only an asked-for retry says "connecting"
    const connecting = nextLiveEvent(isStatus("connecting"), 5_000);
    await requestGatewayRetry({ orgId: org.id, id: gateway.id });
    await connecting;
    expect(owner.connectionFor(gateway.id)!.status.reconnectAttempt).toBeLessThanOrEqual(1);

    const { gateway: live } = await fakeGatewayIn("retry-online");
    const online = nextLiveEvent((e) => e.type === "gateway.status" && (e.data.gateway as { id: string; state: string }).id === live.id && (e.data.gateway as { state: string }).state === "online");
    await owner.reconcile();
    await online;
    await expect(requestGatewayRetry({ orgId: live.orgId, id: live.id })).rejects.toMatchObject({ status: 409 });
  });
});
