import type { ApiTokenRole } from "~/lib/schemas";
import { EntitySchema } from "typeorm";
import { ACTOR_TYPES, AGENT_ROLES, AGENT_STATUSES, GATEWAY_STATES, ROLES, TASK_PRIORITIES, TASK_STATUSES } from "../lib/constants";

export { ACTOR_TYPES, AGENT_ROLES, AGENT_STATUSES, GATEWAY_STATES, ROLES, TASK_PRIORITIES, TASK_STATUSES };

/*
 * Entities are EntitySchema objects rather than decorated classes: Vite/esbuild emits no decorator
 * metadata, and explicit column types keep the mapping obvious. The tables themselves are created
 * by the SQL in migrations/, which is the source of truth; these schemas only map rows.
 */

export type Role = (typeof ROLES)[number];

export type TaskStatus = (typeof TASK_STATUSES)[number];

export type TaskPriority = (typeof TASK_PRIORITIES)[number];

export type AgentRole = (typeof AGENT_ROLES)[number];

export type AgentStatus = (typeof AGENT_STATUSES)[number];

export type ActorType = (typeof ACTOR_TYPES)[number];

const createdAt = { type: "timestamptz", name: "created_at", createDate: true } as const;
const updatedAt = { type: "timestamptz", name: "updated_at", updateDate: true } as const;
const uuidPk = { type: "uuid", primary: true, generated: "uuid" } as const;

export interface User {
  id: string;
  username: string;
  email: string | null;
  displayName: string;
  passwordHash: string;
  createdAt: Date;
  updatedAt: Date;
}
export const UserEntity = new EntitySchema<User>({
  name: "User",
  tableName: "users",
  columns: {
    id: uuidPk,
    username: { type: "text" },
    email: { type: "text", nullable: true },
    displayName: { type: "text", name: "display_name" },
    passwordHash: { type: "text", name: "password_hash" },
    createdAt,
    updatedAt,
  },
});

export interface Organization {
  id: string;
  name: string;
  slug: string;
  createdAt: Date;
  /** bumped by every edit; an edit based on an older one is refused (ADR 017) */
  version: number;
  /** IANA name: the organization's days (costs, "today", charts) are this zone's (ADR 027) */
  timeZone: string;
  /** spend per calendar month of `timeZone`, in USD; null: no budget */
  monthlyBudgetUsd: number | null;
}
export const OrganizationEntity = new EntitySchema<Organization>({
  name: "Organization",
  tableName: "organizations",
  columns: {
    version: { type: "integer", default: 1 }, id: uuidPk, name: { type: "text" }, slug: { type: "text" }, createdAt,
    timeZone: { type: "text", name: "time_zone", default: "UTC" },
    monthlyBudgetUsd: { type: "double precision", name: "monthly_budget_usd", nullable: true },
  },
});

export interface Membership {
  orgId: string;
  userId: string;
  role: Role;
  createdAt: Date;
}
export const MembershipEntity = new EntitySchema<Membership>({
  name: "Membership",
  tableName: "memberships",
  columns: {
    orgId: { type: "uuid", name: "org_id", primary: true },
    userId: { type: "uuid", name: "user_id", primary: true },
    role: { type: "text" },
    createdAt,
  },
});

export interface Session {
  id: string;
  userId: string;
  activeOrgId: string | null;
  expiresAt: Date;
  createdAt: Date;
}
export const SessionEntity = new EntitySchema<Session>({
  name: "Session",
  tableName: "sessions",
  columns: {
    id: { type: "text", primary: true },
    userId: { type: "uuid", name: "user_id" },
    activeOrgId: { type: "uuid", name: "active_org_id", nullable: true },
    expiresAt: { type: "timestamptz", name: "expires_at" },
    createdAt,
  },
});

export interface Invite {
  id: string;
  orgId: string;
  tokenHash: string;
  role: Role;
  createdBy: string | null;
  expiresAt: Date;
  acceptedAt: Date | null;
  acceptedBy: string | null;
  createdAt: Date;
}
export const InviteEntity = new EntitySchema<Invite>({
  name: "Invite",
  tableName: "invites",
  columns: {
    id: uuidPk,
    orgId: { type: "uuid", name: "org_id" },
    tokenHash: { type: "text", name: "token_hash" },
    role: { type: "text" },
    createdBy: { type: "uuid", name: "created_by", nullable: true },
    expiresAt: { type: "timestamptz", name: "expires_at" },
    acceptedAt: { type: "timestamptz", name: "accepted_at", nullable: true },
    acceptedBy: { type: "uuid", name: "accepted_by", nullable: true },
    createdAt,
  },
});

