import { z } from "zod";
import { col, returnedRows, rowDecoder, type Queryable } from "~/db/rows";

/*
 * The one compare-and-set statement of every editable row (ADR 017). Each table in
 * VERSIONED carries `version integer` (migration 1732400000000); the owning model calls this inside
 * its update's transaction.
 */

/** Tables whose rows belong to an organization (`org_id`). The names are ours, never input. */
export type VersionedTable = "tasks" | "boards" | "agents" | "gateways" | "tags";

const versionRow = rowDecoder("row version: claim", z.object({ version: col.int }));

const claim = async (q: Queryable, sql: string, params: unknown[]): Promise<number | null> => versionRow.all(returnedRows(await q.query(sql, params)))[0]?.version ?? null;

/**
 * Bumps the row's version when it is still `expected` (any version when `expected` is null) and
 * answers the new one, or null when the row moved on (or is gone). One statement, so two saves from
 * the same version can never both win.
 */
export function claimRowVersion(q: Queryable, table: VersionedTable, { orgId, id, expected }: { orgId: string; id: string; expected: number | null }): Promise<number | null> {
  return claim(q, `update ${table} set version = version + 1 where org_id = $1 and id = $2 and ($3::int is null or version = $3) returning version`, [orgId, id, expected]);
}

/** The same for an organization's own row (it has no org_id; its id is the organization). */
export function claimOrganizationVersion(q: Queryable, { id, expected }: { id: string; expected: number | null }): Promise<number | null> {
  return claim(q, "update organizations set version = version + 1 where id = $1 and ($2::int is null or version = $2) returning version", [id, expected]);
}
