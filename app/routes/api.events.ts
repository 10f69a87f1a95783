import { requireApiAuth } from "~/auth/api-auth.server";
import { apiAction, apiLoader, parseQuery } from "~/lib/api.server";
import { EventListQuerySchema, type EventPage } from "~/lib/api-schemas";
import { apiJson } from "~/lib/http.server";
import { pageActivity, toApiEvent } from "~/models/activity.server";

/* GET /api/events?limit&since&cursor: newest first; `since` is a ms timestamp, only events strictly after it. */

export const loader = apiLoader(async ({ request }) => {
  const auth = await requireApiAuth(request);
  const query = parseQuery(request, EventListQuerySchema);
  const page = await pageActivity({
    orgId: auth.orgId,
    limit: query.limit,
    since: query.since === undefined ? undefined : new Date(query.since),
    before: query.cursor,
  });
  return apiJson({ events: page.events.map(toApiEvent), nextCursor: page.nextCursor } satisfies EventPage);
});

export const action = apiAction({});
