/*
 * Reconnect delays: exponential, capped, with jitter so that many app processes (or many gateways
 * restarted at once) do not reconnect in lockstep.
 */

export interface BackoffOptions {
  /** delay before the first retry (attempt 0), before jitter */
  initialDelayMs: number;
  /** no delay is ever longer than this */
  maxDelayMs: number;
  factor: number;
  /** 0..1: the share of the delay that is random (0.5 = between half and all of it) */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = {
  initialDelayMs: 1_000,
  maxDelayMs: 30_000,
  factor: 2,
  jitter: 0.5,
};

/** Delay before retry number `attempt` (0-based): in [base·(1−jitter), base], base = min(max, initial·factor^attempt). */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const exponent = Math.max(0, Math.floor(attempt));
  const base = Math.min(options.maxDelayMs, options.initialDelayMs * options.factor ** exponent);
  const jitter = Math.min(1, Math.max(0, options.jitter));
  const spread = base * jitter;
  const r = Math.min(1, Math.max(0, random()));
  return Math.round(base - spread + r * spread);
}