export interface ApiToken {
  id: string;
  orgId: string;
  name: string;
  tokenHash: string;
  prefix: string;
  /** what the token may do: read-only acts as a viewer, member as a member */
  role: ApiTokenRole;
  createdBy: string | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  /** null: never expires */
  expiresAt: Date | null;
  createdAt: Date;
}
export const ApiTokenEntity = new EntitySchema<ApiToken>({
  name: "ApiToken",
  tableName: "api_tokens",
  columns: {
    id: uuidPk,
    orgId: { type: "uuid", name: "org_id" },
    name: { type: "text" },
    tokenHash: { type: "text", name: "token_hash" },
    prefix: { type: "text" },
    role: { type: "text", default: "member" },
    createdBy: { type: "uuid", name: "created_by", nullable: true },
    lastUsedAt: { type: "timestamptz", name: "last_used_at", nullable: true },
    revokedAt: { type: "timestamptz", name: "revoked_at", nullable: true },
    expiresAt: { type: "timestamptz", name: "expires_at", nullable: true },
    createdAt,
  },
});

export interface BoardGroup {
  id: string;
  orgId: string;
  name: string;
  position: number;
  createdAt: Date;
}
export const BoardGroupEntity = new EntitySchema<BoardGroup>({
  name: "BoardGroup",
  tableName: "board_groups",
  columns: {
    id: uuidPk,
    orgId: { type: "uuid", name: "org_id" },
    name: { type: "text" },
    position: { type: "integer" },
    createdAt,
  },
});

export interface Board {
  id: string;
  orgId: string;
  groupId: string | null;
  name: string;
  description: string;
  objective: string;
  isDefault: boolean;
  gatewayId: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** bumped by every edit; an edit based on an older one is refused (ADR 017) */
  version: number;
}
export const BoardEntity = new EntitySchema<Board>({
  name: "Board",
  tableName: "boards",
  columns: {
    version: { type: "integer", default: 1 },
    id: uuidPk,
    orgId: { type: "uuid", name: "org_id" },
    groupId: { type: "uuid", name: "group_id", nullable: true },
    name: { type: "text" },
    description: { type: "text" },
    objective: { type: "text" },
    isDefault: { type: "boolean", name: "is_default" },
    gatewayId: { type: "uuid", name: "gateway_id", nullable: true },
    createdAt,
    updatedAt,
  },
});

export interface Agent {
  id: string;
  orgId: string;
  name: string;
  role: AgentRole;
  status: AgentStatus;
  lastActiveAt: Date;
  avatarColor: string;
  source: "manual" | "gateway";
  gatewayId: string | null;
  externalId: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** bumped by every edit; an edit based on an older one is refused (ADR 017) */
  version: number;
  /** this agent's spend per calendar month of the organization's zone, in USD; null: none */
  monthlyBudgetUsd: number | null;
}
export const AgentEntity = new EntitySchema<Agent>({
  name: "Agent",
  tableName: "agents",
  columns: {
    version: { type: "integer", default: 1 },
    id: uuidPk,
    orgId: { type: "uuid", name: "org_id" },
    name: { type: "text" },
    role: { type: "text" },
    status: { type: "text" },
    lastActiveAt: { type: "timestamptz", name: "last_active_at" },
    avatarColor: { type: "text", name: "avatar_color" },
    source: { type: "text" },
    gatewayId: { type: "uuid", name: "gateway_id", nullable: true },
    externalId: { type: "text", name: "external_id", nullable: true },
    monthlyBudgetUsd: { type: "double precision", name: "monthly_budget_usd", nullable: true },
    createdAt,
    updatedAt,
  },
});

export type GatewayStateName = (typeof GATEWAY_STATES)[number];

export interface Gateway {
  id: string;
  orgId: string;
  name: string;
  url: string;
  tokenEncrypted: string | null;
  pollIntervalSeconds: number;
  state: GatewayStateName;
  stateDetail: Record<string, unknown>;
  serverVersion: string | null;
  latencyMs: number | null;
  lastError: string | null;
  lastSeenAt: Date | null;
  owner: string | null;
  lastPollAt: Date | null;
  lastPollError: string | null;
  /** its OpenClaw state directory on this host, tailed for transcripts (gateways up to 2026.7) */
  transcriptDir: string | null;
  /** the URL in its one spelling (lib/gateway-url), unique per organization; null on an old duplicate */
  urlKey: string | null;
  /** the device id the gateway reports (gateway.identity.get), unique per organization once learned */
  identity: string | null;
  /** another row of the organization is this same gateway: nothing is ingested for this one */
  duplicateOf: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** bumped by every edit; an edit based on an older one is refused (ADR 017) */
  version: number;
}
export const GatewayEntity = new EntitySchema<Gateway>({
  name: "Gateway",
  tableName: "gateways",
  columns: {
    version: { type: "integer", default: 1 },
    id: uuidPk,
    orgId: { type: "uuid", name: "org_id" },
    name: { type: "text" },
    url: { type: "text" },
    tokenEncrypted: { type: "text", name: "token_encrypted", nullable: true },
    pollIntervalSeconds: { type: "integer", name: "poll_interval_seconds" },
    state: { type: "text" },
    stateDetail: { type: "jsonb", name: "state_detail" },
    serverVersion: { type: "text", name: "server_version", nullable: true },
    latencyMs: { type: "integer", name: "latency_ms", nullable: true },
    lastError: { type: "text", name: "last_error", nullable: true },
    lastSeenAt: { type: "timestamptz", name: "last_seen_at", nullable: true },
    owner: { type: "text", nullable: true },
    lastPollAt: { type: "timestamptz", name: "last_poll_at", nullable: true },
    lastPollError: { type: "text", name: "last_poll_error", nullable: true },
    transcriptDir: { type: "text", name: "transcript_dir", nullable: true },
    urlKey: { type: "text", name: "url_key", nullable: true },
    identity: { type: "text", nullable: true },
    duplicateOf: { type: "uuid", name: "duplicate_of", nullable: true },
    createdAt,
    updatedAt,
  },
});

