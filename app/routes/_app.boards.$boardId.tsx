import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSubmit } from "@remix-run/react";
import { useEffect, useState } from "react";
import { z } from "zod";
import { requireOrg } from "~/auth/guards.server";
import { Kanban } from "~/components/boards/kanban";
import { TaskFields } from "~/components/boards/task-fields";
import { Button, FormError, SelectField, TextAreaField, TextField, selectClass } from "~/components/ui/form";
import { Card, EmptyState, PageHeader } from "~/components/ui/layout";
import { PRIORITY_LABELS, TASK_PRIORITIES } from "~/lib/constants";
import { parseForm, replyWithError } from "~/lib/forms.server";
import { DomainError, isUuid, notFound } from "~/lib/http.server";
import { BoardSchema, MoveTaskSchema, TaskFormSchema } from "~/lib/schemas";
import { listAgents } from "~/models/agent.server";
import { deleteBoard, getBoard, listBoards, updateBoard } from "~/models/board.server";
import { roleAtLeast } from "~/models/organization.server";
import { listTags } from "~/models/tag.server";
import { createTask, listTasks, moveTask } from "~/models/task.server";
import type { LiveHandle } from "~/components/live/live-provider";
import { topic } from "~/lib/topics";

const FilterSchema = z.object({
  agent: z.string().uuid().optional().catch(undefined),
  tag: z.string().uuid().optional().catch(undefined),
  priority: z.enum(TASK_PRIORITIES).optional().catch(undefined),
});

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org, role } = await requireOrg(request);
  if (!isUuid(params.boardId)) notFound("That board does not exist.");
  const board = await getBoard({ orgId: org.id, id: params.boardId });
  if (!board) notFound("That board does not exist in this organization.");
  const url = new URL(request.url);
  const filter = FilterSchema.parse(Object.fromEntries(url.searchParams));
  const [tasks, agents, tags, { groups }] = await Promise.all([
    listTasks({ orgId: org.id, boardId: board.id, agentId: filter.agent, tagId: filter.tag, priority: filter.priority }),
    listAgents(org.id),
    listTags(org.id),
    listBoards(org.id),
  ]);
  return {
    board,
    groups: groups.map((g) => ({ id: g.id, name: g.name })),
    filter,
    tasks: tasks.map((t) => ({
      id: t.id,
      title: t.title,
      status: t.status,
      priority: t.priority,
      position: t.position,
      assigneeAgentId: t.assigneeAgentId,
      dueDate: t.dueDate,
      tags: t.tags,
    })),
    agents: agents.map((a) => ({ id: a.id, name: a.name, avatarColor: a.avatarColor })),
    tags: tags.map((t) => ({ id: t.id, name: t.name, color: t.color })),
    canEdit: roleAtLeast(role, "member"),
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { org, actor } = await requireOrg(request, "member");
  if (!isUuid(params.boardId)) notFound("That board does not exist.");
  const board = await getBoard({ orgId: org.id, id: params.boardId });
  if (!board) notFound("That board does not exist in this organization.");
  const formData = await request.formData();
  const intent = formData.get("intent");

  if (intent === "create-task") {
    const submission = parseForm(formData, { schema: TaskFormSchema });
    if (submission.status !== "success") return data({ intent, result: submission.reply() }, { status: 400 });
    try {
      await createTask({ orgId: org.id, input: { ...submission.value, boardId: board.id }, actor });
    } catch (error) {
      const reply = replyWithError(submission, error, { assignedAgent: "assigneeAgentId" });
      return data({ intent, result: reply.data }, reply.init ?? { status: 400 });
    }
    return { intent, result: submission.reply({ resetForm: true }) };
  }

  if (intent === "move") {
    const submission = parseForm(formData, { schema: MoveTaskSchema });
    if (submission.status !== "success") return data({ intent, result: submission.reply() }, { status: 400 });
    try {
      await moveTask({ orgId: org.id, id: submission.value.taskId, status: submission.value.status, beforeTaskId: submission.value.beforeTaskId, actor });
    } catch (error) {
      if (error instanceof DomainError) return data({ intent, result: submission.reply({ formErrors: [error.message] }) }, { status: error.status });
      throw error;
    }
    return { intent, result: null };
  }

  if (intent === "update-board") {
    const submission = parseForm(formData, { schema: BoardSchema });
    if (submission.status !== "success") return data({ intent, result: submission.reply() }, { status: 400 });
    try {
      await updateBoard({ orgId: org.id, id: board.id, input: submission.value, actor });
    } catch (error) {
      const reply = replyWithError(submission, error);
      return data({ intent, result: reply.data }, reply.init ?? { status: 400 });
    }
    return { intent, result: submission.reply() };
  }

  if (intent === "delete-board") {
    try {
      await deleteBoard({ orgId: org.id, id: board.id, actor });
    } catch (error) {
      if (error instanceof DomainError) return data({ intent, result: { status: "error" as const, error: { "": [error.message] } } }, { status: error.status });
      throw error;
    }
    throw redirect("/boards");
  }

  throw new Response(`Unknown action "${String(intent)}"`, { status: 400 });
}

