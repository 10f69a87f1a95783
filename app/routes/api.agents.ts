import { requireApiAuth } from "~/auth/api-auth.server";
import { apiAction, apiLoader, parseJsonBody } from "~/lib/api.server";
import { apiJson } from "~/lib/http.server";
import { ApiAgentCreateSchema } from "~/lib/schemas";
import { createAgent, listAgents, toApiAgent } from "~/models/agent.server";

/* GET /api/agents, POST /api/agents (an agent added by hand: name, role, status?, avatarColor?) */

export const loader = apiLoader(async ({ request }) => {
  const auth = await requireApiAuth(request);
  const agents = await listAgents(auth.orgId);
  return apiJson({ agents: agents.map(toApiAgent) });
});

export const action = apiAction({
  POST: async ({ request }) => {
    const auth = await requireApiAuth(request, "member");
    const body = await parseJsonBody(request, ApiAgentCreateSchema);
    const agent = await createAgent({ orgId: auth.orgId, ...body, actor: auth.actor });
    return apiJson({ agent: toApiAgent(agent) }, { status: 201 });
  },
});
