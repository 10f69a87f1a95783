const STYLES: Record<string, { label: string; className: string; dot: string }> = {
  online: { label: "Online", className: "border-ok/40 bg-ok/10 text-ok", dot: "bg-ok" },
  busy: { label: "Busy", className: "border-warn/40 bg-warn/10 text-warn", dot: "bg-warn" },
  offline: { label: "Offline", className: "border-border bg-panel-2 text-muted", dot: "bg-muted" },
};

export function AgentStatusBadge({ status }: { status: string }) {
  const style = STYLES[status] ?? STYLES.offline!;
  return (
    <span data-agent-status={status} className={`inline-flex items-center gap-1.5 rounded-full border px-2 py-0.5 text-xs font-medium ${style.className}`}>
      <span aria-hidden className={`h-1.5 w-1.5 rounded-full ${style.dot}`} />
      {style.label}
    </span>
  );
}
