import { describe, expect, it } from "vitest";
import { useTestDatabase } from "../../test/support/db";
import { ownerWithOrg } from "../../test/support/fixtures";
import { countTagUsage, createTag, deleteTag, listTags, updateTag } from "./tag.server";
import { createTask, getTask } from "./task.server";

useTestDatabase();

describe("tag catalog", () => {
  it("refuses a duplicate name, ignoring case, with 409 on the name field", async () => {
    const { org, actor } = await ownerWithOrg();
    await createTag({ orgId: org.id, name: "Backend", color: "#3b82f6", actor });
    await expect(createTag({ orgId: org.id, name: "backend", color: "#10b981", actor })).rejects.toMatchObject({
      status: 409,
      code: "tag_exists",
      field: "name",
    });
    expect((await listTags(org.id)).map((t) => t.name)).toEqual(["Backend"]);
  });

  it("allows the same name in another organization", async () => {
    const a = await ownerWithOrg("a");
    const b = await ownerWithOrg("b");
    await createTag({ orgId: a.org.id, name: "ops", color: "#3b82f6", actor: a.actor });
    await createTag({ orgId: b.org.id, name: "ops", color: "#3b82f6", actor: b.actor });
    expect(await listTags(b.org.id)).toHaveLength(1);
  });

  it("renames and recolours, but not onto another tag's name", async () => {
    const { org, actor } = await ownerWithOrg();
    const ops = await createTag({ orgId: org.id, name: "ops", color: "#3b82f6", actor });
    await createTag({ orgId: org.id, name: "infra", color: "#3b82f6", actor });
    await expect(updateTag({ orgId: org.id, tagId: ops.id, changes: { name: "INFRA", color: "#000000" }, actor })).rejects.toMatchObject({ status: 409 });
    await updateTag({ orgId: org.id, tagId: ops.id, changes: { name: "Ops", color: "#ef4444" }, actor });
    const renamed = (await listTags(org.id)).find((t) => t.id === ops.id)!;
    expect(renamed).toMatchObject({ name: "Ops", color: "#ef4444" });
  });

  it("writes only the fields given and refuses an edit based on an older version", async () => {
    const { org, actor } = await ownerWithOrg();
    const ops = await createTag({ orgId: org.id, name: "ops", color: "#3b82f6", actor });
    const recoloured = await updateTag({ orgId: org.id, tagId: ops.id, changes: { color: "#ef4444" }, actor, expectedVersion: ops.version });
    expect(recoloured).toMatchObject({ name: "ops", color: "#ef4444", version: ops.version + 1 });
    // a second edit from the first version: refused with the stored tag, nothing written
    await expect(updateTag({ orgId: org.id, tagId: ops.id, changes: { name: "infra" }, actor, expectedVersion: ops.version })).rejects.toMatchObject({
      status: 409,
      current: { color: "#ef4444", version: ops.version + 1 },
    });
    // a change that changes nothing keeps the version
    const same = await updateTag({ orgId: org.id, tagId: ops.id, changes: { name: "ops" }, actor, expectedVersion: ops.version + 1 });
    expect(same.version).toBe(ops.version + 1);
    expect((await listTags(org.id))[0]).toMatchObject({ name: "ops", color: "#ef4444", version: ops.version + 1 });
  });

  it("counts usage and deleting a tag takes it off its tasks", async () => {
    const { org, actor } = await ownerWithOrg();
    const task = await createTask({ orgId: org.id, input: { title: "t", tags: ["ui", "api"] }, actor });
    await createTask({ orgId: org.id, input: { title: "u", tags: ["ui"] }, actor });
    const tags = await listTags(org.id);
    const ui = tags.find((t) => t.name === "ui")!;
    const usage = await countTagUsage(org.id);
    expect(usage[ui.id]).toBe(2);
    await deleteTag({ orgId: org.id, tagId: ui.id, actor });
    expect((await getTask({ orgId: org.id, id: task.id }))!.tags.map((t) => t.name)).toEqual(["api"]);
    await expect(deleteTag({ orgId: org.id, tagId: ui.id, actor })).rejects.toMatchObject({ status: 404 });
  });
});
