import { db } from "~/db/data-source.server";
import type { ActivityEvent } from "~/db/entities";
import type { FeedEntry, FeedLink, FeedLinkKind } from "~/lib/activity-feed";
import { isUuid } from "~/lib/uuid";
import { collapseReconnects, GATEWAY_STATE_TYPE, type Reconnect } from "./activity-collapse";
import { selectActivity, selectSubjects, type ActivityFilter, type SubjectIds, type SubjectRow } from "./activity.queries.server";

/*
 * The feed as pages show it (home, /activity): rows collapsed where a restart reconnected the
 * gateways (activity-collapse.ts), each entry linked to what it describes, looked up by the ids the
 * row carries (its task, board and agent columns; gateway, session, member, token and tag in its
 * data). A subject that no longer exists is not linked; a row that names none (older rows, the
 * organization's own events) is plain text.
 */

interface SubjectRef {
  kind: FeedLinkKind;
  /** the id as the row carries it; a session: "<gateway id or ''>|<session key>" */
  ref: string;
}

const text = (value: unknown) => (typeof value === "string" && value ? value : null);

/** What a row names, its main subject first. */
export function subjectRefsOf(event: Pick<ActivityEvent, "taskId" | "boardId" | "agentId" | "data">): SubjectRef[] {
  const refs: SubjectRef[] = [];
  const add = (kind: FeedLinkKind, id: unknown) => {
    const value = text(id);
    if (isUuid(value) && !refs.some((r) => r.kind === kind && r.ref === value)) refs.push({ kind, ref: value });
  };
  const data = event.data;
  add("task", event.taskId);
  const sessionKey = text(data.sessionKey);
  // the gateway id reaches a ::uuid cast: a malformed one (an old or hand-made row) leaves the entry unlinked, not the whole feed a 500
  const sessionGateway = text(data.gatewayId);
  if (sessionKey && (!sessionGateway || isUuid(sessionGateway))) refs.push({ kind: "session", ref: `${sessionGateway ?? ""}|${sessionKey}` });
  add("board", event.boardId);
  add("agent", event.agentId);
  // agent activity names its gateway too; its session already says where it ran
  if (!sessionKey) add("gateway", data.gatewayId);
  add("gateway", data.duplicateOf);
  add("member", data.userId);
  add("token", data.tokenId);
  add("tag", data.tagId);
  return refs;
}

const HREFS: Record<FeedLinkKind, (id: string) => string> = {
  task: (id) => `/tasks/${id}`,
  board: (id) => `/boards/${id}`,
  agent: (id) => `/agents/${id}`,
  session: (id) => `/monitoring/sessions/${id}`,
  gateway: (id) => `/gateways/${id}`,
  member: () => "/settings/members",
  token: () => "/settings/tokens",
  tag: () => "/settings/tags",
};

function idsOf(refs: SubjectRef[]): SubjectIds {
  const ids: SubjectIds = { tasks: [], boards: [], agents: [], gateways: [], members: [], tokens: [], tags: [], sessions: [] };
  const lists: Record<Exclude<FeedLinkKind, "session">, string[]> = {
    task: ids.tasks, board: ids.boards, agent: ids.agents, gateway: ids.gateways, member: ids.members, token: ids.tokens, tag: ids.tags,
  };
  const seen = new Set<string>();
  for (const { kind, ref } of refs) {
    if (seen.has(`${kind}:${ref}`)) continue;
    seen.add(`${kind}:${ref}`);
    if (kind === "session") {
      const bar = ref.indexOf("|");
      ids.sessions.push({ gatewayId: ref.slice(0, bar) || null, sessionKey: ref.slice(bar + 1) });
    } else lists[kind].push(ref);
  }
  return ids;
}

function reconnectEntry(line: Reconnect, gateway: (id: string) => SubjectRow | undefined): FeedEntry {
  const found = line.gatewayIds.map(gateway);
  const names = found.map((row) => row?.label ?? "a removed gateway");
  const verb = line.first ? "connected" : "reconnected";
  const listed = names.length > 3 ? `${names.slice(0, 3).join(", ")} and ${names.length - 3} more` : names.join(", ");
  const only = found.length === 1 ? found[0] : undefined;
  return {
    id: `reconnect-${line.id}`,
    type: GATEWAY_STATE_TYPE,
    message: names.length === 1 ? `Gateway ${names[0]} ${verb}` : `${names.length} gateways ${verb} (${listed})`,
    actorType: "system",
    actorName: "System",
    at: line.at.toISOString(),
    href: names.length === 1 ? (only ? HREFS.gateway(only.id) : null) : "/gateways",
    links: [],
  };
}

/** Feed entries for rows read newest first: reconnect bursts collapsed, subjects linked. */
export async function toFeedEntries(orgId: string, rows: ActivityEvent[]): Promise<FeedEntry[]> {
  const items = collapseReconnects(rows);
  const refsByRow = new Map(rows.map((row) => [row.id, subjectRefsOf(row)]));
  const reconnectRefs = items.flatMap((item) => ("reconnect" in item ? item.reconnect.gatewayIds.map((ref) => ({ kind: "gateway" as const, ref })) : []));
  const wanted = [...[...refsByRow.values()].flat(), ...reconnectRefs];
  const found = wanted.length ? await selectSubjects(db().manager, orgId, idsOf(wanted)) : [];
  const byRef = new Map(found.map((row) => [`${row.kind}:${row.ref}`, row]));
  const linkOf = ({ kind, ref }: SubjectRef): FeedLink | null => {
    const row = byRef.get(`${kind}:${ref}`);
    return row ? { kind, href: HREFS[kind](row.id), label: row.label } : null;
  };
  return items.map((item) => {
    if ("reconnect" in item) return reconnectEntry(item.reconnect, (id) => byRef.get(`gateway:${id}`));
    const { row } = item;
    const refs = refsByRow.get(row.id) ?? [];
    // the main subject gone (a deleted task) leaves the entry unlinked: its other subjects still link
    const [main, ...others] = refs;
    const mainLink = main ? linkOf(main) : null;
    return {
      id: String(row.id),
      type: row.type,
      message: row.message,
      actorType: row.actorType,
      actorName: row.actorName,
      at: row.createdAt.toISOString(),
      href: mainLink?.href ?? null,
      links: others.map(linkOf).filter((link): link is FeedLink => link !== null && link.href !== mainLink?.href),
    };
  });
}

/**
 * One page of the feed, newest first: `limit` rows are read (and collapsed), so pages follow the
 * table's ids; `olderBefore` is the id the next page starts below, null on the last page.
 */
export async function pageActivityFeed(filter: Omit<ActivityFilter, "limit"> & { limit: number }): Promise<{ entries: FeedEntry[]; olderBefore: string | null }> {
  const rows = await selectActivity(db().manager, { ...filter, limit: filter.limit + 1 });
  const page = rows.slice(0, filter.limit);
  return { entries: await toFeedEntries(filter.orgId, page), olderBefore: rows.length > filter.limit ? String(page[page.length - 1]!.id) : null };
}

/** The newest `limit` entries (more rows are read, so a collapsed restart leaves room for the rest). */
export async function recentActivityFeed({ orgId, limit }: { orgId: string; limit: number }): Promise<FeedEntry[]> {
  const rows = await selectActivity(db().manager, { orgId, limit: limit * 4 });
  return (await toFeedEntries(orgId, rows)).slice(0, limit);
}
