import { describe, expect, it } from "vitest";
import { useTestDatabase } from "../../test/support/db";
import { ownerWithOrg } from "../../test/support/fixtures";
import { createBoard, listBoards, updateBoard } from "./board.server";

useTestDatabase();

describe("board names", () => {
  it("refuses a duplicate name, ignoring case, on create and rename, with 409 on the name field", async () => {
    const { org, actor } = await ownerWithOrg();
    await createBoard({ orgId: org.id, input: { name: "Launch" }, actor });
    await expect(createBoard({ orgId: org.id, input: { name: " launch " }, actor })).rejects.toMatchObject({
      status: 409,
      code: "board_exists",
      field: "name",
      message: 'A board called "launch" already exists. Pick another name.',
    });
    const other = await createBoard({ orgId: org.id, input: { name: "Other" }, actor });
    await expect(updateBoard({ orgId: org.id, id: other.id, input: { name: "LAUNCH" }, actor })).rejects.toMatchObject({ status: 409 });
    // keeping its own name (in another case) is no clash
    await expect(updateBoard({ orgId: org.id, id: other.id, input: { name: "other" }, actor })).resolves.toMatchObject({ name: "other" });
  });

  it("two creates of one name at once: the unique index lets one through", async () => {
    const { org, actor } = await ownerWithOrg();
    const results = await Promise.allSettled([createBoard({ orgId: org.id, input: { name: "Same" }, actor }), createBoard({ orgId: org.id, input: { name: "same" }, actor })]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect((results.find((r) => r.status === "rejected") as PromiseRejectedResult).reason).toMatchObject({ status: 409, code: "board_exists" });
    expect((await listBoards(org.id)).boards.filter((b) => b.name.toLowerCase() === "same")).toHaveLength(1);
  });
});
