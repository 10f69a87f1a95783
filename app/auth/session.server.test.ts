import { afterEach, describe, expect, it } from "vitest";
import { db } from "~/db/data-source.server";
import { resetEnvForTests } from "~/env.server";
import { hashSecret } from "~/lib/crypto.server";
import { useTestDatabase } from "../../test/support/db";
import { ownerWithOrg } from "../../test/support/fixtures";
import {
  clearSessionCookie,
  createSession,
  invalidateSession,
  invalidateUserSessions,
  readCookie,
  RENEW_WITHIN_MS,
  SESSION_COOKIE,
  SESSION_TTL_MS,
  sessionCookie,
  setActiveOrg,
  validateSessionToken,
} from "./session.server";

useTestDatabase();

async function storedSession(id: string): Promise<{ expires_at: Date; active_org_id: string | null } | undefined> {
  const rows: Array<{ expires_at: Date; active_org_id: string | null }> = await db().query("select expires_at, active_org_id from sessions where id = $1", [id]);
  return rows[0];
}

async function endEvents(sessionId: string): Promise<Array<{ type: string; data: { reason: string } }>> {
  return db().query("select type, data from event_log where $1 = any(topics) order by id", [`session:${sessionId}`]);
}

describe("createSession / validateSessionToken", () => {
  it("stores only the token's SHA-256 and finds the user and session by the token", async () => {
    const { user, org } = await ownerWithOrg();
    const { token, session } = await createSession({ userId: user.id, activeOrgId: org.id });
    expect(token).toMatch(/^[a-z2-7]{32}$/);
    expect(session.id).toBe(hashSecret(token));
    expect(session.id).not.toContain(token);
    expect(session.expiresAt.getTime()).toBeGreaterThan(Date.now() + SESSION_TTL_MS - 60_000);

    const found = await validateSessionToken(token);
    expect(found?.user.id).toBe(user.id);
    expect(found?.user.username).toBe(user.username);
    expect(found?.session).toMatchObject({ id: session.id, userId: user.id, activeOrgId: org.id });
    expect(found?.renewed).toBe(false);
  });

  it("answers null for a malformed or unknown token without touching a row", async () => {
    expect(await validateSessionToken("")).toBeNull();
    expect(await validateSessionToken("A".repeat(32))).toBeNull();
    expect(await validateSessionToken("a".repeat(33))).toBeNull();
    expect(await validateSessionToken("a".repeat(32))).toBeNull();
  });

  it("deletes an expired session when it is presented", async () => {
    const { user, org } = await ownerWithOrg();
    const { token, session } = await createSession({ userId: user.id, activeOrgId: org.id });
    await db().query("update sessions set expires_at = now() - interval '1 second' where id = $1", [session.id]);
    expect(await validateSessionToken(token)).toBeNull();
    expect(await storedSession(session.id)).toBeUndefined();
  });

  it("slides the expiry out when used within the renewal window, and says so", async () => {
    const { user, org } = await ownerWithOrg();
    const { token, session } = await createSession({ userId: user.id, activeOrgId: org.id });
    const soon = new Date(Date.now() + RENEW_WITHIN_MS - 60_000);
    await db().query("update sessions set expires_at = $2 where id = $1", [session.id, soon]);

    const found = await validateSessionToken(token);
    expect(found?.renewed).toBe(true);
    expect(found!.session.expiresAt.getTime()).toBeGreaterThan(Date.now() + SESSION_TTL_MS - 60_000);
    expect((await storedSession(session.id))!.expires_at.getTime()).toBe(found!.session.expiresAt.getTime());
    expect((await validateSessionToken(token))?.renewed).toBe(false);
  });

  it("ends with the user: deleting the account deletes its sessions", async () => {
    const { user, org } = await ownerWithOrg();
    const { token } = await createSession({ userId: user.id, activeOrgId: org.id });
    await db().query("delete from users where id = $1", [user.id]);
    expect(await validateSessionToken(token)).toBeNull();
  });
});

