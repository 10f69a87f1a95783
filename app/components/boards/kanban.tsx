import { Form, Link, useFetcher, useFetchers } from "@remix-run/react";
import { useMemo, useState, type DragEvent } from "react";
import { Badge } from "~/components/ui/layout";
import { PRIORITY_LABELS, STATUS_LABELS, TASK_STATUSES } from "~/lib/constants";
import { dueView } from "./due-date";
import { PriorityChip } from "./priority-chip";

type Status = (typeof TASK_STATUSES)[number];

export interface KanbanTask {
  id: string;
  title: string;
  status: Status;
  priority: keyof typeof PRIORITY_LABELS;
  position: number;
  assigneeAgentId: string | null;
  dueDate: string | null;
  tags: Array<{ id: string; name: string; color: string }>;
}

/** What a column holds beyond the cards it shows: the board shows a bounded number per column. */
export interface KanbanColumn {
  /** tasks in the column that match the page's filters, shown or not */
  total: number;
  /** the first task not shown, so a card dropped below the last shown one lands before it */
  firstHidden: string | null;
  /** the link that shows more of this column, and how many more it shows */
  more: { href: string; count: number } | null;
}

interface Props {
  /** the cards shown, in column and position order */
  tasks: KanbanTask[];
  columns: Record<Status, KanbanColumn>;
  agents: Record<string, { name: string; avatarColor: string }>;
  canEdit: boolean;
}

const MOVE_KEY = "kanban-move";
/** tags past this many are one "+N" chip, so a card keeps its height */
const MAX_CARD_TAGS = 3;

/** Tasks with pending moves applied, so a dragged card lands at once and stays put while the server agrees. */
function useOptimisticTasks(tasks: KanbanTask[]) {
  const fetchers = useFetchers();
  return useMemo(() => {
    const pending = new Map<string, { status: Status; beforeTaskId: string | null }>();
    for (const fetcher of fetchers) {
      if (fetcher.formData?.get("intent") !== "move") continue;
      pending.set(String(fetcher.formData.get("taskId")), {
        status: String(fetcher.formData.get("status")) as Status,
        beforeTaskId: (fetcher.formData.get("beforeTaskId") as string | null) || null,
      });
    }
    if (pending.size === 0) return tasks;
    const byId = new Map(tasks.map((t) => [t.id, { ...t }]));
    for (const [id, move] of pending) {
      const task = byId.get(id);
      if (!task) continue;
      task.status = move.status;
      const anchor = move.beforeTaskId ? byId.get(move.beforeTaskId) : undefined;
      task.position = anchor && anchor.status === move.status ? anchor.position - 0.0001 : Number.MAX_SAFE_INTEGER;
    }
    return Array.from(byId.values()).sort((a, b) => a.position - b.position);
  }, [tasks, fetchers]);
}

const count = (n: number) => n.toLocaleString("en-US");

export function Kanban({ tasks, columns, agents, canEdit }: Props) {
  const visible = useOptimisticTasks(tasks);
  // the counts follow pending moves too, so a dragged card does not leave a stale number behind
  const totals = useMemo(() => {
    const next = Object.fromEntries(TASK_STATUSES.map((s) => [s, columns[s].total])) as Record<Status, number>;
    const was = new Map(tasks.map((t) => [t.id, t.status]));
    for (const task of visible) {
      const from = was.get(task.id);
      if (from && from !== task.status) {
        next[from] -= 1;
        next[task.status] += 1;
      }
    }
    return next;
  }, [tasks, visible, columns]);
  const mover = useFetcher({ key: MOVE_KEY });
  const [dragging, setDragging] = useState<string | null>(null);
  const [over, setOver] = useState<Status | null>(null);

  function onDrop(event: DragEvent<HTMLElement>, status: Status) {
    event.preventDefault();
    setOver(null);
    const taskId = event.dataTransfer.getData("text/x-mc-task") || dragging;
    setDragging(null);
    if (!taskId) return;
    // Land in front of the first card whose middle is below the pointer.
    const cards = Array.from(event.currentTarget.querySelectorAll<HTMLElement>("[data-task-id]")).filter((el) => el.dataset.taskId !== taskId);
    const before = cards.find((el) => {
      const rect = el.getBoundingClientRect();
      return event.clientY < rect.top + rect.height / 2;
    });
    const current = visible.find((t) => t.id === taskId);
    if (current?.status === status) {
      // Dropped where it already is: nothing to send.
      const column = visible.filter((t) => t.status === status);
      const next = column[column.findIndex((t) => t.id === taskId) + 1];
      if (before?.dataset.taskId === next?.id) return;
    }
    // below the last shown card of a column that shows only part of itself: in front of the first hidden one
    const beforeTaskId = before?.dataset.taskId ?? (columns[status].firstHidden !== taskId ? columns[status].firstHidden : null);
    const form = new FormData();
    form.set("intent", "move");
    form.set("taskId", taskId);
    form.set("status", status);
    if (beforeTaskId) form.set("beforeTaskId", beforeTaskId);
    mover.submit(form, { method: "post" });
  }

  return (
    <div className="-mx-4 overflow-x-auto px-4 pb-4 md:mx-0 md:px-0">
      <div className="grid snap-x snap-mandatory auto-cols-[82%] grid-flow-col gap-3 sm:auto-cols-[45%] lg:min-w-[1000px] lg:auto-cols-fr">
        {TASK_STATUSES.map((status) => {
          const column = visible.filter((t) => t.status === status);
          const { more } = columns[status];
          return (
            <section
              key={status}
              aria-label={STATUS_LABELS[status]}
              data-status={status}
              className={`flex min-h-[12rem] snap-start flex-col rounded-lg border bg-panel/60 p-2 transition ${over === status ? "border-accent" : "border-border"}`}
              onDragOver={(event) => {
                if (!canEdit) return;
                event.preventDefault();
                event.dataTransfer.dropEffect = "move";
                if (over !== status) setOver(status);
              }}
              onDragLeave={(event) => {
                if (!event.currentTarget.contains(event.relatedTarget as Node)) setOver(null);
              }}
              onDrop={(event) => onDrop(event, status)}
            >
              <h2 className="mb-2 flex items-center justify-between px-1 text-xs font-semibold uppercase tracking-wide text-muted">
                {STATUS_LABELS[status]}
                <span className="rounded-full bg-panel-2 px-2 py-0.5 tabular-nums" data-testid="column-total" title={`${count(totals[status])} tasks`}>
                  {count(totals[status])}
                </span>
              </h2>
              <ol className="flex flex-col gap-2">
                {column.map((task) => (
                  <TaskCard
                    key={task.id}
                    task={task}
                    agent={task.assigneeAgentId ? agents[task.assigneeAgentId] : undefined}
                    canEdit={canEdit}
                    dragging={dragging === task.id}
                    onDragStart={() => setDragging(task.id)}
                    onDragEnd={() => {
                      setDragging(null);
                      setOver(null);
                    }}
                  />
                ))}
                {column.length === 0 ? <li className="rounded-md border border-dashed border-border/70 p-3 text-center text-xs text-muted">No tasks</li> : null}
              </ol>
              {more ? (
                <div className="mt-2 space-y-1 text-center text-xs">
                  <Link to={more.href} preventScrollReset className="block rounded-md border border-border bg-panel px-2 py-1.5 font-medium hover:border-accent" data-testid="show-more">
                    Show {count(more.count)} more
                  </Link>
                  <p className="tabular-nums text-muted">
                    {count(column.length)} of {count(totals[status])} shown
                  </p>
                </div>
              ) : totals[status] > column.length ? (
                <p className="mt-2 text-center text-xs tabular-nums text-muted">
                  {count(column.length)} of {count(totals[status])} shown: filter to see the rest
                </p>
              ) : null}
            </section>
          );
        })}
      </div>
    </div>
  );
}

