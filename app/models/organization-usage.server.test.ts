import { beforeEach, describe, expect, it, vi } from "vitest";
import { db } from "~/db/data-source.server";
import { StaleVersionError } from "~/lib/http.server";
import { useTestDatabase } from "../../test/support/db";
import { ownerWithOrg } from "../../test/support/fixtures";
import { listActivity } from "./activity.server";
import { createOrganizationForUser, updateOrganizationUsageSettings } from "./organization.server";

const reset = vi.hoisted(() => ({ calls: [] as string[], fail: false }));
vi.mock("./usage-store.server", () => ({
  resetUsageForTimeZone: async (tx: { query: (sql: string, params: unknown[]) => Promise<Array<{ time_zone: string }>> }, orgId: string) => {
    // it runs inside the save's transaction: the new zone is already visible to it
    const [row] = await tx.query("select time_zone from organizations where id = $1", [orgId]);
    reset.calls.push(`${orgId}:${row!.time_zone}`);
    if (reset.fail) throw new Error("re-cut failed");
  },
}));

useTestDatabase();

const orgRow = async (id: string) =>
  ((await db().query(`select time_zone as "timeZone", monthly_budget_usd as "monthlyBudgetUsd", version from organizations where id = $1`, [id])) as Array<{ timeZone: string; monthlyBudgetUsd: number | null; version: number }>)[0]!;

beforeEach(() => {
  reset.calls = [];
  reset.fail = false;
});

describe("the organization's time zone and budget", () => {
  it("saves a new zone, re-cuts the usage in the same transaction and records it; an unchanged zone does neither", async () => {
    const { org, actor } = await ownerWithOrg("zone");
    expect(org.timeZone).toBe("UTC");
    const saved = await updateOrganizationUsageSettings({ orgId: org.id, changes: { timeZone: "Europe/Berlin" }, actor, actorRole: "admin", expectedVersion: 1 });
    expect(saved).toMatchObject({ timeZone: "Europe/Berlin", version: 2 });
    expect(await orgRow(org.id)).toEqual({ timeZone: "Europe/Berlin", monthlyBudgetUsd: null, version: 2 });
    expect(reset.calls).toEqual([`${org.id}:Europe/Berlin`]);
    const activity = await listActivity({ orgId: org.id, limit: 5 });
    expect(activity.map((e) => e.message)).toContain(`${actor.name} changed the organization's time zone from UTC to Europe/Berlin`);

    await updateOrganizationUsageSettings({ orgId: org.id, changes: { timeZone: "Europe/Berlin" }, actor, actorRole: "admin", expectedVersion: 2 });
    expect(reset.calls).toHaveLength(1);
    expect((await orgRow(org.id)).version).toBe(2);
  });

  it("writes nothing when the usage re-cut fails", async () => {
    const { org, actor } = await ownerWithOrg("zone-fail");
    reset.fail = true;
    await expect(updateOrganizationUsageSettings({ orgId: org.id, changes: { timeZone: "Asia/Tokyo", monthlyBudgetUsd: 10 }, actor, actorRole: "owner" })).rejects.toThrow("re-cut failed");
    expect(await orgRow(org.id)).toEqual({ timeZone: "UTC", monthlyBudgetUsd: null, version: 1 });
  });

  it("sets and removes the budget, recording each; refuses a stale save, a member, an unknown zone and a bad amount", async () => {
    const { org, actor } = await ownerWithOrg("budget");
    await updateOrganizationUsageSettings({ orgId: org.id, changes: { monthlyBudgetUsd: 250.5 }, actor, actorRole: "owner", expectedVersion: 1 });
    expect(await orgRow(org.id)).toEqual({ timeZone: "UTC", monthlyBudgetUsd: 250.5, version: 2 });
    expect(reset.calls).toEqual([]);
    await expect(updateOrganizationUsageSettings({ orgId: org.id, changes: { monthlyBudgetUsd: null }, actor, actorRole: "owner", expectedVersion: 1 })).rejects.toBeInstanceOf(StaleVersionError);
    await updateOrganizationUsageSettings({ orgId: org.id, changes: { monthlyBudgetUsd: null }, actor, actorRole: "owner", expectedVersion: 2 });
    expect((await orgRow(org.id)).monthlyBudgetUsd).toBeNull();
    const messages = (await listActivity({ orgId: org.id, limit: 5 })).map((e) => e.message);
    expect(messages).toContain(`${actor.name} set the organization's monthly budget to $250.50`);
    expect(messages).toContain(`${actor.name} removed the organization's monthly budget`);

    await expect(updateOrganizationUsageSettings({ orgId: org.id, changes: { monthlyBudgetUsd: 5 }, actor, actorRole: "member" })).rejects.toMatchObject({ status: 403 });
    await expect(updateOrganizationUsageSettings({ orgId: org.id, changes: { timeZone: "Mars/Olympus" }, actor, actorRole: "owner" })).rejects.toMatchObject({ status: 400, field: "timeZone" });
    await expect(updateOrganizationUsageSettings({ orgId: org.id, changes: { monthlyBudgetUsd: -1 }, actor, actorRole: "owner" })).rejects.toMatchObject({ status: 400, field: "monthlyBudgetUsd" });
    expect((await orgRow(org.id)).version).toBe(3);
  });

  it("creates an organization in the zone it is given, and refuses an unknown one", async () => {
    const { user } = await ownerWithOrg("zone-create");
    const org = await createOrganizationForUser({ name: "Zoned", user, timeZone: "America/New_York" });
    expect((await orgRow(org.id)).timeZone).toBe("America/New_York");
    await expect(createOrganizationForUser({ name: "Nowhere", user, timeZone: "+05:00" })).rejects.toMatchObject({ status: 400 });
  });
});
