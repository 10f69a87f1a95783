import { GatewayEntity, type Gateway } from "~/db/entities";
import type { Queryable } from "~/db/rows";

/* Every statement on `gateways` but the poll's mark (gateway-snapshot.queries), through the typed entity. */

export function selectGateways(q: Queryable, orgId: string): Promise<Gateway[]> {
  return q.getRepository(GatewayEntity).find({ where: { orgId }, order: { name: "ASC" } });
}

/** Every gateway of every organization, oldest first. */
export function selectAllGateways(q: Queryable): Promise<Gateway[]> {
  return q.getRepository(GatewayEntity).find({ order: { createdAt: "ASC" } });
}

/** `orgId` undefined: any organization's (the runtime's own reads). `lock`: held until the transaction ends. */
export function findGateway(q: Queryable, { id, orgId, lock = false }: { id: string; orgId?: string; lock?: boolean }): Promise<Gateway | null> {
  return q.getRepository(GatewayEntity).findOne({ where: orgId === undefined ? { id } : { orgId, id }, ...(lock ? { lock: { mode: "pessimistic_write" as const } } : {}) });
}

export function insertGateway(q: Queryable, gateway: Omit<Gateway, "id" | "createdAt" | "updatedAt" | "version">): Promise<Gateway> {
  const repo = q.getRepository(GatewayEntity);
  return repo.save(repo.create(gateway));
}

export function saveGateway(q: Queryable, gateway: Gateway): Promise<Gateway> {
  return q.getRepository(GatewayEntity).save(gateway);
}

export async function deleteGatewayRow(q: Queryable, id: string): Promise<void> {
  await q.getRepository(GatewayEntity).delete({ id });
}

/** The organization's gateway already at this URL (normalized), other than `exceptId`. */
export function findGatewayByUrlKey(q: Queryable, { orgId, urlKey, exceptId }: { orgId: string; urlKey: string; exceptId?: string }): Promise<Gateway | null> {
  return q
    .getRepository(GatewayEntity)
    .createQueryBuilder("g")
    .where("g.org_id = :orgId and g.url_key = :urlKey", { orgId, urlKey })
    .andWhere(exceptId ? "g.id <> :exceptId" : "true", { exceptId })
    .getOne();
}

/** The organization's gateway that already reported this identity, other than `exceptId`. */
export function findGatewayByIdentity(q: Queryable, { orgId, identity, exceptId }: { orgId: string; identity: string; exceptId: string }): Promise<Gateway | null> {
  return q.getRepository(GatewayEntity).createQueryBuilder("g").where("g.org_id = :orgId and g.identity = :identity and g.id <> :exceptId", { orgId, identity, exceptId }).getOne();
}

/** The rows marked duplicates of this gateway, oldest first. */
export function selectDuplicatesOf(q: Queryable, id: string): Promise<Gateway[]> {
  return q.getRepository(GatewayEntity).find({ where: { duplicateOf: id }, order: { createdAt: "ASC", id: "ASC" } });
}

/** Makes `id` a gateway of its own again (its original was deleted), with `urlKey` and `others` now its duplicates. */
export async function promoteDuplicate(q: Queryable, { id, urlKey, others }: { id: string; urlKey: string | null; others: string[] }): Promise<void> {
  await q.getRepository(GatewayEntity).update({ id }, { duplicateOf: null, urlKey, state: "connecting", lastError: null });
  if (others.length) await q.getRepository(GatewayEntity).createQueryBuilder().update().set({ duplicateOf: id }).where("id in (:...others)", { others }).execute();
}

/**
 * The live figures of an online gateway, and nothing else: no other column (nor `updated_at`, which
 * says when the gateway was changed) moves, so an edit in progress is never made stale by a pong.
 * Answers false when the gateway is gone or no longer online (a late write after a drop).
 */
export async function updateGatewayFigures(
  q: Queryable,
  { id, latencyMs, latencyP50Ms, lastSeenAt }: { id: string; latencyMs: number | null; latencyP50Ms: number | null; lastSeenAt: Date | null },
): Promise<boolean> {
  const [, affected] = (await q.query(
    `update gateways set latency_ms = $2, last_seen_at = coalesce($3, last_seen_at),
       state_detail = state_detail || jsonb_build_object('latencyP50Ms', $4::int)
     where id = $1 and state = 'online'`,
    [id, latencyMs, lastSeenAt, latencyP50Ms],
  )) as [unknown, number];
  return affected > 0;
}
