import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "~/db/data-source.server";
import { topic } from "~/lib/topics";
import { getHub, startHub, stopHub, type LiveEvent } from "~/realtime/hub.server";
import { useTestDatabase } from "../../test/support/db";
import { ownerWithOrg } from "../../test/support/fixtures";
import { createAgent } from "./agent.server";
import { createApiToken } from "./api-token.server";
import { createGateway } from "./gateway.server";
import { createInvite, deleteOrganization } from "./organization.server";
import { createTask } from "./task.server";

const database = useTestDatabase();
beforeAll(() => startHub(database.url));
afterAll(() => stopHub());

/** An organization with one of everything. */
async function fullOrg(label: string) {
  const owned = await ownerWithOrg(label);
  const { org, actor } = owned;
  const gateway = await createGateway({ orgId: org.id, input: { name: `${label} gw`, url: "ws://127.0.0.1:1", token: null, pollIntervalSeconds: 30, transcriptDir: null }, actor });
  await createAgent({ orgId: org.id, name: `${label} agent`, role: "Dev", status: "online", actor });
  await createTask({ orgId: org.id, input: { title: `${label} task` }, actor });
  const { apiToken } = await createApiToken({ orgId: org.id, name: `${label} token`, actor });
  await createInvite({ orgId: org.id, role: "member", actor });
  return { ...owned, gatewayId: gateway.id, tokenId: apiToken.id };
}

/** Rows per table with an org_id column, for one organization. */
async function rowsOf(orgId: string): Promise<Record<string, number>> {
  const tables: Array<{ table_name: string }> = await db().query(
    "select table_name from information_schema.columns where column_name = 'org_id' and table_schema = current_schema() order by table_name",
  );
  const counts: Record<string, number> = {};
  for (const { table_name } of tables) {
    const [{ n }] = await db().query(`select count(*)::int as n from "${table_name}" where org_id = $1`, [orgId]);
    counts[table_name] = n;
  }
  return counts;
}

describe("deleting an organization", () => {
  it("removes every row of it in every table, leaves another organization whole, and ends its streams", async () => {
    const doomed = await fullOrg("doomed");
    const kept = await fullOrg("kept");
    const keptBefore = await rowsOf(kept.org.id);
    const before = await rowsOf(doomed.org.id);
    expect(Object.keys(before)).toEqual(expect.arrayContaining(["api_tokens", "boards", "tasks", "agents", "gateways", "invites", "memberships", "activity_events", "event_log"]));
    expect(before.tasks).toBeGreaterThan(0);

    const ended: LiveEvent[] = [];
    const heard = new Promise<void>((resolve) => {
      const unsubscribe = getHub().subscribe({
        orgId: doomed.org.id,
        topics: new Set(),
        own: new Set([topic.user(doomed.user.id), topic.token(doomed.tokenId), topic.gateway(doomed.gatewayId)]),
        deliver: (event) => {
          ended.push(event);
          if (ended.some((e) => e.type === "membership.ended") && ended.some((e) => e.type === "token.revoked")) {
            unsubscribe();
            resolve();
          }
        },
      });
    });
    const runtime = new Promise<LiveEvent>((resolve) => {
      const unsubscribe = getHub().subscribe({
        orgId: "*",
        topics: new Set([topic.gateways]),
        deliver: (event) => {
          if (event.type === "gateway.deleted" && event.data.gatewayId === doomed.gatewayId) {
            unsubscribe();
            resolve(event);
          }
        },
      });
    });

    await expect(deleteOrganization({ orgId: doomed.org.id, confirmName: "wrong", actorRole: "owner" })).rejects.toMatchObject({ status: 400, field: "confirmName" });
    await expect(deleteOrganization({ orgId: doomed.org.id, confirmName: doomed.org.name, actorRole: "admin" })).rejects.toMatchObject({ status: 403 });
    expect((await rowsOf(doomed.org.id)).tasks).toBe(before.tasks);

    expect(await deleteOrganization({ orgId: doomed.org.id, confirmName: doomed.org.name, actorRole: "owner" })).toEqual({ name: doomed.org.name, gatewayIds: [doomed.gatewayId] });

    const after = await rowsOf(doomed.org.id);
    expect(Object.entries(after).filter(([, n]) => n > 0)).toEqual([]);
    expect(await db().query("select 1 from organizations where id = $1", [doomed.org.id])).toHaveLength(0);
    expect(await rowsOf(kept.org.id)).toEqual(keptBefore);

    await heard;
    expect(ended.find((e) => e.type === "membership.ended")?.data).toEqual({ reason: "organization_deleted" });
    expect((await runtime).orgId).toBe(doomed.org.id);
    // the account itself stays: it may belong to other organizations
    expect(await db().query("select 1 from users where id = $1", [doomed.user.id])).toHaveLength(1);
  });
});
