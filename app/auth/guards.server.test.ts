import { describe, expect, it } from "vitest";
import type { User } from "~/db/entities";
import { createInvite, createOrganizationForUser, removeMember, signUpWithInvite } from "~/models/organization.server";
import { useTestDatabase } from "../../test/support/db";
import { ownerWithOrg, PASSWORD } from "../../test/support/fixtures";
import { getUserSession, requireOrg, requireRole, requireUser } from "./guards.server";
import { createSession, SESSION_COOKIE } from "./session.server";

useTestDatabase();

async function signedIn(user: User, activeOrgId: string | null, init: { method?: string; path?: string; origin?: string } = {}) {
  const { token, session } = await createSession({ userId: user.id, activeOrgId });
  const headers: Record<string, string> = { Cookie: `${SESSION_COOKIE}=${token}` };
  if (init.origin) headers.Origin = init.origin;
  return { request: new Request(`http://localhost${init.path ?? "/boards"}`, { method: init.method ?? "GET", headers }), session };
}

/** What a guard threw: a Response (redirect, 403) or the error itself. */
async function thrownBy(promise: Promise<unknown>): Promise<Response> {
  try {
    await promise;
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
  throw new Error("expected the guard to throw");
}

async function viewerOf(org: { id: string }, actor: Parameters<typeof createInvite>[0]["actor"]) {
  const { token } = await createInvite({ orgId: org.id, role: "viewer", actor });
  const { user } = await signUpWithInvite({ token, username: `viewer-${Math.random().toString(36).slice(2, 8)}`, password: PASSWORD });
  return user;
}

describe("requireUser", () => {
  it("sends a signed-out visitor to the login page, remembering where they were going", async () => {
    const response = await thrownBy(requireUser(new Request("http://localhost/boards/1?tab=done")));
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe(`/login?redirectTo=${encodeURIComponent("/boards/1?tab=done")}`);
    const home = await thrownBy(requireUser(new Request("http://localhost/")));
    expect(home.headers.get("Location")).toBe("/login");
  });

  it("treats a garbage or unknown cookie as signed out", async () => {
    for (const cookie of [`${SESSION_COOKIE}=nope`, `${SESSION_COOKIE}=${"a".repeat(32)}`, `${SESSION_COOKIE}=%E0%A4%A`]) {
      const response = await thrownBy(requireUser(new Request("http://localhost/boards", { headers: { Cookie: cookie } })));
      expect(response.status).toBe(302);
    }
  });

  it("refuses a signed-in write from another origin with 403 before looking at the session", async () => {
    const { user, org } = await ownerWithOrg();
    const { request } = await signedIn(user, org.id, { method: "POST", origin: "https://evil.example" });
    expect((await thrownBy(requireUser(request))).status).toBe(403);
    const same = await signedIn(user, org.id, { method: "POST", origin: "http://localhost" });
    expect((await requireUser(same.request)).user.id).toBe(user.id);
  });

  it("validates the session once per request", async () => {
    const { user, org } = await ownerWithOrg();
    const { request } = await signedIn(user, org.id);
    const first = getUserSession(request);
    expect(getUserSession(request)).toBe(first);
    expect((await first)?.user.id).toBe(user.id);
  });
});

describe("requireOrg", () => {
  it("acts in the session's active organization with the user's role there", async () => {
    const { user, org } = await ownerWithOrg();
    const second = await ownerWithOrg("second");
    const viewer = await viewerOf(second.org, second.actor);
    const { request } = await signedIn(viewer, second.org.id);
    const context = await requireOrg(request);
    expect(context.org.id).toBe(second.org.id);
    expect(context.role).toBe("viewer");
    expect(context.memberships.map((m) => m.org.id)).toEqual([second.org.id]);
    expect(context.actor).toEqual({ type: "user", id: viewer.id, name: viewer.displayName });

    const own = await requireOrg((await signedIn(user, org.id)).request);
    expect(own).toMatchObject({ org: { id: org.id }, role: "owner" });
  });

  it("falls back to the first organization when the session's one is gone from the user's memberships", async () => {
    const owner = await ownerWithOrg("fallback-owner");
    const { token } = await createInvite({ orgId: owner.org.id, role: "member", actor: owner.actor });
    const { user } = await signUpWithInvite({ token, username: `m-${Math.random().toString(36).slice(2, 8)}`, password: PASSWORD });
    // the member also owns an organization of their own, first by name
    const ownOrg = await createOrganizationForUser({ name: "A first by name", user });
    const { request } = await signedIn(user, owner.org.id);
    expect((await requireOrg(request)).org.id).toBe(owner.org.id);

    await removeMember({ orgId: owner.org.id, userId: user.id, actor: owner.actor, actorRole: "owner" });
    const after = await requireOrg((await signedIn(user, owner.org.id)).request);
    expect(after.org.id).toBe(ownOrg.id);
    expect(after.role).toBe("owner");
  });

  it("sends a user without any organization to create one", async () => {
    const owner = await ownerWithOrg("lonely-owner");
    const { token } = await createInvite({ orgId: owner.org.id, role: "member", actor: owner.actor });
    const { user } = await signUpWithInvite({ token, username: `l-${Math.random().toString(36).slice(2, 8)}`, password: PASSWORD });
    await removeMember({ orgId: owner.org.id, userId: user.id, actor: owner.actor, actorRole: "owner" });
    const response = await thrownBy(requireOrg((await signedIn(user, owner.org.id)).request));
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/orgs/new");
  });

  it("gives anyone below minRole a 403 that says what they lack", async () => {
    const owner = await ownerWithOrg("roles");
    const viewer = await viewerOf(owner.org, owner.actor);
    const { request } = await signedIn(viewer, owner.org.id);
    const response = await thrownBy(requireOrg(request, "member"));
    expect(response.status).toBe(403);
    expect(await response.text()).toMatch(/Viewers can look but not change anything/);
  });
});

describe("requireRole", () => {
  it("passes at or above the role and names the needed one below it", async () => {
    expect(() => requireRole({ role: "owner" }, "admin")).not.toThrow();
    expect(() => requireRole({ role: "admin" }, "admin")).not.toThrow();
    const response = await thrownBy(Promise.resolve().then(() => requireRole({ role: "member" }, "admin")));
    expect(response.status).toBe(403);
    expect(await response.text()).toBe("This needs the admin role; you are member.");
  });
});