export interface Tag {
  id: string;
  orgId: string;
  name: string;
  color: string;
  createdAt: Date;
  /** bumped by every edit; an edit based on an older one is refused (ADR 017) */
  version: number;
}
export const TagEntity = new EntitySchema<Tag>({
  name: "Tag",
  tableName: "tags",
  columns: {
    version: { type: "integer", default: 1 },
    id: uuidPk,
    orgId: { type: "uuid", name: "org_id" },
    name: { type: "text" },
    color: { type: "text" },
    createdAt,
  },
});

export interface Task {
  id: string;
  orgId: string;
  boardId: string;
  title: string;
  description: string;
  status: TaskStatus;
  priority: TaskPriority;
  assigneeAgentId: string | null;
  dueDate: string | null;
  position: number;
  createdBy: string;
  /** bumped by every update; an edit based on an older one is refused (ADR 017) */
  version: number;
  createdAt: Date;
  updatedAt: Date;
}
export const TaskEntity = new EntitySchema<Task>({
  name: "Task",
  tableName: "tasks",
  columns: {
    id: uuidPk,
    orgId: { type: "uuid", name: "org_id" },
    boardId: { type: "uuid", name: "board_id" },
    title: { type: "text" },
    description: { type: "text" },
    status: { type: "text" },
    priority: { type: "text" },
    assigneeAgentId: { type: "uuid", name: "assignee_agent_id", nullable: true },
    dueDate: { type: "date", name: "due_date", nullable: true },
    position: { type: "double precision" },
    createdBy: { type: "text", name: "created_by" },
    version: { type: "integer", default: 1 },
    createdAt,
    updatedAt,
  },
});

export interface TaskTag {
  taskId: string;
  tagId: string;
}
export const TaskTagEntity = new EntitySchema<TaskTag>({
  name: "TaskTag",
  tableName: "task_tags",
  columns: {
    taskId: { type: "uuid", name: "task_id", primary: true },
    tagId: { type: "uuid", name: "tag_id", primary: true },
  },
});

export interface ActivityEvent {
  id: string;
  orgId: string;
  type: string;
  message: string;
  actorType: ActorType;
  actorId: string | null;
  actorName: string;
  boardId: string | null;
  taskId: string | null;
  agentId: string | null;
  data: Record<string, unknown>;
  createdAt: Date;
}
export const ActivityEventEntity = new EntitySchema<ActivityEvent>({
  name: "ActivityEvent",
  tableName: "activity_events",
  columns: {
    id: { type: "bigint", primary: true, generated: "increment" },
    orgId: { type: "uuid", name: "org_id" },
    type: { type: "text" },
    message: { type: "text" },
    actorType: { type: "text", name: "actor_type" },
    actorId: { type: "text", name: "actor_id", nullable: true },
    actorName: { type: "text", name: "actor_name" },
    boardId: { type: "uuid", name: "board_id", nullable: true },
    taskId: { type: "uuid", name: "task_id", nullable: true },
    agentId: { type: "uuid", name: "agent_id", nullable: true },
    data: { type: "jsonb" },
    createdAt,
  },
});

export interface RateLimit {
  key: string;
  count: number;
  windowStart: Date;
}
export const RateLimitEntity = new EntitySchema<RateLimit>({
  name: "RateLimit",
  tableName: "rate_limits",
  columns: {
    key: { type: "text", primary: true },
    count: { type: "integer" },
    windowStart: { type: "timestamptz", name: "window_start" },
  },
});

export const ALL_ENTITIES = [
  UserEntity,
  OrganizationEntity,
  MembershipEntity,
  SessionEntity,
  InviteEntity,
  ApiTokenEntity,
  BoardGroupEntity,
  BoardEntity,
  AgentEntity,
  TagEntity,
  TaskEntity,
  TaskTagEntity,
  ActivityEventEntity,
  RateLimitEntity,
  GatewayEntity,
];
