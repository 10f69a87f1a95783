import { apiError } from "~/lib/http.server";

/* Any other /api/* path: a JSON 404 rather than the app's HTML page. */

const notFound = () => apiError(404, "not_found", "There is no API endpoint at this path. See /api/openapi.json for the list.");

export const loader = notFound;
export const action = notFound;
