import { extendZodWithOpenApi } from "@asteasolutions/zod-to-openapi";
import { z } from "zod";
import { ACTOR_TYPES, AGENT_ROLES, AGENT_STATUSES, GATEWAY_STATES, ROLES, TASK_PRIORITIES, TASK_STATUSES } from "./constants";
import { EventCursor, TaskCursor } from "./cursor";

/*
 * What the REST API reads from the query string and path, and what it answers. The routes parse
 * with these schemas and the models' toApi… functions are typed by them; app/lib/openapi.ts turns
 * them into /api/openapi.json. Request bodies are in schemas.ts (shared with the forms).
 *
 * Answers are strict objects: the document says `additionalProperties: false`, so the contract test
 * (test/integration/openapi-contract.test.ts) fails when a route answers a field not described here.
 * `.openapi("Name")` makes a schema a named component ($ref) of the document.
 */

extendZodWithOpenApi(z);

const millis = (what: string) => z.number().int().describe(`${what}, in milliseconds since the Unix epoch`);
const uuid = z.string().uuid();

/* Paging: the same `limit` and `cursor` on every list that pages. */

export const PAGE_LIMIT_DEFAULT = 100;
export const PAGE_LIMIT_MAX = 1000;

const pageLimit = z.coerce
  .number({ invalid_type_error: "limit must be a whole number" })
  .int("limit must be a whole number")
  .min(1, "limit must be at least 1")
  .max(PAGE_LIMIT_MAX, `limit must be at most ${PAGE_LIMIT_MAX}`)
  .default(PAGE_LIMIT_DEFAULT)
  .describe(`How many items a page holds (1–${PAGE_LIMIT_MAX}, default ${PAGE_LIMIT_DEFAULT})`);

const cursorDescription = "The `nextCursor` of the page before; omit it for the first page. Opaque: send it back as it came.";

const nextCursor = z
  .string()
  .nullable()
  .describe("Pass as `cursor` to read the next page; null on the last page");

/* Path parameters. */

export const IdParamsSchema = z.object({ id: uuid.describe("The id (a UUID); anything else is a 404") });

/* Query parameters. */

export const TaskListQuerySchema = z
  .object({
    status: z
      .enum(TASK_STATUSES, { errorMap: () => ({ message: `status must be one of ${TASK_STATUSES.join(", ")}` }) })
      .optional()
      .describe("Only tasks in this column"),
    agent: z.string().uuid("agent must be an agent id").optional().describe("Only tasks assigned to this agent"),
    boardId: z.string().uuid("boardId must be a board id").optional().describe("Only tasks of this board"),
    limit: pageLimit,
    cursor: TaskCursor.param().optional().describe(cursorDescription),
  })
  .strip();

const MAX_DATE_MS = 8.64e15;

export const EventListQuerySchema = z
  .object({
    limit: pageLimit,
    since: z.coerce
      .number({ invalid_type_error: "since must be a timestamp in milliseconds" })
      .int("since must be a timestamp in milliseconds")
      .min(0, "since must be a timestamp in milliseconds")
      .max(MAX_DATE_MS, "since must be a timestamp in milliseconds")
      .optional()
      .describe("Milliseconds timestamp; only events strictly after it (poll with the newest timestamp you have)"),
    cursor: EventCursor.param().optional().describe(cursorDescription),
  })
  .strip();

/* Answers. */

export const ApiErrorSchema = z
  .object({
    error: z
      .object({
        code: z.string().describe("Machine-readable, e.g. validation_failed, not_found, unauthorized"),
        message: z.string().describe("A sentence a person can act on"),
        details: z
          .record(z.unknown())
          .optional()
          .describe("validation_failed: field name → list of messages; rate_limited: retryAfterSeconds"),
      })
      .strict(),
  })
  .strict()
  .openapi("Error");

export const ApiTaskSchema = z
  .object({
    id: uuid,
    title: z.string(),
    description: z.string(),
    status: z.enum(TASK_STATUSES),
    assignedAgent: uuid.nullable().describe("The assigned agent's id"),
    priority: z.enum(TASK_PRIORITIES),
    createdAt: millis("When the task was created"),
    updatedAt: millis("When the task last changed"),
    createdBy: z.string().describe("Name of the person or token that created the task"),
    tags: z.array(z.string()).describe("Tag names"),
    boardId: uuid,
    dueDate: z.string().date().nullable().describe("YYYY-MM-DD"),
  })
  .strict()
  .openapi("Task");
export type ApiTask = z.infer<typeof ApiTaskSchema>;

