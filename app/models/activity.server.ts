import type { EntityManager } from "typeorm";
import { db } from "~/db/data-source.server";
import type { ActivityEvent, ActorType } from "~/db/entities";
import type { ApiEvent } from "~/lib/api-schemas";
import { EventCursor, type EventCursorKey } from "~/lib/cursor";
import { publish } from "~/realtime/publish.server";
import { insertActivityEvent, selectActivity, selectActivityTypes, type ActivityFilter } from "./activity.queries.server";
import { topic } from "~/lib/topics";

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
  const saved = await insertActivityEvent(manager, {
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
    // agent activity keeps the record's own time; everything else is stamped by the database
    createdAt: input.at,
  });
  const topics = [topic.activity, ...(input.topics ?? [])];
  if (saved.agentId) topics.push(topic.agent(saved.agentId));
  await publish(manager, { orgId: saved.orgId, type: "event.new", topics, data: { event: toApiEvent(saved) } });
  return saved;
}

export type { ActivityFilter };

export async function listActivity(filter: ActivityFilter): Promise<ActivityEvent[]> {
  return selectActivity(db().manager, filter);
}

/**
 * A page of the feed for the API, newest first: `before` is the key the previous page's cursor
 * carried. New events get higher ids, so they land before the first page, never inside a later one.
 */
export async function pageActivity({
  limit,
  before,
  ...filter
}: Pick<ActivityFilter, "orgId" | "since"> & { limit: number; before?: EventCursorKey }): Promise<{ events: ActivityEvent[]; nextCursor: string | null }> {
  const rows = await selectActivity(db().manager, { ...filter, beforeId: before?.id, limit: limit + 1, maxLimit: limit + 1 });
  const events = rows.slice(0, limit);
  const last = events[events.length - 1];
  return { events, nextCursor: rows.length > limit && last ? EventCursor.encode({ id: last.id }) : null };
}

export async function listActivityTypes(orgId: string): Promise<string[]> {
  return selectActivityTypes(db().manager, orgId);
}

/** The BACKEND_SPEC event shape. */
export function toApiEvent(event: ActivityEvent): ApiEvent {
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
      ? {
          sessionKey: event.data.sessionKey,
          ...(typeof event.data.tool === "string" && event.data.tool ? { tool: event.data.tool } : {}),
          ...(typeof event.data.summary === "string" && event.data.summary ? { summary: event.data.summary } : {}),
        }
      : {}),
  };
}
