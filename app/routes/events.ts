import type { LoaderFunctionArgs } from "@remix-run/node";
import { authenticateStream, liveStream, resolveTopics } from "~/realtime/stream.server";

/**
 * GET /events?topics=board:<id>,activity,agents — one server-sent event stream per page (cookie)
 * or per script (Authorization: Bearer); without `topics`, everything of the caller's organization.
 * Every message carries the event-log id; reconnecting with Last-Event-ID replays what was missed.
 *
 * The built server answers GET /events before Remix, on the Node response (server.ts,
 * ~/realtime/node-stream.server, ADR 011); this module serves the same stream, with the same auth,
 * topics and replay, to requests that reach Remix (tests, other adapters).
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const auth = await authenticateStream(request);
  const topics = await resolveTopics(auth.orgId, new URL(request.url).searchParams.get("topics"));
  return liveStream({ request, auth, topics });
}
