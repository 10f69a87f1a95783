import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { z } from "zod";
import { Link, useLoaderData } from "@remix-run/react";
import { requireOrg } from "~/auth/guards.server";
import { ActivityFeed } from "~/components/activity/activity-feed";
import { ActivityFilters } from "~/components/activity/activity-filters";
import { EmptyState, PageHeader } from "~/components/ui/layout";
import { ACTOR_TYPES } from "~/lib/constants";
import { withSearch } from "~/lib/search-params";
import { parseSearchParams } from "~/lib/ui-route.server";
import { listActivityTypes } from "~/models/activity.server";
import { pageActivityFeed } from "~/models/activity-feed.server";
import { listAgents } from "~/models/agent.server";
import { agentLabel, gatewayLabels } from "~/lib/gateway-label";
import { listGateways } from "~/models/gateway.server";
import type { LiveHandle } from "~/components/live/live-provider";
import { topic } from "~/lib/topics";

const PAGE_SIZE = 50;

/** Unknown filter values are ignored rather than rejected: a stale link still shows something. */
const ActivitySearchSchema = z.object({
  type: z.string().trim().max(100).catch(""),
  actor: z.enum(ACTOR_TYPES).optional().catch(undefined),
  agent: z.string().uuid().optional().catch(undefined),
  before: z.string().regex(/^\d{1,18}$/).optional().catch(undefined),
});

export async function loader({ request }: LoaderFunctionArgs) {
  const { org } = await requireOrg(request);
  const search = parseSearchParams(request, ActivitySearchSchema);
  const { type = "", actor = "", agent = "", before = "" } = search;

  const [feed, types, agents, gateways] = await Promise.all([
    pageActivityFeed({
      orgId: org.id,
      limit: PAGE_SIZE,
      type: type || undefined,
      actorType: actor || undefined,
      agentId: agent || undefined,
      beforeId: before || undefined,
    }),
    listActivityTypes(org.id),
    listAgents(org.id),
    listGateways(org.id),
  ]);
  const labels = gatewayLabels(gateways);
  return {
    now: Date.now(),
    filters: { type, actor, agent },
    paged: Boolean(before),
    olderBefore: feed.olderBefore,
    types,
    agents: agents.map((a) => ({ id: a.id, name: agentLabel(a, labels) })),
    events: feed.entries,
  };
}

export const handle: LiveHandle = { liveTopics: () => [topic.activity] };

export const meta: MetaFunction = () => [{ title: "Activity · Mission Control" }];

function withParams(filters: Record<string, string>, extra: Record<string, string> = {}) {
  const query = withSearch("", { ...filters, ...extra });
  return query === "?" ? "/activity" : `/activity${query}`;
}

export default function ActivityPage() {
  const { now, filters, paged, olderBefore, types, agents, events } = useLoaderData<typeof loader>();
  const filtered = Boolean(filters.type || filters.actor || filters.agent);
  return (
    <div className="mx-auto max-w-4xl">
      <PageHeader title="Activity" description="Every change in this organization: who did what, and when. Newest first." />
      <ActivityFilters values={filters} types={types} agents={agents} />
      {paged ? (
        <p className="mb-3 text-sm">
          <Link to={withParams(filters)} className="text-accent">
            ← Back to the newest events
          </Link>
        </p>
      ) : null}
      {events.length === 0 ? (
        <EmptyState
          title={filtered ? "No events match these filters" : paged ? "No older events" : "Nothing has happened yet"}
          action={
            filtered ? (
              <Link to="/activity" className="text-accent">
                Clear the filters
              </Link>
            ) : undefined
          }
        >
          {filtered || paged
            ? "Try a different type, actor or agent."
            : "Creating boards, tasks and agents, inviting people and issuing API tokens all leave a trace here."}
        </EmptyState>
      ) : (
        <ActivityFeed events={events} now={now} />
      )}
      {olderBefore ? (
        <div className="mt-4 text-center">
          <Link
            to={withParams(filters, { before: olderBefore })}
            className="inline-block rounded-md border border-border bg-panel-2 px-4 py-2 text-sm font-medium hover:border-accent"
          >
            Load older
          </Link>
        </div>
      ) : events.length > 0 ? (
        <p className="mt-4 text-center text-xs text-muted">That is everything{filtered ? " that matches" : ""}.</p>
      ) : null}
    </div>
  );
}
