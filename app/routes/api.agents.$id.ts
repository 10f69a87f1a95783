import { requireApiAuth } from "~/auth/api-auth.server";
import { apiAction, apiLoader, apiNotFound, parseJsonBody, patchWithPrecondition, requireIdParam, versionedAnswer } from "~/lib/api.server";
import { ApiAgentUpdateSchema } from "~/lib/schemas";
import { getAgent, toApiAgent, updateAgent } from "~/models/agent.server";

/* GET, PATCH /api/agents/:id, with ETag and If-Match (ADR 017). Another organization's agent is a 404, like a missing one. */

export const loader = apiLoader(async ({ request, params }) => {
  const auth = await requireApiAuth(request);
  const id = requireIdParam(params, "agent");
  const agent = await getAgent({ orgId: auth.orgId, id });
  if (!agent) return apiNotFound("agent");
  return versionedAnswer("agent", agent.version, toApiAgent(agent));
});

export const action = apiAction({
  PATCH: async ({ request, params }) => {
    const auth = await requireApiAuth(request, "member");
    const id = requireIdParam(params, "agent");
    const changes = await parseJsonBody(request, ApiAgentUpdateSchema);
    const stored = await getAgent({ orgId: auth.orgId, id });
    if (!stored) return apiNotFound("agent");
    return patchWithPrecondition(request, {
      what: "agent",
      key: "agent",
      stored,
      present: toApiAgent,
      update: async (expectedVersion) => (await updateAgent({ orgId: auth.orgId, id, changes, actor: auth.actor, expectedVersion })).agent,
    });
  },
});
