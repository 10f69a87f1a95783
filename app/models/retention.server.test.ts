import { describe, expect, it } from "vitest";
import { db } from "~/db/data-source.server";
import { useTestDatabase } from "../../test/support/db";
import { ownerWithOrg } from "../../test/support/fixtures";
import { createSession } from "~/auth/session.server";
import { recordAgentActivity } from "~/models/agent-session.server";
import { createInvite } from "./organization.server";
import { countFailure } from "./rate-limit.server";
import { AGENT_ACTIVITY_RETENTION_DAYS, EXPIRED_INVITE_RETENTION_DAYS, pruneExpired } from "./retention.server";

useTestDatabase();

describe("pruneExpired", () => {
  it("deletes expired sessions and old live events and keeps the rest", async () => {
    const { user, org } = await ownerWithOrg();
    const live = await createSession({ userId: user.id, activeOrgId: org.id });
    const dead = await createSession({ userId: user.id, activeOrgId: org.id });
    await db().query("update sessions set expires_at = now() - interval '1 minute' where id = $1", [dead.session.id]);
    const before: Array<{ count: number }> = await db().query("select count(*)::int as count from event_log");
    await db().query("update event_log set created_at = now() - interval '8 days' where id = (select min(id) from event_log)");

    const removed = await pruneExpired();

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

    const removed = await pruneExpired();

    expect(removed.agentActivity).toBe(1);
    const left: Array<{ type: string }> = await db().query("select type from activity_events where org_id = $1 order by id", [org.id]);
    expect(left.map((row) => row.type)).toContain("agent.run_end");
    expect(left.map((row) => row.type)).not.toContain("agent.run_start");
    expect(left.some((row) => !row.type.startsWith("agent."))).toBe(true);
  });

  it("deletes unused invites long past expiry and day-old rate-limit windows, not fresh ones or accepted invites", async () => {
    const { org, actor } = await ownerWithOrg("prune-invites");
    const stale = await createInvite({ orgId: org.id, role: "member", actor });
    const fresh = await createInvite({ orgId: org.id, role: "member", actor });
    const accepted = await createInvite({ orgId: org.id, role: "member", actor });
    const longAgo = `now() - make_interval(days => ${EXPIRED_INVITE_RETENTION_DAYS + 1})`;
    await db().query(`update invites set expires_at = ${longAgo} where id = any($1)`, [[stale.invite.id, accepted.invite.id]]);
    await db().query("update invites set accepted_at = now() where id = $1", [accepted.invite.id]);
    await countFailure({ key: "prune:old", windowSeconds: 900 });
    await countFailure({ key: "prune:new", windowSeconds: 900 });
    await db().query("update rate_limits set window_start = now() - interval '25 hours' where key = 'prune:old'");

    const removed = await pruneExpired();

    expect(removed.invites).toBe(1);
    expect(removed.rateLimits).toBe(1);
    const invites: Array<{ id: string }> = await db().query("select id from invites where org_id = $1", [org.id]);
    expect(invites.map((row) => row.id).sort()).toEqual([fresh.invite.id, accepted.invite.id].sort());
    const limits: Array<{ key: string }> = await db().query("select key from rate_limits where key like 'prune:%'");
    expect(limits.map((row) => row.key)).toEqual(["prune:new"]);
  });
});
