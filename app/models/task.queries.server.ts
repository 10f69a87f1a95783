import type { EntityManager } from "typeorm";
import { z } from "zod";
import { TASK_PRIORITIES, TASK_STATUSES, type Tag, type Task, type TaskPriority, type TaskStatus } from "~/db/entities";
import { col, returnedRows, rowDecoder } from "~/db/rows";
import type { TaskCursorKey } from "~/lib/cursor";

/*
 * Every SQL statement about tasks, with typed results (task.server.ts keeps the domain rules).
 * Reads select TASK_COLUMNS (aliased in camelCase, so a row is a TaskView) and decode the rows with
 * a rowDecoder built on taskShape.
 */

/** A task row with its tags, as pages and the API show it. */
export interface TaskView extends Omit<Task, "dueDate"> {
  dueDate: string | null;
  tags: Array<Pick<Tag, "id" | "name" | "color">>;
}

export interface TaskFilter {
  orgId: string;
  boardId?: string;
  status?: TaskStatus;
  agentId?: string;
  tagId?: string;
  tagName?: string;
  priority?: TaskPriority;
  limit?: number;
}

const TASK_COLUMNS = `t.id, t.org_id as "orgId", t.board_id as "boardId", t.title, t.description, t.status, t.priority,
  t.assignee_agent_id as "assigneeAgentId", to_char(t.due_date, 'YYYY-MM-DD') as "dueDate", t.position,
  t.created_by as "createdBy", t.version, t.created_at as "createdAt", t.updated_at as "updatedAt",
  coalesce((select json_agg(json_build_object('id', g.id, 'name', g.name, 'color', g.color) order by lower(g.name))
              from task_tags tt join tags g on g.id = tt.tag_id where tt.task_id = t.id), '[]'::json) as tags`;

/** created_at to the microsecond (a JS Date keeps milliseconds): the paging key must match the row exactly. */
const CREATED_KEY = `to_char(t.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as "createdKey"`;

/** Kanban order: column, then position; creation breaks ties. */
const BOARD_ORDER = "t.status, t.position, t.created_at, t.id";

const taskStatus = z.enum(TASK_STATUSES);
const taskPriority = z.enum(TASK_PRIORITIES);
/** tasks.position is double precision (cards dropped between two get the midpoint): pg answers float8 as a number */
const taskPosition = z.number().finite();

const taskShape = {
  id: col.uuid,
  orgId: col.uuid,
  boardId: col.uuid,
  title: col.text,
  description: col.text,
  status: taskStatus,
  priority: taskPriority,
  assigneeAgentId: col.uuid.nullable(),
  dueDate: col.text.nullable(),
  position: taskPosition,
  createdBy: col.text,
  version: col.int,
  createdAt: col.timestamp,
  updatedAt: col.timestamp,
  // the json_agg of TASK_COLUMNS: node-postgres parses json, so this is the list itself
  tags: z.array(z.object({ id: col.uuid, name: col.text, color: col.text })),
};

const taskRow = rowDecoder("tasks: select", z.object(taskShape) satisfies z.ZodType<TaskView>);

/** A page's rows carry the paging key; it is split off so the tasks stay TaskViews. */
const taskPageRow = rowDecoder(
  "tasks: page",
  z.object({ ...taskShape, createdKey: col.text }).transform(({ createdKey, ...task }): { task: TaskView; createdKey: string } => ({ task, createdKey })),
);

/** A board's rows carry their column's total; it is split off so the tasks stay TaskViews. */
const boardColumnRow = rowDecoder(
  "tasks: board columns",
  z.object({ ...taskShape, columnTotal: col.int }).transform(({ columnTotal, ...task }): { task: TaskView; columnTotal: number } => ({ task, columnTotal })),
);

/** max() of no rows is null */
const columnEndRow = rowDecoder("tasks: column end", z.object({ max: taskPosition.nullable() }));
const positionRow = rowDecoder("tasks: position above", z.object({ position: taskPosition }));
const statusCountRow = rowDecoder("tasks: count by status", z.object({ status: taskStatus, count: col.int }));

/** The where clause and its parameters for a filter (parameters numbered from $1). */
function whereOf(filter: Omit<TaskFilter, "limit">) {
  const where = ["t.org_id = $1"];
  const params: unknown[] = [filter.orgId];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace("?", `$${params.length}`));
  };
  if (filter.boardId) add("t.board_id = ?", filter.boardId);
  if (filter.status) add("t.status = ?", filter.status);
  if (filter.agentId) add("t.assignee_agent_id = ?", filter.agentId);
  if (filter.priority) add("t.priority = ?", filter.priority);
  if (filter.tagId) add("exists (select 1 from task_tags x where x.task_id = t.id and x.tag_id = ?)", filter.tagId);
  if (filter.tagName) {
    add("exists (select 1 from task_tags x join tags y on y.id = x.tag_id where x.task_id = t.id and lower(y.name) = lower(?))", filter.tagName);
  }
  return { where, params, add };
}

