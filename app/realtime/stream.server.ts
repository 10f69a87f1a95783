import { getUserSession } from "~/auth/guards.server";
import { requireApiAuth } from "~/auth/api-auth.server";
import { apiError } from "~/lib/http.server";
import { parseTopicList, topic } from "~/lib/topics";
import { getBoard } from "~/models/board.server";
import { getAgent } from "~/models/agent.server";
import { getAgentSession } from "~/models/agent-session.server";
import { getGateway } from "~/models/gateway.server";
import { getActiveMembership } from "~/models/organization.server";
import { getHub, type LiveEvent, type Subscriber } from "./hub.server";
import { claimStreamSlot } from "./stream-caps.server";
import { encodeComment, encodeMessage, MAX_BUFFERED_BYTES, sseResponse, type SseChannel } from "./sse.server";

export const KEEP_ALIVE_MS = 15_000;
/** The events that end a stream: the session signed out, the token revoked, the member removed. */
export const END_EVENTS = new Set(["session.ended", "token.revoked", "membership.ended"]);

export interface StreamAuth {
  orgId: string;
  /** private topics that only this stream listens to, for end events */
  privateTopics: string[];
  expiresAt: Date | null;
  /** the event sent when expiresAt passes: a token ends as if revoked, a session as signed out */
  expiryEvent?: "session.ended" | "token.revoked";
}

/** The cookie session (a page) or a Bearer API/session token (a script or agent). 401 otherwise. */
export async function authenticateStream(request: Request): Promise<StreamAuth> {
  if (request.headers.get("Authorization")) {
    const { orgId, actor, session, tokenExpiresAt } = await requireApiAuth(request);
    // a session token ends like the cookie it stands for: sign-out, password change, expiry
    if (session && actor.id !== null) {
      return { orgId, privateTopics: [topic.session(session.id), topic.user(actor.id)], expiresAt: session.expiresAt };
    }
    return { orgId, privateTopics: actor.id === null ? [] : [topic.token(actor.id)], expiresAt: tokenExpiresAt, expiryEvent: "token.revoked" };
  }
  const session = await getUserSession(request);
  if (!session) throw apiError(401, "unauthorized", "Sign in first, or send 'Authorization: Bearer <token>'.");
  const { active } = await getActiveMembership({ userId: session.user.id, activeOrgId: session.session.activeOrgId });
  if (!active) throw apiError(403, "no_organization", "You are not a member of any organization.");
  return {
    orgId: active.org.id,
    privateTopics: [topic.session(session.session.id), topic.user(session.user.id)],
    expiresAt: session.session.expiresAt,
  };
}

/**
 * `topics=board:<id>,activity,agents`: every topic must exist in the caller's organization. No
 * topics: null, the stream follows everything of the organization the caller may see.
 */
export async function resolveTopics(orgId: string, param: string | null): Promise<string[] | null> {
  const parsed = parseTopicList(param);
  if ("problem" in parsed) {
    const { code, message } = parsed.problem;
    if (code === "too_many_topics") throw apiError(400, code, message);
    throw apiError(404, code, message, { topic: parsed.problem.topic });
  }
  if (!parsed.topics) return null;
  for (const one of parsed.topics) {
    if (one.kind === "feed") continue;
    const { id } = one;
    const exists =
      (one.kind === "board" && (await getBoard({ orgId, id }))) ||
      (one.kind === "agent" && (await getAgent({ orgId, id }))) ||
      (one.kind === "gateway" && (await getGateway({ orgId, id }))) ||
      (one.kind === "agent-session" && (await getAgentSession({ orgId, id })));
    // A board of another organization is reported exactly like one that does not exist.
    if (!exists) throw apiError(404, "unknown_topic", `Unknown topic "${one.topic}".`, { topic: one.topic });
  }
  return parsed.topics.map((one) => one.topic);
}

/** Events read per replay query. */
const REPLAY_PAGE = 5000;
/**
 * Live events held back while a replay waits for its client: a client that reads just fast enough
 * to dodge the drain timeout would otherwise make us hold every event of its organization for as
 * long as its replay lasts. Past either bound it is dropped and resumes from its last id (the log
 * has what it missed). The bytes are the budget a client may owe its socket; the count caps small
 * events, whose objects cost several times their frames, and lets one catch-up batch of the hub
 * (1,000 events) through.
 */
export const MAX_HELD_EVENTS = 1000;
export const MAX_HELD_BYTES = MAX_BUFFERED_BYTES;

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

const KEEP_ALIVE_FRAME = encodeComment("keep-alive");

/**
 * One timer per interval for every open stream (not one per stream): at 10,000 streams that is one
 * callback every 15 s instead of 10,000, and the keep-alive comment is encoded once.
 */
const tickers = new Map<number, { streams: Set<() => void>; timer: NodeJS.Timeout }>();
function onTick(intervalMs: number, tick: () => void): () => void {
  let ticker = tickers.get(intervalMs);
  if (!ticker) {
    const streams = new Set<() => void>();
    const timer = setInterval(() => {
      for (const each of streams) each();
    }, intervalMs);
    timer.unref();
    tickers.set(intervalMs, (ticker = { streams, timer }));
  }
  ticker.streams.add(tick);
  return () => {
    const current = tickers.get(intervalMs);
    if (!current) return;
    current.streams.delete(tick);
    if (current.streams.size === 0) {
      clearInterval(current.timer);
      tickers.delete(intervalMs);
    }
  };
}

