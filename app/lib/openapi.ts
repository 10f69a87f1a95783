import { AGENT_ROLES, AGENT_STATUSES, TASK_PRIORITIES, TASK_STATUSES } from "./constants";

/*
 * The OpenAPI 3.1 description of the REST API, written by hand to match app/routes/api.*.ts and the
 * zod schemas they parse with (app/lib/schemas.ts). test/integration/api.test.ts checks that every
 * API route file has a path here.
 */

type Json = Record<string, unknown>;

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const uuid = { type: "string", format: "uuid" };
const timestampMs = { type: "integer", description: "Milliseconds since the Unix epoch" };
const isoDate = { type: "string", format: "date", examples: ["2026-12-31"] };
const tagList = {
  type: "array",
  maxItems: 20,
  items: { type: "string", minLength: 1, maxLength: 40 },
  description: "Tag names; unknown tags are created in the organization.",
};

const jsonBody = (schema: Json, example?: unknown) => ({
  required: true,
  content: { "application/json": { schema, ...(example === undefined ? {} : { example }) } },
});

const ok = (description: string, schema: Json) => ({
  description,
  content: { "application/json": { schema } },
});

const error = (description: string) => ({ description, content: { "application/json": { schema: ref("Error") } } });

const errors = {
  badRequest: error("`invalid_json` or `validation_failed` (details maps each field to its messages)"),
  unauthorized: error("No token, or the token is unknown, expired or revoked (`unauthorized`)"),
  forbidden: error("The token's role is too low for this request (`forbidden`; writes need member)"),
  notFound: error("No such row in the token's organization (`not_found`); ids of other organizations are not found too"),
  tooLarge: error("The body is larger than 1 MB (`payload_too_large`)"),
};

const idParam = (what: string) => ({
  name: "id",
  in: "path",
  required: true,
  description: `The ${what}'s id`,
  schema: uuid,
});

