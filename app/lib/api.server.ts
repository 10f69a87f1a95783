import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { z, type ZodError, type ZodTypeAny } from "zod";
import { apiError, apiJson, DomainError, isUuid, StaleVersionError } from "./http.server";
import { describePath, findJsonProblem, MAX_JSON_DEPTH, textProblem, textProblemMessage } from "./input-guard";
import { log } from "./log.server";
import { MAX_BODY_BYTES } from "./request-guards.server";

export { MAX_BODY_BYTES };

/*
 * The plumbing every REST route shares, so a route file is: auth, parse, call the model, answer.
 * Every answer is JSON; errors are `{ error: { code, message, details } }` (apiError).
 * API routes authenticate with a bearer token, never a cookie, so there is no Origin check here.
 */

type Handler<Args> = (args: Args) => Promise<Response> | Response;
type MutatingMethod = "POST" | "PUT" | "PATCH" | "DELETE";

/**
 * Runs a handler and turns what it throws into an API answer: Responses (requireApiAuth's 401/403,
 * our own 4xx) propagate untouched, a DomainError becomes its status, anything else is a logged 500
 * in the same JSON shape rather than Remix's HTML error page.
 */
export async function handleApi(run: () => Promise<Response> | Response): Promise<Response> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof Response) throw error;
    if (error instanceof DomainError) {
      const details = { ...(error.field ? { [error.field]: [error.message] } : {}), ...error.details };
      return apiError(error.status, error.code, error.message, Object.keys(details).length ? details : undefined);
    }
    log.error("API request failed", {
      error: error instanceof Error ? error.message : String(error),
      stack: error instanceof Error ? error.stack : undefined,
    });
    return apiError(500, "internal_error", "Something went wrong on the server. Try again; if it keeps failing, check the server log.");
  }
}

export function apiLoader(handler: Handler<LoaderFunctionArgs>) {
  return (args: LoaderFunctionArgs) => handleApi(() => handler(args));
}

/**
 * One action per route that dispatches on the method; anything else is a JSON 405 with `Allow`.
 * `hasLoader: false` for routes without a GET (the loader then answers 405 too, see methodNotAllowed).
 */
export function apiAction(handlers: Partial<Record<MutatingMethod, Handler<ActionFunctionArgs>>>, { hasLoader = true } = {}) {
  const allowed = [...(hasLoader ? ["GET", "HEAD"] : []), ...Object.keys(handlers)];
  return (args: ActionFunctionArgs) =>
    handleApi(() => {
      const handler = handlers[args.request.method.toUpperCase() as MutatingMethod];
      return handler ? handler(args) : methodNotAllowed(allowed);
    });
}

export function methodNotAllowed(allowed: string[]): Response {
  const response = apiError(405, "method_not_allowed", `This endpoint accepts ${allowed.join(", ")}.`);
  response.headers.set("Allow", allowed.join(", "));
  return response;
}

export function apiNotFound(what: string): Response {
  return apiError(404, "not_found", `That ${what} does not exist in this organization.`);
}

/** A route param that must be one of our ids; anything else is simply not found (never a 500 from PostgreSQL). */
export function requireIdParam(params: LoaderFunctionArgs["params"], what: string, name = "id"): string {
  const value = params[name];
  if (!isUuid(value)) throw apiNotFound(what);
  return value;
}

/** The client address server.ts puts into the load context (tests pass it directly). */
export function clientIp(context: unknown): string {
  const value = (context as { clientIp?: unknown } | undefined)?.clientIp;
  return typeof value === "string" && value ? value : "unknown";
}

/**
 * Reads at most `maxBytes` of the body (whatever Content-Length claims) and parses it as JSON.
 * The Content-Type is not checked: `curl -d` sends form-urlencoded by default and the intent is clear.
 * Text PostgreSQL cannot store (NUL, lone surrogates) and absurd nesting are refused here, naming
 * the field, so no route has to think of them.
 */
export async function readJsonBody(request: Request, maxBytes = MAX_BODY_BYTES): Promise<unknown> {
  const tooLarge = () =>
    apiError(413, "payload_too_large", `The request body is larger than ${Math.round(maxBytes / 1024)} KB.`);
  const declared = Number(request.headers.get("Content-Length"));
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();

  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        // Not cancel(): that destroys the socket and resets the client before it reads the 413.
        // The server discards the rest of the body after the answer (app/lib/request-guards.server.ts).
        reader.releaseLock();
        throw tooLarge();
      }
      chunks.push(value);
    }
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw apiError(400, "invalid_json", "The request body is not valid UTF-8 text. Send a JSON object.");
  }
  if (!text.trim()) {
    throw apiError(400, "invalid_json", "The request body is empty. Send a JSON object with Content-Type: application/json.");
  }
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : "parse error";
    throw apiError(400, "invalid_json", `The request body is not valid JSON (${reason}).`);
  }
  const problem = findJsonProblem(value);
  if (problem?.kind === "depth") {
    throw apiError(400, "invalid_json", `The request body is nested more than ${MAX_JSON_DEPTH} levels deep; no endpoint takes that.`);
  }
  if (problem) {
    if (problem.path.length === 0) throw apiError(400, "invalid_text", textProblemMessage("The request body", problem.problem));
    const field = JSON.stringify(describePath(problem.path));
    const message = textProblemMessage(problem.inKey ? `The name of field ${field}` : `The field ${field}`, problem.problem);
    throw apiError(400, "invalid_text", message, fieldDetails([[String(problem.path[0]), message]]));
  }
  return value;
}

