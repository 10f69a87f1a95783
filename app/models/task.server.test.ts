import { describe, expect, it } from "vitest";
import { db } from "~/db/data-source.server";
import { useTestDatabase } from "../../test/support/db";
import { ownerWithOrg } from "../../test/support/fixtures";
import { listActivity } from "./activity.server";
import { createAgent } from "./agent.server";
import { getDefaultBoard } from "./board.server";
import { countTasksByStatus, createTask, deleteTask, getTask, listBoardTasks, listTasks, moveTask, pageTasks, updateTask } from "./task.server";

useTestDatabase();

describe("tasks", () => {
  it("creates a task on the default board with tags and an activity event in the same transaction", async () => {
    const { org, actor } = await ownerWithOrg();
    const task = await createTask({ orgId: org.id, input: { title: "  Build rate limiter ", tags: ["backend", "Backend", "security"] }, actor });
    const board = await getDefaultBoard(org.id);
    expect(task.boardId).toBe(board!.id);
    expect(task.title).toBe("Build rate limiter");
    expect(task.status).toBe("backlog");
    expect(task.tags.map((t) => t.name)).toEqual(["backend", "security"]);
    const events = await listActivity({ orgId: org.id, taskId: task.id });
    expect(events.map((e) => e.type)).toEqual(["task_created"]);
  });

  it("rejects an assignee from another organization and writes nothing", async () => {
    const a = await ownerWithOrg("a");
    const b = await ownerWithOrg("b");
    const foreignAgent = await createAgent({ orgId: b.org.id, name: "Nova", role: "Dev", actor: b.actor });
    await expect(
      createTask({ orgId: a.org.id, input: { title: "Steal", assigneeAgentId: foreignAgent.id }, actor: a.actor }),
    ).rejects.toMatchObject({ status: 400, code: "agent_not_found" });
    expect(await listTasks({ orgId: a.org.id })).toHaveLength(0);
    expect((await listActivity({ orgId: a.org.id })).filter((e) => e.type === "task_created")).toHaveLength(0);
  });

  it("never returns another organization's task", async () => {
    const a = await ownerWithOrg("a");
    const b = await ownerWithOrg("b");
    const task = await createTask({ orgId: a.org.id, input: { title: "Private" }, actor: a.actor });
    expect(await getTask({ orgId: b.org.id, id: task.id })).toBeNull();
    await expect(updateTask({ orgId: b.org.id, id: task.id, changes: { title: "x" }, actor: b.actor })).rejects.toMatchObject({ status: 404 });
    await expect(deleteTask({ orgId: b.org.id, id: task.id, actor: b.actor })).rejects.toMatchObject({ status: 404 });
  });

  it("moves a task between columns and orders it before another card", async () => {
    const { org, actor } = await ownerWithOrg();
    const first = await createTask({ orgId: org.id, input: { title: "first", status: "todo" }, actor });
    const second = await createTask({ orgId: org.id, input: { title: "second", status: "todo" }, actor });
    const mover = await createTask({ orgId: org.id, input: { title: "mover", status: "backlog" }, actor });
    await moveTask({ orgId: org.id, id: mover.id, status: "todo", beforeTaskId: second.id, actor });
    const todo = await listTasks({ orgId: org.id, status: "todo" });
    expect(todo.map((t) => t.title)).toEqual(["first", "mover", "second"]);
    const moved = await listActivity({ orgId: org.id, taskId: mover.id, type: "task_updated" });
    expect(moved[0]!.message).toContain("moved mover to To do");
    expect(moved[0]!.data).toMatchObject({ from: "backlog", to: "todo" });
    expect(first.id).toBeTruthy();
  });

  it("records which fields an update changed and skips no-op updates", async () => {
    const { org, actor } = await ownerWithOrg();
    const task = await createTask({ orgId: org.id, input: { title: "t", priority: "low" }, actor });
    const noop = await updateTask({ orgId: org.id, id: task.id, changes: { priority: "low" }, actor });
    expect(noop.changed).toEqual([]);
    const result = await updateTask({ orgId: org.id, id: task.id, changes: { priority: "critical", tags: ["ops"] }, actor });
    expect(result.changed.sort()).toEqual(["priority", "tags"]);
    expect(result.task.tags.map((t) => t.name)).toEqual(["ops"]);
    expect(await listActivity({ orgId: org.id, taskId: task.id, type: "task_updated" })).toHaveLength(1);
  });

  it("filters by agent, tag and priority", async () => {
    const { org, actor } = await ownerWithOrg();
    const agent = await createAgent({ orgId: org.id, name: "Patch", role: "Dev", actor });
    await createTask({ orgId: org.id, input: { title: "a", assigneeAgentId: agent.id, priority: "high", tags: ["x"] }, actor });
    await createTask({ orgId: org.id, input: { title: "b", priority: "high" }, actor });
    await createTask({ orgId: org.id, input: { title: "c", tags: ["x"] }, actor });
    expect((await listTasks({ orgId: org.id, agentId: agent.id })).map((t) => t.title)).toEqual(["a"]);
    expect((await listTasks({ orgId: org.id, tagName: "X" })).map((t) => t.title).sort()).toEqual(["a", "c"]);
    expect((await listTasks({ orgId: org.id, priority: "high" })).map((t) => t.title).sort()).toEqual(["a", "b"]);
  });
});

