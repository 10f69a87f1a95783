import { describe, expect, it } from "vitest";
import { transaction } from "~/db/data-source.server";
import { useTestDatabase } from "../../test/support/db";
import { ownerWithOrg } from "../../test/support/fixtures";
import { listActivity, listActivityTypes, recordActivity, SYSTEM_ACTOR } from "./activity.server";
import { createAgent } from "./agent.server";

useTestDatabase();

describe("activity feed", () => {
  it("pages backwards with beforeId, newest first, without gaps or repeats", async () => {
    const { org } = await ownerWithOrg();
    await transaction(async (manager) => {
      for (let i = 0; i < 7; i++) await recordActivity(manager, { orgId: org.id, type: "test_event", message: `event ${i}`, actor: SYSTEM_ACTOR });
    });
    const first = await listActivity({ orgId: org.id, type: "test_event", limit: 3 });
    expect(first.map((e) => e.message)).toEqual(["event 6", "event 5", "event 4"]);
    const second = await listActivity({ orgId: org.id, type: "test_event", limit: 3, beforeId: first[2]!.id });
    expect(second.map((e) => e.message)).toEqual(["event 3", "event 2", "event 1"]);
    const third = await listActivity({ orgId: org.id, type: "test_event", limit: 3, beforeId: second[2]!.id });
    expect(third.map((e) => e.message)).toEqual(["event 0"]);
  });

  it("filters by actor type and agent, and lists the types that occurred", async () => {
    const { org, actor } = await ownerWithOrg();
    const agent = await createAgent({ orgId: org.id, name: "Nova", role: "Dev", actor });
    await transaction((manager) => recordActivity(manager, { orgId: org.id, type: "gateway_seen", message: "seen", actor: SYSTEM_ACTOR }));
    expect((await listActivity({ orgId: org.id, actorType: "system" })).map((e) => e.type)).toEqual(["gateway_seen"]);
    expect((await listActivity({ orgId: org.id, agentId: agent.id })).map((e) => e.type)).toEqual(["agent_created"]);
    expect(await listActivityTypes(org.id)).toEqual(["agent_created", "gateway_seen", "org_created"]);
  });

  it("never shows another organization's events", async () => {
    const a = await ownerWithOrg("a");
    const b = await ownerWithOrg("b");
    await createAgent({ orgId: a.org.id, name: "Nova", role: "Dev", actor: a.actor });
    expect((await listActivity({ orgId: b.org.id })).map((e) => e.type)).toEqual(["org_created"]);
  });
});
