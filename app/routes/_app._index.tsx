import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireOrg } from "~/auth/guards.server";
import { Server } from "lucide-react";
import { ActivityLines } from "~/components/activity/activity-feed";
import { EmptyState, EmptyStateLink } from "~/components/ui/empty-state";
import { Card, PageHeader } from "~/components/ui/layout";
import { STATUS_LABELS, TASK_STATUSES } from "~/lib/constants";
import { recentActivityFeed } from "~/models/activity-feed.server";
import { listAgents } from "~/models/agent.server";
import { countTasksByStatus } from "~/models/task.server";
import { gatewaySummary } from "~/models/gateway-snapshot.server";
import type { LiveHandle } from "~/components/live/live-provider";
import { topic } from "~/lib/topics";

export async function loader({ request }: LoaderFunctionArgs) {
  const { org } = await requireOrg(request);
  const [counts, agents, recent, gateways] = await Promise.all([
    countTasksByStatus(org.id),
    listAgents(org.id),
    recentActivityFeed({ orgId: org.id, limit: 8 }),
    gatewaySummary(org.id),
  ]);
  return {
    orgName: org.name,
    counts,
    agents: { total: agents.length, online: agents.filter((a) => a.status !== "offline").length, busy: agents.filter((a) => a.status === "busy").length },
    now: Date.now(),
    recent,
    gateways,
  };
}

export const handle: LiveHandle = { liveTopics: () => [topic.activity, topic.tasks, topic.agents, topic.gateways] };

export const meta: MetaFunction = () => [{ title: "Dashboard · Mission Control" }];

function Stat({ label, value, hint, to }: { label: string; value: React.ReactNode; hint?: React.ReactNode; to?: string }) {
  const body = (
    <div className="h-full rounded-lg border border-border bg-panel p-4 transition hover:border-accent/60">
      <p className="text-xs font-semibold uppercase tracking-wide text-muted">{label}</p>
      <p className="mt-2 text-2xl font-semibold">{value}</p>
      {hint ? <p className="mt-1 text-xs text-muted">{hint}</p> : null}
    </div>
  );
  return to ? <Link to={to}>{body}</Link> : body;
}

export default function Dashboard() {
  const { orgName, counts, agents, recent, gateways, now } = useLoaderData<typeof loader>();
  const open = counts.backlog + counts.todo + counts["in-progress"] + counts.review;
  return (
    <>
      <PageHeader title="Dashboard" description={`What is happening in ${orgName} right now.`} />
      {gateways.total === 0 ? (
        <div className="mb-6" data-testid="no-gateway">
          <EmptyState
            icon={Server}
            title="Connect your first OpenClaw gateway"
            action={<EmptyStateLink to="/gateways">Add a gateway</EmptyStateLink>}
          >
            Under Gateways, enter its WebSocket URL (such as ws://127.0.0.1:18789) and its token; its agents, sessions and costs then appear here on
            their own.
          </EmptyState>
        </div>
      ) : null}
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 xl:grid-cols-5">
        <Stat label="Agents online" value={`${agents.online} / ${agents.total}`} hint={`${agents.busy} busy`} to="/agents" />
        <Stat label="Open tasks" value={open} hint={`${counts.done} done`} to="/boards" />
        <Stat
          label="Cost today"
          value={gateways.costToday === null ? <span className="text-muted">—</span> : `$${gateways.costToday.toFixed(gateways.costToday < 1 ? 4 : 2)}`}
          hint={gateways.costToday === null ? "Appears once a gateway has been polled" : "From the gateways' usage (UTC day)"}
          to="/gateways"
        />
        <Stat
          label="Gateways"
          value={gateways.total === 0 ? <span className="text-muted">—</span> : `${gateways.online} / ${gateways.total}`}
          hint={gateways.total === 0 ? "Add one under Gateways" : gateways.online === gateways.total ? "All online" : `${gateways.total - gateways.online} not online`}
          to="/gateways"
        />
        <Stat label="Open alerts" value={<span className="text-muted">—</span>} hint="Alert rules (coming soon)" to="/alerts" />
      </div>
      <div className="mt-6 grid gap-4 lg:grid-cols-2">
        <Card title="Tasks by status">
          <ul className="space-y-2">
            {TASK_STATUSES.map((status) => {
              const total = Math.max(1, Object.values(counts).reduce((a, b) => a + b, 0));
              return (
                <li key={status} className="flex items-center gap-3 text-sm">
                  <span className="w-24 text-muted">{STATUS_LABELS[status]}</span>
                  <span className="h-2 flex-1 overflow-hidden rounded-full bg-panel-2">
                    <span className="block h-full rounded-full bg-accent" style={{ width: `${(counts[status] / total) * 100}%` }} />
                  </span>
                  <span className="w-10 text-right tabular-nums">{counts[status]}</span>
                </li>
              );
            })}
          </ul>
        </Card>
        <Card title="Recent activity" actions={<Link to="/activity" className="text-xs text-accent">All activity →</Link>}>
          {recent.length === 0 ? (
            <p className="text-sm text-muted">Nothing has happened yet.</p>
          ) : (
            <ActivityLines events={recent} now={now} />
          )}
        </Card>
      </div>
    </>
  );
}
