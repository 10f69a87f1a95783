import { db, transaction } from "~/db/data-source.server";
import type { Board, BoardGroup } from "~/db/entities";
import { DomainError } from "~/lib/http.server";
import { isUniqueViolation } from "~/db/rows";
import { publish } from "~/realtime/publish.server";
import { recordActivity, type Actor } from "./activity.server";
import * as queries from "./board.queries.server";
import { assertVersion, claimRowVersion, StaleVersionError } from "./row-version.server";
import { topic } from "~/lib/topics";

export type BoardSummary = queries.BoardWithCounts;

export async function listBoards(orgId: string): Promise<{ groups: BoardGroup[]; boards: BoardSummary[] }> {
  const [groups, boards] = await Promise.all([queries.listGroups(db().manager, orgId), queries.listBoardsWithCounts(db().manager, orgId)]);
  return { groups, boards };
}

export function getBoard({ orgId, id }: { orgId: string; id: string }): Promise<Board | null> {
  return queries.findBoard(db().manager, { orgId, id });
}

export function getDefaultBoard(orgId: string): Promise<Board | null> {
  return queries.findDefaultBoard(db().manager, orgId);
}

async function assertGroupInOrg(orgId: string, groupId: string | null | undefined) {
  if (!groupId) return;
  if (!(await queries.groupExists(db().manager, { orgId, id: groupId }))) {
    throw new DomainError(400, "invalid_group", "That board group does not exist.", "groupId");
  }
}

export interface BoardInput {
  name: string;
  description?: string;
  objective?: string;
  groupId?: string | null;
}

const boardExists = (name: string) => new DomainError(409, "board_exists", `A board called "${name.trim()}" already exists. Pick another name.`, "name");

/** The unique index (org, lower(name)) caught a concurrent create or rename: the same sentence as the check. */
async function refuseTakenName<T>(name: string, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (isUniqueViolation(error, "boards_org_name_key")) throw boardExists(name);
    throw error;
  }
}

export async function createBoard({ orgId, input, actor }: { orgId: string; input: BoardInput; actor: Actor }) {
  await assertGroupInOrg(orgId, input.groupId);
  return refuseTakenName(input.name, transaction(async (manager) => {
    if (await queries.boardNameTaken(manager, { orgId, name: input.name.trim() })) throw boardExists(input.name);
    const board = await queries.insertBoard(manager, {
      orgId,
      name: input.name.trim(),
      description: input.description ?? "",
      objective: input.objective ?? "",
      groupId: input.groupId ?? null,
      isDefault: false,
      gatewayId: null,
    });
    await recordActivity(manager, { orgId, type: "board_created", message: `${actor.name} created the board ${board.name}`, actor, boardId: board.id });
    return board;
  }));
}

/**
 * Writes the fields in `changes` (an edit form sends only what the person changed) and bumps the
 * version. `expectedVersion`: the version the edit was based on; a board that moved on is refused
 * with a StaleVersionError carrying the stored board, and nothing is written (ADR 017).
 */
export async function updateBoard({
  orgId,
  id,
  changes,
  actor,
  expectedVersion,
}: {
  orgId: string;
  id: string;
  changes: Partial<BoardInput>;
  actor: Actor;
  expectedVersion?: number;
}) {
  if (changes.groupId !== undefined) await assertGroupInOrg(orgId, changes.groupId);
  const name = changes.name?.trim();
  return refuseTakenName(name ?? "", transaction(async (manager) => {
    const board = await queries.findBoard(manager, { orgId, id }, { lock: true });
    if (!board) throw new DomainError(404, "not_found", "That board does not exist.");
    assertVersion("board", board, expectedVersion, () => ({ ...board }));
    if (name !== undefined && name !== board.name && (await queries.boardNameTaken(manager, { orgId, name, exceptId: id }))) throw boardExists(name);
    const next = {
      name: name ?? board.name,
      description: changes.description ?? board.description,
      objective: changes.objective ?? board.objective,
      groupId: changes.groupId !== undefined ? changes.groupId : board.groupId,
    };
    const changed = (Object.keys(next) as Array<keyof typeof next>).filter((key) => next[key] !== board[key]);
    if (changed.length === 0) return board;
    const stored = { ...board };
    const version = await claimRowVersion(manager, "boards", { orgId, id, expected: expectedVersion ?? null });
    if (version === null) throw new StaleVersionError("board", stored);
    Object.assign(board, next, { version, updatedAt: new Date() });
    const saved = await queries.saveBoard(manager, board);
    await recordActivity(manager, { orgId, type: "board_updated", message: `${actor.name} updated the board ${saved.name}`, actor, boardId: id });
    await publish(manager, { orgId, type: "board.updated", topics: [topic.board(id), topic.tasks], data: { boardId: id, name: saved.name, version } });
    return saved;
  }));
}

export async function deleteBoard({ orgId, id, actor }: { orgId: string; id: string; actor: Actor }) {
  return transaction(async (manager) => {
    const board = await queries.findBoard(manager, { orgId, id });
    if (!board) throw new DomainError(404, "not_found", "That board does not exist.");
    if (board.isDefault) {
      throw new DomainError(400, "default_board", "The default board receives tasks created through the API and cannot be deleted.");
    }
    await queries.deleteBoard(manager, id);
    await recordActivity(manager, {
      orgId,
      type: "board_deleted",
      message: `${actor.name} deleted the board ${board.name} and its tasks`,
      actor,
      boardId: id,
    });
    await publish(manager, { orgId, type: "board.deleted", topics: [topic.board(id), topic.tasks], data: { boardId: id } });
  });
}

export async function createBoardGroup({ orgId, name, actor }: { orgId: string; name: string; actor: Actor }) {
  return transaction(async (manager) => {
    const position = await queries.countGroups(manager, orgId);
    const group = await queries.insertGroup(manager, { orgId, name: name.trim(), position });
    await recordActivity(manager, { orgId, type: "board_group_created", message: `${actor.name} created the board group ${group.name}`, actor, data: { groupId: group.id } });
    return group;
  });
}

export async function deleteBoardGroup({ orgId, id, actor }: { orgId: string; id: string; actor: Actor }) {
  return transaction(async (manager) => {
    const group = await queries.findGroup(manager, { orgId, id });
    if (!group) throw new DomainError(404, "not_found", "That board group does not exist.");
    await queries.deleteGroup(manager, id);
    await recordActivity(manager, {
      orgId,
      type: "board_group_deleted",
      message: `${actor.name} deleted the board group ${group.name} (its boards are kept)`,
      actor,
    });
  });
}
