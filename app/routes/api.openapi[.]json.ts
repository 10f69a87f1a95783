import { apiAction, apiLoader } from "~/lib/api.server";
import { apiJson } from "~/lib/http.server";
import { buildOpenApiDocument } from "~/lib/openapi";

/* GET /api/openapi.json: the API description. Public, like any API's documentation. */

export const loader = apiLoader(() => apiJson(buildOpenApiDocument()));

export const action = apiAction({});
