import { z } from "zod";
import { db } from "~/db/data-source.server";
import { TASK_PRIORITIES, TASK_STATUSES, type TaskPriority, type TaskStatus } from "~/db/entities";

/*
 * What the board page shows: the first cards of each column and how many the column holds. The
 * limit is applied per column in SQL (one LATERAL index scan per status on tasks_board_status_idx)
 * and the counts come from one grouped count, so a 5,000-task board costs what its visible cards cost
 * plus one count — nothing loads every task to slice it in JavaScript.
 */

/** The cards a column shows before "Show more", and the most it shows at all. */
export const COLUMN_PAGE = 50;
export const COLUMN_MAX = 1000;

export interface BoardCardFilter {
  agentId?: string;
  tagId?: string;
  priority?: TaskPriority;
}

const CardRowSchema = z.object({
  status: z.enum(TASK_STATUSES),
  id: z.string(),
  title: z.string(),
  priority: z.enum(TASK_PRIORITIES),
  position: z.coerce.number(),
  assignee_agent_id: z.string().nullable(),
  due_date: z.string().nullable(),
  tags: z.array(z.object({ id: z.string(), name: z.string(), color: z.string() })),
});

const CountRowSchema = z.object({ status: z.enum(TASK_STATUSES), total: z.number().int(), matching: z.number().int() });

export interface BoardCard {
  id: string;
  title: string;
  status: TaskStatus;
  priority: TaskPriority;
  position: number;
  assigneeAgentId: string | null;
  dueDate: string | null;
  tags: Array<{ id: string; name: string; color: string }>;
}

export interface BoardColumns {
  /** per column, in position order: at most that column's limit */
  cards: Record<TaskStatus, BoardCard[]>;
  /** per column, the first card past the limit (a card dropped below the last shown one lands before it), if any */
  firstHidden: Record<TaskStatus, string | null>;
  /** per column, the tasks that match the filter (what "Show more" can still reveal) */
  matching: Record<TaskStatus, number>;
  /** every task on the board, filter or not (what deleting the board deletes) */
  boardTotal: number;
}

function perStatus<T>(value: () => T): Record<TaskStatus, T> {
  return Object.fromEntries(TASK_STATUSES.map((status) => [status, value()])) as Record<TaskStatus, T>;
}

/** The filter as SQL on `t`, its parameters numbered after `offset` existing ones. */
function filterSql(filter: BoardCardFilter, offset: number) {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    clauses.push(sql.replace("?", `$${offset + params.length}`));
  };
  if (filter.agentId) add("t.assignee_agent_id = ?", filter.agentId);
  if (filter.priority) add("t.priority = ?", filter.priority);
  if (filter.tagId) add("exists (select 1 from task_tags x where x.task_id = t.id and x.tag_id = ?)", filter.tagId);
  return { sql: clauses.length > 0 ? clauses.join(" and ") : "true", params };
}

/** Clamps a requested column limit into 1…COLUMN_MAX (the route's schema already does; this is the floor). */
function clampLimit(limit: number | undefined) {
  return Math.min(Math.max(Math.trunc(limit ?? COLUMN_PAGE) || COLUMN_PAGE, 1), COLUMN_MAX);
}

export async function listBoardColumns({
  orgId,
  boardId,
  filter = {},
  limits = {},
}: {
  orgId: string;
  boardId: string;
  filter?: BoardCardFilter;
  limits?: Partial<Record<TaskStatus, number>>;
}): Promise<BoardColumns> {
  const statuses = [...TASK_STATUSES];
  const where = filterSql(filter, 4);
  const counted = filterSql(filter, 2);
  const [cardRows, countRows] = await Promise.all([
    db().query(
      `select c.status, t.id, t.title, t.priority, t.position, t.assignee_agent_id, t.due_date, t.tags
         from unnest($3::text[], $4::int[]) with ordinality as c(status, lim, ord)
         cross join lateral (
           select t.id, t.title, t.priority, t.position, t.created_at, t.assignee_agent_id, to_char(t.due_date, 'YYYY-MM-DD') as due_date,
                  coalesce((select json_agg(json_build_object('id', g.id, 'name', g.name, 'color', g.color) order by lower(g.name))
                              from task_tags tt join tags g on g.id = tt.tag_id where tt.task_id = t.id), '[]'::json) as tags
             from tasks t
            where t.org_id = $1 and t.board_id = $2 and t.status = c.status and ${where.sql}
            order by t.position, t.created_at
            limit c.lim + 1
         ) t
        order by c.ord, t.position, t.created_at`,
      [orgId, boardId, statuses, statuses.map((status) => clampLimit(limits[status])), ...where.params],
    ) as Promise<unknown[]>,
    db().query(
      `select t.status, count(*)::int as total, (count(*) filter (where ${counted.sql}))::int as matching
         from tasks t where t.org_id = $1 and t.board_id = $2 group by t.status`,
      [orgId, boardId, ...counted.params],
    ) as Promise<unknown[]>,
  ]);

  const cards = perStatus<BoardCard[]>(() => []);
  const firstHidden = perStatus<string | null>(() => null);
  for (const raw of cardRows) {
    const row = CardRowSchema.parse(raw);
    // one row past each limit is fetched only to know where "below the last shown card" is
    if (cards[row.status].length >= clampLimit(limits[row.status])) {
      firstHidden[row.status] = row.id;
      continue;
    }
    cards[row.status].push({
      id: row.id,
      title: row.title,
      status: row.status,
      priority: row.priority,
      position: row.position,
      assigneeAgentId: row.assignee_agent_id,
      dueDate: row.due_date,
      tags: row.tags,
    });
  }
  const matching = perStatus(() => 0);
  let boardTotal = 0;
  for (const raw of countRows) {
    const row = CountRowSchema.parse(raw);
    matching[row.status] = row.matching;
    boardTotal += row.total;
  }
  return { cards, firstHidden, matching, boardTotal };
}
