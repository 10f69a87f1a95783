import type { EntityManager } from "typeorm";
import { db } from "~/db/data-source.server";
import { ActivityEventEntity, type ActivityEvent, type ActorType } from "~/db/entities";
import { publish } from "~/realtime/publish.server";

export interface Actor {
  type: ActorType;
  id: string | null;
  name: string;
}

export const SYSTEM_ACTOR: Actor = { type: "system", id: null, name: "System" };

export interface RecordActivityInput {
  orgId: string;
  type: string;
  message: string;
  actor: Actor;
  boardId?: string | null;
  taskId?: string | null;
  agentId?: string | null;
  data?: Record<string, unknown>;
  /** when it happened, if not now (agent activity carries the record's own time) */
  at?: Date;
  /** more stream topics for `event.new` (agent activity also goes to "sessions" and "office") */
  topics?: string[];
}

/**
 * Always called with the manager of the transaction that made the change, so both commit together;
 * it also publishes `event.new`, so call it as the last write of the transaction.
 */
export async function recordActivity(manager: EntityManager, input: RecordActivityInput): Promise<ActivityEvent> {
  const repo = manager.getRepository(ActivityEventEntity);
  const row = repo.create({
    orgId: input.orgId,
    type: input.type,
    message: input.message,
    actorType: input.actor.type,
    actorId: input.actor.id,
    actorName: input.actor.name,
    boardId: input.boardId ?? null,
    taskId: input.taskId ?? null,
    agentId: input.agentId ?? null,
    data: input.data ?? {},
    ...(input.at ? { createdAt: input.at } : {}),
  });
  let saved: ActivityEvent;
  if (input.at) {
    // save() stamps create-date columns itself; a plain insert keeps the record's own time.
    const rows: Array<{ id: string }> = await manager.query(
      `insert into activity_events (org_id, type, message, actor_type, actor_id, actor_name, board_id, task_id, agent_id, data, created_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) returning id`,
      [row.orgId, row.type, row.message, row.actorType, row.actorId, row.actorName, row.boardId, row.taskId, row.agentId, JSON.stringify(row.data), input.at],
    );
    saved = { ...row, id: String(rows[0]!.id), createdAt: input.at };
  } else {
    saved = await repo.save(row);
  }
  const topics = ["activity", ...(input.topics ?? [])];
  if (saved.agentId) topics.push(`agent:${saved.agentId}`);
  await publish(manager, { orgId: saved.orgId, type: "event.new", topics, data: { event: toApiEvent(saved) } });
  return saved;
}

export interface ActivityFilter {
  orgId: string;
  limit?: number;
  /** only events created after this instant */
  since?: Date;
  /** only events with an id below this one (paging backwards) */
  beforeId?: string;
  type?: string;
  typePrefix?: string;
  boardId?: string;
  taskId?: string;
  agentId?: string;
  actorType?: ActorType;
  /** agent activity of one session */
  sessionKey?: string;
  /** agent activity of any of these sessions */
  sessionKeys?: string[];
  /** with sessionKey: the session's gateway (null: read from transcript files) — keys repeat across gateways */
  sessionGatewayId?: string | null;
  /** the most `limit` may ask for (500; a session's page reads one session's story, up to 3,000) */
  maxLimit?: number;
}

export async function listActivity(filter: ActivityFilter): Promise<ActivityEvent[]> {
  const limit = Math.min(Math.max(filter.limit ?? 50, 1), filter.maxLimit ?? 500);
  const query = db()
    .getRepository(ActivityEventEntity)
    .createQueryBuilder("e")
    .where("e.org_id = :orgId", { orgId: filter.orgId })
    .orderBy("e.id", "DESC")
    .limit(limit);
  // The API speaks milliseconds and PostgreSQL keeps microseconds: compare at millisecond precision so
  // a client polling with the last timestamp it saw gets neither repeats nor gaps.
  if (filter.since) query.andWhere("date_trunc('milliseconds', e.created_at) > :since", { since: filter.since });
  if (filter.beforeId) query.andWhere("e.id < :beforeId", { beforeId: filter.beforeId });
  if (filter.type) query.andWhere("e.type = :type", { type: filter.type });
  if (filter.typePrefix) query.andWhere("e.type like :prefix", { prefix: `${filter.typePrefix}%` });
  if (filter.boardId) query.andWhere("e.board_id = :boardId", { boardId: filter.boardId });
  if (filter.taskId) query.andWhere("e.task_id = :taskId", { taskId: filter.taskId });
  if (filter.agentId) query.andWhere("e.agent_id = :agentId", { agentId: filter.agentId });
  if (filter.actorType) query.andWhere("e.actor_type = :actorType", { actorType: filter.actorType });
  if (filter.sessionKey) query.andWhere("e.data->>'sessionKey' = :sessionKey", { sessionKey: filter.sessionKey });
  if (filter.sessionKeys) query.andWhere("e.data->>'sessionKey' in (:...sessionKeys)", { sessionKeys: filter.sessionKeys.length ? filter.sessionKeys : [""] });
  if (filter.sessionGatewayId !== undefined) {
    if (filter.sessionGatewayId === null) query.andWhere("e.data->>'gatewayId' is null");
    else query.andWhere("e.data->>'gatewayId' = :sessionGatewayId", { sessionGatewayId: filter.sessionGatewayId });
  }
  return query.getMany();
}

export async function listActivityTypes(orgId: string): Promise<string[]> {
  const rows: Array<{ type: string }> = await db().query(
    "select distinct type from activity_events where org_id = $1 order by type",
    [orgId],
  );
  return rows.map((row) => row.type);
}

/** The BACKEND_SPEC event shape. */
export function toApiEvent(event: ActivityEvent) {
  return {
    id: String(event.id),
    type: event.type,
    message: event.message,
    agentId: event.agentId,
    taskId: event.taskId,
    timestamp: event.createdAt.getTime(),
    actor: { type: event.actorType, name: event.actorName },
    // agent activity: which session, and the tool and its summary when there is one
    ...(typeof event.data.sessionKey === "string"
      ? { sessionKey: event.data.sessionKey, ...(event.data.tool ? { tool: event.data.tool } : {}), ...(event.data.summary ? { summary: event.data.summary } : {}) }
      : {}),
  };
}
