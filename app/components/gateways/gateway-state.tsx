const STYLES: Record<string, { label: string; className: string }> = {
  online: { label: "Online", className: "border-ok/40 bg-ok/10 text-ok" },
  connecting: { label: "Connecting…", className: "border-warn/40 bg-warn/10 text-warn" },
  offline: { label: "Offline", className: "border-danger/40 bg-danger/10 text-danger" },
  unauthorized: { label: "Token rejected", className: "border-danger/40 bg-danger/10 text-danger" },
  "pairing-required": { label: "Pairing required", className: "border-warn/40 bg-warn/10 text-warn" },
  "protocol-mismatch": { label: "Protocol mismatch", className: "border-danger/40 bg-danger/10 text-danger" },
  // not a connection state: a second row of a gateway already registered (ADR 018), never connected
  duplicate: { label: "Duplicate", className: "border-border bg-panel-2 text-muted" },
};

/** The state a gateway row is shown in: a duplicate is not connected, whatever its row says. */
export function shownGatewayState(gateway: { state: string; duplicateOf: string | null }): string {
  return gateway.duplicateOf ? "duplicate" : gateway.state;
}

/** What a duplicate row is and what to do with it, for anyone who sees the row. */
export function duplicateAdvice(original: { name: string } | null | undefined, { canManage = true }: { canManage?: boolean } = {}): string {
  const same = original ? `This is the same gateway as "${original.name}"` : "This gateway is registered twice in this organization";
  return `${same}: its agents, sessions and costs are recorded there, and nothing is read through this copy. ${canManage ? "Delete this copy." : "An admin can delete this copy."}`;
}

/** A state in words, as the badge and the page's state line say it. */
export function gatewayStateLabel(state: string): string {
  return STYLES[state]?.label ?? state;
}

export function GatewayStateBadge({ state }: { state: string }) {
  const style = STYLES[state] ?? { label: state, className: "border-border bg-panel-2 text-muted" };
  return (
    <span data-gateway-state={state} className={`inline-flex items-center rounded-full border px-2 py-0.5 text-xs font-medium ${style.className}`}>
      {style.label}
    </span>
  );
}

/**
 * What to do about a state, in a sentence. `canManage`: the reader can act on it (an admin sees the
 * approve command and is pointed at the settings; others are told who can).
 */
export function gatewayAdvice(state: string, pairing: { deviceId?: string; approveCommand?: string } | null | undefined, { canManage = true }: { canManage?: boolean } = {}): string | null {
  switch (state) {
    case "unauthorized":
      return canManage
        ? "The gateway rejected the token. Enter the right one under Settings (gateway.auth.token in the gateway's config); it reconnects at once."
        : "The gateway rejected its token. An admin of this organization can enter the right one.";
    case "pairing-required":
      if (!canManage) return "The gateway waits for an admin to approve this installation on the gateway host.";
      return pairing?.approveCommand
        ? `The gateway waits for you to approve this device. On the gateway host run: ${pairing.approveCommand}`
        : "The gateway waits for you to approve this device (openclaw devices list, then approve it).";
    case "protocol-mismatch":
      return "This gateway speaks another protocol version. Update OpenClaw (protocol 4 is needed).";
    case "offline":
      return canManage
        ? "Mission Control cannot reach the gateway. Is it running, and is the URL right? It retries by itself."
        : "Mission Control cannot reach the gateway right now; it retries by itself.";
    default:
      return null;
  }
}
