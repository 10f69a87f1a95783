import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";

import { z } from "zod";
import { requireOrg } from "~/auth/guards.server";
import type { LiveHandle } from "~/components/live/live-provider";
import { MonitoringNav } from "~/components/monitoring/monitoring-nav";
import { AgentDot, ContextBar, SessionNow, SessionTypeBadge, SpendFigure, ago, formatCost, formatTokens, sessionSpend, sessionTitle } from "~/components/monitoring/session-badges";
import { FilterForm, FilterSelect } from "~/components/ui/filter-select";
import { CornerDownRight, MessagesSquare, SearchX } from "lucide-react";
import { EmptyState, EmptyStateLink } from "~/components/ui/empty-state";
import { PageHeader } from "~/components/ui/layout";
import { SESSION_TYPES } from "~/activity/session-row";
import { agentLabel, gatewayLabels, gatewayNameOf } from "~/lib/gateway-label";
import { listAgentSessions, listSessionAgents, type AgentSessionView } from "~/models/agent-session.server";
import { listGateways } from "~/models/gateway.server";
import { topic } from "~/lib/topics";
import { parseSearchParams } from "~/lib/ui-route.server";

/** A value that is not one of the choices (an edited link) filters nothing. */
const SessionSearchSchema = z.object({
  type: z.enum(SESSION_TYPES).optional().catch(undefined),
  agent: z.string().max(200).optional().catch(undefined),
  ended: z.literal("1").optional().catch(undefined),
});

export async function loader({ request }: LoaderFunctionArgs) {
  const { org } = await requireOrg(request);
  const search = parseSearchParams(request, SessionSearchSchema);
  const showEnded = search.ended === "1";
  const type = search.type ?? "";
  const agents = await listSessionAgents(org.id);
  const agent = agents.find((candidate) => candidate.id === search.agent)?.id ?? "";
  const [sessions, gateways] = await Promise.all([
    listAgentSessions(org.id, { includeEnded: showEnded, ...(type ? { type } : {}), ...(agent ? { agent } : {}) }),
    listGateways(org.id),
  ]);
  const labels = gatewayLabels(gateways);
  return {
    sessions: sessions.map((session) => ({ ...session, gatewayName: gatewayNameOf(session.gatewayId, labels) })),
    showEnded,
    type,
    agent,
    // one choice per agent and gateway: "main · Home", "main · Lab"
    agents: agents.map((candidate) => ({ id: candidate.id, name: agentLabel(candidate, labels) })).sort((a, b) => a.name.localeCompare(b.name)),
    hasGateway: gateways.length > 0,
    now: Date.now(),
  };
}

const TYPE_LABELS: Record<string, string> = { main: "Main", dm: "Direct", group: "Group", cron: "Cron", subagent: "Sub-agent", other: "Other" };

export const handle: LiveHandle = { liveTopics: () => [topic.sessions, topic.agents] };

export const meta: MetaFunction = () => [{ title: "Sessions · Mission Control" }];

/** Parents first, each followed by its sub-agents (indented), newest activity first. */
type SessionRow = AgentSessionView & { gatewayName: string | null };

function asTree(sessions: SessionRow[]) {
  const byKey = new Map(sessions.map((s) => [s.sessionKey, s]));
  const children = new Map<string, SessionRow[]>();
  const roots: SessionRow[] = [];
  for (const session of sessions) {
    if (session.parentSessionKey && byKey.has(session.parentSessionKey)) {
      children.set(session.parentSessionKey, [...(children.get(session.parentSessionKey) ?? []), session]);
    } else roots.push(session);
  }
  const rows: Array<{ session: SessionRow; depth: number }> = [];
  const walk = (session: SessionRow, depth: number) => {
    rows.push({ session, depth });
    for (const child of children.get(session.sessionKey) ?? []) walk(child, depth + 1);
  };
  for (const root of roots) walk(root, 0);
  return rows;
}

