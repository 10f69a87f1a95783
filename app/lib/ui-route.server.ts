import type { Params } from "@remix-run/react";
import type { z, ZodTypeAny } from "zod";
import { isUuid } from "./http.server";

/*
 * The plumbing every UI route shares, as api.server.ts is for the REST routes: a page's loader is
 * guard → parse the address → call the model → answer, and its action dispatches the form's
 * `intent` from one table. Everything a person can type into the address bar or a form ends as the
 * page, a field error or a 4xx with a sentence, never a 500 from PostgreSQL.
 */

/** What a page throws for bad input: the error boundary shows the sentence. */
function badRequest(message: string): Response {
  return new Response(message, { status: 400, statusText: "Bad Request" });
}

type IntentHandler = (formData: FormData) => unknown;

/**
 * Runs the handler the form's `intent` field names; an action with several forms declares
 * `{ "create-task": …, move: … }` and returns `dispatchIntent(formData, table)`. An intent that is
 * not in the table (a stale page, a hand-made request, `constructor`) is a 400, and the value is not
 * echoed back. `whenMissing` names the handler for a post without an `intent` field, for a page
 * whose main form has always been posted without one (the invite's sign-up).
 */
export async function dispatchIntent<H extends Record<string, IntentHandler>>(
  formData: FormData,
  handlers: H,
  { whenMissing }: { whenMissing?: keyof H & string } = {},
): Promise<Awaited<ReturnType<H[keyof H]>>> {
  const sent = formData.get("intent");
  const intent = sent === null ? whenMissing : sent;
  if (typeof intent !== "string" || !Object.hasOwn(handlers, intent)) {
    throw badRequest("This form asked for an action the page does not have. Reload the page and try again.");
  }
  return (await handlers[intent]!(formData)) as Awaited<ReturnType<H[keyof H]>>;
}

/** "boardId" → "board", "sessionId" → "session": what the not-found sentence calls the row. */
function rowName(param: string) {
  return param.replace(/Id$/, "").replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
}

/**
 * The row a route param names, in the signed-in organization, or a 404. A param that is not one of
 * our ids is a 404 too (it could never name a row; PostgreSQL would answer it with a 500).
 * `load` is the model's org-scoped getter (`getBoard`, `getTask`, …), so the org check cannot be
 * forgotten.
 */
export async function requireOrgRow<T>(
  org: { id: string },
  params: Params,
  name: string,
  load: (key: { orgId: string; id: string }) => Promise<T | null | undefined>,
  what = rowName(name),
): Promise<T> {
  const id = params[name];
  const missing = () => new Response(`That ${what} does not exist in this organization.`, { status: 404, statusText: "Not Found" });
  if (!isUuid(id)) throw missing();
  const row = await load({ orgId: org.id, id });
  if (row === null || row === undefined) throw missing();
  return row;
}

/** The longest value one search parameter may have; longer is a 400 before any schema runs. */
export const MAX_SEARCH_VALUE = 1000;

/**
 * The page's search params through a zod schema. Empty values (`?agent=` from a GET form's "All")
 * and values with a NUL count as absent; the first of repeated keys counts. A field that should forgive a stale link
 * declares `.catch(default)` in the schema; anything else that fails is a 400 naming the parameter.
 */
export function parseSearchParams<S extends ZodTypeAny>(source: Request | URL | URLSearchParams, schema: S): z.output<S> {
  const params = source instanceof URLSearchParams ? source : source instanceof URL ? source.searchParams : new URL(source.url).searchParams;
  const query: Record<string, string> = {};
  for (const [key, value] of params) {
    // NUL can mean nothing in an address and PostgreSQL refuses it in text: such a value is absent
    if (value === "" || value.includes("\u0000") || Object.hasOwn(query, key)) continue;
    if (value.length > MAX_SEARCH_VALUE) throw badRequest(`The address has a "${key.slice(0, 40)}" value that is too long. Remove it and try again.`);
    query[key] = value;
  }
  const result = schema.safeParse(query);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const name = issue.path.length > 0 ? `"${String(issue.path[0]).slice(0, 40)}"` : "a";
  throw badRequest(`The address has ${name === "a" ? "a value" : `a ${name} value`} this page cannot use (${issue.message}). Remove it from the address and try again.`);
}