export const ApiAgentSchema = z
  .object({
    id: uuid,
    name: z.string(),
    role: z.enum(AGENT_ROLES),
    status: z.enum(AGENT_STATUSES),
    lastActive: millis("When the agent was last active"),
    avatarColor: z.string().regex(/^#[0-9a-fA-F]{6}$/),
    source: z.enum(["manual", "gateway"]).describe("How the agent came to exist: added by hand or discovered on a gateway"),
  })
  .strict()
  .openapi("Agent");
export type ApiAgent = z.infer<typeof ApiAgentSchema>;

export const ApiGatewaySchema = z
  .object({
    id: uuid,
    name: z.string(),
    url: z.string().describe("ws:// or wss://. Admins and owners only").optional(),
    tokenSet: z.boolean().describe("The token itself is never returned"),
    pollIntervalSeconds: z.number().int().min(5).max(3600),
    state: z.enum(GATEWAY_STATES),
    stateSince: millis("When the gateway entered this state, as far as Mission Control saw").nullable(),
    serverVersion: z.string().nullable(),
    latencyMs: z.number().int().nullable().describe("The last round trip (WebSocket ping), in ms"),
    latencyP50Ms: z.number().int().nullable().describe("The median of the last round trips, in ms"),
    lastError: z.string().nullable().describe("A sentence for a person. Admins and owners only").optional(),
    lastSeenAt: millis("When the gateway last sent anything (a frame or a pong)").nullable(),
    lastPollAt: millis("When the gateway was last polled").nullable(),
    pollFailed: z.boolean().describe("Part of the last poll failed (lastPollError says what, to admins)"),
    lastPollError: z.string().nullable().describe("Admins and owners only").optional(),
    transcriptDir: z
      .string()
      .nullable()
      .describe("Gateways up to 2026.7: their state directory on the Mission Control host, tailed for transcripts. Admins and owners only")
      .optional(),
    duplicateOf: uuid.nullable().describe("Another gateway of the organization is this same one (same URL in an old database, or same gateway identity): nothing is ingested for this row"),
    pairing: z
      .object({ deviceId: z.string(), requestId: z.string().nullable().optional(), approveCommand: z.string() })
      .strict()
      .nullable()
      .describe("In pairing-required: the device to approve and the command to run on the gateway host. Admins and owners only")
      .optional(),
    deviceId: z.string().nullable().describe("This installation's device id as the gateway knows it. Admins and owners only").optional(),
    createdAt: millis("When the gateway was added"),
    updatedAt: millis("When the gateway last changed"),
  })
  .strict()
  .openapi("Gateway");
export type ApiGateway = z.infer<typeof ApiGatewaySchema>;

export const ApiEventSchema = z
  .object({
    id: z.string().regex(/^\d+$/).describe("Increasing; compare as integers"),
    type: z.string().describe("e.g. task_created, task_updated, task_deleted, agent_status_changed, agent.tool_start"),
    message: z.string(),
    agentId: uuid.nullable(),
    taskId: uuid.nullable(),
    timestamp: millis("When it happened"),
    actor: z.object({ type: z.enum(ACTOR_TYPES), name: z.string() }).strict(),
    sessionKey: z.string().optional().describe("Agent activity: the session it belongs to"),
    tool: z.string().optional().describe("Agent activity: the tool, when there is one"),
    summary: z.string().optional().describe("Agent activity: what the tool was asked to do"),
  })
  .strict()
  .openapi("Event");
export type ApiEvent = z.infer<typeof ApiEventSchema>;

export const LoginAnswerSchema = z
  .object({
    token: z.string().describe("Send as `Authorization: Bearer <token>`"),
    user: z.object({ id: uuid, name: z.string(), role: z.enum(ROLES) }).strict(),
    expiresAt: millis("When the token expires"),
  })
  .strict();

export const TaskAnswerSchema = z.object({ task: ApiTaskSchema }).strict();
/** 412 to a PATCH whose If-Match is not the row's current version: the error and the stored row (ADR 017). */
const preconditionFailed = <K extends string, S extends z.ZodTypeAny>(name: string, key: K, row: S) =>
  z.object({ error: ApiErrorSchema.shape.error, [key]: row } as { error: typeof ApiErrorSchema.shape.error } & Record<K, S>).strict().openapi(name);
export const TaskPreconditionFailedSchema = preconditionFailed("TaskPreconditionFailed", "task", ApiTaskSchema);
export const TaskPageSchema = z.object({ tasks: z.array(ApiTaskSchema), nextCursor }).strict();
export const AgentAnswerSchema = z.object({ agent: ApiAgentSchema }).strict();
export const AgentListSchema = z.object({ agents: z.array(ApiAgentSchema) }).strict();
export const AgentPreconditionFailedSchema = preconditionFailed("AgentPreconditionFailed", "agent", ApiAgentSchema);
export const GatewayAnswerSchema = z.object({ gateway: ApiGatewaySchema }).strict();
export const GatewayListSchema = z.object({ gateways: z.array(ApiGatewaySchema) }).strict();
export const GatewayPreconditionFailedSchema = preconditionFailed("GatewayPreconditionFailed", "gateway", ApiGatewaySchema);
export const EventPageSchema = z.object({ events: z.array(ApiEventSchema), nextCursor }).strict();
export type TaskPage = z.infer<typeof TaskPageSchema>;
export type EventPage = z.infer<typeof EventPageSchema>;
export const DeletedSchema = z.object({ success: z.literal(true) }).strict();

export const HealthSchema = z
  .object({ status: z.literal("ok"), uptimeSeconds: z.number().int().describe("Seconds since the process started") })
  .strict();
export const ReadinessSchema = z
  .object({
    status: z.enum(["ready", "not-ready"]),
    checks: z
      .object({
        database: z.boolean(),
        migrations: z.boolean().describe("true when every migration is applied"),
        jobs: z.union([z.boolean(), z.literal("not-this-role")]),
        realtime: z.union([z.boolean(), z.literal("not-this-role")]),
      })
      .strict(),
  })
  .strict();
