import { sessionFacts, type SessionFacts } from "~/activity/session-row";
import { log } from "~/lib/log.server";
import { syncGatewayAgents } from "~/models/agent.server";
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
