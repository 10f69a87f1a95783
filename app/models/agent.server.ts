import { db, transaction } from "~/db/data-source.server";
import { topic } from "~/lib/topics";
import type { Agent, AgentRole, AgentStatus } from "~/db/entities";
import { TAG_PALETTE } from "~/lib/constants";
import { MAX_MONTHLY_BUDGET_USD } from "~/lib/schemas";
import { DomainError } from "~/lib/http.server";
import { publish } from "~/realtime/publish.server";
import type { EntityManager } from "typeorm";
import { recordActivity, type Actor } from "./activity.server";
import * as queries from "./agent.queries.server";
import { assertVersion, claimRowVersion, StaleVersionError } from "./row-version.server";

function publishAgent(manager: EntityManager, type: string, orgId: string, agentId: string, data: Record<string, unknown>) {
  return publish(manager, { orgId, type, topics: [topic.agents, topic.agent(agentId), topic.office], data });
}

export function listAgents(orgId: string): Promise<Agent[]> {
  return queries.selectAgents(db().manager, { orgId });
}

/** The agents discovered on one gateway, by name. */
export function listGatewayAgents({ orgId, gatewayId }: { orgId: string; gatewayId: string }): Promise<Agent[]> {
  return queries.selectAgents(db().manager, { orgId, gatewayId });
}

export async function getAgent({ orgId, id }: { orgId: string; id: string }): Promise<Agent | null> {
  return queries.findAgent(db().manager, { orgId, id });
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
    const count = await queries.countAgents(manager, orgId);
    const agent = await queries.insertAgent(manager, {
      orgId,
      name: name.trim(),
      role,
      status,
      avatarColor: avatarColor ?? TAG_PALETTE[count % TAG_PALETTE.length]!,
      lastActiveAt: new Date(),
      source: "manual",
    });
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
  /** USD per calendar month of the organization's zone; null: no budget of its own */
  monthlyBudgetUsd?: number | null;
}

/**
 * Returns the agent after the change and whether its status changed (for `agent.status_changed`).
 * `expectedVersion`: the version the edit was based on (the form's, an API `If-Match`); an agent
 * edited since is refused with a StaleVersionError carrying the stored agent and nothing is written
 * (ADR 017). The version counts edits by people; the status a gateway reports does not bump it.
 */
export async function updateAgent({
  orgId,
  id,
  changes,
  actor,
  expectedVersion,
}: {
  orgId: string;
  id: string;
  changes: AgentChanges;
  actor: Actor;
  expectedVersion?: number;
}) {
  return transaction(async (manager) => {
    const agent = await queries.findAgent(manager, { orgId, id, lock: true });
    if (!agent) throw new DomainError(404, "not_found", "That agent does not exist in this organization.");
    assertVersion("agent", agent, expectedVersion, () => ({ ...agent }));
    const statusChanged = changes.status !== undefined && changes.status !== agent.status;
    const before = { name: agent.name, role: agent.role, status: agent.status, avatarColor: agent.avatarColor };
    const stored = { ...agent };
    if (changes.name !== undefined) agent.name = changes.name.trim();
    if (changes.role !== undefined) agent.role = changes.role;
    if (changes.avatarColor !== undefined) agent.avatarColor = changes.avatarColor;
    if (changes.status !== undefined) agent.status = changes.status;
    const budgetChanged = changes.monthlyBudgetUsd !== undefined && changes.monthlyBudgetUsd !== agent.monthlyBudgetUsd;
    if (changes.monthlyBudgetUsd != null && !(Number.isFinite(changes.monthlyBudgetUsd) && changes.monthlyBudgetUsd >= 0 && changes.monthlyBudgetUsd <= MAX_MONTHLY_BUDGET_USD)) {
      throw new DomainError(400, "invalid_budget", `A monthly budget is between $0 and $${MAX_MONTHLY_BUDGET_USD.toLocaleString("en-US")}, or empty for none.`, "monthlyBudgetUsd");
    }
    const budgetBefore = agent.monthlyBudgetUsd;
    if (budgetChanged) agent.monthlyBudgetUsd = changes.monthlyBudgetUsd ?? null;
    if (!statusChanged && !budgetChanged && (["name", "role", "avatarColor"] as const).every((key) => agent[key] === before[key])) return { agent, statusChanged };
    if (statusChanged) agent.lastActiveAt = new Date();
    const version = await claimRowVersion(manager, "agents", { orgId, id, expected: expectedVersion ?? null });
    if (version === null) throw new StaleVersionError("agent", stored);
    agent.version = version;
    const saved = await queries.saveAgent(manager, agent);
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
    if (budgetChanged) {
      const to = saved.monthlyBudgetUsd;
      await recordActivity(manager, {
        orgId,
        type: "agent_budget_changed",
        message: to === null ? `${actor.name} removed the monthly budget of ${saved.name}` : `${actor.name} set the monthly budget of ${saved.name} to $${to.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`,
        actor,
        agentId: saved.id,
        data: { from: budgetBefore, to },
      });
    }
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
    else if (otherChanges.length > 0 || budgetChanged) await publishAgent(manager, "agent.updated", orgId, saved.id, { agent: toApiAgent(saved) });
    return { agent: saved, statusChanged };
  });
}

