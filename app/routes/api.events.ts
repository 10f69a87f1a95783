import { z } from "zod";
import { requireApiAuth } from "~/auth/api-auth.server";
import { apiAction, apiLoader, parseQuery } from "~/lib/api.server";
import { apiJson } from "~/lib/http.server";
import { listActivity, toApiEvent } from "~/models/activity.server";

/* GET /api/events?limit&since: newest first; `since` is a ms timestamp, only events strictly after it. */

const MAX_DATE_MS = 8.64e15;
const wholeNumber = (name: string) => z.string().regex(/^\d{1,16}$/, `${name} must be a whole number`).transform(Number);

const EventsQuerySchema = z.object({
  limit: wholeNumber("limit").pipe(z.number().min(1, "limit must be at least 1").max(500, "limit must be at most 500")).default("50"),
  since: wholeNumber("since").pipe(z.number().max(MAX_DATE_MS, "since must be a timestamp in milliseconds")).optional(),
});

export const loader = apiLoader(async ({ request }) => {
  const auth = await requireApiAuth(request);
  const query = parseQuery(request, EventsQuerySchema);
  const events = await listActivity({
    orgId: auth.orgId,
    limit: query.limit,
    since: query.since === undefined ? undefined : new Date(query.since),
  });
  return apiJson({ events: events.map(toApiEvent) });
});

export const action = apiAction({});
