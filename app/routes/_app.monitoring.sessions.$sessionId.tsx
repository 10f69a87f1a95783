import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { ArrowRight } from "lucide-react";
import { z } from "zod";
import { requireOrg } from "~/auth/guards.server";
import type { LiveHandle } from "~/components/live/live-provider";
import { MonitoringNav } from "~/components/monitoring/monitoring-nav";
import { ContextBar, SessionTypeBadge, ago, formatCost, formatTokens, sessionSpend, sessionTitle } from "~/components/monitoring/session-badges";
import { Card } from "~/components/ui/layout";
import { sessionTimeline, HISTORY_STEPS } from "~/ingest/session-history.server";
import { parseSearchParams, requireOrgRow } from "~/lib/ui-route.server";
import { topic } from "~/lib/topics";
import { getAgentSession, getParentSession, listChildSessions } from "~/models/agent-session.server";
import { seesGatewayDetails } from "~/models/gateway.server";

/** `?messages=300` after "Show earlier messages"; anything but one of the steps is the first step. */
const SessionSearchSchema = z.object({ messages: z.coerce.number().optional().catch(undefined) });

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org, role } = await requireOrg(request);
  const session = await requireOrgRow(org, params, "sessionId", getAgentSession);
  const [children, parent] = await Promise.all([listChildSessions({ orgId: org.id, session }), getParentSession({ orgId: org.id, session })]);
  const asked = parseSearchParams(request, SessionSearchSchema).messages;
  const historyLimit = HISTORY_STEPS.find((step) => step === asked) ?? HISTORY_STEPS[0];
  const nextStep = HISTORY_STEPS.find((step) => step > historyLimit) ?? null;
  const timeline = await sessionTimeline({ orgId: org.id, session, childKeys: children.map((child) => child.sessionKey), limit: historyLimit });
  return {
    session,
    parent,
    children,
    // why the gateway's history is missing names its URL and raw error: for admins only (ADR 019)
    timeline: timeline.unavailable && !seesGatewayDetails(role) ? { ...timeline, unavailable: "the gateway's own history cannot be read right now" } : timeline,
    nextStep: timeline.hasMore ? nextStep : null,
    now: Date.now(),
  };
}

/** How many sub-agents' own topics a page follows before it follows every session instead (a stream takes 20 topics). */
const CHILD_TOPICS_MAX = 15;

