import { requireApiAuth } from "~/auth/api-auth.server";
import { apiAction, apiLoader, apiNotFound, parseJsonBody, patchWithPrecondition, requireIdParam, taskChangesFromApi, versionedAnswer } from "~/lib/api.server";
import { apiJson } from "~/lib/http.server";
import { ApiTaskUpdateSchema } from "~/lib/schemas";
import { deleteTask, getTask, toApiTask, updateTask } from "~/models/task.server";

/* GET, PATCH, DELETE /api/tasks/:id. Another organization's task is a 404, like a missing one. */

export const loader = apiLoader(async ({ request, params }) => {
  const auth = await requireApiAuth(request);
  const id = requireIdParam(params, "task");
  const task = await getTask({ orgId: auth.orgId, id });
  if (!task) return apiNotFound("task");
  return versionedAnswer("task", task.version, toApiTask(task));
});

export const action = apiAction({
  PATCH: async ({ request, params }) => {
    const auth = await requireApiAuth(request, "member");
    const id = requireIdParam(params, "task");
    const body = await parseJsonBody(request, ApiTaskUpdateSchema);
    const stored = await getTask({ orgId: auth.orgId, id });
    if (!stored) return apiNotFound("task");
    return patchWithPrecondition(request, {
      what: "task",
      key: "task",
      stored,
      present: toApiTask,
      update: async (expectedVersion) => (await updateTask({ orgId: auth.orgId, id, changes: taskChangesFromApi(body), actor: auth.actor, expectedVersion })).task,
    });
  },
  DELETE: async ({ request, params }) => {
    const auth = await requireApiAuth(request, "member");
    const id = requireIdParam(params, "task");
    await deleteTask({ orgId: auth.orgId, id, actor: auth.actor });
    return apiJson({ success: true });
  },
});
