import { getUserSession } from "~/auth/guards.server";
import { requireApiAuth } from "~/auth/api-auth.server";
import { apiError, isUuid } from "~/lib/http.server";
import { getBoard } from "~/models/board.server";
import { getAgent } from "~/models/agent.server";
import { getAgentSession } from "~/models/agent-session.server";
import { getGateway } from "~/models/gateway.server";
import { getActiveMembership } from "~/models/organization.server";
import { getHub, type LiveEvent, type Subscriber } from "./hub.server";
import { encodeMessage, sseResponse } from "./sse.server";

export const KEEP_ALIVE_MS = 15_000;
/** The events that end a stream: the session signed out, the token revoked, the member removed. */
export const END_EVENTS = new Set(["session.ended", "token.revoked", "membership.ended"]);

const STATIC_TOPICS = new Set(["activity", "agents", "tasks", "alerts", "office", "gateways", "sessions"]);

export interface StreamAuth {
  orgId: string;
  /** private topics that only this stream listens to, for end events */
  privateTopics: string[];
  expiresAt: Date | null;
}

/** The cookie session (a page) or a Bearer API/session token (a script or agent). 401 otherwise. */
export async function authenticateStream(request: Request): Promise<StreamAuth> {
  if (request.headers.get("Authorization")) {
    const auth = await requireApiAuth(request);
    const privateTopics = auth.actor.type === "token" ? [`token:${auth.actor.id}`] : [`user:${auth.actor.id}`];
    return { orgId: auth.orgId, privateTopics, expiresAt: null };
  }
  const session = await getUserSession(request);
  if (!session) throw apiError(401, "unauthorized", "Sign in first, or send 'Authorization: Bearer <token>'.");
  const { active } = await getActiveMembership({ userId: session.user.id, activeOrgId: session.session.activeOrgId });
  if (!active) throw apiError(403, "no_organization", "You are not a member of any organization.");
  return {
    orgId: active.org.id,
    privateTopics: [`session:${session.session.id}`, `user:${session.user.id}`],
    expiresAt: session.session.expiresAt,
  };
}

/** `topics=board:<id>,activity,agents`: every topic must exist in the caller's organization. */
export async function resolveTopics(orgId: string, param: string | null): Promise<string[]> {
  const requested = Array.from(new Set((param ?? "").split(",").map((t) => t.trim()).filter(Boolean)));
  if (requested.length === 0) throw apiError(400, "no_topics", "Say which topics to follow, e.g. ?topics=board:<id>,activity");
  if (requested.length > 20) throw apiError(400, "too_many_topics", "Follow at most 20 topics per stream.");
  for (const topic of requested) {
    if (STATIC_TOPICS.has(topic)) continue;
    const [kind, id] = topic.split(":");
    const exists =
      isUuid(id) &&
      ((kind === "board" && (await getBoard({ orgId, id }))) ||
        (kind === "agent" && (await getAgent({ orgId, id }))) ||
        (kind === "gateway" && (await getGateway({ orgId, id }))) ||
        (kind === "agent-session" && (await getAgentSession({ orgId, id }))));
    // A board of another organization is reported exactly like one that does not exist.
    if (!exists) throw apiError(404, "unknown_topic", `Unknown topic "${topic}".`, { topic });
  }
  return requested;
}

/** Events read per replay query. */
const REPLAY_PAGE = 5000;

/** The frame bytes, computed once per event however many streams carry it. */
const frames = new WeakMap<LiveEvent, Uint8Array>();
function frameOf(event: LiveEvent): Uint8Array {
  let frame = frames.get(event);
  if (!frame) {
    frame = encodeMessage({ id: event.id, event: event.type, data: event.data });
    frames.set(event, frame);
  }
  return frame;
}

/**
 * Replays what a reconnecting client missed (after Last-Event-ID), then streams live events.
 * Live events arriving during the replay are held back and de-duplicated by id, so the client
 * gets every event exactly once and in order.
 */
export function liveStream({ request, auth, topics }: { request: Request; auth: StreamAuth; topics: string[] }): Response {
  const hub = getHub();
  const lastEventId = request.headers.get("Last-Event-ID") ?? new URL(request.url).searchParams.get("lastEventId");
  const resumeFrom = lastEventId && /^\d{1,19}$/.test(lastEventId) ? lastEventId : null;
  const allTopics = new Set([...topics, ...auth.privateTopics]);

  return sseResponse(
    request.signal,
    (channel) => {
      let sentUpTo = BigInt(resumeFrom ?? hub.lastId);
      let held: LiveEvent[] | null = resumeFrom ? [] : null;

      const emit = (event: LiveEvent) => {
        const id = BigInt(event.id);
        if (id <= sentUpTo) return;
        sentUpTo = id;
        channel.sendEncoded(frameOf(event));
        if (END_EVENTS.has(event.type)) channel.close();
      };
      const subscriber: Subscriber = {
        orgId: auth.orgId,
        topics: allTopics,
        deliver: (event) => (held ? held.push(event) : emit(event)),
      };
      const unsubscribe = hub.subscribe(subscriber);
      // with an id: a client that drops before any event comes back from here, not from "now"
      channel.send({ id: resumeFrom ?? hub.lastId, event: "ready", data: { topics, lastEventId: resumeFrom ?? hub.lastId } });

      if (resumeFrom) {
        // page by page, so a client that missed more than one page misses nothing (the log's
        // retention bounds how far back that can go)
        (async () => {
          let after = resumeFrom;
          for (;;) {
            const events = await hub.replay(subscriber, after, REPLAY_PAGE);
            for (const event of events) emit(event);
            // until a page comes back empty (one query more, on a reconnect only)
            if (events.length === 0 || request.signal.aborted) break;
            after = events[events.length - 1]!.id;
          }
          const waiting = held ?? [];
          held = null;
          for (const event of waiting) emit(event);
        })().catch(() => channel.close());
      }

      const keepAlive = setInterval(() => {
        if (auth.expiresAt && auth.expiresAt.getTime() <= Date.now()) {
          channel.send({ event: "session.ended", data: { reason: "expired" } });
          channel.close();
          return;
        }
        channel.comment("keep-alive");
      }, KEEP_ALIVE_MS);
      keepAlive.unref();

      return () => {
        clearInterval(keepAlive);
        unsubscribe();
      };
    },
    { retryMs: 2000 },
  );
}