export const handle: LiveHandle = {
  liveTopics: (data) => {
    const board = (data as { board?: { id: string } } | undefined)?.board;
    return board ? [topic.board(board.id), topic.agents] : [];
  },
};

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.board.name ?? "Board"} · Mission Control` }];

function Filters({ filter, agents, tags }: { filter: { agent?: string; tag?: string; priority?: string }; agents: Array<{ id: string; name: string }>; tags: Array<{ id: string; name: string }> }) {
  const submit = useSubmit();
  const active = Boolean(filter.agent || filter.tag || filter.priority);
  return (
    <Form method="get" className="mb-4 flex flex-wrap items-end gap-2" onChange={(event) => submit(event.currentTarget, { preventScrollReset: true, replace: true })}>
      <label className="text-xs text-muted">
        Agent
        <select name="agent" defaultValue={filter.agent ?? ""} className={`${selectClass} mt-1 w-40`}>
          <option value="">All agents</option>
          {agents.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
            </option>
          ))}
        </select>
      </label>
      <label className="text-xs text-muted">
        Tag
        <select name="tag" defaultValue={filter.tag ?? ""} className={`${selectClass} mt-1 w-40`}>
          <option value="">All tags</option>
          {tags.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
      </label>
      <label className="text-xs text-muted">
        Priority
        <select name="priority" defaultValue={filter.priority ?? ""} className={`${selectClass} mt-1 w-36`}>
          <option value="">Any priority</option>
          {TASK_PRIORITIES.map((p) => (
            <option key={p} value={p}>
              {PRIORITY_LABELS[p]}
            </option>
          ))}
        </select>
      </label>
      <noscript>
        <Button type="submit" variant="secondary">
          Apply
        </Button>
      </noscript>
      {active ? (
        <Link to="?" className="pb-2 text-xs text-accent">
          Clear filters
        </Link>
      ) : null}
    </Form>
  );
}

export default function BoardPage() {
  const { board, groups, filter, tasks, agents, tags, canEdit } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [taskForm, taskFields] = useForm({
    id: "create-task",
    lastResult: actionData?.intent === "create-task" ? actionData.result : undefined,
    defaultValue: { status: "todo", priority: "medium" },
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: TaskFormSchema }),
  });
  const [boardForm, boardFields] = useForm({
    id: "update-board",
    lastResult: actionData?.intent === "update-board" ? actionData.result : undefined,
    defaultValue: { name: board.name, description: board.description, objective: board.objective, groupId: board.groupId ?? "" },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: BoardSchema }),
  });
  const moveError = actionData?.intent === "move" && actionData.result && "error" in actionData.result ? actionData.result : null;
  const deleteError = actionData?.intent === "delete-board" && actionData.result && "error" in actionData.result ? actionData.result : null;
  const agentMap = Object.fromEntries(agents.map((a) => [a.id, a]));
  const createFailed = actionData?.intent === "create-task" && actionData.result?.status === "error";
  // Stays open after a task is created (people usually add several) and opens on a validation error.
  const [taskFormOpen, setTaskFormOpen] = useState(false);
  useEffect(() => {
    if (createFailed) setTaskFormOpen(true);
  }, [createFailed, actionData]);

  return (
    <>
      <PageHeader
        title={board.name}
        description={
          <>
            <Link to="/boards" className="text-accent">
              Boards
            </Link>
            {board.objective ? <> · {board.objective}</> : null}
          </>
        }
      />
      {board.description ? <p className="-mt-4 mb-4 max-w-3xl text-sm text-muted">{board.description}</p> : null}
      {canEdit ? (
        <details
          className="mb-4 rounded-lg border border-border bg-panel"
          open={taskFormOpen || createFailed}
          onToggle={(event) => setTaskFormOpen(event.currentTarget.open)}
        >
          <summary className="cursor-pointer px-4 py-3 text-sm font-medium">+ New task</summary>
          <Form method="post" {...getFormProps(taskForm)} className="space-y-3 border-t border-border p-4" preventScrollReset>
            <input type="hidden" name="intent" value="create-task" />
            <FormError errors={taskForm.errors} />
            <TaskFields fields={taskFields} agents={agents} tagNames={tags.map((t) => t.name)} />
            <Button type="submit">Create task</Button>
          </Form>
        </details>
      ) : null}
      <Filters filter={filter} agents={agents} tags={tags} />
      {moveError ? <FormError errors={Object.values(moveError.error ?? {}).flat() as string[]} /> : null}
      {tasks.length === 0 && (filter.agent || filter.tag || filter.priority) ? (
        <EmptyState title="No tasks match these filters" action={<Link to="?" className="text-accent">Clear filters</Link>} />
      ) : (
        <Kanban tasks={tasks} agents={agentMap} canEdit={canEdit} />
      )}
      {canEdit ? (
        <details className="mt-6 max-w-2xl rounded-lg border border-border bg-panel">
          <summary className="cursor-pointer px-4 py-3 text-sm font-medium">Board settings</summary>
          <div className="space-y-6 border-t border-border p-4">
            <Form method="post" {...getFormProps(boardForm)} className="space-y-3">
              <input type="hidden" name="intent" value="update-board" />
              <FormError errors={boardForm.errors} />
              <TextField label="Name" field={boardFields.name} />
              <TextField label="Objective" field={boardFields.objective} />
              <TextAreaField label="Description" field={boardFields.description} rows={3} />
              <SelectField label="Group" field={boardFields.groupId} placeholder="No group" options={groups.map((g) => ({ value: g.id, label: g.name }))} />
              <Button type="submit" variant="secondary">
                Save board
              </Button>
            </Form>
            <Card title="Danger zone">
              {deleteError ? <FormError errors={Object.values(deleteError.error ?? {}).flat() as string[]} /> : null}
              {board.isDefault ? (
                <p className="text-sm text-muted">This is the default board: tasks created through the API without a board land here, so it cannot be deleted.</p>
              ) : (
                <Form method="post" onSubmit={(e) => !confirm(`Delete "${board.name}" and all ${tasks.length} of its tasks?`) && e.preventDefault()}>
                  <input type="hidden" name="intent" value="delete-board" />
                  <Button type="submit" variant="danger">
                    Delete board and its tasks
                  </Button>
                </Form>
              )}
            </Card>
          </div>
        </details>
      ) : null}
    </>
  );
}

export { ErrorBoundary } from "~/components/route-error";
