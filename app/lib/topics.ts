/*
 * Live-update topics, spelled in one place for the server (publishers, the stream route, the hub)
 * and the browser (routes' `handle.liveTopics`). A topic is either a feed of the organization
 * ("tasks"), one row of it ("board:<uuid>"), or addressed to one credential ("session:<id>"):
 * private topics carry the events that end a stream and are never followed by asking for them.
 * Client-safe: no server imports.
 */
import { UUID_PATTERN } from "./uuid";

/** Feeds of the organization; every member (viewers included) may follow them. */
const FEEDS = ["activity", "agents", "tasks", "alerts", "office", "gateways", "sessions", "usage"] as const;
/** Topics of one row of the organization: the stream route checks the row is the caller's. */
export const ROW_KINDS = ["board", "agent", "gateway", "agent-session"] as const;
/** Topics of one credential: a stream listens to its own, nobody can ask for them. */
export const PRIVATE_KINDS = ["session", "user", "token"] as const;

export type Feed = (typeof FEEDS)[number];
export type RowKind = (typeof ROW_KINDS)[number];
export type PrivateKind = (typeof PRIVATE_KINDS)[number];

export const topic = {
  activity: "activity",
  agents: "agents",
  tasks: "tasks",
  alerts: "alerts",
  office: "office",
  gateways: "gateways",
  sessions: "sessions",
  /** stored usage changed (`usage.stored` {gatewayId, days}): the costs pages follow it */
  usage: "usage",
  board: (id: string) => `board:${id}`,
  agent: (id: string) => `agent:${id}`,
  gateway: (id: string) => `gateway:${id}`,
  agentSession: (id: string) => `agent-session:${id}`,
  /** a signed-in browser session (its sign-out ends its streams) */
  session: (id: string) => `session:${id}`,
  /** an account (removed from the organization) */
  user: (id: string) => `user:${id}`,
  /** an API token (revoked) */
  token: (id: string) => `token:${id}`,
} as const satisfies Record<Feed, string> & Record<string, string | ((id: string) => string)>;

export type ParsedTopic = { kind: "feed"; name: Feed } | { kind: RowKind; id: string } | { kind: PrivateKind; id: string };

const feeds: ReadonlySet<string> = new Set(FEEDS);
const rowKinds: ReadonlySet<string> = new Set(ROW_KINDS);
const privateKinds: ReadonlySet<string> = new Set(PRIVATE_KINDS);
const UUID = UUID_PATTERN;

/** What a topic string names, or null when it is not one of ours (a row's id is a uuid). */
export function parseTopic(value: string): ParsedTopic | null {
  if (feeds.has(value)) return { kind: "feed", name: value as Feed };
  const colon = value.indexOf(":");
  if (colon <= 0) return null;
  const kind = value.slice(0, colon);
  const id = value.slice(colon + 1);
  if (rowKinds.has(kind)) return UUID.test(id) ? { kind: kind as RowKind, id } : null;
  // a browser session's id is a hash, not a uuid
  if (privateKinds.has(kind)) return id ? { kind: kind as PrivateKind, id } : null;
  return null;
}

/** Addressed to one credential ("session:<id>", "user:<id>", "token:<id>"). */
export function isPrivateTopic(value: string): boolean {
  const colon = value.indexOf(":");
  return colon > 0 && privateKinds.has(value.slice(0, colon));
}

export const MAX_TOPICS_PER_STREAM = 20;

export type TopicListProblem = { code: "too_many_topics"; message: string } | { code: "unknown_topic"; message: string; topic: string };

/**
 * `?topics=board:<id>,activity`: the distinct topics a stream asks for, or null when it names none
 * (it follows everything the caller may see). Private topics are not asked for: they are unknown.
 */
export function parseTopicList(param: string | null): { topics: Array<Exclude<ParsedTopic, { kind: PrivateKind }> & { topic: string }> | null } | { problem: TopicListProblem } {
  const requested = Array.from(new Set((param ?? "").split(",").map((t) => t.trim()).filter(Boolean)));
  if (requested.length === 0) return { topics: null };
  if (requested.length > MAX_TOPICS_PER_STREAM) return { problem: { code: "too_many_topics", message: `Follow at most ${MAX_TOPICS_PER_STREAM} topics per stream, or name none to follow everything.` } };
  const parsed = [];
  for (const value of requested) {
    const one = parseTopic(value);
    if (!one || privateKinds.has(one.kind)) return { problem: { code: "unknown_topic", message: `Unknown topic "${value}".`, topic: value } };
    parsed.push({ ...(one as Exclude<ParsedTopic, { kind: PrivateKind }>), topic: value });
  }
  return { topics: parsed };
}

/**
 * The matching rule. A stream follows `followed` topics (null: everything of its organization) and
 * owns its private topics (in `followed`, or `own` when it follows everything). It gets an event
 * when one of the event's topics is one it follows — for a stream that follows everything, any
 * topic but another credential's private one.
 */
export function follows(followed: ReadonlySet<string> | null, own: ReadonlySet<string>, eventTopics: readonly string[]): boolean {
  for (const value of eventTopics) {
    if (own.has(value)) return true;
    if (followed ? followed.has(value) : !isPrivateTopic(value)) return true;
  }
  return false;
}
