import { ApiTokenEntity, type ApiToken } from "~/db/entities";
import type { Queryable } from "~/db/rows";

/* Every statement on `api_tokens`. Tokens are found by the SHA-256 of the plain token (unique). */

export function insertToken(q: Queryable, token: Pick<ApiToken, "orgId" | "name" | "tokenHash" | "prefix" | "createdBy" | "role" | "expiresAt">): Promise<ApiToken> {
  const repo = q.getRepository(ApiTokenEntity);
  return repo.save(repo.create({ ...token, lastUsedAt: null, revokedAt: null }));
}

/** Newest first. */
export function listTokens(q: Queryable, orgId: string): Promise<ApiToken[]> {
  return q.getRepository(ApiTokenEntity).find({ where: { orgId }, order: { createdAt: "DESC" } });
}

export function findToken(q: Queryable, { orgId, id }: { orgId: string; id: string }): Promise<ApiToken | null> {
  return q.getRepository(ApiTokenEntity).findOneBy({ orgId, id });
}

export function findTokenByHash(q: Queryable, tokenHash: string): Promise<ApiToken | null> {
  return q.getRepository(ApiTokenEntity).findOneBy({ tokenHash });
}

export async function setRevokedAt(q: Queryable, id: string, at: Date): Promise<void> {
  await q.getRepository(ApiTokenEntity).update({ id }, { revokedAt: at });
}

export async function setLastUsedAt(q: Queryable, id: string, at: Date): Promise<void> {
  await q.getRepository(ApiTokenEntity).update({ id }, { lastUsedAt: at });
}

/** A live (unrevoked) token of the organization already has this name, ignoring case (api_tokens_org_live_name_key). */
export function liveTokenNameTaken(q: Queryable, { orgId, name }: { orgId: string; name: string }): Promise<boolean> {
  return q.getRepository(ApiTokenEntity).createQueryBuilder("t").where("t.org_id = :orgId and lower(t.name) = lower(:name) and t.revoked_at is null", { orgId, name }).getExists();
}

/** Revokes the live tokens one person created in the organization (only those of `role`, if given); answers which. */
export async function revokeLiveTokensCreatedBy(
  q: Queryable,
  { orgId, userId, at, role }: { orgId: string; userId: string; at: Date; role?: ApiToken["role"] },
): Promise<Array<{ id: string; name: string }>> {
  const result = await q
    .getRepository(ApiTokenEntity)
    .createQueryBuilder()
    .update()
    .set({ revokedAt: at })
    .where(`org_id = :orgId and created_by = :userId and revoked_at is null${role ? " and role = :role" : ""}`, { orgId, userId, role })
    .returning(["id", "name"])
    .execute();
  return (result.raw as Array<{ id: string; name: string }>).map((row) => ({ id: row.id, name: row.name }));
}
