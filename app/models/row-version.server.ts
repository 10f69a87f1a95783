import { StaleVersionError } from "~/lib/http.server";

/* The version check of every edit (ADR 017, 023); the statement itself is in row-version.queries. */

export { StaleVersionError };
export { claimOrganizationVersion, claimRowVersion, type VersionedTable } from "./row-version.queries.server";

/** Refuses a change based on `expected` when the stored row is at another version (nothing written yet). */
export function assertVersion<T>(what: string, stored: { version: number }, expected: number | undefined, current: () => T): void {
  if (expected !== undefined && stored.version !== expected) throw new StaleVersionError(what, current());
}
