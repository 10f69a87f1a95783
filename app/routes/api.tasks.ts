import { requireApiAuth } from "~/auth/api-auth.server";
import { apiAction, apiLoader, parseJsonBody, parseQuery, taskChangesFromApi } from "~/lib/api.server";
import { TaskListQuerySchema, type TaskPage } from "~/lib/api-schemas";
import { apiJson } from "~/lib/http.server";
import { ApiTaskCreateSchema } from "~/lib/schemas";
import { createTask, pageTasks, toApiTask } from "~/models/task.server";

/* GET /api/tasks?status&agent&boardId&limit&cursor (pages in creation order), POST /api/tasks */

const TaskCreateBodySchema = ApiTaskCreateSchema;

export const loader = apiLoader(async ({ request }) => {
  const auth = await requireApiAuth(request);
  const query = parseQuery(request, TaskListQuerySchema);
  const page = await pageTasks({
    orgId: auth.orgId,
    status: query.status,
    agentId: query.agent,
    boardId: query.boardId,
    limit: query.limit,
    after: query.cursor,
  });
  return apiJson({ tasks: page.tasks.map(toApiTask), nextCursor: page.nextCursor } satisfies TaskPage);
});

export const action = apiAction({
  POST: async ({ request }) => {
    const auth = await requireApiAuth(request, "member");
    const body = await parseJsonBody(request, TaskCreateBodySchema);
    const task = await createTask({ orgId: auth.orgId, input: taskChangesFromApi(body), actor: auth.actor });
    return apiJson({ task: toApiTask(task) }, { status: 201 });
  },
});
