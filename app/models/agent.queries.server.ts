import { z } from "zod";
import { AgentEntity, type Agent, type AgentStatus } from "~/db/entities";
import { col, rowDecoder, type Queryable } from "~/db/rows";

/* Every statement on `agents`: through the typed entity, and in SQL where that says it better. */

/** An organization's agents (or one gateway's), by name. */
export function selectAgents(q: Queryable, { orgId, gatewayId }: { orgId: string; gatewayId?: string }): Promise<Agent[]> {
  const query = q.getRepository(AgentEntity).createQueryBuilder("a").where("a.org_id = :orgId", { orgId });
  if (gatewayId !== undefined) query.andWhere("a.gateway_id = :gatewayId", { gatewayId });
  return query.orderBy("lower(a.name)").getMany();
}

/** `lock`: held until the transaction ends. */
export function findAgent(q: Queryable, { orgId, id, lock = false }: { orgId: string; id: string; lock?: boolean }): Promise<Agent | null> {
  return q.getRepository(AgentEntity).findOne({ where: { orgId, id }, ...(lock ? { lock: { mode: "pessimistic_write" as const } } : {}) });
}

/** A gateway's agents (or the one it calls `externalId`), locked until the transaction ends. */
export function lockGatewayAgents(q: Queryable, { gatewayId, orgId, externalId }: { gatewayId: string; orgId?: string; externalId?: string }): Promise<Agent[]> {
  return q.getRepository(AgentEntity).find({
    where: { gatewayId, ...(orgId !== undefined ? { orgId } : {}), ...(externalId !== undefined ? { externalId } : {}) },
    lock: { mode: "pessimistic_write" },
  });
}

export function countAgents(q: Queryable, orgId: string): Promise<number> {
  return q.getRepository(AgentEntity).countBy({ orgId });
}

export function insertAgent(q: Queryable, agent: Omit<Agent, "id" | "createdAt" | "updatedAt" | "version" | "gatewayId" | "externalId" | "monthlyBudgetUsd"> & Partial<Pick<Agent, "gatewayId" | "externalId" | "monthlyBudgetUsd">>): Promise<Agent> {
  const repo = q.getRepository(AgentEntity);
  return repo.save(repo.create(agent));
}

export function saveAgent(q: Queryable, agent: Agent): Promise<Agent> {
  return q.getRepository(AgentEntity).save(agent);
}

/** Only these two columns: a concurrent rename by discovery must not be overwritten. */
export async function setAgentStatus(q: Queryable, id: string, { status, lastActiveAt }: { status: AgentStatus; lastActiveAt: Date }): Promise<void> {
  await q.getRepository(AgentEntity).update({ id }, { status, lastActiveAt });
}

export async function deleteAgentRow(q: Queryable, id: string): Promise<void> {
  await q.getRepository(AgentEntity).delete({ id });
}

const agentRefRow = rowDecoder("agents: by external id", z.object({ id: col.uuid, name: col.text }));

/**
 * The agent a gateway knows as `externalId`. Without a gateway (a legacy transcript), any agent
 * discovered from a gateway under that id: the oldest, so the answer does not change between calls.
 */
export async function findGatewayAgentRef(
  q: Queryable,
  { orgId, gatewayId, externalId }: { orgId: string; gatewayId: string | null; externalId: string },
): Promise<{ id: string; name: string } | null> {
  return agentRefRow.first(
    gatewayId
      ? await q.query("select id, name from agents where org_id = $1 and gateway_id = $2 and external_id = $3", [orgId, gatewayId, externalId])
      : await q.query("select id, name from agents where org_id = $1 and source = 'gateway' and external_id = $2 order by created_at limit 1", [orgId, externalId]),
  );
}

/** Agents whose gateway is gone (gateway_id set null by the delete) are offline: nothing reports them now. */
export async function markOrphanedGatewayAgentsOffline(q: Queryable, orgId: string): Promise<void> {
  await q.query("update agents set status = 'offline', updated_at = now() where gateway_id is null and source = 'gateway' and org_id = $1", [orgId]);
}
