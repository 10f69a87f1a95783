/*
 * Edit forms without lost updates (ADR 017). Each form carries the row's version and, in hidden
 * `base.<field>` inputs, the value of each field as it was shown. The action saves only the fields
 * whose submitted value differs from the shown one, and a save from an older version is answered
 * 409 with a sentence naming what changed meanwhile. Works without JavaScript.
 */

/** The hidden input that carries the shown value of `field`. */
export const baseName = (field: string) => `base.${field}`;

// Browsers send line breaks as CRLF; the value rendered into the page had LF.
/** A field's text as compared with its base: a form post sends a textarea's line breaks as CRLF, the DOM holds LF. */
export const normalizeLineBreaks = (value: string) => value.replace(/\r\n?/g, "\n");
const normalize = (value: FormDataEntryValue | null) => (typeof value === "string" ? normalizeLineBreaks(value) : null);

/**
 * The fields the person changed: submitted value ≠ shown value. A field sent without its shown
 * value (a hand-made post, a form from before this change) counts as changed.
 */
export function changedFields<F extends string>(formData: FormData, fields: readonly F[]): F[] {
  return fields.filter((field) => {
    const base = normalize(formData.get(baseName(field)));
    return base === null || normalize(formData.get(field)) !== base;
  });
}

/** The version the form was rendered from, or undefined when the form sent none (last write wins). */
export function baseVersionOf(formData: FormData): number | undefined {
  const sent = formData.get("baseVersion");
  if (typeof sent !== "string" || !/^\d{1,9}$/.test(sent)) return undefined;
  return Number(sent);
}

export interface FieldChange {
  /** "priority", "due date" */
  label: string;
  /** how the newer value reads ("Low", `"Ops"`), or null for one too long to quote (a description) */
  shown: string | null;
}

function list(parts: string[]): string {
  if (parts.length <= 1) return parts.join("");
  return `${parts.slice(0, -1).join(", ")} and ${parts[parts.length - 1]}`;
}

/**
 * "Someone changed this task while you were editing: priority is now Low." — `changes` are the
 * fields whose stored value differs from the one the form showed.
 */
export function conflictSentence(what: string, changes: FieldChange[]): string {
  const lead = `Someone changed this ${what} while you were editing`;
  if (changes.length === 0) return `${lead}. Its current values are below; save again to apply yours.`;
  const parts = changes.map((change) => (change.shown === null ? `${change.label} was changed` : `${change.label} is now ${change.shown}`));
  return `${lead}: ${list(parts)}. Your changes are kept below; save again to apply them.`;
}

/** Quotes a text value for a conflict sentence, shortened when long. */
export function quoted(value: string, max = 60): string {
  if (value === "") return "empty";
  return `"${value.length > max ? `${value.slice(0, max)}…` : value}"`;
}

/**
 * What a form shows after a 409: the person's text in the fields they changed, the stored value
 * in every other field (so a second, deliberate save writes only their changes).
 */
export function mergeAfterConflict<V>(submitted: Record<string, V>, current: Record<string, string>, changed: readonly string[]): Record<string, V | string> {
  const merged: Record<string, V | string> = { ...submitted };
  for (const field of Object.keys(current)) if (!changed.includes(field)) merged[field] = current[field]!;
  return merged;
}

/** The fields whose stored value (`current`) differs from the value the form showed (its base). */
export function movedFields<F extends string>(formData: FormData, fields: readonly F[], current: Record<F, string>): F[] {
  return fields.filter((field) => {
    const base = normalize(formData.get(baseName(field)));
    return base !== null && base !== current[field];
  });
}

/**
 * The 409 answer of every edit form (ADR 017): conform's reply with the merged values (the
 * person's text where they changed a field, the stored value elsewhere) and the sentence in
 * `conflict`. The sentence is not one of conform's form errors: with JavaScript the form's values
 * are then refreshed through conform's `update`, which re-validates on the client and would drop
 * an error the client schema does not know.
 */
export function conflictReply<R extends { status?: string; initialValue?: Record<string, unknown> | null }, F extends string>(
  reply: R,
  {
    what,
    formData,
    fields,
    current,
    changed,
    describe,
  }: {
    what: string;
    formData: FormData;
    fields: readonly F[];
    /** the stored row as the form shows it */
    current: Record<F, string>;
    /** the fields the person changed (changedFields) */
    changed: readonly F[];
    /** how the sentence names a field and its newer value */
    describe: (field: F) => FieldChange;
  },
) {
  const sentence = conflictSentence(what, movedFields(formData, fields, current).map(describe));
  // "error": the save did not happen (conform's reply of a valid submission says "success")
  return { ...reply, status: "error" as const, initialValue: mergeAfterConflict(reply.initialValue ?? {}, current, changed), conflict: sentence };
}

/**
 * A saved edit's answer: conform's reply after a reset says no status of its own, and the edit
 * base (edit-base.tsx) moves to the stored row only on `status: "success"` — without it the
 * person's next save is refused as stale, naming their own change.
 */
export function savedReply<R extends { status?: string }>(submission: { reply: (options: { resetForm: true }) => R }): R & { status: "success" } {
  return { ...submission.reply({ resetForm: true }), status: "success" as const };
}
