import type { LoaderFunctionArgs } from "@remix-run/node";
import { authenticateStream, liveStream, resolveTopics } from "~/realtime/stream.server";

/**
 * GET /events?topics=board:<id>,activity,agents — one server-sent event stream per page (cookie)
 * or per script (Authorization: Bearer). Every message carries the event-log id; reconnecting with
 * Last-Event-ID replays what was missed.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const auth = await authenticateStream(request);
  const topics = await resolveTopics(auth.orgId, new URL(request.url).searchParams.get("topics"));
  return liveStream({ request, auth, topics });
}
