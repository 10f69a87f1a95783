import { describe, expect, it } from "vitest";
import { useTestDatabase } from "../../test/support/db";
import { ownerWithOrg } from "../../test/support/fixtures";
import type { ActivityEvent } from "~/activity/normalize";
import type { SessionFacts } from "~/activity/session-row";
import { db } from "~/db/data-source.server";
import { RowShapeError } from "~/db/rows";
import { listActivity } from "./activity.server";
import { syncGatewayAgents } from "./agent.server";
import { createGateway } from "./gateway.server";
import { selectSessions } from "./agent-session.queries.server";
import {
  endMissingSubagents,
  getAgentSession,
  getParentSession,
  listAgentSessions,
  listChildSessions,
  listSessionAgents,
  recordAgentActivity,
  storeSessionUsage,
  upsertSessionRows,
} from "./agent-session.server";

useTestDatabase();

const facts = (sessionKey: string, extra: Partial<SessionFacts> = {}): SessionFacts => ({
  sessionKey, sessionId: null, externalAgentId: /^agent:([^:]+):/.exec(sessionKey)![1]!, type: /:subagent:/.test(sessionKey) ? "subagent" : "main",
  label: null, model: null, parentSessionKey: null, contextTokens: null, totalTokens: null, inputTokens: null, outputTokens: null, costUsd: null,
  status: null, lastActivityAt: null, endedAt: null, ...extra,
});

async function orgWithGateway(label: string) {
  const { org, actor } = await ownerWithOrg(label);
  const gateway = await createGateway({ orgId: org.id, input: { name: `${label} gw`, url: "ws://127.0.0.1:1" }, actor });
  return { org, actor, gateway };
}

