import type { Submission } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import { data } from "@remix-run/node";
import { z, type ZodTypeAny } from "zod";
import { DomainError } from "./http.server";
import { log } from "./log.server";
import { textProblem, textProblemMessage } from "./input-guard";

/** A 400 with the field errors conform shows beside each input. */
export function invalid<T>(submission: Submission<T>) {
  return data(submission.reply(), { status: 400 });
}

/** Deeper than any list field a form of ours could have (our forms are flat). */
const MAX_LIST_INDEX = 1000;
// conform's name syntax: `a`, `a.b`, `a[0]`, `a[]`
const FIELD_NAME = /^[A-Za-z_$][\w$-]*(?:\.[A-Za-z_$][\w$-]*|\[\d*\])*$/;
// a name an error can be shown beside (anything else becomes a form-level error)
const PLAIN_NAME = /^[A-Za-z_$][\w$-]*$/;
// conform throws on these path segments; Object.prototype members are no field of ours either
const PROTOTYPE_NAMES = new Set(Object.getOwnPropertyNames(Object.prototype));

/** Why a posted entry cannot be one of a form's fields, as a sentence; null when it can. */
function entryProblem(name: string, value: FormDataEntryValue): string | null {
  const shown = JSON.stringify(name.length > 60 ? `${name.slice(0, 60)}…` : name);
  const nameProblem = textProblem(name);
  if (nameProblem) return textProblemMessage(`The name of form field ${shown}`, nameProblem);
  const segments = name.split(/[.[\]]+/).filter(Boolean);
  if (
    name.length > 200 ||
    !FIELD_NAME.test(name) ||
    segments.some((segment) => PROTOTYPE_NAMES.has(segment) || (/^\d+$/.test(segment) && Number(segment) > MAX_LIST_INDEX))
  ) {
    return `The form sent a field named ${shown}, which no form here has. Reload the page and try again.`;
  }
  if (typeof value !== "string") return `The field ${shown} sent a file; this form takes text only.`;
  const problem = textProblem(value);
  return problem ? textProblemMessage(`The field ${shown}`, problem) : null;
}

/**
 * parseWithZod for actions, with the hostile input no schema should have to think of refused
 * first as a 400 the form can show: text PostgreSQL cannot store (NUL, lone surrogates), field
 * names conform cannot read (`constructor`, `a[99999999]`) and files where text belongs. It also
 * catches what conform throws on a malformed `__intent__`/`__state__` (a 500 before). The form
 * keeps the person's other values.
 */
export function parseForm<Schema extends ZodTypeAny>(
  formData: FormData,
  options: { schema: Schema },
): Submission<z.input<Schema>, string[], z.output<Schema>> {
  const problems: Array<[string, string]> = [];
  const safe = new FormData();
  for (const [name, value] of formData) {
    const problem = entryProblem(name, value);
    if (problem) problems.push([PLAIN_NAME.test(name) && !PROTOTYPE_NAMES.has(name) ? name : "", problem]);
    else if (name !== "__intent__" && name !== "__state__") safe.append(name, value);
  }
  if (problems.length === 0) {
    try {
      return parseWithZod(formData, options);
    } catch (error) {
      log.warn("a form could not be read", { error: error instanceof Error ? error.message : String(error) });
      problems.push(["", "The form could not be read. Reload the page and try again."]);
    }
  }
  // A schema that refuses with our sentences, over the entries that were fine (kept in the reply).
  const refusal = z.any().superRefine((_, ctx) => {
    for (const [field, message] of problems) ctx.addIssue({ code: z.ZodIssueCode.custom, path: field ? [field] : [], message });
  });
  return parseWithZod(safe, { schema: refusal }) as unknown as Submission<z.input<Schema>, string[], z.output<Schema>>;
}

/**
 * Turns a DomainError from a model into the form's error (on its field when it names one) with
 * the error's 4xx status. Anything else is a bug and propagates to the error boundary.
 */
export function replyWithError<T>(submission: Submission<T>, error: unknown, fieldMap: Record<string, string> = {}) {
  if (error instanceof DomainError) {
    const field = error.field ? (Object.hasOwn(fieldMap, error.field) ? fieldMap[error.field]! : error.field) : undefined;
    return data(
      submission.reply(field ? { fieldErrors: { [field]: [error.message] } } : { formErrors: [error.message] }),
      { status: error.status },
    );
  }
  throw error;
}

/**
 * For an action with no form to show the error on (a delete button): a DomainError from the model
 * becomes a thrown Response with its 4xx status and sentence, shown by the route's ErrorBoundary,
 * instead of a 500 (deleting a board group twice did that).
 */
export async function refuseOnDomainError<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof DomainError) throw new Response(error.message, { status: error.status });
    throw error;
  }
}
