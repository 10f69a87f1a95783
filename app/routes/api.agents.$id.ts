import { requireApiAuth } from "~/auth/api-auth.server";
import { apiAction, apiLoader, apiNotFound, parseJsonBody, requireIdParam } from "~/lib/api.server";
import { apiJson } from "~/lib/http.server";
import { ApiAgentUpdateSchema } from "~/lib/schemas";
import { getAgent, toApiAgent, updateAgent } from "~/models/agent.server";

/* GET, PATCH /api/agents/:id. Another organization's agent is a 404, like a missing one. */

export const loader = apiLoader(async ({ request, params }) => {
  const auth = await requireApiAuth(request);
  const id = requireIdParam(params, "agent");
  const agent = await getAgent({ orgId: auth.orgId, id });
  if (!agent) return apiNotFound("agent");
  return apiJson({ agent: toApiAgent(agent) });
});

export const action = apiAction({
  PATCH: async ({ request, params }) => {
    const auth = await requireApiAuth(request, "member");
    const id = requireIdParam(params, "agent");
    const changes = await parseJsonBody(request, ApiAgentUpdateSchema);
    const { agent } = await updateAgent({ orgId: auth.orgId, id, changes, actor: auth.actor });
    return apiJson({ agent: toApiAgent(agent) });
  },
});
