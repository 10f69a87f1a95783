/*
 * Typed readers for rows of raw SQL (manager.query answers `any`). A query module decodes each row
 * once with these, so domain code gets typed values and a column that changed type fails loudly
 * with its name instead of flowing on as the wrong thing.
 */

export class RowDecodeError extends Error {
  constructor(what: string, column: string, expected: string, value: unknown) {
    super(`${what}: column ${column} should be ${expected}, got ${value === null ? "null" : typeof value}`);
    this.name = "RowDecodeError";
  }
}

export interface RowReader {
  text(column: string): string;
  textOrNull(column: string): string | null;
  /** integers and numerics (pg answers bigint and numeric as text) */
  number(column: string): number;
  numberOrNull(column: string): number | null;
  date(column: string): Date;
  oneOf<T extends string>(column: string, values: readonly T[]): T;
  /** a json/jsonb column, checked by `guard` */
  json<T>(column: string, guard: (value: unknown) => value is T, expected: string): T;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A reader over one row; `what` names the query in errors ("tasks row"). */
export function readRow(row: unknown, what: string): RowReader {
  if (!isRecord(row)) throw new RowDecodeError(what, "(row)", "an object", row);
  const fail = (column: string, expected: string): never => {
    throw new RowDecodeError(what, column, expected, row[column]);
  };
  return {
    text(column) {
      const value = row[column];
      return typeof value === "string" ? value : fail(column, "text");
    },
    textOrNull(column) {
      const value = row[column];
      return value === null || value === undefined ? null : typeof value === "string" ? value : fail(column, "text or null");
    },
    number(column) {
      const value = row[column];
      const number = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : Number.NaN;
      return Number.isFinite(number) ? number : fail(column, "a number");
    },
    numberOrNull(column) {
      return row[column] === null || row[column] === undefined ? null : this.number(column);
    },
    date(column) {
      const value = row[column];
      return value instanceof Date && !Number.isNaN(value.getTime()) ? value : fail(column, "a timestamp");
    },
    oneOf(column, values) {
      const value = row[column];
      return typeof value === "string" && (values as readonly string[]).includes(value) ? (value as (typeof values)[number]) : fail(column, values.join(" | "));
    },
    json(column, guard, expected) {
      const value = row[column];
      return guard(value) ? value : fail(column, expected);
    },
  };
}

export { isRecord };