export async function deleteAgent({ orgId, id, actor }: { orgId: string; id: string; actor: Actor }) {
  return transaction(async (manager) => {
    const agent = await queries.findAgent(manager, { orgId, id });
    if (!agent) throw new DomainError(404, "not_found", "That agent does not exist in this organization.");
    await queries.deleteAgentRow(manager, id);
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

const SYSTEM: Actor = { type: "system", id: null, name: "System" };

/**
 * Keeps the gateway's agents in the org's agent table: new ones are added, renamed ones renamed,
 * listed ones that were offline come back online, ones the gateway no longer lists are marked
 * offline (their task history stays). Agents created by hand are never touched.
 */
export async function syncGatewayAgents({
  orgId,
  gatewayId,
  gatewayName,
  agents,
}: {
  orgId: string;
  gatewayId: string;
  gatewayName: string;
  agents: Array<{ externalId: string; name: string }>;
}) {
  return transaction(async (manager) => {
    const existing = await queries.lockGatewayAgents(manager, { orgId, gatewayId });
    const byExternal = new Map(existing.map((agent) => [agent.externalId, agent]));
    const added: Agent[] = [];
    const renamed: Agent[] = [];
    const gone: Agent[] = [];
    const revived: Agent[] = [];
    let count = await queries.countAgents(manager, orgId);
    for (const discovered of agents) {
      const current = byExternal.get(discovered.externalId);
      if (!current) {
        const agent = await queries.insertAgent(manager, {
          orgId,
          name: discovered.name,
          role: discovered.externalId === "main" ? "Main" : "Dev",
          status: "online",
          avatarColor: TAG_PALETTE[count++ % TAG_PALETTE.length]!,
          lastActiveAt: new Date(),
          source: "gateway",
          gatewayId,
          externalId: discovered.externalId,
        });
        added.push(agent);
      } else {
        const wasRenamed = current.name !== discovered.name;
        const wasOffline = current.status === "offline";
        if (!wasRenamed && !wasOffline) continue;
        current.name = discovered.name;
        if (wasOffline) (current.status = "online"), (current.lastActiveAt = new Date());
        const saved = await queries.saveAgent(manager, current);
        if (wasRenamed) renamed.push(saved);
        if (wasOffline) revived.push(saved);
      }
    }
    const listed = new Set(agents.map((a) => a.externalId));
    for (const agent of existing) {
      if (!listed.has(agent.externalId ?? "") && agent.status !== "offline") {
        agent.status = "offline";
        gone.push(await queries.saveAgent(manager, agent));
      }
    }
    for (const agent of added) {
      await recordActivity(manager, { orgId, type: "agent_discovered", message: `Discovered the agent ${agent.name} on ${gatewayName}`, actor: SYSTEM, agentId: agent.id, data: { gatewayId } });
    }
    for (const agent of renamed) {
      await recordActivity(manager, { orgId, type: "agent_updated", message: `${gatewayName} renamed an agent to ${agent.name}`, actor: SYSTEM, agentId: agent.id, data: { gatewayId } });
    }
    for (const agent of gone) {
      await recordActivity(manager, { orgId, type: "agent_removed", message: `${agent.name} is no longer listed by ${gatewayName}`, actor: SYSTEM, agentId: agent.id, data: { gatewayId } });
    }
    for (const agent of revived) {
      await recordActivity(manager, { orgId, type: "agent_status_changed", message: `${agent.name} is now online`, actor: SYSTEM, agentId: agent.id, data: { from: "offline", to: "online", gatewayId } });
    }
    for (const agent of added) await publishAgent(manager, "agent.created", orgId, agent.id, { agent: toApiAgent(agent) });
    for (const agent of renamed) await publishAgent(manager, "agent.updated", orgId, agent.id, { agent: toApiAgent(agent) });
    for (const agent of [...gone, ...revived]) await publishAgent(manager, "agent.status_changed", orgId, agent.id, { agent: toApiAgent(agent) });
    return { added: added.length, renamed: renamed.length, gone: gone.length, revived: revived.length };
  });
}

/**
 * Status driven by the gateway: a run starting makes an agent busy, its end makes it online, the
 * gateway going away makes all its agents offline. `externalId` undefined means every agent of the gateway.
 */
export async function setGatewayAgentStatus({
  gatewayId,
  externalId,
  status,
  from,
}: {
  gatewayId: string;
  externalId?: string;
  status: AgentStatus;
  /** only change agents currently in one of these states */
  from?: AgentStatus[];
}) {
  return transaction(async (manager) => {
    const agents = await queries.lockGatewayAgents(manager, { gatewayId, ...(externalId !== undefined ? { externalId } : {}) });
    const changed: Agent[] = [];
    for (const agent of agents) {
      if (agent.status === status || (from && !from.includes(agent.status))) continue;
      const previous = agent.status;
      agent.status = status;
      agent.lastActiveAt = new Date();
      // Only these two columns: a concurrent rename by discovery must not be overwritten.
      await queries.setAgentStatus(manager, agent.id, { status, lastActiveAt: agent.lastActiveAt });
      const saved = agent;
      changed.push(saved);
      await recordActivity(manager, {
        orgId: agent.orgId,
        type: "agent_status_changed",
        message: `${agent.name} is now ${status}`,
        actor: SYSTEM,
        agentId: agent.id,
        data: { from: previous, to: status },
      });
    }
    for (const agent of changed) await publishAgent(manager, "agent.status_changed", agent.orgId, agent.id, { agent: toApiAgent(agent) });
    return changed.length;
  });
}
