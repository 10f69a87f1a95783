import { requireApiAuth } from "~/auth/api-auth.server";
import { apiAction, apiLoader, parseJsonBody } from "~/lib/api.server";
import { apiJson } from "~/lib/http.server";
import { ApiGatewayCreateSchema } from "~/lib/schemas";
import { createGateway, listGateways, seesGatewayDetails, toApiGateway } from "~/models/gateway.server";

/*
 * GET /api/gateways (any role; URLs, device ids and raw errors for admins only), POST /api/gateways —
 * admins set gateways up by script. The token is write-only: answers only say whether one is set.
 */

export const loader = apiLoader(async ({ request }) => {
  const auth = await requireApiAuth(request);
  const detailed = seesGatewayDetails(auth.role);
  const gateways = await listGateways(auth.orgId);
  return apiJson({ gateways: gateways.map((gateway) => toApiGateway(gateway, { detailed })) });
});

export const action = apiAction({
  POST: async ({ request }) => {
    const auth = await requireApiAuth(request, "admin");
    const body = await parseJsonBody(request, ApiGatewayCreateSchema);
    const gateway = await createGateway({ orgId: auth.orgId, input: { ...body, token: body.token ?? null }, actor: auth.actor });
    return apiJson({ gateway: toApiGateway(gateway, { detailed: true }) }, { status: 201 });
  },
});
