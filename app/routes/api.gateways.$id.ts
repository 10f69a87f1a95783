import { requireApiAuth } from "~/auth/api-auth.server";
import { apiAction, apiLoader, apiNotFound, parseJsonBody, patchWithPrecondition, requireIdParam, versionedAnswer } from "~/lib/api.server";
import { apiJson } from "~/lib/http.server";
import { ApiGatewayUpdateSchema } from "~/lib/schemas";
import { deleteGateway, getGateway, seesGatewayDetails, toApiGateway, updateGateway } from "~/models/gateway.server";

/*
 * GET /api/gateways/:id (any role; where it is and its raw errors for admins only), PATCH and DELETE
 * (admin). `token: null` removes the stored token; a URL on another origin needs the token again.
 * ETag and If-Match as on tasks (ADR 017).
 */

export const loader = apiLoader(async ({ request, params }) => {
  const auth = await requireApiAuth(request);
  const id = requireIdParam(params, "gateway");
  const gateway = await getGateway({ orgId: auth.orgId, id });
  if (!gateway) return apiNotFound("gateway");
  return versionedAnswer("gateway", gateway.version, toApiGateway(gateway, { detailed: seesGatewayDetails(auth.role) }));
});

export const action = apiAction({
  PATCH: async ({ request, params }) => {
    const auth = await requireApiAuth(request, "admin");
    const id = requireIdParam(params, "gateway");
    const input = await parseJsonBody(request, ApiGatewayUpdateSchema);
    const stored = await getGateway({ orgId: auth.orgId, id });
    if (!stored) return apiNotFound("gateway");
    return patchWithPrecondition(request, {
      what: "gateway",
      key: "gateway",
      stored,
      present: (gateway) => toApiGateway(gateway, { detailed: true }),
      update: (expectedVersion) => updateGateway({ orgId: auth.orgId, id, input, actor: auth.actor, expectedVersion }),
    });
  },
  DELETE: async ({ request, params }) => {
    const auth = await requireApiAuth(request, "admin");
    const id = requireIdParam(params, "gateway");
    await deleteGateway({ orgId: auth.orgId, id, actor: auth.actor });
    return apiJson({ success: true });
  },
});
