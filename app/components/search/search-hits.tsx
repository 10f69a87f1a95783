import { Link } from "@remix-run/react";
import { Bot, FileText, KanbanSquare, MessagesSquare, SquareCheck, type LucideIcon } from "lucide-react";
import { groupSearchHits, searchHitHref, type SearchHit, type SearchKind } from "~/lib/search";
import { Badge, EmptyState } from "../ui/layout";

export const SEARCH_KIND_ICONS: Record<SearchKind, LucideIcon> = {
  page: FileText,
  board: KanbanSquare,
  task: SquareCheck,
  agent: Bot,
  session: MessagesSquare,
};

/** One find: its kind's icon, its name and the line that tells it apart. */
export function SearchHitLine({ hit }: { hit: SearchHit }) {
  const Icon = SEARCH_KIND_ICONS[hit.kind];
  return (
    <>
      <Icon aria-hidden className="h-4 w-4 shrink-0 text-muted" />
      <span className="min-w-0 flex-1">
        <span className="block truncate text-sm text-fg">{hit.title}</span>
        {hit.detail ? <span className="block truncate text-xs text-muted">{hit.detail}</span> : null}
      </span>
    </>
  );
}

/** The /search page's results: grouped by kind, each find a plain link. */
export function SearchResults({ query, hits }: { query: string; hits: SearchHit[] }) {
  if (!query) return <p className="text-sm text-muted">Type a name above: a board, a task, an agent, a session or a page.</p>;
  const groups = groupSearchHits(hits);
  if (groups.length === 0) {
    return (
      <EmptyState title={`Nothing matches “${query}”`}>
        Search looks in the names of boards, tasks, agents and sessions, and in the app's pages. Try a shorter word.
      </EmptyState>
    );
  }
  return (
    <div className="flex max-w-3xl flex-col gap-6">
      {groups.map((group) => (
        <section key={group.kind} aria-labelledby={`search-group-${group.kind}`}>
          <h2 id={`search-group-${group.kind}`} className="mb-2 flex items-center gap-2 text-sm font-semibold uppercase tracking-wide text-muted">
            {group.label} <Badge>{group.hits.length}</Badge>
          </h2>
          <ul className="divide-y divide-border rounded-lg border border-border bg-panel">
            {group.hits.map((hit) => (
              <li key={`${hit.kind}:${hit.id}`}>
                <Link to={searchHitHref(hit)} className="flex items-center gap-3 px-3 py-2 hover:bg-panel-2" data-search-hit={hit.kind}>
                  <SearchHitLine hit={hit} />
                </Link>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}
