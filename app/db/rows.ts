import type { EntityManager } from "typeorm";
import { z } from "zod";

/*
 * Typed rows for raw SQL. A query module declares the shape of the rows its statement returns as a
 * zod object (column aliases already in camelCase, `as "createdAt"`, so the row is the domain
 * object), and decodes what PostgreSQL sent with it. Nothing is coerced: a row of another shape is
 * a bug in the statement or a migration, and it fails loudly here, not three calls later.
 */

/** What a query module runs its statements on: the data source's manager or a transaction's. */
export type Queryable = EntityManager;

export class RowShapeError extends Error {
  constructor(
    readonly query: string,
    readonly issues: string[],
  ) {
    super(`The query "${query}" returned a row of the wrong shape: ${issues.join("; ")}.`);
    this.name = "RowShapeError";
  }
}

function describe(error: z.ZodError): string[] {
  return error.issues.slice(0, 5).map((issue) => {
    const [index, ...column] = issue.path;
    return `${typeof index === "number" ? `row ${index}` : "(rows)"}${column.length ? ` column ${column.join(".")}` : ""}: ${issue.message}`;
  });
}

export interface RowDecoder<T> {
  /** Exactly one row (an INSERT … RETURNING, an aggregate). */
  one(rows: unknown): T;
  /** The first row, or null when there is none. */
  first(rows: unknown): T | null;
  /** Every row. */
  all(rows: unknown): T[];
}

/** `name` says which query the rows came from, in the error a wrong shape throws. */
export function rowDecoder<S extends z.ZodTypeAny>(name: string, schema: S): RowDecoder<z.output<S>> {
  const list = z.array(schema);
  const all = (rows: unknown): z.output<S>[] => {
    const parsed = list.safeParse(rows);
    if (!parsed.success) throw new RowShapeError(name, describe(parsed.error));
    return parsed.data;
  };
  return {
    all,
    first: (rows) => all(rows)[0] ?? null,
    one: (rows) => {
      const decoded = all(rows);
      if (decoded.length !== 1) throw new RowShapeError(name, [`expected one row, got ${decoded.length}`]);
      return decoded[0]!;
    },
  };
}

/** Column types as node-postgres returns them (timestamptz → Date, int4 → number, bigint → string). */
export const col = {
  text: z.string(),
  uuid: z.string(),
  int: z.number().int(),
  bool: z.boolean(),
  timestamp: z.date(),
  /** count(*) and other bigints arrive as strings; cast in SQL with ::int where they fit */
  bigint: z.string().regex(/^-?\d+$/),
  json: z.record(z.unknown()),
} as const;

/**
 * How many rows an UPDATE or DELETE changed. TypeORM answers those statements with
 * `[rows, affected count]`; anything else is a bug in the caller (a SELECT, an INSERT).
 */
export function affectedCount(result: unknown): number {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === "number") return result[1];
  throw new RowShapeError("affected rows", ["expected TypeORM's [rows, count] answer to an UPDATE or DELETE"]);
}

/** The rows an UPDATE or DELETE … RETURNING gave back (TypeORM wraps them as `[rows, count]`). */
export function returnedRows(result: unknown): unknown[] {
  affectedCount(result);
  return (result as [unknown[], number])[0];
}

/** A statement refused by the unique index `constraint` (PostgreSQL's 23505): the race-free guard behind a check. */
export function isUniqueViolation(error: unknown, constraint: string): boolean {
  const e = error as { code?: unknown; constraint?: unknown; driverError?: { code?: unknown; constraint?: unknown } } | null;
  const code = e?.driverError?.code ?? e?.code;
  const name = e?.driverError?.constraint ?? e?.constraint;
  return code === "23505" && name === constraint;
}
