import type { z } from "zod";
import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { requireOrg } from "~/auth/guards.server";
import { PriorityChip } from "~/components/boards/priority-chip";
import { TaskFields } from "~/components/boards/task-fields";
import { EditBaseInputs, EditConflict, useEditBase, useSettledResult } from "~/components/ui/edit-base";
import { Button, FormError } from "~/components/ui/form";
import { Badge, Card, Flash } from "~/components/ui/layout";
import { PRIORITY_LABELS, STATUS_LABELS, TASK_FIELD_NAMES } from "~/lib/constants";
import { parseForm, replyWithError } from "~/lib/forms.server";
import { renderMarkdown } from "~/lib/markdown.server";
import { TaskFormSchema } from "~/lib/schemas";
import { dispatchIntent, requireOrgRow } from "~/lib/ui-route.server";
import { baseVersionOf, changedFields, conflictReply, quoted, savedReply, type FieldChange } from "~/lib/edit-conflict";
import { listActivity } from "~/models/activity.server";
import { listAgents } from "~/models/agent.server";
import { listGateways } from "~/models/gateway.server";
import { agentLabel, gatewayLabels } from "~/lib/gateway-label";
import { getBoard } from "~/models/board.server";
import { roleAtLeast } from "~/models/organization.server";
import { listTags } from "~/models/tag.server";
import { deleteTask, getTask, StaleTaskError, updateTask, type TaskChanges, type TaskView } from "~/models/task.server";
import type { LiveHandle } from "~/components/live/live-provider";
import { topic } from "~/lib/topics";

const TASK_FIELDS = ["title", "description", "status", "priority", "assigneeAgentId", "dueDate", "tags"] as const;
type TaskField = (typeof TASK_FIELDS)[number];

/** The edit form's value of each field for a stored task (what the form shows). */
function taskFormValues(task: Pick<TaskView, "title" | "description" | "status" | "priority" | "assigneeAgentId" | "dueDate" | "tags">): Record<TaskField, string> {
  return {
    title: task.title,
    description: task.description,
    status: task.status,
    priority: task.priority,
    assigneeAgentId: task.assigneeAgentId ?? "",
    dueDate: task.dueDate ?? "",
    tags: task.tags.map((t) => t.name).join(", "),
  };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org, role } = await requireOrg(request);
  const task = await requireOrgRow(org, params, "taskId", getTask);
  const [board, agents, gateways, tags, history] = await Promise.all([
    getBoard({ orgId: org.id, id: task.boardId }),
    listAgents(org.id),
    listGateways(org.id),
    listTags(org.id),
    listActivity({ orgId: org.id, taskId: task.id, limit: 20 }),
  ]);
  const labels = gatewayLabels(gateways);
  return {
    task: { ...task, descriptionHtml: renderMarkdown(task.description) },
    board: board ? { id: board.id, name: board.name } : null,
    // pickers and cards name the gateway where several exist
    agents: agents.map((a) => ({ id: a.id, name: agentLabel(a, labels), avatarColor: a.avatarColor })),
    tagNames: tags.map((t) => t.name),
    history: history.map((e) => ({ id: String(e.id), message: e.message, at: e.createdAt.toISOString() })),
    canEdit: roleAtLeast(role, "member"),
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { org, actor } = await requireOrg(request, "member");
  const task = await requireOrgRow(org, params, "taskId", getTask);
  return dispatchIntent(await request.formData(), {
    delete: async () => {
      await deleteTask({ orgId: org.id, id: task.id, actor });
      throw redirect(`/boards/${task.boardId}`);
    },
    update: async (formData) => {
      const submission = parseForm(formData, { schema: TaskFormSchema });
      if (submission.status !== "success") return data(submission.reply(), { status: 400 });
      const value = submission.value;
      // Only what the person changed is written: a field they left alone keeps whatever is stored.
      const changed = changedFields(formData, TASK_FIELDS);
      // The edit form shows every field, so an empty assignee or due date means "clear it".
      const all: Required<Omit<TaskChanges, "boardId">> = {
        ...value,
        assigneeAgentId: value.assigneeAgentId ?? null,
        dueDate: value.dueDate ?? null,
      };
      const changes: TaskChanges = Object.fromEntries(changed.map((field) => [field, all[field]]));
      try {
        await updateTask({ orgId: org.id, id: task.id, changes, actor, expectedVersion: baseVersionOf(formData) });
      } catch (error) {
        if (error instanceof StaleTaskError) {
          const stored = error.current;
          const agents = await listAgents(org.id);
          const describe = (field: TaskField): FieldChange => {
            const label = TASK_FIELD_NAMES[field];
            if (field === "status") return { label, shown: STATUS_LABELS[stored.status] };
            if (field === "priority") return { label, shown: PRIORITY_LABELS[stored.priority] };
            if (field === "assigneeAgentId")
              return { label, shown: stored.assigneeAgentId ? (agents.find((a) => a.id === stored.assigneeAgentId)?.name ?? "another agent") : "Unassigned" };
            if (field === "description") return { label, shown: null };
            return { label, shown: quoted(taskFormValues(stored)[field]) };
          };
          const reply = conflictReply(submission.reply(), { what: "task", formData, fields: TASK_FIELDS, current: taskFormValues(stored), changed, describe });
          return data(reply, { status: 409 });
        }
        return replyWithError(submission, error, { assignedAgent: "assigneeAgentId" });
      }
      // reset: the form shows the stored task (its new version) again; status says "Saved."
      return data(savedReply(submission));
    },
  });
}

