import { z } from "zod";
import { BoardEntity, BoardGroupEntity, type Board, type BoardGroup } from "~/db/entities";
import { col, rowDecoder, type Queryable } from "~/db/rows";

/* Every statement on `boards` and `board_groups`. */

export interface BoardWithCounts extends Board {
  taskCount: number;
  openCount: number;
}

const boardWithCountsRow = rowDecoder(
  "boards: list with task counts",
  z.object({
    id: col.uuid,
    orgId: col.uuid,
    groupId: col.uuid.nullable(),
    name: col.text,
    description: col.text,
    objective: col.text,
    isDefault: col.bool,
    gatewayId: col.uuid.nullable(),
    version: col.int,
    createdAt: col.timestamp,
    updatedAt: col.timestamp,
    taskCount: col.int,
    openCount: col.int,
  }) satisfies z.ZodType<BoardWithCounts>,
);

/** The default board first, then by name; with how many tasks each holds and how many are open. */
export async function listBoardsWithCounts(q: Queryable, orgId: string): Promise<BoardWithCounts[]> {
  return boardWithCountsRow.all(
    await q.query(
      `select b.id, b.org_id as "orgId", b.group_id as "groupId", b.name, b.description, b.objective,
              b.is_default as "isDefault", b.gateway_id as "gatewayId", b.version, b.created_at as "createdAt", b.updated_at as "updatedAt",
              count(t.id)::int as "taskCount", count(t.id) filter (where t.status <> 'done')::int as "openCount"
         from boards b left join tasks t on t.board_id = b.id
        where b.org_id = $1
        group by b.id
        order by b.is_default desc, lower(b.name)`,
      [orgId],
    ),
  );
}

/** `lock`: hold the row for the rest of the transaction (an edit's read-check-write). */
export function findBoard(q: Queryable, { orgId, id }: { orgId: string; id: string }, { lock = false } = {}): Promise<Board | null> {
  return q.getRepository(BoardEntity).findOne({ where: { orgId, id }, ...(lock ? { lock: { mode: "pessimistic_write" as const } } : {}) });
}

export function findDefaultBoard(q: Queryable, orgId: string): Promise<Board | null> {
  return q.getRepository(BoardEntity).findOneBy({ orgId, isDefault: true });
}

export function insertBoard(q: Queryable, board: Omit<Board, "id" | "createdAt" | "updatedAt" | "version">): Promise<Board> {
  const repo = q.getRepository(BoardEntity);
  return repo.save(repo.create(board));
}

export function saveBoard(q: Queryable, board: Board): Promise<Board> {
  return q.getRepository(BoardEntity).save(board);
}

export async function deleteBoard(q: Queryable, id: string): Promise<void> {
  await q.getRepository(BoardEntity).delete({ id });
}

export function listGroups(q: Queryable, orgId: string): Promise<BoardGroup[]> {
  return q.getRepository(BoardGroupEntity).find({ where: { orgId }, order: { position: "ASC", name: "ASC" } });
}

export function findGroup(q: Queryable, { orgId, id }: { orgId: string; id: string }): Promise<BoardGroup | null> {
  return q.getRepository(BoardGroupEntity).findOneBy({ orgId, id });
}

export function groupExists(q: Queryable, { orgId, id }: { orgId: string; id: string }): Promise<boolean> {
  return q.getRepository(BoardGroupEntity).existsBy({ orgId, id });
}

export function countGroups(q: Queryable, orgId: string): Promise<number> {
  return q.getRepository(BoardGroupEntity).countBy({ orgId });
}

export function insertGroup(q: Queryable, group: Omit<BoardGroup, "id" | "createdAt">): Promise<BoardGroup> {
  const repo = q.getRepository(BoardGroupEntity);
  return repo.save(repo.create(group));
}

export async function deleteGroup(q: Queryable, id: string): Promise<void> {
  await q.getRepository(BoardGroupEntity).delete({ id });
}

/** Another board of the organization already has this name, ignoring case (boards_org_name_key). */
export function boardNameTaken(q: Queryable, { orgId, name, exceptId }: { orgId: string; name: string; exceptId?: string }): Promise<boolean> {
  const query = q.getRepository(BoardEntity).createQueryBuilder("b").where("b.org_id = :orgId and lower(b.name) = lower(:name)", { orgId, name });
  if (exceptId) query.andWhere("b.id <> :exceptId", { exceptId });
  return query.getExists();
}
