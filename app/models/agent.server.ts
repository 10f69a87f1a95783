import { db, transaction } from "~/db/data-source.server";
import { AgentEntity, type Agent, type AgentRole, type AgentStatus } from "~/db/entities";
import { TAG_PALETTE } from "~/lib/constants";
import { DomainError } from "~/lib/http.server";
import { publish } from "~/realtime/publish.server";
import type { EntityManager } from "typeorm";
import { recordActivity, type Actor } from "./activity.server";

function publishAgent(manager: EntityManager, type: string, orgId: string, agentId: string, data: Record<string, unknown>) {
  return publish(manager, { orgId, type, topics: ["agents", `agent:${agentId}`, "office"], data });
}

export function listAgents(orgId: string): Promise<Agent[]> {
  return db().getRepository(AgentEntity).createQueryBuilder("a").where("a.org_id = :orgId", { orgId }).orderBy("lower(a.name)").getMany();
}

export async function getAgent({ orgId, id }: { orgId: string; id: string }): Promise<Agent | null> {
  return db().getRepository(AgentEntity).findOneBy({ orgId, id });
}

export async function createAgent({
  orgId,
  name,
  role,
  status = "offline",
  avatarColor,
  actor,
}: {
  orgId: string;
  name: string;
  role: AgentRole;
  status?: AgentStatus;
  avatarColor?: string;
  actor: Actor;
}): Promise<Agent> {
  return transaction(async (manager) => {
    const repo = manager.getRepository(AgentEntity);
    const count = await repo.countBy({ orgId });
    const agent = await repo.save(
      repo.create({
        orgId,
        name: name.trim(),
        role,
        status,
        avatarColor: avatarColor ?? TAG_PALETTE[count % TAG_PALETTE.length]!,
        lastActiveAt: new Date(),
        source: "manual",
      }),
    );
    await recordActivity(manager, {
      orgId,
      type: "agent_created",
      message: `${actor.name} added the agent ${agent.name}`,
      actor,
      agentId: agent.id,
    });
    await publishAgent(manager, "agent.created", orgId, agent.id, { agent: toApiAgent(agent) });
    return agent;
  });
}

export interface AgentChanges {
  name?: string;
  role?: AgentRole;
  status?: AgentStatus;
  avatarColor?: string;
}

/** Returns the agent after the change and whether its status changed (for `agent.status_changed`). */
export async function updateAgent({ orgId, id, changes, actor }: { orgId: string; id: string; changes: AgentChanges; actor: Actor }) {
  return transaction(async (manager) => {
    const repo = manager.getRepository(AgentEntity);
    const agent = await repo.findOne({ where: { orgId, id }, lock: { mode: "pessimistic_write" } });
    if (!agent) throw new DomainError(404, "not_found", "That agent does not exist in this organization.");
    const statusChanged = changes.status !== undefined && changes.status !== agent.status;
    const before = { name: agent.name, role: agent.role, status: agent.status, avatarColor: agent.avatarColor };
    if (changes.name !== undefined) agent.name = changes.name.trim();
    if (changes.role !== undefined) agent.role = changes.role;
    if (changes.avatarColor !== undefined) agent.avatarColor = changes.avatarColor;
    if (changes.status !== undefined) agent.status = changes.status;
    if (statusChanged) agent.lastActiveAt = new Date();
    const saved = await repo.save(agent);
    if (statusChanged) {
      await recordActivity(manager, {
        orgId,
        type: "agent_status_changed",
        message: `${saved.name} is now ${saved.status}`,
        actor,
        agentId: saved.id,
        data: { from: before.status, to: saved.status },
      });
    }
    const otherChanges = (["name", "role", "avatarColor"] as const).filter((key) => changes[key] !== undefined && changes[key] !== before[key]);
    if (otherChanges.length > 0) {
      await recordActivity(manager, {
        orgId,
        type: "agent_updated",
        message: `${actor.name} updated the agent ${saved.name} (${otherChanges.join(", ")})`,
        actor,
        agentId: saved.id,
        data: { fields: otherChanges },
      });
    }
    if (statusChanged) await publishAgent(manager, "agent.status_changed", orgId, saved.id, { agent: toApiAgent(saved) });
    else if (otherChanges.length > 0) await publishAgent(manager, "agent.updated", orgId, saved.id, { agent: toApiAgent(saved) });
    return { agent: saved, statusChanged };
  });
}

export async function deleteAgent({ orgId, id, actor }: { orgId: string; id: string; actor: Actor }) {
  return transaction(async (manager) => {
    const repo = manager.getRepository(AgentEntity);
    const agent = await repo.findOneBy({ orgId, id });
    if (!agent) throw new DomainError(404, "not_found", "That agent does not exist in this organization.");
    await repo.delete({ id });
    await recordActivity(manager, { orgId, type: "agent_deleted", message: `${actor.name} removed the agent ${agent.name}`, actor, agentId: id });
    await publishAgent(manager, "agent.deleted", orgId, id, { agentId: id });
  });
}

/** The BACKEND_SPEC agent shape. */
export function toApiAgent(agent: Agent) {
  return {
    id: agent.id,
    name: agent.name,
    role: agent.role,
    status: agent.status,
    lastActive: agent.lastActiveAt.getTime(),
    avatarColor: agent.avatarColor,
    source: agent.source,
  };
}