/** Last-Event-ID (the header a reconnecting EventSource sends, or `?lastEventId=`), when it is an event id. */
export function lastEventIdOf(headers: Headers, url: URL): string | null {
  const value = headers.get("Last-Event-ID") ?? url.searchParams.get("lastEventId");
  return value && /^\d{1,19}$/.test(value) ? value : null;
}

export interface FollowOptions {
  auth: StreamAuth;
  /** null: everything of the organization the caller may see */
  topics: string[] | null;
  lastEventId: string | null;
  keepAliveMs?: number;
  maxHeldEvents?: number;
  maxHeldBytes?: number;
}

/**
 * Replays what a reconnecting client missed (after Last-Event-ID), then streams live events.
 * Live events arriving during the replay are held back and de-duplicated by id, so the client
 * gets every event exactly once and in order. Returns the cleanup for the channel's close.
 */
export function followLive(
  channel: SseChannel,
  { auth, topics, lastEventId, keepAliveMs = KEEP_ALIVE_MS, maxHeldEvents = MAX_HELD_EVENTS, maxHeldBytes = MAX_HELD_BYTES }: FollowOptions,
): () => void {
  const hub = getHub();
  const resumeFrom = lastEventId;
  let sentUpTo = BigInt(resumeFrom ?? hub.lastId);
  let held: LiveEvent[] | null = resumeFrom ? [] : null;
  let heldBytes = 0;
  const hold = (waiting: LiveEvent[], event: LiveEvent) => {
    waiting.push(event);
    heldBytes += frameOf(event).byteLength;
    if (waiting.length <= maxHeldEvents && heldBytes <= maxHeldBytes) return;
    // let go of them now; the drop unsubscribes, so nothing more is held
    waiting.length = 0;
    heldBytes = 0;
    channel.drop(`more than ${maxHeldEvents} live events or ${maxHeldBytes} bytes arrived while this client was replayed`);
  };

  /** false when the client's buffer is full (replay then waits for it to drain) */
  const emit = (event: LiveEvent): boolean => {
    const id = BigInt(event.id);
    if (id <= sentUpTo) return true;
    sentUpTo = id;
    const ok = channel.sendEncoded(frameOf(event));
    if (END_EVENTS.has(event.type)) channel.close();
    return ok;
  };
  const own = new Set(auth.privateTopics);
  const subscriber: Subscriber = {
    orgId: auth.orgId,
    topics: topics ? new Set(topics) : null,
    own,
    deliver: (event) => (held ? hold(held, event) : emit(event)),
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
        // at the client's pace: a page is thousands of frames, more than a socket buffer holds
        for (const event of events) if (!emit(event)) await channel.drained();
        // until a page comes back empty (one query more, on a reconnect only)
        if (events.length === 0 || channel.closed) break;
        after = events[events.length - 1]!.id;
      }
      // what arrived meanwhile (still bounded: it may grow while we wait); from here on the hub
      // delivers straight to the channel
      const waiting = held ?? [];
      while (waiting.length > 0 && !channel.closed) {
        const event = waiting.shift()!;
        heldBytes -= frameOf(event).byteLength;
        if (!emit(event) && waiting.length > 0) await channel.drained();
      }
      held = null;
    })().catch(() => channel.close());
  }

  const expire = () => {
    if (channel.closed) return;
    channel.send({ event: auth.expiryEvent ?? "session.ended", data: { reason: "expired" } });
    channel.close();
  };
  const stopTicking = onTick(keepAliveMs, () => {
    if (auth.expiresAt && auth.expiresAt.getTime() <= Date.now()) return expire();
    channel.sendEncoded(KEEP_ALIVE_FRAME);
  });
  // at the moment itself, not at the next keep-alive (a timer holds at most ~24.8 days; the tick covers beyond)
  const untilExpiry = auth.expiresAt ? auth.expiresAt.getTime() - Date.now() : Infinity;
  const expiryTimer = untilExpiry < 2 ** 31 - 1 ? setTimeout(expire, Math.max(0, untilExpiry)) : undefined;
  expiryTimer?.unref();

  return () => {
    clearTimeout(expiryTimer);
    stopTicking();
    unsubscribe();
  };
}

/** GET /events as a web Response, for requests that reach the route module through Remix. */
export function liveStream({ request, auth, topics }: { request: Request; auth: StreamAuth; topics: string[] | null }): Response {
  const lastEventId = lastEventIdOf(request.headers, new URL(request.url));
  const release = claimStreamSlot(auth);
  request.signal.addEventListener("abort", release, { once: true });
  return sseResponse(
    request.signal,
    (channel) => {
      const stop = followLive(channel, { auth, topics, lastEventId });
      return () => {
        stop();
        release();
      };
    },
    { retryMs: 2000 },
  );
}