describe("agent sessions: reading", () => {
  it("answers a session's children and parent from the database, on its own gateway only", async () => {
    const { org, gateway } = await orgWithGateway("tree");
    const { gateway: other } = await orgWithGateway("tree-other");
    const at = Date.now();
    await upsertSessionRows({
      orgId: org.id, gatewayId: gateway.id, sessions: [
        facts("agent:main:main", { lastActivityAt: at }),
        facts("agent:main:subagent:a", { parentSessionKey: "agent:main:main", lastActivityAt: at - 10 }),
        facts("agent:main:subagent:b", { parentSessionKey: "agent:main:main", lastActivityAt: at - 5 }),
        facts("agent:main:cron:x", { type: "cron", lastActivityAt: at - 1 }),
      ],
    });
    // the same keys on no gateway (a legacy transcript) are other sessions
    await upsertSessionRows({ orgId: org.id, gatewayId: null, sessions: [facts("agent:main:subagent:c", { parentSessionKey: "agent:main:main" })] });
    // and in another organization, too
    await upsertSessionRows({ orgId: other.orgId, gatewayId: other.id, sessions: [facts("agent:main:subagent:d", { parentSessionKey: "agent:main:main" })] });

    const sessions = await listAgentSessions(org.id);
    const parent = sessions.find((s) => s.sessionKey === "agent:main:main" && s.gatewayId === gateway.id)!;
    const children = await listChildSessions({ orgId: org.id, session: parent });
    expect(children.map((c) => c.sessionKey)).toEqual(["agent:main:subagent:b", "agent:main:subagent:a"]); // newest activity first
    expect(await listChildSessions({ orgId: other.orgId, session: parent })).toEqual([]);

    const child = children[0]!;
    expect((await getParentSession({ orgId: org.id, session: child }))?.id).toBe(parent.id);
    expect(await getParentSession({ orgId: org.id, session: parent })).toBeNull();
    const legacyChild = sessions.find((s) => s.sessionKey === "agent:main:subagent:c")!;
    expect(await getParentSession({ orgId: org.id, session: legacyChild })).toBeNull(); // its parent would be on no gateway

    expect(await getAgentSession({ orgId: other.orgId, id: parent.id })).toBeNull();
  });

  it("filters by type, agent and end in the query, and lists the agents that have sessions", async () => {
    const { org, gateway } = await orgWithGateway("filters");
    await syncGatewayAgents({ orgId: org.id, gatewayId: gateway.id, gatewayName: "gw", agents: [{ externalId: "main", name: "Main Agent" }] });
    await upsertSessionRows({
      orgId: org.id, gatewayId: gateway.id, sessions: [
        facts("agent:main:main"),
        facts("agent:scout:cron:1", { type: "cron" }),
        facts("agent:main:subagent:done", { status: "done", endedAt: Date.now() }),
      ],
    });
    const keys = async (options: Parameters<typeof listAgentSessions>[1]) => (await listAgentSessions(org.id, options)).map((s) => s.sessionKey).sort();
    expect(await keys({})).toEqual(["agent:main:main", "agent:main:subagent:done", "agent:scout:cron:1"]);
    expect(await keys({ includeEnded: false })).toEqual(["agent:main:main", "agent:scout:cron:1"]);
    expect(await keys({ type: "cron" })).toEqual(["agent:scout:cron:1"]);
    const main = `${gateway.id}:main`;
    expect(await keys({ agent: main, includeEnded: false })).toEqual(["agent:main:main"]);
    expect(await listSessionAgents(org.id)).toEqual([
      { id: main, name: "Main Agent", gatewayId: gateway.id },
      { id: `${gateway.id}:scout`, name: "scout", gatewayId: gateway.id },
    ]);
    // the row knows its agent by the gateway's id
    expect((await listAgentSessions(org.id, { agent: main }))[0]).toMatchObject({ agentName: "Main Agent", externalAgentId: "main" });
    expect(await keys({ agent: "main" })).toEqual([]); // the agent id alone names no gateway: it matches nothing
  });

  it("tells same-named agents on two gateways apart in the agent filter", async () => {
    const { org, actor, gateway: home } = await orgWithGateway("two-mains");
    const lab = await createGateway({ orgId: org.id, input: { name: "lab gw", url: "ws://127.0.0.1:3" }, actor });
    for (const gateway of [home, lab]) {
      await syncGatewayAgents({ orgId: org.id, gatewayId: gateway.id, gatewayName: gateway.name, agents: [{ externalId: "main", name: "main" }] });
      await upsertSessionRows({ orgId: org.id, gatewayId: gateway.id, sessions: [facts("agent:main:main"), facts(`agent:main:cron:${gateway.name}`, { type: "cron" })] });
    }
    // no gateway at all: a legacy transcript's sessions of an agent called main too
    await upsertSessionRows({ orgId: org.id, gatewayId: null, sessions: [facts("agent:main:from-files")] });
    const agents = await listSessionAgents(org.id);
    expect(agents.map((a) => [a.name, a.gatewayId])).toEqual([["main", null], ["main", home.id], ["main", lab.id]].sort((a, b) => String(a[1] ?? "").localeCompare(String(b[1] ?? ""))));
    const onLab = await listAgentSessions(org.id, { agent: `${lab.id}:main` });
    expect(onLab.map((s) => [s.gatewayId, s.sessionKey]).sort()).toEqual([[lab.id, "agent:main:cron:lab gw"], [lab.id, "agent:main:main"]]);
    expect((await listAgentSessions(org.id, { agent: "files:main" })).map((s) => s.sessionKey)).toEqual(["agent:main:from-files"]);
  });

  it("reads token counts as numbers and the usage only once a gateway counted it", async () => {
    const { org, gateway } = await orgWithGateway("usage");
    await upsertSessionRows({ orgId: org.id, gatewayId: gateway.id, sessions: [facts("agent:main:main", { totalTokens: 5_000_000_000, contextTokens: 10_000_000_000 })] });
    const [before] = await listAgentSessions(org.id);
    expect(before).toMatchObject({ totalTokens: 5_000_000_000, contextPercent: 50, usage: null });

    const rows = [{ sessionKey: "agent:main:main", inputTokens: 10, outputTokens: 20, cacheReadTokens: 5, totalTokens: 35, costUsd: 0.25 }];
    await storeSessionUsage({ orgId: org.id, gatewayId: gateway.id, since: "2026-11-01", rows });
    const [after] = await listAgentSessions(org.id);
    expect(after!.usage).toEqual({ inputTokens: 10, outputTokens: 20, cacheReadTokens: 5, totalTokens: 35, costUsd: 0.25, since: "2026-11-01" });

    // the same figures again change nothing, so nothing is announced
    const [{ count }] = (await db().query("select count(*)::int as count from event_log where org_id = $1 and type = 'sessions.changed'", [org.id])) as [{ count: number }];
    await storeSessionUsage({ orgId: org.id, gatewayId: gateway.id, since: "2026-11-01", rows });
    const [{ count: again }] = (await db().query("select count(*)::int as count from event_log where org_id = $1 and type = 'sessions.changed'", [org.id])) as [{ count: number }];
    expect(again).toBe(count);
  });

  it("refuses a row of the wrong shape with a sentence instead of casting it", async () => {
    const fake = { query: async () => [{ id: 1 }] } as unknown as Parameters<typeof selectSessions>[0];
    await expect(selectSessions(fake, { orgId: "x", includeEnded: true, type: null, agent: null, limit: 1 })).rejects.toThrow(RowShapeError);
  });
});

