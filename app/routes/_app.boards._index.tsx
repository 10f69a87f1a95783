import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { requireOrg } from "~/auth/guards.server";
import { Button, FormError, SelectField, TextAreaField, TextField } from "~/components/ui/form";
import { SquareKanban } from "lucide-react";
import { EmptyState } from "~/components/ui/empty-state";
import { Card, PageHeader } from "~/components/ui/layout";
import { parseForm, refuseOnDomainError, replyWithError } from "~/lib/forms.server";
import { isUuid } from "~/lib/http.server";
import { BoardGroupSchema, BoardSchema } from "~/lib/schemas";
import { dispatchIntent } from "~/lib/ui-route.server";
import { roleAtLeast } from "~/models/organization.server";
import { createBoard, createBoardGroup, deleteBoardGroup, listBoards } from "~/models/board.server";
import type { LiveHandle } from "~/components/live/live-provider";
import { topic } from "~/lib/topics";

export async function loader({ request }: LoaderFunctionArgs) {
  const { org, role } = await requireOrg(request);
  const { groups, boards } = await listBoards(org.id);
  return { groups, boards, canEdit: roleAtLeast(role, "member") };
}

export async function action({ request }: ActionFunctionArgs) {
  const { org, actor } = await requireOrg(request, "member");
  return dispatchIntent(await request.formData(), {
    "create-board": async (formData) => {
      const intent = "create-board" as const;
      const submission = parseForm(formData, { schema: BoardSchema });
      if (submission.status !== "success") return data({ intent, result: submission.reply() }, { status: 400 });
      let boardId: string;
      try {
        boardId = (await createBoard({ orgId: org.id, input: submission.value, actor })).id;
      } catch (error) {
        const reply = replyWithError(submission, error);
        return data({ intent, result: reply.data }, { status: reply.init?.status ?? 400 });
      }
      throw redirect(`/boards/${boardId}`);
    },
    "create-group": async (formData) => {
      const intent = "create-group" as const;
      const submission = parseForm(formData, { schema: BoardGroupSchema });
      if (submission.status !== "success") return data({ intent, result: submission.reply() }, { status: 400 });
      await createBoardGroup({ orgId: org.id, name: submission.value.name, actor });
      return data({ intent, result: submission.reply({ resetForm: true }) });
    },
    "delete-group": async (formData) => {
      const id = formData.get("groupId");
      if (typeof id !== "string" || !isUuid(id)) throw new Response("That board group does not exist in this organization. Reload the page.", { status: 404 });
      await refuseOnDomainError(deleteBoardGroup({ orgId: org.id, id, actor }));
      return data({ intent: "delete-group" as const, result: null });
    },
  });
}

export const handle: LiveHandle = { liveTopics: () => [topic.tasks] };

export const meta: MetaFunction = () => [{ title: "Boards · Mission Control" }];

type Loaded = ReturnType<typeof useLoaderData<typeof loader>>;

function BoardCard({ board }: { board: Loaded["boards"][number] }) {
  return (
    <Link
      to={`/boards/${board.id}`}
      className="block rounded-lg border border-border bg-panel p-4 transition hover:border-accent/60"
      data-testid="board-card"
    >
      <div className="flex items-center justify-between gap-2">
        <h3 className="truncate font-semibold">{board.name}</h3>
        {board.isDefault ? <span className="rounded bg-accent/15 px-1.5 py-0.5 text-[10px] uppercase text-accent">default</span> : null}
      </div>
      {board.objective ? <p className="mt-1 line-clamp-2 text-sm text-muted">{board.objective}</p> : null}
      <p className="mt-3 text-xs text-muted">
        {board.openCount} open · {board.taskCount} total
      </p>
    </Link>
  );
}

export default function BoardsPage() {
  const { groups, boards, canEdit } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [boardForm, boardFields] = useForm({
    id: "create-board",
    lastResult: actionData?.intent === "create-board" ? actionData.result : undefined,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: BoardSchema }),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
  });
  const [groupForm, groupFields] = useForm({
    id: "create-group",
    lastResult: actionData?.intent === "create-group" ? actionData.result : undefined,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: BoardGroupSchema }),
  });
  const ungrouped = boards.filter((b) => !b.groupId || !groups.some((g) => g.id === b.groupId));

  return (
    <>
      <PageHeader title="Boards" description="Each board is a Kanban of tasks for your agents and people." />
      <div className="grid gap-6 xl:grid-cols-[1fr_320px]">
        <div className="space-y-6">
          {groups.map((group) => {
            const inGroup = boards.filter((b) => b.groupId === group.id);
            return (
              <section key={group.id} aria-label={group.name}>
                <div className="mb-2 flex items-center justify-between">
                  <h2 className="text-sm font-semibold uppercase tracking-wide text-muted">{group.name}</h2>
                  {canEdit ? (
                    <Form method="post" onSubmit={(e) => !confirm(`Delete the group "${group.name}"? Its boards are kept.`) && e.preventDefault()}>
                      <input type="hidden" name="intent" value="delete-group" />
                      <input type="hidden" name="groupId" value={group.id} />
                      <button className="text-xs text-muted hover:text-danger">Delete group</button>
                    </Form>
                  ) : null}
                </div>
                {inGroup.length === 0 ? (
                  <p className="rounded-lg border border-dashed border-border p-4 text-sm text-muted">No boards in this group yet.</p>
                ) : (
                  <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">{inGroup.map((b) => <BoardCard key={b.id} board={b} />)}</div>
                )}
              </section>
            );
          })}
          <section aria-label="Boards">
            {groups.length > 0 ? <h2 className="mb-2 text-sm font-semibold uppercase tracking-wide text-muted">Other boards</h2> : null}
            {ungrouped.length === 0 && groups.length === 0 ? (
              <EmptyState icon={SquareKanban} title="No boards yet">
                {canEdit ? "Create a board with the form beside this list, then add tasks and assign them to your agents." : "A member creates boards; they appear here."}
              </EmptyState>
            ) : (
              <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">{ungrouped.map((b) => <BoardCard key={b.id} board={b} />)}</div>
            )}
          </section>
        </div>
        {canEdit ? (
          <div className="space-y-4">
            <Card title="New board">
              <Form method="post" {...getFormProps(boardForm)} className="space-y-3">
                <input type="hidden" name="intent" value="create-board" />
                <FormError errors={boardForm.errors} />
                <TextField label="Name" field={boardFields.name} placeholder="Launch" />
                <TextField label="Objective" field={boardFields.objective} placeholder="Ship v2 by Friday" />
                <TextAreaField label="Description" field={boardFields.description} rows={3} />
                <SelectField
                  label="Group"
                  field={boardFields.groupId}
                  placeholder="No group"
                  options={groups.map((g) => ({ value: g.id, label: g.name }))}
                />
                <Button type="submit" className="w-full">
                  Create board
                </Button>
              </Form>
            </Card>
            <Card title="New group">
              <Form method="post" {...getFormProps(groupForm)} className="flex items-end gap-2">
                <input type="hidden" name="intent" value="create-group" />
                <div className="flex-1">
                  <TextField label="Group name" field={groupFields.name} placeholder="Product" />
                </div>
                <Button type="submit" variant="secondary">
                  Add
                </Button>
              </Form>
            </Card>
          </div>
        ) : null}
      </div>
    </>
  );
}
