/**
 * What anyone who may see a gateway sees of its state and figures (ADR 019): the model's
 * `GatewayView` extends it, and the gateway page's components take it. Client-safe.
 */
export interface GatewayFiguresView {
  state: string;
  stateSince: number | null;
  serverVersion: string | null;
  latencyMs: number | null;
  latencyP50Ms: number | null;
  lastSeenAt: number | null;
  lastPollAt: number | null;
  pollFailed: boolean;
  pollIntervalSeconds: number;
}
