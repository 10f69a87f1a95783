import { sessionFacts, type SessionFacts } from "~/activity/session-row";
import { log } from "~/lib/log.server";
import { syncGatewayAgents } from "~/models/agent.server";
import { claimGatewayIdentity } from "~/models/gateway.server";
import { endMissingSubagents, upsertSessionRows } from "~/models/agent-session.server";
import type { OwnedGateway } from "./gateway-events.server";

/*
 * Discovery: what a gateway has, asked the moment it comes online — its agents (agents.list) and
 * its sessions (sessions.subscribe, after which it pushes their changes on this connection).
 * Failures are logged and wait for the next time it comes online, or the next poll.
 */

export async function discoverAgents({ connection, gateway }: Pick<OwnedGateway, "connection" | "gateway">) {
  try {
    const result = await connection.api.agentsList();
    await syncGatewayAgents({
      orgId: gateway.orgId,
      gatewayId: gateway.id,
      gatewayName: gateway.name,
      agents: result.agents.map((agent) => ({ externalId: agent.id, name: agent.name?.trim() || agent.id })),
    });
  } catch (error) {
    log.warn("agent discovery failed", { gatewayId: gateway.id, error: String(error) });
  }
}

/**
 * Asks the gateway who it is, before anything it has is recorded. True: go on; false: another
 * gateway row of the organization is this same gateway (the row is marked so and must be let go).
 * A gateway without gateway.identity.get (or failing it) is taken as itself.
 */
export async function confirmIdentity({ connection, gateway }: Pick<OwnedGateway, "connection" | "gateway">): Promise<boolean> {
  let identity: string | undefined;
  try {
    identity = (await connection.api.gatewayIdentityGet()).deviceId;
  } catch (error) {
    log.info("the gateway did not say who it is; taken as itself", { gatewayId: gateway.id, error: String(error) });
    return true;
  }
  if (!identity) return true;
  const { duplicateOf } = await claimGatewayIdentity({ id: gateway.id, identity });
  if (duplicateOf) log.warn("the gateway is already registered under another row; not ingesting this one", { gatewayId: gateway.id, duplicateOf: duplicateOf.id });
  return duplicateOf === null;
}

/** After this the gateway pushes sessions.changed and session.message on this connection. */
export async function subscribeSessions({ connection, gateway }: Pick<OwnedGateway, "connection" | "gateway">) {
  try {
    const result = await connection.api.sessionsSubscribe({ limit: 200 });
    const rows = (result.list?.sessions ?? []) as Array<Record<string, unknown>>;
    const defaults = (result.list as { defaults?: { contextTokens?: number } } | undefined)?.defaults ?? {};
    const sessions = rows.map((row) => sessionFacts(row, defaults)).filter((facts): facts is SessionFacts => facts !== null);
    await upsertSessionRows({ orgId: gateway.orgId, gatewayId: gateway.id, sessions });
    // only a complete list says which sub-agents are gone
    if (result.list?.hasMore !== true) {
      await endMissingSubagents({ orgId: gateway.orgId, gatewayId: gateway.id, liveKeys: sessions.map((s) => s.sessionKey) });
    }
  } catch (error) {
    log.warn("sessions.subscribe failed; sessions come from polling only", { gatewayId: gateway.id, error: String(error) });
  }
}
