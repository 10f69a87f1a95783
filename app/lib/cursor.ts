import { z, type ZodType } from "zod";
import { UUID_PATTERN } from "./uuid";

/*
 * Opaque paging cursors: base64url of the JSON of a keyset position (the last row a page ended on).
 * Clients only hand them back; the server validates them like any other input, so a tampered or
 * foreign cursor is a 400 with a sentence, never a query PostgreSQL rejects with a 500.
 */

const MAX_CURSOR_LENGTH = 200;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export interface CursorCodec<Key> {
  encode(key: Key): string;
  /** the key inside, or null when the text is not a cursor of this kind */
  decode(text: string): Key | null;
  /** a query-parameter schema: the cursor text in, the decoded key out (400 `validation_failed` otherwise) */
  param(name?: string): z.ZodEffects<z.ZodString, Key, string>;
}

export function cursorCodec<Key>(keySchema: ZodType<Key>): CursorCodec<Key> {
  const decode = (text: string): Key | null => {
    if (text.length > MAX_CURSOR_LENGTH || !BASE64URL.test(text)) return null;
    let value: unknown;
    try {
      value = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
    } catch {
      return null;
    }
    const parsed = keySchema.safeParse(value);
    return parsed.success ? parsed.data : null;
  };
  return {
    encode: (key) => Buffer.from(JSON.stringify(key), "utf8").toString("base64url"),
    decode,
    param: (name = "cursor") =>
      z
        .string()
        .max(MAX_CURSOR_LENGTH, `${name} is not one this endpoint gave out; start again without it`)
        .transform((text, ctx) => {
          const key = decode(text);
          if (key === null) {
            ctx.addIssue({ code: z.ZodIssueCode.custom, message: `${name} is not one this endpoint gave out; start again without it` });
            return z.NEVER;
          }
          return key;
        }),
  };
}

/** A PostgreSQL timestamptz to the microsecond, as `to_char(… at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')` spells it. */
const MICROSECOND_INSTANT = z.string().refine((value) => {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/.test(value)) return false;
  // Date.parse rolls 2026-02-30 over into March; PostgreSQL would reject it. Round-trip instead.
  const millis = value.slice(0, 23);
  const date = new Date(`${millis}Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 23) === millis;
});

const UUID = z.string().regex(UUID_PATTERN);

/** GET /api/tasks pages in creation order: (created_at, id) of the last task of the page. */
export const TaskCursor = cursorCodec(z.object({ createdAt: MICROSECOND_INSTANT, id: UUID }).strict());
export type TaskCursorKey = { createdAt: string; id: string };

/** GET /api/events pages newest first: the id of the last event of the page (a bigint, as text). */
// One refinement that checks the digits before BigInt() sees them: zod runs every refinement even
// after a failed check, and BigInt("1.5") throws.
const BIGSERIAL = z.string().refine((id) => /^[1-9]\d{0,18}$/.test(id) && BigInt(id) <= 9223372036854775807n);
export const EventCursor = cursorCodec(z.object({ id: BIGSERIAL }).strict());
export type EventCursorKey = { id: string };
