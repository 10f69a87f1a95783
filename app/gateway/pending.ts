import { ConnectionLostError, GatewayRequestError, RequestTimeoutError } from "./errors";
import type { ResponseFrame } from "./frames";

/*
 * Requests waiting for their answer, by id. Each has its own timeout; an answer that arrives after
 * it is dropped (nobody waits for it any more).
 */

interface Waiting {
  method: string;
  resolve: (payload: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export class PendingRequests {
  private readonly waiting = new Map<string, Waiting>();
  private counter = 0;

  /** Registers a request; `send` gets its id and must put the frame on the wire. */
  add<T>(method: string, timeoutMs: number, send: (id: string, failed: (error: Error) => void) => void): Promise<T> {
    const id = `mc-${++this.counter}`;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new RequestTimeoutError(method, timeoutMs));
      }, timeoutMs);
      this.waiting.set(id, { method, resolve: resolve as (payload: unknown) => void, reject, timer });
      send(id, (error) => this.take(id)?.reject(new ConnectionLostError(method, error.message)));
    });
  }

  /** Settles the request a response belongs to; false when nobody waits for it. */
  settle(frame: ResponseFrame): boolean {
    const entry = this.take(frame.id);
    if (!entry) return false;
    if (frame.ok) entry.resolve(frame.payload);
    else entry.reject(new GatewayRequestError(entry.method, frame.error));
    return true;
  }

  failAll(reason: string) {
    for (const id of [...this.waiting.keys()]) {
      const entry = this.take(id)!;
      entry.reject(new ConnectionLostError(entry.method, reason));
    }
  }

  private take(id: string): Waiting | undefined {
    const entry = this.waiting.get(id);
    if (!entry) return undefined;
    clearTimeout(entry.timer);
    this.waiting.delete(id);
    return entry;
  }
}
