import WebSocket from "ws";
import { ConnectionLostError, RequestTimeoutError } from "./errors";

/*
 * Is the link alive? The gateway sends a tick every policy.tickIntervalMs; any frame or pong
 * counts as a sign of life. Pinging every half tick gives an idle but healthy link traffic (and a
 * latency figure), so silence for a few tick intervals means the gateway or the path to it is
 * gone, even when no TCP close ever arrives (a frozen host, a dropped route).
 */

export interface LinkMonitorOptions {
  tickIntervalMs: number;
  /** silence after which the link is dead */
  deadAfterMs: number;
  /** epoch ms of the last frame or pong (kept by the connection) */
  lastSeenAt: () => number | null;
  /** called once, when the silence has lasted deadAfterMs */
  onDead: (silentForMs: number) => void;
}

export class LinkMonitor {
  private watchdog: NodeJS.Timeout | null = null;
  private pinger: NodeJS.Timeout | null = null;
  private outstanding: { data: string; sentAt: number } | null = null;
  private counter = 0;
  private readonly waiters = new Set<{ resolve: (ms: number) => void; reject: (error: Error) => void }>();

  constructor(
    private readonly ws: WebSocket,
    private readonly options: LinkMonitorOptions,
  ) {}

  start() {
    const { deadAfterMs, tickIntervalMs } = this.options;
    const check = () => {
      const silentFor = Date.now() - (this.options.lastSeenAt() ?? 0);
      if (silentFor >= deadAfterMs) {
        this.watchdog = null;
        this.options.onDead(silentFor);
        return;
      }
      // re-arm for the moment the silence would reach the limit: exact, and no timer per frame
      this.watchdog = setTimeout(check, deadAfterMs - silentFor);
    };
    this.watchdog = setTimeout(check, deadAfterMs);
    this.pinger = setInterval(() => this.ping(), Math.max(1, Math.floor(tickIntervalMs / 2)));
    this.ping();
  }

  /** Handles a pong; returns the round trip when it answers our outstanding ping. */
  pong(data: Buffer, now = Date.now()): number | null {
    if (!this.outstanding || data.toString() !== this.outstanding.data) return null;
    const latencyMs = now - this.outstanding.sentAt;
    this.outstanding = null;
    for (const waiter of this.waiters) waiter.resolve(latencyMs);
    this.waiters.clear();
    return latencyMs;
  }

  /** Pings now (unless a ping is already out) and resolves with the round trip. */
  measure(timeoutMs: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new RequestTimeoutError("a ping", timeoutMs));
      }, timeoutMs);
      const waiter = {
        resolve: (ms: number) => (clearTimeout(timer), resolve(ms)),
        reject: (error: Error) => (clearTimeout(timer), reject(error)),
      };
      this.waiters.add(waiter);
      this.ping();
    });
  }

  stop(reason: string) {
    if (this.watchdog) clearTimeout(this.watchdog);
    if (this.pinger) clearInterval(this.pinger);
    this.watchdog = null;
    this.pinger = null;
    this.outstanding = null;
    for (const waiter of this.waiters) waiter.reject(new ConnectionLostError("a ping", reason));
    this.waiters.clear();
  }

  private ping() {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    if (this.outstanding) return; // one ping at a time keeps the round trip honest
    const data = `mc-${++this.counter}`;
    this.outstanding = { data, sentAt: Date.now() };
    this.ws.ping(data);
  }
}

/**
 * The last round trips, for a figure that moves with the link instead of one frozen sample: the
 * last one and the median of the last `size` (a single slow pong does not make the gateway slow).
 */
export class LatencyWindow {
  private samples: number[] = [];
  constructor(private readonly size = 20) {}

  add(ms: number): { last: number; p50: number } {
    this.samples.push(ms);
    if (this.samples.length > this.size) this.samples.shift();
    return { last: ms, p50: this.median()! };
  }

  median(): number | null {
    if (this.samples.length === 0) return null;
    const sorted = [...this.samples].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  }

  clear() {
    this.samples = [];
  }
}
