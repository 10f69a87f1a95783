import { DomainError } from "~/lib/http.server";

export { claimOrganizationVersion, claimRowVersion, type VersionedTable } from "./row-version.queries.server";

/**
 * A save based on an older version of a row than the stored one (ADR 017): a 409 carrying the
 * stored row, so the form can name what changed and the API can answer 412 with it.
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

/** Refuses a change based on `expected` when the stored row is at another version (nothing written yet). */
export function assertVersion<T>(what: string, stored: { version: number }, expected: number | undefined, current: () => T): void {
  if (expected !== undefined && stored.version !== expected) throw new StaleVersionError(what, current());
}
