import type { EntityManager } from "typeorm";
import { z } from "zod";
import { ACTOR_TYPES, type ActivityEvent, type ActorType } from "~/db/entities";
import { col, rowDecoder } from "~/db/rows";

/*
 * Every SQL statement about the activity feed, with typed results (activity.server.ts keeps the
 * domain rules and the publishing).
 */

const EVENT_COLUMNS = `e.id, e.org_id as "orgId", e.type, e.message, e.actor_type as "actorType", e.actor_id as "actorId",
  e.actor_name as "actorName", e.board_id as "boardId", e.task_id as "taskId", e.agent_id as "agentId", e.data, e.created_at as "createdAt"`;

const eventShape = z.object({
  // bigint: pg answers it as text, which is what the API speaks (ids outgrow a JS number's 2^53)
  id: col.bigint,
  orgId: col.uuid,
  type: col.text,
  message: col.text,
  actorType: z.enum(ACTOR_TYPES),
  actorId: col.text.nullable(),
  actorName: col.text,
  boardId: col.uuid.nullable(),
  taskId: col.uuid.nullable(),
  agentId: col.uuid.nullable(),
  // jsonb, parsed by node-postgres: events carry a JSON object of their own keys (sessionKey, gatewayId, …)
  data: col.json,
  createdAt: col.timestamp,
}) satisfies z.ZodType<ActivityEvent>;

const insertedEventRow = rowDecoder("activity_events: insert", eventShape);
const eventRow = rowDecoder("activity_events: select", eventShape);

const typeRow = rowDecoder("activity_events: types", z.object({ type: col.text }));

export type NewActivityEvent = Omit<ActivityEvent, "id" | "createdAt"> & { createdAt?: Date };

/** Inserts one event; created_at is the database's now() unless the event carries its own time. */
export async function insertActivityEvent(manager: EntityManager, event: NewActivityEvent): Promise<ActivityEvent> {
  const rows: unknown = await manager.query(
    `insert into activity_events as e (org_id, type, message, actor_type, actor_id, actor_name, board_id, task_id, agent_id, data, created_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, coalesce($11::timestamptz, now()))
     returning ${EVENT_COLUMNS}`,
    [
      event.orgId,
      event.type,
      event.message,
      event.actorType,
      event.actorId,
      event.actorName,
      event.boardId,
      event.taskId,
      event.agentId,
      JSON.stringify(event.data),
      event.createdAt ?? null,
    ],
  );
  return insertedEventRow.one(rows);
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

/** Newest first (by id); `limit` is clamped to 1…maxLimit (default 50, max 500). */
export async function selectActivity(manager: EntityManager, filter: ActivityFilter): Promise<ActivityEvent[]> {
  const limit = Math.min(Math.max(Math.trunc(filter.limit ?? 50), 1), filter.maxLimit ?? 500);
  const where = ["e.org_id = $1"];
  const params: unknown[] = [filter.orgId];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace("?", `$${params.length}`));
  };
  // The API speaks milliseconds and PostgreSQL keeps microseconds: compare at millisecond precision so
  // a client polling with the last timestamp it saw gets neither repeats nor gaps.
  if (filter.since) add("date_trunc('milliseconds', e.created_at) > ?", filter.since);
  if (filter.beforeId) add("e.id < ?::bigint", filter.beforeId);
  if (filter.type) add("e.type = ?", filter.type);
  if (filter.typePrefix) add("e.type like ?", `${filter.typePrefix.replace(/[\\%_]/g, "\\$&")}%`);
  if (filter.boardId) add("e.board_id = ?", filter.boardId);
  if (filter.taskId) add("e.task_id = ?", filter.taskId);
  if (filter.agentId) add("e.agent_id = ?", filter.agentId);
  if (filter.actorType) add("e.actor_type = ?", filter.actorType);
  if (filter.sessionKey) add("e.data->>'sessionKey' = ?", filter.sessionKey);
  if (filter.sessionKeys) add("e.data->>'sessionKey' = any(?::text[])", filter.sessionKeys);
  if (filter.sessionGatewayId !== undefined) {
    if (filter.sessionGatewayId === null) where.push("e.data->>'gatewayId' is null");
    else add("e.data->>'gatewayId' = ?", filter.sessionGatewayId);
  }
  params.push(limit);
  return eventRow.all(
    await manager.query(`select ${EVENT_COLUMNS} from activity_events e where ${where.join(" and ")} order by e.id desc limit $${params.length}`, params),
  );
}

export async function selectActivityTypes(manager: EntityManager, orgId: string): Promise<string[]> {
  return typeRow.all(await manager.query("select distinct type from activity_events where org_id = $1 order by type", [orgId])).map((row) => row.type);
}

/** What an entry can name, each by its id (a session by its gateway and key, as the rows carry it). */
export interface SubjectIds {
  tasks: string[];
  boards: string[];
  agents: string[];
  gateways: string[];
  members: string[];
  tokens: string[];
  tags: string[];
  /** gateway id ("" for a legacy transcript's session) and session key, pairwise */
  sessions: Array<{ gatewayId: string | null; sessionKey: string }>;
}

const subjectRow = rowDecoder(
  "activity_events: subjects",
  z.object({ kind: z.enum(["task", "board", "agent", "gateway", "member", "token", "tag", "session"]), ref: col.text, id: col.text, label: col.text }),
);
export type SubjectRow = ReturnType<typeof subjectRow.one>;

const NIL = "00000000-0000-0000-0000-000000000000";

/**
 * The subjects of a page of entries that still exist in the organization, with their current names,
 * in one round trip. `ref` is what the entry carries (the id; for a session "<gateway id>|<key>").
 */
export async function selectSubjects(manager: EntityManager, orgId: string, ids: SubjectIds): Promise<SubjectRow[]> {
  return subjectRow.all(
    await manager.query(
      `select 'task' as kind, id::text as ref, id::text as id, title as label from tasks where org_id = $1 and id = any($2::uuid[])
       union all select 'board', id::text, id::text, name from boards where org_id = $1 and id = any($3::uuid[])
       union all select 'agent', id::text, id::text, name from agents where org_id = $1 and id = any($4::uuid[])
       union all select 'gateway', id::text, id::text, name from gateways where org_id = $1 and id = any($5::uuid[])
       union all select 'member', u.id::text, u.id::text, u.display_name from memberships m join users u on u.id = m.user_id
                  where m.org_id = $1 and m.user_id = any($6::uuid[])
       union all select 'token', id::text, id::text, name from api_tokens where org_id = $1 and id = any($7::uuid[])
       union all select 'tag', id::text, id::text, name from tags where org_id = $1 and id = any($8::uuid[])
       union all select 'session', r.g || '|' || r.k, s.id::text, coalesce(nullif(s.label, ''), s.session_key)
                  from unnest($9::text[], $10::text[]) as r(g, k)
                  join agent_sessions s on s.org_id = $1 and coalesce(s.gateway_id, '${NIL}'::uuid) = coalesce(nullif(r.g, '')::uuid, '${NIL}'::uuid) and s.session_key = r.k`,
      [
        orgId,
        ids.tasks,
        ids.boards,
        ids.agents,
        ids.gateways,
        ids.members,
        ids.tokens,
        ids.tags,
        ids.sessions.map((s) => s.gatewayId ?? ""),
        ids.sessions.map((s) => s.sessionKey),
      ],
    ),
  );
}
