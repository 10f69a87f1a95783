import { describe, expect, it } from "vitest";
import { db } from "~/db/data-source.server";
import { useTestDatabase } from "../test/support/db";
import { ownerWithOrg } from "../test/support/fixtures";
import { createSession } from "~/auth/session.server";
import { prune } from "./prune.server";

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
});
