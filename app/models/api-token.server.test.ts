import { describe, expect, it } from "vitest";
import { db } from "~/db/data-source.server";
import { ApiTokenEntity } from "~/db/entities";
import { useTestDatabase } from "../../test/support/db";
import { ownerWithOrg } from "../../test/support/fixtures";
import { listActivity } from "./activity.server";
import { authenticateApiToken, checkApiToken, createApiToken, listApiTokens, revokeApiToken } from "./api-token.server";

useTestDatabase();

describe("API tokens", () => {
  it("refuses a second live token of the same name (ignoring case) with 409; a revoked token's name is free again", async () => {
    const { org, actor } = await ownerWithOrg();
    const { apiToken } = await createApiToken({ orgId: org.id, name: "Deploy bot", actor });
    await expect(createApiToken({ orgId: org.id, name: " deploy BOT ", actor })).rejects.toMatchObject({ status: 409, code: "api_token_exists", field: "name", message: expect.stringContaining('A token called "deploy BOT" already exists') });
    // the index, not only the check: two at once leave one
    const raced = await Promise.allSettled([createApiToken({ orgId: org.id, name: "Race", actor }), createApiToken({ orgId: org.id, name: "race", actor })]);
    expect(raced.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect((raced.find((r) => r.status === "rejected") as PromiseRejectedResult).reason).toMatchObject({ status: 409 });
    await revokeApiToken({ orgId: org.id, tokenId: apiToken.id, actor });
    await expect(createApiToken({ orgId: org.id, name: "Deploy bot", actor })).resolves.toBeTruthy();
  });

  it("authenticates a new token, stamps last use and stores only its hash", async () => {
    const { org, actor } = await ownerWithOrg();
    const { token, apiToken } = await createApiToken({ orgId: org.id, name: " CI bot ", actor });
    expect(token).toMatch(/^mc_[a-z2-7]{32}$/);
    expect(apiToken.name).toBe("CI bot");
    expect(apiToken.prefix).toBe(token.slice(0, 7));

    const stored = await db().getRepository(ApiTokenEntity).findOneByOrFail({ id: apiToken.id });
    expect(stored.tokenHash).not.toBe(token);
    expect(stored.tokenHash).not.toContain(token.slice(3));
    expect(stored.lastUsedAt).toBeNull();

    const authed = await authenticateApiToken(token);
    expect(authed?.id).toBe(apiToken.id);
    expect(authed?.orgId).toBe(org.id);
    expect((await listApiTokens(org.id))[0]!.lastUsedAt).toBeInstanceOf(Date);
  });

  it("rejects a revoked token, a wrong token and a token without the prefix", async () => {
    const { org, actor } = await ownerWithOrg();
    const { token, apiToken } = await createApiToken({ orgId: org.id, name: "temp", actor });
    await revokeApiToken({ orgId: org.id, tokenId: apiToken.id, actor });
    expect(await authenticateApiToken(token)).toBeNull();
    expect(await authenticateApiToken(token.slice(0, -1) + (token.endsWith("a") ? "b" : "a"))).toBeNull();
    expect(await authenticateApiToken(token.slice(3))).toBeNull();
    expect((await listApiTokens(org.id))[0]!.revokedAt).toBeInstanceOf(Date);
    expect((await listActivity({ orgId: org.id, type: "api_token_revoked" }))).toHaveLength(1);
  });

  it("revoking twice is harmless, and another organization cannot revoke it", async () => {
    const { org, actor } = await ownerWithOrg();
    const other = await ownerWithOrg("other");
    const { token, apiToken } = await createApiToken({ orgId: org.id, name: "keep", actor });
    await expect(revokeApiToken({ orgId: other.org.id, tokenId: apiToken.id, actor: other.actor })).rejects.toMatchObject({ status: 404 });
    expect(await authenticateApiToken(token)).not.toBeNull();
    await revokeApiToken({ orgId: org.id, tokenId: apiToken.id, actor });
    await revokeApiToken({ orgId: org.id, tokenId: apiToken.id, actor });
    expect((await listActivity({ orgId: org.id, type: "api_token_revoked" }))).toHaveLength(1);
  });

  it("stores role and expiry, refuses an expired token, and caps the role by the creator's", async () => {
    const { org, actor } = await ownerWithOrg();
    const expiresAt = new Date(Date.now() + 7 * 86_400_000);
    const { token, apiToken } = await createApiToken({ orgId: org.id, name: "reader", actor, role: "read-only", expiresAt });
    const [listed] = await listApiTokens(org.id);
    expect(listed).toMatchObject({ id: apiToken.id, role: "read-only" });
    expect(listed!.expiresAt?.getTime()).toBe(expiresAt.getTime());
    expect(await checkApiToken(token)).toMatchObject({ ok: true });

    await db().getRepository(ApiTokenEntity).update({ id: apiToken.id }, { expiresAt: new Date(Date.now() - 1) });
    expect(await checkApiToken(token)).toMatchObject({ ok: false, reason: "expired" });
    expect(await authenticateApiToken(token)).toBeNull();

    await expect(createApiToken({ orgId: org.id, name: "too much", actor, role: "member", creatorRole: "viewer" })).rejects.toMatchObject({ status: 403 });
    await expect(createApiToken({ orgId: org.id, name: "past", actor, expiresAt: new Date(Date.now() - 1000) })).rejects.toMatchObject({ status: 400 });
    expect((await createApiToken({ orgId: org.id, name: "viewer's", actor, role: "read-only", creatorRole: "viewer" })).apiToken.role).toBe("read-only");
    expect((await createApiToken({ orgId: org.id, name: "default", actor })).apiToken).toMatchObject({ role: "member", expiresAt: null });
  });
});