export const handle: LiveHandle = {
  liveTopics: (data) => {
    const task = (data as { task?: { boardId: string } } | undefined)?.task;
    return task ? [topic.board(task.boardId)] : [];
  },
};

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.task.title ?? "Task"} · Mission Control` }];

export default function TaskPage() {
  const { task, board, agents, tagNames, history, canEdit } = useLoaderData<typeof loader>();
  const lastResult = useSettledResult(useActionData<typeof action>());
  const navigation = useNavigation();
  const shown = taskFormValues(task);
  const [form, fields] = useForm<z.input<typeof TaskFormSchema>, z.output<typeof TaskFormSchema>>({
    id: `task-${task.id}`,
    lastResult,
    defaultValue: shown,
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: TaskFormSchema }),
  });
  const base = useEditBase({ formId: form.id, form, version: task.version, values: shown, lastResult });
  const assignee = agents.find((a) => a.id === task.assigneeAgentId);
  const saved = lastResult?.status === "success" && navigation.state === "idle";

  return (
    <div className="mx-auto max-w-5xl">
      <p className="mb-2 text-sm text-muted">
        <Link to="/boards" className="text-accent">
          Boards
        </Link>{" "}
        /{" "}
        {board ? (
          <Link to={`/boards/${board.id}`} className="text-accent">
            {board.name}
          </Link>
        ) : null}
      </p>
      <h1 className="text-2xl font-semibold tracking-tight">{task.title}</h1>
      <div className="mt-2 flex flex-wrap items-center gap-2 text-sm">
        <Badge>{STATUS_LABELS[task.status]}</Badge>
        <PriorityChip priority={task.priority} />
        {task.tags.map((tag) => (
          <Badge key={tag.id} color={tag.color}>
            {tag.name}
          </Badge>
        ))}
        <span className="text-muted">
          {assignee ? `Assigned to ${assignee.name}` : "Unassigned"}
          {task.dueDate ? ` · due ${task.dueDate}` : ""} · created by {task.createdBy}
        </span>
      </div>
      <div className="mt-6 grid gap-6 lg:grid-cols-[1fr_320px]">
        <div className="space-y-6">
          <Card title="Description">
            {task.description.trim() ? (
              <div className="prose-mc text-sm leading-relaxed" dangerouslySetInnerHTML={{ __html: task.descriptionHtml }} />
            ) : (
              <p className="text-sm text-muted">No description yet.</p>
            )}
          </Card>
          {canEdit ? (
            <Card title="Edit task">
              {saved ? <Flash>Saved.</Flash> : null}
              <Form method="post" {...getFormProps(form)} className="space-y-3">
                <input type="hidden" name="intent" value="update" />
                <EditBaseInputs base={base} />
                <EditConflict lastResult={lastResult} />
                <FormError errors={form.errors} />
                <TaskFields fields={fields} agents={agents} tagNames={tagNames} />
                <div className="flex items-center justify-between">
                  <Button type="submit" pendingLabel="Saving…">
                    Save changes
                  </Button>
                </div>
              </Form>
              <Form method="post" className="mt-4 border-t border-border pt-4" onSubmit={(e) => !confirm(`Delete "${task.title}"?`) && e.preventDefault()}>
                <input type="hidden" name="intent" value="delete" />
                <Button type="submit" variant="danger">
                  Delete task
                </Button>
              </Form>
            </Card>
          ) : null}
        </div>
        <Card title="History" className="self-start">
          {history.length === 0 ? (
            <p className="text-sm text-muted">No history.</p>
          ) : (
            <ol className="space-y-3 text-sm">
              {history.map((event) => (
                <li key={event.id}>
                  <p>{event.message}</p>
                  <time className="text-xs text-muted" dateTime={event.at}>
                    {new Date(event.at).toLocaleString()}
                  </time>
                </li>
              ))}
            </ol>
          )}
        </Card>
      </div>
    </div>
  );
}

export { ErrorBoundary } from "~/components/route-error";
