/*
 * What a search finds, and where each find leads. Shared by the search model, the /search page and
 * the command palette. Client-safe.
 */
import { z } from "zod";

export const SEARCH_KINDS = ["page", "board", "task", "agent", "session"] as const;
export type SearchKind = (typeof SEARCH_KINDS)[number];

export interface SearchHit {
  kind: SearchKind;
  /** a row's id, or a page's address */
  id: string;
  title: string;
  /** one short line that tells two finds of the same name apart (a task's board, an agent's role) */
  detail: string;
}

/** What GET /search answers: the page's data, and the command palette's. */
export interface SearchPageData {
  query: string;
  hits: SearchHit[];
}

export const SEARCH_GROUP_LABELS: Record<SearchKind, string> = {
  page: "Pages",
  board: "Boards",
  task: "Tasks",
  agent: "Agents",
  session: "Sessions",
};

/** The most finds of one kind a search answers: enough to jump, few enough to read. */
export const SEARCH_LIMIT_PER_KIND = 6;
export const SEARCH_QUERY_MAX = 100;

export const SearchQuerySchema = z.object({
  q: z.string().trim().max(SEARCH_QUERY_MAX, `Search for at most ${SEARCH_QUERY_MAX} characters.`).default(""),
});

export function searchHitHref(hit: SearchHit): string {
  switch (hit.kind) {
    case "page":
      return hit.id;
    case "board":
      return `/boards/${hit.id}`;
    case "task":
      return `/tasks/${hit.id}`;
    case "agent":
      return `/agents/${hit.id}`;
    case "session":
      return `/monitoring/sessions/${hit.id}`;
  }
}

/** Finds grouped by kind in the order people look for them; empty groups left out. */
export function groupSearchHits(hits: SearchHit[]): Array<{ kind: SearchKind; label: string; hits: SearchHit[] }> {
  return SEARCH_KINDS.map((kind) => ({ kind, label: SEARCH_GROUP_LABELS[kind], hits: hits.filter((hit) => hit.kind === kind) })).filter((group) => group.hits.length > 0);
}
