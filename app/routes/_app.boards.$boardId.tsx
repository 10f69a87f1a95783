import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useEffect, useState } from "react";
import { z } from "zod";
import { requireOrg } from "~/auth/guards.server";
import { BoardFilters } from "~/components/boards/board-filters";
import { boardColumnsView } from "~/components/boards/board-columns";
import { Kanban } from "~/components/boards/kanban";
import { TaskFields } from "~/components/boards/task-fields";
import { EditBaseInputs, EditConflict, useEditBase, useSettledResult } from "~/components/ui/edit-base";
import type { LiveHandle } from "~/components/live/live-provider";
import { Button, FormError, SelectField, TextAreaField, TextField } from "~/components/ui/form";
import { ListPlus, Plus, SearchX } from "lucide-react";
import { EmptyState, EmptyStateLink } from "~/components/ui/empty-state";
import { Card, Flash, PageHeader } from "~/components/ui/layout";
import { BOARD_COLUMN_MAX, BOARD_COLUMN_PAGE, TASK_PRIORITIES, TASK_STATUSES } from "~/lib/constants";
import { parseForm, replyWithError } from "~/lib/forms.server";
import { renderMarkdown } from "~/lib/markdown.server";
import { DomainError } from "~/lib/http.server";
import { BoardSchema, MoveTaskSchema, TaskFormSchema } from "~/lib/schemas";
import { withSearch } from "~/lib/search-params";
import { topic } from "~/lib/topics";
import { dispatchIntent, parseSearchParams, requireOrgRow } from "~/lib/ui-route.server";
import type { Board, TaskStatus } from "~/db/entities";
import { baseVersionOf, changedFields, conflictReply, quoted, savedReply, type FieldChange } from "~/lib/edit-conflict";
import { StaleVersionError } from "~/models/row-version.server";
import { listAgents } from "~/models/agent.server";
import { listGateways } from "~/models/gateway.server";
import { agentLabel, gatewayLabels } from "~/lib/gateway-label";
import { deleteBoard, getBoard, listBoards, updateBoard } from "~/models/board.server";
import { roleAtLeast } from "~/models/organization.server";
import { listTags } from "~/models/tag.server";
import { createTask, listBoardTasks, moveTask } from "~/models/task.server";

const BOARD_FIELDS = ["name", "objective", "description", "groupId"] as const;
type BoardField = (typeof BOARD_FIELDS)[number];

/** The settings form's value of each field for a stored board (what the form shows). */
function boardFormValues(board: Pick<Board, "name" | "objective" | "description" | "groupId">): Record<BoardField, string> {
  return { name: board.name, objective: board.objective, description: board.description, groupId: board.groupId ?? "" };
}

/** The search param that raises one column's card limit. */
function showParam(status: TaskStatus) {
  return `show.${status}` as const;
}

const columnLimit = z.coerce.number().int().min(BOARD_COLUMN_PAGE).max(BOARD_COLUMN_MAX).catch(BOARD_COLUMN_PAGE);

