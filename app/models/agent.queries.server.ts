import { z } from "zod";
import { col, rowDecoder, type Queryable } from "~/db/rows";

/* Statements on `agents` that the entity repository does not say as well. */

const agentRefRow = rowDecoder("agents: by external id", z.object({ id: col.uuid, name: col.text }));

/**
 * The agent a gateway knows as `externalId`. Without a gateway (a legacy transcript), any agent
 * discovered from a gateway under that id: the oldest, so the answer does not change between calls.
 */
export async function findGatewayAgentRef(
  q: Queryable,
  { orgId, gatewayId, externalId }: { orgId: string; gatewayId: string | null; externalId: string },
): Promise<{ id: string; name: string } | null> {
  return agentRefRow.first(
    gatewayId
      ? await q.query("select id, name from agents where org_id = $1 and gateway_id = $2 and external_id = $3", [orgId, gatewayId, externalId])
      : await q.query("select id, name from agents where org_id = $1 and source = 'gateway' and external_id = $2 order by created_at limit 1", [orgId, externalId]),
  );
}

/** Agents whose gateway is gone (gateway_id set null by the delete) are offline: nothing reports them now. */
export async function markOrphanedGatewayAgentsOffline(q: Queryable, orgId: string): Promise<void> {
  await q.query("update agents set status = 'offline', updated_at = now() where gateway_id is null and source = 'gateway' and org_id = $1", [orgId]);
}