export default function SessionsPage() {
  const { sessions, showEnded, type, agent, agents, hasGateway, now } = useLoaderData<typeof loader>();
  const filtered = type !== "" || agent !== "";
  const rows = asTree(sessions).map((row) => ({ ...row, spend: sessionSpend(row.session) }));
  return (
    <>
      <MonitoringNav />
      <PageHeader
        title="Sessions"
        description="Every agent session your gateways report, with its sub-agents beneath it. Updates live."
        actions={
          <FilterForm label="Filter sessions" active={filtered} clearTo={showEnded ? "?ended=1" : "."}>
            <FilterSelect label="Type" name="type" value={type} className="w-36" options={SESSION_TYPES.map((value) => ({ value, label: TYPE_LABELS[value]! }))} />
            <FilterSelect label="Agent" name="agent" value={agent} className="min-w-0 flex-1 basis-40 sm:w-64 sm:flex-none" options={agents.map((candidate) => ({ value: candidate.id, label: candidate.name }))} />
            <label className="flex items-center gap-2 py-2 text-sm">
              <input type="checkbox" name="ended" value="1" defaultChecked={showEnded} key={`ended-${showEnded}`} />
              Show ended sub-agents
            </label>
          </FilterForm>
        }
      />
      {rows.length === 0 && filtered ? (
        <EmptyState
          icon={SearchX}
          title="No sessions match these filters"
          action={
            <EmptyStateLink to={showEnded ? "?ended=1" : "."} variant="secondary">
              Show all sessions
            </EmptyStateLink>
          }
        />
      ) : rows.length === 0 ? (
        <EmptyState
          icon={MessagesSquare}
          title="No sessions yet"
          action={hasGateway ? null : <EmptyStateLink to="/gateways">Connect a gateway</EmptyStateLink>}
        >
          {hasGateway ? "Sessions appear as soon as an agent on a connected gateway starts talking." : "Connect an OpenClaw gateway to see its agents' sessions here, live."}
        </EmptyState>
      ) : (
        <>
        <ul className="space-y-2 lg:hidden" aria-label="Sessions">
          {rows.map(({ session, depth, spend }) => (
            <li key={session.id} data-testid="session-card" className="rounded-lg border border-border bg-panel p-3" style={{ marginLeft: depth * 14 }}>
              <div className="flex items-center gap-2">
                <SessionTypeBadge type={session.type} />
                <Link to={`/monitoring/sessions/${session.id}`} className="truncate font-medium hover:text-accent">
                  {sessionTitle(session)}
                </Link>
                {session.endedAt ? <span className="shrink-0 text-xs text-muted">(ended)</span> : null}
                <span className="ml-auto shrink-0 text-xs text-muted">{ago(session.lastActivityAt, now)}</span>
              </div>
              <div className="mt-2 flex flex-wrap items-center gap-x-4 gap-y-1 text-xs text-muted">
                <AgentDot name={session.agentName ?? session.externalAgentId} color={session.agentColor} />
                {session.gatewayName ? <span data-testid="session-gateway" className="text-xs text-muted">on {session.gatewayName}</span> : null}
                <span className="font-mono">{session.model ?? "—"}</span>
                <ContextBar percent={session.contextPercent} />
                <span title={`Covers ${spend.scope}`}>
                  {formatTokens(spend.tokens)} tokens · {formatCost(spend.cost)}
                  {spend.complete ? "" : " (last run)"}
                </span>
              </div>
              <SessionNow session={session} className="mt-1 text-xs" />
            </li>
          ))}
        </ul>
        <div className="hidden overflow-x-auto rounded-lg border border-border lg:block">
          <table className="w-full min-w-[860px] text-sm">
            <thead className="bg-panel text-left text-xs uppercase tracking-wide text-muted">
              <tr>
                <th className="px-3 py-2">Session</th>
                <th className="whitespace-nowrap px-3 py-2">Agent · model</th>
                <th className="px-3 py-2">Context</th>
                <th className="px-3 py-2 text-right">Tokens</th>
                <th className="px-3 py-2 text-right">Cost</th>
                <th className="px-3 py-2">Now</th>
                <th className="whitespace-nowrap px-3 py-2 text-right">Last activity</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(({ session, depth, spend }) => (
                <tr key={session.id} data-testid="session-row" data-session-key={session.sessionKey} data-parent-key={session.parentSessionKey ?? undefined} data-depth={depth} className="border-t border-border align-top hover:bg-panel/60">
                  <td className="min-w-[13rem] px-3 py-2">
                    <div className="flex items-center gap-2" style={{ paddingLeft: depth * 18 }}>
                      {depth > 0 ? <CornerDownRight aria-hidden className="h-3.5 w-3.5 shrink-0 text-muted" /> : null}
                      <SessionTypeBadge type={session.type} />
                      <Link to={`/monitoring/sessions/${session.id}`} className="min-w-0 max-w-[16rem] truncate font-medium hover:text-accent" title={session.sessionKey}>
                        {sessionTitle(session)}
                      </Link>
                      {session.endedAt ? <span className="shrink-0 text-xs text-muted">(ended)</span> : null}
                    </div>
                  </td>
                  <td className="px-3 py-2">
                    <AgentDot name={session.agentName ?? session.externalAgentId} color={session.agentColor} />
                {session.gatewayName ? <span data-testid="session-gateway" className="text-xs text-muted">on {session.gatewayName}</span> : null}
                    <div data-testid="session-model" className="mt-0.5 whitespace-nowrap font-mono text-[11px] text-muted">{session.model ?? "—"}</div>
                  </td>
                  <td className="px-3 py-2">
                    <ContextBar percent={session.contextPercent} />
                  </td>
                  <td className="px-3 py-2 text-right tabular-nums">
                    <SpendFigure value={formatTokens(spend.tokens)} spend={spend} />
                  </td>
                  <td className="px-3 py-2 text-right tabular-nums">
                    <SpendFigure value={formatCost(spend.cost)} spend={spend} />
                  </td>
                  <td className="max-w-[12rem] px-3 py-2 text-xs">
                    <SessionNow session={session} />
                  </td>
                  <td className="whitespace-nowrap px-3 py-2 text-right text-xs text-muted">{ago(session.lastActivityAt, now)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        </>
      )}
    </>
  );
}

export { ErrorBoundary } from "~/components/route-error";
