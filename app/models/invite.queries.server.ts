import { InviteEntity, type Invite } from "~/db/entities";
import type { Queryable } from "~/db/rows";

/* Every statement on `invites`. An invite is found by the SHA-256 of its link's token (unique). */

export function insertInvite(q: Queryable, invite: Pick<Invite, "orgId" | "role" | "tokenHash" | "createdBy" | "expiresAt">): Promise<Invite> {
  const repo = q.getRepository(InviteEntity);
  return repo.save(repo.create({ ...invite, acceptedAt: null, acceptedBy: null }));
}

/** Not accepted and not expired, newest first. */
export function listOpenInvites(q: Queryable, orgId: string): Promise<Invite[]> {
  return q
    .getRepository(InviteEntity)
    .createQueryBuilder("i")
    .where("i.org_id = :orgId and i.accepted_at is null and i.expires_at > now()", { orgId })
    .orderBy("i.created_at", "DESC")
    .getMany();
}

/** Deletes the invite unless it was accepted (then it is the record of who joined); answers how many went. */
export async function deleteUnacceptedInvite(q: Queryable, { orgId, id }: { orgId: string; id: string }): Promise<number> {
  const result = await q
    .createQueryBuilder()
    .delete()
    .from(InviteEntity)
    .where("org_id = :orgId and id = :id and accepted_at is null", { orgId, id })
    .execute();
  return result.affected ?? 0;
}

export function findInviteByHash(q: Queryable, tokenHash: string): Promise<Invite | null> {
  return q.getRepository(InviteEntity).findOneBy({ tokenHash });
}

/** The invite, locked until the transaction ends, so two people cannot both use it. */
export function lockInviteByHash(q: Queryable, tokenHash: string): Promise<Invite | null> {
  return q.getRepository(InviteEntity).createQueryBuilder("i").setLock("pessimistic_write").where("i.token_hash = :tokenHash", { tokenHash }).getOne();
}

export async function markAccepted(q: Queryable, { id, userId, at }: { id: string; userId: string; at: Date }): Promise<void> {
  await q.getRepository(InviteEntity).update({ id }, { acceptedAt: at, acceptedBy: userId });
}
