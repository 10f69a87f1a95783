/*
 * Where an organization has more than one gateway, three agents called "main" must be told apart:
 * every list and picker of agents or sessions names the agent's gateway beside it ("main · Home").
 * With one gateway (or none) the name alone says it, so nothing is added (ADR 018).
 */

/** gateway id → name, or null when the organization has fewer than two gateways */
export type GatewayLabels = Record<string, string> | null;

export function gatewayLabels(gateways: Array<{ id: string; name: string }>): GatewayLabels {
  return gateways.length > 1 ? Object.fromEntries(gateways.map((g) => [g.id, g.name])) : null;
}

/** The gateway's name for a row of it, when the organization has several; null otherwise. */
export function gatewayNameOf(gatewayId: string | null | undefined, labels: GatewayLabels): string | null {
  return labels && gatewayId ? (labels[gatewayId] ?? null) : null;
}

/** "main · Home" where several gateways exist, "main" otherwise. */
export function agentLabel(agent: { name: string; gatewayId?: string | null }, labels: GatewayLabels): string {
  const gateway = gatewayNameOf(agent.gatewayId, labels);
  return gateway ? `${agent.name} · ${gateway}` : agent.name;
}