/** Kanban order; `limit` caps the answer at 5,000 rows. */
export async function selectTasks(manager: EntityManager, filter: TaskFilter): Promise<TaskView[]> {
  const { where, params } = whereOf(filter);
  const limit = filter.limit ? ` limit ${Math.min(Math.max(Math.trunc(filter.limit), 1), 5000)}` : "";
  return taskRow.all(await manager.query(`select ${TASK_COLUMNS} from tasks t where ${where.join(" and ")} order by ${BOARD_ORDER}${limit}`, params));
}

export async function selectTask(manager: EntityManager, { orgId, id }: { orgId: string; id: string }): Promise<TaskView | null> {
  return taskRow.first(await manager.query(`select ${TASK_COLUMNS} from tasks t where t.org_id = $1 and t.id = $2`, [orgId, id]));
}

export interface TaskPageRows {
  tasks: TaskView[];
  /** the key of the last task, when more rows follow it */
  next: TaskCursorKey | null;
}

/**
 * One page in creation order, keyset-paged on (created_at, id): neither changes when a task is
 * edited or moved, so a client paging while others work sees every task once.
 */
export async function selectTaskPage(
  manager: EntityManager,
  { filter, limit, after }: { filter: Omit<TaskFilter, "limit">; limit: number; after?: TaskCursorKey },
): Promise<TaskPageRows> {
  const { where, params, add } = whereOf(filter);
  if (after) {
    params.push(after.createdAt);
    add(`(t.created_at, t.id) > ($${params.length}::timestamptz, ?::uuid)`, after.id);
  }
  params.push(limit + 1);
  const rows = taskPageRow.all(
    await manager.query(
      `select ${TASK_COLUMNS}, ${CREATED_KEY} from tasks t where ${where.join(" and ")} order by t.created_at, t.id limit $${params.length}`,
      params,
    ),
  );
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const next = rows.length > limit && last ? { createdAt: last.createdKey, id: last.task.id } : null;
  return { tasks: page.map((row) => row.task), next };
}

export interface BoardColumnRows {
  tasks: TaskView[];
  /** how many tasks the column holds under the filter, shown or not */
  total: number;
}

/**
 * A board's first `limits[status] ?? perColumn` cards of each column (Kanban order) and each
 * column's total. Ranks and counts come from a window over the plain rows; tags are aggregated
 * only for the cards that are kept.
 */
export async function selectBoardColumns(
  manager: EntityManager,
  { filter, perColumn, limits = {} }: { filter: Omit<TaskFilter, "limit" | "status"> & { boardId: string }; perColumn: number; limits?: Partial<Record<TaskStatus, number>> },
): Promise<Record<TaskStatus, BoardColumnRows>> {
  const { where, params } = whereOf(filter);
  params.push(JSON.stringify(limits), perColumn);
  const limitsParam = `$${params.length - 1}::jsonb`;
  const defaultParam = `$${params.length}::int`;
  // column_total is cast to int: count() is a bigint, which pg answers as text; a column's count fits an int
  const rows = boardColumnRow.all(
    await manager.query(
      `with ranked as (
         select t.id, row_number() over (partition by t.status order by t.position, t.created_at, t.id) as rank,
                (count(*) over (partition by t.status))::int as column_total
           from tasks t where ${where.join(" and ")}
       )
       select ${TASK_COLUMNS}, r.column_total as "columnTotal"
         from ranked r join tasks t on t.id = r.id
        where r.rank <= coalesce((${limitsParam} ->> t.status)::int, ${defaultParam})
        order by ${BOARD_ORDER}`,
      params,
    ),
  );
  const columns: Record<TaskStatus, BoardColumnRows> = {
    backlog: { tasks: [], total: 0 },
    todo: { tasks: [], total: 0 },
    "in-progress": { tasks: [], total: 0 },
    review: { tasks: [], total: 0 },
    done: { tasks: [], total: 0 },
  };
  for (const { task, columnTotal } of rows) {
    const column = columns[task.status];
    column.tasks.push(task);
    column.total = columnTotal;
  }
  return columns;
}

/** Where a card added to the end of a column goes. */
export async function selectColumnEnd(manager: EntityManager, { boardId, status }: { boardId: string; status: TaskStatus }): Promise<number> {
  const { max } = columnEndRow.one(await manager.query("select max(position) as max from tasks where board_id = $1 and status = $2", [boardId, status]));
  return (max ?? 0) + 1024;
}

/** The position of the card just above `position` in a column (for dropping a card between two). */
export async function selectPositionAbove(
  manager: EntityManager,
  { boardId, status, position, excludeId }: { boardId: string; status: TaskStatus; position: number; excludeId: string },
): Promise<number | null> {
  const row = positionRow.first(
    await manager.query("select position from tasks where board_id = $1 and status = $2 and position < $3 and id <> $4 order by position desc limit 1", [
      boardId,
      status,
      position,
      excludeId,
    ]),
  );
  return row?.position ?? null;
}

export async function countTasksByStatusRows(manager: EntityManager, orgId: string): Promise<Record<TaskStatus, number>> {
  const rows = statusCountRow.all(await manager.query("select status, count(*)::int as count from tasks where org_id = $1 group by status", [orgId]));
  const counts: Record<TaskStatus, number> = { backlog: 0, todo: 0, "in-progress": 0, review: 0, done: 0 };
  for (const { status, count } of rows) counts[status] = count;
  return counts;
}

