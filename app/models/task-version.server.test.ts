import { describe, expect, it } from "vitest";
import { useTestDatabase } from "../../test/support/db";
import { ownerWithOrg } from "../../test/support/fixtures";
import { createTask, getTask, moveTask, StaleTaskError, updateTask } from "./task.server";

useTestDatabase();

describe("task versions", () => {
  it("bumps the version on every change and not on a save that changes nothing", async () => {
    const { org, actor } = await ownerWithOrg();
    const task = await createTask({ orgId: org.id, input: { title: "Versioned" }, actor });
    expect(task.version).toBe(1);
    await updateTask({ orgId: org.id, id: task.id, changes: { priority: "low" }, actor, expectedVersion: 1 });
    await updateTask({ orgId: org.id, id: task.id, changes: { priority: "low" }, actor, expectedVersion: 2 });
    await moveTask({ orgId: org.id, id: task.id, status: "todo", actor });
    expect((await getTask({ orgId: org.id, id: task.id }))!.version).toBe(3);
  });

  it("refuses a change based on an older version, writes nothing and says what is stored", async () => {
    const { org, actor } = await ownerWithOrg();
    const task = await createTask({ orgId: org.id, input: { title: "Stale" }, actor });
    await updateTask({ orgId: org.id, id: task.id, changes: { priority: "low" }, actor, expectedVersion: 1 });
    const refused = updateTask({ orgId: org.id, id: task.id, changes: { description: "mine", priority: "medium" }, actor, expectedVersion: 1 });
    await expect(refused).rejects.toBeInstanceOf(StaleTaskError);
    await expect(refused).rejects.toMatchObject({ status: 409, current: { priority: "low", version: 2 } });
    const stored = (await getTask({ orgId: org.id, id: task.id }))!;
    expect(stored).toMatchObject({ priority: "low", description: "", version: 2 });
  });

  it("writes only the fields it is given, so another person's change to a different field stays", async () => {
    const { org, actor } = await ownerWithOrg();
    const task = await createTask({ orgId: org.id, input: { title: "Two tabs" }, actor });
    await updateTask({ orgId: org.id, id: task.id, changes: { priority: "low" }, actor });
    await updateTask({ orgId: org.id, id: task.id, changes: { description: "only this" }, actor });
    expect(await getTask({ orgId: org.id, id: task.id })).toMatchObject({ priority: "low", description: "only this", version: 3 });
  });

  it("lets one of two concurrent saves from the same version win and refuses the other", async () => {
    const { org, actor } = await ownerWithOrg();
    const task = await createTask({ orgId: org.id, input: { title: "Race" }, actor });
    const results = await Promise.allSettled([
      updateTask({ orgId: org.id, id: task.id, changes: { title: "A" }, actor, expectedVersion: 1 }),
      updateTask({ orgId: org.id, id: task.id, changes: { title: "B" }, actor, expectedVersion: 1 }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(failed).toHaveLength(1);
    expect(failed[0]!.reason).toBeInstanceOf(StaleTaskError);
    expect((await getTask({ orgId: org.id, id: task.id }))!.version).toBe(2);
  });
});
