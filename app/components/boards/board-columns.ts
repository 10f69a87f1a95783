import { BOARD_COLUMN_MAX, BOARD_COLUMN_PAGE, TASK_STATUSES } from "~/lib/constants";
import type { KanbanColumn, KanbanTask } from "./kanban";

type Status = (typeof TASK_STATUSES)[number];

/**
 * What the board page shows of the columns the model listed with one card past each limit: the
 * cards within the limit (only the fields a card shows), the first hidden card, each column's total
 * and its "Show more" link (`moreHref(status, nextLimit)`).
 */
export function boardColumnsView(
  listed: Record<Status, { tasks: KanbanTask[]; total: number }>,
  limits: Record<Status, number>,
  moreHref: (status: Status, limit: number) => string,
): { tasks: KanbanTask[]; columns: Record<Status, KanbanColumn>; matchingTotal: number } {
  const tasks: KanbanTask[] = [];
  const columns = {} as Record<Status, KanbanColumn>;
  let matchingTotal = 0;
  for (const status of TASK_STATUSES) {
    const { tasks: listedTasks, total } = listed[status];
    const limit = limits[status];
    for (const task of listedTasks.slice(0, limit)) {
      const { id, title, priority, position, assigneeAgentId, dueDate, tags } = task;
      tasks.push({ id, title, status, priority, position, assigneeAgentId, dueDate, tags });
    }
    const hidden = total - Math.min(listedTasks.length, limit);
    const next = Math.min(limit + BOARD_COLUMN_PAGE, BOARD_COLUMN_MAX);
    columns[status] = {
      total,
      firstHidden: listedTasks[limit]?.id ?? null,
      more: hidden > 0 && limit < BOARD_COLUMN_MAX ? { href: moreHref(status, next), count: Math.min(hidden, BOARD_COLUMN_PAGE) } : null,
    };
    matchingTotal += total;
  }
  return { tasks, columns, matchingTotal };
}
