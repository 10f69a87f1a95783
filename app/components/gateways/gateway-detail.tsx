import { Link, useFetcher } from "@remix-run/react";
import type { ReactNode } from "react";
import { formatAgo, formatRelative } from "~/components/activity/relative-time";
import { gatewayStateLabel } from "~/components/gateways/gateway-state";
import { Button } from "~/components/ui/form";

/*
 * The gateway page's parts: where the gateway stands (state, since when, what to do), its figures,
 * the test button, and the polls' snapshots as cards. Plain props: the route hands in loader data.
 */

import type { GatewayFiguresView } from "~/lib/gateway-figures";

/** "Online for 2 hours", "Offline since 5 minutes ago": the state with how long it has held. */
export function stateLine(state: string, since: number | null, now: number): string {
  const words = gatewayStateLabel(state).replace(/…$/, "");
  if (!since) return words;
  const ago = formatRelative(since, now);
  if (ago === "just now") return `${words} since just now`;
  return state === "online" ? `${words} for ${ago.replace(/ ago$/, "")}` : `${words} since ${ago}`;
}

export function Figure({ label, children, hint }: { label: string; children: ReactNode; hint?: ReactNode }) {
  return (
    <div className="min-w-0 rounded-md border border-border bg-panel-2/60 px-3 py-2">
      <dt className="text-xs text-muted">{label}</dt>
      <dd className="mt-0.5 truncate text-base font-semibold tabular-nums">{children}</dd>
      {hint ? <dd className="truncate text-xs text-muted">{hint}</dd> : null}
    </div>
  );
}

export function GatewayFigures({ gateway, agents, sessions, now }: { gateway: GatewayFiguresView; agents: number; sessions: number | null; now: number }) {
  const online = gateway.state === "online";
  return (
    <dl className="grid grid-cols-2 gap-2 sm:grid-cols-3 lg:grid-cols-6" data-testid="gateway-figures">
      <Figure label="Latency" hint={gateway.latencyP50Ms !== null ? `median ${gateway.latencyP50Ms} ms` : online ? "measuring…" : undefined}>
        {online && gateway.latencyMs !== null ? `${gateway.latencyMs} ms` : "—"}
      </Figure>
      <Figure label="Last seen" hint={online ? "live" : undefined}>
        {formatAgo(gateway.lastSeenAt, now, "never")}
      </Figure>
      <Figure label="Agents">{agents}</Figure>
      <Figure label="Sessions">{sessions ?? "—"}</Figure>
      <Figure label="Version">{gateway.serverVersion ?? "—"}</Figure>
      <Figure label="Last poll" hint={`every ${gateway.pollIntervalSeconds} s`}>
        <span className={gateway.pollFailed ? "text-warn" : ""}>{gateway.lastPollAt ? formatAgo(gateway.lastPollAt, now) : "not yet"}</span>
      </Figure>
    </dl>
  );
}

export interface TestAnswer {
  ok: boolean;
  message: string;
}

/**
 * "Test connection": in place with JavaScript (the button says "Testing…" and waits), a plain post
 * without; the answer is one sentence beside the button.
 */
export function TestConnectionButton({ fallback, shown }: { fallback: TestAnswer | null; shown?: string | null }) {
  const fetcher = useFetcher<{ test: TestAnswer | null }>();
  const testing = fetcher.state !== "idle";
  const answer = testing ? null : (fetcher.data?.test ?? fallback);
  // the page already shows this sentence as the gateway's problem: said once, confirmed here
  const message = answer && shown && answer.message === shown ? "Tested again: the same result as above." : answer?.message;
  return (
    <fetcher.Form method="post" className="flex min-w-[12rem] flex-1 flex-wrap items-center gap-3">
      <input type="hidden" name="intent" value="test" />
      <Button type="submit" variant="secondary" pending={testing} pendingLabel="Testing…">
        Test connection
      </Button>
      <span role="status" aria-live="polite" className={`min-w-0 text-sm ${answer ? (answer.ok ? "text-ok" : "text-danger") : "text-muted"}`}>
        {testing ? "Connecting once with the stored settings (up to 10 s)…" : message}
      </span>
    </fetcher.Form>
  );
}

export interface SnapshotCardView {
  kind: string;
  title: string;
  takenAt: number | null;
  summary: string;
  tone: "ok" | "warn" | "danger" | "muted";
  facts: Array<{ label: string; value: string; tone?: "ok" | "warn" | "danger" }>;
}

const TONE_DOT = { ok: "bg-ok", warn: "bg-warn", danger: "bg-danger", muted: "bg-muted/50" } as const;
const TONE_TEXT = { ok: "text-ok", warn: "text-warn", danger: "text-danger" } as const;

export function SnapshotCards({ cards, now }: { cards: SnapshotCardView[]; now: number }) {
  if (cards.every((card) => card.takenAt === null)) {
    return (
      <p className="rounded-lg border border-dashed border-border px-4 py-3 text-sm text-muted" data-snapshot="none">
        Nothing polled yet. Health, usage, crons, sessions and models appear here once the gateway is online and polled.
      </p>
    );
  }
  return (
    <div className="grid gap-3 sm:grid-cols-2 xl:grid-cols-5">
      {cards.map((card) => (
        <section key={card.kind} data-snapshot={card.kind} className="min-w-0 rounded-lg border border-border bg-panel p-4">
          <div className="flex items-baseline justify-between gap-2">
            <h3 className="font-semibold">{card.title}</h3>
            <span className="shrink-0 text-xs text-muted">{card.takenAt ? formatAgo(card.takenAt, now) : ""}</span>
          </div>
          <p className="mt-1 flex items-start gap-2 text-sm">
            <span aria-hidden className={`mt-1.5 h-2 w-2 shrink-0 rounded-full ${TONE_DOT[card.tone]}`} />
            <span>{card.summary}</span>
          </p>
          {card.facts.length ? (
            <dl className="mt-3 space-y-1 text-xs">
              {card.facts.map((fact) => (
                <div key={fact.label} className="flex justify-between gap-3">
                  <dt className="text-muted">{fact.label}</dt>
                  <dd className={`text-right tabular-nums ${fact.tone ? TONE_TEXT[fact.tone] : ""}`}>{fact.value}</dd>
                </div>
              ))}
            </dl>
          ) : null}
        </section>
      ))}
    </div>
  );
}

export function AgentList({ agents }: { agents: Array<{ id: string; name: string; status: string }> }) {
  if (agents.length === 0) return <p className="text-sm text-muted">No agents discovered yet: they appear once the gateway is online.</p>;
  return (
    <ul className="divide-y divide-border text-sm">
      {agents.map((agent) => (
        <li key={agent.id} className="flex items-center justify-between gap-3 py-1.5">
          <Link to={`/agents/${agent.id}`} className="truncate hover:text-accent">
            {agent.name}
          </Link>
          <span className="shrink-0 text-xs text-muted">{agent.status}</span>
        </li>
      ))}
    </ul>
  );
}