describe("signing out", () => {
  it("invalidateSession deletes the session and tells its streams, in one commit", async () => {
    const { user, org } = await ownerWithOrg();
    const { token, session } = await createSession({ userId: user.id, activeOrgId: org.id });
    await invalidateSession(session.id);
    expect(await validateSessionToken(token)).toBeNull();
    expect(await endEvents(session.id)).toEqual([{ type: "session.ended", data: { reason: "signed-out" } }]);
  });

  it("invalidateUserSessions ends every other session of that user only", async () => {
    const { user, org } = await ownerWithOrg();
    const other = await ownerWithOrg("bystander");
    const here = await createSession({ userId: user.id, activeOrgId: org.id });
    const laptop = await createSession({ userId: user.id, activeOrgId: org.id });
    const phone = await createSession({ userId: user.id, activeOrgId: org.id });
    const theirs = await createSession({ userId: other.user.id, activeOrgId: other.org.id });

    await invalidateUserSessions(user.id, here.session.id);

    expect(await validateSessionToken(here.token)).not.toBeNull();
    expect(await validateSessionToken(laptop.token)).toBeNull();
    expect(await validateSessionToken(phone.token)).toBeNull();
    expect(await validateSessionToken(theirs.token)).not.toBeNull();
    expect(await endEvents(laptop.session.id)).toEqual([{ type: "session.ended", data: { reason: "signed-out-everywhere" } }]);
    expect(await endEvents(here.session.id)).toEqual([]);

    await invalidateUserSessions(user.id);
    expect(await validateSessionToken(here.token)).toBeNull();
  });

  it("setActiveOrg switches the organization the session acts in", async () => {
    const { user, org } = await ownerWithOrg();
    const second = await ownerWithOrg("second");
    const { token, session } = await createSession({ userId: user.id, activeOrgId: org.id });
    await setActiveOrg(session.id, second.org.id);
    expect((await validateSessionToken(token))?.session.activeOrgId).toBe(second.org.id);
  });
});

describe("cookies", () => {
  afterEach(() => {
    delete process.env.MC_SECURE_COOKIES;
    resetEnvForTests();
  });

  it("sets an HttpOnly, SameSite=Lax cookie, Secure on https only", () => {
    const expires = new Date("2027-01-01T00:00:00Z");
    const plain = sessionCookie(new Request("http://127.0.0.1:3000/login"), "tok", expires);
    expect(plain).toBe(`${SESSION_COOKIE}=tok; Path=/; HttpOnly; SameSite=Lax; Expires=Fri, 01 Jan 2027 00:00:00 GMT`);
    expect(sessionCookie(new Request("https://mc.example.com/login"), "tok", expires)).toMatch(/; Secure$/);
    expect(clearSessionCookie(new Request("http://127.0.0.1/"))).toBe(`${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`);
  });

  it("MC_SECURE_COOKIES overrides the scheme (TLS ends at a proxy)", () => {
    process.env.MC_SECURE_COOKIES = "true";
    resetEnvForTests();
    expect(sessionCookie(new Request("http://127.0.0.1/"), "tok", new Date())).toMatch(/; Secure$/);
    expect(clearSessionCookie(new Request("http://127.0.0.1/"))).toMatch(/; Secure$/);
    process.env.MC_SECURE_COOKIES = "false";
    resetEnvForTests();
    expect(sessionCookie(new Request("https://mc.example.com/"), "tok", new Date())).not.toMatch(/Secure/);
  });

  it("readCookie finds one cookie among several and decodes it", () => {
    const request = new Request("http://127.0.0.1/", { headers: { Cookie: `theme=dark; ${SESSION_COOKIE}=abc%3D; other` } });
    expect(readCookie(request, SESSION_COOKIE)).toBe("abc=");
    expect(readCookie(request, "theme")).toBe("dark");
    expect(readCookie(request, "missing")).toBeNull();
    expect(readCookie(new Request("http://127.0.0.1/"), SESSION_COOKIE)).toBeNull();
  });

  it("readCookie answers null for a value that does not percent-decode (a crafted cookie is no session, not a 500)", () => {
    const request = new Request("http://127.0.0.1/", { headers: { Cookie: `${SESSION_COOKIE}=%E0%A4%A; theme=dark` } });
    expect(readCookie(request, SESSION_COOKIE)).toBeNull();
    expect(readCookie(request, "theme")).toBe("dark");
  });
});
