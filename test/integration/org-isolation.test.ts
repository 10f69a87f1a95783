import { describe, expect, it } from "vitest";
import { useTestDatabase } from "../support/db";
import { ownerWithOrg } from "../support/fixtures";
import { pageRequest, ROUTE_ARGS, sessionCookieFor, settle } from "../support/requests";
import * as boardRoute from "~/routes/_app.boards.$boardId";
import * as boardsRoute from "~/routes/_app.boards._index";
import * as taskRoute from "~/routes/_app.tasks.$taskId";
import * as tasksApi from "~/routes/api.tasks.$id";
import { createTask, getTask, listTasks } from "~/models/task.server";
import { getDefaultBoard } from "~/models/board.server";
import { createApiToken } from "~/models/api-token.server";
import { createInvite, acceptInvite } from "~/models/organization.server";
import { createUser } from "~/models/user.server";
import { transaction } from "~/db/data-source.server";
import { listActivity } from "~/models/activity.server";

useTestDatabase();

function status(result: unknown) {
  return result instanceof Response ? result.status : (result as { init?: { status?: number } })?.init?.status ?? 200;
}

describe("organization isolation in pages and API", () => {
  it("gives a member of org A 404 for org B's board, task and API resources", async () => {
    const a = await ownerWithOrg("a");
    const b = await ownerWithOrg("b");
    const boardB = (await getDefaultBoard(b.org.id))!;
    const taskB = await createTask({ orgId: b.org.id, input: { title: "B's secret" }, actor: b.actor });
    const cookieA = await sessionCookieFor(a.user.id, a.org.id);

    const boardPage = await settle(() => boardRoute.loader({ request: pageRequest(`/boards/${boardB.id}`, cookieA), params: { boardId: boardB.id }, ...ROUTE_ARGS }));
    expect(status(boardPage)).toBe(404);
    const taskPage = await settle(() => taskRoute.loader({ request: pageRequest(`/tasks/${taskB.id}`, cookieA), params: { taskId: taskB.id }, ...ROUTE_ARGS }));
    expect(status(taskPage)).toBe(404);
    const move = await settle(() =>
      boardRoute.action({
        request: pageRequest(`/boards/${boardB.id}`, cookieA, { intent: "move", taskId: taskB.id, status: "done" }),
        params: { boardId: boardB.id },
        ...ROUTE_ARGS,
      }),
    );
    expect(status(move)).toBe(404);
    const edit = await settle(() =>
      taskRoute.action({ request: pageRequest(`/tasks/${taskB.id}`, cookieA, { intent: "delete" }), params: { taskId: taskB.id }, ...ROUTE_ARGS }),
    );
    expect(status(edit)).toBe(404);

    const { token } = await createApiToken({ orgId: a.org.id, name: "a-bot", actor: a.actor });
    const api = await tasksApi.loader({
      request: new Request(`http://localhost/api/tasks/${taskB.id}`, { headers: { Authorization: `Bearer ${token}` } }),
      params: { id: taskB.id },
      ...ROUTE_ARGS,
    });
    expect(status(api)).toBe(404);

    // B's task is untouched
    expect((await getTask({ orgId: b.org.id, id: taskB.id }))?.status).toBe("backlog");
  });

  it("lets a viewer read a board but answers 403 to every change", async () => {
    const owner = await ownerWithOrg("owner");
    const viewer = await transaction((m) => createUser(m, { username: `viewer-${Date.now()}`, password: "viewer-password-1" }));
    const { token } = await createInvite({ orgId: owner.org.id, role: "viewer", actor: owner.actor });
    await acceptInvite({ token, user: viewer });
    const board = (await getDefaultBoard(owner.org.id))!;
    const task = await createTask({ orgId: owner.org.id, input: { title: "Look, don't touch", status: "todo" }, actor: owner.actor });
    const cookie = await sessionCookieFor(viewer.id, owner.org.id);

    const page = (await boardRoute.loader({ request: pageRequest(`/boards/${board.id}`, cookie), params: { boardId: board.id }, ...ROUTE_ARGS })) as {
      canEdit: boolean;
      tasks: unknown[];
    };
    expect(page.canEdit).toBe(false);
    expect(page.tasks).toHaveLength(1);

    const attempts = [
      () => boardRoute.action({ request: pageRequest(`/boards/${board.id}`, cookie, { intent: "move", taskId: task.id, status: "done" }), params: { boardId: board.id }, ...ROUTE_ARGS }),
      () => boardRoute.action({ request: pageRequest(`/boards/${board.id}`, cookie, { intent: "create-task", title: "x", status: "todo", priority: "low" }), params: { boardId: board.id }, ...ROUTE_ARGS }),
      () => boardsRoute.action({ request: pageRequest(`/boards`, cookie, { intent: "create-board", name: "Nope" }), params: {}, ...ROUTE_ARGS }),
      () => taskRoute.action({ request: pageRequest(`/tasks/${task.id}`, cookie, { intent: "delete" }), params: { taskId: task.id }, ...ROUTE_ARGS }),
    ];
    for (const attempt of attempts) expect(status(await settle(attempt))).toBe(403);
    expect((await listTasks({ orgId: owner.org.id })).map((t) => t.status)).toEqual(["todo"]);
  });

  it("rejects a cookie-authenticated form post from another origin", async () => {
    const { user, org } = await ownerWithOrg();
    const board = (await getDefaultBoard(org.id))!;
    const cookie = await sessionCookieFor(user.id, org.id);
    const forged = new Request(`http://localhost/boards/${board.id}`, {
      method: "POST",
      headers: { Cookie: cookie, Origin: "https://evil.example" },
      body: new URLSearchParams({ intent: "create-task", title: "forged", status: "todo", priority: "low" }),
    });
    expect(status(await settle(() => boardRoute.action({ request: forged, params: { boardId: board.id }, ...ROUTE_ARGS })))).toBe(403);
    expect(await listTasks({ orgId: org.id })).toHaveLength(0);
  });

  it("answers bad form input with 400 and writes nothing", async () => {
    const { user, org } = await ownerWithOrg();
    const board = (await getDefaultBoard(org.id))!;
    const cookie = await sessionCookieFor(user.id, org.id);
    const before = (await listActivity({ orgId: org.id })).length;
    const bad: Array<Record<string, string>> = [
      { intent: "create-task", title: "", status: "todo", priority: "low" },
      { intent: "create-task", title: "ok", status: "nonsense", priority: "low" },
      { intent: "create-task", title: "ok", status: "todo", priority: "low", dueDate: "2026-02-30" },
      { intent: "create-task", title: "ok", status: "todo", priority: "low", assigneeAgentId: "not-a-uuid" },
      { intent: "move", taskId: "not-a-uuid", status: "done" },
      { intent: "whatever" },
    ];
    for (const form of bad) {
      const result = await settle(() => boardRoute.action({ request: pageRequest(`/boards/${board.id}`, cookie, form), params: { boardId: board.id }, ...ROUTE_ARGS }));
      expect(status(result), JSON.stringify(form)).toBe(400);
    }
    const notUuid = await settle(() => boardRoute.loader({ request: pageRequest(`/boards/nope`, cookie), params: { boardId: "nope" }, ...ROUTE_ARGS }));
    expect(status(notUuid)).toBe(404);
    expect(await listTasks({ orgId: org.id })).toHaveLength(0);
    expect((await listActivity({ orgId: org.id })).length).toBe(before);
  });
});
