import { describe, expect, it } from "vitest";
import { db } from "~/db/data-source.server";
import { ApiTokenEntity } from "~/db/entities";
import { createApiToken, revokeApiToken } from "~/models/api-token.server";
import { createInvite, removeMember, signUpWithInvite } from "~/models/organization.server";
import { useTestDatabase } from "../../test/support/db";
import { ownerWithOrg, PASSWORD } from "../../test/support/fixtures";
import { requireApiAuth } from "./api-auth.server";
import { createSession } from "./session.server";

useTestDatabase();

function bearer(token: string | null, scheme = "Bearer") {
  return new Request("http://localhost/api/tasks", token === null ? {} : { headers: { Authorization: `${scheme} ${token}` } });
}

/** The JSON error the guard threw. */
async function refusal(promise: Promise<unknown>): Promise<{ status: number; code: string; message: string }> {
  try {
    await promise;
  } catch (thrown) {
    if (!(thrown instanceof Response)) throw thrown;
    const body = (await thrown.json()) as { error: { code: string; message: string } };
    return { status: thrown.status, ...body.error };
  }
  throw new Error("expected requireApiAuth to throw");
}

describe("requireApiAuth", () => {
  it("asks for a Bearer token when there is none, or the header is not one", async () => {
    expect(await refusal(requireApiAuth(bearer(null)))).toMatchObject({ status: 401, code: "unauthorized", message: expect.stringMatching(/Authorization: Bearer/) });
    expect((await refusal(requireApiAuth(bearer("mc_x", "Basic")))).status).toBe(401);
    expect((await refusal(requireApiAuth(bearer("")))).status).toBe(401);
  });

  it("lets an org API token act as a member of its organization", async () => {
    const { org, actor } = await ownerWithOrg();
    const { token, apiToken } = await createApiToken({ orgId: org.id, name: "CI", actor });
    const context = await requireApiAuth(bearer(token), "member");
    expect(context).toEqual({ orgId: org.id, role: "member", actor: { type: "token", id: apiToken.id, name: "CI" }, session: null, tokenExpiresAt: null });
    expect(await requireApiAuth(new Request("http://localhost/", { headers: { Authorization: `bearer   ${token}` } }))).toMatchObject({ orgId: org.id });
  });

  it("refuses an API token an admin role with 403, and a revoked or unknown one with 401", async () => {
    const { org, actor } = await ownerWithOrg();
    const { token, apiToken } = await createApiToken({ orgId: org.id, name: "CI", actor });
    expect(await refusal(requireApiAuth(bearer(token), "admin"))).toMatchObject({ status: 403, code: "forbidden", message: "This needs the admin role; the token acts as member." });
    await revokeApiToken({ orgId: org.id, tokenId: apiToken.id, actor });
    expect(await refusal(requireApiAuth(bearer(token)))).toMatchObject({ status: 401, message: "The token is unknown, expired or revoked." });
    expect((await refusal(requireApiAuth(bearer(`mc_${"a".repeat(32)}`)))).status).toBe(401);
  });

  it("lets a session token act as its user in the session's organization, with their role there", async () => {
    const owner = await ownerWithOrg("api-owner");
    const { token: invite } = await createInvite({ orgId: owner.org.id, role: "viewer", actor: owner.actor });
    const { user } = await signUpWithInvite({ token: invite, username: `v-${Math.random().toString(36).slice(2, 8)}`, password: PASSWORD });
    const { token, session } = await createSession({ userId: user.id, activeOrgId: owner.org.id });

    // with its session, so what the token opens can end with it (sign-out, expiry)
    expect(await requireApiAuth(bearer(token))).toEqual({
      orgId: owner.org.id,
      role: "viewer",
      actor: { type: "user", id: user.id, name: user.displayName },
      session: { id: session.id, expiresAt: session.expiresAt },
      tokenExpiresAt: null,
    });
    expect((await refusal(requireApiAuth(bearer(token), "member"))).status).toBe(403);

    // removed from the organization and member of none: the token no longer acts anywhere
    await removeMember({ orgId: owner.org.id, userId: user.id, actor: owner.actor, actorRole: "owner" });
    expect((await refusal(requireApiAuth(bearer(token)))).status).toBe(401);
  });

  it("refuses a malformed or unknown session token with 401", async () => {
    for (const token of ["short", "a".repeat(32), "é".repeat(32)]) {
      expect((await refusal(requireApiAuth(bearer(token)))).status).toBe(401);
    }
  });

  it("lets a read-only token read and answers its writes with 403 and a sentence", async () => {
    const { org, actor } = await ownerWithOrg();
    const { token } = await createApiToken({ orgId: org.id, name: "dashboard", actor, role: "read-only" });
    expect(await requireApiAuth(bearer(token))).toMatchObject({ orgId: org.id, role: "viewer" });
    expect(await refusal(requireApiAuth(bearer(token), "member"))).toMatchObject({ status: 403, code: "forbidden", message: expect.stringMatching(/read-only/) });
  });

  it("refuses an expired token with 401 and says it expired", async () => {
    const { org, actor } = await ownerWithOrg();
    const { token, apiToken } = await createApiToken({ orgId: org.id, name: "short", actor, expiresAt: new Date(Date.now() + 60_000) });
    expect((await requireApiAuth(bearer(token))).tokenExpiresAt?.getTime()).toBe(apiToken.expiresAt!.getTime());
    await db().getRepository(ApiTokenEntity).update({ id: apiToken.id }, { expiresAt: new Date(Date.now() - 1000) });
    expect(await refusal(requireApiAuth(bearer(token)))).toMatchObject({ status: 401, code: "token_expired", message: expect.stringMatching(/expired on .* UTC/) });
  });
});