/** `details` as a map without a prototype: a field called `constructor` or `__proto__` is just a name. */
function fieldDetails(entries: Iterable<[string, string]> = []): Record<string, string[]> {
  const details = Object.create(null) as Record<string, string[]>;
  for (const [field, message] of entries) {
    if (Object.hasOwn(details, field)) details[field]!.push(message);
    else details[field] = [message];
  }
  return details;
}

/**
 * 400 `validation_failed`; `details` maps each field to its messages (zod's fieldErrors). Unknown
 * fields of a strict schema are listed under their own name; errors about the whole object go
 * into the message.
 */
export function validationFailed(error: ZodError): Response {
  // A plain {} indexed by a field name answers `constructor`, `toString` or `__proto__` from its
  // prototype, and `details[key].push` threw (a 500 for `{"constructor": 1}`): see fieldDetails.
  const fields: Array<[string, string]> = [];
  const formErrors: string[] = [];
  for (const issue of error.issues) {
    if (issue.path.length > 0) fields.push([String(issue.path[0]), issue.message]);
    else if (issue.code === "unrecognized_keys") for (const key of issue.keys) fields.push([key, "Unknown field"]);
    else formErrors.push(issue.message);
  }
  const message = formErrors.length > 0 ? formErrors.join(" ") : "Some fields are not valid; see error.details.";
  return apiError(400, "validation_failed", message, fieldDetails(fields));
}

export function parseWith<S extends ZodTypeAny>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw validationFailed(result.error);
  return result.data;
}

export async function parseJsonBody<S extends ZodTypeAny>(request: Request, schema: S): Promise<z.output<S>> {
  return parseWith(schema, await readJsonBody(request));
}

/** Query parameters as an object; empty values (`?status=`) count as absent. */
export function parseQuery<S extends ZodTypeAny>(request: Request, schema: S): z.output<S> {
  const query = Object.create(null) as Record<string, string>;
  for (const [key, value] of new URL(request.url).searchParams) {
    const problem = textProblem(key) ?? textProblem(value);
    if (problem) {
      const message = textProblemMessage(`The query parameter ${JSON.stringify(key)}`, problem);
      throw apiError(400, "invalid_text", message, fieldDetails([[key, message]]));
    }
    if (value !== "") query[key] = value;
  }
  return parseWith(schema, query);
}

/** The API names the assignee `assignedAgent` (BACKEND_SPEC); the model calls it `assigneeAgentId`. */
export function taskChangesFromApi<T extends { assignedAgent?: string | null }>(body: T): Omit<T, "assignedAgent"> & { assigneeAgentId?: string | null } {
  const { assignedAgent, ...rest } = body;
  return { ...rest, ...(assignedAgent === undefined ? {} : { assigneeAgentId: assignedAgent }) };
}

/** A row's entity tag (ADR 017): strong, the row's version, e.g. `"4"`. */
export function versionTag(version: number): string {
  return `"${version}"`;
}

/**
 * What a request's `If-Match` asks of a row whose stored version is `current`: `undefined` when it
 * asks nothing (no header, or `*` for a row that exists) so the last write wins; the version to
 * compare-and-set when one of its tags is the current one; "stale" when none is (answer 412).
 * Tags are compared strongly (RFC 9110): a weak tag `W/"4"` never matches.
 */
export function ifMatchVersion(request: Request, current: number): number | "stale" | undefined {
  const header = request.headers.get("If-Match");
  if (header === null || header.trim() === "*") return undefined;
  const tags = header.split(",").map((tag) => tag.trim());
  return tags.includes(versionTag(current)) ? current : "stale";
}

/** A versioned row's answer, `{ [key]: body }`, with its ETag (ADR 017). */
export function versionedAnswer(key: string, version: number, body: unknown, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  headers.set("ETag", versionTag(version));
  return apiJson({ [key]: body }, { ...init, headers });
}

/** 412: the If-Match is not the stored version; the body carries the stored row (and its ETag). */
export function preconditionFailed(what: string, key: string, version: number, body: unknown): Response {
  const message = `The ${what} changed since the version in If-Match. The current ${what} is in this answer; apply your change to it and send its ETag.`;
  return apiJson({ error: { code: "precondition_failed", message }, [key]: body }, { status: 412, headers: { ETag: versionTag(version) } });
}

/**
 * A PATCH of a versioned row under its precondition (ADR 017, 023), the one implementation for
 * tasks, agents and gateways: a stale `If-Match` is a 412 with the stored row before anything is
 * written; `update` gets the version to compare-and-set (undefined: last write wins), and a row
 * that moved on meanwhile (its StaleVersionError) is the same 412.
 */
export async function patchWithPrecondition<T extends { version: number }>(
  request: Request,
  { what, key, stored, update, present }: { what: string; key: string; stored: T; update: (expectedVersion: number | undefined) => Promise<T>; present: (row: T) => unknown },
): Promise<Response> {
  const expected = ifMatchVersion(request, stored.version);
  if (expected === "stale") return preconditionFailed(what, key, stored.version, present(stored));
  try {
    const row = await update(expected);
    return versionedAnswer(key, row.version, present(row));
  } catch (error) {
    if (error instanceof StaleVersionError) {
      const current = error.current as T;
      return preconditionFailed(what, key, current.version, present(current));
    }
    throw error;
  }
}
