import { beforeAll, describe, expect, it } from "vitest";
import { db } from "~/db/data-source.server";
import type { TaskStatus } from "~/db/entities";
import { createAgent } from "~/models/agent.server";
import { getDefaultBoard } from "~/models/board.server";
import { BOARD_COLUMN_PAGE as COLUMN_PAGE } from "~/lib/constants";
import { listBoardTasks } from "~/models/task.server";
import * as boardRoute from "~/routes/_app.boards.$boardId";
import { useTestDatabase } from "../support/db";
import { ownerWithOrg } from "../support/fixtures";
import { pageRequest, ROUTE_ARGS, sessionCookieFor, settle } from "../support/requests";

/*
 * The board page at 5,000 tasks: each column shows a bounded number of cards, says how many it holds,
 * and "Show more" (a plain link) raises that column's limit. Tasks are inserted in one statement:
 * what is tested is the reading side.
 */
useTestDatabase();

const SPREAD: Record<TaskStatus, number> = { backlog: 120, todo: 3000, "in-progress": 0, review: 380, done: 1500 };
let orgId = "";
let boardId = "";
let agentId = "";
let cookie = "";

beforeAll(async () => {
  const { user, org, actor } = await ownerWithOrg("board");
  orgId = org.id;
  boardId = (await getDefaultBoard(org.id))!.id;
  agentId = (await createAgent({ orgId, name: "builder", role: "Dev", status: "online", actor })).id;
  cookie = await sessionCookieFor(user.id, org.id);
  let offset = 0;
  for (const [status, count] of Object.entries(SPREAD)) {
    // every 4th task is high priority, every 5th assigned; position = its number in the column
    await db().query(
      `insert into tasks (org_id, board_id, title, status, priority, assignee_agent_id, position, created_by)
       select $1, $2, 'Task ' || ($5 + n), $3, case when n % 4 = 0 then 'high' else 'medium' end,
              case when n % 5 = 0 then $6::uuid end, n, 'seed'
         from generate_series(1, $4) as n`,
      [orgId, boardId, status, count, offset, agentId],
    );
    offset += count;
  }
});

async function load(search = "") {
  const result = await boardRoute.loader({ request: pageRequest(`/boards/${boardId}${search}`, cookie), params: { boardId }, ...ROUTE_ARGS });
  return result;
}

const shown = (page: Awaited<ReturnType<typeof load>>, status: TaskStatus) => page.tasks.filter((task) => task.status === status);

describe("the board at 5,000 tasks", () => {
  it("shows at most 50 cards per column, in position order, and each column's full count", async () => {
    const page = await load();
    expect(page.boardTotal).toBe(5000);
    expect(page.tasks).toHaveLength(COLUMN_PAGE * 4 + 0);
    for (const [status, count] of Object.entries(SPREAD) as Array<[TaskStatus, number]>) {
      expect(shown(page, status)).toHaveLength(Math.min(count, COLUMN_PAGE));
      expect(page.columns[status].total).toBe(count);
      expect(page.columns[status].more?.count ?? 0).toBe(Math.min(Math.max(count - COLUMN_PAGE, 0), COLUMN_PAGE));
    }
    const todo = shown(page, "todo");
    expect(todo.map((task) => task.position)).toEqual(Array.from({ length: COLUMN_PAGE }, (_, i) => i + 1));
    expect(page.columns["in-progress"]).toEqual({ total: 0, firstHidden: null, more: null });
  });

  it("names the first hidden card of a column, so a drop below the last shown card lands there", async () => {
    const page = await load();
    const [row] = (await db().query("select id from tasks where board_id = $1 and status = 'todo' and position = $2", [boardId, COLUMN_PAGE + 1])) as Array<{ id: string }>;
    expect(page.columns.todo.firstHidden).toBe(row!.id);
    expect(page.columns.backlog.firstHidden).not.toBeNull();
  });

  it("'Show more' is a link that raises only that column's limit and keeps the filters", async () => {
    const first = await load("?priority=high");
    const more = first.columns.todo.more!;
    expect(more.href).toBe("?priority=high&show.todo=100");
    const second = await load(more.href);
    expect(shown(second, "todo")).toHaveLength(100);
    expect(shown(second, "done")).toHaveLength(COLUMN_PAGE);
    expect(second.columns.todo.total).toBe(750);
    expect(shown(second, "todo").every((task) => task.priority === "high")).toBe(true);
    // the last step shows what is left and offers no more
    const backlog = await load("?show.backlog=100");
    expect(shown(backlog, "backlog")).toHaveLength(100);
    expect(backlog.columns.backlog.more).toEqual({ href: "?show.backlog=150", count: 20 });
    const all = await load("?show.backlog=150");
    expect(shown(all, "backlog")).toHaveLength(120);
    expect(all.columns.backlog.more).toBeNull();
  });

  it("stops offering more at 1,000 cards a column, and still says how many there are", async () => {
    const page = await load("?show.todo=1000");
    expect(shown(page, "todo")).toHaveLength(1000);
    expect(page.columns.todo).toMatchObject({ total: 3000, more: null });
    expect(page.columns.todo.firstHidden).not.toBeNull();
  });

  it("counts what matches the filters, and the board's total apart", async () => {
    const page = await load(`?agent=${agentId}`);
    expect(page.columns.todo.total).toBe(600);
    expect(page.columns.review.total).toBe(76);
    expect(page.matchingTotal).toBe(1000);
    expect(page.boardTotal).toBe(5000);
    expect(page.tasks.every((task) => task.assigneeAgentId === agentId)).toBe(true);
  });

  it("treats a bad limit or filter in the address as absent, never a 500", async () => {
    for (const search of ["?show.todo=abc", "?show.todo=-5", "?show.todo=99999999999", "?show.todo=1e400", "?agent=not-an-id&priority=urgent&tag=%00"]) {
      const page = await load(search);
      expect(shown(page, "todo")).toHaveLength(COLUMN_PAGE);
      expect(page.columns.todo.total).toBe(3000);
    }
  });

  it("is a 404 for a malformed or unknown board id, and a 400 for an unknown intent", async () => {
    for (const id of ["not-a-uuid", "00000000-0000-4000-8000-000000000000", "%00"]) {
      const response = await settle(() => boardRoute.loader({ request: pageRequest(`/boards/${id}`, cookie), params: { boardId: id }, ...ROUTE_ARGS }));
      expect((response as Response).status).toBe(404);
    }
    const unknown = await settle(() => boardRoute.action({ request: pageRequest(`/boards/${boardId}`, cookie, { intent: "explode" }), params: { boardId }, ...ROUTE_ARGS }));
    expect((unknown as Response).status).toBe(400);
    await expect((unknown as Response).text()).resolves.toContain("Reload the page");
  });

  it("reads a board of another organization as nothing", async () => {
    const other = await ownerWithOrg("other");
    const view = await listBoardTasks({ orgId: other.org.id, boardId, perColumn: COLUMN_PAGE });
    expect(Object.values(view).flatMap((column) => column.tasks)).toEqual([]);
    expect(Object.values(view).map((column) => column.total)).toEqual([0, 0, 0, 0, 0]);
  });
});