export const handle: LiveHandle = {
  // This session's own topic (its activity and row updates), and its sub-agents' (their ends show here).
  liveTopics: (data) => {
    const loaded = data as { session?: { id: string }; children?: Array<{ id: string }> } | undefined;
    if (!loaded?.session) return [];
    const children = loaded.children ?? [];
    if (children.length > CHILD_TOPICS_MAX) return [topic.agentSession(loaded.session.id), topic.sessions];
    return [topic.agentSession(loaded.session.id), ...children.map((child) => topic.agentSession(child.id))];
  },
};

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.session.label ?? "Session"} · Mission Control` }];

const KIND_STYLE: Record<string, string> = {
  message: "border-accent/40",
  user_message: "border-ok/40",
  tool_start: "border-warn/40",
  tool_end: "border-warn/20",
  run_start: "border-border",
  run_end: "border-border",
  error: "border-danger/60",
  spawn: "border-sky-400/50",
  despawn: "border-sky-400/30",
};

/** "the gateway is offline" -> "The gateway is offline." */
function asSentence(text: string) {
  const trimmed = text.trim();
  return `${trimmed.charAt(0).toUpperCase()}${trimmed.slice(1)}${/[.!?]$/.test(trimmed) ? "" : "."}`;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "30 Oct" for a YYYY-MM-DD day: spelled out here, so server and browser agree whatever their ICU says. */
function shortDate(day: string) {
  const [, month, date] = day.split("-").map(Number);
  return `${date} ${MONTHS[(month ?? 1) - 1] ?? ""}`;
}

type Item = ReturnType<typeof useLoaderData<typeof loader>>["timeline"]["items"][number];

/** One line of the timeline: messages in full (as far as stored), tool output behind a disclosure, a spawn linked to its child. */
function TimelineEntry({ item, agentName, childId }: { item: Item; agentName: string; childId: string | undefined }) {
  const isMessage = (item.kind === "message" || item.kind === "user_message") && item.text;
  return (
    <li data-kind={item.kind} className={`rounded-md border-l-2 bg-panel-2/50 px-3 py-2 text-sm ${KIND_STYLE[item.kind] ?? "border-border"}`}>
      <div className="flex items-baseline justify-between gap-3">
        <div className={`min-w-0 ${item.isError ? "text-danger" : ""}`}>
          {isMessage ? (
            <>
              <span className="mr-2 text-xs font-medium uppercase tracking-wide text-muted">{item.kind === "user_message" ? `To ${agentName}` : agentName}</span>
              <span className="whitespace-pre-wrap break-words">{item.text}</span>
            </>
          ) : (
            <span className="break-words">{item.message}</span>
          )}
          {childId ? (
            <Link to={`/monitoring/sessions/${childId}`} className="ml-2 inline-flex items-center gap-0.5 text-xs text-accent hover:underline">
              open sub-agent <ArrowRight aria-hidden className="h-3 w-3" />
            </Link>
          ) : null}
        </div>
        <time className="shrink-0 text-xs text-muted" dateTime={new Date(item.at).toISOString()}>
          {new Date(item.at).toLocaleTimeString()}
        </time>
      </div>
      {item.kind === "tool_end" && item.text ? (
        <details className="mt-1">
          <summary className="cursor-pointer text-xs text-muted">output</summary>
          <pre className="mt-1 max-h-48 overflow-auto whitespace-pre-wrap break-words rounded bg-bg/60 p-2 font-mono text-xs">{item.text}</pre>
        </details>
      ) : null}
    </li>
  );
}

export default function SessionPage() {
  const { session, parent, children, timeline, nextStep, now } = useLoaderData<typeof loader>();
  const spend = sessionSpend(session);
  const activity = timeline.items;
  const agentName = session.agentName ?? session.externalAgentId;
  const childIds = new Map(children.map((child) => [child.sessionKey, child.id]));
  return (
    <>
      <MonitoringNav />
      <p className="text-sm">
        <Link to="/monitoring/sessions" className="text-accent">
          Sessions
        </Link>
        {parent ? (
          <>
            {" "}
            /{" "}
            <Link to={`/monitoring/sessions/${parent.id}`} className="text-accent">
              {sessionTitle(parent)}
            </Link>
          </>
        ) : null}
      </p>
      <div className="mt-1 flex flex-wrap items-center gap-3">
        <h1 className="text-2xl font-semibold tracking-tight">{sessionTitle(session)}</h1>
        <SessionTypeBadge type={session.type} />
        {session.endedAt ? <span className="text-sm text-muted">ended {ago(session.endedAt, now)}</span> : null}
      </div>
      <p className="mt-1 font-mono text-xs text-muted">{session.sessionKey}</p>

      <div className="mt-6 grid gap-6 lg:grid-cols-[1fr_300px]">
        <Card title="Recent messages and tool calls">
          <p className="mb-3 text-xs text-muted" data-testid="timeline-source" data-source={timeline.source}>
            {timeline.source === "gateway"
              ? `From the gateway's own history${timeline.hasMore ? ` (the last ${timeline.limit} messages)` : ""}, with the runs Mission Control saw.`
              : timeline.unavailable
                ? `Showing what Mission Control recorded. ${asSentence(timeline.unavailable)}`
                : `As Mission Control read it from the session's transcript${timeline.hasMore ? ` (the last ${timeline.limit} events)` : ""}.`}
          </p>
          {timeline.hasMore ? (
            <p className="mb-3 text-xs">
              {nextStep ? (
                <Link to={`?messages=${nextStep}`} preventScrollReset className="text-accent hover:underline" data-testid="show-earlier">
                  Show earlier messages (up to {nextStep})
                </Link>
              ) : (
                <span className="text-muted">Older messages are not shown: {timeline.source === "gateway" ? `the gateway gives at most the last ${timeline.limit}` : `at most the last ${timeline.limit} are read`}.</span>
              )}
            </p>
          ) : null}
          {activity.length === 0 ? (
            <p className="text-sm text-muted">Nothing recorded for this session yet; new activity appears here live.</p>
          ) : (
            <ol className="space-y-2" data-testid="session-activity">
              {activity.map((item) => (
                <TimelineEntry key={item.id} item={item} agentName={agentName} childId={item.childKey ? childIds.get(item.childKey) : undefined} />
              ))}
            </ol>
          )}
        </Card>
        <div className="space-y-4">
          <Card title="Session">
            <dl className="space-y-2 text-sm">
              <div className="flex justify-between gap-2">
                <dt className="text-muted">Agent</dt>
                <dd>{session.agentName ?? session.externalAgentId}</dd>
              </div>
              <div className="flex justify-between gap-2">
                <dt className="text-muted">Model</dt>
                <dd className="font-mono text-xs">{session.model ?? "—"}</dd>
              </div>
              <div className="flex justify-between gap-2">
                <dt className="text-muted">Context</dt>
                <dd className="flex flex-col items-end">
                  <ContextBar percent={session.contextPercent} />
                  {session.totalTokens !== null && session.contextTokens ? (
                    <span className="text-xs tabular-nums text-muted">
                      {formatTokens(session.totalTokens)} of {formatTokens(session.contextTokens)}
                    </span>
                  ) : null}
                </dd>
              </div>
              {session.usage ? (
                <>
                  <div className="flex justify-between gap-2" data-testid="session-usage">
                    <dt className="text-muted" title={`Covers ${spend.scope}`}>
                      Usage
                      <span className="block text-xs">{session.usage.since ? `since ${shortDate(session.usage.since)}` : "whole transcript"}</span>
                    </dt>
                    <dd className="text-right tabular-nums">
                      {formatTokens(session.usage.totalTokens)} tokens
                      <span className="block whitespace-nowrap text-xs text-muted">
                        {formatTokens(session.usage.inputTokens)} in · {formatTokens(session.usage.outputTokens)} out
                        {session.usage.cacheReadTokens > 0 ? ` · ${formatTokens(session.usage.cacheReadTokens)} cached` : ""}
                      </span>
                    </dd>
                  </div>
                  <div className="flex justify-between gap-2">
                    <dt className="text-muted">Cost</dt>
                    <dd className="tabular-nums" data-testid="session-cost">{formatCost(session.usage.costUsd)}</dd>
                  </div>
                </>
              ) : null}
              <div className="flex justify-between gap-2" data-testid="session-last-run">
                <dt className="text-muted">
                  Last run
                  {session.usage ? null : <span className="block text-xs">the total is not known yet</span>}
                </dt>
                <dd className="text-right tabular-nums">
                  {formatTokens(session.inputTokens)} in · {formatTokens(session.outputTokens)} out
                  <span className="block text-xs text-muted">{formatCost(session.costUsd)}</span>
                </dd>
              </div>
              <div className="flex justify-between gap-2">
                <dt className="text-muted">Last activity</dt>
                <dd>{ago(session.lastActivityAt, now)}</dd>
              </div>
            </dl>
          </Card>
          <Card title={`Sub-agents (${children.length})`}>
            {children.length === 0 ? (
              <p className="text-sm text-muted">None.</p>
            ) : (
              <ul className="space-y-1 text-sm">
                {children.map((child) => (
                  <li key={child.id} className="flex justify-between gap-2">
                    <Link to={`/monitoring/sessions/${child.id}`} className="truncate hover:text-accent">
                      {child.label ?? child.sessionKey}
                    </Link>
                    <span className="text-xs text-muted">{child.endedAt ? "ended" : "running"}</span>
                  </li>
                ))}
              </ul>
            )}
          </Card>
        </div>
      </div>
    </>
  );
}

export { ErrorBoundary } from "~/components/route-error";