/** `?agent=…&tag=…&priority=…` filter the board; `?show.todo=100` shows more of one column. Stale values filter nothing. */
const BoardSearchSchema = z.object({
  agent: z.string().uuid().optional().catch(undefined),
  tag: z.string().uuid().optional().catch(undefined),
  priority: z.enum(TASK_PRIORITIES).optional().catch(undefined),
  ...(Object.fromEntries(TASK_STATUSES.map((status) => [showParam(status), columnLimit])) as Record<`show.${TaskStatus}`, typeof columnLimit>),
});

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org, role } = await requireOrg(request);
  const board = await requireOrgRow(org, params, "boardId", getBoard);
  const search = parseSearchParams(request, BoardSearchSchema);
  const filter = { agent: search.agent, tag: search.tag, priority: search.priority };
  const limits = Object.fromEntries(TASK_STATUSES.map((status) => [status, search[showParam(status)]])) as Record<TaskStatus, number>;
  const [columns, agents, gateways, tags, { groups, boards }] = await Promise.all([
    // one card past each limit: a card dropped below the last shown one lands in front of it
    listBoardTasks({
      orgId: org.id,
      boardId: board.id,
      agentId: filter.agent,
      tagId: filter.tag,
      priority: filter.priority,
      perColumn: BOARD_COLUMN_PAGE + 1,
      limits: Object.fromEntries(TASK_STATUSES.map((status) => [status, limits[status] + 1])),
    }),
    listAgents(org.id),
    listGateways(org.id),
    listTags(org.id),
    listBoards(org.id),
  ]);
  const labels = gatewayLabels(gateways);
  const query = new URL(request.url).search;
  const view = boardColumnsView(columns, limits, (status, limit) => withSearch(query, { [showParam(status)]: limit }));
  return {
    // the description is markdown by people and agents: rendered (and sanitised) here, never in the browser
    board: { ...board, descriptionHtml: board.description ? renderMarkdown(board.description) : "" },
    groups: groups.map((g) => ({ id: g.id, name: g.name })),
    filter,
    ...view,
    boardTotal: boards.find((b) => b.id === board.id)?.taskCount ?? 0,
    // pickers and cards name the gateway where several exist
    agents: agents.map((a) => ({ id: a.id, name: agentLabel(a, labels), avatarColor: a.avatarColor })),
    tags: tags.map((t) => ({ id: t.id, name: t.name, color: t.color })),
    canEdit: roleAtLeast(role, "member"),
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { org, actor } = await requireOrg(request, "member");
  const board = await requireOrgRow(org, params, "boardId", getBoard);
  return dispatchIntent(await request.formData(), {
    "create-task": async (formData) => {
      const intent = "create-task" as const;
      const submission = parseForm(formData, { schema: TaskFormSchema });
      if (submission.status !== "success") return data({ intent, result: submission.reply() }, { status: 400 });
      try {
        await createTask({ orgId: org.id, input: { ...submission.value, boardId: board.id }, actor });
      } catch (error) {
        const reply = replyWithError(submission, error, { assignedAgent: "assigneeAgentId" });
        return data({ intent, result: reply.data }, reply.init ?? { status: 400 });
      }
      return data({ intent, result: submission.reply({ resetForm: true }) });
    },
    move: async (formData) => {
      const intent = "move" as const;
      const submission = parseForm(formData, { schema: MoveTaskSchema });
      if (submission.status !== "success") return data({ intent, result: submission.reply() }, { status: 400 });
      try {
        await moveTask({ orgId: org.id, id: submission.value.taskId, status: submission.value.status, beforeTaskId: submission.value.beforeTaskId, actor });
      } catch (error) {
        if (error instanceof DomainError) return data({ intent, result: submission.reply({ formErrors: [error.message] }) }, { status: error.status });
        throw error;
      }
      return data({ intent, result: null });
    },
    "update-board": async (formData) => {
      const intent = "update-board" as const;
      const submission = parseForm(formData, { schema: BoardSchema });
      if (submission.status !== "success") return data({ intent, result: submission.reply() }, { status: 400 });
      // only what the person changed is written (ADR 017); an empty group means "no group"
      const all = { ...submission.value, groupId: submission.value.groupId ?? null };
      const changed = changedFields(formData, BOARD_FIELDS);
      try {
        await updateBoard({ orgId: org.id, id: board.id, changes: Object.fromEntries(changed.map((f) => [f, all[f]])), actor, expectedVersion: baseVersionOf(formData) });
      } catch (error) {
        if (error instanceof StaleVersionError) {
          const stored = error.current as Board;
          const { groups } = await listBoards(org.id);
          const describe = (field: BoardField): FieldChange => {
            if (field === "description") return { label: "description", shown: null };
            if (field === "groupId") return { label: "group", shown: stored.groupId ? (groups.find((g) => g.id === stored.groupId)?.name ?? "another group") : "no group" };
            return { label: field, shown: field === "name" ? stored.name : quoted(stored[field]) };
          };
          const result = conflictReply(submission.reply(), { what: "board", formData, fields: BOARD_FIELDS, current: boardFormValues(stored), changed, describe });
          return data({ intent, result }, { status: 409 });
        }
        const reply = replyWithError(submission, error);
        return data({ intent, result: reply.data }, reply.init ?? { status: 400 });
      }
      return data({ intent, result: savedReply(submission) });
    },
    "delete-board": async () => {
      const intent = "delete-board" as const;
      try {
        await deleteBoard({ orgId: org.id, id: board.id, actor });
      } catch (error) {
        if (error instanceof DomainError) return data({ intent, result: { status: "error" as const, error: { "": [error.message] } } }, { status: error.status });
        throw error;
      }
      throw redirect("/boards");
    },
  });
}

