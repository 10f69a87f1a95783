import { describe, expect, it } from "vitest";
import { createApiToken } from "~/models/api-token.server";
import { createTask, getTask, updateTask } from "~/models/task.server";
import * as taskApi from "~/routes/api.tasks.$id";
import * as taskPage from "~/routes/_app.tasks.$taskId";
import { callRoute } from "../support/api-routes";
import { useTestDatabase } from "../support/db";
import { ownerWithOrg } from "../support/fixtures";
import { pageRequest, ROUTE_ARGS, sessionCookieFor, settle } from "../support/requests";

useTestDatabase();

/* ADR 017: no lost update, through the task page's form and through the REST API. */

interface Answer {
  init?: { status?: number };
  data?: { error?: Record<string, string[]>; initialValue?: Record<string, unknown>; conflict?: string };
}

/** The edit form as the page renders it for a task at `version` with these shown values. */
function editForm(version: number, shown: Record<string, string>, typed: Record<string, string>) {
  const form: Record<string, string> = { intent: "update", baseVersion: String(version) };
  for (const [field, value] of Object.entries(shown)) {
    form[field] = typed[field] ?? value;
    form[`base.${field}`] = value;
  }
  return form;
}

describe("task edits based on an older version", () => {
  it("saves only the changed field, and refuses a stale form with a 409 naming the newer value, keeping what was typed", async () => {
    const { org, user, actor } = await ownerWithOrg("versions-page");
    const task = await createTask({ orgId: org.id, input: { title: "Two tabs" }, actor });
    const cookie = await sessionCookieFor(user.id, org.id);
    const shown = { title: "Two tabs", description: "", status: "backlog", priority: "medium", assigneeAgentId: "", dueDate: "", tags: "" };
    // the other tab changes the priority
    await updateTask({ orgId: org.id, id: task.id, changes: { priority: "low" }, actor, expectedVersion: 1 });

    const refused = (await settle(() =>
      taskPage.action({ request: pageRequest(`/tasks/${task.id}`, cookie, editForm(1, shown, { description: "Only this" })), params: { taskId: task.id }, ...ROUTE_ARGS }),
    )) as Answer;
    expect(refused.init?.status).toBe(409);
    expect(refused.data?.conflict).toBe("Someone changed this task while you were editing: priority is now Low. Your changes are kept below; save again to apply them.");
    // what the person typed is kept; the field they left alone shows the stored value
    expect(refused.data?.initialValue).toMatchObject({ description: "Only this", priority: "low" });
    expect(await getTask({ orgId: org.id, id: task.id })).toMatchObject({ priority: "low", description: "", version: 2 });

    // the re-rendered form is based on version 2: the deliberate second save writes only the description
    const saved = (await settle(() =>
      taskPage.action({
        request: pageRequest(`/tasks/${task.id}`, cookie, editForm(2, { ...shown, priority: "low" }, { description: "Only this" })),
        params: { taskId: task.id },
        ...ROUTE_ARGS,
      }),
    )) as Answer;
    expect(saved.init?.status ?? 200).toBe(200);
    expect(await getTask({ orgId: org.id, id: task.id })).toMatchObject({ priority: "low", description: "Only this", version: 3 });
  });
});

describe("ETag and If-Match on /api/tasks/:id", () => {
  it("answers an ETag, refuses a stale If-Match with 412 and the stored task, and lets * and no header win", async () => {
    const { org, actor } = await ownerWithOrg("versions-api");
    const { token } = await createApiToken({ orgId: org.id, name: "versions", actor });
    const task = await createTask({ orgId: org.id, input: { title: "API" }, actor });
    const params = { id: task.id };
    const url = `/api/tasks/${task.id}`;

    const read = await callRoute(taskApi, url, { token, params });
    expect(read.status).toBe(200);
    expect(read.headers.get("ETag")).toBe('"1"');

    const first = await callRoute(taskApi, url, { method: "PATCH", token, params, body: { priority: "low" }, headers: { "If-Match": '"1"' } });
    expect(first.status).toBe(200);
    expect(first.headers.get("ETag")).toBe('"2"');

    const stale = await callRoute(taskApi, url, { method: "PATCH", token, params, body: { priority: "high" }, headers: { "If-Match": '"1"' } });
    expect(stale.status).toBe(412);
    expect(stale.headers.get("ETag")).toBe('"2"');
    expect(stale.json).toMatchObject({ error: { code: "precondition_failed" }, task: { id: task.id, priority: "low" } });
    // a weak tag never matches (strong comparison)
    const weak = await callRoute(taskApi, url, { method: "PATCH", token, params, body: { priority: "high" }, headers: { "If-Match": 'W/"2"' } });
    expect(weak.status).toBe(412);
    expect((await getTask({ orgId: org.id, id: task.id }))!.priority).toBe("low");

    const star = await callRoute(taskApi, url, { method: "PATCH", token, params, body: { priority: "high" }, headers: { "If-Match": "*" } });
    expect(star.status).toBe(200);
    const none = await callRoute(taskApi, url, { method: "PATCH", token, params, body: { priority: "critical" } });
    expect(none.status).toBe(200);
    expect(none.headers.get("ETag")).toBe('"4"');
  });
});