describe("agent sessions: what activity does to them", () => {
  const base = { source: "gateway" as const, agentId: "main", sessionKey: "agent:main:main" };

  it("follows the current tool and last message, and sums a transcript's usage", async () => {
    const { org } = await ownerWithOrg("tools");
    const at = Date.now();
    await recordAgentActivity({ orgId: org.id, gatewayId: null, events: [{ ...base, kind: "tool_start", tool: "exec", summary: "exec: ls", at }] });
    expect((await listAgentSessions(org.id))[0]).toMatchObject({ currentTool: "exec", currentSummary: "exec: ls", lastActivityAt: at });
    await recordAgentActivity({ orgId: org.id, gatewayId: null, events: [{ ...base, kind: "tool_end", tool: "exec", at: at + 1 }, { ...base, kind: "message", text: "done", at: at + 2 }] });
    expect((await listAgentSessions(org.id))[0]).toMatchObject({ currentTool: null, currentSummary: null, lastMessage: "done", lastActivityAt: at + 2 });

    const call = (n: number): ActivityEvent => ({ ...base, source: "transcript", kind: "message", text: "", usage: { input: n, output: 1, cacheRead: 0, cacheWrite: 0, cost: 0.01 }, at: at + 3 });
    await recordAgentActivity({ orgId: org.id, gatewayId: null, events: [call(10), call(20)] });
    await recordAgentActivity({ orgId: org.id, gatewayId: null, events: [call(30)] });
    expect((await listAgentSessions(org.id))[0]!.usage).toMatchObject({ inputTokens: 60, outputTokens: 3, totalTokens: 63 });
    // a text-less turn carries usage but gets no line of its own
    expect((await listActivity({ orgId: org.id, typePrefix: "agent." })).map((e) => e.type)).toEqual(["agent.message", "agent.tool_end", "agent.tool_start"]);
  });

  it("names the agent as it is called now: a rename shows in the very next line", async () => {
    const { org, gateway } = await orgWithGateway("rename");
    await syncGatewayAgents({ orgId: org.id, gatewayId: gateway.id, gatewayName: "gw", agents: [{ externalId: "main", name: "Ada" }] });
    const at = Date.now();
    await recordAgentActivity({ orgId: org.id, gatewayId: gateway.id, events: [{ ...base, kind: "run_start", at }] });
    await syncGatewayAgents({ orgId: org.id, gatewayId: gateway.id, gatewayName: "gw", agents: [{ externalId: "main", name: "Grace" }] });
    await recordAgentActivity({ orgId: org.id, gatewayId: gateway.id, events: [{ ...base, kind: "run_start", at: at + 1 }] });
    const lines = (await listActivity({ orgId: org.id, typePrefix: "agent." })).map((e) => e.message);
    expect(lines).toEqual(["Grace started working", "Ada started working"]);
  });

  it("ends a sub-agent once: a row that closes it gives one 'finished' line, rows after it none", async () => {
    const { org, gateway } = await orgWithGateway("ends");
    const child = "agent:main:subagent:x";
    const at = Date.now();
    await upsertSessionRows({ orgId: org.id, gatewayId: gateway.id, sessions: [facts(child, { parentSessionKey: "agent:main:main", label: "lister", lastActivityAt: at })] });
    // the closing row names no label: the line still says which sub-agent finished
    const closing = facts(child, { status: "done", endedAt: at + 10, lastActivityAt: at + 10 });
    await upsertSessionRows({ orgId: org.id, gatewayId: gateway.id, sessions: [closing] });
    await upsertSessionRows({ orgId: org.id, gatewayId: gateway.id, sessions: [closing] });
    const despawns = await listActivity({ orgId: org.id, type: "agent.despawn" });
    expect(despawns.map((e) => e.message)).toEqual(["Sub-agent finished: lister (main)"]);
    expect(despawns[0]!.createdAt.getTime()).toBe(at + 10); // its own end, not when we read it

    // a run starting after the end reopens it (a persistent sub-agent)
    await recordAgentActivity({ orgId: org.id, gatewayId: gateway.id, events: [{ ...base, sessionKey: child, kind: "run_start", at: at + 20 }] });
    expect((await listAgentSessions(org.id)).find((s) => s.sessionKey === child)!.endedAt).toBeNull();
  });

  it("ends the sub-agents a complete list no longer names, except ones written after the list was asked for", async () => {
    const { org, gateway } = await orgWithGateway("missing");
    const at = Date.now();
    await upsertSessionRows({ orgId: org.id, gatewayId: gateway.id, sessions: [facts("agent:main:subagent:gone", { lastActivityAt: at }), facts("agent:main:subagent:kept", { lastActivityAt: at })] });
    const askedAt = new Date(Date.now() - 60_000); // both rows were written after this: neither is ended
    await endMissingSubagents({ orgId: org.id, gatewayId: gateway.id, liveKeys: [], observedAt: askedAt });
    expect((await listAgentSessions(org.id, { includeEnded: false })).length).toBe(2);

    await endMissingSubagents({ orgId: org.id, gatewayId: gateway.id, liveKeys: ["agent:main:subagent:kept"] });
    const open = await listAgentSessions(org.id, { includeEnded: false });
    expect(open.map((s) => s.sessionKey)).toEqual(["agent:main:subagent:kept"]);
    const gone = (await listAgentSessions(org.id)).find((s) => s.sessionKey === "agent:main:subagent:gone")!;
    expect(gone.endedAt).toBe(at); // its last activity: the best guess at an end nobody reported
    expect((await listActivity({ orgId: org.id, type: "agent.despawn" })).map((e) => (e.data as { summary?: string }).summary)).toEqual(["no longer listed"]);
  });

  it("keeps the status an event wrote after a poll's list was asked for", async () => {
    const { org, gateway } = await orgWithGateway("observed");
    const key = "agent:main:main";
    const askedAt = new Date();
    await upsertSessionRows({ orgId: org.id, gatewayId: gateway.id, sessions: [facts(key, { status: "running" })] });
    // the poll's (older) list arrives after that event: it does not undo its status
    await upsertSessionRows({ orgId: org.id, gatewayId: gateway.id, sessions: [facts(key, { status: "idle", model: "m1" })], observedAt: askedAt });
    expect((await listAgentSessions(org.id))[0]).toMatchObject({ status: "running", model: "m1" });
  });
});
