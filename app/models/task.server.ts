import type { EntityManager } from "typeorm";
import { db, transaction } from "~/db/data-source.server";
import { AgentEntity, BoardEntity, TaskEntity, TaskTagEntity, type Tag, type Task, type TaskPriority, type TaskStatus } from "~/db/entities";
import { STATUS_LABELS } from "~/lib/constants";
import { DomainError } from "~/lib/http.server";
import { publish } from "~/realtime/publish.server";
import { recordActivity, type Actor } from "./activity.server";
import { ensureTags } from "./tag.server";

/** A task row with its tags, as pages and the API show it. */
export interface TaskView extends Omit<Task, "dueDate"> {
  dueDate: string | null;
  tags: Array<Pick<Tag, "id" | "name" | "color">>;
}

/** task.created / task.updated / task.deleted for the board's page and for API followers. */
async function publishTask(manager: EntityManager, type: string, orgId: string, boardIds: string[], data: Record<string, unknown>) {
  const topics = ["tasks", ...Array.from(new Set(boardIds)).map((id) => `board:${id}`)];
  await publish(manager, { orgId, type, topics, data });
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

const TASK_COLUMNS = `t.id, t.org_id, t.board_id, t.title, t.description, t.status, t.priority, t.assignee_agent_id,
  to_char(t.due_date, 'YYYY-MM-DD') as due_date, t.position, t.created_by, t.created_at, t.updated_at,
  coalesce((select json_agg(json_build_object('id', g.id, 'name', g.name, 'color', g.color) order by lower(g.name))
              from task_tags tt join tags g on g.id = tt.tag_id where tt.task_id = t.id), '[]'::json) as tags`;

function rowToTask(row: Record<string, unknown>): TaskView {
  return {
    id: row.id as string,
    orgId: row.org_id as string,
    boardId: row.board_id as string,
    title: row.title as string,
    description: row.description as string,
    status: row.status as TaskStatus,
    priority: row.priority as TaskPriority,
    assigneeAgentId: (row.assignee_agent_id as string | null) ?? null,
    dueDate: (row.due_date as string | null) ?? null,
    position: Number(row.position),
    createdBy: row.created_by as string,
    createdAt: row.created_at as Date,
    updatedAt: row.updated_at as Date,
    tags: row.tags as TaskView["tags"],
  };
}

/** One query, tags aggregated per row; ordered for a Kanban (column, then position). */
export async function listTasks(filter: TaskFilter, manager: EntityManager = db().manager): Promise<TaskView[]> {
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
  const limit = filter.limit ? ` limit ${Math.min(Math.max(Math.trunc(filter.limit), 1), 5000)}` : "";
  const rows: Array<Record<string, unknown>> = await manager.query(
    `select ${TASK_COLUMNS} from tasks t where ${where.join(" and ")} order by t.status, t.position, t.created_at${limit}`,
    params,
  );
  return rows.map(rowToTask);
}

export async function getTask({ orgId, id }: { orgId: string; id: string }, manager: EntityManager = db().manager) {
  const rows: Array<Record<string, unknown>> = await manager.query(
    `select ${TASK_COLUMNS} from tasks t where t.org_id = $1 and t.id = $2`,
    [orgId, id],
  );
  return rows[0] ? rowToTask(rows[0]) : null;
}

export interface TaskInput {
  boardId?: string;
  title: string;
  description?: string;
  status?: TaskStatus;
  priority?: TaskPriority;
  assigneeAgentId?: string | null;
  dueDate?: string | null;
  tags?: string[];
}

async function resolveBoard(manager: EntityManager, orgId: string, boardId: string | undefined) {
  const boards = manager.getRepository(BoardEntity);
  const board = boardId ? await boards.findOneBy({ orgId, id: boardId }) : await boards.findOneBy({ orgId, isDefault: true });
  if (!board) {
    throw boardId
      ? new DomainError(404, "board_not_found", "That board does not exist in this organization.", "boardId")
      : new DomainError(409, "no_default_board", "This organization has no default board. Create a board first.");
  }
  return board;
}

async function assertAgentInOrg(manager: EntityManager, orgId: string, agentId: string | null | undefined) {
  if (!agentId) return null;
  const agent = await manager.getRepository(AgentEntity).findOneBy({ orgId, id: agentId });
  if (!agent) throw new DomainError(400, "agent_not_found", "That agent does not exist in this organization.", "assignedAgent");
  return agent;
}

async function endOfColumn(manager: EntityManager, boardId: string, status: TaskStatus) {
  const rows: Array<{ max: number | null }> = await manager.query(
    "select max(position) as max from tasks where board_id = $1 and status = $2",
    [boardId, status],
  );
  return (rows[0]?.max ?? 0) + 1024;
}

async function setTags(manager: EntityManager, orgId: string, taskId: string, names: string[]) {
  await manager.getRepository(TaskTagEntity).delete({ taskId });
  const tags = await ensureTags(manager, orgId, names);
  if (tags.length > 0) await manager.getRepository(TaskTagEntity).insert(tags.map((tag) => ({ taskId, tagId: tag.id })));
}

export async function createTask({ orgId, input, actor }: { orgId: string; input: TaskInput; actor: Actor }): Promise<TaskView> {
  return transaction(async (manager) => {
    const board = await resolveBoard(manager, orgId, input.boardId);
    await assertAgentInOrg(manager, orgId, input.assigneeAgentId);
    const status = input.status ?? "backlog";
    const repo = manager.getRepository(TaskEntity);
    const saved = await repo.save(
      repo.create({
        orgId,
        boardId: board.id,
        title: input.title.trim(),
        description: input.description ?? "",
        status,
        priority: input.priority ?? "medium",
        assigneeAgentId: input.assigneeAgentId ?? null,
        dueDate: input.dueDate ?? null,
        position: await endOfColumn(manager, board.id, status),
        createdBy: actor.name,
      }),
    );
    await setTags(manager, orgId, saved.id, input.tags ?? []);
    await recordActivity(manager, {
      orgId,
      type: "task_created",
      message: `${actor.name} created task: ${saved.title}`,
      actor,
      boardId: board.id,
      taskId: saved.id,
      agentId: saved.assigneeAgentId,
      data: { status },
    });
    const created = (await getTask({ orgId, id: saved.id }, manager))!;
    await publishTask(manager, "task.created", orgId, [board.id], { task: toApiTask(created) });
    return created;
  });
}

export type TaskChanges = Partial<TaskInput>;

const FIELD_NAMES: Record<keyof TaskChanges, string> = {
  boardId: "board",
  title: "title",
  description: "description",
  status: "status",
  priority: "priority",
  assigneeAgentId: "assignee",
  dueDate: "due date",
  tags: "tags",
};

export async function updateTask({ orgId, id, changes, actor }: { orgId: string; id: string; changes: TaskChanges; actor: Actor }) {
  return transaction(async (manager) => {
    const repo = manager.getRepository(TaskEntity);
    const task = await repo.findOne({ where: { orgId, id }, lock: { mode: "pessimistic_write" } });
    if (!task) throw new DomainError(404, "not_found", "That task does not exist in this organization.");
    const before = (await getTask({ orgId, id }, manager))!;
    const changed: string[] = [];

    if (changes.boardId !== undefined && changes.boardId !== task.boardId) {
      const board = await resolveBoard(manager, orgId, changes.boardId);
      task.boardId = board.id;
      task.position = await endOfColumn(manager, board.id, changes.status ?? task.status);
      changed.push("boardId");
    }
    if (changes.assigneeAgentId !== undefined && changes.assigneeAgentId !== task.assigneeAgentId) {
      await assertAgentInOrg(manager, orgId, changes.assigneeAgentId);
      task.assigneeAgentId = changes.assigneeAgentId;
      changed.push("assigneeAgentId");
    }
    if (changes.status !== undefined && changes.status !== task.status) {
      task.status = changes.status;
      if (!changed.includes("boardId")) task.position = await endOfColumn(manager, task.boardId, changes.status);
      changed.push("status");
    }
    for (const key of ["title", "description", "priority", "dueDate"] as const) {
      const value = changes[key];
      if (value === undefined || value === task[key]) continue;
      (task as unknown as Record<string, unknown>)[key] = key === "title" ? (value as string).trim() : value;
      changed.push(key);
    }
    if (changes.tags !== undefined) {
      const beforeNames = before.tags.map((tag) => tag.name.toLowerCase()).sort().join(",");
      const afterNames = Array.from(new Set(changes.tags.map((name) => name.toLowerCase()))).sort().join(",");
      if (beforeNames !== afterNames) {
        await setTags(manager, orgId, id, changes.tags);
        changed.push("tags");
      }
    }
    if (changed.length === 0) return { task: before, changed };

    task.updatedAt = new Date();
    await repo.save(task);
    const statusOnly = changed.length === 1 && changed[0] === "status";
    await recordActivity(manager, {
      orgId,
      type: "task_updated",
      message: statusOnly
        ? `${actor.name} moved ${task.title} to ${STATUS_LABELS[task.status]}`
        : `${actor.name} updated ${task.title} (${changed.map((key) => FIELD_NAMES[key as keyof TaskChanges]).join(", ")})`,
      actor,
      boardId: task.boardId,
      taskId: id,
      agentId: task.assigneeAgentId,
      data: { fields: changed, ...(changed.includes("status") ? { from: before.status, to: task.status } : {}) },
    });
    const after = (await getTask({ orgId, id }, manager))!;
    await publishTask(manager, "task.updated", orgId, [before.boardId, after.boardId], { task: toApiTask(after), changed });
    return { task: after, changed };
  });
}

/** Drag-and-drop and the "move to" form: a status and, optionally, the card to land in front of. */
export async function moveTask({
  orgId,
  id,
  status,
  beforeTaskId,
  actor,
}: {
  orgId: string;
  id: string;
  status: TaskStatus;
  beforeTaskId?: string;
  actor: Actor;
}) {
  return transaction(async (manager) => {
    const repo = manager.getRepository(TaskEntity);
    const task = await repo.findOne({ where: { orgId, id }, lock: { mode: "pessimistic_write" } });
    if (!task) throw new DomainError(404, "not_found", "That task does not exist in this organization.");
    const from = task.status;
    let position: number;
    const anchor = beforeTaskId && beforeTaskId !== id ? await repo.findOneBy({ orgId, id: beforeTaskId, boardId: task.boardId, status }) : null;
    if (anchor) {
      const previous: Array<{ position: number }> = await manager.query(
        "select position from tasks where board_id = $1 and status = $2 and position < $3 and id <> $4 order by position desc limit 1",
        [task.boardId, status, anchor.position, id],
      );
      const low = previous[0] ? Number(previous[0].position) : anchor.position - 1024;
      position = (low + anchor.position) / 2;
    } else if (from === status) {
      return { task: (await getTask({ orgId, id }, manager))!, moved: false };
    } else {
      position = await endOfColumn(manager, task.boardId, status);
    }
    task.status = status;
    task.position = position;
    task.updatedAt = new Date();
    await repo.save(task);
    await recordActivity(manager, {
      orgId,
      type: "task_updated",
      message: from === status ? `${actor.name} reordered ${task.title}` : `${actor.name} moved ${task.title} to ${STATUS_LABELS[status]}`,
      actor,
      boardId: task.boardId,
      taskId: id,
      agentId: task.assigneeAgentId,
      data: { fields: ["status"], from, to: status },
    });
    const after = (await getTask({ orgId, id }, manager))!;
    await publishTask(manager, "task.updated", orgId, [after.boardId], { task: toApiTask(after), changed: ["status"] });
    return { task: after, moved: true };
  });
}

export async function deleteTask({ orgId, id, actor }: { orgId: string; id: string; actor: Actor }) {
  return transaction(async (manager) => {
    const repo = manager.getRepository(TaskEntity);
    const task = await repo.findOneBy({ orgId, id });
    if (!task) throw new DomainError(404, "not_found", "That task does not exist in this organization.");
    await repo.delete({ id });
    await recordActivity(manager, {
      orgId,
      type: "task_deleted",
      message: `${actor.name} deleted task: ${task.title}`,
      actor,
      boardId: task.boardId,
      taskId: id,
      agentId: task.assigneeAgentId,
    });
    await publishTask(manager, "task.deleted", orgId, [task.boardId], { taskId: id, boardId: task.boardId });
    return task;
  });
}

export async function countTasksByStatus(orgId: string): Promise<Record<TaskStatus, number>> {
  const rows: Array<{ status: TaskStatus; count: number }> = await db().query(
    "select status, count(*)::int as count from tasks where org_id = $1 group by status",
    [orgId],
  );
  const counts = { backlog: 0, todo: 0, "in-progress": 0, review: 0, done: 0 } as Record<TaskStatus, number>;
  for (const row of rows) counts[row.status] = row.count;
  return counts;
}

/** The BACKEND_SPEC task shape, plus boardId and dueDate. */
export function toApiTask(task: TaskView) {
  return {
    id: task.id,
    title: task.title,
    description: task.description,
    status: task.status,
    assignedAgent: task.assigneeAgentId,
    priority: task.priority,
    createdAt: task.createdAt.getTime(),
    updatedAt: task.updatedAt.getTime(),
    createdBy: task.createdBy,
    tags: task.tags.map((tag) => tag.name),
    boardId: task.boardId,
    dueDate: task.dueDate,
  };
}
