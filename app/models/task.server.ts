import type { EntityManager } from "typeorm";
import { db, transaction } from "~/db/data-source.server";
import { AgentEntity, BoardEntity, TaskEntity, TaskTagEntity, type Task, type TaskPriority, type TaskStatus } from "~/db/entities";
import type { ApiTask } from "~/lib/api-schemas";
import { STATUS_LABELS, TASK_FIELD_NAMES } from "~/lib/constants";
import { TaskCursor, type TaskCursorKey } from "~/lib/cursor";
import { DomainError } from "~/lib/http.server";
import { publish } from "~/realtime/publish.server";
import { recordActivity, type Actor } from "./activity.server";
import { claimRowVersion, StaleVersionError } from "./row-version.server";
import { ensureTags } from "./tag.server";
import {
  countTasksByStatusRows,
  selectBoardColumns,
  selectColumnEnd,
  selectPositionAbove,
  selectTask,
  selectTaskPage,
  selectTasks,
  type BoardColumnRows,
  type TaskFilter,
  type TaskView,
} from "./task.queries.server";
import { topic } from "~/lib/topics";

export type { BoardColumnRows, TaskFilter, TaskView };

/** task.created / task.updated / task.deleted for the board's page and for API followers. */
async function publishTask(manager: EntityManager, type: string, orgId: string, boardIds: string[], data: Record<string, unknown>) {
  const topics = [topic.tasks, ...Array.from(new Set(boardIds)).map(topic.board)];
  await publish(manager, { orgId, type, topics, data });
}

/** One query, tags aggregated per row; ordered for a Kanban (column, then position). */
export async function listTasks(filter: TaskFilter, manager: EntityManager = db().manager): Promise<TaskView[]> {
  return selectTasks(manager, filter);
}

export async function getTask({ orgId, id }: { orgId: string; id: string }, manager: EntityManager = db().manager) {
  return selectTask(manager, { orgId, id });
}

/**
 * A page of tasks in creation order for the API: `after` is the key the previous page's cursor
 * carried; `nextCursor` is null on the last page.
 */
export async function pageTasks({
  limit,
  after,
  ...filter
}: Pick<TaskFilter, "orgId" | "boardId" | "status" | "agentId"> & { limit: number; after?: TaskCursorKey }): Promise<{ tasks: TaskView[]; nextCursor: string | null }> {
  const { tasks, next } = await selectTaskPage(db().manager, { filter, limit, after });
  return { tasks, nextCursor: next ? TaskCursor.encode(next) : null };
}

/**
 * A board page bounded per column: the first `perColumn` cards of each column (or `limits[status]`
 * for a column whose "show more" was pressed) in Kanban order, and how many each column holds.
 */
export async function listBoardTasks({
  perColumn,
  limits,
  ...filter
}: Pick<TaskFilter, "orgId" | "agentId" | "tagId" | "tagName" | "priority"> & {
  boardId: string;
  perColumn: number;
  limits?: Partial<Record<TaskStatus, number>>;
}): Promise<Record<TaskStatus, BoardColumnRows>> {
  return selectBoardColumns(db().manager, { filter, perColumn, limits });
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

function endOfColumn(manager: EntityManager, boardId: string, status: TaskStatus) {
  return selectColumnEnd(manager, { boardId, status });
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

const FIELD_NAMES: Record<keyof TaskChanges, string> = TASK_FIELD_NAMES;

/**
 * A save based on an older version of the task than the stored one (ADR 017). `current` is the
 * stored task, so the form or the API can show what changed.
 */
export class StaleTaskError extends StaleVersionError<TaskView> {
  constructor(current: TaskView) {
    super("task", current);
    this.name = "StaleTaskError";
  }
}

/**
 * `expectedVersion`: the version the change was based on (the edit form's, an API `If-Match`);
 * a stored version that moved on refuses the change with a StaleTaskError and writes nothing.
 * Without it the last write wins.
 */
export async function updateTask({
  orgId,
  id,
  changes,
  actor,
  expectedVersion,
}: {
  orgId: string;
  id: string;
  changes: TaskChanges;
  actor: Actor;
  expectedVersion?: number;
}) {
  return transaction(async (manager) => {
    const repo = manager.getRepository(TaskEntity);
    const task = await repo.findOne({ where: { orgId, id }, lock: { mode: "pessimistic_write" } });
    if (!task) throw new DomainError(404, "not_found", "That task does not exist in this organization.");
    const before = (await getTask({ orgId, id }, manager))!;
    if (expectedVersion !== undefined && task.version !== expectedVersion) throw new StaleTaskError(before);
    const changed: Array<keyof TaskChanges> = [];

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
    const assign = <K extends "title" | "description" | "priority" | "dueDate">(key: K, value: Task[K] | undefined) => {
      if (value === undefined || value === task[key]) return;
      task[key] = value;
      changed.push(key);
    };
    assign("title", changes.title?.trim());
    assign("description", changes.description);
    assign("priority", changes.priority);
    assign("dueDate", changes.dueDate);
    if (changes.tags !== undefined) {
      const beforeNames = before.tags.map((tag) => tag.name.toLowerCase()).sort().join(",");
      const afterNames = Array.from(new Set(changes.tags.map((name) => name.toLowerCase()))).sort().join(",");
      if (beforeNames !== afterNames) {
        await setTags(manager, orgId, id, changes.tags);
        changed.push("tags");
      }
    }
    if (changed.length === 0) return { task: before, changed };

    // The row is locked above, so this cannot miss; it is the one statement that decides anyway.
    const version = await claimRowVersion(manager, "tasks", { orgId, id, expected: expectedVersion ?? null });
    if (version === null) throw new StaleTaskError(before);
    task.version = version;
    task.updatedAt = new Date();
    await repo.save(task);
    const statusOnly = changed.length === 1 && changed[0] === "status";
    await recordActivity(manager, {
      orgId,
      type: "task_updated",
      message: statusOnly
        ? `${actor.name} moved ${task.title} to ${STATUS_LABELS[task.status]}`
        : `${actor.name} updated ${task.title} (${changed.map((key) => FIELD_NAMES[key]).join(", ")})`,
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
      const above = await selectPositionAbove(manager, { boardId: task.boardId, status, position: anchor.position, excludeId: id });
      const low = above ?? anchor.position - 1024;
      position = (low + anchor.position) / 2;
    } else if (from === status) {
      return { task: (await getTask({ orgId, id }, manager))!, moved: false };
    } else {
      position = await endOfColumn(manager, task.boardId, status);
    }
    task.status = status;
    task.position = position;
    task.version = (await claimRowVersion(manager, "tasks", { orgId, id, expected: null }))!;
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

export function countTasksByStatus(orgId: string): Promise<Record<TaskStatus, number>> {
  return countTasksByStatusRows(db().manager, orgId);
}

/** The BACKEND_SPEC task shape, plus boardId and dueDate. */
export function toApiTask(task: TaskView): ApiTask {
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
