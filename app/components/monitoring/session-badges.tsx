const TYPE_STYLES: Record<string, { label: string; className: string }> = {
  main: { label: "main", className: "border-accent/50 bg-accent/10 text-accent" },
  dm: { label: "DM", className: "border-ok/40 bg-ok/10 text-ok" },
  group: { label: "group", className: "border-warn/40 bg-warn/10 text-warn" },
  cron: { label: "cron", className: "border-fuchsia-400/40 bg-fuchsia-400/10 text-fuchsia-300" },
  subagent: { label: "sub-agent", className: "border-sky-400/40 bg-sky-400/10 text-sky-300" },
  other: { label: "session", className: "border-border bg-panel-2 text-muted" },
};

export function SessionTypeBadge({ type }: { type: string }) {
  const style = TYPE_STYLES[type] ?? TYPE_STYLES.other!;
  return (
    <span data-session-type={type} className={`inline-flex shrink-0 items-center whitespace-nowrap rounded-full border px-2 py-0.5 text-[11px] font-medium ${style.className}`}>
      {style.label}
    </span>
  );
}

export function ContextBar({ percent }: { percent: number | null }) {
  if (percent === null) return <span className="text-xs text-muted">—</span>;
  const color = percent >= 90 ? "bg-danger" : percent >= 70 ? "bg-warn" : "bg-ok";
  return (
    <span className="flex items-center gap-2" title={`${percent}% of the context window`}>
      <span className="h-1.5 w-20 overflow-hidden rounded-full bg-panel-2">
        <span className={`block h-full rounded-full ${color}`} style={{ width: `${Math.max(2, percent)}%` }} />
      </span>
      <span className="text-xs tabular-nums text-muted">{percent}%</span>
    </span>
  );
}

export function formatTokens(value: number | null) {
  if (value === null) return "—";
  if (value >= 1_000_000) return `${(value / 1_000_000).toFixed(1)}M`;
  if (value >= 1_000) return `${(value / 1_000).toFixed(1)}k`;
  return String(value);
}

export function formatCost(value: number | null) {
  if (value === null) return "—";
  // Sub-dollar costs keep four decimals everywhere, so rows compare at a glance ($0.0080 vs $0.0400).
  return value < 1 ? `$${value.toFixed(4)}` : `$${value.toFixed(2)}`;
}

export { formatAgo as ago } from "~/components/activity/relative-time";

/** A session's name: its label, else its key without the `agent:<id>:` prefix. */
export function sessionTitle(session: { label: string | null; sessionKey: string }) {
  return session.label ?? session.sessionKey.replace(/^agent:[^:]+:/, "");
}

export function AgentDot({ name, color }: { name: string; color: string | null }) {
  return (
    <span className="flex items-center gap-1.5">
      <span className="h-2.5 w-2.5 shrink-0 rounded-full" style={{ background: color ?? "#64748b" }} />
      {name}
    </span>
  );
}

/** What the session is doing: the tool it runs, else its last message, else idle. */
export function SessionNow({ session, className = "" }: { session: { currentTool: string | null; currentSummary: string | null; lastMessage: string | null }; className?: string }) {
  if (session.currentTool) {
    return (
      <span className={`block truncate text-warn ${className}`}>
        {session.currentTool}
        {session.currentSummary ? `: ${session.currentSummary}` : ""}
      </span>
    );
  }
  if (session.lastMessage) return <span className={`line-clamp-2 text-muted ${className}`}>{session.lastMessage}</span>;
  return <span className={`text-muted ${className}`}>idle</span>;
}

interface SpendFacts {
  usage: { totalTokens: number; costUsd: number; since: string | null } | null;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
}

/**
 * What a session has used: every model call when that is known (the gateway's sessions.usage, or a
 * transcript's sum), else its last run, which is all an OpenClaw session row carries.
 */
export function sessionSpend(session: SpendFacts): { tokens: number | null; cost: number | null; complete: boolean; scope: string } {
  if (session.usage) {
    const scope = session.usage.since ? `every model call since ${session.usage.since}` : "every model call in its transcript";
    return { tokens: session.usage.totalTokens, cost: session.usage.costUsd, complete: true, scope };
  }
  const tokens = session.inputTokens === null && session.outputTokens === null ? null : (session.inputTokens ?? 0) + (session.outputTokens ?? 0);
  return { tokens, cost: session.costUsd, complete: false, scope: "its last run only; the session's total is not known yet" };
}

/** Tokens or cost of a session, saying what it covers; "last run" beneath when that is all there is. */
export function SpendFigure({ value, spend }: { value: string; spend: { complete: boolean; scope: string } }) {
  return (
    <span title={`Covers ${spend.scope}`} data-spend={spend.complete ? "total" : "last-run"}>
      {value}
      {spend.complete ? null : <span className="block text-[10px] uppercase tracking-wide text-muted">last run</span>}
    </span>
  );
}
