import type { EntityManager } from "typeorm";

/*
 * SEAM (issue 13): `resetUsageForTimeZone(tx, orgId)` belongs to app/models/usage-store.server.ts,
 * which the usage-ingest branch (h1/usage-ingest) writes. Until it is merged this stand-in does
 * nothing; when it lands, organization.server.ts imports it from ./usage-store.server and this
 * file goes.
 */
export async function resetUsageForTimeZone(_tx: EntityManager, _orgId: string): Promise<void> {}