function schemas(): Json {
  return {
    Error: {
      type: "object",
      required: ["error"],
      properties: {
        error: {
          type: "object",
          required: ["code", "message"],
          properties: {
            code: { type: "string", examples: ["validation_failed", "not_found", "unauthorized"] },
            message: { type: "string", description: "A sentence a person can act on" },
            details: {
              description: "For validation_failed: field name → list of messages",
              type: "object",
              additionalProperties: true,
            },
          },
        },
      },
    },
    Task: {
      type: "object",
      required: ["id", "title", "description", "status", "assignedAgent", "priority", "createdAt", "updatedAt", "createdBy", "tags", "boardId", "dueDate"],
      properties: {
        id: uuid,
        title: { type: "string" },
        description: { type: "string" },
        status: { type: "string", enum: [...TASK_STATUSES] },
        assignedAgent: { type: ["string", "null"], format: "uuid", description: "Agent id" },
        priority: { type: "string", enum: [...TASK_PRIORITIES] },
        createdAt: timestampMs,
        updatedAt: timestampMs,
        createdBy: { type: "string", description: "Name of the person or token that created the task" },
        tags: { type: "array", items: { type: "string" } },
        boardId: uuid,
        dueDate: { ...isoDate, type: ["string", "null"] },
      },
    },
    TaskCreate: {
      type: "object",
      additionalProperties: false,
      required: ["title"],
      properties: {
        title: { type: "string", minLength: 1, maxLength: 200 },
        description: { type: "string", maxLength: 20000 },
        status: { type: "string", enum: [...TASK_STATUSES], default: "backlog" },
        priority: { type: "string", enum: [...TASK_PRIORITIES], default: "medium" },
        assignedAgent: { type: ["string", "null"], format: "uuid" },
        tags: tagList,
        dueDate: { ...isoDate, type: ["string", "null"] },
        boardId: { ...uuid, description: "Defaults to the organization's default board" },
      },
    },
    TaskUpdate: {
      type: "object",
      additionalProperties: false,
      minProperties: 1,
      description: "Only the fields sent change. `assignedAgent: null` unassigns, `dueDate: null` clears the date.",
      properties: {
        title: { type: "string", minLength: 1, maxLength: 200 },
        description: { type: "string", maxLength: 20000 },
        status: { type: "string", enum: [...TASK_STATUSES] },
        priority: { type: "string", enum: [...TASK_PRIORITIES] },
        assignedAgent: { type: ["string", "null"], format: "uuid" },
        tags: { ...tagList, description: "Replaces the task's tags" },
        dueDate: { ...isoDate, type: ["string", "null"] },
        boardId: { ...uuid, description: "Moves the task to another board of the organization" },
      },
    },
    Agent: {
      type: "object",
      required: ["id", "name", "role", "status", "lastActive", "avatarColor", "source"],
      properties: {
        id: uuid,
        name: { type: "string" },
        role: { type: "string", enum: [...AGENT_ROLES] },
        status: { type: "string", enum: [...AGENT_STATUSES] },
        lastActive: timestampMs,
        avatarColor: { type: "string", pattern: "^#[0-9a-fA-F]{6}$" },
        source: { type: "string", description: "How the agent came to exist, e.g. manual" },
      },
    },
    AgentCreate: {
      type: "object",
      additionalProperties: false,
      required: ["name", "role"],
      properties: {
        name: { type: "string", minLength: 1, maxLength: 60 },
        role: { type: "string", enum: [...AGENT_ROLES] },
        status: { type: "string", enum: [...AGENT_STATUSES], default: "offline" },
        avatarColor: { type: "string", pattern: "^#[0-9a-fA-F]{6}$", description: "Picked from a palette when omitted" },
      },
    },
    AgentUpdate: {
      type: "object",
      additionalProperties: false,
      minProperties: 1,
      properties: {
        name: { type: "string", minLength: 1, maxLength: 60 },
        role: { type: "string", enum: [...AGENT_ROLES] },
        status: { type: "string", enum: [...AGENT_STATUSES] },
        avatarColor: { type: "string", pattern: "^#[0-9a-fA-F]{6}$" },
      },
    },
    Gateway: {
      type: "object",
      required: ["id", "name", "url", "tokenSet", "pollIntervalSeconds", "state"],
      properties: {
        id: uuid,
        name: { type: "string" },
        url: { type: "string", examples: ["ws://127.0.0.1:18789"] },
        tokenSet: { type: "boolean", description: "The token itself is never returned" },
        pollIntervalSeconds: { type: "integer", minimum: 5, maximum: 3600 },
        state: { type: "string", enum: ["connecting", "online", "offline", "unauthorized", "pairing-required", "protocol-mismatch"] },
        serverVersion: { type: ["string", "null"] },
        latencyMs: { type: ["integer", "null"] },
        lastError: { type: ["string", "null"], description: "A sentence for a person" },
        lastSeenAt: { type: ["integer", "null"], description: "Milliseconds since the Unix epoch" },
        lastPollAt: { type: ["integer", "null"] },
        lastPollError: { type: ["string", "null"] },
        transcriptDir: { type: ["string", "null"], description: "Gateways up to 2026.7: their state directory on the Mission Control host, tailed for transcripts" },
        pairing: {
          type: ["object", "null"],
          description: "In pairing-required: the device to approve and the command to run on the gateway host",
          properties: { deviceId: { type: "string" }, requestId: { type: ["string", "null"] }, approveCommand: { type: "string" } },
        },
        deviceId: { type: ["string", "null"] },
        createdAt: timestampMs,
        updatedAt: timestampMs,
      },
    },
    GatewayCreate: {
      type: "object",
      additionalProperties: false,
      required: ["name", "url"],
      properties: {
        name: { type: "string", minLength: 1, maxLength: 80 },
        url: { type: "string", description: "ws:// or wss://" },
        token: { type: "string", minLength: 1, maxLength: 500, writeOnly: true },
        pollIntervalSeconds: { type: "integer", minimum: 5, maximum: 3600, default: 30 },
        transcriptDir: { type: "string", description: "An absolute path inside the server's MC_TRANSCRIPT_ROOT; 400 otherwise" },
      },
    },
    GatewayUpdate: {
      type: "object",
      additionalProperties: false,
      minProperties: 1,
      properties: {
        name: { type: "string", minLength: 1, maxLength: 80 },
        url: { type: "string" },
        token: { type: ["string", "null"], writeOnly: true, description: "null removes the stored token" },
        pollIntervalSeconds: { type: "integer", minimum: 5, maximum: 3600 },
        transcriptDir: { type: ["string", "null"], description: "null removes the transcript folder" },
      },
    },
    Event: {
      type: "object",
      required: ["id", "type", "message", "agentId", "taskId", "timestamp", "actor"],
      properties: {
        id: { type: "string", description: "Increasing; compare as integers" },
        type: { type: "string", examples: ["task_created", "task_updated", "task_deleted", "agent_status_changed"] },
        message: { type: "string" },
        agentId: { type: ["string", "null"], format: "uuid" },
        taskId: { type: ["string", "null"], format: "uuid" },
        timestamp: timestampMs,
        actor: {
          type: "object",
          required: ["type", "name"],
          properties: { type: { type: "string" }, name: { type: "string" } },
        },
      },
    },
  };
}

