import type { Submission } from "@conform-to/react";
import { data } from "@remix-run/node";
import { DomainError } from "./http.server";

/** A 400 with the field errors conform shows beside each input. */
export function invalid<T>(submission: Submission<T>) {
  return data(submission.reply(), { status: 400 });
}

/**
 * Turns a DomainError from a model into the form's error (on its field when it names one) with
 * the error's 4xx status. Anything else is a bug and propagates to the error boundary.
 */
export function replyWithError<T>(submission: Submission<T>, error: unknown, fieldMap: Record<string, string> = {}) {
  if (error instanceof DomainError) {
    const field = error.field ? (fieldMap[error.field] ?? error.field) : undefined;
    return data(
      submission.reply(field ? { fieldErrors: { [field]: [error.message] } } : { formErrors: [error.message] }),
      { status: error.status },
    );
  }
  throw error;
}