describe("listBoardTasks (a board page bounded per column)", () => {
  it("answers the first N cards of each column in board order with each column's total, filters applied", async () => {
    const { org, actor } = await ownerWithOrg("board-columns");
    const board = (await getDefaultBoard(org.id))!;
    const agent = await createAgent({ orgId: org.id, name: "Patch", role: "Dev", actor });
    const todo = [];
    for (let i = 0; i < 5; i++) todo.push(await createTask({ orgId: org.id, input: { title: `todo ${i}`, status: "todo", assigneeAgentId: i % 2 ? agent.id : null, tags: i === 0 ? ["urgent"] : [] }, actor }));
    for (let i = 0; i < 2; i++) await createTask({ orgId: org.id, input: { title: `done ${i}`, status: "done" }, actor });
    // the last todo card dragged to the top of its column
    await moveTask({ orgId: org.id, id: todo[4]!.id, status: "todo", beforeTaskId: todo[0]!.id, actor });

    const columns = await listBoardTasks({ orgId: org.id, boardId: board.id, perColumn: 3 });
    expect(columns.todo.total).toBe(5);
    expect(columns.todo.tasks.map((t) => t.title)).toEqual(["todo 4", "todo 0", "todo 1"]);
    expect(columns.todo.tasks[1]!.tags.map((t) => t.name)).toEqual(["urgent"]);
    expect(columns.done).toMatchObject({ total: 2 });
    expect(columns.done.tasks).toHaveLength(2);
    expect(columns.backlog).toEqual({ tasks: [], total: 0 });

    // "show more" on one column
    const more = await listBoardTasks({ orgId: org.id, boardId: board.id, perColumn: 1, limits: { todo: 10 } });
    expect(more.todo.tasks).toHaveLength(5);
    expect(more.done.tasks.map((t) => t.title)).toEqual(["done 0"]);
    expect(more.done.total).toBe(2);

    const mine = await listBoardTasks({ orgId: org.id, boardId: board.id, perColumn: 10, agentId: agent.id });
    expect(mine.todo.tasks.map((t) => t.title)).toEqual(["todo 1", "todo 3"]);
    expect(mine.todo.total).toBe(2);
    expect(mine.done.total).toBe(0);

    const other = await ownerWithOrg("board-columns-other");
    const foreign = await listBoardTasks({ orgId: other.org.id, boardId: board.id, perColumn: 10 });
    expect(foreign.todo).toEqual({ tasks: [], total: 0 });
  });
});

describe("task rows", () => {
  const fields = ["assigneeAgentId", "boardId", "createdAt", "createdBy", "description", "dueDate", "id", "orgId", "position", "priority", "status", "tags", "title", "updatedAt", "version"];

  it("read as exactly a task's fields on every path (the page's key and the column's total stay out), counted by column as numbers", async () => {
    const { org, actor } = await ownerWithOrg("task-rows");
    const board = (await getDefaultBoard(org.id))!;
    const first = await createTask({ orgId: org.id, input: { title: "first", status: "todo", dueDate: "2026-12-24", tags: ["ops"] }, actor });
    const second = await createTask({ orgId: org.id, input: { title: "second", status: "todo" }, actor });
    await createTask({ orgId: org.id, input: { title: "third", status: "done" }, actor });
    // positions are double precision: cards dropped between two get midpoints, so they are read as fractions, not ints
    await db().query("update tasks set position = position + 0.5 where id = any($1)", [[first.id, second.id]]);
    const mover = await createTask({ orgId: org.id, input: { title: "mover", status: "backlog" }, actor });
    const moved = await moveTask({ orgId: org.id, id: mover.id, status: "todo", beforeTaskId: second.id, actor });
    expect(moved.task.position).toBe((first.position + 0.5 + second.position + 0.5) / 2);
    const last = await createTask({ orgId: org.id, input: { title: "last", status: "todo" }, actor });
    expect(last.position).toBe(second.position + 0.5 + 1024);

    const read = (await getTask({ orgId: org.id, id: first.id }))!;
    expect(read).toMatchObject({ dueDate: "2026-12-24", tags: [{ name: "ops" }], status: "todo", priority: "medium", position: first.position + 0.5 });
    expect(read.createdAt).toBeInstanceOf(Date);
    const listed = await listTasks({ orgId: org.id });
    const paged = (await pageTasks({ orgId: org.id, limit: 1 })).tasks;
    const columns = await listBoardTasks({ orgId: org.id, boardId: board.id, perColumn: 10 });
    expect(columns.todo.total).toBe(4);
    for (const task of [read, ...listed, ...paged, ...columns.todo.tasks]) expect(Object.keys(task).sort()).toEqual(fields);

    expect(await countTasksByStatus(org.id)).toEqual({ backlog: 0, todo: 4, "in-progress": 0, review: 0, done: 1 });
  });
});
