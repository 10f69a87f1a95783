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

export function insertGateway(q: Queryable, gateway: Omit<Gateway, "id" | "createdAt" | "updatedAt">): Promise<Gateway> {
  const repo = q.getRepository(GatewayEntity);
  return repo.save(repo.create(gateway));
}

export function saveGateway(q: Queryable, gateway: Gateway): Promise<Gateway> {
  return q.getRepository(GatewayEntity).save(gateway);
}

export async function deleteGatewayRow(q: Queryable, id: string): Promise<void> {
  await q.getRepository(GatewayEntity).delete({ id });
}