export default function BoardPage() {
  const { board, groups, filter, tasks, columns, matchingTotal, boardTotal, agents, tags, canEdit } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [taskForm, taskFields] = useForm({
    id: "create-task",
    lastResult: actionData?.intent === "create-task" ? actionData.result : undefined,
    defaultValue: { status: "todo", priority: "medium", assigneeAgentId: "" },
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: TaskFormSchema }),
  });
  const boardResult = useSettledResult(actionData?.intent === "update-board" ? actionData.result : undefined);
  const shownBoard = boardFormValues(board);
  const [boardForm, boardFields] = useForm({
    id: "update-board",
    lastResult: boardResult,
    defaultValue: shownBoard,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: BoardSchema }),
  });
  const boardBase = useEditBase({ formId: boardForm.id, form: boardForm, version: board.version, values: shownBoard, lastResult: boardResult });
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
      {board.descriptionHtml ? (
        <div className="prose-mc -mt-3 mb-4 max-w-3xl text-sm text-muted" data-testid="board-description" dangerouslySetInnerHTML={{ __html: board.descriptionHtml }} />
      ) : null}
      {canEdit ? (
        <details
          className="mb-4 rounded-lg border border-border bg-panel"
          open={taskFormOpen || createFailed}
          onToggle={(event) => setTaskFormOpen(event.currentTarget.open)}
        >
          <summary className="flex cursor-pointer items-center gap-1.5 px-4 py-3 text-sm font-medium">
            <Plus aria-hidden className="h-4 w-4" /> New task
          </summary>
          <Form method="post" {...getFormProps(taskForm)} className="space-y-3 border-t border-border p-4" preventScrollReset>
            <input type="hidden" name="intent" value="create-task" />
            <FormError errors={taskForm.errors} />
            <TaskFields fields={taskFields} agents={agents} tagNames={tags.map((t) => t.name)} />
            <Button type="submit">Create task</Button>
          </Form>
        </details>
      ) : null}
      <BoardFilters filter={filter} agents={agents} tags={tags} />
      {moveError ? <FormError errors={Object.values(moveError.error ?? {}).flat() as string[]} /> : null}
      {matchingTotal === 0 && (filter.agent || filter.tag || filter.priority) ? (
        <EmptyState
          icon={SearchX}
          title="No tasks match these filters"
          action={
            <EmptyStateLink to="?" variant="secondary">
              Clear filters
            </EmptyStateLink>
          }
        />
      ) : (
        <>
          {boardTotal === 0 ? (
            <div className="mb-4">
              <EmptyState compact icon={ListPlus} title="This board has no tasks yet">
                {canEdit
                  ? "Open “New task” above to add the first one: give it a title, a priority and an agent, and it lands in its column."
                  : "Members add tasks here; they appear in their columns as soon as they do."}
              </EmptyState>
            </div>
          ) : null}
          <Kanban tasks={tasks} columns={columns} agents={agentMap} canEdit={canEdit} />
        </>
      )}
      {canEdit ? (
        // open when its save was refused, so the sentence is seen (also without JavaScript)
        <details className="mt-6 max-w-2xl rounded-lg border border-border bg-panel" open={boardResult?.status === "error" || undefined}>
          <summary className="cursor-pointer px-4 py-3 text-sm font-medium">Board settings</summary>
          <div className="space-y-6 border-t border-border p-4">
            <Form method="post" {...getFormProps(boardForm)} className="space-y-3">
              <input type="hidden" name="intent" value="update-board" />
              <EditBaseInputs base={boardBase} />
              <EditConflict lastResult={boardResult} />
              {boardResult?.status === "success" ? <Flash>Saved.</Flash> : null}
              <FormError errors={boardForm.errors} />
              <TextField label="Name" field={boardFields.name} />
              <TextField label="Objective" field={boardFields.objective} />
              <TextAreaField label="Description" field={boardFields.description} rows={3} hint="Markdown is supported." />
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
                <Form method="post" onSubmit={(e) => !confirm(`Delete "${board.name}" and all ${boardTotal} of its tasks?`) && e.preventDefault()}>
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

export const handle: LiveHandle = {
  liveTopics: (data) => {
    const board = (data as { board?: { id: string } } | undefined)?.board;
    return board ? [topic.board(board.id), topic.agents] : [];
  },
};

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.board.name ?? "Board"} · Mission Control` }];

export { ErrorBoundary } from "~/components/route-error";
