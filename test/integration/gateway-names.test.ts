import { describe, expect, it } from "vitest";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { listAgents, syncGatewayAgents } from "~/models/agent.server";
import type { SessionFacts } from "~/activity/session-row";
import { upsertSessionRows } from "~/models/agent-session.server";
import { createGateway } from "~/models/gateway.server";
import * as agentPage from "~/routes/_app.agents.$agentId";
import * as sessionsPage from "~/routes/_app.monitoring.sessions._index";
import { useTestDatabase } from "../support/db";
import { ownerWithOrg } from "../support/fixtures";
import { pageRequest, ROUTE_ARGS, sessionCookieFor } from "../support/requests";

/*
 * Issue 11 point 2: where an organization has two gateways, three agents called "main" must be told
 * apart — the agent's page names its gateway, the sessions filter offers one "main" per gateway.
 */
useTestDatabase();

const session = (sessionKey: string): SessionFacts => ({
  sessionKey, sessionId: null, externalAgentId: "main", type: "main", label: null, model: null, parentSessionKey: null, contextTokens: null,
  totalTokens: null, inputTokens: null, outputTokens: null, costUsd: null, status: null, lastActivityAt: Date.now(), endedAt: null,
});

async function orgWith(gatewayNames: string[]) {
  const { user, org, actor } = await ownerWithOrg("names");
  const cookie = await sessionCookieFor(user.id, org.id);
  const gateways = [];
  for (const [i, name] of gatewayNames.entries()) {
    const gateway = await createGateway({ orgId: org.id, input: { name, url: `ws://127.0.0.1:${4000 + i}` }, actor });
    await syncGatewayAgents({ orgId: org.id, gatewayId: gateway.id, gatewayName: name, agents: [{ externalId: "main", name: "main" }] });
    await upsertSessionRows({ orgId: org.id, gatewayId: gateway.id, sessions: [session("agent:main:main")] });
    gateways.push(gateway);
  }
  const load = (loader: (args: LoaderFunctionArgs) => unknown, path: string, params: Record<string, string> = {}) =>
    loader({ request: pageRequest(path, cookie), params, ...ROUTE_ARGS }) as Promise<never>;
  return { org, gateways, load };
}

describe("same-named agents on several gateways", () => {
  it("the agent page names and links its gateway only where the organization has several", async () => {
    const two = await orgWith(["Home", "Lab"]);
    const onLab = (await listAgents(two.org.id)).find((a) => a.gatewayId === two.gateways[1]!.id)!;
    const page: Awaited<ReturnType<typeof agentPage.loader>> = await two.load(agentPage.loader, `/agents/${onLab.id}`, { agentId: onLab.id });
    expect(page.agent.gateway).toEqual({ id: two.gateways[1]!.id, name: "Lab" });

    const one = await orgWith(["Solo"]);
    const [only] = await listAgents(one.org.id);
    const alone: Awaited<ReturnType<typeof agentPage.loader>> = await one.load(agentPage.loader, `/agents/${only!.id}`, { agentId: only!.id });
    expect(alone.agent.gateway).toBeNull();
  });

  it("the sessions filter offers one 'main' per gateway, and choosing one shows only that gateway's sessions", async () => {
    const { gateways, load } = await orgWith(["Home", "Lab"]);
    const page: Awaited<ReturnType<typeof sessionsPage.loader>> = await load(sessionsPage.loader, "/monitoring/sessions");
    expect(page.agents.map((a) => a.name).sort()).toEqual(["main · Home", "main · Lab"]);
    const lab = page.agents.find((a) => a.name === "main · Lab")!;
    const filtered: Awaited<ReturnType<typeof sessionsPage.loader>> = await load(sessionsPage.loader, `/monitoring/sessions?agent=${encodeURIComponent(lab.id)}`);
    expect(filtered.agent).toBe(lab.id);
    expect(filtered.sessions.map((s) => s.gatewayName)).toEqual(["Lab"]);
    expect(filtered.sessions[0]!.gatewayId).toBe(gateways[1]!.id);
  });
});
