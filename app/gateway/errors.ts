/*
 * Errors a caller of the gateway client can tell apart with `instanceof` and show to a person:
 * every message says what happened and, where there is something to do, what to do.
 */

export class GatewayError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The gateway did not answer a request in time; the request is forgotten (a late answer is dropped). */
export class RequestTimeoutError extends GatewayError {
  readonly method: string;
  readonly timeoutMs: number;
  constructor(method: string, timeoutMs: number) {
    super("REQUEST_TIMEOUT", `The gateway did not answer ${method} within ${formatMs(timeoutMs)}.`);
    this.method = method;
    this.timeoutMs = timeoutMs;
  }
}

/** The method is not in the list the gateway announced in hello-ok; nothing was sent. */
export class MethodUnavailableError extends GatewayError {
  readonly method: string;
  readonly serverVersion: string | null;
  constructor(method: string, serverVersion: string | null) {
    const server = serverVersion ? `This gateway (OpenClaw ${serverVersion})` : "This gateway";
    super(
      "METHOD_UNAVAILABLE",
      `${server} does not offer ${method}; update OpenClaw on the gateway to use this feature.`,
    );
    this.method = method;
    this.serverVersion = serverVersion;
  }
}

/** The gateway answered the request with ok:false. `code`/`details` are the gateway's own. */
export class GatewayRequestError extends GatewayError {
  readonly method: string;
  readonly details: unknown;
  constructor(method: string, error: { code: string; message: string; details?: unknown }) {
    super(error.code, `The gateway refused ${method}: ${error.message}`);
    this.method = method;
    this.details = error.details;
  }
  /** `details.code` when the gateway sent one (e.g. MISSING_SCOPE, CRON_JOB_NOT_FOUND). */
  get detailCode(): string | undefined {
    const details = this.details;
    if (details && typeof details === "object" && "code" in details && typeof details.code === "string") {
      return details.code;
    }
    return undefined;
  }
}

/** A request was made while the connection was not online (it is never queued). */
export class NotConnectedError extends GatewayError {
  readonly method: string;
  readonly state: string;
  constructor(method: string, state: string, lastError: string | null) {
    super(
      "NOT_CONNECTED",
      `Cannot call ${method}: the gateway is ${state}${lastError ? ` (${lastError})` : ""}.`,
    );
    this.method = method;
    this.state = state;
  }
}

/** The link went down (or close() was called) while a request was waiting for its answer. */
export class ConnectionLostError extends GatewayError {
  readonly method: string;
  constructor(method: string, reason: string) {
    super("CONNECTION_LOST", `The connection to the gateway was lost before it answered ${method}: ${reason}.`);
    this.method = method;
  }
}

export function formatMs(ms: number): string {
  return ms >= 1000 && ms % 1000 === 0 ? `${ms / 1000} s` : ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms} ms`;
}
