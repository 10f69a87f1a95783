/** Helpers for responses that end a loader or action early. */

export function notFound(what = "Not found"): never {
  throw new Response(what, { status: 404, statusText: "Not Found" });
}

export function forbidden(message = "You do not have permission to do that."): never {
  throw new Response(message, { status: 403, statusText: "Forbidden" });
}

export interface ApiErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export function apiError(status: number, code: string, message: string, details?: unknown): Response {
  const body: ApiErrorBody = { error: { code, message, ...(details === undefined ? {} : { details }) } };
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" },
  });
}

export function apiJson(data: unknown, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  headers.set("Content-Type", "application/json; charset=utf-8");
  headers.set("Cache-Control", "no-store");
  return new Response(JSON.stringify(data), { ...init, headers });
}

/** Domain errors carry an HTTP status so routes can turn them into a clear 4xx. */
export class DomainError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: string,
    message: string,
    public readonly field?: string,
    /** more for the API answer's `details` (beside the field's error) and for a form to show */
    public readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "DomainError";
  }
}

/**
 * A save based on an older version of a row than the stored one (ADR 017, 023): a 409 carrying
 * the stored row, so a form can name what changed and the API can answer 412 with it.
 */
export class StaleVersionError<T> extends DomainError {
  constructor(
    /** "task", "board": how the sentence names the row */
    readonly what: string,
    readonly current: T,
  ) {
    super(409, "stale_version", `Someone changed this ${what} while you were editing. Check its current values and save again.`);
    this.name = "StaleVersionError";
  }
}

export { isUuid } from "./uuid";
