import { db, transaction } from "~/db/data-source.server";
import { BoardEntity, BoardGroupEntity, type Board, type BoardGroup } from "~/db/entities";
import { DomainError } from "~/lib/http.server";
import { publish } from "~/realtime/publish.server";
import { recordActivity, type Actor } from "./activity.server";

export interface BoardSummary extends Board {
  taskCount: number;
  openCount: number;
}

export async function listBoards(orgId: string): Promise<{ groups: BoardGroup[]; boards: BoardSummary[] }> {
  const groups = await db().getRepository(BoardGroupEntity).find({ where: { orgId }, order: { position: "ASC", name: "ASC" } });
  const rows: Array<Record<string, unknown>> = await db().query(
    `select b.*, count(t.id)::int as task_count, count(t.id) filter (where t.status <> 'done')::int as open_count
       from boards b left join tasks t on t.board_id = b.id
      where b.org_id = $1
      group by b.id
      order by b.is_default desc, lower(b.name)`,
    [orgId],
  );
  const boards = rows.map((row) => ({
    id: row.id as string,
    orgId: row.org_id as string,
    groupId: (row.group_id as string | null) ?? null,
    name: row.name as string,
    description: row.description as string,
    objective: row.objective as string,
    isDefault: row.is_default as boolean,
    gatewayId: (row.gateway_id as string | null) ?? null,
    createdAt: row.created_at as Date,
    updatedAt: row.updated_at as Date,
    taskCount: row.task_count as number,
    openCount: row.open_count as number,
  }));
  return { groups, boards };
}

export function getBoard({ orgId, id }: { orgId: string; id: string }): Promise<Board | null> {
  return db().getRepository(BoardEntity).findOneBy({ orgId, id });
}

export function getDefaultBoard(orgId: string): Promise<Board | null> {
  return db().getRepository(BoardEntity).findOneBy({ orgId, isDefault: true });
}

async function assertGroupInOrg(orgId: string, groupId: string | null | undefined) {
  if (!groupId) return;
  const exists = await db().getRepository(BoardGroupEntity).existsBy({ orgId, id: groupId });
  if (!exists) throw new DomainError(400, "invalid_group", "That board group does not exist.", "groupId");
}

export interface BoardInput {
  name: string;
  description?: string;
  objective?: string;
  groupId?: string | null;
}

export async function createBoard({ orgId, input, actor }: { orgId: string; input: BoardInput; actor: Actor }) {
  await assertGroupInOrg(orgId, input.groupId);
  return transaction(async (manager) => {
    const repo = manager.getRepository(BoardEntity);
    const board = await repo.save(
      repo.create({
        orgId,
        name: input.name.trim(),
        description: input.description ?? "",
        objective: input.objective ?? "",
        groupId: input.groupId ?? null,
        isDefault: false,
        gatewayId: null,
      }),
    );
    await recordActivity(manager, { orgId, type: "board_created", message: `${actor.name} created the board ${board.name}`, actor, boardId: board.id });
    return board;
  });
}

export async function updateBoard({ orgId, id, input, actor }: { orgId: string; id: string; input: BoardInput; actor: Actor }) {
  await assertGroupInOrg(orgId, input.groupId);
  return transaction(async (manager) => {
    const repo = manager.getRepository(BoardEntity);
    const board = await repo.findOneBy({ orgId, id });
    if (!board) throw new DomainError(404, "not_found", "That board does not exist.");
    board.name = input.name.trim();
    board.description = input.description ?? "";
    board.objective = input.objective ?? "";
    board.groupId = input.groupId ?? null;
    const saved = await repo.save(board);
    await recordActivity(manager, { orgId, type: "board_updated", message: `${actor.name} updated the board ${saved.name}`, actor, boardId: id });
    await publish(manager, { orgId, type: "board.updated", topics: [`board:${id}`, "tasks"], data: { boardId: id, name: saved.name } });
    return saved;
  });
}

export async function deleteBoard({ orgId, id, actor }: { orgId: string; id: string; actor: Actor }) {
  return transaction(async (manager) => {
    const repo = manager.getRepository(BoardEntity);
    const board = await repo.findOneBy({ orgId, id });
    if (!board) throw new DomainError(404, "not_found", "That board does not exist.");
    if (board.isDefault) {
      throw new DomainError(400, "default_board", "The default board receives tasks created through the API and cannot be deleted.");
    }
    await repo.delete({ id });
    await recordActivity(manager, {
      orgId,
      type: "board_deleted",
      message: `${actor.name} deleted the board ${board.name} and its tasks`,
      actor,
      boardId: id,
    });
    await publish(manager, { orgId, type: "board.deleted", topics: [`board:${id}`, "tasks"], data: { boardId: id } });
  });
}

export async function createBoardGroup({ orgId, name, actor }: { orgId: string; name: string; actor: Actor }) {
  return transaction(async (manager) => {
    const repo = manager.getRepository(BoardGroupEntity);
    const count = await repo.countBy({ orgId });
    const group = await repo.save(repo.create({ orgId, name: name.trim(), position: count }));
    await recordActivity(manager, { orgId, type: "board_group_created", message: `${actor.name} created the board group ${group.name}`, actor });
    return group;
  });
}

export async function deleteBoardGroup({ orgId, id, actor }: { orgId: string; id: string; actor: Actor }) {
  return transaction(async (manager) => {
    const repo = manager.getRepository(BoardGroupEntity);
    const group = await repo.findOneBy({ orgId, id });
    if (!group) throw new DomainError(404, "not_found", "That board group does not exist.");
    await repo.delete({ id });
    await recordActivity(manager, {
      orgId,
      type: "board_group_deleted",
      message: `${actor.name} deleted the board group ${group.name} (its boards are kept)`,
      actor,
    });
  });
}
