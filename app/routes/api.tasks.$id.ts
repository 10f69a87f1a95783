import { requireApiAuth } from "~/auth/api-auth.server";
import { apiAction, apiLoader, apiNotFound, ifMatchVersion, parseJsonBody, requireIdParam, taskChangesFromApi, versionTag } from "~/lib/api.server";
import { apiJson } from "~/lib/http.server";
import { ApiTaskUpdateSchema } from "~/lib/schemas";
import { deleteTask, getTask, StaleTaskError, toApiTask, updateTask, type TaskView } from "~/models/task.server";

/* GET, PATCH, DELETE /api/tasks/:id. Another organization's task is a 404, like a missing one. */

const TaskUpdateBodySchema = ApiTaskUpdateSchema;

/** The task with its ETag (ADR 017). */
const taskAnswer = (task: TaskView) => apiJson({ task: toApiTask(task) }, { headers: { ETag: versionTag(task.version) } });

/** 412: the If-Match is not the stored version; the body carries the stored task. */
const preconditionFailed = (current: TaskView) =>
  apiJson(
    {
      error: { code: "precondition_failed", message: "The task changed since the version in If-Match. The current task is in this answer; apply your change to it and send its ETag." },
      task: toApiTask(current),
    },
    { status: 412, headers: { ETag: versionTag(current.version) } },
  );

export const loader = apiLoader(async ({ request, params }) => {
  const auth = await requireApiAuth(request);
  const id = requireIdParam(params, "task");
  const task = await getTask({ orgId: auth.orgId, id });
  if (!task) return apiNotFound("task");
  return taskAnswer(task);
});

export const action = apiAction({
  PATCH: async ({ request, params }) => {
    const auth = await requireApiAuth(request, "member");
    const id = requireIdParam(params, "task");
    const body = await parseJsonBody(request, TaskUpdateBodySchema);
    const stored = await getTask({ orgId: auth.orgId, id });
    if (!stored) return apiNotFound("task");
    const expectedVersion = ifMatchVersion(request, stored.version);
    if (expectedVersion === "stale") return preconditionFailed(stored);
    try {
      const { task } = await updateTask({ orgId: auth.orgId, id, changes: taskChangesFromApi(body), actor: auth.actor, expectedVersion });
      return taskAnswer(task);
    } catch (error) {
      if (error instanceof StaleTaskError) return preconditionFailed(error.current);
      throw error;
    }
  },
  DELETE: async ({ request, params }) => {
    const auth = await requireApiAuth(request, "member");
    const id = requireIdParam(params, "task");
    await deleteTask({ orgId: auth.orgId, id, actor: auth.actor });
    return apiJson({ success: true });
  },
});
