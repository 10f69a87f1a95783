import { describe, expect, it } from "vitest";
import { transaction } from "~/db/data-source.server";
import { useTestDatabase } from "../../test/support/db";
import { ownerWithOrg } from "../../test/support/fixtures";
import { recordActivity, SYSTEM_ACTOR } from "./activity.server";
import { pageActivityFeed, recentActivityFeed, subjectRefsOf } from "./activity-feed.server";
import { createAgent } from "./agent.server";
import { recordAgentActivity, upsertSessionRows } from "./agent-session.server";
import { createGateway, recordGatewayStatus } from "./gateway.server";
import { createTask, deleteTask } from "./task.server";

useTestDatabase();

const status = (state: "connecting" | "online" | "offline") => ({ state, serverVersion: null, latencyMs: null, lastError: null, lastSeenAt: null, owner: null, detail: {} });

describe("activity feed entries lead to what they describe", () => {
  it("links a task's entry to the task, with its board and agent beside it, and stops linking once the task is gone", async () => {
    const { org, actor } = await ownerWithOrg("links");
    const agent = await createAgent({ orgId: org.id, name: "Nova", role: "Dev", actor });
    const task = await createTask({ orgId: org.id, input: { title: "Fix the login page", assigneeAgentId: agent.id }, actor });
    const [created] = (await pageActivityFeed({ orgId: org.id, type: "task_created", limit: 10 })).entries;
    expect(created).toMatchObject({ href: `/tasks/${task.id}`, message: `${actor.name} created task: Fix the login page` });
    expect(created!.links).toEqual([
      { kind: "board", href: `/boards/${task.boardId}`, label: "General" },
      { kind: "agent", href: `/agents/${agent.id}`, label: "Nova" },
    ]);

    await deleteTask({ orgId: org.id, id: task.id, actor });
    const entries = (await pageActivityFeed({ orgId: org.id, typePrefix: "task_", limit: 10 })).entries;
    expect(entries.map((e) => e.type)).toEqual(["task_deleted", "task_created"]);
    // a deleted task is plain text, no dead link; its board and agent still lead somewhere
    expect(entries.map((e) => e.href)).toEqual([null, null]);
    expect(entries[0]!.links.map((l) => l.kind)).toEqual(["board", "agent"]);
  });

  it("reads a row whose session names a malformed gateway id as plain text, and the rest of the feed with it", async () => {
    const { org, actor } = await ownerWithOrg("bad-gateway-id");
    await createTask({ orgId: org.id, input: { title: "Still listed" }, actor });
    // a session row of the organization, so that the lookup compares the entry's gateway id with one
    await upsertSessionRows({
      orgId: org.id,
      gatewayId: null,
      sessions: [{ sessionKey: "agent:main:main", sessionId: null, externalAgentId: "main", type: "main" as const, label: null, model: null, parentSessionKey: null, contextTokens: null, totalTokens: null, inputTokens: null, outputTokens: null, costUsd: null, status: null, lastActivityAt: Date.now(), endedAt: null }],
    });
    await transaction((manager) =>
      recordActivity(manager, { orgId: org.id, type: "agent_tool", message: "main ran a tool", actor: SYSTEM_ACTOR, data: { sessionKey: "agent:main:main", gatewayId: "not-a-uuid" } }),
    );
    const entries = await recentActivityFeed({ orgId: org.id, limit: 10 });
    const shown = entries.map((entry) => [entry.message, entry.href]);
    expect(shown[0]).toEqual(["main ran a tool", null]);
    expect(shown).toContainEqual([`${actor.name} created task: Still listed`, expect.stringMatching(/^\/tasks\//)]);
  });

  it("links agent activity to its session, and an entry that names nothing (an old row) stays plain text", async () => {
    const { org, actor } = await ownerWithOrg("session");
    const gateway = await createGateway({ orgId: org.id, input: { name: "Lab", url: "ws://127.0.0.1:1" }, actor });
    await recordAgentActivity({
      orgId: org.id,
      gatewayId: gateway.id,
      events: [{ source: "gateway", agentId: "main", sessionKey: "agent:main:main", kind: "message", text: "Deployed the fix", at: Date.now() }],
    });
    await transaction((manager) => recordActivity(manager, { orgId: org.id, type: "note", message: "Something from before subjects were linked", actor: SYSTEM_ACTOR }));
    const [old, message] = await recentActivityFeed({ orgId: org.id, limit: 2 });
    expect(old).toMatchObject({ type: "note", href: null, links: [] });
    expect(message!.type).toBe("agent.message");
    expect(message!.href).toMatch(/^\/monitoring\/sessions\/[0-9a-f-]{36}$/);
  });

  it("collapses a restart's connect/online burst of five gateways into one line", async () => {
    const { org, actor } = await ownerWithOrg("restart");
    const gateways = [];
    for (const name of ["Alpha", "Bravo", "Charlie", "Delta", "Echo"]) {
      const gateway = await createGateway({ orgId: org.id, input: { name, url: `ws://127.0.0.1:${1000 + gateways.length}` }, actor });
      await recordGatewayStatus(gateway.id, status("online"));
      gateways.push(gateway);
    }
    const before = (await recentActivityFeed({ orgId: org.id, limit: 50 })).length;
    // the restart: every gateway reconnects
    for (const gateway of gateways) await recordGatewayStatus(gateway.id, status("connecting"));
    for (const gateway of gateways) await recordGatewayStatus(gateway.id, status("online"));

    const entries = await recentActivityFeed({ orgId: org.id, limit: 50 });
    expect(entries).toHaveLength(before + 1);
    expect(entries[0]).toMatchObject({ message: "5 gateways reconnected (Alpha, Bravo, Charlie and 2 more)", href: "/gateways" });
    expect(entries.some((e) => e.message.endsWith("is connecting"))).toBe(false);
  });

  it("still shows a real outage (offline, back online ten minutes later) line by line, linked to its gateway", async () => {
    const { org, actor } = await ownerWithOrg("outage");
    const gateway = await createGateway({ orgId: org.id, input: { name: "Lab", url: "ws://127.0.0.1:2" }, actor });
    const start = Date.now() - 20 * 60_000;
    const line = (state: string, minutes: number) =>
      transaction((manager) =>
        recordActivity(manager, { orgId: org.id, type: "gateway_status_changed", message: `Gateway Lab is ${state}`, actor: SYSTEM_ACTOR, data: { gatewayId: gateway.id, state }, at: new Date(start + minutes * 60_000) }),
      );
    await line("online", 0);
    await line("offline", 1);
    await line("connecting", 6);
    await line("online", 11);
    const entries = (await pageActivityFeed({ orgId: org.id, type: "gateway_status_changed", limit: 10 })).entries;
    expect(entries.map((e) => e.message)).toEqual(["Gateway Lab is online", "Gateway Lab is connecting", "Gateway Lab is offline", "Gateway Lab is online"]);
    expect(entries.every((e) => e.href === `/gateways/${gateway.id}`)).toBe(true);
  });

  it("pages by the table's rows, so the next page starts where this one ended", async () => {
    const { org } = await ownerWithOrg("paging");
    await transaction(async (manager) => {
      for (let i = 0; i < 5; i++) await recordActivity(manager, { orgId: org.id, type: "test_event", message: `event ${i}`, actor: SYSTEM_ACTOR });
    });
    const first = await pageActivityFeed({ orgId: org.id, type: "test_event", limit: 3 });
    expect(first.entries.map((e) => e.message)).toEqual(["event 4", "event 3", "event 2"]);
    const second = await pageActivityFeed({ orgId: org.id, type: "test_event", limit: 3, beforeId: first.olderBefore! });
    expect(second).toMatchObject({ olderBefore: null });
    expect(second.entries.map((e) => e.message)).toEqual(["event 1", "event 0"]);
  });

  it("reads subjects from the row's columns and data, the main one first", () => {
    const ids = { task: "11111111-1111-4111-8111-111111111111", board: "22222222-2222-4222-8222-222222222222", gateway: "33333333-3333-4333-8333-333333333333" };
    expect(subjectRefsOf({ taskId: ids.task, boardId: ids.board, agentId: null, data: {} }).map((r) => r.kind)).toEqual(["task", "board"]);
    expect(subjectRefsOf({ taskId: null, boardId: null, agentId: null, data: { sessionKey: "agent:main:main", gatewayId: ids.gateway } })).toEqual([{ kind: "session", ref: `${ids.gateway}|agent:main:main` }]);
    // not an id of ours: ignored rather than looked up
    expect(subjectRefsOf({ taskId: null, boardId: null, agentId: null, data: { gatewayId: "x'; drop table" } })).toEqual([]);
  });
});
