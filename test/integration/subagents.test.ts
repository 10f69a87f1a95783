import { describe, expect, it } from "vitest";
import { useTestDatabase } from "../support/db";
import { ownerWithOrg } from "../support/fixtures";
import { listAgentSessions, recordAgentActivity } from "~/models/agent-session.server";
import { normalizeGatewayEvent, type ActivityEvent } from "~/activity/normalize";

useTestDatabase();

const parentKey = "agent:main:main";
const childKey = "agent:main:subagent:9f1c";

describe("sub-agents", () => {
  it("links a sessions_spawn child to its parent and ends it when the child session ends, not when the call returns", async () => {
    const { org } = await ownerWithOrg("spawn");
    const at = Date.now();
    const base = { source: "gateway" as const, agentId: "main", sessionKey: parentKey };
    const spawnEvents: ActivityEvent[] = [
      { ...base, kind: "tool_start", tool: "sessions_spawn", toolCallId: "c1", summary: "spawn: research", at },
      { ...base, kind: "spawn", child: { label: "research", task: "find docs", agentId: "main" }, at },
      { ...base, kind: "tool_end", tool: "sessions_spawn", toolCallId: "c1", child: { sessionKey: childKey }, at: at + 5 },
    ];
    await recordAgentActivity({ orgId: org.id, gatewayId: null, events: spawnEvents });
    let sessions = await listAgentSessions(org.id);
    const child = sessions.find((s) => s.sessionKey === childKey)!;
    expect(child).toMatchObject({ type: "subagent", parentSessionKey: parentKey, endedAt: null });

    // the child works on after the spawn call returned
    await recordAgentActivity({ orgId: org.id, gatewayId: null, events: [{ source: "gateway", agentId: "main", sessionKey: childKey, kind: "tool_start", tool: "exec", summary: "exec: ls", at: at + 50 }] });
    expect((await listAgentSessions(org.id)).find((s) => s.sessionKey === childKey)).toMatchObject({ endedAt: null, currentTool: "exec" });

    // the gateway reports the child session deleted: that ends it
    const ended = normalizeGatewayEvent({
      event: "sessions.changed",
      payload: { sessionKey: childKey, agentId: "main", reason: "deleted", ts: at + 100, session: { key: childKey, status: "done", endedAt: at + 100 } },
    });
    expect(ended.map((e) => e.kind)).toContain("despawn");
    await recordAgentActivity({ orgId: org.id, gatewayId: null, events: ended });
    sessions = await listAgentSessions(org.id);
    expect(sessions.find((s) => s.sessionKey === childKey)!.endedAt).toBe(at + 100);
    expect(sessions.find((s) => s.sessionKey === parentKey)!.endedAt).toBeNull();
  });
});
