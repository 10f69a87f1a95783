import { requireApiAuth } from "~/auth/api-auth.server";
import { apiAction, apiLoader, apiNotFound, parseJsonBody, requireIdParam } from "~/lib/api.server";
import { apiJson } from "~/lib/http.server";
import { ApiGatewayUpdateSchema } from "~/lib/schemas";
import { deleteGateway, getGateway, toApiGateway, updateGateway } from "~/models/gateway.server";

/* GET, PATCH, DELETE /api/gateways/:id (admin). `token: null` removes the stored token. */

export const loader = apiLoader(async ({ request, params }) => {
  const auth = await requireApiAuth(request, "admin");
  const id = requireIdParam(params, "gateway");
  const gateway = await getGateway({ orgId: auth.orgId, id });
  if (!gateway) return apiNotFound("gateway");
  return apiJson({ gateway: toApiGateway(gateway) });
});

export const action = apiAction({
  PATCH: async ({ request, params }) => {
    const auth = await requireApiAuth(request, "admin");
    const id = requireIdParam(params, "gateway");
    const input = await parseJsonBody(request, ApiGatewayUpdateSchema);
    const gateway = await updateGateway({ orgId: auth.orgId, id, input, actor: auth.actor });
    return apiJson({ gateway: toApiGateway(gateway) });
  },
  DELETE: async ({ request, params }) => {
    const auth = await requireApiAuth(request, "admin");
    const id = requireIdParam(params, "gateway");
    await deleteGateway({ orgId: auth.orgId, id, actor: auth.actor });
    return apiJson({ success: true });
  },
});
