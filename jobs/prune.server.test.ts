import { describe, expect, it } from "vitest";
import { db } from "~/db/data-source.server";
import { useTestDatabase } from "../test/support/db";
import { ownerWithOrg } from "../test/support/fixtures";
import { createSession } from "~/auth/session.server";
import { recordAgentActivity } from "~/models/agent-session.server";
import { AGENT_ACTIVITY_RETENTION_DAYS, prune } from "./prune.server";

useTestDatabase();

describe("prune", () => {
  it("deletes expired sessions and old live events and keeps the rest", async () => {
    const { user, org } = await ownerWithOrg();
    const live = await createSession({ userId: user.id, activeOrgId: org.id });
    const dead = await createSession({ userId: user.id, activeOrgId: org.id });
    await db().query("update sessions set expires_at = now() - interval '1 minute' where id = $1", [dead.session.id]);
    const before: Array<{ count: number }> = await db().query("select count(*)::int as count from event_log");
    await db().query("update event_log set created_at = now() - interval '8 days' where id = (select min(id) from event_log)");

    const removed = await prune();

    expect(removed.sessions).toBe(1);
    expect(removed.events).toBe(1);
    const sessions: Array<{ id: string }> = await db().query("select id from sessions where user_id = $1", [user.id]);
    expect(sessions.map((s) => s.id)).toEqual([live.session.id]);
    const after: Array<{ count: number }> = await db().query("select count(*)::int as count from event_log");
    expect(after[0]!.count).toBe(before[0]!.count - 1);
  });

  it("deletes agent activity past its retention and keeps people's own actions of the same age", async () => {
    const { org } = await ownerWithOrg("prune-agents");
    const at = Date.now();
    const base = { source: "gateway" as const, agentId: "main", sessionKey: "agent:main:main" };
    await recordAgentActivity({ orgId: org.id, gatewayId: null, events: [{ ...base, kind: "run_start", at }, { ...base, kind: "run_end", at: at + 1 }] });
    const old = `now() - make_interval(days => ${AGENT_ACTIVITY_RETENTION_DAYS + 1})`;
    // the older agent row and the organization's own audit row (created with it) both age past the limit
    await db().query(`update activity_events set created_at = ${old} where org_id = $1 and (type = 'agent.run_start' or actor_type = 'user')`, [org.id]);

    const removed = await prune();

    expect(removed.agentActivity).toBe(1);
    const left: Array<{ type: string }> = await db().query("select type from activity_events where org_id = $1 order by id", [org.id]);
    expect(left.map((row) => row.type)).toContain("agent.run_end");
    expect(left.map((row) => row.type)).not.toContain("agent.run_start");
    expect(left.some((row) => !row.type.startsWith("agent."))).toBe(true);
  });
});
