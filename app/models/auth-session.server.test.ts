import { describe, expect, it } from "vitest";
import { db } from "~/db/data-source.server";
import { useTestDatabase } from "../../test/support/db";
import { ownerWithOrg } from "../../test/support/fixtures";
import { endSession, endUserSessions, extendSession, findSessionWithUser, setActiveOrg, storeSession } from "./auth-session.server";

useTestDatabase();

let n = 0;
const id = () => `test-session-${++n}-${Math.random().toString(36).slice(2)}`;
const inAnHour = () => new Date(Date.now() + 3_600_000);

describe("auth sessions (stored side)", () => {
  it("stores a session and reads it back with its user in one query", async () => {
    const { user, org } = await ownerWithOrg();
    const expiresAt = inAnHour();
    const stored = await storeSession({ id: id(), userId: user.id, activeOrgId: org.id, expiresAt });
    expect(stored.createdAt).toBeInstanceOf(Date);
    expect(stored.expiresAt.getTime()).toBe(expiresAt.getTime());

    const found = await findSessionWithUser(stored.id);
    expect(found?.session).toEqual(stored);
    expect(found?.user).toEqual({ ...user, createdAt: expect.any(Date), updatedAt: expect.any(Date) });
    expect(found?.user.passwordHash).toBe(user.passwordHash);
    expect(await findSessionWithUser("no-such-session")).toBeNull();
  });

  it("moves the expiry and the active organization", async () => {
    const { user } = await ownerWithOrg();
    const other = await ownerWithOrg("other");
    const stored = await storeSession({ id: id(), userId: user.id, activeOrgId: null, expiresAt: inAnHour() });
    const later = new Date(Date.now() + 86_400_000);
    await extendSession(stored.id, later);
    await setActiveOrg(stored.id, other.org.id);
    const found = await findSessionWithUser(stored.id);
    expect(found?.session.expiresAt.getTime()).toBe(later.getTime());
    expect(found?.session.activeOrgId).toBe(other.org.id);
  });

  it("ends a session and publishes session.ended to its topic in the same commit", async () => {
    const { user } = await ownerWithOrg();
    const stored = await storeSession({ id: id(), userId: user.id, activeOrgId: null, expiresAt: inAnHour() });
    await endSession(stored.id);
    expect(await findSessionWithUser(stored.id)).toBeNull();
    const events: Array<{ type: string; org_id: string | null }> = await db().query("select type, org_id from event_log where $1 = any(topics)", [`session:${stored.id}`]);
    expect(events).toEqual([{ type: "session.ended", org_id: null }]);
  });

  it("ends all of a user's sessions but one and says how many", async () => {
    const { user } = await ownerWithOrg();
    const keep = await storeSession({ id: id(), userId: user.id, activeOrgId: null, expiresAt: inAnHour() });
    await storeSession({ id: id(), userId: user.id, activeOrgId: null, expiresAt: inAnHour() });
    await storeSession({ id: id(), userId: user.id, activeOrgId: null, expiresAt: inAnHour() });
    expect(await endUserSessions(user.id, keep.id)).toBe(2);
    expect(await findSessionWithUser(keep.id)).not.toBeNull();
    expect(await endUserSessions(user.id)).toBe(1);
    expect(await endUserSessions(user.id)).toBe(0);
  });
});
