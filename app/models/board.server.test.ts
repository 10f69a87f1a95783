import { describe, expect, it } from "vitest";
import { useTestDatabase } from "../../test/support/db";
import { ownerWithOrg } from "../../test/support/fixtures";
import { createBoard, getBoard, listBoards, updateBoard } from "./board.server";
import { StaleVersionError } from "./row-version.server";

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
    await expect(updateBoard({ orgId: org.id, id: other.id, changes: { name: "LAUNCH" }, actor })).rejects.toMatchObject({ status: 409 });
    // keeping its own name (in another case) is no clash
    await expect(updateBoard({ orgId: org.id, id: other.id, changes: { name: "other" }, actor })).resolves.toMatchObject({ name: "other" });
  });

  it("two creates of one name at once: the unique index lets one through", async () => {
    const { org, actor } = await ownerWithOrg();
    const results = await Promise.allSettled([createBoard({ orgId: org.id, input: { name: "Same" }, actor }), createBoard({ orgId: org.id, input: { name: "same" }, actor })]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect((results.find((r) => r.status === "rejected") as PromiseRejectedResult).reason).toMatchObject({ status: 409, code: "board_exists" });
    expect((await listBoards(org.id)).boards.filter((b) => b.name.toLowerCase() === "same")).toHaveLength(1);
  });
});

describe("board versions (ADR 017)", () => {
  it("writes only the given fields, bumps the version, and not for a save that changes nothing", async () => {
    const { org, actor } = await ownerWithOrg();
    const board = await createBoard({ orgId: org.id, input: { name: "Launch", objective: "Ship it" }, actor });
    expect(board.version).toBe(1);
    await updateBoard({ orgId: org.id, id: board.id, changes: { objective: "Ship it twice" }, actor, expectedVersion: 1 });
    await updateBoard({ orgId: org.id, id: board.id, changes: { description: "" }, actor, expectedVersion: 2 });
    expect(await getBoard({ orgId: org.id, id: board.id })).toMatchObject({ name: "Launch", objective: "Ship it twice", version: 2 });
  });

  it("refuses a change based on an older version, writes nothing and carries the stored board", async () => {
    const { org, actor } = await ownerWithOrg();
    const board = await createBoard({ orgId: org.id, input: { name: "Launch" }, actor });
    await updateBoard({ orgId: org.id, id: board.id, changes: { name: "Launch 2" }, actor, expectedVersion: 1 });
    const refused = updateBoard({ orgId: org.id, id: board.id, changes: { objective: "mine" }, actor, expectedVersion: 1 });
    await expect(refused).rejects.toBeInstanceOf(StaleVersionError);
    await expect(refused).rejects.toMatchObject({ status: 409, current: { name: "Launch 2", version: 2 } });
    expect(await getBoard({ orgId: org.id, id: board.id })).toMatchObject({ objective: "", version: 2 });
  });

  it("lets one of two concurrent saves from the same version win", async () => {
    const { org, actor } = await ownerWithOrg();
    const board = await createBoard({ orgId: org.id, input: { name: "Race" }, actor });
    const results = await Promise.allSettled([
      updateBoard({ orgId: org.id, id: board.id, changes: { objective: "A" }, actor, expectedVersion: 1 }),
      updateBoard({ orgId: org.id, id: board.id, changes: { objective: "B" }, actor, expectedVersion: 1 }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect((results.find((r) => r.status === "rejected") as PromiseRejectedResult).reason).toBeInstanceOf(StaleVersionError);
    expect((await getBoard({ orgId: org.id, id: board.id }))!.version).toBe(2);
  });
});