function TaskCard({
  task,
  agent,
  canEdit,
  dragging,
  onDragStart,
  onDragEnd,
}: {
  task: KanbanTask;
  agent?: { name: string; avatarColor: string };
  canEdit: boolean;
  dragging: boolean;
  onDragStart: () => void;
  onDragEnd: () => void;
}) {
  const due = task.dueDate ? dueView(task.dueDate, new Date().toISOString().slice(0, 10), task.status === "done") : null;
  const shownTags = task.tags.slice(0, MAX_CARD_TAGS);
  const hiddenTags = task.tags.slice(MAX_CARD_TAGS);
  return (
    <li
      data-task-id={task.id}
      data-testid="task-card"
      draggable={canEdit}
      onDragStart={(event) => {
        event.dataTransfer.setData("text/x-mc-task", task.id);
        event.dataTransfer.effectAllowed = "move";
        onDragStart();
      }}
      onDragEnd={onDragEnd}
      className={`kanban-card${canEdit ? " kanban-card-draggable" : ""}${dragging ? " kanban-card-dragging" : ""}`}
    >
      <Link to={`/tasks/${task.id}`} className="kanban-card-title">
        {task.title}
      </Link>
      <div className="kanban-card-tags">
        <PriorityChip priority={task.priority} />
        {shownTags.map((tag) => (
          <Badge key={tag.id} color={tag.color} title={tag.name}>
            {tag.name}
          </Badge>
        ))}
        {hiddenTags.length > 0 ? (
          <span className="kanban-more-tags" title={hiddenTags.map((t) => t.name).join(", ")}>
            +{hiddenTags.length}
          </span>
        ) : null}
      </div>
      <div className="kanban-card-meta">
        <span className="kanban-card-agent" title={agent ? `Assigned to ${agent.name}` : "Nobody is assigned"}>
          {agent ? (
            <>
              <span className="kanban-dot" style={{ background: agent.avatarColor }} />
              <span className="truncate">{agent.name}</span>
            </>
          ) : (
            <span className="truncate italic">Unassigned</span>
          )}
        </span>
        {due ? (
          <time dateTime={task.dueDate!} title={due.long} className={`kanban-due kanban-due-${due.tone}`}>
            {due.tone === "overdue" ? "Overdue " : due.tone === "today" ? "Due today" : "Due "}
            {due.tone === "today" ? null : due.short}
          </time>
        ) : null}
      </div>
      {canEdit ? (
        <details className="kanban-move">
          <summary>Move…</summary>
          <Form method="post" preventScrollReset>
            <input type="hidden" name="intent" value="move" />
            <input type="hidden" name="taskId" value={task.id} />
            <select name="status" defaultValue={task.status} aria-label={`Move ${task.title} to`}>
              {TASK_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {STATUS_LABELS[s]}
                </option>
              ))}
            </select>
            <button type="submit">Move</button>
          </Form>
        </details>
      ) : null}
    </li>
  );
}
