import { z } from "zod";
import { requireApiAuth } from "~/auth/api-auth.server";
import { apiAction, apiLoader, parseJsonBody, parseQuery, taskChangesFromApi } from "~/lib/api.server";
import { TASK_STATUSES } from "~/lib/constants";
import { apiJson } from "~/lib/http.server";
import { ApiTaskCreateSchema } from "~/lib/schemas";
import { createTask, listTasks, toApiTask } from "~/models/task.server";

/* GET /api/tasks?status&agent&boardId, POST /api/tasks */

const TaskCreateBodySchema = ApiTaskCreateSchema;

const TaskListQuerySchema = z.object({
  status: z.enum(TASK_STATUSES, { errorMap: () => ({ message: `status must be one of ${TASK_STATUSES.join(", ")}` }) }).optional(),
  agent: z.string().uuid("agent must be an agent id").optional(),
  boardId: z.string().uuid("boardId must be a board id").optional(),
});

export const loader = apiLoader(async ({ request }) => {
  const auth = await requireApiAuth(request);
  const query = parseQuery(request, TaskListQuerySchema);
  const tasks = await listTasks({ orgId: auth.orgId, status: query.status, agentId: query.agent, boardId: query.boardId });
  return apiJson({ tasks: tasks.map(toApiTask) });
});

export const action = apiAction({
  POST: async ({ request }) => {
    const auth = await requireApiAuth(request, "member");
    const body = await parseJsonBody(request, TaskCreateBodySchema);
    const task = await createTask({ orgId: auth.orgId, input: taskChangesFromApi(body), actor: auth.actor });
    return apiJson({ task: toApiTask(task) }, { status: 201 });
  },
});
