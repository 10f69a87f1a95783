import { db } from "~/db/data-source.server";
import { STATUS_LABELS } from "~/lib/constants";
import { matchPages } from "~/lib/pages";
import { SEARCH_LIMIT_PER_KIND, type SearchHit, type SearchKind } from "~/lib/search";
import * as queries from "./search.queries.server";

/**
 * Everything of one organization whose name contains the query: pages, boards, tasks, agents and
 * sessions, at most `limit` of each. Every member may search (viewers too): it finds only what the
 * lists they can already open show them.
 */
export async function searchOrganization({ orgId, query, limit = SEARCH_LIMIT_PER_KIND }: { orgId: string; query: string; limit?: number }): Promise<SearchHit[]> {
  const text = query.trim();
  if (!text) return [];
  const manager = db().manager;
  const args = { orgId, query: text, limit };
  const [boards, tasks, agents, sessions] = await Promise.all([
    queries.selectBoardHits(manager, args),
    queries.selectTaskHits(manager, args),
    queries.selectAgentHits(manager, args),
    queries.selectSessionHits(manager, args),
  ]);
  const rows = (kind: SearchKind, found: queries.HitRow[]): SearchHit[] => found.map((row) => ({ kind, ...row }));
  return [
    ...matchPages(text, limit).map((page): SearchHit => ({ kind: "page", id: page.to, title: page.label, detail: page.summary })),
    ...rows("board", boards),
    ...tasks.map(({ id, title, board, status }): SearchHit => ({ kind: "task", id, title, detail: `${board} · ${STATUS_LABELS[status as keyof typeof STATUS_LABELS] ?? status}` })),
    ...rows("agent", agents),
    ...rows("session", sessions),
  ];
}
