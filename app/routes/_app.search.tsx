import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useLoaderData, type ShouldRevalidateFunction } from "@remix-run/react";
import { Search } from "lucide-react";
import { requireOrg } from "~/auth/guards.server";
import { SearchResults } from "~/components/search/search-hits";
import { Button } from "~/components/ui/form";
import { PageHeader } from "~/components/ui/layout";
import { SEARCH_QUERY_MAX, SearchQuerySchema, type SearchPageData } from "~/lib/search";
import { parseSearchParams } from "~/lib/ui-route.server";
import { searchOrganization } from "~/models/search.server";

/*
 * GET /search?q=… — the page (a GET form, works without JavaScript) and, through a fetcher, the
 * command palette's results (`/search.data?q=…&_routes=routes/_app.search`, ADR 024): one loader.
 */
export async function loader({ request }: LoaderFunctionArgs): Promise<SearchPageData> {
  const { org } = await requireOrg(request);
  const { q } = parseSearchParams(request, SearchQuerySchema);
  return { query: q, hits: await searchOrganization({ orgId: org.id, query: q }) };
}

/**
 * Finds do not follow live events: the page's revalidation on every event (and the palette's fetcher,
 * which stays mounted in the shell) would run the search queries again for each one, and reset the
 * palette's selection under the person's arrow keys. A new query or a form's write still reloads.
 */
export const shouldRevalidate: ShouldRevalidateFunction = ({ currentUrl, nextUrl, formMethod, defaultShouldRevalidate }) =>
  !formMethod && currentUrl.href === nextUrl.href ? false : defaultShouldRevalidate;

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.query ? `“${data.query}” · Search · Mission Control` : "Search · Mission Control" }];

export default function SearchPage() {
  const { query, hits } = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeader title="Search" description="Jump to any board, task, agent, session or page. Press Ctrl K (⌘K on a Mac) anywhere to search without leaving the page." />
      <Form method="get" role="search" className="mb-6 flex max-w-3xl gap-2">
        <label htmlFor="search-page-q" className="sr-only">
          Search
        </label>
        <input
          id="search-page-q"
          type="search"
          name="q"
          defaultValue={query}
          key={query}
          maxLength={SEARCH_QUERY_MAX}
          placeholder="Board, task, agent, session or page"
          autoComplete="off"
          className="w-full rounded-md border border-border bg-panel-2 px-3 py-2 text-sm text-fg placeholder:text-muted/70 focus:border-accent focus:outline-none focus:ring-2 focus:ring-accent/30"
        />
        <Button type="submit">
          <Search aria-hidden className="h-4 w-4" />
          Search
        </Button>
      </Form>
      <SearchResults query={query} hits={hits} />
    </>
  );
}

export { ErrorBoundary } from "~/components/route-error";