function paths(): Json {
  const secured = [{ bearerAuth: [] }];
  return {
    "/api/auth/login": {
      post: {
        operationId: "login",
        summary: "Exchange a username (or email) and password for a session token",
        description:
          "The token acts as the user in their first organization, with their role there. Failed attempts are rate limited per IP and per account.",
        security: [],
        requestBody: jsonBody(
          {
            type: "object",
            additionalProperties: false,
            required: ["username", "password"],
            properties: { username: { type: "string", minLength: 1, maxLength: 200 }, password: { type: "string", minLength: 1, maxLength: 200 } },
          },
          { username: "patch", password: "your-secure-password" },
        ),
        responses: {
          "200": ok("Signed in", {
            type: "object",
            required: ["token", "user", "expiresAt"],
            properties: {
              token: { type: "string", description: "Send as `Authorization: Bearer <token>`" },
              user: {
                type: "object",
                required: ["id", "name", "role"],
                properties: { id: uuid, name: { type: "string" }, role: { type: "string", enum: ["owner", "admin", "member", "viewer"] } },
              },
              expiresAt: timestampMs,
            },
          }),
          "400": errors.badRequest,
          "401": error("Wrong username or password (`invalid_credentials`)"),
          "403": error("The account belongs to no organization (`no_organization`)"),
          "429": {
            ...error("Too many failed attempts (`rate_limited`)"),
            headers: { "Retry-After": { description: "Seconds to wait", schema: { type: "integer" } } },
          },
        },
      },
    },
    "/api/tasks": {
      get: {
        operationId: "listTasks",
        summary: "List the organization's tasks (by column, then position)",
        security: secured,
        parameters: [
          { name: "status", in: "query", schema: { type: "string", enum: [...TASK_STATUSES] } },
          { name: "agent", in: "query", description: "Assigned agent id", schema: uuid },
          { name: "boardId", in: "query", schema: uuid },
        ],
        responses: {
          "200": ok("The tasks", { type: "object", required: ["tasks"], properties: { tasks: { type: "array", items: ref("Task") } } }),
          "400": errors.badRequest,
          "401": errors.unauthorized,
        },
      },
      post: {
        operationId: "createTask",
        summary: "Create a task",
        security: secured,
        requestBody: jsonBody(ref("TaskCreate"), { title: "Fix auth bug", status: "todo", priority: "critical", tags: ["bug", "auth"] }),
        responses: {
          "201": ok("Created", { type: "object", required: ["task"], properties: { task: ref("Task") } }),
          "400": errors.badRequest,
          "401": errors.unauthorized,
          "403": errors.forbidden,
          "404": error("boardId names no board of the organization (`board_not_found`)"),
          "409": error("No boardId and the organization has no default board (`no_default_board`)"),
          "413": errors.tooLarge,
        },
      },
    },
    "/api/tasks/{id}": {
      parameters: [idParam("task")],
      get: {
        operationId: "getTask",
        summary: "One task",
        security: secured,
        responses: {
          "200": ok("The task", { type: "object", required: ["task"], properties: { task: ref("Task") } }),
          "401": errors.unauthorized,
          "404": errors.notFound,
        },
      },
      patch: {
        operationId: "updateTask",
        summary: "Change a task; send `status` to move it to another column",
        security: secured,
        requestBody: jsonBody(ref("TaskUpdate"), { status: "done" }),
        responses: {
          "200": ok("The task after the change", { type: "object", required: ["task"], properties: { task: ref("Task") } }),
          "400": errors.badRequest,
          "401": errors.unauthorized,
          "403": errors.forbidden,
          "404": errors.notFound,
          "413": errors.tooLarge,
        },
      },
      delete: {
        operationId: "deleteTask",
        summary: "Delete a task",
        security: secured,
        responses: {
          "200": ok("Deleted", { type: "object", required: ["success"], properties: { success: { const: true } } }),
          "401": errors.unauthorized,
          "403": errors.forbidden,
          "404": errors.notFound,
        },
      },
    },
    "/api/agents": {
      get: {
        operationId: "listAgents",
        summary: "List the organization's agents",
        security: secured,
        responses: {
          "200": ok("The agents", { type: "object", required: ["agents"], properties: { agents: { type: "array", items: ref("Agent") } } }),
          "401": errors.unauthorized,
        },
      },
      post: {
        operationId: "createAgent",
        summary: "Add an agent by hand",
        security: secured,
        requestBody: jsonBody(ref("AgentCreate"), { name: "Patch", role: "Dev", status: "online" }),
        responses: {
          "201": ok("Created", { type: "object", required: ["agent"], properties: { agent: ref("Agent") } }),
          "400": errors.badRequest,
          "401": errors.unauthorized,
          "403": errors.forbidden,
          "413": errors.tooLarge,
        },
      },
    },
    "/api/agents/{id}": {
      parameters: [idParam("agent")],
      get: {
        operationId: "getAgent",
        summary: "One agent",
        security: secured,
        responses: {
          "200": ok("The agent", { type: "object", required: ["agent"], properties: { agent: ref("Agent") } }),
          "401": errors.unauthorized,
          "404": errors.notFound,
        },
      },
      patch: {
        operationId: "updateAgent",
        summary: "Change an agent, e.g. its status",
        security: secured,
        requestBody: jsonBody(ref("AgentUpdate"), { status: "busy" }),
        responses: {
          "200": ok("The agent after the change", { type: "object", required: ["agent"], properties: { agent: ref("Agent") } }),
          "400": errors.badRequest,
          "401": errors.unauthorized,
          "403": errors.forbidden,
          "404": errors.notFound,
          "413": errors.tooLarge,
        },
      },
    },
    "/api/events": {
      get: {
        operationId: "listEvents",
        summary: "The activity feed, newest first",
        security: secured,
        parameters: [
          { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 500, default: 50 } },
          {
            name: "since",
            in: "query",
            description: "Milliseconds timestamp; only events strictly after it (poll with the newest timestamp you have)",
            schema: { type: "integer", minimum: 0 },
          },
        ],
        responses: {
          "200": ok("The events", { type: "object", required: ["events"], properties: { events: { type: "array", items: ref("Event") } } }),
          "400": errors.badRequest,
          "401": errors.unauthorized,
        },
      },
    },
    "/api/gateways": {
      get: {
        operationId: "listGateways",
        summary: "The organization's gateways with their connection state (admin)",
        security: secured,
        responses: {
          "200": ok("The gateways", { type: "object", required: ["gateways"], properties: { gateways: { type: "array", items: ref("Gateway") } } }),
          "401": errors.unauthorized,
          "403": errors.forbidden,
        },
      },
      post: {
        operationId: "createGateway",
        summary: "Add a gateway (admin); the token is stored encrypted and never returned",
        security: secured,
        requestBody: jsonBody(ref("GatewayCreate"), { name: "Home", url: "ws://127.0.0.1:18789", token: "…" }),
        responses: {
          "201": ok("Created", { type: "object", required: ["gateway"], properties: { gateway: ref("Gateway") } }),
          "400": errors.badRequest,
          "401": errors.unauthorized,
          "403": errors.forbidden,
          "413": errors.tooLarge,
        },
      },
    },
    "/api/gateways/{id}": {
      parameters: [idParam("gateway")],
      get: {
        operationId: "getGateway",
        summary: "One gateway and its connection state (admin)",
        security: secured,
        responses: {
          "200": ok("The gateway", { type: "object", required: ["gateway"], properties: { gateway: ref("Gateway") } }),
          "401": errors.unauthorized,
          "403": errors.forbidden,
          "404": errors.notFound,
        },
      },
      patch: {
        operationId: "updateGateway",
        summary: "Change a gateway (admin); a new URL or token restarts its connection",
        security: secured,
        requestBody: jsonBody(ref("GatewayUpdate"), { pollIntervalSeconds: 60 }),
        responses: {
          "200": ok("The gateway after the change", { type: "object", required: ["gateway"], properties: { gateway: ref("Gateway") } }),
          "400": errors.badRequest,
          "401": errors.unauthorized,
          "403": errors.forbidden,
          "404": errors.notFound,
          "413": errors.tooLarge,
        },
      },
      delete: {
        operationId: "deleteGateway",
        summary: "Remove a gateway (admin); its agents stay, marked offline",
        security: secured,
        responses: {
          "200": ok("Removed", { type: "object", required: ["success"], properties: { success: { const: true } } }),
          "401": errors.unauthorized,
          "403": errors.forbidden,
          "404": errors.notFound,
        },
      },
    },
    "/api/openapi.json": {
      get: {
        operationId: "openapi",
        summary: "This document",
        security: [],
        responses: { "200": ok("OpenAPI 3.1 document", { type: "object" }) },
      },
    },
  };
}

export function buildOpenApiDocument() {
  return {
    openapi: "3.1.0",
    info: {
      title: "Mission Control API",
      version: "1.0.0",
      description:
        "Tasks, agents and the activity feed of one organization. Authenticate with `Authorization: Bearer <token>`: " +
        "an API token from Settings › API tokens (acts as a member of its organization) or a session token from POST /api/auth/login. " +
        "Every response is JSON; errors are `{ error: { code, message, details } }`. Wrong methods answer 405.",
    },
    servers: [{ url: "/" }],
    security: [{ bearerAuth: [] }],
    components: {
      securitySchemes: {
        bearerAuth: { type: "http", scheme: "bearer", description: "An API token (`mc_…`) or a session token from /api/auth/login" },
      },
      schemas: schemas(),
    },
    paths: paths(),
  };
}
